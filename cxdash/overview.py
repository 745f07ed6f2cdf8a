"""Everything the board overview shows for one organisation, assembled in one place so the page and
the board pack show the same figures."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cxdash import db, feedback, maturity, metrics, peers, reference
from cxdash.filters import Filters


@dataclass(frozen=True)
class Overview:
    """The overview of one organisation under one set of filters."""

    org: pd.Series
    peer_label: str
    peer_count: int
    round_date: object | None
    respondents: int
    score: float | None
    stage: pd.Series | None
    change: maturity.MaturityChange | None
    position: peers.Position | None
    pillars: pd.DataFrame  # org's latest pillars with peer_median
    kpis: pd.DataFrame
    next_steps: pd.DataFrame

    @property
    def peer_phrase(self) -> str:
        """The peer group for use inside a sentence: 'same region (South East)'."""
        return self.peer_label[:1].lower() + self.peer_label[1:]

    @property
    def assessed(self) -> bool:
        """Whether the organisation has a maturity assessment."""
        return self.score is not None and not math.isnan(self.score)


def build(f: Filters, path: Path | None = None, with_feedback: bool = True) -> Overview | None:
    """Assemble the overview for f.org_id; None when the organisation is unknown. `with_feedback=False` leaves
    the feedback KPIs empty (for callers that need only the maturity part, such as the fix-first list: inside
    one `db.session` the maturity part is computed once for both)."""
    key = ("overview.maturity", f.org_id, f.framework_id, f.peer_group)
    view = db.remember(key, lambda: _maturity_part(f, path), path)
    if view is None or f.start is None or not with_feedback:
        return view
    return dataclasses.replace(view, kpis=feedback.kpis(f.org_id, f.start, f.end, f.previous, path))


def _maturity_part(f: Filters, path: Path | None) -> Overview | None:
    """The overview without feedback KPIs (it depends only on the organisation, framework and peer group)."""
    orgs = reference.organisations(path)
    org_rows = orgs[orgs["org_id"] == f.org_id]
    if org_rows.empty:
        return None
    org = org_rows.iloc[0]
    group = peers.members(orgs, f.org_id, f.peer_group)
    peer_ids = set(group["org_id"]) - {f.org_id}

    empty_pillars = pd.DataFrame(columns=["pillar_id", "name", "score_100", "stage_level", "peer_median"])
    score = stage = change = position = round_date = None
    respondents = 0
    pillars = empty_pillars
    steps = maturity.next_steps(pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    if f.framework_id:
        rounds = maturity.round_scores(f.framework_id, path)
        own = rounds[rounds["org_id"] == f.org_id].sort_values("round_date")
        if not own.empty:
            latest = own.iloc[-1]
            score, round_date, respondents = (
                float(latest["score_100"]),
                latest["round_date"],
                int(latest["respondents"]),
            )
            stages = db.query("framework_stages", {"framework_id": f.framework_id}, path)
            stage = metrics.stage_for(score, stages)
            change = _change(f, own, path)
            latest_all = rounds.sort_values("round_date").groupby("org_id").tail(1).set_index("org_id")["score_100"]
            position = peers.position(latest_all[latest_all.index.isin(peer_ids | {f.org_id})], f.org_id)
            table = maturity.latest_pillars(f.framework_id, path)
            median = table[table["org_id"].isin(peer_ids)].groupby("pillar_id")["score_100"].median()
            pillars = table[table["org_id"] == f.org_id].assign(peer_median=lambda d: d["pillar_id"].map(median))
            recs = db.query("recommendations", {"framework_id": f.framework_id}, path)
            steps = maturity.next_steps(pillars, recs, stages, median)
    return Overview(
        org=org,
        peer_label=peers.group_label(orgs, f.org_id, f.peer_group),
        peer_count=len(peer_ids),
        round_date=round_date,
        respondents=respondents,
        score=score,
        stage=stage,
        change=change,
        position=position,
        pillars=pillars.reset_index(drop=True),
        kpis=pd.DataFrame(columns=feedback.KPI_COLUMNS),
        next_steps=steps,
    )


def _change(f: Filters, own_rounds: pd.DataFrame, path: Path | None) -> maturity.MaturityChange:
    latest = own_rounds.iloc[-1]
    prior = own_rounds.iloc[-2] if len(own_rounds) > 1 else None
    return maturity.change_between(
        f.framework_id,
        f.org_id,
        latest["round_date"],
        float(latest["score_100"]),
        None if prior is None else prior["round_date"],
        None if prior is None else float(prior["score_100"]),
        path,
    )

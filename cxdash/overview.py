"""Everything the board overview shows for one organisation, assembled in one place so the page and
the board pack show the same figures."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cxdash import db, feedback, maturity, metrics, peers, reference
from cxdash.filters import Filters
from cxdash.labels import signed


@dataclass(frozen=True)
class MaturityChange:
    """Overall score now and at the previous round, and whether the move is beyond noise."""

    score: float
    previous: float | None
    previous_date: object | None
    change: float | None
    p_value: float | None
    significant: bool

    def describe(self) -> str:
        """'+6 points since Mar 2025, beyond noise' (or 'within noise'); 'first assessment'."""
        if self.previous is None or self.change is None:
            return "first assessment"
        noise = "beyond noise" if self.significant else "within noise"
        return f"{signed(self.change)} points since {pd.Timestamp(self.previous_date):%b %Y}, {noise}"


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
    change: MaturityChange | None
    position: peers.Position | None
    pillars: pd.DataFrame  # org's latest pillars with peer_median
    kpis: pd.DataFrame
    next_steps: pd.DataFrame

    @property
    def assessed(self) -> bool:
        """Whether the organisation has a maturity assessment."""
        return self.score is not None and not math.isnan(self.score)


def respondent_change(scores: pd.DataFrame, now: object, before: object) -> tuple[float, float]:
    """Two-sided z-test p-value and change (0-100 points) between two rounds' respondent mean scores.

    Each respondent's mean answer (1-5) is put on 0-100; the difference of the rounds' means is tested
    with an unpooled standard error sqrt(s1^2/n1 + s2^2/n2).
    """
    a = metrics.to_0_100(scores.loc[scores["round_date"] == now, "mean_score"].to_numpy(dtype=float))
    b = metrics.to_0_100(scores.loc[scores["round_date"] == before, "mean_score"].to_numpy(dtype=float))
    if len(a) < 2 or len(b) < 2:
        return float(np.mean(a) - np.mean(b)) if len(a) and len(b) else math.nan, math.nan
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    change = float(a.mean() - b.mean())
    if se == 0:
        return change, 1.0 if change == 0 else 0.0
    return change, math.erfc(abs(change) / se / math.sqrt(2))


def build(f: Filters, path: Path | None = None) -> Overview | None:
    """Assemble the overview for f.org_id; None when the organisation is unknown."""
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
    kpis = (
        feedback.kpis(f.org_id, f.start, f.end, f.previous, path)
        if f.start is not None
        else feedback.kpis(f.org_id, None, None, (None, None), path).iloc[0:0]
    )
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
        kpis=kpis,
        next_steps=steps,
    )


def _change(f: Filters, own_rounds: pd.DataFrame, path: Path | None) -> MaturityChange:
    latest = own_rounds.iloc[-1]
    if len(own_rounds) < 2:
        return MaturityChange(float(latest["score_100"]), None, None, None, None, False)
    prior = own_rounds.iloc[-2]
    scores = db.query("assessment_respondent_scores", {"framework_id": f.framework_id, "org_id": f.org_id}, path)
    _, p_value = respondent_change(scores, latest["round_date"], prior["round_date"])
    diff = float(latest["score_100"] - prior["score_100"])
    return MaturityChange(
        float(latest["score_100"]),
        float(prior["score_100"]),
        prior["round_date"],
        diff,
        None if math.isnan(p_value) else p_value,
        bool(not math.isnan(p_value) and p_value < metrics.ALPHA),
    )

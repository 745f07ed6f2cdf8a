"""Maturity results from assessment answers: scores per pillar and overall, and stages."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxdash import config, db, metrics
from cxdash.labels import signed


def pillar_table(framework_id: str, path: Path | None = None, org_id: str | None = None) -> pd.DataFrame:
    """Pillar scores of every organisation (or only `org_id`) and assessment round of a framework.

    Columns: org_id, round_date, pillar_id, name, sort_order, weight, score (1-5), score_100,
    statements, respondents, stage_level (the stage the pillar's own score falls in).
    Every organisation's table is the same whatever organisation a page shows, so it is kept in the process
    per data version (an import changes the version: the next read computes it again); one organisation's is
    computed once per `db.session` (a page's rerun asks for it from several places).
    """
    if org_id is None:
        where = Path(path or config.db_path())
        return _every_pillar(framework_id, str(where), db.data_version(where)).copy()
    key = ("maturity.pillar_table", framework_id, org_id)
    return db.remember(key, lambda: _pillar_table(framework_id, org_id, path), path).copy()


@db.per_version(4)
def _every_pillar(framework_id: str, where: str, version: str) -> pd.DataFrame:
    return _pillar_table(framework_id, None, Path(where))


def _pillar_table(framework_id: str, org_id: str | None, path: Path | None) -> pd.DataFrame:
    params = {"framework_id": framework_id}
    sums = db.query("assessment_pillar_sums", {**params, "org_id": org_id}, path)
    pillars = db.query("framework_pillars", params, path)
    stages = db.query("framework_stages", params, path)
    keys = ["org_id", "round_date"]
    if sums.empty:
        return pd.DataFrame(
            columns=[
                *keys,
                "pillar_id",
                "name",
                "sort_order",
                "weight",
                "score",
                "score_100",
                "statements",
                "respondents",
                "stage_level",
            ]
        )
    table = metrics.pillar_scores_from_sums(sums, pillars, keys)
    table["stage_level"] = metrics.stage_levels(table["score_100"], stages)
    return table


def round_scores(framework_id: str, path: Path | None = None) -> pd.DataFrame:
    """Overall 0-100 score and stage for every organisation and assessment round of a framework.

    Columns: org_id, round_date, pillars, respondents, score_100, stage_level, stage_name. Kept in the process
    per data version, as every organisation's pillar_table.
    """
    where = Path(path or config.db_path())
    return _every_round(framework_id, str(where), db.data_version(where)).copy()


@db.per_version(4)
def _every_round(framework_id: str, where: str, version: str) -> pd.DataFrame:
    return _round_scores(framework_id, Path(where))


def _round_scores(framework_id: str, path: Path | None) -> pd.DataFrame:
    stages = db.query("framework_stages", {"framework_id": framework_id}, path)
    columns = ["org_id", "round_date", "pillars", "respondents", "score_100", "stage_level", "stage_name"]
    table = pillar_table(framework_id, path) if not stages.empty else None
    if table is None or table.empty:
        return pd.DataFrame(columns=columns)
    keys = ["org_id", "round_date"]
    overall = metrics.overall_scores(table, keys)
    overall["stage_level"] = metrics.stage_levels(overall["score_100"], stages)
    overall["stage_name"] = overall["stage_level"].map(stages.set_index("level")["name"])
    return overall[columns].sort_values(keys).reset_index(drop=True)


def latest_scores(framework_id: str, path: Path | None = None) -> pd.DataFrame:
    """Each organisation's most recent round (round_scores columns), with organisation names."""
    rounds = round_scores(framework_id, path)
    if rounds.empty:
        return rounds.assign(name=pd.Series(dtype=str), sector=pd.Series(dtype=str))
    latest = rounds.sort_values("round_date").groupby("org_id").tail(1)
    orgs = db.query("organisations", path=path)[["org_id", "name", "sector"]]
    return latest.merge(orgs, on="org_id", how="left").sort_values("score_100", ascending=False)


def latest_pillars(framework_id: str, path: Path | None = None) -> pd.DataFrame:
    """Pillar scores from each organisation's most recent round (pillar_table columns)."""
    table = pillar_table(framework_id, path)
    if table.empty:
        return table
    last = table.groupby("org_id")["round_date"].transform("max")
    return table[table["round_date"] == last].reset_index(drop=True)


NEXT_STEP_COLUMNS = [
    "pillar_id",
    "name",
    "score_100",
    "stage_name",
    "next_stage_name",
    "points_to_next",
    "lift",
    "peer_median",
    "text",
]


def next_steps(
    org_pillars: pd.DataFrame,
    recommendations: pd.DataFrame,
    stages: pd.DataFrame,
    peer_median: pd.Series | None = None,
    top: int = 3,
) -> pd.DataFrame:
    """The recommendations that matter most now: for the `top` weakest pillars, the framework's
    recommendation for the stage each pillar is at, ordered by how much reaching the next stage
    would lift the overall score.

    lift = pillar weight x points to the next stage's lowest score / sum of weights, in points of
    the overall 0-100 score (0 for a pillar already at the top stage). org_pillars: one
    organisation's pillar rows (pillar_table columns). peer_median: peer median score_100 by
    pillar_id. Returns NEXT_STEP_COLUMNS.
    """
    if org_pillars.empty:
        return pd.DataFrame(columns=NEXT_STEP_COLUMNS)
    by_level = stages.set_index("level")
    top_level = by_level.index.max()
    total_weight = float(org_pillars["weight"].sum())
    out = org_pillars.sort_values(["score_100", "sort_order"]).head(top).copy()
    out["stage_name"] = out["stage_level"].map(by_level["name"])
    below_top = out["stage_level"] < top_level
    nxt = (out["stage_level"] + 1).clip(upper=top_level)
    out["next_stage_name"] = nxt.map(by_level["name"]).where(below_top, None)
    out["points_to_next"] = (nxt.map(by_level["min_score"]) - out["score_100"]).where(below_top, 0.0)
    out["lift"] = out["weight"] * out["points_to_next"] / total_weight
    out["peer_median"] = out["pillar_id"].map(peer_median) if peer_median is not None else float("nan")
    recs = recommendations.set_index(["pillar_id", "stage_level"])["text"]
    out["text"] = [recs.get((p, int(level)), "") for p, level in zip(out["pillar_id"], out["stage_level"], strict=True)]
    out = out.sort_values(["lift", "score_100"], ascending=[False, True])
    return out[NEXT_STEP_COLUMNS].reset_index(drop=True)


# --- One organisation's assessment round (the Maturity page) --------------------------------

#: Fewest respondents of one role whose pillar score may be shown: fewer could identify a person.
MIN_ROLE_RESPONDENTS = 3

#: How a sentence names the people in each role (plural).
ROLE_NOUNS = {
    "board": "board members",
    "executive": "the executive team",
    "manager": "managers",
    "frontline": "front-line staff",
    "other": "other staff",
}

#: How a count names the people in each role: (one, many).
ROLE_COUNT_NOUNS = {
    "board": ("board member", "board members"),
    "executive": ("executive", "executives"),
    "manager": ("manager", "managers"),
    "frontline": ("front-line staff", "front-line staff"),
    "other": ("other", "others"),
}


@dataclass(frozen=True)
class RoundReport:
    """Everything the Maturity page shows for one organisation's assessment round."""

    round_date: date
    previous_date: date | None
    overall: dict[str, Any]  # score_100, stage_level, stage_name, descriptor, previous_score_100, respondents,
    # score_label ('54 / 100'), change_label ('+4 points since Dec 2024, within noise' or None),
    # change_significant
    pillars: pd.DataFrame  # pillar_table columns + stage_name, previous_score_100
    statements: pd.DataFrame  # maturity_statements columns + name, score_100
    roles: pd.DataFrame  # role_pillars columns (privacy rule applied)
    respondents: pd.DataFrame  # role, label, role_order, respondents
    scale: pd.DataFrame  # value, label, descriptor
    stages: pd.DataFrame  # level, name, min_score, descriptor
    plan: pd.DataFrame  # next_steps columns, one row per pillar, weakest first


def rounds(framework_id: str, org_id: str, path: Path | None = None) -> pd.DataFrame:
    """One organisation's assessment rounds, newest first, with respondents per role.

    Columns: round_date, role, label, role_order, respondents.
    """
    return db.query("maturity_rounds", {"framework_id": framework_id, "org_id": org_id}, path)


def round_dates(framework_id: str, org_id: str, path: Path | None = None) -> list[str]:
    """ISO dates of one organisation's assessment rounds, newest first (empty if never assessed)."""
    table = rounds(framework_id, org_id, path)
    return [f"{pd.Timestamp(d):%Y-%m-%d}" for d in table["round_date"].drop_duplicates()]


def empty_message(framework_id: str | None, org_id: str | None, path: Path | None = None) -> str:
    """Why there is nothing to show, in words a user can act on."""
    if framework_id is None and org_id is None:
        return "Nothing to show yet: load a maturity framework and import organisations on the Data page."
    if framework_id is None:
        return "No maturity framework is loaded. Put one in `data/frameworks/` and run `python -m cxdash frameworks`."
    if org_id is None:
        return "No organisations yet. Import organisations and their assessment answers on the Data page."
    summary = db.query("framework_summary", path=path)
    held = summary.loc[summary["framework_id"] == framework_id, "rounds"]
    if held.empty or int(held.iloc[0]) == 0:
        return (
            "This database holds no maturity assessments yet (citizen feedback such as the US A-11 data "
            "has none): its feedback is on the Trends and Feedback and journeys pages. Import staff assessment "
            "answers (template `assessments.csv`) on the Data page to see scores, stages and next steps here."
        )
    orgs = db.query("organisations", path=path)
    name = dict(zip(orgs["org_id"], orgs["name"], strict=True)).get(org_id, org_id)
    return (
        f"{name} has no assessment in this framework yet. Choose another organisation, or import its "
        "staff assessment answers (template `assessments.csv`) on the Data page."
    )


def hide_small_roles(roles: pd.DataFrame, min_n: int = MIN_ROLE_RESPONDENTS) -> pd.DataFrame:
    """Apply the privacy rule to role-by-pillar scores; add `shown` and `hidden_reason`, blank hidden scores.

    roles: one row per role x pillar with columns role, pillar_id, respondents, score_100 (role_order
    optional). A role's score for a pillar is hidden when fewer than `min_n` of its people answered.
    Because the pillar's overall score and the head counts are published, a lone hidden role could be
    worked out by subtraction; so while the hidden roles of a pillar add up to fewer than `min_n`
    people, the smallest shown role of that pillar is hidden too.
    """
    out = roles.copy()
    out["shown"] = out["respondents"] >= min_n
    out["hidden_reason"] = pd.Series(None, index=out.index, dtype=object)
    out.loc[~out["shown"], "hidden_reason"] = f"fewer than {min_n} respondents"
    order = "role_order" if "role_order" in out else "role"
    for _, group in out.groupby("pillar_id", sort=False):
        hidden = group[~group["shown"]]
        shown = group[group["shown"]].sort_values(["respondents", order], ascending=[True, False])
        if hidden.empty or hidden["respondents"].sum() >= min_n or shown.empty:
            continue
        extra = shown.index[0]
        out.loc[extra, "shown"] = False
        out.loc[extra, "hidden_reason"] = "hidden so a smaller group's score cannot be worked out"
    out["score_100"] = out["score_100"].where(out["shown"])
    return out


def role_pillars(
    framework_id: str, org_id: str, round_date: date | str, path: Path | None = None, min_n: int = MIN_ROLE_RESPONDENTS
) -> pd.DataFrame:
    """Pillar scores by respondent role for one round, with the privacy rule applied (see hide_small_roles).

    Columns: role, label, role_order, pillar_id, name, sort_order, score_100, respondents, shown, hidden_reason.
    """
    params = {"framework_id": framework_id, "org_id": org_id, "round_date": _as_date(round_date)}
    means = db.query("maturity_role_statement_means", params, path)
    columns = [
        "role",
        "label",
        "role_order",
        "pillar_id",
        "name",
        "sort_order",
        "score_100",
        "respondents",
        "shown",
        "hidden_reason",
    ]
    if means.empty:
        return pd.DataFrame(columns=columns)
    pillars = db.query("framework_pillars", {"framework_id": framework_id}, path)
    table = metrics.pillar_scores(means, pillars, ["role"]).drop(columns="respondents")
    people = means.groupby(["role", "pillar_id"], as_index=False)["pillar_respondents"].max()
    table = table.merge(people.rename(columns={"pillar_respondents": "respondents"}), on=["role", "pillar_id"])
    roles = db.query("reference_lists", path=path).query("list == 'role'")
    labels = dict(zip(roles["code"], roles["label"], strict=True))
    order = dict(zip(roles["code"], roles["sort_order"], strict=True))
    table["label"] = table["role"].map(lambda r: labels.get(r, str(r).replace("_", " ").capitalize()))
    table["role_order"] = table["role"].map(lambda r: order.get(r, 99))
    table = table.sort_values(["sort_order", "role_order"]).reset_index(drop=True)
    return hide_small_roles(table, min_n)[columns]


def largest_gap(roles: pd.DataFrame) -> dict[str, Any] | None:
    """The pillar where shown roles disagree most: pillar name, high and low role, their scores and the gap.

    None when no pillar has two roles shown.
    """
    best = None
    for _, group in roles[roles["shown"]].groupby("pillar_id", sort=False):
        if len(group) < 2:
            continue
        high, low = group.loc[group["score_100"].idxmax()], group.loc[group["score_100"].idxmin()]
        gap = float(high["score_100"] - low["score_100"])
        if best is None or gap > best["gap"]:
            best = {
                "pillar": high["name"],
                "high_role": high["role"],
                "high_label": high["label"],
                "high_score": float(high["score_100"]),
                "low_role": low["role"],
                "low_label": low["label"],
                "low_score": float(low["score_100"]),
                "gap": gap,
            }
    return best


def gap_sentence(gap: dict[str, Any] | None) -> str:
    """The largest perception gap in words, e.g. 'Board members rate Culture and people 24 points higher
    than front-line staff.'"""
    if gap is None:
        return (
            f"Roles cannot be compared in this round: no pillar has {MIN_ROLE_RESPONDENTS} or more "
            "respondents in at least two roles."
        )
    high = ROLE_NOUNS.get(gap["high_role"], gap["high_label"].lower())
    low = ROLE_NOUNS.get(gap["low_role"], gap["low_label"].lower())
    points = round(gap["gap"])
    if points < 5:
        return f"Roles broadly agree: the largest gap is {points} points ({gap['pillar']})."
    return f"{high[0].upper()}{high[1:]} rate {gap['pillar']} {points} points higher than {low}."


def hidden_note(roles: pd.DataFrame) -> str:
    """Which role scores the privacy rule hid and why, in one sentence ('' when nothing is hidden)."""
    hidden = roles[~roles["shown"]]
    if hidden.empty:
        return ""
    pillars = roles["pillar_id"].nunique()
    parts = []
    for (_, label, reason), group in hidden.groupby(["role_order", "label", "hidden_reason"], sort=True):
        where = "every pillar" if group["pillar_id"].nunique() == pillars else ", ".join(group["name"])
        people = sorted(group["respondents"].astype(int).unique())
        count = f"{people[0]} respondent{'s' if people[0] != 1 else ''}" if len(people) == 1 else "few respondents"
        parts.append(f"{label} on {where} ({count}: {reason})")
    return (
        "To protect anonymity, a role's score is hidden when fewer than "
        f"{MIN_ROLE_RESPONDENTS} people in it answered. Hidden here: " + "; ".join(parts) + "."
    )


def respondents_phrase(respondents: pd.DataFrame) -> str:
    """'13 respondents: 3 board members, 3 executives, 6 managers, 1 front-line staff' from rounds() rows."""
    rows = respondents.sort_values("role_order")
    total = int(rows["respondents"].sum())
    parts = ", ".join(
        f"{int(r.respondents)} {_role_count_noun(r.role, r.label, int(r.respondents))}" for r in rows.itertuples()
    )
    return f"{total} respondent{'s' if total != 1 else ''}: {parts}" if parts else "no respondents"


def round_report(framework_id: str, org_id: str, round_date: date | str, path: Path | None = None) -> RoundReport:
    """Scores, stages, statements, answer spread, roles and next steps of one organisation's round."""
    day = _as_date(round_date)
    params = {"framework_id": framework_id}
    stages = db.query("framework_stages", params, path)
    by_level = stages.set_index("level")
    mine = pillar_table(framework_id, path, org_id=org_id)
    dates = sorted(pd.to_datetime(mine["round_date"]).dt.date.unique())
    earlier = [d for d in dates if d < day]
    previous = earlier[-1] if earlier else None
    pillars = mine[pd.to_datetime(mine["round_date"]).dt.date == day].copy()
    before = mine[pd.to_datetime(mine["round_date"]).dt.date == previous].set_index("pillar_id")["score_100"]
    pillars["stage_name"] = pillars["stage_level"].map(by_level["name"])
    pillars["previous_score_100"] = pillars["pillar_id"].map(before)
    pillars = pillars.sort_values("sort_order").reset_index(drop=True)

    scores = round_scores(framework_id, path)
    scores = scores[scores["org_id"] == org_id].assign(day=lambda d: pd.to_datetime(d["round_date"]).dt.date)
    now = scores[scores["day"] == day]
    was = scores.loc[scores["day"] == previous, "score_100"]
    overall: dict[str, Any] = {"score_100": float("nan"), "stage_level": 0, "stage_name": None, "descriptor": None}
    if not now.empty:
        level = int(now["stage_level"].iloc[0])
        overall = {
            "score_100": float(now["score_100"].iloc[0]),
            "stage_level": level,
            "stage_name": by_level["name"].get(level),
            "descriptor": by_level["descriptor"].get(level),
        }
    overall["previous_score_100"] = float(was.iloc[0]) if not was.empty else None
    scored = overall["stage_name"] is not None
    overall["score_label"] = f"{overall['score_100']:.0f} / 100" if scored else "not scored"
    overall["change_label"], overall["change_significant"] = None, False
    if scored and overall["previous_score_100"] is not None:
        change = change_between(
            framework_id, org_id, day, overall["score_100"], previous, overall["previous_score_100"], path
        )
        overall["change_label"], overall["change_significant"] = change.describe(), change.significant

    statements = db.query("maturity_statements", {**params, "org_id": org_id, "round_date": day}, path)
    names = db.query("framework_pillars", params, path).set_index("pillar_id")["name"]
    statements["name"] = statements["pillar_id"].map(names)
    statements["score_100"] = metrics.to_0_100(statements["mean_score"].astype(float))

    people = rounds(framework_id, org_id, path)
    people = people[pd.to_datetime(people["round_date"]).dt.date == day].reset_index(drop=True)
    overall["respondents"] = int(people["respondents"].sum())
    recommendations = db.query("recommendations", params, path)
    return RoundReport(
        round_date=day,
        previous_date=previous,
        overall=overall,
        pillars=pillars,
        statements=statements,
        roles=role_pillars(framework_id, org_id, day, path),
        respondents=people[["role", "label", "role_order", "respondents"]],
        scale=db.query("maturity_scale", params, path),
        stages=stages,
        plan=next_steps(pillars, recommendations, stages, top=len(pillars)),
    )


def summary_line(report: RoundReport) -> str:
    """One line for the top of the page: overall score, stage, change, round date and respondents by role."""
    o = report.overall
    if o["stage_name"] is None:
        head = "**No overall score** (no statement answered)"
    else:
        head = f"**Overall {o['score_100']:.0f} / 100 · {o['stage_name']}**"
        if o.get("change_label"):
            head += f" ({o['change_label']})"
    return f"{head} · round of {report.round_date:%-d %B %Y} · {respondents_phrase(report.respondents)}"


def stage_ladder(stages: pd.DataFrame, level: int) -> str:
    """The stages in order with the current one in bold: 'Ad hoc → Emerging → **Established** → ...'."""
    return " → ".join(f"**{s.name}**" if s.level == level else s.name for s in stages.itertuples())


def statement_table(statements: pd.DataFrame) -> pd.DataFrame:
    """Statements of one pillar for display: Statement (id and full text), Mean (1-5), Score (0-100), Respondents."""
    answered = statements["respondents"] > 0
    return pd.DataFrame(
        {
            "Statement": statements["statement_id"] + " · " + statements["text"],
            "Mean (1-5)": statements["mean_score"].astype(float).map("{:.1f}".format).where(answered, "not answered"),
            "Score (0-100)": statements["score_100"].astype(float).map("{:.0f}".format).where(answered, "–"),
            "Respondents": statements["respondents"].astype(int),
        }
    ).reset_index(drop=True)


def _role_count_noun(role: str, label: str, count: int) -> str:
    singular, plural = ROLE_COUNT_NOUNS.get(role, (label.lower(), label.lower()))
    return singular if count == 1 else plural


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


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
        points = signed(self.change)
        unit = "point" if points in ("+1", "-1") else "points"
        return f"{points} {unit} since {pd.Timestamp(self.previous_date):%b %Y}, {noise}"


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


def change_between(
    framework_id: str,
    org_id: str,
    now: object,
    score: float,
    before: object | None,
    previous_score: float | None,
    path: Path | None = None,
) -> MaturityChange:
    """The overall score's change between two rounds, tested on the respondents' mean scores at 95%."""
    if before is None or previous_score is None:
        return MaturityChange(score, None, None, None, None, False)
    answers = db.query("assessment_respondent_scores", {"framework_id": framework_id, "org_id": org_id}, path)
    answers["round_date"] = pd.to_datetime(answers["round_date"])
    _, p_value = respondent_change(answers, pd.Timestamp(now), pd.Timestamp(before))
    return MaturityChange(
        score,
        previous_score,
        before,
        score - previous_score,
        None if math.isnan(p_value) else p_value,
        bool(not math.isnan(p_value) and p_value < metrics.ALPHA),
    )

"""Maturity results from assessment answers: scores per pillar and overall, and stages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cxdash import db, metrics


def round_scores(framework_id: str, path: Path | None = None) -> pd.DataFrame:
    """Overall 0-100 score and stage for every organisation and assessment round of a framework.

    Columns: org_id, round_date, pillars, respondents, score_100, stage_level, stage_name.
    """
    params = {"framework_id": framework_id}
    means = db.query("assessment_statement_means", params, path)
    pillars = db.query("framework_pillars", params, path)
    stages = db.query("framework_stages", params, path)
    columns = ["org_id", "round_date", "pillars", "respondents", "score_100", "stage_level", "stage_name"]
    if means.empty or stages.empty:
        return pd.DataFrame(columns=columns)
    keys = ["org_id", "round_date"]
    overall = metrics.overall_scores(metrics.pillar_scores(means, pillars, keys), keys)
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

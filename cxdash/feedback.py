"""Citizen feedback results: metrics from score distributions, aggregated in DuckDB."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from cxdash import db, metrics


def measure_summary(
    start: date, end: date, org_id: str | None = None, path: Path | None = None, min_n: int | None = None
) -> pd.DataFrame:
    """Metrics per measure for periods starting between start and end (one organisation or all).

    One row per measure: measure, label, family, n and the metrics of `metrics.add_metrics`.
    """
    stats = db.query("feedback_by_measure", {"start": start, "end": end, "org_id": org_id}, path)
    return metrics.add_metrics(stats, min_n)


def headline(row: pd.Series) -> tuple[str, str]:
    """The figure to show for a measure and what it means: NPS for 0-10, else % in the top two boxes."""
    if row["suppressed"]:
        return "not enough responses", f"n = {int(row['n']):,}"
    if row["family"] == "recommend":
        return f"{row['nps']:+.0f}", f"NPS, n = {int(row['n']):,}"
    return f"{row['top2_share']:.0f}%", f"rated 4 or 5, n = {int(row['n']):,}"

"""Citizen feedback results: metrics from score distributions, aggregated in DuckDB."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from cxdash import config, db, metrics
from cxdash.queries import sql


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


#: The columns of kpis(), in order.
KPI_COLUMNS = [
    "measure", "label", "family", "headline", "current", "low", "high", "previous", "change", "p_value",
    "significant", "verdict", "n_current", "n_previous",
]  # fmt: skip


def kpis(
    org_id: str | None,
    start: date,
    end: date,
    previous: tuple[date, date],
    path: Path | None = None,
    min_n: int | None = None,
) -> pd.DataFrame:
    """Headline figure per measure for a window, its change since the previous window and whether the
    change is beyond noise (metrics.compare).

    Columns: measure, label, family, headline ('top2_share' or 'nps'), current, low, high, previous,
    change, p_value, significant, verdict, n_current, n_previous.
    """
    now = db.query("feedback_by_measure", {"start": start, "end": end, "org_id": org_id}, path)
    before = db.query("feedback_by_measure", {"start": previous[0], "end": previous[1], "org_id": org_id}, path)
    if now.empty:
        return pd.DataFrame(columns=KPI_COLUMNS)
    zero = {c: 0 for c in ("n", "sum_score", "sum_score_sq", "top2", "bottom2", "promoters", "detractors")}
    before = (
        now[["measure", "label", "family", "sort_order", "scale_min", "scale_max"]]
        .merge(
            before.drop(columns=["label", "family", "sort_order", "scale_min", "scale_max"]), on="measure", how="left"
        )
        .fillna(zero)
    )
    figures = metrics.add_metrics(now, min_n)
    heads = [
        metrics.headline_column(int(lo), int(hi)) for lo, hi in zip(now["scale_min"], now["scale_max"], strict=True)
    ]
    tested: dict[int, pd.Series] = {}
    for column in dict.fromkeys(heads):  # one test per kind of headline figure, over all its measures at once
        at = [i for i, h in enumerate(heads) if h == column]
        result = metrics.compare(now.iloc[at], before.iloc[at], column, min_n)
        tested |= {i: result.iloc[k] for k, i in enumerate(at)}
    rows = []
    for i, row in enumerate(now.to_dict("records")):
        column, result, current = heads[i], tested[i], figures.iloc[i]
        low_col, high_col = ("nps_low", "nps_high") if column == "nps" else ("top2_low", "top2_high")
        rows.append(
            {
                "measure": row["measure"],
                "label": row["label"],
                "family": row["family"],
                "headline": column,
                "current": result["current"],
                "low": current[low_col],
                "high": current[high_col],
                "previous": result["previous"],
                "change": result["change"],
                "p_value": result["p_value"],
                "significant": bool(result["significant"]),
                "verdict": result["verdict"],
                "n_current": int(result["n_current"]),
                "n_previous": int(result["n_previous"]),
            }
        )
    return pd.DataFrame(rows, columns=KPI_COLUMNS)


#: Columns feedback can be grouped by (a whitelist: these names are put into SQL).
DIMENSIONS = ("period_start", "org_id", "service_id", "channel", "stage", "measure")
#: The dimensions the feedback_org_month rollup keeps.
ROLLUP_DIMENSIONS = {"period_start", "org_id", "measure"}


def stats_by(
    dims: tuple[str, ...],
    start: date | None = None,
    end: date | None = None,
    org_ids: tuple[str, ...] | None = None,
    service_id: str | None = None,
    channel: str | None = None,
    stage: str | None = None,
    measures: tuple[str, ...] | None = None,
    path: Path | None = None,
    min_n: int | None = None,
) -> pd.DataFrame:
    """Feedback metrics grouped by `dims` (from DIMENSIONS) over the filters given (None = all).

    Aggregated inside DuckDB: one row per group with n and every metric of metrics.add_metrics,
    suppressed below the small-sample threshold.
    """
    bad = [d for d in dims if d not in DIMENSIONS]
    if bad or not dims:
        raise ValueError(f"cannot group feedback by {bad or dims}; choose from {DIMENSIONS}")
    params = {
        "start": start,
        "end": end,
        "org_ids": list(org_ids) if org_ids is not None else None,
        "measures": list(measures) if measures is not None else None,
    }
    if set(dims) <= ROLLUP_DIMENSIONS and service_id is None and channel is None and stage is None:
        text = sql("feedback_stats_by_org")  # the per-organisation rollup holds all that is asked
    else:
        text = sql("feedback_stats_by")
        params |= {"service_id": service_id, "channel": channel, "stage": stage}
    text = text.replace("{{dims}}", ", ".join(dims))
    out = metrics.add_metrics(db.query(text, params, path), min_n)
    filters = [k for k in ("service_id", "channel", "stage") if params.get(k) is not None and k not in dims]
    if out.empty or not filters:
        return out
    # A filtered figure and the same figure without that filter (shown on another page, or with the filter
    # cleared) differ by the people the filter leaves out: hide it when they are a small group.
    min_n = config.min_n() if min_n is None else min_n
    gap = np.zeros(len(out), dtype=bool)
    for dropped in filters:
        wider = db.query(text, {**params, dropped: None}, path)[[*dims, "n"]].rename(columns={"n": "n_wider"})
        rest = out[list(dims)].merge(wider, on=list(dims), how="left")["n_wider"].fillna(0) - out["n"].to_numpy()
        gap |= ((rest > 0) & (rest < min_n)).to_numpy()
    out["suppressed"] = out["suppressed"].to_numpy() | gap
    out.loc[out["suppressed"], metrics.METRIC_COLUMNS] = np.nan
    return out

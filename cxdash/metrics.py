"""Every published number is defined here, once: feedback metrics from score distributions
and maturity scores from assessment answers.

Feedback metrics start from sufficient statistics that SQL sums over score distributions
(`STATS_SQL`, from cxdash/sql/fragments/stats.sql), so any grouping (by month, channel,
stage ...) is aggregated inside DuckDB and only a handful of rows reach Python.
`add_metrics` turns those sums into the published figures:

- mean score, with a 95% normal-approximation interval (mean +/- 1.96 * sd / sqrt(n));
- top-two-box share: share answering one of the top two points of the scale
  (4-5 on 1-5, 9-10 on 0-10), with a 95% Wilson score interval;
- bottom-two-box share: the bottom two points (1-2 on 1-5, 0-1 on 0-10), Wilson interval;
- net score: top-two share minus bottom-two share (-100..100 points), with the interval of a
  difference of two multinomial proportions;
- NPS, only for 0-10 scales: % promoters (9-10) minus % detractors (0-6), same interval form.

A result resting on fewer than `min_n` responses is suppressed: its figures become missing
(NaN), never zero, and `suppressed` is True.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

from cxdash import config, frames  # noqa: F401 (frames: how pandas holds text, set before any frame is made)
from cxdash.queries import fragment

Z95 = 1.959963984540054

#: Sufficient statistics over feedback_distributions rows; defined in cxdash/sql/fragments/stats.sql.
STATS_SQL = fragment("stats")

METRIC_COLUMNS = [
    "mean",
    "mean_low",
    "mean_high",
    "top2_share",
    "top2_low",
    "top2_high",
    "bottom2_share",
    "bottom2_low",
    "bottom2_high",
    "net_score",
    "net_low",
    "net_high",
    "nps",
    "nps_low",
    "nps_high",
]


def wilson_interval(
    successes: np.ndarray | float, n: np.ndarray | float, z: float = Z95
) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval for a share successes/n (NaN where n is 0)."""
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def _difference_interval(
    p_a: np.ndarray, p_b: np.ndarray, n: np.ndarray, z: float = Z95
) -> tuple[np.ndarray, np.ndarray]:
    """Interval for p_a - p_b where both shares come from the same n answers (multinomial)."""
    diff = p_a - p_b
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(np.maximum(p_a + p_b - diff * diff, 0) / n)
    return np.clip(diff - z * se, -1, 1), np.clip(diff + z * se, -1, 1)


def add_metrics(stats: pd.DataFrame, min_n: int | None = None) -> pd.DataFrame:
    """Add published metrics to a frame of STATS_SQL sums; suppress rows under min_n responses.

    Shares and scores are on 0-100 (percent or points); means on the measure's own scale.
    """
    min_n = config.min_n() if min_n is None else min_n
    n = stats["n"].astype(float).to_numpy()
    top2, bottom2 = stats["top2"].astype(float).to_numpy(), stats["bottom2"].astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = stats["sum_score"].astype(float).to_numpy() / n
        var = stats["sum_score_sq"].astype(float).to_numpy() / n - mean * mean
        sd = np.sqrt(np.maximum(var, 0) * n / np.maximum(n - 1, 1))
        half = Z95 * sd / np.sqrt(n)
        top, bottom = top2 / n, bottom2 / n
        promoters = stats["promoters"].astype(float).to_numpy() / n
        detractors = stats["detractors"].astype(float).to_numpy() / n
    top_low, top_high = wilson_interval(top2, n)
    bottom_low, bottom_high = wilson_interval(bottom2, n)
    net_low, net_high = _difference_interval(top, bottom, n)
    is_nps = ((stats["scale_min"] == 0) & (stats["scale_max"] == 10)).to_numpy()
    nps_low, nps_high = _difference_interval(promoters, detractors, n)
    values = [
        mean, mean - half, mean + half,
        100 * top, 100 * top_low, 100 * top_high,
        100 * bottom, 100 * bottom_low, 100 * bottom_high,
        100 * (top - bottom), 100 * net_low, 100 * net_high,
        np.where(is_nps, 100 * (promoters - detractors), np.nan),
        np.where(is_nps, 100 * nps_low, np.nan), np.where(is_nps, 100 * nps_high, np.nan),
    ]  # fmt: skip
    suppressed = n < min_n
    metrics = {name: np.where(suppressed, np.nan, v) for name, v in zip(METRIC_COLUMNS, values, strict=True)}
    metrics["suppressed"] = suppressed
    if stats.columns.isin(list(metrics)).any():  # metrics added again: replace them where they stand
        return stats.assign(**metrics)
    return pd.concat([stats, pd.DataFrame(metrics, index=stats.index)], axis=1)  # one step: far quicker


def protect_partition(
    n: Sequence[int] | np.ndarray | pd.Series, min_n: int | None = None, hidden: np.ndarray | None = None
) -> np.ndarray:
    """Which cells of one partition of a shown total to hide, so no hidden cell can be recovered by subtraction.

    The cells (services of an organisation, channels of a journey stage ...) add up to a total that is shown
    elsewhere. A cell under min_n responses is hidden (primary suppression; `hidden` may name more cells
    already hidden). If the hidden cells together hold fewer than min_n responses, or only one cell is
    hidden, the total minus the shown cells would give them away, so the smallest shown cells are hidden as
    well (complementary suppression) until the hidden group holds at least min_n responses in at least two
    cells, or no cell with responses is left to hide. Cells with no responses never count.
    """
    min_n = config.min_n() if min_n is None else min_n
    counts = np.asarray(n, dtype=float)
    out = (counts > 0) & (counts < min_n)
    if hidden is not None:
        out |= np.asarray(hidden, dtype=bool) & (counts > 0)
    while out.any() and not (counts[out].sum() >= min_n and out.sum() >= 2):
        candidates = np.flatnonzero(~out & (counts > 0))
        if candidates.size == 0:
            break
        out[candidates[np.argmin(counts[candidates])]] = True
    return out


def protect_grid(frame: pd.DataFrame, rows: str, columns: str, min_n: int | None = None) -> np.ndarray:
    """protect_partition on every row and every column of a two-way table (long form, one `n` per cell)
    until nothing changes: a row's total and a column's total can each be shown elsewhere."""
    counts = frame["n"].astype(float).to_numpy()
    hidden = (counts > 0) & (counts < (config.min_n() if min_n is None else min_n))
    groups = [list(frame.groupby(key, sort=False).indices.values()) for key in (rows, columns)]
    while True:
        before = hidden.copy()
        for index in (i for g in groups for i in g):
            hidden[index] = protect_partition(counts[index], min_n, hidden[index])
        if (hidden == before).all():
            return hidden


def summarise_counts(
    counts: dict[int, int], scale_min: int = 1, scale_max: int = 5, min_n: int | None = None
) -> pd.Series:
    """Metrics for one distribution {score: respondents}, through the same SQL and code as the app."""
    frame = pd.DataFrame(
        {"score": list(counts), "responses": list(counts.values()), "scale_min": scale_min, "scale_max": scale_max}
    )
    bad = frame[(frame.score < scale_min) | (frame.score > scale_max) | (frame.responses < 0)]
    if not bad.empty:
        raise ValueError(f"scores outside {scale_min}-{scale_max} or negative counts: {bad.to_dict('records')}")
    con = duckdb.connect()
    try:
        con.register("feedback_distributions", frame)
        stats = con.execute(f"SELECT {STATS_SQL} FROM feedback_distributions").df()
    finally:
        con.close()
    return add_metrics(stats, min_n).iloc[0]


# --- Maturity -----------------------------------------------------------------------------


def to_0_100(score_1_5: float | np.ndarray | pd.Series) -> float | np.ndarray | pd.Series:
    """Map a 1-5 mean score onto 0-100 (1 -> 0, 3 -> 50, 5 -> 100)."""
    return (score_1_5 - 1) / 4 * 100


def pillar_sums(statement_means: pd.DataFrame, keys: Sequence[str] = ()) -> pd.DataFrame:
    """What a pillar score is computed from, per keys x pillar: sum_of_means (the statements' mean scores
    added up), statements (how many statements were answered) and respondents (the most respondents to any
    of its statements). The database computes the same in sql/assessment_pillar_sums.sql.

    statement_means: columns *keys, pillar_id, statement_id, mean_score (1-5), respondents.
    """
    return statement_means.groupby([*keys, "pillar_id"], as_index=False).agg(
        sum_of_means=("mean_score", "sum"), statements=("statement_id", "nunique"), respondents=("respondents", "max")
    )


def pillar_scores(statement_means: pd.DataFrame, pillars: pd.DataFrame, keys: Sequence[str] = ()) -> pd.DataFrame:
    """Pillar score = mean of its statements' mean scores (each statement counts equally).

    statement_means: columns *keys, pillar_id, statement_id, mean_score (1-5), respondents.
    pillars: columns pillar_id, name, weight, sort_order. Returns one row per keys x pillar
    (pillars with no answers are absent) with score (1-5), score_100 (0-100), statements
    answered and respondents (the most respondents to any of its statements).
    """
    return pillar_scores_from_sums(pillar_sums(statement_means, keys), pillars, keys)


def pillar_scores_from_sums(sums: pd.DataFrame, pillars: pd.DataFrame, keys: Sequence[str] = ()) -> pd.DataFrame:
    """pillar_scores from pillar_sums (or the same columns from the database): score = sum_of_means / statements."""
    keys = list(keys)
    grouped = sums.assign(score=sums["sum_of_means"] / sums["statements"])
    grouped = grouped[[*keys, "pillar_id", "score", "statements", "respondents"]]
    out = grouped.merge(pillars[["pillar_id", "name", "weight", "sort_order"]], on="pillar_id", how="inner")
    out["score_100"] = to_0_100(out["score"])
    return out.sort_values([*keys, "sort_order"]).reset_index(drop=True)


def overall_scores(pillar_table: pd.DataFrame, keys: Sequence[str] = ()) -> pd.DataFrame:
    """Overall 0-100 score per keys: the weight-averaged 0-100 scores of the pillars answered."""
    keys = list(keys)
    table = pillar_table.dropna(subset=["score_100"]).assign(weighted=lambda d: d["score_100"] * d["weight"])
    if not keys:
        table = table.assign(_all=1)
        keys = ["_all"]
    out = table.groupby(keys, as_index=False).agg(
        weighted=("weighted", "sum"),
        weight=("weight", "sum"),
        pillars=("pillar_id", "nunique"),
        respondents=("respondents", "max"),
    )
    out["score_100"] = out["weighted"] / out["weight"]
    return out.drop(columns=["weighted", "weight"] + (["_all"] if "_all" in out else []))


def overall_score(pillars: pd.DataFrame) -> float:
    """Overall 0-100 score of one assessment from its pillar table; NaN if nothing was answered."""
    table = overall_scores(pillars)
    return float(table["score_100"].iloc[0]) if not table.empty else math.nan


def stage_levels(scores_100: pd.Series | np.ndarray, stages: pd.DataFrame) -> np.ndarray:
    """Stage level for each 0-100 score: the highest stage whose min_score it reaches (0 if missing)."""
    ordered = stages.sort_values("level")
    scores = np.asarray(scores_100, dtype=float)
    index = np.searchsorted(ordered["min_score"].to_numpy(dtype=float), scores + 1e-9, side="right") - 1
    levels = ordered["level"].to_numpy()[np.clip(index, 0, len(ordered) - 1)]
    return np.where(np.isnan(scores), 0, levels)


def stage_for(score_100: float, stages: pd.DataFrame) -> pd.Series | None:
    """The stage row (level, name, min_score, descriptor) a 0-100 score falls in; None if missing."""
    if score_100 is None or math.isnan(score_100):
        return None
    level = stage_levels(np.array([score_100]), stages)[0]
    return stages.set_index("level").loc[level].rename(level).to_frame().T.reset_index(names="level").iloc[0]


# --- Change between two periods -------------------------------------------------------------

ALPHA = 0.05


def headline_column(scale_min: int, scale_max: int) -> str:
    """The one figure a measure is reported by: NPS on 0-10 scales, else the top-two-box share."""
    return "nps" if (scale_min, scale_max) == (0, 10) else "top2_share"


def _variance_of(stats: pd.DataFrame, column: str) -> np.ndarray:
    """Sampling variance (on the 0-100 scale for shares and NPS) of a headline figure."""
    n = stats["n"].astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        if column == "mean":
            mean = stats["sum_score"].to_numpy(dtype=float) / n
            var = stats["sum_score_sq"].to_numpy(dtype=float) / n - mean * mean
            return np.maximum(var, 0) * n / np.maximum(n - 1, 1) / n
        if column == "nps":
            a = stats["promoters"].to_numpy(dtype=float) / n
            b = stats["detractors"].to_numpy(dtype=float) / n
            return 1e4 * np.maximum(a + b - (a - b) ** 2, 0) / n
        p = stats["top2" if column == "top2_share" else "bottom2"].to_numpy(dtype=float) / n
        return 1e4 * p * (1 - p) / n


def compare(
    current: pd.DataFrame, previous: pd.DataFrame, column: str = "top2_share", min_n: int | None = None
) -> pd.DataFrame:
    """Change in one figure between two aligned frames of STATS_SQL sums (same rows, same order).

    The change is tested with a two-sided z-test at 95% (unpooled standard errors: for a share
    p(1-p)/n, for NPS (p+ + p- - (p+ - p-)^2)/n, for a mean s^2/n). Returns columns current,
    previous, change, p_value, significant and verdict: "up", "down", "no significant change", or
    "not enough responses" when either side is under the small-sample threshold.
    """
    now = add_metrics(current, min_n).reset_index(drop=True)
    before = add_metrics(previous, min_n).reset_index(drop=True)
    change = now[column].to_numpy(dtype=float) - before[column].to_numpy(dtype=float)
    se = np.sqrt(_variance_of(now, column) + _variance_of(before, column))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.abs(change) / se
    p_value = np.array([math.erfc(v / math.sqrt(2)) if np.isfinite(v) else np.nan for v in z])
    p_value = np.where((se == 0) & (change == 0), 1.0, p_value)
    small = now["suppressed"].to_numpy() | before["suppressed"].to_numpy()
    significant = (p_value < ALPHA) & ~small
    verdict = np.where(
        small,
        "not enough responses",
        np.where(~significant, "no significant change", np.where(change > 0, "up", "down")),
    )
    return pd.DataFrame(
        {
            "current": now[column],
            "previous": before[column],
            "change": np.where(small, np.nan, change),
            "p_value": np.where(small, np.nan, p_value),
            "significant": significant,
            "verdict": verdict,
            "n_current": now["n"],
            "n_previous": before["n"],
        }
    )

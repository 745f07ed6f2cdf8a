"""Key-driver analysis on aggregated cells: which experience measures move an outcome most.

Our data are score distributions, not respondent rows, so the unit of analysis is a *cell*: one
organisation x service x channel x journey stage (x period, when that keeps enough responses), with the
mean score of each measure in it. Cells are weighted by their responses, and only cells with at least the
small-sample threshold of responses for every measure used take part. On the cells we compute:

- Johnson's relative weights: each driver's share of the explained variation (R^2) of the outcome. They
  add up to R^2 and stay sensible when drivers are correlated, which they are across cells;
- standardised regression coefficients (the change in the outcome, in standard deviations, for one
  standard deviation of a driver with the others held fixed), shown alongside;
- 95% percentile intervals for both from BOOTSTRAP resamples of cells (seeded, so results repeat).

Performance is the measure's headline figure (share rating 4-5) for the organisation in the chosen period.
Details and caveats: docs/insight.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from cxdash import config, db, feedback, metrics, peers, reference
from cxdash import filters as fl

#: Outcomes a driver analysis can explain, in the order offered.
OUTCOMES = ("satisfaction", "trust")
#: Measure families that count as drivers: the three Es and the A-11 drivers (never another outcome).
DRIVER_FAMILIES = ("three_es", "driver")
#: Fewest cells for an analysis; at least CELLS_PER_DRIVER per driver are needed too.
MIN_CELLS = 30
CELLS_PER_DRIVER = 10
#: A driver is used when cells holding it carry at least this share of the outcome's responses.
MIN_COVERAGE = 2 / 3
#: Cells keep the period when that keeps at least this share of the responses that pooling periods keeps.
PERIOD_KEEP = 0.8
BOOTSTRAP = 1000
SEED = 20_240_601
#: Scopes, widest last: the analysis widens to the next one when a scope has too few cells.
SCOPES = {"org": "This organisation", "peers": "Its peer group", "all": "All organisations"}
#: Windows the drivers are estimated over, ending with the chosen period.
WINDOWS = {"all": "All feedback", "year": "The last 12 months", "period": "The chosen period"}
#: Quadrants of the importance-performance matrix: (important?, strong?) -> name.
QUADRANTS = {
    (True, False): "Fix first",
    (True, True): "Keep it up",
    (False, False): "Watch",
    (False, True): "Maintain",
}
TABLE_COLUMNS = [
    "measure", "label", "sort_order", "weight", "share", "share_low", "share_high", "beta", "beta_low", "beta_high",
    "rank", "performance", "performance_n", "suppressed", "peer_median", "important", "strong", "quadrant",
]  # fmt: skip


@dataclass(frozen=True)
class DriverResult:
    """A key-driver analysis: what was analysed, on what sample, and the drivers ranked."""

    outcome: str
    outcome_label: str
    scope: str | None = None  # the scope analysed (may be wider than the one asked for)
    scope_label: str = ""  # e.g. "Kingston Borough Council" or "same sector (Local government), 8 organisations"
    window: tuple[date, date] | tuple[None, None] = (None, None)
    window_label: str = ""
    performance_label: str = ""  # the chosen period, where performance is measured
    by_period: bool = False
    stages: bool = True  # whether cells are split by journey stage (A-11 data records none)
    cells: int = 0
    respondents: int = 0
    effective_cells: float = 0.0  # Kish effective number of cells, (sum w)^2 / sum w^2
    r2: float = math.nan
    r2_low: float = math.nan
    r2_high: float = math.nan
    table: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TABLE_COLUMNS))
    left_out: tuple[str, ...] = ()  # sentences: drivers not used and why
    note: str | None = None  # why the scope was widened
    reason: str | None = None  # why there is no result

    @property
    def ok(self) -> bool:
        """Whether there is a result to show."""
        return self.reason is None

    @property
    def cell_label(self) -> str:
        """What one cell is, in words."""
        parts = ["organisation", "service", "channel"] + (["journey stage"] if self.stages else [])
        return " × ".join(parts + (["period"] if self.by_period else []))

    @property
    def sample(self) -> str:
        """The sample in one line: cells, responses, window."""
        return (
            f"{self.cells:,} cells ({self.cell_label}) holding {self.respondents:,} responses, "
            f"{self.window_label}; {self.scope_label}."
        )

    @property
    def method(self) -> str:
        """The method in plain words, for the page."""
        return (
            f"Method: Johnson's relative weights, each measure's share of the explained variation in "
            f"{self.outcome_label.lower()} (R² = {self.r2:.2f}), with standardised regression coefficients alongside, "
            f"computed on the mean scores of {self.cells:,} cells weighted by their responses (only cells with at "
            f"least {config.min_n()} responses to every measure). 95% intervals from {BOOTSTRAP:,} bootstrap "
            f"resamples of the cells."
        )


# --- The statistics (pure functions, unit-tested on hand-worked data) ---------------------------


def weighted_corr(data: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted correlation matrix of the columns of data (rows = cells, weights = responses)."""
    w = np.asarray(weights, dtype=float)
    mean = w @ data / w.sum()
    centred = data - mean
    cov = centred.T @ (centred * w[:, None]) / w.sum()
    sd = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        return cov / np.outer(sd, sd)


def _sqrt_psd(matrices: np.ndarray) -> np.ndarray:
    """Symmetric square root of (a stack of) positive semi-definite matrices."""
    values, vectors = np.linalg.eigh(matrices)
    root = np.sqrt(np.clip(values, 0, None))
    return (vectors * root[..., None, :]) @ np.swapaxes(vectors, -1, -2)


def relative_weights(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Johnson's relative weights from a correlation matrix (outcome first, then drivers), stackable.

    Returns (raw weights, standardised regression coefficients, R^2); the raw weights add up to R^2.
    """
    rxx, rxy = corr[..., 1:, 1:], corr[..., 1:, 0]
    beta = np.linalg.solve(rxx, rxy[..., None])[..., 0]
    r2 = np.sum(beta * rxy, axis=-1)
    lam = _sqrt_psd(rxx)
    beta_z = np.linalg.solve(lam, rxy[..., None])[..., 0]
    weights = np.einsum("...jk,...k->...j", lam**2, beta_z**2)
    return weights, beta, r2


def bootstrap(
    data: np.ndarray, weights: np.ndarray, resamples: int = BOOTSTRAP, seed: int = SEED, chunk: int = 100
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Relative weights, coefficients and R^2 on `resamples` bootstrap resamples of the rows (cells).

    Each resample draws as many cells as there are, with replacement; a cell drawn twice counts twice.
    Returns arrays shaped (resamples, drivers), (resamples, drivers), (resamples,).
    """
    rng = np.random.default_rng(seed)
    cells, width = data.shape
    products = (data[:, :, None] * data[:, None, :]).reshape(cells, width * width)
    out_w, out_b, out_r2 = [], [], []
    for start in range(0, resamples, chunk):
        size = min(chunk, resamples - start)
        drawn = rng.integers(0, cells, size=(size, cells)) + np.arange(size)[:, None] * cells
        counts = np.bincount(drawn.ravel(), minlength=size * cells).reshape(size, cells)
        w = counts * weights[None, :]
        total = w.sum(axis=1)
        mean = w @ data / total[:, None]
        second = (w @ products).reshape(size, width, width) / total[:, None, None]
        cov = second - mean[:, :, None] * mean[:, None, :]
        sd = np.sqrt(np.clip(np.diagonal(cov, axis1=1, axis2=2), 1e-300, None))
        corr = cov / (sd[:, :, None] * sd[:, None, :])
        try:
            rw, beta, r2 = relative_weights(corr)
        except np.linalg.LinAlgError:  # a degenerate resample in the chunk: do them one at a time
            parts = []
            for one in corr:
                try:
                    parts.append(relative_weights(one))
                except np.linalg.LinAlgError:
                    nan = np.full(data.shape[1] - 1, np.nan)
                    parts.append((nan, nan, np.nan))
            rw, beta, r2 = (np.array([p[i] for p in parts]) for i in range(3))
        out_w.append(rw)
        out_b.append(beta)
        out_r2.append(r2)
    return np.vstack(out_w), np.vstack(out_b), np.concatenate(out_r2)


def estimate(cells: pd.DataFrame, outcome: str, drivers: list[str], resamples: int = BOOTSTRAP) -> dict:
    """Relative weights and standardised coefficients, with bootstrap intervals, on a frame of cells.

    cells: one row per cell with columns `outcome`, each driver (mean scores) and `n` (weight).
    Returns {'table': frame with measure, weight, share, share_low/high, beta, beta_low/high, rank,
    'r2', 'r2_low', 'r2_high', 'effective_cells'}.
    """
    data = cells[[outcome, *drivers]].to_numpy(dtype=float)
    weights = cells["n"].to_numpy(dtype=float)
    rw, beta, r2 = relative_weights(weighted_corr(data, weights))
    boot_w, boot_b, boot_r2 = bootstrap(data, weights, resamples)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = boot_w / boot_r2[:, None]
    low, high = np.nanpercentile(shares, [2.5, 97.5], axis=0)
    b_low, b_high = np.nanpercentile(boot_b, [2.5, 97.5], axis=0)
    table = pd.DataFrame({
        "measure": drivers, "weight": rw, "share": rw / r2, "share_low": low, "share_high": high,
        "beta": beta, "beta_low": b_low, "beta_high": b_high,
    })  # fmt: skip
    table["rank"] = table["share"].rank(ascending=False, method="first").astype(int)
    r2_low, r2_high = np.nanpercentile(boot_r2, [2.5, 97.5])
    return {
        "table": table.sort_values("rank").reset_index(drop=True),
        "r2": float(r2),
        "r2_low": float(r2_low),
        "r2_high": float(r2_high),
        "effective_cells": float(weights.sum() ** 2 / (weights**2).sum()),
    }


def quadrants(table: pd.DataFrame) -> pd.DataFrame:
    """Add important, strong and quadrant: important = share of explained variation at least an equal share
    (1 / drivers); strong = performance at least the average performance of the drivers shown."""
    out = table.copy()
    shown = out["performance"].notna()
    average = out.loc[shown, "performance"].mean() if shown.any() else math.nan
    out["important"] = out["share"] >= 1 / len(out) - 1e-12
    out["strong"] = (out["performance"] >= average - 1e-12).where(shown)
    out["quadrant"] = [
        QUADRANTS[(bool(i), bool(s))] if isinstance(s, bool | np.bool_) else "not enough responses"
        for i, s in zip(out["important"], out["strong"], strict=True)
    ]
    return out


# --- The analysis for a view ----------------------------------------------------------------------


def window_for(f: fl.Filters, window: str, path: Path | None = None) -> tuple[date, date] | tuple[None, None]:
    """The periods the drivers are estimated over: all feedback, the 12 months, or the chosen period, each
    ending with the chosen period."""
    if f.start is None or f.end is None:
        return None, None
    if window == "period":
        return f.start, f.end
    if window == "year":
        return fl.shift_months(f.end, -(12 - f.grain_months)), f.end
    periods = reference.periods(path)
    first = pd.to_datetime(periods["period_start"]).dt.date.min()
    return min(first, f.start), f.end


def _scope_orgs(orgs: pd.DataFrame, f: fl.Filters, scope: str) -> tuple[tuple[str, ...] | None, str]:
    """The organisations of a scope (None = all) and the scope in words."""
    if scope == "org":
        name = orgs.loc[orgs["org_id"] == f.org_id, "name"]
        return (f.org_id,), str(name.iloc[0]) if not name.empty else str(f.org_id)
    if scope == "peers":
        group = peers.members(orgs, f.org_id, f.peer_group)
        label = peers.group_label(orgs, f.org_id, f.peer_group)
        return tuple(group["org_id"]), f"{label[:1].lower()}{label[1:]}, {len(group)} organisations"
    return None, f"all organisations ({len(orgs)})"


def _cells(
    outcome: str, candidates: list[str], start: date, end: date, org_ids: tuple[str, ...] | None, path: Path | None
) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """Cell means (one column per measure) and responses (one column per measure), and whether cells keep
    the period."""
    params = {"start": start, "end": end, "org_ids": list(org_ids) if org_ids else None, "min_n": config.min_n()}
    coverage = db.query("insight_driver_coverage", {**params, "outcome": outcome}, path).set_index("grain")
    by_period = bool(
        coverage.loc["period", "respondents"] >= PERIOD_KEEP * coverage.loc["pooled", "respondents"]
        and coverage.loc["period", "respondents"] > 0
    )
    rows = db.query(
        "insight_driver_cells",
        {**params, "by_period": by_period, "measures": [outcome, *candidates]},
        path,
    )
    keys = ["org_id", "service_id", "channel", "stage", "period_start"]
    rows["period_start"] = pd.to_datetime(rows["period_start"]).dt.strftime("%Y-%m-%d").fillna("pooled")
    means = rows.pivot_table(index=keys, columns="measure", values="mean", aggfunc="first")
    counts = rows.pivot_table(index=keys, columns="measure", values="n", aggfunc="first")
    return means, counts, by_period


def _usable(means: pd.DataFrame, counts: pd.DataFrame, outcome: str, drivers: list[str]) -> pd.DataFrame:
    """Cells holding the outcome and every driver: their means and n (the outcome's responses)."""
    columns = [outcome, *drivers]
    if not drivers or any(c not in counts for c in columns):
        return pd.DataFrame(columns=[*columns, "n"], dtype=float)
    keep = counts[columns].notna().all(axis=1)
    return means.loc[keep, columns].assign(n=counts.loc[keep, outcome])


def _choose_drivers(
    counts: pd.DataFrame, outcome: str, candidates: list[str], names: dict[str, str]
) -> tuple[list[str], list[str]]:
    """Drivers recorded in cells carrying at least MIN_COVERAGE of the outcome's responses, and sentences
    for those left out."""
    if outcome not in counts:
        return [], []
    base = counts[outcome].dropna()
    used, left_out = [], []
    for measure in candidates:
        held = counts.loc[base.index, measure].notna() if measure in counts else pd.Series(False, index=base.index)
        share = float(base[held].sum() / base.sum()) if base.sum() else 0.0
        if share >= MIN_COVERAGE:
            used.append(measure)
        elif measure in counts:
            left_out.append(
                f"{names.get(measure, measure)} is left out: cells recording it hold only {share:.0%} of the "
                f"{names.get(outcome, outcome).lower()} responses (at least {MIN_COVERAGE:.0%} needed)."
            )
    return used, left_out


def analyse(
    f: fl.Filters, outcome: str = "satisfaction", scope: str = "org", window: str = "all", path: Path | None = None
) -> DriverResult:
    """Key drivers of `outcome` for the organisation in f (scope 'org'), its peer group ('peers') or everyone
    ('all'), estimated over `window` ('all', 'year', 'period'). A scope with too few cells widens to the next.

    Results are kept per data version (the page and the fix-first list share them).
    """
    path = Path(path or config.db_path())
    return _analyse(f, outcome, scope, window, str(path), db.data_version(path))


@db.per_version(32, per_view=True)
def _analyse(f: fl.Filters, outcome: str, scope: str, window: str, where: str, version: str) -> DriverResult:
    path = Path(where)
    names = reference.code_labels(path).get("measure", {})
    result = DriverResult(outcome=outcome, outcome_label=names.get(outcome, outcome))
    start, end = window_for(f, window, path)
    if f.org_id is None or start is None:
        return _replace(result, reason="No citizen feedback has been imported yet.")
    orgs = reference.organisations(path)
    held = db.query("insight_measures", {"start": start, "end": end, "org_ids": None}, path)
    if outcome not in set(held["measure"]):
        return _replace(result, reason=f"No {result.outcome_label.lower()} feedback in this period.")
    candidates = list(held.loc[held["family"].isin(DRIVER_FAMILIES), "measure"])
    quarterly = f.grain_months == 3
    order = list(SCOPES)
    tried = []
    for current in order[order.index(scope) if scope in order else 0 :]:
        org_ids, label = _scope_orgs(orgs, f, current)
        if current == "peers" and org_ids is not None and len(org_ids) <= 1:
            continue
        means, counts, by_period = _cells(outcome, candidates, start, end, org_ids, path)
        drivers, left_out = _choose_drivers(counts, outcome, candidates, names)
        needed = max(MIN_CELLS, CELLS_PER_DRIVER * len(drivers))
        cells = _usable(means, counts, outcome, drivers)
        varied = [d for d in drivers if cells[d].std() > 0] if len(cells) > 1 else []
        if len(varied) >= 2 and len(cells) >= needed and cells[outcome].std() > 0:
            return _result(
                result, f, current, label, (start, end), quarterly, by_period, cells, varied, left_out, tried, names,
                path,
            )  # fmt: skip
        tried.append((current, label, len(cells), needed))
    _, label, count, needed = tried[-1] if tried else (scope, "", 0, MIN_CELLS)
    return _replace(
        result,
        reason=(
            f"Too few cells to estimate drivers: {count} cells with at least {config.min_n()} responses to every "
            f"measure for {label}, {fl.window_label(start, end, quarterly)} ({needed} needed). "
            "Choose a longer window or a wider scope."
        ),
    )


def _replace(result: DriverResult, **changes: object) -> DriverResult:
    return DriverResult(**{**result.__dict__, **changes})


def _result(
    result: DriverResult,
    f: fl.Filters,
    scope: str,
    scope_label: str,
    window: tuple[date, date],
    quarterly: bool,
    by_period: bool,
    cells: pd.DataFrame,
    drivers: list[str],
    left_out: list[str],
    tried: list[tuple],
    names: dict[str, str],
    path: Path | None,
) -> DriverResult:
    fit = estimate(cells, result.outcome, drivers)
    table = fit["table"]
    table["label"] = table["measure"].map(lambda m: names.get(m, m))
    order = {m: i for i, m in enumerate(names)}
    table["sort_order"] = table["measure"].map(lambda m: order.get(m, 99))
    table = table.merge(performance(f, drivers, path), on="measure", how="left")
    note = None
    if tried:
        first = tried[0]
        note = (
            f"{first[1]} alone has {first[2]} usable cells ({first[3]} needed), so drivers are estimated for "
            f"{scope_label}; performance is still {first[1]}'s own."
        )
    return _replace(
        result,
        scope=scope,
        scope_label=scope_label,
        window=window,
        window_label=fl.window_label(window[0], window[1], quarterly),
        performance_label=fl.window_label(f.start, f.end, quarterly),
        by_period=by_period,
        stages=set(cells.index.get_level_values("stage")) != {"whole_journey"},
        cells=len(cells),
        respondents=int(cells["n"].sum()),
        effective_cells=fit["effective_cells"],
        r2=fit["r2"],
        r2_low=fit["r2_low"],
        r2_high=fit["r2_high"],
        table=quadrants(table)[TABLE_COLUMNS],
        left_out=tuple(left_out),
        note=note,
    )


def performance(f: fl.Filters, measures: list[str], path: Path | None = None) -> pd.DataFrame:
    """Headline figure (share rating 4-5) of each measure for the organisation in the chosen period, its
    responses, whether it is suppressed, and the median of its peers with a published figure.

    Columns: measure, performance, performance_n, suppressed, peer_median.
    """
    orgs = reference.organisations(path)
    group = tuple(peers.members(orgs, f.org_id, f.peer_group)["org_id"])
    stats = feedback.stats_by(("org_id", "measure"), f.start, f.end, group, measures=tuple(measures), path=path)
    rows = []
    for measure in measures:
        part = stats[stats["measure"] == measure]
        own = part[part["org_id"] == f.org_id]
        others = part[(part["org_id"] != f.org_id) & ~part["suppressed"]]
        column = (
            metrics.headline_column(int(own["scale_min"].iloc[0]), int(own["scale_max"].iloc[0]))
            if not own.empty
            else "top2_share"
        )
        rows.append({
            "measure": measure,
            "performance": float(own[column].iloc[0]) if not own.empty else math.nan,
            "performance_n": int(own["n"].iloc[0]) if not own.empty else 0,
            "suppressed": bool(own["suppressed"].iloc[0]) if not own.empty else True,
            "peer_median": float(others[column].median()) if not others.empty else math.nan,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=["measure", "performance", "performance_n", "suppressed", "peer_median"])


# --- Words for the page ------------------------------------------------------------------------------


def headline(result: DriverResult) -> str:
    """The finding in one sentence: the top driver and the 'fix first' measures."""
    table = result.table
    top = table.iloc[0]
    text = (
        f"**{top['label']}** moves {result.outcome_label.lower()} most: {top['share']:.0%} of the explained "
        f"variation (95% interval {top['share_low']:.0%} to {top['share_high']:.0%})."
    )
    fix = table[table["quadrant"] == "Fix first"]
    if not fix.empty:
        items = ", ".join(f"{r['label']} ({r['performance']:.0f}% rate it 4-5)" for r in fix.to_dict("records"))
        text += f" Fix first (important and below our average): {items}."
    return text


def matrix_caption(result: DriverResult) -> str:
    """What the importance-performance matrix shows, in plain words."""
    shown = result.table["performance"].notna()
    average = result.table.loc[shown, "performance"].mean()
    equal = 1 / len(result.table)
    hidden = result.table[~shown]
    text = (
        f"Each point is a measure: across, the share of our respondents rating it 4 or 5 in "
        f"{result.performance_label}; up, its share of the explained variation in {result.outcome_label.lower()} "
        f"({result.window_label}). The lines mark our average ({average:.0f}%) and an equal share ({equal:.0%}): "
        "top left is 'fix first', important and below average."
    )
    if not hidden.empty:
        text += " Not shown (fewer than " + f"{config.min_n()} responses): " + ", ".join(hidden["label"]) + "."
    return text


def detail_table(result: DriverResult) -> pd.DataFrame:
    """The drivers for people: importance with interval, coefficient with interval, performance, peer median."""
    t = result.table
    return pd.DataFrame({
        "Measure": t["label"],
        "Share of explained variation": [f"{s:.0%} ({lo:.0%} to {hi:.0%})" for s, lo, hi in
                                         zip(t["share"], t["share_low"], t["share_high"], strict=True)],
        "Standardised coefficient": [f"{b:.2f} ({lo:.2f} to {hi:.2f})"
                                     for b, lo, hi in zip(t["beta"], t["beta_low"], t["beta_high"], strict=True)],
        "Rated 4-5 (ours)": [f"not enough responses (n = {n:,})" if s else f"{p:.0f}% (n = {n:,})"
                             for p, n, s in zip(t["performance"], t["performance_n"], t["suppressed"], strict=True)],
        "Peer median": ["" if m != m else f"{m:.0f}%" for m in t["peer_median"]],
        "Quadrant": t["quadrant"],
    })  # fmt: skip


def outcome_options(f: fl.Filters, path: Path | None = None) -> list[str]:
    """Outcomes with feedback in the database, in the order offered."""
    if f.start is None:
        return []
    held = set(db.query("insight_measures", {"start": None, "end": None, "org_ids": None}, path)["measure"])
    return [o for o in OUTCOMES if o in held]

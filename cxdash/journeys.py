"""Feedback along the journey, for CX champions: the three Es and satisfaction by journey stage, a stage x
channel grid and a league of services for one measure, and the comments behind the numbers.

Figures come from `feedback.stats_by` (aggregated in DuckDB, suppressed below the small-sample
threshold) and `metrics` (headline figure, intervals, change between windows): nothing is re-defined here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from cxdash import config, db, feedback, metrics, reference
from cxdash import filters as fl
from cxdash.labels import md, signed

#: The measures drawn on the journey curve, in this order: the three Es and satisfaction.
CURVE_MEASURES = ("satisfaction", "ease", "effectiveness", "emotion")
#: The stage code for feedback about the service as a whole (no journey stage recorded).
WHOLE_JOURNEY = "whole_journey"
#: How a stage reads in a sentence ("Emotion dips to 31% while waiting").
STAGE_PHRASES = {
    "find_out": "while finding out",
    "apply": "while applying",
    "wait": "while waiting",
    "receive": "on receiving the outcome",
    "follow_up": "at follow-up",
}
#: Comments shown at a time; "show more" adds as many again.
PAGE_SIZE = 50
#: Verdict of a service hidden although it has enough responses: shown, it would give away a small one.
PROTECTED = "protected"
#: What the comments list says when nothing matches, with and without a search.
NO_MATCHES = "No comments contain this text for these filters. Try a shorter word, or clear the search."
NO_COMMENTS = (
    "No comments for these filters. Comments come with the comments and responses imports on the Data page; "
    "figures above come from score counts, which carry no text."
)
#: Score columns a comment may carry, in the order shown, with their headings.
SCORE_COLUMNS = {
    "satisfaction": "Satisfaction",
    "ease": "Ease",
    "effectiveness": "Effectiveness",
    "emotion": "Emotion",
    "trust": "Trust",
    "recommend": "Recommend",
}
SCORE_LABELS = frozenset(SCORE_COLUMNS.values())


def stages(path: Path | None = None) -> pd.DataFrame:
    """Journey stages in journey order: stage, label, description, sort_order."""
    return db.query("journey_stages", path=path)


def measures(org_id: str | None, path: Path | None = None) -> pd.DataFrame:
    """Measures holding feedback for an organisation (all when None): measure, label, family, scale, sort_order."""
    return db.query("journey_measures", {"org_id": org_id}, path)


def headline_label(column: str) -> str:
    """What a headline figure means in a few words: 'NPS' or '% rated 4-5'."""
    return "NPS" if column == "nps" else "% rated 4-5"


def format_value(value: float, column: str) -> str:
    """A headline figure for people: '57%' for a share, '+12' for NPS, '' when missing."""
    if value is None or not np.isfinite(value):
        return ""
    return signed(value) if column == "nps" else f"{value:.0f}%"


def _with_headline(stats: pd.DataFrame) -> pd.DataFrame:
    """Add headline (column name), value, low and high: each row's headline figure and its 95% interval."""
    out = stats.copy()
    out["headline"] = [
        metrics.headline_column(int(a), int(b)) for a, b in zip(out["scale_min"], out["scale_max"], strict=True)
    ]
    nps = out["headline"] == "nps"
    out["value"] = np.where(nps, out["nps"], out["top2_share"])
    out["low"] = np.where(nps, out["nps_low"], out["top2_low"])
    out["high"] = np.where(nps, out["nps_high"], out["top2_high"])
    return out


def curve(
    org_id: str,
    start: date | None,
    end: date | None,
    service_id: str | None = None,
    channel: str | None = None,
    path: Path | None = None,
    min_n: int | None = None,
) -> pd.DataFrame:
    """Headline figure of satisfaction and the three Es at each journey stage ('whole journey' left out).

    One row per stage x measure held: stage, stage_label, stage_order, measure, measure_label, measure_order,
    n, value, low, high (95% interval), suppressed. Empty when the data records no journey stages.
    """
    stats = feedback.stats_by(
        ("stage", "measure"), start, end, (org_id,), service_id, channel, None, CURVE_MEASURES, path, min_n
    )
    columns = [
        "stage",
        "stage_label",
        "stage_order",
        "measure",
        "measure_label",
        "measure_order",
        "n",
        "value",
        "low",
        "high",
        "suppressed",
    ]
    stats = stats[stats["stage"] != WHOLE_JOURNEY]
    if stats.empty:
        return pd.DataFrame(columns=columns)
    stage_rows = stages(path).rename(columns={"label": "stage_label", "sort_order": "stage_order"})
    out = _with_headline(stats).merge(stage_rows[["stage", "stage_label", "stage_order"]], on="stage")
    out["measure_label"] = out["measure"].map(reference.code_labels(path).get("measure", {}))
    out["measure_order"] = out["measure"].map({m: i for i, m in enumerate(CURVE_MEASURES)})
    out["n"] = out["n"].astype(int)
    for index in out.groupby("measure").indices.values():  # the stages of a measure add up to the shown total
        hidden = metrics.protect_partition(out["n"].iloc[index], min_n, out["suppressed"].iloc[index].to_numpy())
        out.loc[out.index[index[hidden]], ["suppressed", "value", "low", "high"]] = [True, np.nan, np.nan, np.nan]
    return out[columns].sort_values(["measure_order", "stage_order"]).reset_index(drop=True)


def dip_sentence(points: pd.DataFrame) -> str | None:
    """Where experience dips most along the journey, in one sentence; None with fewer than two stages shown.

    Picks the measure with the largest gap between its best and worst stage (rounded figures), and says
    so plainly when the two stages' 95% intervals overlap (the gap may be noise).
    """
    shown = points[~points["suppressed"].astype(bool) & points["value"].notna()]
    best = None
    for _, rows in shown.groupby("measure_order"):
        if len(rows) < 2:
            continue
        low, high = rows.loc[rows["value"].idxmin()], rows.loc[rows["value"].idxmax()]
        gap = round(high["value"]) - round(low["value"])
        if best is None or gap > best[0]:
            best = (gap, low, high)
    if best is None:
        return None
    gap, low, high = best
    where = STAGE_PHRASES.get(low["stage"], f"at the {str(low['stage_label']).lower()} stage")
    if gap == 0:
        return "Experience is level along the journey: every stage scores about the same."
    if low["high"] >= high["low"]:
        return (
            f"No clear dip: the lowest point, {low['measure_label'].lower()} {where} ({low['value']:.0f}%), is {gap} "
            f"points below the best stage ({high['stage_label'].lower()}, {high['value']:.0f}%), but that is within "
            "the margin of error."
        )
    return (
        f"{low['measure_label']} dips to {low['value']:.0f}% {where}, {gap} points below the best stage "
        f"({high['stage_label'].lower()}, {high['value']:.0f}%)."
    )


def heatmap(
    org_id: str,
    start: date | None,
    end: date | None,
    measure: str,
    service_id: str | None = None,
    path: Path | None = None,
    min_n: int | None = None,
) -> pd.DataFrame:
    """Headline figure of one measure in every journey stage x channel cell of the view.

    One row per stage x channel that holds feedback for the organisation in the window (cells with no
    responses have n = 0): stage, stage_label, stage_order, channel, channel_label, channel_order, n,
    value, low, high, suppressed, headline ('top2_share' or 'nps').
    """
    stats = feedback.stats_by(
        ("stage", "channel"), start, end, (org_id,), service_id, None, None, (measure,), path, min_n
    )
    columns = [
        "stage",
        "stage_label",
        "stage_order",
        "channel",
        "channel_label",
        "channel_order",
        "n",
        "value",
        "low",
        "high",
        "suppressed",
        "headline",
    ]
    if stats.empty:
        return pd.DataFrame(columns=columns)
    labels = reference.code_labels(path)
    stats = _with_headline(stats)
    grid = pd.MultiIndex.from_product([stats["stage"].unique(), stats["channel"].unique()], names=["stage", "channel"])
    out = stats.set_index(["stage", "channel"]).reindex(grid).reset_index()
    out["n"] = out["n"].fillna(0).astype(int)
    out["suppressed"] = metrics.protect_grid(out, "stage", "channel", min_n)  # a row or column total is shown too
    out.loc[out["suppressed"], ["value", "low", "high"]] = np.nan
    out["headline"] = stats["headline"].iloc[0]
    stage_order = {s: i for i, s in enumerate(labels.get("stage", {}))}
    channel_order = {c: i for i, c in enumerate(labels.get("channel", {}))}
    out["stage_label"] = out["stage"].map(labels.get("stage", {})).fillna(out["stage"])
    out["channel_label"] = out["channel"].map(labels.get("channel", {})).fillna(out["channel"])
    out["stage_order"] = out["stage"].map(stage_order).fillna(len(stage_order))
    out["channel_order"] = out["channel"].map(channel_order).fillna(len(channel_order))
    return out[columns].sort_values(["stage_order", "channel_order"]).reset_index(drop=True)


def league(
    org_id: str,
    start: date | None,
    end: date | None,
    previous: tuple[date, date] | tuple[None, None],
    measure: str,
    channel: str | None = None,
    stage: str | None = None,
    path: Path | None = None,
    min_n: int | None = None,
) -> pd.DataFrame:
    """The organisation's services ranked by one measure's headline figure, with change since `previous`.

    One row per service of the organisation: service_id, service, rank (None when not ranked), n, value,
    low, high, previous, change, significant, verdict (metrics.compare; 'no responses' when none), headline.
    Ranked services come first, best first; services with too few responses follow, by name.
    """
    columns = [
        "service_id",
        "service",
        "rank",
        "n",
        "value",
        "low",
        "high",
        "previous",
        "change",
        "significant",
        "verdict",
        "headline",
    ]
    services = reference.services(org_id, path)[["service_id", "name"]].rename(columns={"name": "service"})
    now = feedback.stats_by(("service_id",), start, end, (org_id,), None, channel, stage, (measure,), path, min_n)
    if services.empty or now.empty:
        return pd.DataFrame(columns=columns)
    before = feedback.stats_by(
        ("service_id",), previous[0], previous[1], (org_id,), None, channel, stage, (measure,), path, min_n
    )
    sums = ["n", "sum_score", "sum_score_sq", "top2", "bottom2", "promoters", "detractors"]
    scale = now[["scale_min", "scale_max"]].iloc[0].to_dict()
    aligned_now = services[["service_id"]].merge(now, on="service_id", how="left")
    aligned_before = services[["service_id"]].merge(before, on="service_id", how="left")
    for frame in (aligned_now, aligned_before):
        frame[sums] = frame[sums].fillna(0)
        frame[["scale_min", "scale_max"]] = frame[["scale_min", "scale_max"]].fillna(scale)
    column = metrics.headline_column(int(scale["scale_min"]), int(scale["scale_max"]))
    change = metrics.compare(aligned_now, aligned_before, column, min_n)
    current = _with_headline(metrics.add_metrics(aligned_now, min_n))
    # the services add up to the organisation's figure, shown on other pages: hide what subtraction would reveal
    protected = metrics.protect_partition(current["n"], min_n) & (current["n"] >= _min(min_n)).to_numpy()
    current.loc[protected, ["value", "low", "high"]] = np.nan
    change.loc[protected, ["previous", "change"]] = np.nan
    change.loc[protected, "verdict"] = PROTECTED
    out = services.reset_index(drop=True).assign(
        n=current["n"].astype(int),
        value=current["value"],
        low=current["low"],
        high=current["high"],
        previous=change["previous"],
        change=change["change"],
        significant=change["significant"],
        verdict=np.where(current["n"] == 0, "no responses", change["verdict"]),
        headline=column,
    )
    ranked = out["value"].notna()
    out = pd.concat(
        [
            out[ranked].sort_values(["value", "n"], ascending=False),
            out[~ranked].sort_values(["n", "service"], ascending=[False, True]),
        ]
    )
    out["rank"] = pd.array([*range(1, int(ranked.sum()) + 1), *[None] * int((~ranked).sum())], dtype="Int64")
    return out[columns].reset_index(drop=True)


def _min(min_n: int | None) -> int:
    return config.min_n() if min_n is None else min_n


def verdict_text(row: pd.Series | dict, min_n: int | None = None) -> str:
    """A league row's change in words: '+4 pts, up beyond noise', 'not enough responses (n = 7)' ..."""
    unit = "" if row["headline"] == "nps" else " pts"
    if row["verdict"] == "no responses":
        return "no responses"
    if row["n"] < _min(min_n):
        return f"not enough responses (n = {int(row['n'])})"
    if row["verdict"] == PROTECTED:
        return "hidden: with the other figures it would reveal a small group"
    if row["verdict"] == "not enough responses":
        return "no earlier figure to compare"
    if row["verdict"] == "no significant change":
        return f"{signed(row['change'])}{unit}, within noise"
    arrow = "▲" if row["verdict"] == "up" else "▼"
    return f"{arrow} {signed(row['change'])}{unit}, {row['verdict']} beyond noise"


def league_table(rows: pd.DataFrame, min_n: int | None = None, chosen: str | None = None) -> pd.DataFrame:
    """The league as a table for people: Rank, Service, figure, 95% range, Responses, Change on the period.

    Services with no responses at all in the window are left out (the league note counts them); the service
    chosen in the sidebar (`chosen`, a service_id) is marked with '▶'.
    """
    column = rows["headline"].iloc[0] if not rows.empty else "top2_share"
    rows = rows[rows["n"] > 0].reset_index(drop=True)
    ranges = [
        f"{format_value(lo, column)} to {format_value(hi, column)}" if np.isfinite(v) else ""
        for v, lo, hi in zip(
            rows["value"].astype(float), rows["low"].astype(float), rows["high"].astype(float), strict=True
        )
    ]
    return pd.DataFrame(
        {
            "Rank": ["" if pd.isna(r) else str(int(r)) for r in rows["rank"]],
            "Service": [
                f"▶ {n}" if i == chosen else n for i, n in zip(rows["service_id"], rows["service"], strict=True)
            ],
            headline_label(column): rows["value"].astype(float),
            "95% range": ranges,
            "Responses": rows["n"].astype(int),
            "Change on previous period": [verdict_text(r, min_n) for r in rows.to_dict("records")],
        }
    )


@dataclass(frozen=True)
class JourneyView:
    """What the journeys page shows for one set of filters and one chosen measure, with the words under it."""

    scope: str  # "Org · window · all services · all channels", Markdown (names escaped)
    window: str
    measure_label: str
    curve: pd.DataFrame
    dip: str | None
    heatmap: pd.DataFrame
    league: pd.DataFrame
    curve_note: str
    heatmap_note: str
    league_note: str


def _window(f: fl.Filters, path: Path | None) -> tuple[bool, tuple]:
    """(whether the data is quarterly, the previous window of the same length) for the filters' window."""
    grain = fl.grain_months(reference.periods(path))
    previous = fl.previous_window(f.start, f.end, grain) if f.start and f.end else (None, None)
    return grain == 3, previous


def build(f: fl.Filters, measure: str, path: Path | None = None, min_n: int | None = None) -> JourneyView:
    """Everything the journeys page draws for the filters `f` and the measure chosen for grid and league."""
    min_n = config.min_n() if min_n is None else min_n
    quarterly, previous = _window(f, path)
    orgs = reference.organisations(path)
    services = reference.services(f.org_id, path)
    labels = reference.code_labels(path)
    org_name = dict(zip(orgs["org_id"], orgs["name"], strict=True)).get(f.org_id, str(f.org_id))
    service = dict(zip(services["service_id"], services["name"], strict=True)).get(f.service_id, "all services")
    channel = labels.get("channel", {}).get(f.channel, "all channels")
    window = fl.window_label(f.start, f.end, quarterly) if f.start else "all periods"
    measure_label = labels.get("measure", {}).get(measure, measure)
    points = curve(f.org_id, f.start, f.end, f.service_id, f.channel, path, min_n)
    chosen_stage = labels.get("stage", {}).get(f.stage, "")
    chosen = [x.lower() for x in (labels.get("channel", {}).get(f.channel), chosen_stage) if x]
    within = f" ({', '.join(chosen)})" if chosen else ""
    compared = f"; changes compare with {fl.window_label(*previous, quarterly)}" if previous[0] else ""
    ranked = league(f.org_id, f.start, f.end, previous, measure, f.channel, f.stage, path, min_n)
    quiet = int((ranked["n"] == 0).sum())
    silent = f" Not listed: {quiet} service{'s' * (quiet != 1)} with no responses in this period." if quiet else ""
    marked = " ▶ marks the service chosen in the sidebar." if f.service_id else ""
    cells = heatmap(f.org_id, f.start, f.end, measure, f.service_id, path, min_n)
    nps = not ranked.empty and ranked["headline"].iloc[0] == "nps"
    what = "NPS (% scoring 9-10 minus % scoring 0-6)" if nps else "the share rating 4 or 5"
    return JourneyView(
        scope=f"{md(org_name)} · {window} · {md(service)} · {channel.lower() if f.channel else channel}",
        window=window,
        measure_label=measure_label,
        curve=points,
        dip=dip_sentence(points),
        heatmap=cells,
        league=ranked,
        curve_note=(
            "Each line is the share of people rating 4 or 5 out of 5 at each stage of the journey, in journey "
            f"order; whiskers show the 95% range. Stages with fewer than {min_n} responses are left out, and so is "
            "the next smallest when one left out could be worked out from the total."
            + (f" Shaded: {chosen_stage.lower()}, the stage chosen in the sidebar." if chosen_stage else "")
        ),
        heatmap_note=(
            f"Each cell shows {what} for {measure_label.lower()}, for one stage and channel, as a number and a "
            f"shade (darker is better). Cells with fewer than {min_n} responses are left blank ('n<{min_n}'), and "
            "so are cells that would let one be worked out from a row or column total ('hidden'); "
            "'none' means no responses." + (" The outline marks your sidebar choice." if f.stage or f.channel else "")
        ),
        league_note=(
            f"Services ranked by {what} for {measure_label.lower()}{within}{compared}, counted as up or down only "
            "when beyond noise (95% test). Services whose ranges overlap may not really differ; too few "
            "responses (or a figure that would reveal a small service from the total): no figure, no rank."
            f"{silent}{marked}"
        ),
    )


def search_pattern(term: str | None) -> str | None:
    """An ILIKE pattern matching `term` anywhere, its wildcards (% and _) and backslashes escaped; None if blank."""
    term = (term or "").strip()
    if not term:
        return None
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class CommentPage(NamedTuple):
    """The first `limit` matching comments, newest first, and how many match in all."""

    rows: pd.DataFrame
    total: int


def comments(f: fl.Filters, search: str | None = None, limit: int = PAGE_SIZE, path: Path | None = None) -> CommentPage:
    """Comments for the filters' organisation, window (whole periods), service, channel and stage whose text
    contains `search` (any case), newest first, at most `limit` of them, with the total number matching."""
    grain = fl.grain_months(reference.periods(path))
    params = {
        "org_id": f.org_id,
        "start": f.start,
        "end": fl.shift_months(f.end, grain) if f.end else None,
        "service_id": f.service_id,
        "channel": f.channel,
        "stage": f.stage,
        "pattern": search_pattern(search),
        "limit": int(limit),
    }
    rows = db.query("comment_search", params, path)
    total = int(rows["total"].iloc[0]) if not rows.empty else 0
    return CommentPage(rows.drop(columns="total"), total)


def comment_caption(shown: int, total: int, searched: bool) -> str:
    """'The newest 50 of 1,234 comments matching the search, ...' (or 'All 3 comments ...')."""
    matching = " matching the search" if searched else ""
    which = f"All {total:,}" if shown >= total else f"The newest {shown:,} of {total:,}"
    noun = "comment" if total == 1 else "comments"
    return f"{which} {noun}{matching}, newest first, with the scores each person gave (1-5; recommend 0-10)."


def comment_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Comments as a table for people: date, the text, service, channel, stage and the scores given (score
    columns no comment has are left out)."""
    labels = {
        "comment_date": "Date",
        "text": "Comment",
        "service": "Service",
        "channel_label": "Channel",
        "stage_label": "Stage",
    }
    scores = [c for c in SCORE_COLUMNS if c in rows and rows[c].notna().any()]
    names = {**labels, **{c: SCORE_COLUMNS[c] for c in scores}}
    return rows[list(names)].rename(columns=names)


def comment_widths(table: pd.DataFrame) -> dict[str, int]:
    """Column widths in pixels for the comment table: room for the text, scores as narrow as their headings."""
    fixed = {"Date": 110, "Comment": 440, "Service": 150, "Channel": 100, "Stage": 100}
    return {c: fixed.get(c, max(60, 7 * len(c) + 24)) for c in table.columns}

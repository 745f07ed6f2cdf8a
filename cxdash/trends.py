"""Trends over time for one organisation: maturity across assessment rounds, a feedback measure by
month or quarter (95% intervals, shifts beyond noise, the peer median) and the channel mix.

Months are summed into quarters inside DuckDB (cxdash/sql/trend_*.sql) as score distributions, so a
quarter's figure is computed from its counts, never averaged from monthly percentages. Trends cover
the whole history: the sidebar's period window only marks where the chosen window sits.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from cxdash import config, db, feedback, maturity, metrics, peers, reference
from cxdash import filters as f

#: Periods a trend can be shown by; quarterly data can only be shown by quarter.
GRAINS = {"month": "Month", "quarter": "Quarter"}

#: The sums of cxdash/sql/fragments/stats.sql (what two periods are compared on).
SUMS = ["n", "sum_score", "sum_score_sq", "top2", "bottom2", "promoters", "detractors"]

SERIES_COLUMNS = [
    "period",
    "label",
    "n",
    "value",
    "low",
    "high",
    "suppressed",
    "change",
    "p_value",
    "significant",
    "verdict",
    "peer_median",
    "peer_count",
    "headline",
    "partial",
]


def grains(periods: pd.DataFrame) -> list[str]:
    """Grains the data allows: month and quarter, or only quarter when every period held is a quarter."""
    return ["quarter"] if f.grain_months(periods) == 3 else list(GRAINS)


def measures(org_id: str, path: Path | None = None) -> pd.DataFrame:
    """Measures an organisation has feedback for, in display order: measure, label, scale_min, scale_max, n."""
    stats = feedback.stats_by(("measure",), org_ids=(org_id,), path=path, min_n=0)
    labels = reference.code_labels(path).get("measure", {})
    order = {code: i for i, code in enumerate(labels)}
    out = stats[stats["n"] > 0].assign(
        label=lambda d: d["measure"].map(labels).fillna(d["measure"]),
        order=lambda d: d["measure"].map(order).fillna(len(order)),
    )
    out["n"] = out["n"].astype(int)
    return out.sort_values("order")[["measure", "label", "scale_min", "scale_max", "n"]].reset_index(drop=True)


def headline_label(headline: str) -> str:
    """What a headline figure is, in words."""
    return "Net Promoter Score" if headline == "nps" else "% rating 4 or 5"


def fmt(value: float, headline: str) -> str:
    """A headline figure for people: '61%', or a signed NPS '+12'."""
    if value is None or not np.isfinite(value):
        return "not shown"
    return f"{value:+.0f}" if headline == "nps" else f"{value:.0f}%"


def period_label(day: date, grain: str) -> str:
    """'Oct 2026' for a month, '2026 Q4' for a quarter."""
    return f.period_label(pd.Timestamp(day).date(), grain == "quarter")


def to_grain(day: date, grain: str) -> date:
    """The start of the month or calendar quarter holding day."""
    day = pd.Timestamp(day).date()
    return date(day.year, (day.month - 1) // 3 * 3 + 1 if grain == "quarter" else day.month, 1)


def window_periods(start: date | None, end: date | None, grain: str) -> tuple[date, date] | None:
    """The first and last period (at the grain shown) that the sidebar's window touches."""
    if start is None or end is None:
        return None
    return to_grain(start, grain), to_grain(end, grain)


def period_range(periods: pd.DataFrame, grain: str) -> list[date]:
    """Every period at the grain from the first to the last period held (gaps included)."""
    if periods.empty:
        return []
    starts = pd.to_datetime(periods["period_start"]).dt.date
    first, last = to_grain(starts.min(), grain), to_grain(starts.max(), grain)
    step = 3 if grain == "quarter" else 1
    out = [first]
    while out[-1] < last:
        out.append(f.shift_months(out[-1], step))
    return out


def partial_periods(periods: pd.DataFrame, grain: str) -> dict[date, str]:
    """Quarters that monthly data covers only in part, e.g. {2026-10-01: 'Oct 2026 only'}."""
    if grain != "quarter" or periods.empty:
        return {}
    months = sorted(pd.to_datetime(periods.loc[periods["period_grain"] == "month", "period_start"]).dt.date.unique())
    out = {}
    for quarter in sorted({to_grain(m, grain) for m in months}):
        held = [m for m in months if to_grain(m, grain) == quarter]
        if len(held) < 3:
            out[quarter] = f"{f.window_label(held[0], held[-1])} only"
    return out


def shifts(stats: pd.DataFrame, column: str, min_n: int | None = None) -> pd.DataFrame:
    """Change of `column` from each period to the one before, tested at 95% by metrics.compare.

    stats: STATS_SQL sums (with scale_min, scale_max), one row per period in time order, periods
    without responses as rows of zeros. The first period has nothing before it ('not enough
    responses'). Returns change, p_value, significant and verdict, aligned with stats.
    """
    now = stats.reset_index(drop=True)
    before = now.copy()
    before[SUMS] = now[SUMS].shift(1).fillna(0)
    result = metrics.compare(now, before, column, min_n)
    return result[["change", "p_value", "significant", "verdict"]]


def peer_median(
    stats: pd.DataFrame, column: str, min_n: int | None = None, min_peers: int = peers.MIN_PEERS
) -> pd.DataFrame:
    """Peers' median headline figure per period, leaving out peers suppressed in that period.

    stats: STATS_SQL sums per period and org_id of the peers only (the organisation already left
    out). Returns period, peer_median (NaN where fewer than min_peers peers have a result) and
    peer_count (peers with a result).
    """
    if stats.empty:
        return pd.DataFrame(
            {
                "period": pd.Series(dtype=object),
                "peer_median": pd.Series(dtype=float),
                "peer_count": pd.Series(dtype=int),
            }
        )
    shown = metrics.add_metrics(stats, min_n).query("not suppressed")
    out = (
        stats[["period"]]
        .drop_duplicates()
        .merge(
            shown.groupby("period", as_index=False).agg(peer_median=(column, "median"), peer_count=(column, "count")),
            on="period",
            how="left",
        )
    )
    out["peer_count"] = out["peer_count"].fillna(0).astype(int)
    out.loc[out["peer_count"] < min_peers, "peer_median"] = np.nan
    return out.reset_index(drop=True)


def series(
    org_id: str,
    measure: str,
    grain: str = "month",
    peer_group: str = "sector",
    service_id: str | None = None,
    channel: str | None = None,
    stage: str | None = None,
    path: Path | None = None,
    min_n: int | None = None,
) -> pd.DataFrame:
    """One measure's headline figure per period over the whole history, with what a trend chart needs.

    One row per period from the first to the last period held (gaps as n = 0): period, label, n,
    value, low, high (95% interval: Wilson for shares, multinomial for NPS), suppressed (too few
    responses: value, low and high are NaN), change, p_value, significant, verdict (against the
    period before, metrics.compare), peer_median, peer_count, headline ('top2_share' or 'nps') and
    partial (e.g. 'Oct 2026 only' for a quarter the monthly data covers in part, else '').
    The service filter applies to the organisation only; channel and stage apply to peers too.
    """
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}; use one of {list(GRAINS)}")
    group = peers.members(reference.organisations(path), org_id, peer_group)["org_id"]
    params = {
        "quarterly": grain == "quarter",
        "org_ids": sorted({*group, org_id}),
        "org_id": org_id,
        "measure": measure,
        "service_id": service_id,
        "channel": channel,
        "stage": stage,
    }
    if service_id is None and channel is None and stage is None:  # the per-organisation rollup has it all
        rollup = {k: params[k] for k in ("quarterly", "org_ids", "measure")}
        stats = db.query("trend_stats_org", rollup, path)
    else:
        stats = db.query("trend_stats", params, path)
    own = stats[stats["org_id"] == org_id]
    if own.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    column = metrics.headline_column(int(own["scale_min"].min()), int(own["scale_max"].max()))
    low, high = ("nps_low", "nps_high") if column == "nps" else ("top2_low", "top2_high")
    periods = reference.periods(path)
    frame = pd.DataFrame({"period": period_range(periods, grain)})
    frame = frame.merge(own.assign(period=pd.to_datetime(own["period"]).dt.date), on="period", how="left")
    frame[SUMS] = frame[SUMS].fillna(0)
    frame["scale_min"], frame["scale_max"] = own["scale_min"].min(), own["scale_max"].max()
    figures = metrics.add_metrics(frame, min_n)
    out = pd.DataFrame(
        {
            "period": frame["period"],
            "label": [period_label(p, grain) for p in frame["period"]],
            "n": frame["n"].astype(int),
            "value": figures[column],
            "low": figures[low],
            "high": figures[high],
            "suppressed": figures["suppressed"],
        }
    )
    out = pd.concat([out, shifts(frame, column, min_n)], axis=1)
    others = stats[stats["org_id"] != org_id].assign(period=lambda d: pd.to_datetime(d["period"]).dt.date)
    out = out.merge(peer_median(others, column, min_n), on="period", how="left")
    out["peer_count"] = out["peer_count"].fillna(0).astype(int)
    out["headline"] = column
    partial = partial_periods(periods, grain)
    out["partial"] = [partial.get(p, "") for p in out["period"]]
    return out[SERIES_COLUMNS]


def channel_mix(
    org_id: str,
    measure: str,
    grain: str = "month",
    service_id: str | None = None,
    stage: str | None = None,
    path: Path | None = None,
    min_n: int | None = None,
) -> pd.DataFrame:
    """Share of an organisation's responses to a measure by channel, per period, over the whole history.

    Columns: period, label, channel, channel_label, responses, total, share (0-100). Periods with
    fewer than min_n responses in all are left out (a share of a handful says nothing).
    """
    min_n = config.min_n() if min_n is None else min_n
    params = {
        "quarterly": grain == "quarter",
        "org_id": org_id,
        "measure": measure,
        "service_id": service_id,
        "stage": stage,
    }
    mix = db.query("trend_channel_mix", params, path)
    columns = ["period", "label", "channel", "channel_label", "responses", "total", "share"]
    if mix.empty:
        return pd.DataFrame(columns=columns)
    labels = reference.code_labels(path).get("channel", {})
    order = {code: i for i, code in enumerate(labels)}
    mix["period"] = pd.to_datetime(mix["period"]).dt.date
    mix["total"] = mix.groupby("period")["responses"].transform("sum")
    mix = mix[(mix["total"] >= min_n) & (mix["responses"] > 0)].copy()
    mix["share"] = 100 * mix["responses"] / mix["total"]
    mix["label"] = [period_label(p, grain) for p in mix["period"]]
    mix["channel_label"] = mix["channel"].map(labels).fillna(mix["channel"])
    mix["order"] = mix["channel"].map(order).fillna(len(order))
    return mix.sort_values(["period", "order"])[columns].reset_index(drop=True)


def maturity_rounds(framework_id: str, org_id: str, path: Path | None = None) -> pd.DataFrame:
    """An organisation's pillar scores and overall score (0-100) in every assessment round.

    Columns: round_date, pillar_id, name, sort_order, score_100, respondents, overall (True on the
    overall rows, whose pillar_id is '_overall' and sort_order 0).
    """
    columns = ["round_date", "pillar_id", "name", "sort_order", "score_100", "respondents", "overall"]
    own = maturity.pillar_table(framework_id, path, org_id=org_id)
    if own.empty:
        return pd.DataFrame(columns=columns)
    overall = metrics.overall_scores(own, ["round_date"]).assign(
        pillar_id="_overall", name="Overall score", sort_order=0, overall=True
    )
    out = pd.concat([own.assign(overall=False), overall], ignore_index=True)
    out["round_date"] = pd.to_datetime(out["round_date"]).dt.date
    out["respondents"] = out.groupby("round_date")["respondents"].transform("max").astype(int)
    out["overall"] = out["overall"].astype(bool)
    return out.sort_values(["round_date", "sort_order"])[columns].reset_index(drop=True)


def stages(framework_id: str, path: Path | None = None) -> pd.DataFrame:
    """A framework's maturity stages: level, name, min_score (0-100), descriptor."""
    return db.query("framework_stages", {"framework_id": framework_id}, path)


# --- Plain sentences under the charts ---------------------------------------------------------


def _grain_word(grain: str, count: int = 1) -> str:
    return grain + ("s" if count != 1 else "")


def describe_feedback(trend: pd.DataFrame, measure_label: str, org_name: str, grain: str) -> str:
    """What the feedback chart shows and what changed most recently, in one or two plain sentences."""
    shown = trend[~trend["suppressed"]]
    if shown.empty:
        return f"No {grain} has enough responses about {measure_label.lower()} to show a figure."
    headline = trend["headline"].iloc[0]
    what = "Net Promoter Score" if headline == "nps" else f"share of people rating {measure_label.lower()} 4 or 5"
    first, last = shown.iloc[0], shown.iloc[-1]
    text = (
        f"The line is the {what} for {org_name} each {grain}, with its 95% confidence band: "
        f"{fmt(first['value'], headline)} in {first['label']} and {fmt(last['value'], headline)} in {last['label']}."
    )
    latest = trend.iloc[-1]
    if latest["suppressed"]:
        return text + f" The latest {grain} ({latest['label']}) has too few responses to show (n = {latest['n']:,})."
    if len(trend) < 2 or trend.iloc[-2]["suppressed"]:
        return text
    before = trend.iloc[-2]
    same = fmt(latest["value"], headline) == fmt(before["value"], headline) and not latest["significant"]
    verb = "held steady" if same else "rose" if latest["value"] > before["value"] else "fell"
    span = (
        f"from {fmt(before['value'], headline)} to {fmt(latest['value'], headline)}"
        if verb != "held steady"
        else f"at {fmt(latest['value'], headline)}"
    )
    noise = "a change beyond noise" if latest["significant"] else "within the range chance alone could explain"
    return text + f" {measure_label} {verb} {span} between {before['label']} and {latest['label']}, {noise}."


def describe_hidden(trend: pd.DataFrame, grain: str, min_n: int | None = None) -> str | None:
    """Which periods are gaps in the line and why ('3 months are not shown: ...'), or None."""
    min_n = config.min_n() if min_n is None else min_n
    few = trend[trend["suppressed"] & (trend["n"] > 0)]
    none = trend[trend["n"] == 0]
    parts = []
    if not few.empty:
        sizes = (
            ", ".join(f"{p} n = {n}" for p, n in zip(few["label"], few["n"], strict=True))
            if len(few) <= 4
            else f"n = {few['n'].min()} to {few['n'].max()}"
        )
        parts.append(
            f"{len(few)} {_grain_word(grain, len(few))} not shown, with fewer than {min_n} responses "
            f"({sizes}): figures from so few answers would mislead"
        )
    if not none.empty:
        parts.append(f"{len(none)} {_grain_word(grain, len(none))} with no responses")
    partial = trend[trend["partial"] != ""]
    note = "; ".join(f"{p} covers {c}" for p, c in zip(partial["label"], partial["partial"], strict=True))
    note = f"* Part {_grain_word(grain, 2)}: {note}." if note else ""
    if not parts:
        return note or None
    return ("Gaps in the line: " + "; ".join(parts) + ". " + note).strip()


def describe_shifts(trend: pd.DataFrame, grain: str) -> str:
    """What the up/down markers mean and how many there are."""
    ups = int((trend["significant"] & (trend["change"] > 0)).sum())
    downs = int((trend["significant"] & (trend["change"] < 0)).sum())
    meaning = (
        f"▲ and ▼ mark a {grain} whose figure differs from the {grain} before by more than chance would "
        "explain (95% confidence), with the change in points"
    )
    if ups + downs == 0:
        return meaning + f"; no {grain} moved that much."
    return meaning + f": {ups} {'rise' if ups == 1 else 'rises'} and {downs} {'fall' if downs == 1 else 'falls'}."


def describe_peers(trend: pd.DataFrame, org_name: str, group: str, grain: str, service_only: bool = False) -> str:
    """What the dashed peer line is and where the organisation stands against it lately.

    service_only: the organisation's line is one service, while peers count all their services.
    """
    base = (
        f"The dashed line is the peer median each {grain}. Peers: {group[:1].lower()}{group[1:]}, without "
        f"{org_name}; a peer counts in a {grain} only with enough responses, and the median is drawn only where "
        f"at least {peers.MIN_PEERS} peers count."
    )
    if service_only:
        base += " Peers' figures cover all their services."
    if trend["peer_median"].isna().all():
        return base + " Too few peers have results to draw it."
    both = trend[trend["peer_median"].notna() & ~trend["suppressed"]]
    if both.empty:
        return base
    last = both.iloc[-1]
    gap = last["value"] - last["peer_median"]
    side = "above" if gap >= 0.5 else "below" if gap <= -0.5 else "level with"
    amount = f"{abs(gap):.0f} points " if side != "level with" else ""
    return base + (
        f" In {last['label']} {org_name} was {amount}{side} the median of "
        f"{last['peer_count']} peers ({fmt(last['peer_median'], last['headline'])})."
    )


def describe_mix(mix: pd.DataFrame, grain: str) -> str:
    """Which channel leads now and which channel's share moved most since the first period shown."""
    if mix.empty:
        return f"No {grain} has enough responses to show how people reached the organisation."
    periods = sorted(mix["period"].unique())
    first, last = mix[mix["period"] == periods[0]], mix[mix["period"] == periods[-1]]
    top = last.sort_values("share", ascending=False).iloc[0]
    text = (
        f"Each bar splits one {grain}'s responses by the channel people used. In {top['label']} the most used "
        f"was {top['channel_label']} ({top['share']:.0f}% of responses)."
    )
    if len(periods) < 2:
        return text
    moved = last.set_index("channel_label")["share"].sub(first.set_index("channel_label")["share"], fill_value=0)
    biggest = moved.abs().idxmax()
    change = moved[biggest]
    if abs(change) < 0.5:
        return text + f" The mix has hardly changed since {first['label'].iloc[0]}."
    direction = "up" if change > 0 else "down"
    return text + (
        f" The biggest change since {first['label'].iloc[0]} is {biggest}, {direction} {abs(change):.0f} points."
    )


def describe_maturity(rounds: pd.DataFrame) -> str:
    """What the maturity chart shows: overall score first and last, most improved and weakest pillar now."""
    overall = rounds[rounds["overall"]].sort_values("round_date")
    pillars = rounds[~rounds["overall"]]
    first, last = overall.iloc[0], overall.iloc[-1]
    when = f"{last['round_date']:%b %Y}"
    latest = pillars[pillars["round_date"] == last["round_date"]]
    weakest = latest.sort_values("score_100").iloc[0] if not latest.empty else None
    if len(overall) == 1:
        text = f"One assessment round so far ({when}): overall score {last['score_100']:.0f} out of 100."
    else:
        text = (
            f"Overall maturity went from {first['score_100']:.0f} to {last['score_100']:.0f} out of 100 over "
            f"{len(overall)} assessment rounds ({first['round_date']:%b %Y} to {when})."
        )
        start = pillars[pillars["round_date"] == first["round_date"]].set_index("name")["score_100"]
        change = latest.set_index("name")["score_100"].sub(start).dropna()
        if not change.empty:
            best = change.idxmax()
            text += f" Most improved: {best} ({change[best]:+.0f})."
    if weakest is not None and not math.isnan(weakest["score_100"]):
        text += f" Weakest now: {weakest['name']} ({weakest['score_100']:.0f})."
    return text

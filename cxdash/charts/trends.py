"""Charts of the Trends page: a feedback measure over time (band, shifts, peer median, sample sizes),
the channel mix over time and maturity by pillar across assessment rounds. Pure functions."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cxdash import theme
from cxdash.charts import figure, layout

LINE = theme.OKABE_ITO[0]
BAND = "rgba(0, 114, 178, 0.16)"
PEER = "#555555"
UP, DOWN = "#009E73", "#D55E00"
WINDOW = "rgba(240, 228, 66, 0.22)"
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "cross", "x", "pentagon", "star"]
LEGEND_TOP = {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0, "font": {"size": 14}}
TITLE_TOP = {"y": 0.985, "yanchor": "top"}


def _half_period(grain: str) -> timedelta:
    return timedelta(days=45 if grain == "quarter" else 15)


def _runs(shown: pd.Series) -> list[list[int]]:
    """Positions of consecutive True values, as lists."""
    runs: list[list[int]] = []
    for i, ok in enumerate(shown):
        if ok and runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        elif ok:
            runs.append([i])
    return runs


def _fmt(value: float, headline: str) -> str:
    return "" if not np.isfinite(value) else f"{value:+.0f}" if headline == "nps" else f"{value:.0f}%"


def _time_axis(periods: list, labels: list[str], grain: str) -> dict:
    """The time axis's properties: ticks every quarter (or fewer on long histories), labelled like the sidebar, and
    no padding beyond the data. Empty when there are no periods."""
    if not periods:
        return {}
    half = _half_period(grain)
    axis = {"range": [pd.Timestamp(periods[0]) - half * 1.2, pd.Timestamp(periods[-1]) + half * 1.2]}
    if grain == "quarter":
        step = 1 if len(periods) <= 16 else 2 if len(periods) <= 32 else 4
        axis.update(tickvals=periods[::step], ticktext=labels[::step])
    else:
        axis.update(tickformat="%b<br>%Y", dtick="M3" if len(periods) <= 40 else "M6" if len(periods) <= 80 else "M12")
    return axis


def make_feedback_trend(
    trend: pd.DataFrame,
    measure_label: str,
    grain: str,
    window: tuple[date, date] | None = None,
    org_name: str = "This organisation",
    peer_label: str = "Peer median",
) -> go.Figure:
    """A measure's headline figure per period with its 95% band, the peer median (dashed), shifts beyond
    noise (triangles) and the number of responses per period in a strip beneath. Suppressed periods are gaps."""
    headline = trend["headline"].iloc[0]
    shown = ~trend["suppressed"].astype(bool)
    x = pd.to_datetime(trend["period"]).tolist()
    labels, partial = trend["label"].tolist(), trend["partial"].tolist()  # partial: '' or what a period covers
    value = trend["value"].where(shown)
    # Two rows sharing the time axis: the measure on x/y, the responses strip beneath on x2/y2.
    top, strip = {"xaxis": "x", "yaxis": "y"}, {"xaxis": "x2", "yaxis": "y2"}
    traces = []
    for k, run in enumerate(r for r in _runs(shown) if len(r) > 1):
        xs = [x[i] for i in run]
        traces.append(
            {
                "type": "scatter", "x": xs + xs[::-1],
                "y": trend["high"].iloc[run].tolist() + trend["low"].iloc[run].tolist()[::-1],
                "fill": "toself", "mode": "lines", "fillcolor": BAND, "line": {"width": 0}, "hoverinfo": "skip",
                "name": "95% confidence band", "legendgroup": "band", "showlegend": k == 0,
                **top,
            }
        )  # fmt: skip
    single = [len(r) == 1 for r in _runs(shown)]
    lonely = shown & trend.index.isin([r[0] for r, one in zip(_runs(shown), single, strict=True) if one])
    custom = np.column_stack(
        [
            [f"{label} ({part})" if part else label for label, part in zip(labels, partial, strict=True)],
            [f"{v:,}" for v in trend["n"].tolist()],
            [_fmt(v, headline) for v in trend["low"].tolist()],
            [_fmt(v, headline) for v in trend["high"].tolist()],
        ]
    )
    unit = "" if headline == "nps" else "%"
    traces.append(
        {
            "type": "scatter", "x": x, "y": value.to_numpy(), "mode": "lines+markers", "name": org_name,
            "line": {"color": LINE, "width": 3}, "marker": {"size": 7, "color": LINE}, "connectgaps": False,
            "customdata": custom,
            "error_y": {
                "type": "data", "symmetric": False, "color": LINE, "thickness": 1.5, "width": 4,
                "array": (trend["high"] - trend["value"]).where(lonely).to_numpy(),
                "arrayminus": (trend["value"] - trend["low"]).where(lonely).to_numpy(),
            },
            "hovertemplate": (
                "<b>%{customdata[0]}</b><br>%{y:" + ("+.0f" if headline == "nps" else ".0f") + "}" + unit
                + " (95% CI %{customdata[2]} to %{customdata[3]})<br>n = %{customdata[1]}<extra></extra>"
            ),
            **top,
        }
    )  # fmt: skip
    notes, shapes = [], []
    peer = trend["peer_median"]
    if peer.notna().any():
        traces.append(
            {
                "type": "scatter", "x": x, "y": peer.to_numpy(), "mode": "lines", "name": peer_label,
                "line": {"color": PEER, "width": 2.5, "dash": "dash"}, "connectgaps": False,
                "customdata": np.column_stack([trend["label"], trend["peer_count"]]),
                "hovertemplate": "%{customdata[0]}: peer median %{y:.0f}" + unit
                + " (%{customdata[1]} peers)<extra></extra>",
                **top,
            }
        )  # fmt: skip
        last = peer.last_valid_index()
        notes.append(
            {"x": x[last], "y": peer[last], "xref": "x", "yref": "y", "text": "Peer median", "showarrow": False,
             "xanchor": "left", "xshift": 8, "font": {"color": PEER, "size": theme.FONT_SIZE - 2}}
        )  # fmt: skip
    for direction, colour, symbol, position in (
        ("up", UP, "triangle-up", "top center"),
        ("down", DOWN, "triangle-down", "bottom center"),
    ):
        at = np.flatnonzero((trend["verdict"] == direction) & trend["significant"])  # the periods with this shift
        if not len(at):
            continue
        change = trend["change"].to_numpy()[at]
        traces.append(
            {
                "type": "scatter", "x": [x[i] for i in at], "y": trend["value"].to_numpy()[at],
                "mode": "markers+text", "name": "Rise beyond noise" if direction == "up" else "Fall beyond noise",
                "marker": {"symbol": symbol, "size": 17, "color": colour, "line": {"color": "white", "width": 1}},
                "text": [f"{c:+.0f}" for c in change], "textposition": position,
                "textfont": {"color": colour, "size": theme.FONT_SIZE - 1},
                "customdata": np.column_stack([trend["label"].to_numpy()[at], [f"{c:+.1f}" for c in change]]),
                "hovertemplate": "%{customdata[0]}: %{customdata[1]} points on the period before, beyond noise"
                "<extra></extra>",
                **top,
            }
        )  # fmt: skip
    traces.append(
        {
            "type": "bar", "x": x, "y": trend["n"].to_numpy(), "name": "Responses", "showlegend": False,
            "marker": {"color": np.where(shown, "#8C8C8C", "#D9D9D9").tolist()},
            "width": _half_period(grain).total_seconds() * 1000 * 1.3,
            "customdata": np.column_stack([trend["label"], np.where(shown, "", " (too few to show)")]),
            "hovertemplate": "%{customdata[0]}: n = %{y:,}%{customdata[1]}<extra></extra>",
            **strip,
        }
    )  # fmt: skip
    if window is not None:
        x0, x1 = pd.Timestamp(window[0] - _half_period(grain)), pd.Timestamp(window[1] + _half_period(grain))
        shapes = [
            {"type": "rect", "xref": xref, "yref": f"{yref} domain", "x0": x0, "x1": x1, "y0": 0, "y1": 1,
             "fillcolor": WINDOW, "line": {"width": 0}, "layer": "below"}
            for xref, yref in (("x", "y"), ("x2", "y2"))
        ]  # fmt: skip
        notes.append(
            {"x": x1, "y": 1, "yref": "paper", "text": "Selected period", "showarrow": False, "xanchor": "right",
             "yanchor": "bottom", "font": {"size": theme.FONT_SIZE - 3}}
        )  # fmt: skip
    y_axis = {
        "anchor": "x", "domain": [0.24, 1.0], "title": {"text": "NPS" if headline == "nps" else "% rating 4 or 5"},
        "ticksuffix": unit, "gridcolor": "#eeeeee", "zeroline": headline == "nps",
    }  # fmt: skip
    bounds = np.concatenate([trend["low"].to_numpy(), trend["high"].to_numpy(), peer.to_numpy()])
    bounds = bounds[pd.notna(bounds)]
    limit = (-100, 100) if headline == "nps" else (0, 100)
    if len(bounds):
        y_axis["range"] = [max(limit[0], bounds.min() - 8), min(limit[1], bounds.max() + 8)]
    time = _time_axis(x, [label + "*" if part else label for label, part in zip(labels, partial, strict=True)], grain)
    what = "Net Promoter Score" if headline == "nps" else "% rating 4 or 5"
    spec = layout(
        f"{measure_label} ({what}) by {grain}, n = {int(trend['n'].sum()):,} responses",
        height=theme.CHART_HEIGHT + 140,
        showlegend=True,
        legend=LEGEND_TOP,
        margin={"l": 10, "r": 110, "t": 105, "b": 20},
        hovermode="closest",
        annotations=notes,
        shapes=shapes,
        # the domains make_subplots(rows=2, row_heights=[0.8, 0.2], vertical_spacing=0.05, shared_xaxes=True) gives
        xaxis={"anchor": "y", "domain": [0.0, 1.0], "matches": "x2", "showticklabels": False, **time},
        yaxis=y_axis,
        xaxis2={"anchor": "y2", "domain": [0.0, 1.0], **time},
        yaxis2={"anchor": "x2", "domain": [0.0, 0.19], "title": {"text": "n"}, "gridcolor": "#eeeeee",
                "rangemode": "tozero", "nticks": 3},
    )  # fmt: skip
    spec["title"].update(TITLE_TOP)
    return figure(traces, spec)


def make_channel_mix(mix: pd.DataFrame, grain: str, colours: dict[str, str] | None = None) -> go.Figure:
    """100% stacked bars: each period's responses split by channel, channel colours from the theme."""
    colours = colours or theme.CHANNEL_COLOURS
    # Each column is converted and formatted once and then cut per channel: done per channel's rows, pandas took
    # 1 ms a trace.
    x = pd.to_datetime(mix["period"]).tolist()
    share, names = mix["share"].to_numpy(), mix["channel_label"].tolist()
    custom = np.column_stack(
        [mix["label"], mix["channel_label"], [f"{v:,.0f}" for v in mix["responses"].tolist()],
         [f"{v:,.0f}" for v in mix["total"].tolist()]]
    )  # fmt: skip
    # the channels in order of appearance, like groupby(sort=False), with their rows' positions
    channels = sorted(mix.groupby("channel", sort=False).indices.items(), key=lambda item: item[1][0])
    traces = [
        {
            "type": "bar", "x": [x[i] for i in at], "y": share[at], "name": names[at[0]],
            "marker": {"color": colours.get(channel, "#999999"), "line": {"color": "white", "width": 0.5}},
            "customdata": custom[at],
            "hovertemplate": "%{customdata[0]}, %{customdata[1]}: %{y:.0f}% "
            "(%{customdata[2]} of %{customdata[3]})<extra></extra>",
        }
        for channel, at in channels
    ]  # fmt: skip
    periods = mix.drop_duplicates("period")
    time = _time_axis(pd.to_datetime(periods["period"]).tolist(), periods["label"].tolist(), grain)
    total = int(periods["total"].sum()) if not periods.empty else 0
    spec = layout(
        f"Share of responses by channel, by {grain} (n = {total:,})",
        barmode="stack",
        bargap=0.15,
        showlegend=True,
        legend={**LEGEND_TOP, "traceorder": "normal"},
        margin={"l": 10, "r": 10, "t": 100, "b": 10},
        yaxis={"title": {"text": "Share of responses"}, "ticksuffix": "%", "range": [0, 100], "gridcolor": "#eeeeee"},
    )
    spec["title"].update(TITLE_TOP)
    if time:
        spec["xaxis"] = time
    return figure(traces, spec)


def make_maturity_rounds(rounds: pd.DataFrame, stages: pd.DataFrame) -> go.Figure:
    """Maturity score (0-100) per pillar across assessment rounds, the overall score emphasised, stage
    thresholds as faint lines and respondents per round under each round's date."""
    shapes = [
        {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": y, "y1": y,
         "line": {"color": "#CCCCCC", "width": 1, "dash": "dot"}}
        for y in stages.loc[stages["min_score"] > 0, "min_score"]
    ]  # fmt: skip
    notes = [
        {"x": 1, "xref": "paper", "y": y, "yref": "y", "text": name, "showarrow": False, "xanchor": "left",
         "yanchor": "bottom", "xshift": 6, "font": {"color": "#777777", "size": 13}}
        for y, name in zip(stages["min_score"], stages["name"], strict=True)
    ]  # fmt: skip
    dates = sorted(rounds["round_date"].unique())
    x_of = {d: pd.Timestamp(d) for d in dates}
    pillars = rounds[~rounds["overall"]].sort_values(["sort_order", "round_date"])
    traces = []
    for _, rows in pillars.groupby("pillar_id", sort=False):
        index = int(rows["sort_order"].iloc[0]) - 1
        colour = theme.pillar_colour(index)
        traces.append(
            {
                "type": "scatter", "x": [x_of[d] for d in rows["round_date"]], "y": rows["score_100"].to_numpy(),
                "mode": "lines+markers", "name": rows["name"].iloc[0], "line": {"color": colour, "width": 2},
                "marker": {"symbol": SYMBOLS[index % len(SYMBOLS)], "size": 10, "color": colour},
                "customdata": rows["name"].to_numpy(),
                "hovertemplate": "%{customdata}: %{y:.0f} (%{x|%d %b %Y})<extra></extra>",
            }
        )  # fmt: skip
    overall = rounds[rounds["overall"]].sort_values("round_date")
    traces.append(
        {
            "type": "scatter", "x": [x_of[d] for d in overall["round_date"]], "y": overall["score_100"].to_numpy(),
            "mode": "lines+markers", "name": "Overall score", "line": {"color": "#000000", "width": 5},
            "marker": {"size": 12, "color": "#000000"},
            "hovertemplate": "Overall: %{y:.0f} (%{x|%d %b %Y})<extra></extra>",
        }
    )  # fmt: skip
    notes += [
        {"x": x_of[day], "y": score, "text": f"<b>{score:.0f}</b>", "showarrow": False, "yshift": 24,
         "bgcolor": "rgba(255, 255, 255, 0.9)", "bordercolor": "#000000", "borderwidth": 1, "borderpad": 2,
         "font": {"size": theme.FONT_SIZE, "color": "#000000"}}
        for day, score in zip(overall["round_date"], overall["score_100"], strict=True)
    ]  # fmt: skip
    respondents = overall.set_index("round_date")["respondents"]
    low, high = int(respondents.min()), int(respondents.max())
    n = f"{low}" if low == high else f"{low} to {high}"
    rounds_text = "one assessment round" if len(dates) == 1 else f"{len(dates)} assessment rounds"
    spec = layout(
        f"Maturity by pillar across {rounds_text} (n = {n} respondents per round)",
        height=theme.CHART_HEIGHT + 100,
        showlegend=True,
        legend=LEGEND_TOP,
        margin={"l": 10, "r": 110, "t": 105, "b": 10},
        annotations=notes,
        shapes=shapes,
        xaxis={
            "tickvals": [x_of[d] for d in dates],
            "ticktext": [f"{d:%b %Y}<br>{int(respondents.get(d, 0))} respondents" for d in dates],
            "range": [x_of[dates[0]] - timedelta(days=60), x_of[dates[-1]] + timedelta(days=60)],
        },
        yaxis={"title": {"text": "Score (0-100)"}, "range": [0, 100], "gridcolor": "#f3f3f3", "dtick": 20},
    )
    spec["title"].update(TITLE_TOP)
    return figure(traces, spec)

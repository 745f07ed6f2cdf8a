"""Charts of the Trends page: a feedback measure over time (band, shifts, peer median, sample sizes),
the channel mix over time and maturity by pillar across assessment rounds. Pure functions."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cxdash import theme
from cxdash.charts import base_layout

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


def _time_axis(fig: go.Figure, periods: list, labels: list[str], grain: str) -> None:
    """Ticks every quarter (or fewer on long histories), labelled like the sidebar, and no padding beyond the data."""
    if not periods:
        return
    half = _half_period(grain)
    fig.update_xaxes(range=[pd.Timestamp(periods[0]) - half * 1.2, pd.Timestamp(periods[-1]) + half * 1.2])
    if grain == "quarter":
        step = 1 if len(periods) <= 16 else 2 if len(periods) <= 32 else 4
        fig.update_xaxes(tickvals=periods[::step], ticktext=labels[::step])
    else:
        fig.update_xaxes(
            tickformat="%b<br>%Y", dtick="M3" if len(periods) <= 40 else "M6" if len(periods) <= 80 else "M12"
        )


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
    value = trend["value"].where(shown)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.8, 0.2], vertical_spacing=0.05)
    for k, run in enumerate(r for r in _runs(shown) if len(r) > 1):
        xs = [x[i] for i in run]
        fig.add_trace(
            go.Scatter(
                x=xs + xs[::-1],
                y=list(trend["high"].iloc[run]) + list(trend["low"].iloc[run])[::-1],
                fill="toself",
                mode="lines",
                fillcolor=BAND,
                line={"width": 0},
                hoverinfo="skip",
                name="95% confidence band",
                legendgroup="band",
                showlegend=k == 0,
            ),
            row=1,
            col=1,
        )
    single = [len(r) == 1 for r in _runs(shown)]
    lonely = shown & trend.index.isin([r[0] for r, one in zip(_runs(shown), single, strict=True) if one])
    custom = np.column_stack(
        [
            trend["label"] + np.where(trend["partial"] != "", " (" + trend["partial"] + ")", ""),
            trend["n"].map("{:,}".format),
            trend["low"].map(lambda v: _fmt(v, headline)),
            trend["high"].map(lambda v: _fmt(v, headline)),
        ]
    )
    unit = "" if headline == "nps" else "%"
    fig.add_trace(
        go.Scatter(
            x=x,
            y=value,
            mode="lines+markers",
            name=org_name,
            line={"color": LINE, "width": 3},
            marker={"size": 7, "color": LINE},
            connectgaps=False,
            customdata=custom,
            error_y={
                "type": "data",
                "symmetric": False,
                "color": LINE,
                "thickness": 1.5,
                "width": 4,
                "array": (trend["high"] - trend["value"]).where(lonely),
                "arrayminus": (trend["value"] - trend["low"]).where(lonely),
            },
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>%{y:"
                + ("+.0f" if headline == "nps" else ".0f")
                + "}"
                + unit
                + " (95% CI %{customdata[2]} to %{customdata[3]})<br>n = %{customdata[1]}<extra></extra>"
            ),
        ),
        row=1,
        col=1,
    )
    peer = trend["peer_median"]
    if peer.notna().any():
        fig.add_trace(
            go.Scatter(
                x=x,
                y=peer,
                mode="lines",
                name=peer_label,
                line={"color": PEER, "width": 2.5, "dash": "dash"},
                connectgaps=False,
                customdata=np.column_stack([trend["label"], trend["peer_count"]]),
                hovertemplate="%{customdata[0]}: peer median %{y:.0f}"
                + unit
                + " (%{customdata[1]} peers)<extra></extra>",
            ),
            row=1,
            col=1,
        )
        last = peer.last_valid_index()
        fig.add_annotation(
            x=x[last],
            y=peer[last],
            text="Peer median",
            showarrow=False,
            xanchor="left",
            xshift=8,
            font={"color": PEER, "size": theme.FONT_SIZE - 2},
            row=1,
            col=1,
        )
    for direction, colour, symbol, position in (
        ("up", UP, "triangle-up", "top center"),
        ("down", DOWN, "triangle-down", "bottom center"),
    ):
        hit = trend[(trend["verdict"] == direction) & trend["significant"]]
        if hit.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(hit["period"]),
                y=hit["value"],
                mode="markers+text",
                name="Rise beyond noise" if direction == "up" else "Fall beyond noise",
                marker={"symbol": symbol, "size": 17, "color": colour, "line": {"color": "white", "width": 1}},
                text=hit["change"].map(lambda c: f"{c:+.0f}"),
                textposition=position,
                textfont={"color": colour, "size": theme.FONT_SIZE - 1},
                customdata=np.column_stack([hit["label"], hit["change"].map(lambda c: f"{c:+.1f}")]),
                hovertemplate="%{customdata[0]}: %{customdata[1]} points on the period before, beyond noise"
                "<extra></extra>",
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Bar(
            x=x,
            y=trend["n"],
            name="Responses",
            showlegend=False,
            marker={"color": np.where(shown, "#8C8C8C", "#D9D9D9").tolist()},
            width=_half_period(grain).total_seconds() * 1000 * 1.3,
            customdata=np.column_stack([trend["label"], np.where(shown, "", " (too few to show)")]),
            hovertemplate="%{customdata[0]}: n = %{y:,}%{customdata[1]}<extra></extra>",
        ),
        row=2,
        col=1,
    )
    if window is not None:
        fig.add_vrect(
            x0=pd.Timestamp(window[0] - _half_period(grain)),
            x1=pd.Timestamp(window[1] + _half_period(grain)),
            fillcolor=WINDOW,
            line_width=0,
            layer="below",
            row="all",
            col=1,
        )
        fig.add_annotation(
            x=pd.Timestamp(window[1] + _half_period(grain)),
            y=1,
            yref="paper",
            text="Selected period",
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
            font={"size": theme.FONT_SIZE - 3},
        )
    bounds = pd.concat([trend["low"], trend["high"], peer]).dropna()
    limit = (-100, 100) if headline == "nps" else (0, 100)
    if not bounds.empty:
        fig.update_yaxes(range=[max(limit[0], bounds.min() - 8), min(limit[1], bounds.max() + 8)], row=1, col=1)
    fig.update_yaxes(
        title=("NPS" if headline == "nps" else "% rating 4 or 5"),
        ticksuffix=unit,
        gridcolor="#eeeeee",
        zeroline=headline == "nps",
        row=1,
        col=1,
    )
    fig.update_yaxes(title="n", gridcolor="#eeeeee", rangemode="tozero", nticks=3, row=2, col=1)
    _time_axis(fig, x, (trend["label"] + np.where(trend["partial"] != "", "*", "")).tolist(), grain)
    what = "Net Promoter Score" if headline == "nps" else "% rating 4 or 5"
    title = f"{measure_label} ({what}) by {grain}, n = {int(trend['n'].sum()):,} responses"
    base_layout(fig, title, height=theme.CHART_HEIGHT + 140)
    fig.update_layout(
        showlegend=True, legend=LEGEND_TOP, title=TITLE_TOP, margin={"t": 105, "r": 110, "b": 20}, hovermode="closest"
    )
    return fig


def make_channel_mix(mix: pd.DataFrame, grain: str, colours: dict[str, str] | None = None) -> go.Figure:
    """100% stacked bars: each period's responses split by channel, channel colours from the theme."""
    colours = colours or theme.CHANNEL_COLOURS
    traces = []
    for channel, rows in mix.groupby("channel", sort=False):
        traces.append(
            go.Bar(
                x=pd.to_datetime(rows["period"]),
                y=rows["share"],
                name=rows["channel_label"].iloc[0],
                marker={"color": colours.get(channel, "#999999"), "line": {"color": "white", "width": 0.5}},
                customdata=np.column_stack(
                    [
                        rows["label"],
                        rows["channel_label"],
                        rows["responses"].map("{:,.0f}".format),
                        rows["total"].map("{:,.0f}".format),
                    ]
                ),
                hovertemplate="%{customdata[0]}, %{customdata[1]}: %{y:.0f}% "
                "(%{customdata[2]} of %{customdata[3]})<extra></extra>",
            )
        )
    fig = go.Figure(data=traces)
    periods = mix.drop_duplicates("period")
    _time_axis(fig, pd.to_datetime(periods["period"]).tolist(), periods["label"].tolist(), grain)
    fig.update_yaxes(title="Share of responses", ticksuffix="%", range=[0, 100], gridcolor="#eeeeee")
    total = int(periods["total"].sum()) if not periods.empty else 0
    base_layout(fig, f"Share of responses by channel, by {grain} (n = {total:,})")
    fig.update_layout(
        barmode="stack",
        bargap=0.15,
        showlegend=True,
        legend={**LEGEND_TOP, "traceorder": "normal"},
        title=TITLE_TOP,
        margin={"t": 100},
    )
    return fig


def make_maturity_rounds(rounds: pd.DataFrame, stages: pd.DataFrame) -> go.Figure:
    """Maturity score (0-100) per pillar across assessment rounds, the overall score emphasised, stage
    thresholds as faint lines and respondents per round under each round's date."""
    # Shapes, notes and traces are collected and added at once: Plotly checks the whole list again on every
    # add_hline, add_annotation and add_trace (43 ms to build this chart one by one, 22 ms at once).
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
            go.Scatter(
                x=rows["round_date"].map(x_of),
                y=rows["score_100"],
                mode="lines+markers",
                name=rows["name"].iloc[0],
                line={"color": colour, "width": 2},
                marker={"symbol": SYMBOLS[index % len(SYMBOLS)], "size": 10, "color": colour},
                customdata=rows["name"],
                hovertemplate="%{customdata}: %{y:.0f} (%{x|%d %b %Y})<extra></extra>",
            )
        )
    overall = rounds[rounds["overall"]].sort_values("round_date")
    traces.append(
        go.Scatter(
            x=overall["round_date"].map(x_of),
            y=overall["score_100"],
            mode="lines+markers",
            name="Overall score",
            line={"color": "#000000", "width": 5},
            marker={"size": 12, "color": "#000000"},
            hovertemplate="Overall: %{y:.0f} (%{x|%d %b %Y})<extra></extra>",
        )
    )
    notes += [
        {"x": x_of[day], "y": score, "text": f"<b>{score:.0f}</b>", "showarrow": False, "yshift": 24,
         "bgcolor": "rgba(255, 255, 255, 0.9)", "bordercolor": "#000000", "borderwidth": 1, "borderpad": 2,
         "font": {"size": theme.FONT_SIZE, "color": "#000000"}}
        for day, score in zip(overall["round_date"], overall["score_100"], strict=True)
    ]  # fmt: skip
    fig = go.Figure(data=traces, layout={"shapes": shapes, "annotations": notes})
    respondents = overall.set_index("round_date")["respondents"]
    fig.update_xaxes(
        tickvals=[x_of[d] for d in dates],
        ticktext=[f"{d:%b %Y}<br>{int(respondents.get(d, 0))} respondents" for d in dates],
        range=[x_of[dates[0]] - timedelta(days=60), x_of[dates[-1]] + timedelta(days=60)],
    )
    fig.update_yaxes(title="Score (0-100)", range=[0, 100], gridcolor="#f3f3f3", dtick=20)
    low, high = int(respondents.min()), int(respondents.max())
    n = f"{low}" if low == high else f"{low} to {high}"
    rounds_text = "one assessment round" if len(dates) == 1 else f"{len(dates)} assessment rounds"
    base_layout(
        fig,
        f"Maturity by pillar across {rounds_text} (n = {n} respondents per round)",
        height=theme.CHART_HEIGHT + 100,
    )
    fig.update_layout(showlegend=True, legend=LEGEND_TOP, title=TITLE_TOP, margin={"t": 105, "r": 110})
    return fig

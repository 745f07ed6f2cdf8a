"""Charts of the workshop pages: a participant's own pillar scores, and the room's scores and spread of answers."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from cxdash import theme
from cxdash.charts import figure, layout
from cxdash.charts.maturity import ANSWER_COLOURS, make_role_gap
from cxdash.workshop import points

__all__ = ["make_own_pillars", "make_pillar_spread", "make_role_gap", "make_room_pillars"]

_DARK_SEGMENTS = {1, 5}
#: Pillar fills dark enough for white text.
_DARK_FILLS = {"#0072B2", "#D55E00", "#009E73", "#000000"}


def _pillar_bars(pillars: pd.DataFrame, stages: pd.DataFrame, title: str) -> go.Figure:
    """Horizontal bars of each pillar's 0-100 score, labelled '68 · Embedded', with dotted lines where stages start.

    Narrow enough for a phone: labels sit inside long bars and stage names are in the labels, not above the plot.
    """
    rows = pillars.sort_values("score_100", ascending=True)
    colours = [theme.pillar_colour(int(s) - 1) for s in rows["sort_order"]]
    inside = [s >= 45 for s in rows["score_100"]]
    bar = {
        "type": "bar",
        "x": rows["score_100"].to_numpy(),
        "y": [_wrap(n, 16) for n in rows["name"]],
        "orientation": "h",
        "marker": {"color": colours},
        "text": [f"{points(s, stages)} · {st}" for s, st in zip(rows["score_100"], rows["stage_name"], strict=True)],
        "textposition": ["inside" if i else "outside" for i in inside],
        "insidetextanchor": "start",
        "textfont": {
            "color": [
                ("white" if c in _DARK_FILLS else "black") if i else "#333333"
                for c, i in zip(colours, inside, strict=True)
            ]
        },
        "cliponaxis": False,
        "hovertemplate": "%{y}: %{x:.0f} out of 100<extra></extra>",
    }
    lines = [
        {"type": "line", "xref": "x", "x0": stage.min_score, "x1": stage.min_score, "yref": "y domain", "y0": 0,
         "y1": 1, "line": {"color": "#999999", "dash": "dot", "width": 1}, "layer": "below"}
        for stage in stages.itertuples()
        if 0 < stage.min_score < 100
    ]  # fmt: skip
    return figure(
        [bar],
        layout(
            title,
            max(320, 70 * len(rows) + 120),
            xaxis={"range": [0, 100], "dtick": 20, "title": {"text": "Score (0-100)"}, "gridcolor": "#eeeeee",
                   "zeroline": False},
            yaxis={"title": {}, "automargin": True},
            bargap=0.3,
            margin={"l": 10, "r": 20, "t": 60, "b": 10},
            shapes=lines,
        ),
    )  # fmt: skip


def make_own_pillars(pillars: pd.DataFrame, stages: pd.DataFrame) -> go.Figure:
    """One participant's pillar scores (0-100) with their stages; pillars: workshop Result.pillars."""
    return _pillar_bars(pillars, stages, "Your pillar scores (n = 1: your answers)")


def make_room_pillars(pillars: pd.DataFrame, stages: pd.DataFrame, submissions: int) -> go.Figure:
    """The room's pillar scores (0-100) with their stages."""
    return _pillar_bars(pillars, stages, f"The room's pillar scores (n = {_people(submissions)})")


def _people(n: int) -> str:
    return f"{n} participant{'s' if n != 1 else ''}"


def _wrap(text: str, width: int) -> str:
    return "<br>".join(textwrap.wrap(str(text), width)) or str(text)


def make_pillar_spread(spread: pd.DataFrame, scale: pd.DataFrame, submissions: int) -> go.Figure:
    """Stacked 100% bars: for each pillar, the share of all its answers at each point of the scale.

    spread: pillar_id, name, sort_order, answers, answers_1 .. answers_5. scale: value, label.
    """
    rows = spread[spread["answers"] > 0].sort_values("sort_order", ascending=False)
    names = [_wrap(n, 16) for n in rows["name"]]
    total = rows["answers"].astype(float).to_numpy()
    traces = []
    for point in scale.sort_values("value").itertuples():
        value = int(point.value)
        counts = rows[f"answers_{value}"].astype(float).to_numpy()
        shares = 100 * counts / total
        traces.append(
            {
                "type": "bar",
                "x": shares,
                "y": names,
                "orientation": "h",
                "name": f"{value} {point.label}",
                "marker": {"color": ANSWER_COLOURS.get(value, "#999999")},
                "text": [f"{s:.0f}%" if s >= 10 else "" for s in shares],
                "textposition": "inside",
                "textangle": 0,
                "insidetextanchor": "middle",
                "textfont": {"color": "white" if value in _DARK_SEGMENTS else "black"},
                "customdata": counts,
                "hovertemplate": (
                    f"%{{y}}<br>{point.label}: %{{x:.0f}}% of answers (%{{customdata:.0f}})<extra></extra>"
                ),
            }
        )
    return figure(
        traces,
        layout(
            f"Answers per pillar (n = {_people(submissions)})",
            max(360, 70 * len(rows) + 220),
            xaxis={"range": [0, 100], "ticksuffix": "%", "title": {}, "gridcolor": "#eeeeee"},
            yaxis={"title": {}, "automargin": True},
            barmode="stack",
            bargap=0.3,
            showlegend=True,
            legend={
                "orientation": "h",
                "x": 0,
                "y": -0.08,
                "yanchor": "top",
                "traceorder": "normal",
                "font": {"size": theme.FONT_SIZE - 2},
            },
            margin={"l": 10, "r": 20, "t": 60, "b": 10},
        ),
    )

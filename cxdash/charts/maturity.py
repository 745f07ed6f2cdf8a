"""Charts of the Maturity page: pillar scores, the spread of answers, and how respondent roles differ."""

from __future__ import annotations

import textwrap
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from cxdash import theme
from cxdash.charts import figure, layout

#: Answer colours, 1 to 5: warm for "not in place", neutral grey in the middle, blue for "fully embedded".
ANSWER_COLOURS = {1: "#D55E00", 2: "#E69F00", 3: "#BBBBBB", 4: "#56B4E9", 5: "#0072B2"}
_DARK_SEGMENTS = {1, 5}

#: Marker per respondent role: colour and symbol, so roles read apart without colour too.
ROLE_STYLE = {
    "board": ("#0072B2", "diamond"),
    "executive": ("#56B4E9", "square"),
    "manager": ("#009E73", "triangle-up"),
    "frontline": ("#D55E00", "circle"),
    "other": ("#777777", "x"),
}
_GRID = "#eeeeee"
#: Fills dark enough for white text.
_DARK_FILLS = {"#0072B2", "#D55E00", "#009E73", "#000000"}


def _wrap(text: str, width: int) -> str:
    return "<br>".join(textwrap.wrap(str(text), width)) or str(text)


def _stage_lines(stages: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Layout parts: dotted lines where each stage starts, named at the top of the plot (none when empty)."""
    shapes, notes = [], []
    for stage in stages.sort_values("level").itertuples():
        if stage.min_score > 0:
            shapes.append({"type": "line", "xref": "x", "x0": stage.min_score, "x1": stage.min_score,
                           "yref": "y domain", "y0": 0, "y1": 1,
                           "line": {"color": "#999999", "dash": "dot", "width": 1}})  # fmt: skip
        upper = stages.loc[stages["level"] == stage.level + 1, "min_score"]
        centre = (stage.min_score + (float(upper.iloc[0]) if not upper.empty else 100)) / 2
        notes.append({"x": centre, "y": 1.0, "yref": "paper", "yanchor": "bottom", "text": stage.name,
                      "showarrow": False, "font": {"size": theme.FONT_SIZE - 2, "color": "#555555"}})  # fmt: skip
    return {"shapes": shapes, "annotations": notes}


def _title_on_top(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` (a layout) with its title pinned to the top edge, so a legend above the plot sits below it, not
    over it."""
    spec["title"] = {**spec["title"], "y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 14}}
    return spec


def make_pillar_bars(pillars: pd.DataFrame, stages: pd.DataFrame, respondents: int, round_label: str) -> go.Figure:
    """Horizontal bars of each pillar's 0-100 score, highest at the top, coloured per pillar, with stage bands.

    pillars: one round's pillar rows (score_100, name, sort_order, stage_name, previous_score_100).
    """
    rows = pillars.sort_values("score_100", ascending=True)
    names = [_wrap(n, 16) for n in rows["name"]]
    colours = [theme.pillar_colour(int(s) - 1) for s in rows["sort_order"]]
    traces = [
        {
            "type": "bar",
            "x": rows["score_100"].to_numpy(),
            "y": names,
            "orientation": "h",
            "marker": {"color": colours},
            "text": [f"{s:.0f} · {st}" for s, st in zip(rows["score_100"], rows["stage_name"], strict=True)],
            # labels sit after the bar, or inside its start (clear of the previous-round tick) for long bars
            "textposition": ["inside" if s > 70 else "outside" for s in rows["score_100"]],
            "insidetextanchor": "start",
            "insidetextfont": {"color": ["white" if c in _DARK_FILLS else "black" for c in colours]},
            "outsidetextfont": {"color": "#333333"},
            "cliponaxis": False,
            "showlegend": False,
            "hovertemplate": "%{y}: %{x:.0f} out of 100<extra></extra>",
        }
    ]
    with_previous = bool("previous_score_100" in rows and rows["previous_score_100"].notna().any())
    if with_previous:
        traces.append(
            {
                "type": "scatter",
                "x": rows["previous_score_100"].to_numpy(),
                "y": names,
                "mode": "markers",
                "name": "Previous round",
                "marker": {"symbol": "line-ns", "size": 26, "line": {"width": 3, "color": "#333333"}},
                "hovertemplate": "%{y}, previous round: %{x:.0f}<extra></extra>",
            }
        )
    return figure(
        traces,
        layout(
            f"Pillar scores, {round_label} (n = {respondents} respondents)",
            max(320, 90 * len(rows) + 110),
            xaxis={"range": [0, 100], "dtick": 20, "title": {"text": "Score (0-100)"}, "gridcolor": _GRID,
                   "zeroline": False},
            yaxis={"title": {}, "automargin": True},
            margin={"l": 10, "r": 20, "t": 90, "b": 10},
            bargap=0.35,
            showlegend=with_previous,
            legend={"orientation": "h", "x": 1, "xanchor": "right", "y": -0.12, "yanchor": "top"},
            **_stage_lines(stages),
        ),
    )  # fmt: skip


def make_answer_spread(statements: pd.DataFrame, scale: pd.DataFrame, pillar_name: str) -> go.Figure:
    """Stacked 100% bars: for each statement, the share of respondents giving each answer on the scale.

    statements: one pillar's statement rows (statement_id, text, respondents, answers_1..answers_5).
    scale: value, label. Statements nobody answered are left out.
    """
    rows = statements[statements["respondents"] > 0].iloc[::-1]
    labels = [
        f"{sid} · {textwrap.shorten(str(text), 32, placeholder='…')}"
        for sid, text in zip(rows["statement_id"], rows["text"], strict=True)
    ]
    total = rows["respondents"].astype(float).to_numpy()
    traces = []
    for point in scale.sort_values("value").itertuples():
        counts = rows[f"answers_{int(point.value)}"].astype(float).to_numpy()
        shares = 100 * counts / total
        traces.append(
            {
                "type": "bar",
                "x": shares,
                "y": labels,
                "orientation": "h",
                "name": f"{int(point.value)} {point.label}",
                "marker": {"color": ANSWER_COLOURS.get(int(point.value), "#999999")},
                "text": [f"{s:.0f}%" if s >= 6 else "" for s in shares],
                "textposition": "inside",
                "textangle": 0,
                "constraintext": "none",
                "insidetextanchor": "middle",
                "textfont": {"color": "white" if int(point.value) in _DARK_SEGMENTS else "black"},
                "customdata": counts,
                "hovertemplate": f"%{{y}}<br>{point.label}: %{{x:.0f}}% (%{{customdata:.0f}} people)<extra></extra>",
            }
        )
    notes = [
        {"x": 100, "y": label, "xanchor": "left", "xshift": 6, "text": f"n = {n:.0f}", "showarrow": False,
         "font": {"size": theme.FONT_SIZE - 2, "color": "#555555"}}
        for label, n in zip(labels, total, strict=True)
    ]  # fmt: skip
    n = int(total.max()) if len(total) else 0
    spec = layout(
        f"How people answered: {pillar_name} (n = {n} respondents)",
        max(300, 52 * len(rows) + 170),
        xaxis={"range": [0, 100], "ticksuffix": "%", "title": {"text": "Share of respondents"}, "gridcolor": _GRID},
        yaxis={"title": {}, "automargin": True},
        barmode="stack",
        bargap=0.3,
        showlegend=True,
        legend={
            "orientation": "h",
            "x": 0,
            "y": 1.0,
            "yanchor": "bottom",
            "traceorder": "normal",
            "font": {"size": theme.FONT_SIZE - 2},
        },
        margin={"l": 10, "r": 70, "t": 100, "b": 10},
        annotations=notes,
    )
    return figure(traces, _title_on_top(spec))


def make_role_gap(roles: pd.DataFrame) -> go.Figure:
    """Dot plot of each pillar's 0-100 score by respondent role (hidden roles left out), with the spread
    between the highest and lowest role drawn as a grey line and labelled in points."""
    shown = roles[roles["shown"]]
    order = roles.drop_duplicates("pillar_id").sort_values("sort_order", ascending=False)
    pillar_names = [_wrap(n, 28) for n in order["name"]]
    ylabel = dict(zip(order["pillar_id"], pillar_names, strict=True))
    traces, notes = [], []
    for pillar_id, group in shown.groupby("pillar_id", sort=False):
        if len(group) < 2:
            continue
        low, high = group["score_100"].min(), group["score_100"].max()
        traces.append(
            {
                "type": "scatter",
                "x": [low, high],
                "y": [ylabel[pillar_id]] * 2,
                "mode": "lines",
                "showlegend": False,
                "line": {"color": "#cccccc", "width": 6},
                "hoverinfo": "skip",
            }
        )
        notes.append({"x": 100, "y": ylabel[pillar_id], "xanchor": "left", "xshift": 8, "showarrow": False,
                      "text": f"gap {high - low:.0f}",
                      "font": {"size": theme.FONT_SIZE - 2, "color": "#555555"}})  # fmt: skip
    for role, group in shown.sort_values("role_order").groupby("role", sort=False):
        colour, symbol = ROLE_STYLE.get(role, ("#777777", "circle-open"))
        sizes = group["respondents"].unique()
        name = group["label"].iloc[0] + (f" (n = {int(sizes[0])})" if len(sizes) == 1 else "")
        traces.append(
            {
                "type": "scatter",
                "x": group["score_100"].to_numpy(),
                "y": group["pillar_id"].map(ylabel).to_numpy(),
                "mode": "markers",
                "name": name,
                "marker": {"color": colour, "symbol": symbol, "size": 16, "line": {"color": "white", "width": 1}},
                "customdata": group["respondents"].to_numpy(),
                "hovertemplate": f"{group['label'].iloc[0]}, %{{y}}: %{{x:.0f}} (n = %{{customdata}})<extra></extra>",
            }
        )
    people = int(shown.groupby("role")["respondents"].max().sum()) if not shown.empty else 0
    spec = layout(
        f"Pillar scores by role (n = {people} respondents in the roles shown)",
        max(320, 70 * len(order) + 150),
        xaxis={"range": [0, 100], "dtick": 20, "title": {"text": "Score (0-100)"}, "gridcolor": _GRID,
               "zeroline": False},
        yaxis={"title": {}, "automargin": True, "categoryorder": "array", "categoryarray": pillar_names,
               "showgrid": True, "gridcolor": _GRID},
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        margin={"l": 10, "r": 80, "t": 100, "b": 10},
        annotations=notes,
    )  # fmt: skip
    return figure(traces, _title_on_top(spec))

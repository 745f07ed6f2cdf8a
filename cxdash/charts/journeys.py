"""Charts for the feedback and journeys page: the journey curve and the stage x channel heat map."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cxdash import theme
from cxdash.charts import figure, layout

#: One colour, marker and line style per curve measure (Okabe-Ito; shapes and end labels carry meaning too).
MEASURE_STYLES = {
    "satisfaction": {"color": "#000000", "symbol": "circle", "dash": "solid"},
    "ease": {"color": "#0072B2", "symbol": "square", "dash": "solid"},
    "effectiveness": {"color": "#009E73", "symbol": "diamond", "dash": "dash"},
    "emotion": {"color": "#D55E00", "symbol": "triangle-up", "dash": "dot"},
}
#: Light-to-dark blues (ColorBrewer Blues without its near-white end, so no cell looks empty).
BLUES = [[0.0, "#c6dbef"], [0.25, "#9ecae1"], [0.5, "#6baed6"], [0.75, "#3182bd"], [1.0, "#08519c"]]
HIGHLIGHT = "#E69F00"


def _spread(values: list[float], gap: float) -> list[float]:
    """Positions near `values` (same order) at least `gap` apart, so end labels do not overlap."""
    order = np.argsort(values)
    placed: list[float] = []
    for i in order:
        y = values[i]
        if placed and y - placed[-1] < gap:
            y = placed[-1] + gap
        placed.append(y)
    shift = max(0.0, (placed[-1] - values[order[-1]]) / 2) if placed else 0.0
    out = [0.0] * len(values)
    for rank, i in enumerate(order):
        out[i] = placed[rank] - shift
    return out


def make_journey_curve(
    points: pd.DataFrame, stages: pd.DataFrame, highlight: str | None = None, min_n: int = 10
) -> go.Figure:
    """Lines of each measure's headline figure (% rated 4-5) along the journey stages, with 95% whiskers.

    points: stage, measure, measure_label, measure_order, n, value, low, high, suppressed (journeys.curve).
    stages: stage, label, sort_order: the stages on the x axis in journey order (those in `points`).
    highlight: a stage to shade (the sidebar's chosen stage). Suppressed points are left out, never drawn as zero.
    """
    order = stages[stages["stage"].isin(points["stage"])].sort_values("sort_order")
    position = {s: i for i, s in enumerate(order["stage"])}
    stage_n = points.groupby("stage")["n"].max()
    ticks = []
    for stage, label in zip(order["stage"], order["label"], strict=True):
        n = int(stage_n.get(stage, 0))
        note = f"n = {n:,}" if n >= min_n else f"n = {n}: too few"
        ticks.append(f"<b>{label}</b><br>{note}" if stage == highlight else f"{label}<br>{note}")
    traces = []
    measures = points.sort_values("measure_order")["measure"].unique()
    offsets = np.linspace(-0.12, 0.12, len(measures)) if len(measures) > 1 else [0.0]
    ends: list[tuple[str, float, str]] = []
    for offset, measure in zip(offsets, measures, strict=True):
        rows = points[points["measure"] == measure].copy()
        rows["x"] = rows["stage"].map(position) + offset
        rows = rows.sort_values("x")
        style = MEASURE_STYLES.get(measure, {"color": "#666666", "symbol": "circle", "dash": "solid"})
        label = rows["measure_label"].iloc[0]
        width = 4 if measure == "satisfaction" else 3
        shown = rows["value"].where(~rows["suppressed"].astype(bool))
        traces.append(
            {
                "type": "scatter",
                "x": rows["x"].to_numpy(),
                "y": shown.to_numpy(),
                "mode": "lines+markers",
                "name": label,
                "connectgaps": False,
                "line": {"color": style["color"], "width": width, "dash": style["dash"]},
                "marker": {"color": style["color"], "symbol": style["symbol"], "size": 11},
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": (rows["high"] - rows["value"]).to_numpy(),
                    "arrayminus": (rows["value"] - rows["low"]).to_numpy(),
                    "color": style["color"],
                    "thickness": 1.5,
                    "width": 4,
                },
                "customdata": np.stack([rows["low"], rows["high"], rows["n"]], axis=-1),
                "hovertemplate": f"{label}: %{{y:.0f}}% rated 4-5<br>"
                "95% range %{customdata[0]:.0f}-%{customdata[1]:.0f}%<br>n = %{customdata[2]:,}<extra></extra>",
            }
        )
        last = rows[shown.notna()].tail(1)
        if not last.empty:
            ends.append((label, float(last["value"].iloc[0]), style["color"]))
    values = points.loc[~points["suppressed"].astype(bool)]
    low = float(values["low"].min()) if not values.empty else 0.0
    high = float(values["high"].max()) if not values.empty else 100.0
    y_range = [max(0.0, low - 5), min(100.0, high + 5)]
    label_y = _spread([e[1] for e in ends], (y_range[1] - y_range[0]) * 0.075)
    notes = [
        {"x": 1, "xref": "paper", "xshift": 6, "y": shifted, "text": f"<b>{label} {y:.0f}%</b>",
         "showarrow": False, "xanchor": "left", "font": {"color": colour, "size": theme.FONT_SIZE}}
        for (label, y, colour), shifted in zip(ends, label_y, strict=True)
    ]  # fmt: skip
    shaded = [
        {"type": "rect", "xref": "x", "yref": "y domain", "x0": position[highlight] - 0.4,
         "x1": position[highlight] + 0.4, "y0": 0, "y1": 1, "fillcolor": HIGHLIGHT, "opacity": 0.15,
         "line": {"width": 0}, "layer": "below"}
    ] if highlight in position else []  # fmt: skip
    x_axis = {"tickvals": list(range(len(order))), "ticktext": ticks, "range": [-0.4, len(order) - 0.6],
              "showgrid": False}  # fmt: skip
    y_axis = {"title": {"text": "% rated 4 or 5"}, "ticksuffix": "%", "range": y_range, "gridcolor": "#e5e5e5",
              "zeroline": False}  # fmt: skip
    total = int(points.groupby("measure")["n"].sum().max()) if not points.empty else 0
    return figure(
        traces,
        layout(
            f"Satisfaction and the three Es along the journey (n = {total:,} respondents)",
            height=440,
            margin={"l": 10, "r": 170, "t": 60, "b": 10},
            hovermode="closest",
            xaxis=x_axis,
            yaxis=y_axis,
            annotations=notes,
            shapes=shaded,
        ),
    )


def make_stage_channel_heatmap(
    cells: pd.DataFrame,
    measure_label: str,
    highlight_stage: str | None = None,
    highlight_channel: str | None = None,
    min_n: int = 10,
) -> go.Figure:
    """Heat map of one measure's headline figure in each journey stage (rows) x channel (columns).

    cells: stage, stage_label, stage_order, channel, channel_label, channel_order, n, value, low, high,
    suppressed, headline (journeys.heatmap). Each cell shows its value as text as well as colour; cells with
    too few responses stay blank and say so ('n<10'), as do cells hidden so that a small one cannot be worked
    out from the totals ('hidden'); n is in the hover.
    """
    nps = cells["headline"].iloc[0] == "nps"
    stages = cells.drop_duplicates("stage").sort_values("stage_order")
    channels = cells.drop_duplicates("channel").sort_values("channel_order")
    grid = cells.set_index(["stage", "channel"])
    shape = (len(stages), len(channels))
    z, text, hover = np.full(shape, np.nan), np.full(shape, "", dtype=object), np.full(shape, "", dtype=object)
    for r, (stage, stage_label) in enumerate(zip(stages["stage"], stages["stage_label"], strict=True)):
        for c, (channel, channel_label) in enumerate(zip(channels["channel"], channels["channel_label"], strict=True)):
            cell = grid.loc[(stage, channel)]
            n = int(cell["n"])
            where = f"{stage_label}, {channel_label}"
            if n == 0:
                text[r, c], hover[r, c] = "none", f"{where}: no responses"
            elif n >= min_n and cell["suppressed"]:  # complementary suppression (metrics.protect_grid)
                text[r, c] = "hidden"
                hover[r, c] = f"{where}: hidden so that a small group beside it cannot be worked out (n = {n:,})"
            elif cell["suppressed"] or pd.isna(cell["value"]):
                text[r, c], hover[r, c] = f"n<{min_n}", f"{where}: not enough responses (n = {n})"
            else:
                value = cell["value"]
                z[r, c] = value
                shown = f"{value:+.0f}" if nps else f"{value:.0f}%"
                text[r, c] = shown
                unit = "" if nps else "%"
                hover[r, c] = (
                    f"{where}: {shown}{' NPS' if nps else ' rated 4-5'}<br>95% range "
                    f"{cell['low']:.0f}{unit} to {cell['high']:.0f}{unit}<br>n = {n:,}"
                )
    one_value = np.unique(z[np.isfinite(z)]).size < 2  # no scale to show: anchor the colour on the full range
    heat = {
        "type": "heatmap", "z": z, "x": list(channels["channel_label"]), "y": list(stages["stage_label"]),
        "text": text, "customdata": hover, "texttemplate": "%{text}", "textfont": {"size": theme.FONT_SIZE},
        "colorscale": BLUES, "xgap": 3, "ygap": 3, "hovertemplate": "%{customdata}<extra></extra>",
        "hoverongaps": True, "showscale": not one_value,
        "colorbar": {"title": {"text": "NPS" if nps else "%"}, "ticksuffix": "" if nps else "%", "thickness": 14},
    }  # fmt: skip
    if one_value:
        heat.update(zmin=-100 if nps else 0, zmax=100)
    boxes = []  # outlines of the sidebar's stage (a row) and channel (a column)
    for axis, chosen, frame, code in (
        ("y", highlight_stage, stages, "stage"),
        ("x", highlight_channel, channels, "channel"),
    ):
        if chosen in set(frame[code]):
            i = list(frame[code]).index(chosen)
            box = (
                {"x0": -0.5, "x1": len(channels) - 0.5, "y0": i - 0.5, "y1": i + 0.5}
                if axis == "y"
                else {"x0": i - 0.5, "x1": i + 0.5, "y0": -0.5, "y1": len(stages) - 0.5}
            )
            boxes.append({"type": "rect", **box, "line": {"color": HIGHLIGHT, "width": 4}})
    total = int(cells["n"].sum())
    what = "NPS" if nps else "% rated 4-5"
    return figure(
        [heat],
        layout(
            f"{measure_label} by stage and channel: {what} (n = {total:,})",
            height=150 + 62 * len(stages),
            margin={"l": 10, "r": 10, "t": 100, "b": 10},
            plot_bgcolor="#f2f2f2",
            shapes=boxes,
            # no axis titles: the stage and channel names say what the rows and columns are
            xaxis={"side": "top", "showgrid": False, "title": {}},
            yaxis={"autorange": "reversed", "showgrid": False, "title": {}, "ticksuffix": " "},
        ),
    )

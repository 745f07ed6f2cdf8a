"""Charts for the Insight page: the importance-performance matrix of drivers, comment themes with their
tone, where themes gather (stage, channel), and one theme over time."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale

from cxdash import theme
from cxdash.charts import figure, layout

NEGATIVE, NEUTRAL, POSITIVE = "#D55E00", "#BBBBBB", "#0072B2"
FIX_FIRST_FILL = "rgba(230, 159, 0, 0.12)"
#: The heat map's colours written out, as Plotly's validation would turn the name "Blues" into (figures are made
#: without it, see cxdash.charts).
BLUES = get_colorscale("Blues")


def make_importance_matrix(table: pd.DataFrame, outcome_label: str, cells: int, respondents: int) -> go.Figure:
    """Importance (share of explained variation, with 95% interval) against performance (share rating 4-5) for
    each driver, with the peer median as a hollow diamond, cross-hairs at our average and an equal share,
    and the quadrants named; 'fix first' (top left) is shaded. Suppressed measures are not drawn.

    table: drivers.TABLE_COLUMNS.
    """
    shown = table[table["performance"].notna()]
    average = float(shown["performance"].mean()) if not shown.empty else 50.0
    equal = 100 / max(len(table), 1)
    xs = [*shown["performance"], *shown["peer_median"].dropna()]
    x_low = max(0.0, math.floor((min(xs) if xs else 0) / 5) * 5 - 10)
    x_high = min(100.0, math.ceil((max(xs) if xs else 100) / 5) * 5 + 5)
    y_high = max(float(table["share_high"].max()) * 100 if not table.empty else equal, equal) * 1.2
    shapes = [{"type": "rect", "x0": x_low, "x1": average, "y0": equal, "y1": y_high, "fillcolor": FIX_FIRST_FILL,
               "line": {"width": 0}, "layer": "below"}]  # fmt: skip
    peers = shown[shown["peer_median"].notna()]
    for row in peers.to_dict("records"):  # a dotted line from our point to the peer median, at the same height
        shapes.append({
            "type": "line", "x0": row["performance"], "x1": row["peer_median"], "y0": row["share"] * 100,
            "y1": row["share"] * 100, "line": {"color": "#888888", "width": 1.5, "dash": "dot"}, "layer": "below",
        })  # fmt: skip
    traces = []
    if not peers.empty:
        traces.append(
            {
                "type": "scatter", "x": peers["peer_median"].to_numpy(), "y": peers["share"].to_numpy() * 100,
                "mode": "markers", "name": "Peer median",
                "marker": {"symbol": "diamond-open", "size": 13, "color": "#555555", "line": {"width": 2}},
                "customdata": peers[["label"]].to_numpy(),
                "hovertemplate": "%{customdata[0]}: peer median %{x:.0f}% rate it 4-5<extra></extra>",
            }
        )  # fmt: skip
    traces.append(
        {
            "type": "scatter", "x": shown["performance"].to_numpy(), "y": shown["share"].to_numpy() * 100,
            "mode": "markers+text", "name": "Our result",
            "text": [f"<b>{label}</b>" for label in shown["label"]],
            "textposition": _label_positions(shown, (x_low, x_high), (0, y_high)),
            "textfont": {"size": theme.FONT_SIZE + 1, "color": "#222222"},
            "marker": {"size": 16, "color": theme.OKABE_ITO[0], "line": {"color": "white", "width": 2}},
            "error_y": {
                "type": "data", "array": (shown["share_high"] - shown["share"]).to_numpy() * 100,
                "arrayminus": (shown["share"] - shown["share_low"]).to_numpy() * 100,
                "color": "#777777", "thickness": 1.5, "width": 6,
            },
            "customdata": shown[["label", "share_low", "share_high", "performance_n", "quadrant"]].to_numpy(),
            "hovertemplate": (
                "<b>%{customdata[0]}</b> (%{customdata[4]})<br>%{x:.0f}% rate it 4-5 (n = %{customdata[3]:,})<br>"
                "%{y:.0f}% of the explained variation (95%: %{customdata[1]:.0%} to %{customdata[2]:.0%})"
                "<extra></extra>"
            ),
        }
    )  # fmt: skip
    cross = {"color": "#999999", "dash": "dash", "width": 1}
    shapes.append({"type": "line", "xref": "x", "x0": average, "x1": average, "yref": "y domain", "y0": 0, "y1": 1,
                   "line": cross})  # fmt: skip
    shapes.append({"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": equal, "y1": equal,
                   "line": cross})  # fmt: skip
    corners = [
        (x_low, y_high, "left", "top", "<b>Fix first</b>: important, below our average"),
        (x_high, y_high, "right", "top", "<b>Keep it up</b>: important, above average"),
        (x_low, 0, "left", "bottom", "<b>Watch</b>: less important, below average"),
        (x_high, 0, "right", "bottom", "<b>Maintain</b>: less important, above average"),
    ]
    notes = [
        {"x": x, "y": y, "text": text, "showarrow": False, "xanchor": xanchor, "yanchor": yanchor,
         "font": {"size": 14, "color": "#555"}}
        for x, y, xanchor, yanchor, text in corners
    ]  # fmt: skip
    title = f"What moves {outcome_label.lower()}, and how we do on it (n = {cells:,} cells, {respondents:,} responses)"
    return figure(
        traces,
        layout(
            title,
            height=480,
            shapes=shapes,
            annotations=notes,
            xaxis={"title": {"text": "Our respondents rating it 4 or 5 (%)"}, "range": [x_low, x_high],
                   "gridcolor": "#eeeeee", "zeroline": False},
            yaxis={"title": {"text": f"Share of what moves {outcome_label.lower()} (%)"}, "range": [0, y_high],
                   "gridcolor": "#eeeeee", "zeroline": False},
            showlegend=True,
            legend={"orientation": "h", "y": -0.18, "x": 0},
        ),
    )  # fmt: skip


def _label_positions(points: pd.DataFrame, x_range: tuple, y_range: tuple) -> list[str]:
    """A text position per point so labels do not sit on each other or on another point: each label takes the
    first of left, right, above, below whose box (estimated from its length) is free."""
    width_px, height_px = 1300, 330  # the plotting area, roughly, at the page's width
    per_x = (x_range[1] - x_range[0]) / width_px
    per_y = (y_range[1] - y_range[0]) / height_px
    taken: list[tuple[float, float, float, float]] = []
    for x, y in zip(points["performance"], points["share"] * 100, strict=True):  # every marker is taken
        taken.append((x - 10 * per_x, x + 10 * per_x, y - 10 * per_y, y + 10 * per_y))
    for x, y in zip(points["peer_median"], points["share"] * 100, strict=True):  # and every peer diamond
        if x == x:
            taken.append((x - 9 * per_x, x + 9 * per_x, y - 9 * per_y, y + 9 * per_y))
    positions = []
    for label, x, y in zip(points["label"], points["performance"], points["share"] * 100, strict=True):
        w, h = (10 * len(str(label)) + 16) * per_x, 22 * per_y
        boxes = {
            "middle left": (x - w, x, y - h / 2, y + h / 2),
            "middle right": (x, x + w, y - h / 2, y + h / 2),
            "top center": (x - w / 2, x + w / 2, y + 8 * per_y, y + 8 * per_y + h),
            "bottom center": (x - w / 2, x + w / 2, y - 8 * per_y - h, y - 8 * per_y),
        }
        own = (x - 10 * per_x, x + 10 * per_x, y - 10 * per_y, y + 10 * per_y)
        others = [b for b in taken if b != own]
        x_max = x_range[1]
        choice = next(
            (
                name
                for name, box in boxes.items()
                if box[0] >= x_range[0] and box[1] <= x_max and not any(_overlap(box, o) for o in others)
            ),
            "middle left",
        )
        positions.append(choice)
        taken.append(boxes[choice])
    return positions


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def make_theme_bars(table: pd.DataFrame, comments: int, min_n: int) -> go.Figure:
    """Comments per theme, split into negative, neutral and positive tone, commonest theme on top, each
    segment labelled with its share so colour is not the only carrier of meaning (themes with fewer than
    min_n comments carry no shares)."""
    rows = table.iloc[::-1]
    labels, comments_per = rows["label"].to_numpy(), rows["comments"].to_numpy()
    traces = []
    for tone, colour, column in (("Negative", NEGATIVE, "negative"), ("Neutral", NEUTRAL, None),
                                 ("Positive", POSITIVE, "positive")):  # fmt: skip
        share = (rows[column] if column else 1 - rows["negative"] - rows["positive"]).to_numpy()
        traces.append(
            {
                "type": "bar", "y": labels, "x": (share * comments_per).round(), "orientation": "h", "name": tone,
                "marker": {"color": colour},
                "text": [f"{s:.0%}" if s >= 0.12 and n >= min_n else ""
                         for s, n in zip(share, comments_per, strict=True)],
                "textposition": "inside", "insidetextanchor": "middle",
                "textfont": {"color": "black" if tone == "Neutral" else "white"},
                "customdata": list(zip(share, comments_per, strict=True)),
                "hovertemplate": f"%{{y}}: %{{customdata[0]:.0%}} {tone.lower()} of %{{customdata[1]}} comments"
                "<extra></extra>",
            }
        )  # fmt: skip
    traces.append(
        {"type": "scatter", "y": labels, "x": comments_per, "mode": "text", "text": [f"  {n:,}" for n in comments_per],
         "textposition": "middle right", "showlegend": False, "hoverinfo": "skip"}
    )  # fmt: skip
    x_high = float(rows["comments"].max()) * 1.12  # pandas' max: NaN, not an error, when there are no themes
    return figure(
        traces,
        layout(
            f"Themes in {comments:,} comments, by tone",
            height=max(320, 60 + 38 * len(rows)),
            barmode="stack",
            bargap=0.25,
            xaxis={"title": {"text": "Comments"}, "gridcolor": "#eeeeee", "range": [0, x_high]},
            yaxis={"title": {}, "automargin": True},
            showlegend=True,
            legend={"orientation": "h", "y": -0.12, "x": 0, "traceorder": "normal"},
        ),
    )


def make_theme_mix(mix: pd.DataFrame, column: str, title_noun: str, comments: int, min_n: int) -> go.Figure:
    """Heat map: for each theme (rows, with 'All comments' last), the share of its comments at each `column`
    value (journey stage or channel); every cell is labelled with its share. Themes with fewer than min_n
    comments are left out (their shares would rest on too little)."""
    totals = mix.groupby("label")["comments"].transform("sum")
    mix = mix[totals >= min_n]
    labels = list(dict.fromkeys(mix["label"]))
    columns = list(dict.fromkeys(mix.sort_values(f"{column}_order")[f"{column}_label"]))
    grid = mix.pivot_table(index="label", columns=f"{column}_label", values="share", aggfunc="sum").reindex(
        index=labels, columns=columns
    )
    counts = mix.pivot_table(index="label", columns=f"{column}_label", values="comments", aggfunc="sum").reindex(
        index=labels, columns=columns
    )
    z = grid.fillna(0).to_numpy() * 100
    heatmap = {
        "type": "heatmap", "z": z, "x": columns, "y": labels, "colorscale": BLUES, "zmin": 0,
        "zmax": max(60.0, float(z.max())), "text": [[f"{v:.0f}%" for v in row] for row in z],
        "texttemplate": "%{text}", "textfont": {"size": 14}, "customdata": counts.fillna(0).astype(int).to_numpy(),
        "hovertemplate": "%{y}<br>%{x}: %{z:.0f}% (%{customdata} comments)<extra></extra>",
        "colorbar": {"title": {"text": "% of the theme"}, "ticksuffix": "%"}, "xgap": 2, "ygap": 2,
    }  # fmt: skip
    return figure(
        [heatmap],
        layout(
            f"Where each theme comes from, by {title_noun} (n = {comments:,} comments)",
            height=130 + 36 * len(labels),
            margin={"l": 10, "r": 10, "t": 110, "b": 10},
            xaxis={"side": "top", "title": {}},
            yaxis={"autorange": "reversed", "automargin": True, "title": {}},
        ),
    )


def make_theme_trend(trend: pd.DataFrame, label: str, quarterly_labels: list[str], min_n: int) -> go.Figure:
    """One theme's share of each quarter's comments, as labelled bars, with the comments behind each; a quarter
    with fewer than min_n comments in all is not drawn but marked 'too few'."""
    enough = trend["total"] >= min_n
    bars = {
        "type": "bar", "x": quarterly_labels, "y": (trend["share"] * 100).where(enough, 0).to_numpy(),
        "marker": {"color": theme.OKABE_ITO[0]},
        "text": [f"{s:.0%}" if ok else "too few" for s, ok in zip(trend["share"], enough, strict=True)],
        "textposition": "outside", "customdata": trend[["comments", "total"]].to_numpy(),
        "hovertemplate": "%{x}: %{y:.0f}% (%{customdata[0]} of %{customdata[1]} comments)<extra></extra>",
    }  # fmt: skip
    top = float(trend.loc[enough, "share"].max()) * 100 if enough.any() else 10
    total = int(trend["total"].sum())
    return figure(
        [bars],
        layout(
            f"“{label}” by quarter (n = {total:,} comments)",
            height=340,
            xaxis={"title": {}},
            yaxis={"title": {"text": "Share of comments (%)"}, "range": [0, top * 1.25 + 1], "gridcolor": "#eeeeee"},
        ),
    )

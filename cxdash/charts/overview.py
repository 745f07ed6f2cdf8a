"""Charts for the board overview."""

from __future__ import annotations

import math
from html import escape

import pandas as pd
import plotly.graph_objects as go

from cxdash import theme
from cxdash.charts import figure, layout


def _title(peer_label: str, respondents: int) -> str:
    return f"Pillar scores against {peer_label[:1].lower() + peer_label[1:]} median (n = {respondents} respondents)"


def make_pillars_vs_peers(pillars: pd.DataFrame, peer_label: str, respondents: int) -> go.Figure:
    """Horizontal bars of the organisation's pillar scores (0-100) with the peer median as a marked diamond.

    pillars: name, score_100, sort_order, peer_median (NaN when there are no peers with results).
    """
    rows = pillars.sort_values("sort_order", ascending=False)
    colours = [theme.pillar_colour(int(o) - 1) for o in rows["sort_order"]]
    traces = [
        {
            "type": "bar",
            "y": rows["name"].to_numpy(),
            "x": rows["score_100"].to_numpy(),
            "orientation": "h",
            "name": "Our score",
            "showlegend": False,  # its legend swatch would take the first pillar's colour: a grey key stands in
            "marker": {"color": colours},
            "text": [f"{v:.0f}" for v in rows["score_100"]],
            "textposition": "inside",
            "insidetextanchor": "start",  # at the bar's start: the peer diamond sits near its end
            "textfont": {"size": theme.FONT_SIZE + 2, "color": [theme.ink_on(c) for c in colours]},
            "hovertemplate": "%{y}: %{x:.0f} / 100<extra></extra>",
        }
    ]
    traces.append(
        {
            "type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": "Our score (bar)",
            "hoverinfo": "skip", "marker": {"symbol": "square", "size": 14, "color": "#8a8a8a"},
        }
    )  # fmt: skip
    if rows["peer_median"].notna().any():
        traces.append(
            {
                "type": "scatter",
                "y": rows["name"].to_numpy(),
                "x": rows["peer_median"].to_numpy(),
                "mode": "markers",
                "name": "Peer median",
                "marker": {"symbol": "diamond", "size": 16, "color": "black", "line": {"color": "white", "width": 2}},
                "hovertemplate": "Peer median %{x:.0f}<extra></extra>",
            }
        )
    return figure(
        traces,
        layout(
            _title(peer_label, respondents),
            height=360,
            xaxis={
                "range": [0, 101],
                "title": {"text": "Score (0-100)"},
                "gridcolor": "#e5e5e5",
                "tickvals": [0, 20, 40, 60, 80, 100],
            },
            yaxis={"title": {}, "automargin": True},
            showlegend=True,
            legend={"orientation": "h", "y": -0.22, "x": 0},
            bargap=0.3,
        ),
    )


def pillars_vs_peers_html(pillars: pd.DataFrame, peer_label: str, respondents: int) -> str:
    """make_pillars_vs_peers drawn in HTML and CSS: the same bars, scores, peer diamonds, axis and key.

    The Overview shows this one, not the Plotly figure: a Plotly chart makes a browser that has not opened the app
    before fetch and run Plotly's 4.7 MB script first (about 1.5 s on a 2-core machine), and the Overview is the
    page a board member opens first. Text keeps the page's size at any width; the bars stretch with the column.
    Hovering a pillar shows its figures; screen readers get the chart in one sentence. Names are data: escaped.
    """
    rows = pillars.sort_values("sort_order")
    names = [str(n) for n in rows["name"]]
    scores = [float(v) for v in rows["score_100"]]
    medians = [float(v) for v in rows["peer_median"]]
    step = _share(20)  # a grid line every 20 points
    grid = f"repeating-linear-gradient(to right, #e5e5e5 0 1px, transparent 1px {step})"
    cells = []
    for name, score, median, order in zip(names, scores, medians, rows["sort_order"], strict=True):
        colour = theme.pillar_colour(int(order) - 1)
        tip = f"{name}: {score:.0f} / 100" + (f"; peer median {median:.0f}" if math.isfinite(median) else "")
        diamond = _diamond(median, top="7px") if math.isfinite(median) else ""
        cells.append(
            f'<div style="text-align: right; line-height: 1.2" title="{escape(tip)}">{escape(name)}</div>'
            f'<div style="position: relative; height: 32px; background: {grid}" title="{escape(tip)}">'
            f'<div style="width: {_share(score)}; height: 100%; background: {colour}; color: {theme.ink_on(colour)}; '
            f'font-size: 18px; line-height: 32px; padding-left: 6px; box-sizing: border-box">{score:.0f}</div>'
            f"{diamond}</div>"
        )
    ticks = "".join(
        f'<span style="position: absolute; left: {_share(t)}; transform: translateX(-50%)">{t}</span>'
        for t in range(0, 101, 20)
    )
    cells.append(
        f'<div></div><div style="position: relative; height: 20px; font-size: 14px; color: #555">{ticks}</div>'
        '<div></div><div style="text-align: center; color: #555; margin-top: 2px">Score (0-100)</div>'
    )
    key = '<span style="display: inline-block; width: 13px; height: 13px; background: #8a8a8a"></span> Our score (bar)'
    if any(math.isfinite(m) for m in medians):
        key += (
            '<span style="display: inline-block; position: relative; width: 16px; height: 16px; margin: 0 4px 0 24px; '
            f'vertical-align: -2px">{_diamond(50.0, top="0")}</span> Peer median'
        )
    return (
        f'<div role="img" aria-label="{escape(_summary(names, scores, medians, peer_label, respondents))}" '
        'style="font-size: 15px; margin-bottom: 12px">'
        f'<div style="font-weight: 600; font-size: 16px; margin-bottom: 14px">{escape(_title(peer_label, respondents))}'
        "</div>"
        '<div style="display: grid; grid-template-columns: fit-content(45%) 1fr; column-gap: 10px; row-gap: 10px; '
        f'align-items: center; padding-right: 10px">{"".join(cells)}</div>'
        f'<div style="margin-top: 10px; color: #31333f">{key}</div></div>'
    )


def _share(value: float) -> str:
    """A 0-100 score as a CSS width on the 0-101 axis of make_pillars_vs_peers."""
    return f"{min(max(value, 0.0), 101.0) / 101 * 100:.2f}%"


def _diamond(value: float, top: str) -> str:
    """The peer median's black diamond with a white edge, centred on `value` (0-100) of a bar's track."""
    return (
        f'<div style="position: absolute; left: calc({_share(value)} - 8px); top: {top}; width: 16px; height: 16px; '
        'transform: rotate(45deg) scale(0.72); background: black; border: 2px solid white; box-sizing: border-box">'
        "</div>"
    )


def _summary(names: list[str], scores: list[float], medians: list[float], peer_label: str, respondents: int) -> str:
    """The chart in one sentence, for screen readers."""
    each = "; ".join(
        f"{n} {s:.0f}" + (f" (peer median {m:.0f})" if math.isfinite(m) else "")
        for n, s, m in zip(names, scores, medians, strict=True)
    )
    return f"{_title(peer_label, respondents)}: {each}."

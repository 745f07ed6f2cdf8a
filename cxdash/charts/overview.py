"""Charts for the board overview."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cxdash import theme
from cxdash.charts import figure, layout


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
            f"Pillar scores against {peer_label[:1].lower() + peer_label[1:]} median (n = {respondents} respondents)",
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

"""Pure chart builders: frames in, Plotly figures out. No Streamlit, no I/O.

Shared helpers live here; each page's charts live in a module of their own (charts.overview,
charts.maturity, ...). Every figure gets a title that says what it shows and its sample size.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cxdash import theme


def base_layout(fig: go.Figure, title: str, height: int = theme.CHART_HEIGHT) -> go.Figure:
    """Apply the house layout (title, fonts, margins, white background) to a new figure."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        font={"family": theme.FONT_FAMILY, "size": theme.FONT_SIZE},
        plot_bgcolor="white",
        paper_bgcolor="white",
        showlegend=False,
    )
    return fig


def make_stage_bar(latest: pd.DataFrame, stages: pd.DataFrame) -> go.Figure:
    """Bar chart of how many organisations are at each maturity stage (latest round)."""
    counts = latest["stage_level"].value_counts()
    levels = stages.sort_values("level")
    values = [int(counts.get(level, 0)) for level in levels["level"]]
    fig = go.Figure(
        go.Bar(
            x=levels["name"],
            y=values,
            text=values,
            textposition="outside",
            marker_color=[theme.STAGE_COLOURS.get(int(level), "#999999") for level in levels["level"]],
            hovertemplate="%{x}: %{y} organisations<extra></extra>",
        )
    )
    fig.update_yaxes(title="Organisations", gridcolor="#eeeeee", rangemode="tozero")
    fig.update_xaxes(title=None)
    return base_layout(fig, f"Organisations by maturity stage (n = {len(latest)})")

"""Pure chart builders: frames in, Plotly figures out. No Streamlit, no I/O.

Shared helpers live here; each page's charts live in a module of their own (charts.overview,
charts.maturity, ...). Every figure gets a title that says what it shows and its sample size.

Builders write a figure as plain dicts in Plotly's own JSON form (traces with a "type", a layout) and make it
with `figure`: Plotly then takes the dicts as they are, 1 to 2 ms a figure, where building it through
graph_objects' checked setters (go.Scatter, update_layout, make_subplots) took 10 to 70 ms, a fifth to a third
of an uncached page. The tests check every figure they build against Plotly's schema instead (VALIDATE).
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

from cxdash import theme

#: A "<" opening a tag other than the plain ones our charts use (and hover templates' <extra></extra>, which
#: hides the trace-name box): it would let a name become a link or styling.
_FOREIGN_TAG = re.compile(r"<(?=/?[a-z])(?!/?(?:b|br|i|em|sup|sub|extra)\s*/?>)", re.IGNORECASE)


def inert(fig: go.Figure) -> go.Figure:
    """`fig` with every tag but <b>, <br>, <i>, <em>, <sup>, <sub> (and <extra>) shown as text, not obeyed.

    Plotly renders a little HTML in titles, labels and hover text, links included; organisation, service and
    file names are data and must show as typed. Returns `fig` itself when there is nothing to neutralise, and
    marks it so: a figure shared between reruns (`ui.figure`; never changed after it is built) is checked once.
    """
    if getattr(fig, "_cxdash_inert", False):
        return fig
    spec = fig.to_plotly_json()
    if not _FOREIGN_TAG.search(json.dumps(spec, cls=PlotlyJSONEncoder)):  # the common case, at C speed
        fig._cxdash_inert = True
        return fig
    changed = [False]

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            if "<" in value and _FOREIGN_TAG.search(value):
                changed[0] = True
                return _FOREIGN_TAG.sub("&lt;", value)
            return value
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        if isinstance(value, np.ndarray) and value.dtype.kind in "OU":
            return np.array([clean(v) for v in value.ravel()], dtype=object).reshape(value.shape)
        return value

    cleaned = clean(spec)
    return figure(cleaned.get("data", []), cleaned.get("layout", {})) if changed[0] else fig


#: Set to "1", every figure is checked against Plotly's schema as it is made: an unknown property or a wrong value
#: raises. Off in the app (the dicts are taken as they are, see the module's docstring); tests/conftest.py turns it
#: on, so every figure the test suite builds, in its own process or a served app, is checked.
VALIDATE = "CXDASH_VALIDATE_CHARTS"


def figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A figure from traces and a layout written as plain dicts (Plotly's JSON form; each trace has a "type")."""
    return go.Figure({"data": data, "layout": layout}, _validate=os.environ.get(VALIDATE) == "1")


def layout(title: str, height: int = theme.CHART_HEIGHT, **parts: Any) -> dict[str, Any]:
    """The house layout (title, fonts, margins, white background) as a dict; `parts` are added to it, or replace
    its own whole (margin=... gives all four margins). Empty `shapes` and `annotations` lists are left out, as
    graph_objects' setters left them (given as they are, an empty list would be written into the figure)."""
    return {
        "title": {"text": title, "x": 0, "xanchor": "left"},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
        "font": {"family": theme.FONT_FAMILY, "size": theme.FONT_SIZE},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "showlegend": False,
        **{name: value for name, value in parts.items() if value != [] or name not in ("shapes", "annotations")},
    }


def make_stage_bar(latest: pd.DataFrame, stages: pd.DataFrame) -> go.Figure:
    """Bar chart of how many organisations are at each maturity stage (latest round)."""
    counts = latest["stage_level"].value_counts()
    levels = stages.sort_values("level")
    values = [int(counts.get(level, 0)) for level in levels["level"]]
    bar = {
        "type": "bar",
        "x": levels["name"].to_numpy(),
        "y": values,
        "text": [str(v) for v in values],  # as text, the way Plotly's setter stored the numbers
        "textposition": "outside",
        "marker": {"color": [theme.STAGE_COLOURS.get(int(level), "#999999") for level in levels["level"]]},
        "hovertemplate": "%{x}: %{y} organisations<extra></extra>",
    }
    return figure(
        [bar],
        layout(
            f"Organisations by maturity stage (n = {len(latest)})",
            xaxis={"title": {}},
            yaxis={"title": {"text": "Organisations"}, "gridcolor": "#eeeeee", "rangemode": "tozero"},
        ),
    )

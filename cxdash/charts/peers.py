"""Charts for the Peers page: where an organisation stands among its peer group."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cxdash import theme
from cxdash.charts import base_layout
from cxdash.peers import format_value

PEER_GREY = "#6b6b6b"
OWN_COLOUR = "#000000"
OWN_SYMBOL = "star"


def _row_colour(kind: str, item: str, sort_order: int) -> str:
    """Pillars keep their house colour; the overall score and feedback measures are grey."""
    if kind == "maturity" and item != "overall":
        return theme.pillar_colour(int(sort_order) - 1)
    return PEER_GREY


def _jitter(count: int) -> list[float]:
    """Vertical offsets that spread dots over three lanes so equal values stay visible."""
    return [((k % 3) - 1) * 0.13 for k in range(count)]


def _unit(headline: str) -> str:
    return "nps" if headline == "nps" else "share" if headline == "top2_share" else "score"


#: x-axis title and range per kind of figure: 0-100 scores, shares in %, NPS.
AXES = {
    "score": ("Score (0-100)", (-2, 102)),
    "share": ("% rating 4 or 5 out of 5", (-2, 102)),
    "nps": ("NPS: % scoring 9-10 minus % scoring 0-6", (-102, 102)),
}


def make_peer_strip(
    values: pd.DataFrame, rows: pd.DataFrame, org_id: str, names: dict[str, str], title: str
) -> go.Figure:
    """One line per figure: a dot per peer, the peer median as a tick, the organisation as a labelled star.

    values: Comparison.values rows (org_id, kind, item, value, headline); rows: `standing` rows to draw,
    top to bottom (kind, item, label, sort_order, value, median, headline). names: display name per org_id.
    Figures on different scales (0-100 scores and shares, NPS from -100 to +100) get a panel each.
    """
    units = list(dict.fromkeys(_unit(h) for h in rows["headline"]))
    panels = [rows[[_unit(h) == u for h in rows["headline"]]] for u in units]
    plot_height = 64 * len(rows) + 110 * (len(panels) - 1)  # 110 px between panels for the x-axis title
    height = 170 + plot_height
    fig = make_subplots(rows=len(panels), cols=1, row_heights=[len(p) for p in panels],
                        vertical_spacing=110 / plot_height if len(panels) > 1 else 0.0)  # fmt: skip
    traces, at = [], []
    for number, panel in enumerate(panels, start=1):
        drawn = _panel(fig, number, panel, values, org_id, names, first=number == 1)
        traces += drawn
        at += [number] * len(drawn)
    fig.add_traces(traces, rows=at, cols=[1] * len(at))  # at once: one add_trace per line is several times slower
    for number, unit in enumerate(units, start=1):
        axis_title, x_range = AXES[unit]
        fig.update_xaxes(title=axis_title, range=list(x_range), row=number, col=1)
    fig.update_xaxes(gridcolor="#e5e5e5", zeroline=False, title_font={"size": theme.FONT_SIZE - 1}, title_standoff=4)
    fig.update_yaxes(showgrid=False, zeroline=False, automargin=True)
    fig = base_layout(fig, title, height=height)
    fig.update_layout(
        showlegend=True,
        legend={"orientation": "h", "yanchor": "top", "y": -60 / plot_height, "x": 0},
        margin={"l": 10, "r": 10, "t": 60, "b": 70},
    )
    return fig


def _panel(
    fig: go.Figure, number: int, rows: pd.DataFrame, values: pd.DataFrame, org_id: str, names: dict, first: bool
) -> list[go.Scatter]:
    """One panel's traces (peers, median tick, the organisation's star) for subplot row `number`; sets its y axis."""
    count = len(rows)
    traces = []
    ys = [count - 1 - i for i in range(count)]
    for y, row in zip(ys, rows.to_dict("records"), strict=True):
        peers = values[(values["kind"] == row["kind"]) & (values["item"] == row["item"])]
        peers = peers[(peers["org_id"] != org_id) & peers["value"].notna()].sort_values("value")
        traces.append(
            go.Scatter(
                x=peers["value"], y=[y + d for d in _jitter(len(peers))], mode="markers", name="Peers",
                legendgroup="peers", showlegend=first and y == count - 1,
                marker={"size": 13, "color": _row_colour(row["kind"], row["item"], row["sort_order"]), "opacity": 0.8,
                        "line": {"color": "white", "width": 1}},
                customdata=[[names.get(o, o), format_value(v, row["headline"])]
                            for o, v in zip(peers["org_id"], peers["value"], strict=True)],
                hovertemplate=f"{row['label']}<br>%{{customdata[0]}}: %{{customdata[1]}}<extra></extra>",
            )
        )  # fmt: skip
    medians = rows["median"].astype(float)
    traces.append(
        go.Scatter(
            x=medians, y=ys, mode="markers", name="Peer median", legendgroup="median", showlegend=first,
            marker={"symbol": "line-ns-open", "size": 30, "color": OWN_COLOUR, "line": {"width": 3}},
            customdata=[format_value(v, h) for v, h in zip(medians, rows["headline"], strict=True)],
            hovertemplate="Peer median: %{customdata}<extra></extra>",
        )
    )  # fmt: skip
    own = [format_value(v, h) for v, h in zip(rows["value"], rows["headline"], strict=True)]
    traces.append(
        go.Scatter(
            x=rows["value"], y=ys, mode="markers+text", name=names.get(org_id, org_id), legendgroup="own",
            showlegend=first,
            marker={"symbol": OWN_SYMBOL, "size": 24, "color": OWN_COLOUR, "line": {"color": "white", "width": 1.5}},
            text=[f"<b>{v}</b>" for v in own], textposition="top center",
            textfont={"size": theme.FONT_SIZE, "color": OWN_COLOUR},
            hovertemplate=f"{names.get(org_id, org_id)}: %{{text}}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_yaxes(tickvals=ys, ticktext=list(rows["label"]), range=[-0.6, count - 0.25], row=number, col=1)
    return traces

"""Charts for the Peers page: where an organisation stands among its peer group."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cxdash import theme
from cxdash.charts import figure, layout
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
    spacing = 110 / plot_height if len(panels) > 1 else 0.0
    share = (1 - spacing * (len(panels) - 1)) / len(rows)  # of the plot's height, per line
    traces, axes, top = [], {}, 1.0
    values = values[values["value"].notna() & (values["org_id"] != org_id)]
    by_line = dict(iter(values.groupby(["kind", "item"], sort=False)))
    for number, (unit, panel) in enumerate(zip(units, panels, strict=True), start=1):
        suffix = "" if number == 1 else str(number)
        x_name, y_name = f"x{suffix}", f"y{suffix}"
        traces += _panel(panel, by_line, org_id, names, first=number == 1, axes=(x_name, y_name))
        axis_title, x_range = AXES[unit]
        axes[f"xaxis{suffix}"] = {
            "anchor": y_name, "domain": [0.0, 1.0], "range": list(x_range), "gridcolor": "#e5e5e5", "zeroline": False,
            "title": {"text": axis_title, "font": {"size": theme.FONT_SIZE - 1}, "standoff": 4},
        }  # fmt: skip
        ys = range(len(panel) - 1, -1, -1)
        axes[f"yaxis{suffix}"] = {
            "anchor": x_name, "domain": [max(top - share * len(panel), 0.0), top], "tickvals": list(ys),
            "ticktext": list(panel["label"]), "range": [-0.6, len(panel) - 0.25], "showgrid": False, "zeroline": False,
            "automargin": True,
        }  # fmt: skip
        top -= share * len(panel) + spacing
    return figure(
        traces,
        layout(
            title,
            height=170 + plot_height,
            showlegend=True,
            legend={"orientation": "h", "yanchor": "top", "y": -60 / plot_height, "x": 0},
            margin={"l": 10, "r": 10, "t": 60, "b": 70},
            **axes,
        ),
    )


def _panel(
    rows: pd.DataFrame, by_line: dict, org_id: str, names: dict, first: bool, axes: tuple[str, str]
) -> list[dict]:
    """One panel's traces (peers, median tick, the organisation's star) on the x and y axes `axes`.
    by_line: the peers' values (not the organisation's, no missing ones) per (kind, item)."""
    count = len(rows)
    on = {"xaxis": axes[0], "yaxis": axes[1]}
    traces = []
    ys = [count - 1 - i for i in range(count)]
    empty = pd.DataFrame({"org_id": [], "value": []})
    xs, ys_jittered, colours, custom = [], [], [], []
    for y, row in zip(ys, rows.to_dict("records"), strict=True):
        peers = by_line.get((row["kind"], row["item"]), empty).sort_values("value")
        xs += peers["value"].tolist()
        ys_jittered += [y + d for d in _jitter(len(peers))]
        colours += [_row_colour(row["kind"], row["item"], row["sort_order"])] * len(peers)
        custom += [[row["label"], names.get(o, o), format_value(v, row["headline"])]
                   for o, v in zip(peers["org_id"], peers["value"], strict=True)]  # fmt: skip
    traces.append(
        {
            "type": "scatter",
            "x": xs,
            "y": ys_jittered,
            "mode": "markers",
            "name": "Peers",
            "legendgroup": "peers",
            "showlegend": first,
            "marker": {"size": 13, "color": colours, "opacity": 0.8, "line": {"color": "white", "width": 1}},
            "customdata": custom,
            "hovertemplate": "%{customdata[0]}<br>%{customdata[1]}: %{customdata[2]}<extra></extra>",
            **on,
        }
    )  # one trace for every line's peers: a browser draws one trace of 2,000 dots sooner than 12 of 170
    medians = rows["median"].astype(float).to_numpy()
    traces.append(
        {
            "type": "scatter", "x": medians, "y": ys, "mode": "markers", "name": "Peer median",
            "legendgroup": "median", "showlegend": first,
            "marker": {"symbol": "line-ns-open", "size": 30, "color": OWN_COLOUR, "line": {"width": 3}},
            "customdata": [format_value(v, h) for v, h in zip(medians, rows["headline"], strict=True)],
            "hovertemplate": "Peer median: %{customdata}<extra></extra>",
            **on,
        }
    )  # fmt: skip
    own = [format_value(v, h) for v, h in zip(rows["value"], rows["headline"], strict=True)]
    traces.append(
        {
            "type": "scatter", "x": rows["value"].to_numpy(), "y": ys, "mode": "markers+text",
            "name": names.get(org_id, org_id), "legendgroup": "own", "showlegend": first,
            "marker": {"symbol": OWN_SYMBOL, "size": 24, "color": OWN_COLOUR, "line": {"color": "white", "width": 1.5}},
            "text": [f"<b>{v}</b>" for v in own], "textposition": "top center",
            "textfont": {"size": theme.FONT_SIZE, "color": OWN_COLOUR},
            "hovertemplate": f"{names.get(org_id, org_id)}: %{{text}}<extra></extra>",
            **on,
        }
    )  # fmt: skip
    return traces

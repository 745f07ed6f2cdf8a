"""Presentation mode, for a consultant presenting live on a projector: no Streamlit chrome, larger
type and charts, and the five board pages as numbered steps with Previous and Next.

It is switched on by the sidebar switch (key "present", bound to the URL as ?present=true) or by a
prepared link with ?present=1. Only this browser session changes: the page styling is CSS sent to it,
and charts are enlarged by `scale` as st.plotly_chart draws them for a presenting session (see
`_install_chart_scaling`), never through a process-wide setting such as Plotly's default template,
which every user would share.
"""

from __future__ import annotations

import functools
import math
import textwrap
from typing import Any, NamedTuple

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from cxdash import charts


class Step(NamedTuple):
    """One page of the presentation."""

    name: str
    script: str
    title: str


STEPS = [
    Step("overview", "pages/overview.py", "Overview"),
    Step("maturity", "pages/maturity.py", "Maturity"),
    Step("peers", "pages/peers.py", "Peers"),
    Step("trends", "pages/trends.py", "Trends"),
    Step("journeys", "pages/journeys.py", "Feedback and journeys"),
]
#: The switch's key and URL parameter (it writes ?present=true; a prepared link may say ?present=1).
PRESENT = "present"
TRUE = {"1", "true", "yes", "on"}
#: Streamlit sizes text in rem: a 24 px root (16 px normally) puts body text at 21 px.
ROOT_FONT_PX = 24
#: Plotly sizes in pixels set by the figure: `scale` multiplies them by this (as much as the text grows).
ZOOM = ROOT_FONT_PX / 16
#: Chart titles do not wrap by themselves: longer ones are broken into even lines.
TITLE_CHARS = 70
#: Streamlit's body text size: chart text the figure leaves to Streamlit's theme (ticks, axis titles,
#: legends; 12 px there) is set to this times the factor, as large as the text around the chart.
BODY_PX = 14
NO_AXES = {"pie", "sunburst", "treemap", "icicle", "funnelarea", "indicator", "sankey", "table"}

CSS = f"""
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stMainMenu"], [data-testid="stAppDeployButton"], #MainMenu, footer {{ display: none !important; }}
html {{ font-size: {ROOT_FONT_PX}px !important; }}
[data-testid="stMain"] .block-container {{ padding-top: 1.5rem; padding-bottom: 2rem; }}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > :has(> .st-key-present_controls),
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > .st-key-present_controls {{ order: 1; }}
.st-key-present_controls button {{ min-height: 3.4rem; }}
.st-key-present_controls button p {{ font-size: 1.25rem; }}
</style>
"""


def requested() -> bool:
    """Whether this run presents: the switch's value, else the URL (?present=1 or true), else as before."""
    if PRESENT in st.session_state:
        return bool(st.session_state[PRESENT])
    if PRESENT in st.query_params:
        return st.query_params[PRESENT].strip().lower() in TRUE
    return bool(st.session_state.get("presenting"))  # on a page without the switch, stay as we were


def start() -> bool:
    """Read the switch or URL before navigation is built, style the page when presenting, and return it.

    Also sets st.session_state["presenting"], which pages read (Peers anonymises peers by default).
    """
    presenting = requested()
    if presenting and (PRESENT not in st.session_state or PRESENT not in st.query_params):
        # Seed the switch: ?present=1 is not a value it parses (it writes ?present=true), and a page
        # without the switch drops its value. Setting it again also puts ?present=true back in the URL.
        st.session_state[PRESENT] = True
    st.session_state["presenting"] = presenting
    if presenting:
        st.html(CSS)
    return presenting


def goto(step: Step) -> None:
    """Switch to `step`'s page keeping the filters.

    The filters (and the switch) are widgets bound to the URL: Streamlit refuses to set or clear such
    parameters through st.switch_page, and carries their values across pages itself, writing them back
    into the new page's URL. So the switch passes no parameters: `{}` rather than None, which would
    try to clear the bound ones and fail.
    """
    st.switch_page(step.script, query_params={})


def leave() -> None:
    """Switch presentation mode off (a button callback: it runs before the switch is drawn)."""
    st.session_state[PRESENT] = False


def switch(bar: DeltaGenerator) -> bool:
    """The "Presentation mode" switch (for the sidebar), bound to the URL as ?present=true."""
    return bar.toggle(
        "Presentation mode",
        key=PRESENT,
        bind="query-params",
        help="For a projector: hides the menus and this sidebar, enlarges text and charts, and steps through "
        "Overview, Maturity, Peers, Trends and Feedback and journeys with Previous and Next (or the arrow keys).",
    )


def controls(page: str) -> None:
    """While presenting: Previous / Next (also the arrow keys), "Step 2 of 5" and a way out; nothing otherwise.

    Call it before the page's body, which may stop early (an empty state): CSS shows the controls at the foot.
    A page outside the sequence gets only the way out.
    """
    if not st.session_state.get("presenting"):
        return
    names = [step.name for step in STEPS]
    at = names.index(page) if page in names else None
    with st.container(key="present_controls"):
        st.divider()
        back, middle, forward = st.columns([1, 2, 1], vertical_alignment="center")
        if at is not None:
            middle.markdown(f"**Step {at + 1} of {len(STEPS)}**: {STEPS[at].title}", text_alignment="center")
        middle.button(
            "Leave presentation mode",
            key=f"{page}_present_leave",
            icon=":material/close_fullscreen:",
            type="tertiary",
            on_click=leave,
            width="stretch",
        )
        if at is None:
            return
        previous_step = STEPS[at - 1] if at > 0 else None
        next_step = STEPS[at + 1] if at + 1 < len(STEPS) else None
        if back.button(
            f"Previous: {previous_step.title}" if previous_step else "Previous",
            key=f"{page}_present_previous",
            icon=":material/arrow_back:",
            disabled=previous_step is None,
            shortcut="Left",
            width="stretch",
        ):
            goto(previous_step)
        if forward.button(
            f"Next: {next_step.title}" if next_step else "Next",
            key=f"{page}_present_next",
            icon=":material/arrow_forward:",
            icon_position="right",
            type="primary",
            disabled=next_step is None,
            shortcut="Right",
            width="stretch",
        ):
            goto(next_step)


def scale(fig: go.Figure, factor: float = ZOOM) -> go.Figure:
    """A copy of `fig` for a projector: fonts, marker sizes, line widths, margins and height times `factor`.

    Pure (no Streamlit). Data-space values (a bar's width in milliseconds, axis ranges) are left alone.
    """
    spec = fig.to_plotly_json()
    layout = spec.setdefault("layout", {})
    _grow(spec, factor, "")
    layout.setdefault("font", {}).setdefault("size", 12 * factor)  # Plotly's default, for figures that set none
    margin = layout.setdefault("margin", {})
    for side, value in margin.items():
        if isinstance(value, int | float):
            margin[side] = round(value * factor)
    if any(trace.get("type", "scatter") not in NO_AXES for trace in spec.get("data", [])):
        _size_axis_text(layout, factor)
    _wrap_title(layout, factor)
    if "height" in layout:
        layout["height"] = round(layout["height"] * factor)
    return charts.figure(spec.get("data", []), layout)


def _size_axis_text(layout: dict, factor: float) -> None:
    """Tick labels, axis titles and legends as large as body text, where the figure leaves them to Streamlit's
    chart theme (12 px, times the factor through the larger root font: smaller than the text around)."""
    size = round(BODY_PX * factor)
    layout.setdefault("xaxis", {}), layout.setdefault("yaxis", {})
    for name, axis in layout.items():
        if not (name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict)):
            continue
        axis.setdefault("tickfont", {}).setdefault("size", size)
        if isinstance(axis.get("title"), dict):
            axis["title"].setdefault("font", {}).setdefault("size", size)
            if "standoff" in axis["title"]:  # a set gap is measured from the axis line: clear the tick labels
                axis["title"]["standoff"] += size
    layout.setdefault("legend", {}).setdefault("font", {}).setdefault("size", size)


def _wrap_title(layout: dict, factor: float) -> None:
    """Break a long title into even lines in a top margin grown to hold them.

    At projector size a long title runs off a chart in a narrow column (titles do not wrap). Plotly centres
    the title in the top margin; a legend above the plot would collide with a taller title, so such charts
    (full-width ones here) are left as they are.
    """
    title, margin = layout.get("title", {}), layout["margin"]
    text = title.get("text") or ""
    if len(text) <= TITLE_CHARS or "<br>" in text or (layout.get("legend", {}).get("y") or 0) > 1:
        return
    lines = textwrap.wrap(text, math.ceil(len(text) / math.ceil(len(text) / TITLE_CHARS)) + 4)
    title["text"] = "<br>".join(lines)
    needed = round(1.3 * title.get("font", {}).get("size", layout["font"]["size"]) * len(lines)) + 24
    if margin.get("t", 100) < needed:
        layout["height"] = layout.get("height", 450) + (needed - margin.get("t", 100)) / factor
        margin["t"] = needed


def _grow(node: Any, factor: float, parent: str) -> None:
    """Scale pixel sizes in a figure's JSON in place: font and marker sizes, line widths, title standoffs."""
    if isinstance(node, list):
        for item in node:
            _grow(item, factor, parent)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "template":
            continue  # the template's own defaults: the figure's settings (scaled here) override them
        pixels = (
            (key == "size" and (parent.endswith("font") or parent == "marker"))
            or (key == "width" and parent == "line")
            or key == "standoff"
        )
        if pixels and value is not None and not isinstance(value, str | dict):
            node[key] = (
                [v * factor if isinstance(v, int | float) else v for v in value]
                if isinstance(value, list | tuple)
                else value * factor
            )
        else:
            _grow(value, factor, key)


def _install_chart_scaling() -> None:
    """Make st.plotly_chart draw scaled figures in the sessions that are presenting, and only in those (and
    draw every figure with tags in names neutralised: charts.inert).

    Pages stay as they are and charts stay pure. Rejected alternatives: setting Plotly's default template
    is process-wide (every user's charts would change); CSS zoom on a chart fights Streamlit's own sizing,
    which measures the zoomed chart and feeds that back into the figure's width and height, so the chart
    overflows its column and is cut off.
    """
    original = DeltaGenerator.plotly_chart
    if getattr(original, "scales_for_presentation", False):
        return  # already installed (the module was reloaded)

    @functools.wraps(original)
    def plotly_chart(self: DeltaGenerator, figure_or_data: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(figure_or_data, go.Figure):
            figure_or_data = charts.inert(figure_or_data)  # names are data: no links or styling from them
            if st.session_state.get("presenting"):
                figure_or_data = scale(figure_or_data)
        return original(self, figure_or_data, *args, **kwargs)

    plotly_chart.scales_for_presentation = True
    DeltaGenerator.plotly_chart = plotly_chart
    st.plotly_chart = st.plotly_chart.__self__.plotly_chart  # a method bound to the main area at import: rebind


_install_chart_scaling()

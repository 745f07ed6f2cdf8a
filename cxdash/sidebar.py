"""The shared sidebar: framework, organisation, peer group, period, and on feedback pages service,
channel and stage. Every filter is bound to the URL, so a copied link reproduces the view."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cxdash import filters as f
from cxdash import presentation, reference, ui
from cxdash.labels import unique_names

#: Pages (by URL path) that also filter by service, channel and journey stage.
FEEDBACK_PAGES = {"journeys", "trends", "data"}


def draw(page: str) -> f.Filters:
    """Draw the filters for `page` and return the chosen view (also kept in session state).

    Also the presentation-mode switch, and while presenting the step controls: drawn here, before the page
    body, so that a page which stops early (an empty state) still has them; CSS shows them at its foot.
    """
    presentation.controls(page)
    orgs = ui.cached(reference.organisations)
    frameworks = ui.cached(reference.frameworks)
    periods = ui.cached(reference.periods)
    bar = st.sidebar
    if orgs.empty:
        bar.info("No organisations yet. Import some on the Data page.")
        chosen = f.Filters(framework_id=_framework(bar, frameworks), org_id=None)
        presentation.switch(bar)
        st.session_state["filters"] = chosen
        return chosen

    # The URL holds the label, so labels must be unique: a name shared by two organisations gets its id added.
    names = unique_names(list(orgs["org_id"]), [str(n) for n in orgs["name"]])
    org_id = bar.selectbox("Organisation", list(names), format_func=names.get, key="org", bind="query-params")
    peer_group = bar.selectbox(
        "Compare with",
        list(f.PEER_GROUPS),
        format_func=f.PEER_GROUPS.get,
        key="peers",
        bind="query-params",
        help="Peer group for medians, percentiles and league tables.",
    )
    framework_id = _framework(bar, frameworks)
    start, end = _period(bar, periods)
    service_id = channel = stage = None
    if page in FEEDBACK_PAGES:
        service_id, channel, stage = _feedback_filters(bar, org_id)
    presentation.switch(bar)
    chosen = f.Filters(
        framework_id, org_id, peer_group, start, end, service_id, channel, stage, grain_months=f.grain_months(periods)
    )
    st.session_state["filters"] = chosen
    return chosen


def _framework(bar: st.delta_generator.DeltaGenerator, frameworks: pd.DataFrame) -> str | None:
    if frameworks.empty:
        return None
    ids = list(frameworks["framework_id"])
    if len(ids) == 1:
        return ids[0]
    names = dict(zip(frameworks["framework_id"], frameworks["name"], strict=True))
    return bar.selectbox("Maturity framework", ids, format_func=names.get, key="framework", bind="query-params")


def _period(bar: st.delta_generator.DeltaGenerator, periods: pd.DataFrame) -> tuple:
    if periods.empty:
        return None, None
    starts = sorted(pd.to_datetime(periods["period_start"]).dt.date.unique())
    quarterly = f.grain_months(periods) == 3
    default = f.default_window(periods)
    if len(starts) == 1:
        return starts[0], starts[0]
    start, end = bar.select_slider(
        "Feedback period",
        options=starts,
        value=default,
        key="period",
        bind="query-params",
        format_func=lambda d: f.period_label(d, quarterly),
        help="Feedback figures cover these periods; changes compare with the same length of time just before.",
    )
    return start, end


def _feedback_filters(bar: st.delta_generator.DeltaGenerator, org_id: str) -> tuple:
    labels = ui.cached(reference.code_labels)
    services = ui.cached(reference.services, org_id)
    service_names = dict(zip(services["service_id"], services["name"], strict=True))
    service_id = bar.selectbox(
        "Service",
        [None, *service_names],
        key="service",
        bind="query-params",
        format_func=lambda s: "All services" if s is None else service_names[s],
    )
    channels = labels.get("channel", {})
    channel = bar.selectbox(
        "Channel",
        [None, *channels],
        key="channel",
        bind="query-params",
        format_func=lambda c: "All channels" if c is None else channels[c],
    )
    stages = labels.get("stage", {})
    stage = bar.selectbox(
        "Journey stage",
        [None, *stages],
        key="stage",
        bind="query-params",
        format_func=lambda s: "All stages" if s is None else stages[s],
    )
    return service_id, channel, stage

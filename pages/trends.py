"""Trends: a feedback measure over time against peers, the channel mix, and maturity across assessment rounds."""

import streamlit as st

from cxdash import peers, reference, trends, ui
from cxdash.charts import trends as charts
from cxdash.labels import md

ui.through_app()  # reruns through app.py if Streamlit started this page alone

f = ui.filters()
st.title("Trends")
if f.org_id is None:
    st.info("No organisations yet. Import organisations and feedback on the Data page to see trends.")
    st.stop()
orgs = ui.cached(reference.organisations)
org_name = orgs.set_index("org_id").loc[f.org_id, "name"]
st.caption(
    f"{md(org_name)} over the whole history held. The period chosen in the sidebar is shaded; the service, "
    "channel and journey stage filters apply to the feedback charts."
)

st.subheader("Citizen feedback over time")
available = ui.cached(trends.measures, f.org_id)
if available.empty:
    st.info(f"No citizen feedback for {md(org_name)} yet. Import score distributions on the Data page.")
else:
    labels = dict(zip(available["measure"], available["label"], strict=True))
    grains = trends.grains(ui.cached(reference.periods))
    left, right, _ = st.columns([2, 2, 3])
    measure = left.selectbox("Measure", list(labels), format_func=labels.get, key="trends_measure", bind="query-params")
    grain = right.radio(
        "Show by",
        grains,
        format_func=trends.GRAINS.get,
        key="trends_grain",
        horizontal=True,
        bind="query-params",
        disabled=len(grains) == 1,
        help="Quarters add up the months' answers. Quarterly data can only be shown by quarter.",
    )
    trend = ui.cached(trends.series, f.org_id, measure, grain, f.peer_group, f.service_id, f.channel, f.stage)
    if trend.empty or trend["n"].sum() == 0:
        st.info(
            f"No answers about {labels[measure].lower()} match these filters. Choose another service, channel "
            "or journey stage in the sidebar."
        )
    else:
        group = peers.group_label(orgs, f.org_id, f.peer_group)
        window = trends.window_periods(f.start, f.end, grain)
        fig = ui.figure(
            charts.make_feedback_trend,
            trend,
            labels[measure],
            grain,
            window,
            org_name,
            f"Peer median: {group[0].lower()}{group[1:]}",
        )
        st.plotly_chart(fig, key="trends_feedback")
        st.markdown(md(trends.describe_feedback(trend, labels[measure], org_name, grain)))  # plain sentences
        st.caption(trends.describe_shifts(trend, grain))
        st.caption(md(trends.describe_peers(trend, org_name, group, grain, f.service_id is not None)))
        hidden = trends.describe_hidden(trend, grain)
        if hidden:
            st.caption(hidden)

    st.subheader("How people reached you")
    mix = ui.cached(trends.channel_mix, f.org_id, measure, grain, f.service_id, f.stage)
    if mix.empty:
        st.info(f"Too few answers about {labels[measure].lower()} with these filters to show the channel mix.")
    else:
        st.plotly_chart(ui.figure(charts.make_channel_mix, mix, grain), key="trends_channels")
        st.markdown(trends.describe_mix(mix, grain))
        st.caption(
            f"Counted from answers about {labels[measure].lower()}; the sidebar's channel filter is ignored "
            "here so every channel shows."
        )

st.subheader("Maturity across assessment rounds")
rounds = ui.cached(trends.maturity_rounds, f.framework_id, f.org_id) if f.framework_id else None
if rounds is None or rounds.empty:
    st.info(
        f"No maturity assessments yet for {md(org_name)}. Import a self-assessment on the Data page to track "
        "maturity round by round."
    )
else:
    stages = ui.cached(trends.stages, f.framework_id)
    st.plotly_chart(ui.figure(charts.make_maturity_rounds, rounds, stages), key="trends_maturity")
    st.markdown(trends.describe_maturity(rounds))

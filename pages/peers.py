"""Peers: where the organisation stands in its peer group on maturity and citizen feedback, and a league table."""

import streamlit as st

from cxdash import peers, reference, ui
from cxdash.charts.peers import make_peer_strip
from cxdash.filters import grain_months, window_label
from cxdash.labels import md

ui.through_app()  # reruns through app.py if Streamlit started this page alone

f = ui.filters()
st.title("Peers")
comp = ui.cached(peers.comparison, f.framework_id, f.org_id, f.peer_group, f.start, f.end) if f.org_id else None
if comp is None:
    st.info("Choose an organisation in the sidebar, or import data on the Data page.")
    st.stop()

quarterly = grain_months(ui.cached(reference.periods)) == 3
period = window_label(f.start, f.end, quarterly) if f.start else None
table = comp.standing
st.markdown(peers.describe(comp, period))
measures = comp.measures()
left, right = st.columns([2, 3], vertical_alignment="bottom")
measure = (
    left.selectbox(
        "Feedback measure in the league table",
        list(measures),
        format_func=measures.get,
        key="peers_measure",
        bind="query-params",
    )
    if measures
    else None
)
anonymise = (right if measures else left).toggle(
    "Anonymise peer names",
    value=bool(st.session_state.get("presenting")),
    key="peers_anonymise",
    bind="query-params",
    help="Show peers as Peer A, Peer B ... (in rank order). Your organisation keeps its name.",
)
ranked = peers.league(comp, measure)
names = peers.display_names(ranked, f.org_id, anonymise)

st.subheader("Where we stand")
note = None
if table.empty:
    st.info(f"No maturity assessment or citizen feedback for {md(comp.name)} to compare yet.")
else:
    note = peers.common_note(table, f.peer_group, comp.min_n)
    if note:
        st.warning(md(note))
    st.dataframe(
        peers.standing_table(table, f.peer_group, comp.min_n),
        hide_index=True,
        height="content",
        placeholder="–",
        key="peers_standing",
        column_config={
            "Percentile": st.column_config.ProgressColumn(
                "Percentile",
                min_value=0,
                max_value=100,
                format="%.0f",
                help="Share of peers below us (ties count half): 100 = ahead of every peer.",
            )
        },
    )
    st.caption(md(peers.standing_caption(comp)))

for kind in ("maturity", "feedback"):
    reason = peers.blank_reason(comp, table, kind, period)
    if reason is not None and reason == note:
        continue  # already said above the table
    st.subheader("Maturity scores among peers" if kind == "maturity" else "Citizen feedback among peers")
    if reason:
        st.info(md(reason))
        continue
    rows = table[(table["kind"] == kind) & table["percentile"].notna()]
    st.plotly_chart(
        ui.figure(make_peer_strip, comp.values, rows, f.org_id, names, peers.strip_title(comp, rows, period)),
        key=f"peers_{kind}",
        config={"displayModeBar": False},
    )
    st.caption(md(peers.strip_caption(comp, rows, kind)))

st.subheader("League table")
if ranked.empty:
    st.info("No organisations in this peer group.")
else:
    st.dataframe(
        peers.league_table(ranked, names, f.org_id, measures.get(measure), comp.assessed),
        hide_index=True,
        height="content" if len(ranked) <= 20 else 600,
        placeholder="–",
        key="peers_league",
        column_config={"Responses": st.column_config.NumberColumn(format="localized")},
    )
    st.caption(md(peers.league_caption(comp, measures.get(measure), period, anonymise)))

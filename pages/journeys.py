"""Feedback and journeys, for CX champions: where the journey dips, stage x channel, services, and comments."""

import streamlit as st

from cxdash import config, journeys, ui
from cxdash.charts.journeys import make_journey_curve, make_stage_channel_heatmap

ui.through_app()  # reruns through app.py if Streamlit started this page alone

f = ui.filters()
st.title("Feedback and journeys")
options = ui.cached(journeys.measures, f.org_id) if f.org_id and f.start else None
if options is None or options.empty:
    st.info(
        "No citizen feedback for this organisation yet. Import feedback on the Data page, or choose another "
        "organisation in the sidebar."
    )
    st.stop()

min_n, names = config.min_n(), dict(zip(options["measure"], options["label"], strict=True))
top = st.container()
st.subheader("By stage, channel and service")
measure = st.selectbox(
    "Measure",
    list(names),
    format_func=names.get,
    key="journeys_measure",
    bind="query-params",
    index=list(names).index("satisfaction") if "satisfaction" in names else 0,
    width=320,
)
view = ui.cached(journeys.build, f, measure)

top.caption(view.scope)
if view.curve.empty:
    top.info(
        "This data has no journey stages recorded: its feedback is about the service as a whole, so there "
        "is no journey curve to draw. The grid below still compares channels."
    )
else:
    top.plotly_chart(
        ui.figure(make_journey_curve, view.curve, ui.cached(journeys.stages), f.stage, min_n), key="journeys_curve"
    )
    top.markdown(f"**{view.dip}**" if view.dip else "Too few responses to compare the stages.")
    top.caption(view.curve_note)

if view.heatmap.empty:
    st.info(f"No {view.measure_label.lower()} feedback for these filters.")
else:
    st.plotly_chart(
        ui.figure(make_stage_channel_heatmap, view.heatmap, view.measure_label, f.stage, f.channel, min_n),
        key="journeys_heatmap",
    )
    st.caption(view.heatmap_note)
st.markdown(f"**Services ranked by {view.measure_label.lower()}**, {view.window}")
if view.league.empty:
    st.info(f"No {view.measure_label.lower()} feedback for these filters.")
else:
    table = journeys.league_table(view.league, min_n, f.service_id)
    figure, nps = table.columns[2], table.columns[2] == "NPS"
    st.dataframe(
        table,
        hide_index=True,
        key="journeys_league",
        column_config={
            figure: st.column_config.ProgressColumn(
                figure, format="%+.0f" if nps else "%.0f%%", min_value=-100 if nps else 0, max_value=100
            ),
            "Responses": st.column_config.NumberColumn(format="localized"),
        },
    )
    st.caption(view.league_note)

st.subheader("What people said")
search = st.text_input(
    "Search the comments",
    key="journeys_search",
    bind="query-params",
    placeholder="A word or phrase, e.g. on hold",
    width=480,
)
if st.session_state.get("journeys_view") != (f, search):  # new filters or search: back to the first page
    st.session_state["journeys_view"], st.session_state["journeys_limit"] = (f, search), journeys.PAGE_SIZE
page = ui.cached(journeys.comments, f, search, st.session_state["journeys_limit"])
if page.total == 0:
    st.info(journeys.NO_MATCHES if search.strip() else journeys.NO_COMMENTS)
    st.stop()
st.caption(journeys.comment_caption(len(page.rows), page.total, bool(search.strip())))
table = journeys.comment_table(page.rows)
widths = journeys.comment_widths(table)
columns = {c: st.column_config.Column(width=w) for c, w in widths.items()}
columns["Date"] = st.column_config.DateColumn(format="D MMM YYYY", width=widths["Date"])
st.dataframe(
    table,
    hide_index=True,
    key="journeys_comments",
    row_height=76,
    height=min(660, 44 + 76 * len(table)),
    column_config=columns,
)
if len(page.rows) < page.total:
    st.button(
        f"Show {journeys.PAGE_SIZE} more",
        key="journeys_more",
        on_click=lambda: st.session_state.update(
            journeys_limit=st.session_state["journeys_limit"] + journeys.PAGE_SIZE
        ),
    )

"""Insight: what to fix first, what drives the outcomes (key drivers), and what people write about (themes)."""

import streamlit as st

from cxdash import config, filters, ui
from cxdash.charts.insight import make_importance_matrix, make_theme_bars, make_theme_mix, make_theme_trend
from cxdash.insight import drivers, priorities, themes
from cxdash.labels import md

ui.through_app()  # reruns through app.py if Streamlit started this page alone

f = ui.filters()
st.title("Insight")
outcomes = ui.cached(drivers.outcome_options, f) if f.org_id else []
if not outcomes:
    st.info(
        "Nothing to analyse yet: insight needs citizen feedback with satisfaction or trust scores. Import feedback "
        "on the Data page, or choose another organisation in the sidebar."
    )
    st.stop()

left, middle, right = st.columns([3, 2, 2])
scope = left.radio("Analyse", list(drivers.SCOPES), format_func=drivers.SCOPES.get, horizontal=True,
                   key="insight_scope", bind="query-params")  # fmt: skip
window = middle.selectbox("Estimate from", list(drivers.WINDOWS), format_func=drivers.WINDOWS.get,
                          key="insight_window", bind="query-params")  # fmt: skip
outcome = right.selectbox("Outcome", outcomes, format_func=str.capitalize, key="insight_outcome", bind="query-params")

st.subheader("What to fix first")
items = ui.cached(priorities.fix_first, f)
if items.empty:
    st.info(priorities.empty_message(items))
else:
    st.container(border=True).markdown(priorities.as_markdown(items.head(5)))
    if len(items) > 5:
        st.expander(f"{len(items) - 5} more").markdown(priorities.as_markdown(items.iloc[5:]))
st.caption(priorities.rule())

result = ui.cached(drivers.analyse, f, outcome, scope, window)
st.subheader(f"What drives {result.outcome_label.lower()}")
if not result.ok:
    st.info(md(result.reason))  # plain sentences naming the organisation or peer group: shown as written
else:
    if result.note:
        st.info(md(result.note))
    st.markdown(drivers.headline(result))
    figure = ui.figure(make_importance_matrix, result.table, result.outcome_label, result.cells, result.respondents)
    st.plotly_chart(figure, key="insight_matrix")
    st.caption(drivers.matrix_caption(result))
    st.caption(md(f"{result.method} Sample: {result.sample}"))
    with st.expander("Drivers in detail"):
        st.dataframe(drivers.detail_table(result), hide_index=True, key="insight_drivers")
        for sentence in result.left_out:
            st.caption(sentence)

st.subheader("What people write about")
view = ui.cached(themes.summarise, f, scope, window)
if not view.ok:
    st.info(md(view.reason))
    st.stop()
if view.note:
    st.info(md(view.note))
st.markdown(themes.headline(view))
min_n, few = config.min_n(), themes.few_note(view)
st.plotly_chart(ui.figure(make_theme_bars, view.table, view.comments, min_n), key="insight_themes")
st.caption(
    f"Comments from {md(view.scope_label)}, {view.window_label}. Each bar is a theme the model found, labelled by its "
    f"top words; segments show the share of its comments that read as negative, neutral or positive. {view.method}"
)
stage_tab, channel_tab = st.tabs(["By journey stage", "By channel"])
if view.by_stage["stage"].nunique() > 1:
    stage_mix = ui.figure(make_theme_mix, view.by_stage, "stage", "journey stage", view.comments, min_n)
    stage_tab.plotly_chart(stage_mix, key="insight_stage")
    stage_tab.caption(
        f"Each row adds up to 100%: where that theme's comments come from; compare with the last row. {few}"
    )
else:
    stage_tab.info("These comments record no journey stage, so themes cannot be placed along the journey.")
channel_mix = ui.figure(make_theme_mix, view.by_channel, "channel", "channel", view.comments, min_n)
channel_tab.plotly_chart(channel_mix, key="insight_channel")
channel_tab.caption(f"Each row adds up to 100%: the channels that theme's comments came through. {few}")

labels = dict(zip(view.table["theme"], view.table["label"], strict=True))
chosen = st.selectbox("Read a theme", list(labels), format_func=labels.get, key="insight_theme", width=420)
row = view.table.set_index("theme").loc[chosen]
for quote in row["quotes"]:
    st.markdown(f"> {md(quote)}")
trend = view.trend[view.trend["theme"] == chosen]
quarters = [filters.period_label(q, quarterly=True) for q in trend["quarter"]]
st.plotly_chart(ui.figure(make_theme_trend, trend, labels[chosen], quarters, min_n), key="insight_trend")
st.caption(
    f"Quarters with fewer than {min_n} comments in all are marked 'too few'. "
    + themes.change_sentence(labels[chosen], ui.pure(themes.change, view.trend, chosen))
)
comments = ui.cached(themes.theme_comments, f, view.scope, window, int(chosen))
st.caption(f"{int(row['comments']):,} comments in this theme, most typical first (up to 200 shown).")
widths = {c: st.column_config.Column(width=w) for c, w in themes.COMMENT_WIDTHS.items()}
st.dataframe(comments, hide_index=True, key="insight_comments", row_height=76, column_config=widths)

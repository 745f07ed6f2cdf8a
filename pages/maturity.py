"""Maturity: one organisation's assessment round, pillar by pillar: scores and stages, the spread of
answers to each statement, how respondent roles see it, and the next step for each pillar."""

import pandas as pd
import streamlit as st

from cxdash import labels, maturity, ui
from cxdash.charts import maturity as charts

ui.through_app()  # reruns through app.py if Streamlit started this page alone

f = ui.filters()
head, pick = st.columns([3, 1], vertical_alignment="bottom")
head.title("Maturity")
if f.framework_id is None or f.org_id is None:
    st.info(maturity.empty_message(f.framework_id, f.org_id))
    st.stop()
dates = ui.cached(maturity.round_dates, f.framework_id, f.org_id)
if not dates:
    st.info(ui.cached(maturity.empty_message, f.framework_id, f.org_id))
    st.stop()

chosen = pick.selectbox(
    "Assessment round",
    dates,
    key="maturity_round",
    bind="query-params",
    format_func=lambda d: f"{pd.Timestamp(d):%-d %b %Y}" + (" (latest)" if d == dates[0] else ""),
)
report = ui.cached(maturity.round_report, f.framework_id, f.org_id, chosen)
st.markdown(maturity.summary_line(report))

left, right = st.columns([3, 2], gap="large")
with left:
    figure = ui.figure(
        charts.make_pillar_bars,
        report.pillars,
        report.stages,
        report.overall["respondents"],
        f"{report.round_date:%b %Y}",
    )
    st.plotly_chart(figure, key="maturity_pillars")
    st.caption(
        "Each pillar's score is the average of its statements' mean answers on 0-100 (1 = 0, 3 = 50, "
        "5 = 100). Dotted lines mark where each stage starts"
        + ("; the black tick is the previous round." if report.previous_date else ".")
    )
with right:
    overall = report.overall
    st.metric(
        "Overall score",
        overall["score_label"],
        delta=overall["change_label"],
        delta_color="normal" if overall["change_significant"] else "off",
    )
    st.subheader(f"Stage: {overall['stage_name'] or 'not scored'}")
    st.markdown(maturity.stage_ladder(report.stages, overall["stage_level"]))
    if overall["descriptor"]:
        st.markdown(f"*{overall['descriptor']}*")

st.subheader("Next step for each pillar")
st.caption("Weakest pillar first; each step is the framework's recommendation for the stage the pillar is at now.")
for step in report.plan.to_dict("records"):
    st.markdown(f"- **{step['name']}**: {labels.step_summary(step)}. {step['text']}")

st.subheader("Statements in a pillar")
names = dict(zip(report.statements["pillar_id"], report.statements["name"], strict=False))
pillar = st.selectbox("Pillar", list(names), format_func=names.get, key="maturity_pillar", bind="query-params")
rows = report.statements[report.statements["pillar_id"] == pillar]
if rows["respondents"].sum() == 0:
    st.info(f"Nobody answered the {names[pillar]} statements in this round.")
else:
    st.plotly_chart(ui.figure(charts.make_answer_spread, rows, report.scale, names[pillar]), key="maturity_spread")
    st.caption(
        "Each bar splits one statement's answers across the framework's scale, as a share of the people "
        "who answered it (n at the end of each bar). The table gives each statement in full."
    )
st.table(maturity.statement_table(rows), hide_index=True)

st.subheader("How different roles see it")
gap = maturity.largest_gap(report.roles)
st.markdown(f"**{maturity.gap_sentence(gap)}**")
if gap is not None:
    st.plotly_chart(ui.figure(charts.make_role_gap, report.roles), key="maturity_roles")
    st.caption(
        "Each marker is one role's score for a pillar (shape and colour mark the role); the grey bar and "
        "'gap' show how far apart the highest and lowest roles are."
    )
if note := maturity.hidden_note(report.roles):
    st.caption(note)

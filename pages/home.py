"""Home: what the database holds, where organisations stand, and citizen feedback at a glance."""

import pandas as pd
import streamlit as st

from cxdash import charts, feedback, labels, ui

st.title("Customer experience maturity")
st.caption("How customer-centric public bodies are, from maturity assessments and citizen feedback.")

if ui.database_ready():
    summary = ui.summary()
    counts = dict(zip(summary.tables["table"], summary.tables["rows"], strict=True))
    respondents = int(summary.coverage["satisfaction_responses"].sum()) if not summary.coverage.empty else 0
    cols = st.columns(4)
    cols[0].metric("Organisations", f"{counts['organisations']:,}")
    cols[1].metric("Services", f"{counts['services']:,}")
    cols[2].metric("Assessment answers", f"{counts['assessment_responses']:,}")
    cols[3].metric("Feedback respondents", f"{respondents:,}")

    st.subheader("Citizen feedback, latest 12 months, all organisations")
    if summary.coverage.empty:
        st.info("No feedback yet. Import survey responses or published distributions with `python -m cxdash import`.")
    else:
        end = pd.Timestamp(summary.coverage["last_period"].max()).date()
        start = (pd.Timestamp(end) - pd.DateOffset(months=11)).date()
        measures = ui.measure_summary(start, end)
        shown = measures[measures["family"].isin(["outcome", "three_es", "recommend"])]
        tiles = st.columns(max(len(shown), 1))
        for tile, row in zip(tiles, shown.to_dict("records"), strict=False):
            value, note = feedback.headline(pd.Series(row))
            tile.metric(row["label"], value, help=note)
            tile.caption(note)
        st.caption(
            f"Periods starting {start:%B %Y} to {end:%B %Y}. Percentages are the share answering 4 or 5 "
            "on a 1-5 scale; NPS is the share scoring 9-10 minus the share scoring 0-6."
        )

    if summary.frameworks.empty:
        st.info("No maturity framework is loaded. Run `python -m cxdash frameworks`.")
    for framework in summary.frameworks.itertuples():
        latest = ui.latest_maturity(framework.framework_id)
        st.subheader(f"Maturity: {framework.name}")
        if latest.empty:
            st.info("No assessments yet for this framework. Import answers with `python -m cxdash import`.")
            continue
        left, right = st.columns([2, 3])
        left.plotly_chart(
            charts.make_stage_bar(latest, ui.stages(framework.framework_id)),
            key=f"home_stages_{framework.framework_id}",
        )
        left.caption("Each organisation counted once, at the stage of its most recent assessment round.")
        right.dataframe(
            latest[["name", "sector", "round_date", "respondents", "score_100", "stage_name"]].assign(
                sector=latest["sector"].map(labels.sector)
            ),
            hide_index=True,
            column_config={
                "name": "Organisation",
                "sector": "Sector",
                "round_date": st.column_config.DateColumn("Latest round"),
                "respondents": st.column_config.NumberColumn("Respondents"),
                "score_100": st.column_config.ProgressColumn(
                    "Score (0-100)", min_value=0, max_value=100, format="%.0f"
                ),
                "stage_name": "Stage",
            },
            height=420,
        )
    if not summary.consistent:
        st.warning("The database has inconsistencies: run `python -m cxdash check` for details.")

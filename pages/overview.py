"""Overview for the board: score, stage, pillars against peers, feedback KPIs and what to do next."""

import functools

import streamlit as st

from cxdash import config, labels, overview, report, ui
from cxdash.charts.overview import make_pillars_vs_peers, pillars_vs_peers_html
from cxdash.filters import window_label
from cxdash.insight import priorities

ui.through_app()  # reruns through app.py if Streamlit started this page alone

TOP = 5  # items of the fix-first list shown; the Insight page lists them all

f = ui.filters()
view = ui.cached(overview.build, f) if f.org_id else None
if view is None:
    st.title("Overview")
    st.info("Choose an organisation in the sidebar, or import data on the Data page.")
    st.stop()

org = view.org
st.title(labels.md(org["name"]))
st.caption(
    f"{labels.md(labels.sector(org['sector']))} · {labels.md(org['region'])} · {labels.md(org['size_band'])} · "
    f"compared with {labels.md(view.peer_phrase)}: {view.peer_count} other organisations"
)

tiles = st.columns(4)
if view.assessed:
    tiles[0].metric(
        "Customer-centricity score",
        f"{view.score:.0f} / 100",
        delta=view.change.describe() if view.change.change is not None else None,
        delta_color="normal" if view.change.significant else "off",
    )
    tiles[1].metric("Maturity stage", view.stage["name"], help=view.stage["descriptor"])
    tiles[1].caption(view.stage["descriptor"])
    if view.position and view.position.enough:
        tiles[2].metric(
            "Position among peers",
            f"{labels.ordinal(view.position.percentile)} percentile",
            help=view.position.describe(),
        )
        tiles[2].caption(view.position.describe())
    else:
        tiles[2].metric("Position among peers", "too few peers")
        tiles[2].caption(view.position.describe() if view.position else "No peers have been assessed.")
    tiles[3].metric("Assessed", f"{view.round_date:%d %b %Y}")
    tiles[3].caption(f"{view.respondents} people answered")
else:
    tiles[0].metric("Customer-centricity score", "not assessed yet")
    tiles[0].caption("No maturity assessment for this organisation yet.")

left, right = st.columns([5, 6], gap="large")
with left:
    if view.assessed:
        if st.session_state.get("presenting"):  # Plotly, enlarged for the projector
            st.plotly_chart(
                ui.figure(make_pillars_vs_peers, view.pillars, view.peer_label, view.respondents),
                key="overview_pillars",
                config={"displayModeBar": False},
            )
        else:  # drawn by the browser at once: no Plotly script to load on the page opened first
            chart = ui.pure(pillars_vs_peers_html, view.pillars, view.peer_label, view.respondents)
            st.markdown(chart, unsafe_allow_html=True)
        weakest = view.pillars.sort_values("score_100").iloc[0]
        st.caption(
            f"Each bar is a pillar's score from the latest assessment; the diamond is the median of "
            f"{view.peer_phrase}. Weakest: {weakest['name']} ({weakest['score_100']:.0f})."
        )
    else:
        st.info("Pillar scores appear here after the first maturity assessment.")
with right:
    st.subheader(f"Citizen feedback, {window_label(f.start, f.end)}" if f.start else "Citizen feedback")
    if view.kpis.empty:
        st.info("No citizen feedback for this organisation in the chosen period.")
    else:
        cells = st.columns(3)
        for i, k in enumerate(view.kpis.to_dict("records")):
            ui.kpi_tile(cells[i % 3], k)
        st.caption(
            "Share rating 4 or 5 out of 5 (NPS: % scoring 9-10 minus % scoring 0-6), compared with the "
            "same length of time just before. Changes are called up or down only when beyond noise "
            "(95% test); fewer than the minimum responses are not shown."
        )

st.subheader("What to fix first")
items = ui.cached(priorities.fix_first, f)  # shared with the Insight page's list
if items.empty:
    st.info(priorities.empty_message(items))
else:
    st.caption(
        "Maturity gaps and citizen-feedback evidence in one list, most urgent first, each with the numbers behind "
        "it. The Insight page explains the drivers and comment themes."
    )
    st.container(border=True).markdown(priorities.as_markdown(items.head(TOP)))
    st.expander("How this list is ranked").markdown(priorities.rule())
if not view.next_steps.empty:
    with st.expander("The framework's next step for the pillars that would lift the overall score most"):
        for step in view.next_steps.to_dict("records"):
            st.markdown(f"**{step['name']}**: {labels.step_summary(step)}. {step['text']}")
if not st.session_state.get("presenting"):
    st.subheader("Board pack")
    if not report.chromium_available():
        st.info(report.MISSING)
    else:
        st.caption(
            "This overview with peer position, trends and recommendations, for the organisation, peer group and "
            "period chosen, as a PDF (A4 landscape) or PowerPoint (16:9). Made when you click: about 5 seconds."
        )
        row = st.container(horizontal=True)
        for fmt, label in zip(report.FORMATS, ["PDF", "PowerPoint"], strict=True):
            row.download_button(
                f"Download {label}",
                data=functools.partial(report.build_pack, f, fmt, config.db_path()),
                file_name=report.file_name(str(org["name"]), fmt),
                mime=report.FORMATS[fmt],
                key=f"overview_pack_{fmt}",
                icon=":material/download:",
                on_click="ignore",
            )

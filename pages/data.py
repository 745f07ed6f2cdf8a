"""Data: import a file (checked first, written on confirmation), see what the database holds, and
download the figures behind the current view as CSV."""

import functools
from collections.abc import Callable

import pandas as pd
import streamlit as st

from cxdash import charts, config, contents, db, export, reference, ui, upload
from cxdash.filters import grain_months, window_label
from cxdash.imports import KINDS
from cxdash.imports.templates import TEMPLATES
from cxdash.labels import md

ui.through_app()  # reruns through app.py if Streamlit started this page alone

f = ui.filters()
st.title("Data")
held = config.db_path().exists()
limit = upload.limit_bytes(st.get_option("server.maxUploadSize"))
NUMBER = st.column_config.NumberColumn(format="localized")  # thousands separated, as the reader's browser writes them
LATEST = {
    "Score (0-100)": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f"),
    "Latest round": st.column_config.DateColumn(format="D MMM YYYY"),
}
PILLARS = {
    "Round date": st.column_config.DateColumn(format="D MMM YYYY"),
    "Score (1-5)": st.column_config.NumberColumn(format="%.2f"),
    "Score (0-100)": st.column_config.NumberColumn(format="%.0f"),
}
FIGURES = {column: st.column_config.TextColumn(alignment="right") for column in export.PREVIEW_FIGURES} | {
    "Responses (n)": st.column_config.NumberColumn(format="localized")
}


def table(frame: pd.DataFrame, column_config: dict | None = None, **kwargs: object) -> None:
    """A read-only table with whole numbers in thousands and no index (column settings, not a slow Styler)."""
    numbers = {c: NUMBER for c in export.whole_number_columns(frame)}
    st.dataframe(export.whole_numbers(frame), hide_index=True, column_config=numbers | (column_config or {}), **kwargs)


def download(label: str, data: bytes | Callable[[], bytes], name: str, key: str, **kwargs: object) -> None:
    """A CSV download button that does not rerun the page; `data` may be a function, run when clicked."""
    st.download_button(
        label, data, file_name=name, mime="text/csv", key=key, on_click="ignore", icon=":material/download:", **kwargs
    )


def problems(report: upload.UploadReport) -> None:
    """Why a file cannot be imported: the count, every problem, and the problems as CSV."""
    if report.busy:
        st.warning(md(report.headline()), icon=":material/hourglass_top:")
        return
    st.error(md(report.headline()), icon=":material/error:")
    table(report.problems.rename(columns=str.capitalize), height=min(38 + 35 * len(report.problems), 420))
    download(
        "Download the problems as CSV",
        upload.problems_csv(report),
        f"{report.file.rsplit('.', 1)[0]}-problems.csv",
        "data_problems_csv",
    )


def import_tab() -> None:
    """Upload, check (dry run), confirm; templates alongside."""
    left, right = st.columns([3, 2], gap="large")
    with right:
        st.subheader("Templates")
        st.caption(
            "Empty files with the exact column names. Import organisations first, then services, then the "
            "rest. docs/imports.md describes every column and the re-import rule; US federal A-11 files are "
            "imported as downloaded (docs/a11.md)."
        )
        for name, template in TEMPLATES.items():
            download(template.title, upload.template_csv(name), f"{name}.csv", f"data_template_{name}", width="stretch")
    with left:
        if done := st.session_state.pop("data_imported", None):
            st.success(done, icon=":material/check_circle:")
        if not ui.permitted("import", key="data_passcode"):  # says why, or asks for the import passcode
            return
        kind = st.selectbox(
            "What the file holds",
            [None, *KINDS],
            key="data_kind",
            format_func=lambda k: "Detect from the column names" if k is None else upload.KIND_LABELS[k],
        )
        if kind in TEMPLATES:
            with right.expander(f"Columns of a {upload.KIND_LABELS[kind].lower()} file"):
                table(upload.template_columns(kind))
        round_ = st.session_state.setdefault("data_upload_round", 0)
        file = st.file_uploader(
            f"Choose a CSV (UTF-8) or Excel .xlsx file, up to {limit // 2**20} MB",
            type=list(upload.UPLOAD_TYPES),
            key=f"data_upload_{round_}",
            max_upload_size=limit // 2**20,
            help="Every row is checked first; nothing is written until you confirm.",
        )
        if file is None:
            st.caption(
                "Every row is checked before anything is written: you see what would be imported, or every "
                "problem with its row and column, and nothing changes until you confirm."
            )
        else:
            token = (file.file_id, kind, ui.version() if held else "")
            if st.session_state.get("data_report", (None,))[0] != token:
                with st.spinner("Checking every row..."):
                    report = upload.validate_upload(file.getvalue(), file.name, kind, config.db_path(), limit)
                st.session_state["data_report"] = (token, report)
            report = st.session_state["data_report"][1]
            if not report.ok:
                problems(report)
            else:
                st.info(report.markdown())
                if report.details():
                    with st.expander("What the check found"):
                        st.markdown(report.details())
                if st.button("Confirm import", type="primary", key="data_confirm", icon=":material/upload:"):
                    with st.spinner("Importing..."):
                        result = upload.confirm_upload(file.getvalue(), file.name, kind, config.db_path(), limit)
                    if not result.ok:
                        return problems(result)
                    st.session_state["data_imported"] = result.markdown()
                    st.session_state["data_upload_round"] = round_ + 1  # a fresh, empty uploader
                    st.rerun()
        if held:
            st.subheader("Recent imports")
            history = ui.cached(export.import_history)
            if history.empty:
                st.caption("No files imported yet (the demo database is built directly).")
            else:
                table(history, column_config={"When": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm")})


def holdings_tab() -> None:
    """Counts, periods, frameworks, stages and inconsistencies (cxdash.contents.summarise)."""
    if not held:
        st.info("No database yet: import an organisations file to start one, or build the demo with `make run`.")
        return
    summary = ui.cached(contents.summarise)
    tiles = export.headline_counts(summary)
    for tile, (label, value) in zip(st.columns(len(tiles)), tiles.items(), strict=True):
        tile.metric(label, f"{value:,}")
    st.caption("Feedback respondents: answers to the satisfaction question, across every period held.")
    if summary.consistent:
        st.success("No inconsistencies: every row refers to organisations, services and codes the database holds.")
    else:
        st.warning(
            "Some rows refer to things the database does not hold: import the missing organisations or "
            "services, or correct the files and import them again."
        )
        table(summary.problems.rename(columns=str.capitalize))
    left, right = st.columns([1, 2], gap="large")
    left.subheader("Rows held")
    with left:
        table(export.table_counts(summary))
    with right:
        st.subheader("Feedback periods")
        if summary.coverage.empty:
            st.info("No citizen feedback yet: import responses, distributions or an A-11 file.")
        else:
            table(export.coverage_table(summary))
        st.subheader("Maturity frameworks")
        table(export.framework_table(summary))
    for fw in summary.frameworks.itertuples():
        st.subheader(f"Where organisations stand: {md(fw.name)}")
        latest, stages = ui.cached(export.latest_stages, fw.framework_id)
        if latest.empty:
            st.info("No assessments yet for this framework: import assessment answers to see stages here.")
            continue
        left, right = st.columns([2, 3], gap="large")
        left.plotly_chart(ui.figure(charts.make_stage_bar, latest, stages), key=f"data_stages_{fw.framework_id}")
        left.caption("Each organisation counted once, at the stage of its most recent assessment round.")
        with right:
            table(export.latest_table(latest), height=420, column_config=LATEST)


def download_tab() -> None:
    """The current view's feedback metrics and the organisation's pillar scores, as CSV."""
    orgs = ui.cached(reference.organisations) if held else pd.DataFrame()
    if orgs.empty or not f.org_id:
        st.info("Nothing to download yet: import organisations and their feedback or assessments first.")
        return
    org = orgs.set_index("org_id").loc[f.org_id, "name"]
    st.caption(
        "Results for the organisation, period, service, channel and stage chosen in the sidebar; "
        "never individual responses."
    )
    quarterly = grain_months(ui.cached(reference.periods)) == 3
    st.subheader(f"Citizen feedback: {md(org)}" + (f", {window_label(f.start, f.end, quarterly)}" if f.start else ""))
    by = st.multiselect(
        "Break down by (each row is one measure)",
        list(export.BREAKDOWNS),
        key="data_export_by",
        default=list(export.BREAKDOWNS),
        format_func=export.BREAKDOWNS.get,
        bind="query-params",
    )
    rows = ui.cached(export.feedback_table, f.org_id, f.start, f.end, f.service_id, f.channel, f.stage, tuple(by))
    if rows.empty:
        st.info(
            f"No citizen feedback for {md(org)} with these filters: widen the period or choose all services, "
            "channels and stages in the sidebar."
        )
    else:
        hidden = int((rows["Note"] != "").sum())
        if hidden == len(rows):
            st.warning(
                f"Every row rests on fewer than {config.min_n()} responses at this level of detail, so "
                "every figure is blank. Break down by fewer things, or choose a longer period."
            )
        st.caption(
            f"{len(rows):,} rows; {hidden:,} rest on fewer than {config.min_n()} responses and keep their count "
            "but not their figures. Top two %: share answering 4-5 (9-10 on 0-10); net score: top two minus "
            "bottom two; NPS on 0-10 only. The CSV adds 95% confidence intervals."
        )
        st.dataframe(export.feedback_preview(rows), hide_index=True, height=320, column_config=FIGURES)
        download(
            "Download feedback as CSV",
            functools.partial(export.to_csv, rows),
            export.file_name("feedback", f.org_id, f.start, f.end),
            "data_download_feedback",
            type="primary",
        )
    st.subheader(f"Maturity pillar scores by round: {md(org)}")
    pillars = ui.cached(export.pillar_scores, f.framework_id, f.org_id) if f.framework_id else pd.DataFrame()
    if pillars.empty:
        st.info(f"{md(org)} has no maturity assessment yet: import assessment answers to download pillar scores.")
        return
    st.dataframe(export.pillar_preview(pillars), hide_index=True, column_config=PILLARS)
    st.caption(
        f"{pillars['Round date'].nunique()} rounds of {md(pillars['Framework'].iloc[0])}. A pillar's score is the "
        "mean of its statements' mean answers (1-5), also on 0-100; its stage is where that score falls."
    )
    download(
        "Download pillar scores as CSV",
        functools.partial(export.to_csv, pillars),
        export.file_name("maturity", f.org_id),
        "data_download_maturity",
    )


for tab, draw in zip(
    st.tabs(["Import a file", "What the database holds", "Download data"]),
    (import_tab, holdings_tab, download_tab),
    strict=True,
):
    with tab:
        try:
            draw()
        except db.DatabaseBusy:
            st.warning("Data is being refreshed by an import. Try again in a few seconds.")

"""The Data page's tables: what the database holds, and CSV downloads of the current view.

Downloads are aggregates only, never respondent-level rows: feedback metrics come from
feedback.stats_by (so the one metric definition and the small-sample rule apply), and maturity
scores from maturity.pillar_table. No Streamlit here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from cxdash import config, db, feedback, labels, maturity, reference
from cxdash.contents import Summary
from cxdash.filters import period_label, window_label
from cxdash.upload import KIND_LABELS

#: Ways the feedback download can be broken down (measure always is), with their column names.
BREAKDOWNS = {"period_start": "Period", "service_id": "Service", "channel": "Channel", "stage": "Journey stage"}

#: Published metrics in the feedback download, with their column headings.
METRICS = {
    "mean": "Mean score",
    "mean_low": "Mean score 95% CI low",
    "mean_high": "Mean score 95% CI high",
    "top2_share": "Top two %",
    "top2_low": "Top two % 95% CI low",
    "top2_high": "Top two % 95% CI high",
    "bottom2_share": "Bottom two %",
    "bottom2_low": "Bottom two % 95% CI low",
    "bottom2_high": "Bottom two % 95% CI high",
    "net_score": "Net score",
    "net_low": "Net score 95% CI low",
    "net_high": "Net score 95% CI high",
    "nps": "NPS",
    "nps_low": "NPS 95% CI low",
    "nps_high": "NPS 95% CI high",
}

FEEDBACK_COLUMNS = [
    "Organisation",
    "Period",
    "Period start",
    "Service",
    "Channel",
    "Journey stage",
    "Measure",
    "Scale",
    "Responses (n)",
    *METRICS.values(),
    "Note",
]

PILLAR_COLUMNS = [
    "Organisation",
    "Framework",
    "Round date",
    "Pillar",
    "Score (1-5)",
    "Score (0-100)",
    "Pillar stage",
    "Statements answered",
    "Respondents",
]

TABLE_LABELS = {
    "organisations": "Organisations",
    "services": "Services",
    "frameworks": "Maturity frameworks",
    "statements": "Framework statements",
    "assessment_responses": "Assessment answers",
    "feedback_distributions": "Feedback score counts",
    "comments": "Comments",
    "imports": "Imports recorded",
}


def suppressed_note(min_n: int | None = None) -> str:
    """The note a suppressed row carries in a download."""
    return f"suppressed: fewer than {config.min_n() if min_n is None else min_n} responses"


def feedback_table(
    org_id: str,
    start: date | None,
    end: date | None,
    service_id: str | None = None,
    channel: str | None = None,
    stage: str | None = None,
    by: tuple[str, ...] = tuple(BREAKDOWNS),
    path: Path | None = None,
    min_n: int | None = None,
) -> pd.DataFrame:
    """Feedback metrics of one organisation per measure and the breakdowns in `by`, for a download.

    One row per group (FEEDBACK_COLUMNS), labelled in words. Rows under the small-sample threshold
    keep their n but their metrics are blank and Note says why. NPS is blank except on 0-10 scales.
    """
    unknown = [b for b in by if b not in BREAKDOWNS]
    if unknown:
        raise ValueError(f"cannot break feedback down by {unknown}; choose from {list(BREAKDOWNS)}")
    dims = (*[d for d in BREAKDOWNS if d in by], "measure")
    stats = feedback.stats_by(dims, start, end, (org_id,), service_id, channel, stage, path=path, min_n=min_n)
    if stats.empty:
        return pd.DataFrame(columns=FEEDBACK_COLUMNS)
    labels = reference.code_labels(path)
    orgs = reference.organisations(path).set_index("org_id")["name"]
    services = reference.services(org_id, path).set_index("service_id")["name"]
    grains = reference.periods(path)
    starts = pd.to_datetime(grains["period_start"]).dt.date
    quarterly = dict(zip(starts, grains["period_grain"] == "quarter", strict=True))

    out = pd.DataFrame(index=stats.index)
    out["Organisation"] = orgs.get(org_id, org_id)
    if "period_start" in by:
        starts = pd.to_datetime(stats["period_start"]).dt.date
        out["Period"] = [period_label(d, quarterly.get(d, False)) for d in starts]
        out["Period start"] = starts.astype(str)
    else:
        whole = bool(quarterly) and all(quarterly.values())
        out["Period"] = window_label(start, end, whole) if start and end else "All periods"
        out["Period start"] = str(start) if start else ""
    for dim, chosen, names, everything in (
        ("service_id", service_id, services, "All services"),
        ("channel", channel, labels.get("channel", {}), "All channels"),
        ("stage", stage, labels.get("stage", {}), "All stages"),
    ):
        column = BREAKDOWNS[dim]
        if dim in by:
            out[column] = stats[dim].map(names).fillna(stats[dim])  # a code without a name shows as itself
        else:
            out[column] = names.get(chosen, chosen) if chosen else everything
    measures = labels.get("measure", {})
    out["Measure"] = stats["measure"].map(measures).fillna(stats["measure"])
    out["Scale"] = stats["scale_min"].astype(int).astype(str) + "-" + stats["scale_max"].astype(int).astype(str)
    out["Responses (n)"] = stats["n"].astype("int64")
    for column, heading in METRICS.items():
        out[heading] = stats[column].round(3 if column.startswith("mean") else 2)
    out["Note"] = stats["suppressed"].map({True: suppressed_note(min_n), False: ""})

    order = {
        "measure": list(measures),
        "channel": list(labels.get("channel", {})),
        "stage": list(labels.get("stage", {})),
    }
    keys = pd.DataFrame(index=stats.index)
    for dim in dims:
        values = stats[dim]
        if dim in order:
            keys[dim] = values.map(lambda v, codes=order[dim]: codes.index(v) if v in codes else len(codes))
        elif dim == "service_id":
            keys[dim] = out["Service"]
        else:
            keys[dim] = values
    out = out.loc[keys.sort_values(list(dims)).index]
    return out[FEEDBACK_COLUMNS].reset_index(drop=True)


def pillar_scores(framework_id: str, org_id: str, path: Path | None = None) -> pd.DataFrame:
    """One organisation's maturity pillar scores in every assessment round (PILLAR_COLUMNS)."""
    table = maturity.pillar_table(framework_id, path, org_id=org_id)
    if table.empty:
        return pd.DataFrame(columns=PILLAR_COLUMNS)
    stages = db.query("framework_stages", {"framework_id": framework_id}, path).set_index("level")["name"]
    frameworks = reference.frameworks(path).set_index("framework_id")["name"]
    orgs = reference.organisations(path).set_index("org_id")["name"]
    table = table.sort_values(["round_date", "sort_order"])
    out = pd.DataFrame(
        {
            "Organisation": orgs.get(org_id, org_id),
            "Framework": frameworks.get(framework_id, framework_id),
            "Round date": pd.to_datetime(table["round_date"]).dt.date.astype(str),
            "Pillar": table["name"],
            "Score (1-5)": table["score"].round(3),
            "Score (0-100)": table["score_100"].round(2),
            "Pillar stage": table["stage_level"].astype(int).map(stages),
            "Statements answered": table["statements"].astype("int64"),
            "Respondents": table["respondents"].astype("int64"),
        }
    )
    return out.reset_index(drop=True)


#: Columns of the on-screen preview of the feedback download (the CSV also has the 95% intervals).
PREVIEW_COLUMNS = [
    "Period",
    "Service",
    "Channel",
    "Journey stage",
    "Measure",
    "Responses (n)",
    "Mean score",
    "Top two %",
    "Bottom two %",
    "Net score",
    "NPS",
    "Note",
]


#: Preview columns shown as text (blank when suppressed), to be right-aligned on screen.
PREVIEW_FIGURES = ["Mean score", "Top two %", "Bottom two %", "Net score", "NPS"]


def _text(values: pd.Series, fmt: str) -> pd.Series:
    return values.map(lambda v: "" if pd.isna(v) else (labels.signed(v) if fmt == "signed" else fmt.format(v)))


def feedback_preview(table: pd.DataFrame) -> pd.DataFrame:
    """The feedback download for the screen: main figures only, rounded, as text that is blank when
    suppressed (PREVIEW_FIGURES), NPS and net score signed."""
    out = table[PREVIEW_COLUMNS].copy()
    for column, fmt in zip(PREVIEW_FIGURES, ["{:.2f}", "{:.0f}%", "{:.0f}%", "signed", "signed"], strict=True):
        out[column] = _text(out[column], fmt)
    return out


def pillar_preview(table: pd.DataFrame) -> pd.DataFrame:
    """The pillar-score download for the screen: real dates, organisation and framework left out."""
    out = table.drop(columns=["Organisation", "Framework"])
    return out.assign(**{"Round date": pd.to_datetime(out["Round date"]).dt.date})


def whole_number_columns(frame: pd.DataFrame) -> list[str]:
    """The numeric columns (not true/false ones) of a table shown as whole numbers."""
    return [
        c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]


def whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its numeric columns rounded to whole numbers (blanks stay blank), for on-screen tables."""
    out = frame.copy()
    for column in whole_number_columns(frame):
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(0).astype("Int64")
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    """A frame as CSV bytes: UTF-8 with a byte-order mark so Excel shows accents; blanks stay blank; no text cell
    can run as a formula in a spreadsheet (labels.csv_bytes)."""
    return labels.csv_bytes(frame)


def file_name(what: str, org_id: str, start: date | None = None, end: date | None = None) -> str:
    """A download's file name, e.g. 'cxdash-feedback-northbridge-bc-2026-08-to-2026-10.csv'."""
    span = f"-{start:%Y-%m}-to-{end:%Y-%m}" if start and end else ""
    return f"cxdash-{what}-{org_id}{span}.csv"


# --- What the database holds ---------------------------------------------------------------


def headline_counts(summary: Summary) -> dict[str, int]:
    """The few numbers that say how much the database holds, by label."""
    counts = dict(zip(summary.tables["table"], summary.tables["rows"], strict=True))
    coverage = summary.coverage
    return {
        "Organisations": int(counts["organisations"]),
        "Services": int(counts["services"]),
        "Assessment answers": int(counts["assessment_responses"]),
        "Feedback respondents": int(coverage["satisfaction_responses"].sum()) if not coverage.empty else 0,
        "Comments": int(counts["comments"]),
    }


def table_counts(summary: Summary) -> pd.DataFrame:
    """Rows per table, labelled in words: columns 'What', 'Rows'."""
    tables = summary.tables
    return pd.DataFrame({"What": tables["table"].map(lambda t: TABLE_LABELS.get(t, t)), "Rows": tables["rows"]})


def coverage_table(summary: Summary) -> pd.DataFrame:
    """Feedback periods held per period type, labelled in words."""
    rows = []
    for r in summary.coverage.itertuples():
        quarterly = r.period_grain == "quarter"
        rows.append(
            {
                "Periods": "Quarterly" if quarterly else "Monthly",
                "From": period_label(pd.Timestamp(r.first_period).date(), quarterly),
                "To": period_label(pd.Timestamp(r.last_period).date(), quarterly),
                "Number of periods": int(r.periods),
                "Organisations": int(r.organisations),
                "Satisfaction answers": int(r.satisfaction_responses),
                "Answers to all questions": int(r.answers),
            }
        )
    return pd.DataFrame(rows)


def framework_table(summary: Summary) -> pd.DataFrame:
    """Maturity frameworks held and how many rounds of assessment each has, labelled in words."""
    f = summary.frameworks

    def day(value: object) -> str:
        return "" if pd.isna(value) else f"{pd.Timestamp(value):%d %b %Y}"

    return pd.DataFrame(
        {
            "Framework": f["name"] + " (version " + f["version"].astype(str) + ")",
            "Pillars": f["pillars"],
            "Statements": f["statements"],
            "Assessment rounds": f["rounds"],
            "Organisations assessed": f["organisations_assessed"],
            "First round": f["first_round"].map(day),
            "Latest round": f["last_round"].map(day),
        }
    )


def latest_stages(framework_id: str, path: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each organisation's latest assessment round (maturity.latest_scores) and the framework's stages."""
    latest = maturity.latest_scores(framework_id, path)
    stages = db.query("framework_stages", {"framework_id": framework_id}, path)
    return latest, stages


def latest_table(latest: pd.DataFrame) -> pd.DataFrame:
    """The latest rounds (from latest_stages) as a table in words, best score first."""
    return pd.DataFrame(
        {
            "Organisation": latest["name"],
            "Sector": latest["sector"].map(labels.sector),
            "Latest round": pd.to_datetime(latest["round_date"]).dt.date,
            "Respondents": latest["respondents"].astype("int64"),
            "Score (0-100)": latest["score_100"],
            "Stage": latest["stage_name"],
        }
    ).reset_index(drop=True)


def import_history(limit: int = 10, path: Path | None = None) -> pd.DataFrame:
    """The most recent imports, newest first: When, Kind, File, Rows read, Rows written, Rows replaced."""
    history = db.query("export_import_history", {"limit": limit}, path)
    history["kind"] = history["kind"].map(lambda k: KIND_LABELS.get(k, k))
    return history.rename(
        columns={
            "imported_at": "When",
            "kind": "Kind",
            "file_name": "File",
            "rows_read": "Rows read",
            "rows_written": "Rows written",
            "rows_replaced": "Rows replaced",
        }
    )

"""Our own import templates: organisations, services, assessments, response-level feedback,
feedback distributions and comments. Each kind is a list of columns; validation is vectorised
so a million-row file is checked in seconds, and every problem is reported with its row.

Re-import rule (replace): importing a file replaces what the database holds for the keys the
file contains, so importing the same file twice leaves the same data as importing it once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cxdash.imports.base import Problem

SCORE_MEASURES = ["satisfaction", "ease", "effectiveness", "emotion", "trust", "recommend"]


@dataclass(frozen=True)
class Column:
    """One column of an import template."""

    name: str
    kind: str  # text, int, date, period, score
    required: bool
    description: str
    example: str
    vocab: str | None = None  # name of a reference list the value must come from
    max_length: int = 200


@dataclass(frozen=True)
class Template:
    """An import kind: its columns, the key that makes a row unique and its replace rule."""

    kind: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    replace_rule: str

    @property
    def names(self) -> list[str]:
        """Column names in template order."""
        return [c.name for c in self.columns]


def _scores(required: bool = False) -> tuple[Column, ...]:
    return (
        Column(
            "satisfaction", "score", required, "Overall satisfaction, 1 (very dissatisfied) to 5 (very satisfied).", "4"
        ),
        Column("ease", "score", required, "It was easy to do what I needed to do, 1-5.", "4"),
        Column("effectiveness", "score", required, "My need was met, 1-5.", "5"),
        Column("emotion", "score", required, "How the experience made me feel, 1 (very badly) to 5 (very well).", "3"),
        Column("trust", "score", required, "I trust the organisation, 1-5.", "4"),
        Column(
            "recommend", "score", required, "Likelihood to recommend, 0 (not at all) to 10 (extremely), for NPS.", "8"
        ),
    )


_ORG = Column("org_id", "text", True, "Organisation id, as in the organisations file.", "northbridge-bc", "orgs", 80)
_SERVICE = Column(
    "service_id", "text", True, "Service id, as in the services file.", "northbridge-bc--council-tax", "services", 120
)
_CHANNEL = Column(
    "channel",
    "text",
    True,
    "Channel: web, app, email, phone, automated_phone, face_to_face, post, multiple or not_recorded.",
    "web",
    "channels",
)
_STAGE = Column(
    "stage",
    "text",
    True,
    "Journey stage: find_out, apply, wait, receive, follow_up or whole_journey.",
    "apply",
    "stages",
)

TEMPLATES: dict[str, Template] = {
    t.kind: t
    for t in [
        Template(
            "organisations",
            "Organisations",
            (
                Column(
                    "org_id", "text", True, "Short unique id (letters, digits, hyphens).", "northbridge-bc", None, 80
                ),
                Column("name", "text", True, "Name as the public knows it.", "Northbridge Borough Council"),
                Column(
                    "sector",
                    "text",
                    True,
                    "Sector for peer groups: local, central, health, arms_length, regulator or another of your own.",
                    "local",
                    None,
                    60,
                ),
                Column("region", "text", True, "Region, or National.", "North West", None, 60),
                Column("size_band", "text", True, "small, medium or large.", "medium", "size_bands"),
                Column(
                    "org_type",
                    "text",
                    True,
                    "Type within the sector, e.g. district council, NHS trust.",
                    "district council",
                    None,
                    80,
                ),
                Column("parent", "text", False, "Parent body, if any.", "", None, 200),
                Column("country", "text", False, "Country.", "England", None, 60),
            ),
            ("org_id",),
            "replaces the organisation with the same org_id",
        ),
        Template(
            "services",
            "Services",
            (
                Column("service_id", "text", True, "Short unique id.", "northbridge-bc--council-tax", None, 120),
                _ORG,
                Column("name", "text", True, "Service name.", "Council tax"),
                Column("category", "text", False, "Optional grouping.", "Revenues"),
            ),
            ("service_id",),
            "replaces the service with the same service_id",
        ),
        Template(
            "assessments",
            "Maturity assessment answers",
            (
                Column(
                    "framework_id",
                    "text",
                    True,
                    "Framework id (see `python -m cxdash check`).",
                    "public_cx",
                    "frameworks",
                ),
                _ORG,
                Column("service_id", "text", False, "Only if the assessment is of one service.", "", "services", 120),
                Column("round_date", "date", True, "Date of the assessment round, YYYY-MM-DD.", "2026-03-15"),
                Column(
                    "respondent_id",
                    "text",
                    True,
                    "Anonymous id of the person answering, unique within the round.",
                    "r07",
                    None,
                    80,
                ),
                Column(
                    "respondent_role",
                    "text",
                    True,
                    "board, executive, manager, frontline or other.",
                    "frontline",
                    "roles",
                ),
                Column("statement_id", "text", True, "Statement id from the framework.", "LS1", "statements"),
                Column("score", "int", True, "1 (not in place) to 5 (fully embedded).", "3"),
                Column("comment", "text", False, "Optional comment.", "", None, 2000),
            ),
            ("framework_id", "org_id", "round_date", "respondent_id", "statement_id"),
            "replaces every answer of each assessment round (framework, organisation, round date) in the file",
        ),
        Template(
            "responses",
            "Response-level citizen feedback",
            (
                Column("response_id", "text", True, "Unique id of the survey response.", "R-000123", None, 80),
                Column("date", "date", True, "Date of the response, YYYY-MM-DD.", "2026-03-04"),
                _ORG,
                _SERVICE,
                _CHANNEL,
                _STAGE,
                *_scores(),
                Column("comment", "text", False, "Free-text comment, if any.", "Easy to do online.", None, 5000),
            ),
            ("response_id",),
            "answers are counted into monthly distributions; a file replaces every month x organisation x service x "
            "channel x stage x measure it touches, so give each such cell's responses in one file",
        ),
        Template(
            "distributions",
            "Feedback score distributions (published aggregates)",
            (
                Column("period", "period", True, "Month YYYY-MM or quarter YYYY-Qn.", "2026-03"),
                _ORG,
                _SERVICE,
                _CHANNEL,
                _STAGE,
                Column(
                    "measure",
                    "text",
                    True,
                    "satisfaction, ease, effectiveness, emotion, trust, recommend, "
                    "efficiency, equity or employee_helpfulness.",
                    "satisfaction",
                    "measures",
                ),
                Column("score", "int", True, "The answer (1-5; 0-10 for recommend).", "5"),
                Column("responses", "int", True, "How many respondents gave that answer.", "132"),
            ),
            ("period", "org_id", "service_id", "channel", "stage", "measure", "score"),
            "replaces every period x organisation x service x channel x stage x measure it touches",
        ),
        Template(
            "comments",
            "Free-text comments",
            (
                Column("comment_id", "text", True, "Unique id of the comment.", "C-2026-0001", None, 80),
                Column("date", "date", True, "Date, YYYY-MM-DD.", "2026-03-04"),
                _ORG,
                Column("service_id", "text", False, "Service id.", "northbridge-bc--council-tax", "services", 120),
                Column("channel", "text", False, _CHANNEL.description, "phone", "channels"),
                Column("stage", "text", False, _STAGE.description, "wait", "stages"),
                Column(
                    "text",
                    "text",
                    True,
                    "The comment in the respondent's own words.",
                    "Waited three weeks with no update.",
                    None,
                    5000,
                ),
                *_scores(),
            ),
            ("comment_id",),
            "replaces the comment with the same comment_id",
        ),
    ]
}

SIZE_BANDS = ["small", "medium", "large"]
#: Whole numbers at or beyond this size are refused (no count or score comes near; Int64 would overflow).
LARGEST = 1e15
_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


def vocabularies(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Reference lists that imported values must come from, read from the database."""

    def values(q: str) -> list[str]:
        return [r[0] for r in con.execute(q).fetchall()]

    return {
        "orgs": set(values("SELECT org_id FROM organisations")),
        "services": dict(con.execute("SELECT service_id, org_id FROM services").fetchall()),
        "channels": values("SELECT channel FROM channels ORDER BY sort_order"),
        "stages": values("SELECT stage FROM journey_stages ORDER BY sort_order"),
        "measures": {
            m: (lo, hi)
            for m, lo, hi in con.execute(
                "SELECT measure, scale_min, scale_max FROM measures ORDER BY sort_order"
            ).fetchall()
        },
        "roles": values("SELECT role FROM respondent_roles ORDER BY sort_order"),
        "frameworks": values("SELECT framework_id FROM frameworks ORDER BY framework_id"),
        "statements": set(con.execute("SELECT framework_id, statement_id FROM statements").fetchall()),
        "size_bands": SIZE_BANDS,
    }


class _Checker:
    """Collects problems for one file, column by column, vectorised over rows."""

    def __init__(self, file: str, frame: pd.DataFrame):
        self.file = file
        self.frame = frame
        self.problems: list[Problem] = []

    def flag(self, mask: pd.Series | np.ndarray, column: str, reason: str | Callable[[str], str]) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        rows = self.frame["_row"].to_numpy()[mask]
        values = self.frame[column].to_numpy()[mask] if column in self.frame else [""] * len(rows)
        for row, value in zip(rows, values, strict=True):
            text = reason(value) if callable(reason) else reason
            self.problems.append(Problem(self.file, int(row), column, str(value)[:200], text))


def _choices(values: list[str] | set[str], limit: int = 12) -> str:
    items = sorted(values) if isinstance(values, set) else list(values)
    shown = ", ".join(items[:limit])
    return shown + (f" ... ({len(items)} in all)" if len(items) > limit else "")


def validate(
    template: Template, frame: pd.DataFrame, file: str, vocab: dict[str, object]
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check a file's cells against a template; return typed values and every problem found."""
    check = _Checker(file, frame)
    present = [c for c in frame.columns if c != "_row"]
    expected = template.names
    for name in present:
        if name not in expected:
            check.problems.append(
                Problem(
                    file, 1, name, name, f"unknown column for a {template.kind} file; expected {', '.join(expected)}"
                )
            )
    for col in template.columns:
        if col.name not in present and col.required:
            check.problems.append(Problem(file, 1, col.name, "", "required column is missing"))
    if check.problems:
        return pd.DataFrame(), check.problems

    typed = pd.DataFrame({"_row": frame["_row"].to_numpy()})
    for col in template.columns:
        raw = frame[col.name].fillna("").astype(str) if col.name in frame else pd.Series([""] * len(frame), dtype=str)
        blank = (raw == "").to_numpy()
        if col.required:
            check.flag(blank, col.name, "required value is blank")
        filled = ~blank
        if col.kind == "text":
            check.flag(
                filled & (raw.str.len() > col.max_length).to_numpy(),
                col.name,
                f"longer than {col.max_length} characters",
            )
            if col.name.endswith("_id") and col.vocab is None:
                check.flag(
                    filled & ~raw.str.match(_ID).to_numpy(),
                    col.name,
                    "ids may hold only letters, digits and - _ . : (no spaces), starting with a letter or digit",
                )
            typed[col.name] = raw.where(filled, None)
        elif col.kind in ("int", "score"):
            number = pd.to_numeric(raw.where(filled, None), errors="coerce").astype("float64")
            huge = (number.abs() >= LARGEST).to_numpy()  # inf too; such values would overflow Int64
            whole = number.notna() & ~huge & (number == np.floor(number.fillna(0)))
            check.flag(filled & ~whole.to_numpy() & ~huge, col.name, "not a whole number")
            check.flag(filled & huge, col.name, "number too large")
            typed[col.name] = number.where(whole).astype("Int64")
        elif col.kind == "date":
            parsed = pd.to_datetime(raw.where(filled, None), format="%Y-%m-%d", errors="coerce")
            check.flag(filled & parsed.isna().to_numpy(), col.name, "not a date in the form YYYY-MM-DD")
            typed[col.name] = parsed.dt.date
        elif col.kind == "period":
            parts = raw.str.extract(_PERIOD)
            year = parts[0].astype("float")
            bad = filled & ~(year >= 1).to_numpy()  # no year (or year 0: no calendar date)
            check.flag(bad, col.name, "not a period: use YYYY-MM for a month or YYYY-Qn for a quarter")
            month = parts[1].astype("float").fillna((parts[2].astype("float") - 1) * 3 + 1)
            ok = ~bad & filled
            start = pd.to_datetime(
                {"year": parts[0].astype("float").where(ok), "month": month.where(ok), "day": 1}, errors="coerce"
            )
            typed[col.name] = start.dt.date
            typed["period_grain"] = np.where(parts[2].notna(), "quarter", "month")
        if col.vocab:
            allowed = vocab[col.vocab]
            if col.vocab == "statements":
                pairs = list(zip(frame["framework_id"].astype(str), raw, strict=True))
                unknown = np.array([p not in allowed for p in pairs]) & filled
                check.flag(unknown, col.name, "statement not in that framework")
            else:
                keys = set(allowed) if not isinstance(allowed, set) else allowed
                unknown = filled & ~raw.isin(keys).to_numpy()
                if col.vocab == "orgs":
                    reason = "unknown organisation; import it first with an organisations file"
                elif col.vocab == "services":
                    reason = "unknown service; import it first with a services file"
                else:
                    reason = f"not one of: {_choices(allowed)}"
                check.flag(unknown, col.name, reason)
    _cross_checks(template, frame, typed, check, vocab)
    if not check.problems:
        dupes = typed.duplicated(subset=list(template.key), keep="first")
        if dupes.any():
            first = typed.loc[~dupes].set_index(list(template.key))["_row"]
            for idx in np.flatnonzero(dupes.to_numpy()):
                key = tuple(typed.iloc[idx][k] for k in template.key)
                original = first.loc[key if len(key) > 1 else key[0]]
                check.problems.append(
                    Problem(
                        file,
                        int(typed.iloc[idx]["_row"]),
                        "+".join(template.key),
                        " / ".join(map(str, key)),
                        f"duplicate of row {int(np.atleast_1d(original)[0])}",
                    )
                )
    return typed, check.problems


def _cross_checks(
    template: Template, frame: pd.DataFrame, typed: pd.DataFrame, check: _Checker, vocab: dict[str, object]
) -> None:
    """Checks that involve more than one column or the measure's scale."""
    kind = template.kind
    if kind == "assessments":
        score = typed["score"]
        check.flag((score.notna() & ((score < 1) | (score > 5))).to_numpy(dtype=bool), "score", "must be 1 to 5")
    if kind in ("responses", "comments"):
        for name in SCORE_MEASURES:
            lo, hi = vocab["measures"][name]
            s = typed[name]
            check.flag((s.notna() & ((s < lo) | (s > hi))).to_numpy(dtype=bool), name, f"must be {lo} to {hi}")
        if kind == "responses":
            none = typed[SCORE_MEASURES].isna().all(axis=1).to_numpy()
            check.flag(none, "satisfaction", "the response has no score at all")
    if kind == "distributions":
        scales = vocab["measures"]
        # float: an unknown measure gives NaN (a column of None alone would not compare with numbers)
        lo = frame["measure"].map(lambda m: scales.get(m, (None, None))[0]).astype("float")
        hi = frame["measure"].map(lambda m: scales.get(m, (None, None))[1]).astype("float")
        s = typed["score"]
        out = (s.notna() & lo.notna() & ((s < lo) | (s > hi))).to_numpy(dtype=bool)
        check.flag(out, "score", lambda v: "outside the measure's scale")
        check.flag(
            (typed["responses"].notna() & (typed["responses"] < 0)).to_numpy(dtype=bool),
            "responses",
            "cannot be negative",
        )
    if "service_id" in typed and "org_id" in typed and kind != "services":
        owners = vocab["services"]
        service = typed["service_id"].fillna("").astype(str)  # typed: the column is optional in some kinds
        known = service.isin(owners.keys())
        wrong = known & (service.map(owners) != typed["org_id"].fillna("").astype(str))
        check.flag(
            wrong.to_numpy(dtype=bool),
            "service_id",
            lambda v: f"service belongs to organisation {owners.get(v)}, not this row's org_id",
        )


def template_frame(kind: str) -> pd.DataFrame:
    """An empty frame with a template's columns, to write as a blank template."""
    return pd.DataFrame(columns=TEMPLATES[kind].names)


def write_template(kind: str, path: Path) -> Path:
    """Write an empty template (CSV or .xlsx, by the path's suffix) with the kind's column names."""
    template = TEMPLATES[kind]
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = kind
        sheet.append(template.names)
        about = book.create_sheet("about")
        about.append(["column", "required", "description", "example"])
        for c in template.columns:
            about.append([c.name, "yes" if c.required else "no", c.description, c.example])
        book.save(path)
    else:
        template_frame(kind).to_csv(path, index=False)
    return path

"""Property-based tests: every importer gets valid files, then malformed, truncated, oversized, wrongly
encoded and hostile ones. Each import either succeeds, and then only for a file that is in fact valid and
with exactly what the file says written, or raises ImportFailed with sensible problems and leaves the
database content exactly as it was. No other exception is ever allowed.

The oracle here is written independently of cxdash.imports: it reads the bytes with the csv module (or
openpyxl), applies the documented template rules (docs/imports.md) and says valid, invalid, or "either"
for cells whose reading is a matter of taste (1e1 as a whole number, 12.0000000000000001).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cxdash.imports import ImportFailed, import_file
from cxdash.imports import a11 as a11_spec
from cxdash.imports.templates import TEMPLATES
from tests.conftest import snapshot

#: CXDASH_FUZZ_SCALE=20 runs twenty times as many examples (a deeper hunt than the ~60 s default).
SCALE = int(os.environ.get("CXDASH_FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: it can take minutes; `how` says enough
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
KINDS = [*TEMPLATES, "a11"]
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")
#: Key columns (positions in `expected_rows` order) of each table an import writes: rows held under
#: a key the file gives are replaced; the rest stay as they were.
KEYS = {
    "organisations": [0],
    "services": [0],
    "assessment_responses": [0, 1, 3],  # framework_id, org_id, round_date: a whole round
    "comments": [0],
    "feedback_distributions": [0, 1, 2, 3, 4, 5, 6],  # the cell: period, grain, org, service, channel, stage, measure
}
# fmt: off
HOSTILE = [
    "", " ", "\t", "abc", "99999999999999999999", "-99999999999999999999", "1e308", "1e400", "-1", "3.5", "4.0",
    "1e0", "nan", "inf", "-0", "0", "1", "5", "10", "é", "日本語", "🙂", "\u202e", "\x00", "a\x00b", "x" * 201,
    "y" * 5001, "=cmd|' /C calc'!A0", "+SUM(1,2)", "@SUM(A1)", "'; DROP TABLE organisations; --",
    "<script>alert(1)</script>", "a\nb", 'a"b', "a,b", "a;b", "2026-13-01", "2026-02-30", "2026-3-4", "0000-01",
    "0000-01-01", "9999-Q4", "2026-Q5", "\ufeff", "  padded  ", "NULL", "example-bc", "example-nhs",
    "example-bc--bins", "example-nhs--outpatients", "web", "apply", "satisfaction", "recommend", "board", "LS1",
    "public_cx", "2026-03-04", "2026-03", "2026-Q1", "large",
]
# fmt: on
SAFE_CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")


# --- The database -----------------------------------------------------------------------------


@dataclass
class Ref:
    """The example database's reference lists, read with hand-written SQL."""

    orgs: set[str]
    services: dict[str, str]
    channels: list[str]
    stages: list[str]
    measures: dict[str, tuple[int, int]]
    roles: list[str]
    frameworks: list[str]
    statements: set[tuple[str, str]]


@dataclass(repr=False)
class Fuzz:
    """A template database, its snapshot and reference lists, and a working copy and folder."""

    template: Path
    before: dict[str, list[tuple]]
    ref: Ref
    work: Path
    folder: Path

    def fresh(self) -> Path:
        """The working database, reset to the template's content."""
        shutil.copy(self.template, self.work)
        return self.work


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory, _example_db_file: Path) -> Fuzz:
    folder = tmp_path_factory.mktemp("fuzz")
    template = Path(shutil.copy(_example_db_file, folder / "template.duckdb"))
    con = duckdb.connect(str(template), read_only=True)
    try:

        def rows(q: str) -> list[tuple]:
            return con.execute(q).fetchall()

        ref = Ref(
            orgs={r[0] for r in rows("SELECT org_id FROM organisations")},
            services=dict(rows("SELECT service_id, org_id FROM services")),
            channels=[r[0] for r in rows("SELECT channel FROM channels")],
            stages=[r[0] for r in rows("SELECT stage FROM journey_stages")],
            measures={m: (lo, hi) for m, lo, hi in rows("SELECT measure, scale_min, scale_max FROM measures")},
            roles=[r[0] for r in rows("SELECT role FROM respondent_roles")],
            frameworks=[r[0] for r in rows("SELECT framework_id FROM frameworks")],
            statements=set(rows("SELECT framework_id, statement_id FROM statements")),
        )
    finally:
        con.close()
    return Fuzz(template, snapshot(template), ref, folder / "work.duckdb", folder)


# --- Valid content ----------------------------------------------------------------------------

CELL_COLUMNS = ["org_id", "service_id", "channel", "stage", "measure"]
SCORES = ["satisfaction", "ease", "effectiveness", "emotion", "trust", "recommend"]


def _text(max_size: int = 40) -> st.SearchStrategy[str]:
    free = st.text(SAFE_CHARS, min_size=1, max_size=max_size)
    hostile = st.sampled_from([h for h in HOSTILE if h.strip() and "\x00" not in h and len(h) <= max_size])
    return st.one_of(free, hostile).map(str.strip).filter(bool)


_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,15}", fullmatch=True)
_dates = st.dates(date(2015, 1, 1), date(2030, 12, 31))


def _optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.just(""), strategy)


@st.composite
def valid_rows(draw: st.DrawFn, kind: str, ref: Ref) -> list[dict[str, str]]:
    """1-5 rows that make a valid file of `kind` for the example database."""
    n = draw(st.integers(1, 5))
    org_services = [(o, s) for s, o in ref.services.items()]
    rows = []
    if kind == "organisations":
        for org_id in draw(st.lists(_ids, min_size=n, max_size=n, unique=True)):
            rows.append(
                {
                    "org_id": org_id,
                    "name": draw(_text()),
                    "sector": draw(_text()),
                    "region": draw(_text()),
                    "size_band": draw(st.sampled_from(["small", "medium", "large"])),
                    "org_type": draw(_text()),
                    "parent": draw(_optional(_text())),
                    "country": draw(_optional(_text())),
                }
            )
    elif kind == "services":
        for service_id in draw(st.lists(_ids, min_size=n, max_size=n, unique=True)):
            org = draw(st.sampled_from(sorted(ref.orgs)))
            rows.append(
                {"service_id": service_id, "org_id": org, "name": draw(_text()), "category": draw(_optional(_text()))}
            )
    elif kind == "assessments":
        framework = ref.frameworks[0]
        statements = sorted(s for f, s in ref.statements if f == framework)
        org, service = draw(st.sampled_from(org_services))
        keys = draw(st.lists(st.tuples(_ids, st.sampled_from(statements)), min_size=n, max_size=n, unique=True))
        day = draw(_dates)
        for respondent, statement in keys:
            rows.append(
                {
                    "framework_id": framework,
                    "org_id": org,
                    "service_id": draw(st.sampled_from(["", service])),
                    "round_date": day.isoformat(),
                    "respondent_id": respondent,
                    "respondent_role": draw(st.sampled_from(ref.roles)),
                    "statement_id": statement,
                    "score": str(draw(st.integers(1, 5))),
                    "comment": draw(_optional(_text())),
                }
            )
    elif kind in ("responses", "comments"):
        for row_id in draw(st.lists(_ids, min_size=n, max_size=n, unique=True)):
            org, service = draw(st.sampled_from(org_services))
            scores = {m: draw(_optional(st.integers(*ref.measures[m]).map(str))) for m in SCORES}
            row = {
                f"{kind[:-1]}_id": row_id,
                "date": draw(_dates).isoformat(),
                "org_id": org,
                "service_id": service if kind == "responses" else draw(st.sampled_from(["", service])),
                "channel": draw(st.sampled_from(ref.channels if kind == "responses" else ["", *ref.channels])),
                "stage": draw(st.sampled_from(ref.stages if kind == "responses" else ["", *ref.stages])),
            }
            if kind == "responses":
                if not any(scores.values()):
                    scores["satisfaction"] = "3"
                row |= scores | {"comment": draw(_optional(_text()))}
            else:
                row |= {"text": draw(_text())} | scores
            rows.append(row)
    elif kind == "distributions":
        org, service = draw(st.sampled_from(org_services))
        measure = draw(st.sampled_from(sorted(ref.measures)))
        period = draw(_dates)
        grain = draw(st.sampled_from(["month", "quarter"]))
        label = f"{period:%Y-%m}" if grain == "month" else f"{period.year}-Q{(period.month - 1) // 3 + 1}"
        channel, stage = draw(st.sampled_from(ref.channels)), draw(st.sampled_from(ref.stages))
        lo, hi = ref.measures[measure]
        for score in draw(st.lists(st.integers(lo, hi), min_size=1, max_size=hi - lo + 1, unique=True)):
            rows.append(
                {
                    "period": label,
                    "org_id": org,
                    "service_id": service,
                    "channel": channel,
                    "stage": stage,
                    "measure": measure,
                    "score": str(score),
                    "responses": str(draw(st.integers(0, 10**6))),
                }
            )
    else:  # a11
        for _ in range(n):
            row = {
                a11_spec.PROVIDER_ID: draw(st.sampled_from(["21", "7", "x-1"])),
                a11_spec.PROVIDER_NAME: draw(_text()),
                a11_spec.ORGANISATION_NAME: draw(_text()),
                a11_spec.YEAR: str(draw(st.integers(2019, 2024))),
                a11_spec.QUARTER: str(draw(st.integers(1, 4))),
                a11_spec.SERVICE: draw(_text()),
                a11_spec.CHANNEL: draw(st.sampled_from(sorted(a11_spec.CHANNELS))),
                a11_spec.CUSTOMERS: draw(_optional(st.integers(0, 10**8).map(str))),
            }
            for slot, text in A11_WORDINGS.items():
                row[a11_spec.text_column(slot)] = text
                for k in a11_spec.SCORES:
                    row[a11_spec.count_column(slot, k)] = str(draw(st.integers(0, 5000)))
            rows.append(row)
    return rows


#: The standard A-11 question wordings, one per slot (each imports as its slot's measure).
A11_WORDINGS = {
    1: "I am satisfied with the service I received.",
    2: "I trust the agency to fulfill our country's commitment.",
    3: "My need was addressed.",
    4: "It was easy to complete what I needed to do.",
    5: "It took a reasonable amount of time to do what I needed to do.",
    6: "I was treated fairly.",
    7: "Employees I interacted with were helpful.",
}


def header_of(kind: str, rows: list[dict[str, str]]) -> list[str]:
    """Template column order (a11: the order of the first row)."""
    return list(rows[0]) if kind == "a11" else TEMPLATES[kind].names


# --- Files: serialising and mutating -------------------------------------------------------------


def _field(value: str, delimiter: str, quote_all: bool) -> str:
    if quote_all or any(c in value for c in (delimiter, '"', "\r", "\n")) or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


def to_csv(table: list[list[str]], delimiter: str = ",", newline: str = "\n", quote_all: bool = False) -> str:
    """CSV text, quoting what needs quoting whatever the line ending."""
    return "".join(delimiter.join(_field(v, delimiter, quote_all) for v in row) + newline for row in table)


def to_xlsx(table: list[list[str]], numbers: bool) -> bytes:
    """An .xlsx of the table: every cell a string (formulas too), or whole numbers as numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    for r, row in enumerate(table, start=1):
        for c, value in enumerate(row, start=1):
            if value == "":
                continue
            cell = sheet.cell(r, c)
            cleaned = openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("?", value)
            if numbers and re.fullmatch(r"-?[0-9]{1,9}", cleaned):
                cell.value = int(cleaned)
            else:
                cell.value = cleaned
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class Case:
    """One file to import: its bytes, its name and how it was made."""

    data: bytes
    name: str
    how: list[str]


@st.composite
def table_mutation(draw: st.DrawFn, table: list[list[str]]) -> tuple[list[list[str]], str]:
    """Change the table's shape or a cell: columns dropped, doubled, renamed, shuffled; cells replaced."""
    header, body = table[0], table[1:]
    what = draw(
        st.sampled_from(["none", "cell", "cell", "cell", "drop", "duplicate", "rename", "shuffle", "zero_rows", "wide"])
    )
    width = len(header)
    if what == "cell":
        r, c = draw(st.integers(0, len(body) - 1)), draw(st.integers(0, width - 1))
        value = draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30)))
        body = [row[:] for row in body]
        body[r][c] = value
        return [header, *body], f"cell {header[c]}={value[:40]!r}"
    if what in ("drop", "duplicate", "rename", "shuffle"):
        c = draw(st.integers(0, width - 1))
        if what == "drop":
            keep = [i for i in range(width) if i != c]
        elif what == "duplicate":
            keep = [*range(width), c]
        else:
            keep = draw(st.permutations(range(width))) if what == "shuffle" else list(range(width))
        out = [[row[i] for i in keep] for row in table]
        if what == "rename":
            out[0][c] = draw(st.sampled_from(["_row", "Org ID", " ", "name2", f"{header[c]}_x", "\ufeffname", "é"]))
        return out, f"{what} {header[c]}"
    if what == "zero_rows":
        return [header], what
    if what == "wide":
        extra = draw(st.integers(1, 3000))
        return [header + [f"c{i}" for i in range(extra)], *(row + [""] * extra for row in body)], f"wide +{extra}"
    return table, what


@st.composite
def files(draw: st.DrawFn, kind: str, ref: Ref, mutate: bool) -> Case:
    """A file of `kind`: valid rows, maybe reshaped, written as CSV or .xlsx, maybe damaged byte by byte."""
    rows = draw(valid_rows(kind, ref))
    header = header_of(kind, rows)
    table = [header, *([row.get(h, "") for h in header] for row in rows)]
    how = []
    if mutate:
        table, what = draw(table_mutation(table))
        how.append(what)
    fmt = draw(st.sampled_from(["csv", "csv", "csv", "xlsx"]))
    if fmt == "xlsx":
        data, name = to_xlsx(table, draw(st.booleans())), "upload.xlsx"
        how.append("xlsx")
    else:
        delimiter = draw(st.sampled_from([",", ",", ";", "\t"]))
        newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
        text = to_csv(table, delimiter, newline, draw(st.booleans()))
        encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]))
        if not mutate:
            encoding = encoding if encoding.startswith("utf-8") else "utf-8"
        data = text.encode(encoding, errors="replace")
        name = draw(st.sampled_from(["upload.csv", "upload.txt", "upload"]))
        how.append(f"csv {delimiter!r} {newline!r} {encoding}")
    if mutate:
        damage = draw(
            st.sampled_from(["none", "none", "truncate", "insert", "quote", "junk", "zip_junk", "renamed", "trailing"])
        )
        how.append(damage)
        # an offset as a share of the length: .xlsx bytes vary from run to run (timestamps), draws must not
        at = draw(st.integers(0, 10**6)) * len(data) // 10**6
        if damage == "truncate":
            data = data[:at]
        elif damage == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        elif damage == "quote":
            data = data[:at] + b'"' + data[at:]
        elif damage == "junk":
            data = draw(st.binary(min_size=1, max_size=2000))
        elif damage == "zip_junk":
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w") as z:
                z.writestr(draw(st.sampled_from(["[Content_Types].xml", "xl/workbook.xml", "a.txt"])), data[:500])
            data, name = out.getvalue(), "upload.xlsx"
        elif damage == "renamed":
            name = "upload.xlsx" if name != "upload.xlsx" else "upload.csv"
        elif damage == "trailing":
            data += draw(st.sampled_from([b"\n\n\n", b",,,,\n", b"\r\n \r\n", b'"', b"\n\xef\xbb\xbf"]))
    return Case(data, name, how)


# --- The oracle: what the file says, and is it valid ----------------------------------------------

INVALID, EITHER, VALID = "invalid", "either", "valid"


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_cells(data: bytes, name: str) -> list[list[str]] | None:
    """The file's cells as Excel or a CSV reader shows them; None if it is not a readable file."""
    if name.endswith(".xlsx"):
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            rows = [[_xlsx_text(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
            book.close()
            return rows
        except Exception:
            return None
    if b"\x00" in data or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    first = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    delimiter = max(",;\t", key=first.count)
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error:
        return None


def parse(data: bytes, name: str) -> tuple[list[str], list[dict[str, str]]] | None:
    """Header and data rows (blank rows skipped, unnamed columns dropped); None when the shape is wrong."""
    rows = read_cells(data, name)
    if not rows:
        return None
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows or not any(rows[0]):
        return None
    header = rows[0]
    named = [h for h in header if h]
    if len(set(named)) != len(named) or "_row" in named:
        return None
    records = []
    for row in rows[1:]:
        if not any(row):
            continue
        if len(row) > len(header) and any(row[len(header) :]):
            return None
        row = (row + [""] * len(header))[: len(header)]
        records.append({h: v for h, v in zip(header, row, strict=True) if h})
    if not records:
        return None
    return named, records


def _whole(value: str) -> tuple[str, int | None]:
    """(verdict, number) for a whole-number cell."""
    if re.fullmatch(r"[+-]?[0-9]+(\.0*)?", value):
        number = int(float(value)) if abs(float(value)) < 1e15 else None
        return (VALID, number) if number is not None else (INVALID, None)
    try:
        number = float(value)
    except ValueError:
        return INVALID, None
    if not math.isfinite(number) or abs(number) >= 1e15 or not number.is_integer():
        return (EITHER if math.isfinite(number) and abs(number - round(number)) < 1e-9 else INVALID), None
    return EITHER, int(number)


def _date(value: str) -> date | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None


def _period(value: str) -> tuple[date, str] | None:
    if m := re.fullmatch(r"([0-9]{4})-(0[1-9]|1[0-2])", value):
        return (date(int(m[1]), int(m[2]), 1), "month") if int(m[1]) >= 1 else None
    if m := re.fullmatch(r"([0-9]{4})-Q([1-4])", value):
        return (date(int(m[1]), 3 * int(m[2]) - 2, 1), "quarter") if int(m[1]) >= 1 else None
    return None


def _worst(verdicts: list[str]) -> str:
    return INVALID if INVALID in verdicts else EITHER if EITHER in verdicts else VALID


def judge_template(kind: str, header: list[str], records: list[dict[str, str]], ref: Ref) -> tuple[str, list[dict]]:
    """The documented rules of a template kind: verdict and the typed rows (None for blank cells)."""
    template = TEMPLATES[kind]
    columns = {c.name: c for c in template.columns}
    if set(header) - set(columns) or {c.name for c in template.columns if c.required} - set(header):
        return INVALID, []
    vocab = {
        "orgs": ref.orgs,
        "services": set(ref.services),
        "channels": set(ref.channels),
        "stages": set(ref.stages),
        "measures": set(ref.measures),
        "roles": set(ref.roles),
        "frameworks": set(ref.frameworks),
        "size_bands": {"small", "medium", "large"},
    }
    verdicts, typed = [], []
    for record in records:
        out: dict[str, object] = {}
        for name, col in columns.items():
            value = record.get(name, "")
            if value == "":
                verdicts.append(INVALID if col.required else VALID)
                out[name] = None
                continue
            if col.kind == "text":
                bad = len(value) > col.max_length
                bad |= name.endswith("_id") and col.vocab is None and not ID_RE.fullmatch(value)
                if col.vocab == "statements":
                    bad |= (record.get("framework_id", ""), value) not in ref.statements
                elif col.vocab:
                    bad |= value not in vocab[col.vocab]
                verdicts.append(INVALID if bad else VALID)
                out[name] = value
            elif col.kind in ("int", "score"):
                verdict, out[name] = _whole(value)
                verdicts.append(verdict)
            elif col.kind == "date":
                out[name] = _date(value)
                verdicts.append(VALID if out[name] else INVALID)
            else:
                out[name] = _period(value)
                verdicts.append(VALID if out[name] else INVALID)
        typed.append(out)
    if INVALID in verdicts:
        return INVALID, typed
    for row in typed:
        if kind == "assessments" and row["score"] is not None and not 1 <= row["score"] <= 5:
            return INVALID, typed
        if kind in ("responses", "comments"):
            for m in SCORES:
                lo, hi = ref.measures[m]
                if row[m] is not None and not lo <= row[m] <= hi:
                    return INVALID, typed
        if kind == "responses" and all(row[m] is None for m in SCORES) and all(record.get(m, "") == "" for m in SCORES):
            return INVALID, typed
        if kind == "distributions":
            lo, hi = ref.measures[row["measure"]]
            if (row["score"] is not None and not lo <= row["score"] <= hi) or (row["responses"] or 0) < 0:
                return INVALID, typed
        service = row.get("service_id") if kind != "services" else None
        if service is not None and ref.services[service] != row["org_id"]:
            return INVALID, typed
    keys = [tuple(str(row[k]) for k in template.key) for row in typed]
    if len(set(keys)) != len(keys):
        return INVALID if _worst(verdicts) == VALID else EITHER, typed
    return _worst(verdicts), typed


def judge_a11(header: list[str], records: list[dict[str, str]]) -> str:
    """The documented A-11 rules, for the columns and values this module generates or damages.

    Numbers written in non-ASCII digits (Arabic-Indic, full width) may be read either way.
    """
    if set(a11_spec.REQUIRED) - set(header):
        return INVALID
    verdicts = []

    def number(value: str, pattern: str, ok: Callable[[float], bool]) -> float | None:
        if not value.isascii():
            verdicts.append(EITHER)
            return None
        try:
            parsed = float(value) if re.fullmatch(pattern, value) else math.nan
        except ValueError:
            parsed = math.nan
        verdicts.append(VALID if math.isfinite(parsed) and ok(parsed) else INVALID)
        return parsed

    for r in records:
        for column in (a11_spec.PROVIDER_ID, a11_spec.PROVIDER_NAME, a11_spec.SERVICE):
            verdicts.append(VALID if r[column] else INVALID)
        number(r[a11_spec.YEAR], r"[0-9]{4}(\.0*)?", lambda y: 2000 <= y <= 2100)
        verdicts.append(VALID if re.fullmatch(r"[Qq]?[1-4](\.0*)?", r[a11_spec.QUARTER]) else INVALID)
        channel = re.sub(r"[\s-]+", "_", r[a11_spec.CHANNEL].lower())
        verdicts.append(VALID if channel in a11_spec.CHANNELS else INVALID)
        for slot in range(1, 12):
            total = 0.0
            for k in a11_spec.SCORES:
                value = r.get(a11_spec.count_column(slot, k), "")
                if value:
                    count = number(value, r"\+?[0-9]+(\.0*)?|-0+(\.0*)?", lambda n: n < 10**15)
                    total += count if count and math.isfinite(count) else 0
            question = re.sub(r"\s+", " ", r.get(a11_spec.text_column(slot), "").replace("\xa0", " ")).strip().lower()
            verdicts.append(INVALID if total and question in a11_spec.PLACEHOLDERS else VALID)
        for column in (a11_spec.CUSTOMERS, a11_spec.OFFERED, a11_spec.RESPONDENTS):
            if value := r.get(column, ""):
                number(value, r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", lambda n: n >= 0)
    return _worst(verdicts)


# --- What the database must hold afterwards ----------------------------------------------------------


def _rows(path: Path, table: str, columns: list[str]) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return sorted(con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall(), key=repr)
    finally:
        con.close()


def expected_rows(kind: str, typed: list[dict]) -> dict[str, tuple[list[str], list[tuple]]]:
    """For each table the import writes: its columns and the rows the file says it should hold."""
    if kind in ("organisations", "services", "assessments"):
        table = {"organisations": "organisations", "services": "services"}.get(kind, "assessment_responses")
        names = TEMPLATES[kind].names
        return {table: (names, [tuple(row[c] for c in names) for row in typed])}
    if kind == "comments":
        names = TEMPLATES[kind].names
        columns = ["comment_date" if c == "date" else c for c in names]
        return {"comments": (columns, [tuple(row[c] for c in names) for row in typed])}
    cell = ["period_start", "period_grain", "org_id", "service_id", "channel", "stage", "measure", "score", "responses"]
    if kind == "distributions":
        return {
            "feedback_distributions": (
                cell,
                [(*row["period"], *(row[c] for c in CELL_COLUMNS), row["score"], row["responses"]) for row in typed],
            )
        }
    counts: Counter[tuple] = Counter()
    for row in typed:
        month = row["date"].replace(day=1)
        for m in SCORES:
            if row[m] is not None:
                counts[(month, "month", row["org_id"], row["service_id"], row["channel"], row["stage"], m, row[m])] += 1
    comments = [
        (
            row["response_id"],
            row["date"],
            *(row[c] for c in CELL_COLUMNS[:-1]),
            row["comment"],
            *(row[m] for m in SCORES),
        )
        for row in typed
        if row["comment"]
    ]
    comment_columns = ["comment_id", "comment_date", "org_id", "service_id", "channel", "stage", "text", *SCORES]
    return {
        "feedback_distributions": (cell, [(*k, n) for k, n in counts.items()]),
        "comments": (comment_columns, comments),
    }


def check_written(fuzz: Fuzz, kind: str, typed: list[dict], path: Path) -> None:
    """The database holds exactly what the file says for its keys, and everything else as before."""
    expected = expected_rows(kind, typed)
    for table, (columns, rows) in expected.items():
        index = KEYS[table]

        def key_of(row: tuple, index: list[int] = index) -> tuple:
            return tuple(row[i] for i in index)

        file_keys = {key_of(r) for r in rows}
        held = _rows(path, table, columns)
        before = _rows(fuzz.template, table, columns)
        assert [r for r in held if key_of(r) in file_keys] == sorted(rows, key=repr), table
        assert [r for r in held if key_of(r) not in file_keys] == [r for r in before if key_of(r) not in file_keys]
    after = snapshot(path)
    for table, content in fuzz.before.items():
        if table not in expected and table not in ("imports", "meta", *DERIVED):
            assert after[table] == content, f"{kind} import changed {table}"
    assert len(after["imports"]) == len(fuzz.before["imports"]) + 1
    check_rollup(path)


#: Tables every write keeps in step with others (checked by check_rollup, not as unchanged): the feedback and
#: assessment rollups, and the stored comment themes.
DERIVED = ("feedback_org_month", "feedback_cells", "assessment_statement_sums", "comment_themes", "theme_words")


def check_rollup(path: Path) -> None:
    """The monthly rollup holds, per period, organisation and measure, the responses and score sums of the
    distributions, the cell rollup each distinct cell's row count, and the assessment rollup each round's
    statements' answers and score sums: nothing more, nothing less. Stored comment themes cover every comment,
    or none when there are too few to fit."""
    rollup = "SELECT period_start, org_id, measure, n, sum_score FROM feedback_org_month ORDER BY ALL"
    direct = (
        "SELECT period_start, org_id, measure, sum(responses), sum(responses * score) FROM feedback_distributions "
        "GROUP BY ALL HAVING sum(responses) > 0 ORDER BY ALL"
    )
    cells = 'SELECT org_id, service_id, channel, stage, measure, scale_min, scale_max, "rows" FROM feedback_cells'
    counted = (
        "SELECT org_id, service_id, channel, stage, measure, scale_min, scale_max, count(*) "
        "FROM feedback_distributions GROUP BY ALL"
    )
    con = duckdb.connect(str(path), read_only=True)
    try:
        held, expected = con.execute(rollup).fetchall(), con.execute(direct).fetchall()
        cell_rows, cell_counts = sorted(con.execute(cells).fetchall()), sorted(con.execute(counted).fetchall())
        sums = sorted(con.execute("SELECT * FROM assessment_statement_sums").fetchall())
        answers = sorted(
            con.execute(
                "SELECT framework_id, org_id, round_date, statement_id, count(*), sum(score) "
                "FROM assessment_responses GROUP BY ALL"
            ).fetchall()
        )
        themed = {r[0] for r in con.execute("SELECT comment_id FROM comment_themes").fetchall()}
        comments = {r[0] for r in con.execute("SELECT comment_id FROM comments").fetchall()}
    finally:
        con.close()
    assert [r for r in held if r[3] > 0] == expected, "feedback_org_month is out of step with the distributions"
    assert cell_rows == cell_counts, "feedback_cells is out of step with the distributions"
    assert sums == answers, "assessment_statement_sums is out of step with the answers"
    assert themed in (comments, set()), "stored comment themes are not for the comments held"


def check_a11_written(fuzz: Fuzz, records: list[dict[str, str]], path: Path) -> None:
    """Providers become organisations; answers to the standard wordings all land in distributions."""
    providers = {r[a11_spec.PROVIDER_ID] for r in records}
    orgs = _rows(path, "organisations", ["org_id"])
    assert len([o for o in orgs if o[0].startswith("a11-")]) == len(providers)
    written = _rows(path, "feedback_distributions", ["org_id", "period_grain", "stage", "responses"])
    a11 = [r for r in written if r[0].startswith("a11-")]
    assert {(r[1], r[2]) for r in a11} <= {("quarter", "whole_journey")}
    total = sum(r[3] for r in a11)
    at_most = at_least = 0
    for r in records:
        for slot in a11_spec.SLOT_MEASURES:
            counted = sum(int(float(r.get(a11_spec.count_column(slot, k)) or 0)) for k in a11_spec.SCORES)
            at_most += counted
            at_least += counted if r.get(a11_spec.text_column(slot)) == A11_WORDINGS[slot] else 0
    assert at_least <= total <= at_most
    after = snapshot(path)
    for table in ("assessment_responses", "comments", "statements", "frameworks"):
        assert after[table] == fuzz.before[table]


# --- The property ------------------------------------------------------------------------------


def check_import(fuzz: Fuzz, kind: str, case: Case) -> str:
    """Import the case into a fresh copy of the template and check the property; return the outcome."""
    path = fuzz.fresh()
    file = fuzz.folder / case.name
    file.write_bytes(case.data)
    parsed = parse(case.data, case.name)
    if parsed is None:
        verdict, typed = INVALID, []
    elif kind == "a11":
        verdict, typed = judge_a11(*parsed), []
    else:
        verdict, typed = judge_template(kind, *parsed, fuzz.ref)
    try:
        import_file(file, kind=kind, db_path=path)
    except ImportFailed as failed:
        assert verdict != VALID, f"a valid file was refused ({case.how}): {failed}"
        assert failed.problems, "ImportFailed without problems"
        limit = case.data.count(b"\n") + case.data.count(b"\r") + 2
        for p in failed.problems:
            assert p.file == case.name, p
            assert isinstance(p.row, int) and p.row >= 0, p
            assert case.name.endswith(".xlsx") or p.row <= limit, (p, limit)
            assert isinstance(p.column, str) and isinstance(p.value, str), p
            assert isinstance(p.reason, str) and p.reason.strip(), p
            assert len(p.value) <= 200 and len(p.column) <= 200, p
        assert snapshot(path) == fuzz.before, f"failed import changed the database ({case.how})"
        return "failed"
    assert verdict != INVALID, f"an invalid file was imported ({case.how})"
    assert parsed is not None
    if kind == "a11":
        check_a11_written(fuzz, parsed[1], path)
    else:
        check_written(fuzz, kind, typed, path)
    return "imported"


@pytest.mark.parametrize("kind", KINDS)
@settings(FUZZ, max_examples=8 * SCALE)
@given(data=st.data())
def test_valid_files_import_exactly_what_they_say(fuzz, kind, data):
    case = data.draw(files(kind, fuzz.ref, mutate=False))
    assert check_import(fuzz, kind, case) == "imported", case.how


@pytest.mark.parametrize("kind", KINDS)
@settings(FUZZ, max_examples=25 * SCALE)
@given(data=st.data())
def test_damaged_files_fail_cleanly_and_change_nothing(fuzz, kind, data):
    check_import(fuzz, kind, data.draw(files(kind, fuzz.ref, mutate=True)))


# --- Cases worth pinning, whatever hypothesis draws ---------------------------------------------


def _example(kind: str) -> bytes:
    return (Path(__file__).parent.parent / "docs" / "templates" / f"{kind}.csv").read_bytes()


def _without(kind: str, column: str) -> bytes:
    """The documented example file of `kind` without one of its columns."""
    rows = list(csv.DictReader(io.StringIO(_example(kind).decode())))
    return to_csv(
        [[c for c in rows[0] if c != column], *([v for c, v in r.items() if c != column] for r in rows)]
    ).encode()


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def _a11_file(count: str) -> bytes:
    header = [*a11_spec.REQUIRED]
    row = {c: "0" for c in header} | {
        a11_spec.PROVIDER_ID: "21",
        a11_spec.PROVIDER_NAME: "Provider",
        a11_spec.ORGANISATION_NAME: "Department",
        a11_spec.YEAR: "2022",
        a11_spec.QUARTER: "2",
        a11_spec.SERVICE: "Service",
        a11_spec.CHANNEL: "web",
    }
    row |= {a11_spec.text_column(s): t for s, t in A11_WORDINGS.items()}
    row[a11_spec.count_column(1, 5)] = count
    return to_csv([header, [row[c] for c in header]]).encode()


PINNED = {
    "huge responses count": ("distributions", _example("distributions").replace(b",12\n", b",99999999999999999999\n")),
    "infinite responses": ("distributions", _example("distributions").replace(b",12\n", b",1e400\n")),
    "huge negative score": ("assessments", _example("assessments").replace(b"LS1,4,", b"LS1,-1e300,", 1)),
    "huge recommend": ("responses", _example("responses").replace(b",4,4,5,4,4,8,", b",4,4,5,4,4,1e30,")),
    "year zero period": ("distributions", _example("distributions").replace(b"2026-03,", b"0000-01,", 1)),
    "NUL after 4 KB": (
        "organisations",
        _example("organisations")
        + b"".join(b"o%d,N,local,R,small,t,,\n" % i for i in range(200))
        + b"z,a\x00b,l,R,small,t,,\n",
    ),
    "column named _row": ("organisations", _example("organisations").replace(b",country", b",_row")),
    "CR line ends, semicolons in a name": (
        "organisations",
        _example("organisations")
        .replace(b"Example Borough Council", b'"a;b;c;d;e;f;g;h;i;j;k;l;m;n;o;p;q;r;s;t;u"')
        .replace(b"\n", b"\r"),
    ),
    "100k+ columns": ("organisations", b",".join(b"c%d" % i for i in range(100_001)) + b"\n" + b"1," * 10 + b"\n"),
    "zip of garbage": ("organisations", _zip({"[Content_Types].xml": b"<garbage", "xl/workbook.xml": b"\x00\x01"})),
    "CSV renamed .xlsx": ("organisations", _example("organisations")),
    "UTF-16": ("comments", _example("comments").decode().encode("utf-16")),
    "cp1252 accents": (
        "organisations",
        _example("organisations").decode().replace("Example", "Éxample").encode("cp1252"),
    ),
    "header only": ("services", _example("services").split(b"\n")[0] + b"\n"),
    "field over the csv limit": ("comments", _example("comments").replace(b"Clear information", b"x" * 200_000)),
    "binary junk": ("responses", bytes(range(256)) * 20),
    "no optional service_id column": ("comments", _without("comments", "service_id")),
    "no optional category column": ("services", _without("services", "category")),
    "every measure unknown": (
        "distributions",
        _example("distributions").replace(b",satisfaction,", b",happiness,").replace(b",recommend,", b",,"),
    ),
    "a11 count beyond BIGINT": ("a11", _a11_file("9" * 25)),
    "a11 negative count": ("a11", _a11_file("-3")),
    "a11 count in words": ("a11", _a11_file("many")),
}


@pytest.mark.parametrize("label", list(PINNED))
def test_pinned_hostile_files(fuzz, label):
    kind, data = PINNED[label]
    name = "upload.xlsx" if label in ("zip of garbage", "CSV renamed .xlsx") else "upload.csv"
    outcome = check_import(fuzz, kind, Case(data, name, [label]))
    if label in ("CR line ends, semicolons in a name", "no optional service_id column", "no optional category column"):
        assert outcome == "imported"
    else:
        assert outcome == "failed", label

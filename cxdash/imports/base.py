"""What every importer shares: reading CSV and Excel as text, problem reports, import records."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from cxdash import db

#: Largest file an import accepts (bytes).
MAX_FILE_BYTES = 512 * 1024 * 1024

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".txt"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file. Row numbers are as a spreadsheet shows them:
    the header is row 1, the first data row is row 2; 0 means the file as a whole."""

    file: str
    row: int
    column: str
    value: str
    reason: str

    def __post_init__(self) -> None:  # a damaged file can make a "value" or column name of any length
        object.__setattr__(self, "value", self.value[:200])
        object.__setattr__(self, "column", self.column[:200])

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row else self.file
        if self.column:
            where += f", column {self.column}"
        value = f" value {self.value!r}:" if self.value != "" else ""
        return f"{where}:{value} {self.reason}"


class ImportFailed(Exception):
    """An import found problems and wrote nothing."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing was imported\n" + "\n".join(map(str, problems[:20])))

    def frame(self) -> pd.DataFrame:
        """The problems as a table (file, row, column, value, reason)."""
        return pd.DataFrame([p.__dict__ for p in self.problems], columns=["file", "row", "column", "value", "reason"])


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    kind: str
    file: str
    rows_read: int
    rows_written: int = 0
    rows_replaced: int = 0
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One paragraph for people."""
        text = f"{self.file}: {self.kind}, {self.rows_read:,} rows read, "
        if self.dry_run:
            text += (
                f"would write {self.rows_written:,} rows (dry run: nothing written); "
                "rows already held for the same keys would be replaced"
            )
        else:
            text += f"wrote {self.rows_written:,} rows, replacing {self.rows_replaced:,} existing rows"
        return "\n".join([text, *self.notes])


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, recorded with each import."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(raw: bytes, name: str) -> tuple[str | None, list[Problem]]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem(name, 0, "", "", "file is UTF-16 encoded; save it as 'CSV UTF-8' and import again")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 4]
        return None, [
            Problem(
                name,
                line,
                "",
                bad.hex(" "),
                f"file is not UTF-8 (undecodable byte at row {line}); "
                "save it as 'CSV UTF-8' (Excel: Save As > CSV UTF-8) and import again",
            )
        ]


def read_table(path: Path, display_name: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a CSV (UTF-8) or Excel (.xlsx, first sheet) file as text cells.

    Returns a frame of strings (blank cells are "") with a `_row` column holding the spreadsheet
    row number, and the problems that stop the file being read at all.
    """
    path = Path(path)
    name = display_name or path.name
    if not path.is_file():
        return pd.DataFrame(), [Problem(name, 0, "", "", "file not found")]
    size = path.stat().st_size
    if size == 0:
        return pd.DataFrame(), [Problem(name, 0, "", "", "file is empty")]
    if size > MAX_FILE_BYTES:
        return pd.DataFrame(), [
            Problem(
                name, 0, "", f"{size:,} bytes", f"file is larger than the {MAX_FILE_BYTES // 2**20} MB limit; split it"
            )
        ]
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        rows, problems = _read_excel(path, name)
    elif suffix in CSV_SUFFIXES or suffix == "":
        rows, problems = _read_csv(path, name)
    else:
        return pd.DataFrame(), [Problem(name, 0, "", path.suffix, "unsupported file type; use .csv (UTF-8) or .xlsx")]
    if problems:
        return pd.DataFrame(), problems
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        return pd.DataFrame(), [Problem(name, 0, "", "", "file is empty")]
    header = [h.strip() for h in rows[0]]
    if not any(header):
        return pd.DataFrame(), [Problem(name, 1, "", "", "the first row must hold column names")]
    problems = []
    if "_row" in header:
        problems.append(Problem(name, 1, "_row", "_row", "column name _row is reserved; rename or remove that column"))
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        if h and h in seen:
            problems.append(Problem(name, 1, h, h, f"column name appears twice (columns {seen[h] + 1} and {i + 1})"))
        seen.setdefault(h, i)
    width = len(header)
    body = []
    numbers = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > width and any(c.strip() for c in row[width:]):
            problems.append(Problem(name, number, "", "", f"row has {len(row)} cells but the header has {width}"))
            continue
        body.append([c.strip() for c in (row + [""] * width)[:width]])
        numbers.append(number)
    if not body and not problems:
        problems.append(Problem(name, 0, "", "", "file has a header but no data rows"))
    frame = pd.DataFrame(body, columns=header, dtype=object) if body else pd.DataFrame(columns=header)
    frame = frame.loc[:, [h for h in header if h]] if "" in header else frame
    frame["_row"] = numbers
    return frame, problems


def _read_csv(path: Path, name: str) -> tuple[list[list[str]], list[Problem]]:
    raw = path.read_bytes()
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    if b"\x00" in raw[:4096] and not utf16:
        return [], [Problem(name, 0, "", "", "file looks binary, not CSV text")]
    if not utf16 and (nul := raw.find(b"\x00")) >= 0:
        line = raw[:nul].count(b"\n") + 1
        return [], [Problem(name, line, "", "", f"row {line} holds a NUL (zero) byte: the file is damaged or not text")]
    text, problems = _decode(raw, name)
    if problems:
        return [], problems
    header = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]  # files saved with CR line ends exist
    delimiter = max(",;\t", key=header.count)  # the separator the header line uses most; ties go to comma
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)], []
    except csv.Error as exc:
        return [], [Problem(name, 0, "", "", f"not a readable CSV file: {exc}")]


def _read_excel(path: Path, name: str) -> tuple[list[list[str]], list[Problem]]:
    import openpyxl  # imported here: only Excel imports pay for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        return [], [Problem(name, 0, "", "", f"not a readable Excel .xlsx file: {exc.__class__.__name__}: {exc}")]
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)], []
    finally:
        book.close()


def next_import_id(con: duckdb.DuckDBPyConnection) -> int:
    """The id the next import record will get."""
    return int(db.scalar(con, "SELECT coalesce(max(import_id), 0) + 1 FROM imports"))


def record_import(con: duckdb.DuckDBPyConnection, import_id: int, result: ImportResult, sha256: str) -> None:
    """Write the import's own record, inside the caller's transaction."""
    con.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
        [import_id, result.kind, result.file, sha256, result.rows_read, result.rows_written, result.rows_replaced],
    )

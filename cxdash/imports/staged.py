"""The fast path for response-level CSV files: DuckDB reads, checks and counts them, with no Python
loop over rows.

DuckDB's CSV reader loads the file into an in-memory staging table, one SQL query applies the
template's rules (the same ones `templates.validate` applies) and two more count the answers into
monthly distributions and pick out the comments; only then is the database opened for writing.

These checks decide only *whether* a file is clean. Anything they find wrong, and anything they do not
recognise (a quoted header, a score written "4.0", a row with fewer cells than the header, a lone CR
line end), sends the file to the row-by-row checker in `templates.py`, which reports every problem
with its file, row, column, value and reason. So the fast path is never looser than the full checker:
it imports exactly the files that checker would import, and writes the same rows.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb

from cxdash import db
from cxdash.imports.base import CSV_SUFFIXES, MAX_FILE_BYTES, ImportResult, next_import_id, record_import
from cxdash.imports.templates import SCORE_MEASURES, TEMPLATES
from cxdash.imports.writers import COMMENTS_SQL, COUNTS_SQL, write_response_counts
from cxdash.insight import themes

KIND = "responses"
#: Characters Python's str.strip() removes (str.isspace), as an RE2 class: the full checker strips them.
_SPACE = (
    r"[\t\n\x{0B}\x{0C}\r\x{1C}-\x{1F} \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]"
)
_ID = "[A-Za-z0-9][A-Za-z0-9_.:-]*"
_HEADER_BYTES = 1 << 16
#: A quote next to a space or tab: DuckDB's reader drops spaces around a quoted value, Python's csv keeps them.
_SPACED_QUOTE = re.compile(rb'[ \t\x0b\x0c]"|"[ \t\x0b\x0c]')


def csv_header(path: Path) -> tuple[list[str], str] | None:
    """The column names and delimiter of a plain CSV file; None when it is not one the fast path reads
    (not a CSV, empty or too large, a header in quotes or not on the first line)."""
    path = Path(path)
    if path.suffix.lower() not in CSV_SUFFIXES | {""} or not path.is_file():
        return None
    if not 0 < path.stat().st_size <= MAX_FILE_BYTES:
        return None
    with open(path, "rb") as fh:
        first = fh.read(_HEADER_BYTES)
    end = first.find(b"\n")
    line = first[:end].removesuffix(b"\r")
    if end < 0 or b'"' in line or b"\r" in line:
        return None
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    delimiter = max(",;\t", key=text.count)  # as base._read_csv: the separator the header uses most
    return [name.strip() for name in text.split(delimiter)], delimiter


def clean_bytes(path: Path, header: tuple[list[str], str]) -> str | None:
    """The file's SHA-256 when its header and bytes suit the fast path (the responses template's columns,
    UTF-8, no NUL byte, no CR-only line end, no space next to a quote); None otherwise."""
    names, _ = header
    template = TEMPLATES[KIND]
    required = {c.name for c in template.columns if c.required}
    if not all(names) or len(set(names)) < len(names) or not required <= set(names) <= set(template.names):
        return None
    raw = Path(path).read_bytes()
    if b"\x00" in raw or raw.count(b"\r") != raw.count(b"\r\n"):
        return None
    if b'"' in raw and _SPACED_QUOTE.search(raw):
        return None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return hashlib.sha256(raw).hexdigest()


def import_responses(
    path: Path, name: str, header: tuple[list[str], str], sha256: str, db_path: Path, dry_run: bool = False
) -> ImportResult | None:
    """Import a clean response-level CSV through DuckDB; None when the file needs the full checker.

    `header` is what csv_header returned and `sha256` what clean_bytes did. Nothing is written unless
    the whole file is clean.
    """
    names, delimiter = header
    template = TEMPLATES[KIND]
    with db.reader(db_path) as con:
        reference = {
            "ref_orgs": con.execute("SELECT org_id FROM organisations").df(),
            "ref_services": con.execute("SELECT service_id, org_id FROM services").df(),
            "ref_channels": con.execute("SELECT channel FROM channels").df(),
            "ref_stages": con.execute("SELECT stage FROM journey_stages").df(),
            "measures": con.execute("SELECT measure, scale_min, scale_max FROM measures").df(),
        }
    scales = {m: (int(lo), int(hi)) for m, lo, hi in reference["measures"].itertuples(index=False)}
    stage = duckdb.connect()
    try:
        for table, frame in reference.items():
            stage.register(table, frame)
        columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in names) + "}"  # names: template names only
        source = (
            "read_csv(?, delim = ?, quote = '\"', escape = '\"', header = false, skip = 1, auto_detect = false, "
            f"strict_mode = true, columns = {columns})"
        )
        try:
            stage.execute(_cleaned_sql(source, names, template.names), [str(path), delimiter])
        except duckdb.Error:  # a row DuckDB's reader will not take: the full checker says why
            return None
        rows = db.scalar(stage, "SELECT count(*) FROM cleaned")
        if not rows or db.scalar(stage, _problems_sql(scales)):
            return None
        stage.execute(_typed_sql())
        result = ImportResult(
            KIND, name, rows_read=rows, dry_run=dry_run, notes=[f"Re-import rule: {template.replace_rule}."]
        )
        if dry_run:
            result.rows_written = rows
            return result
        counts = stage.sql(COUNTS_SQL.format(source="typed")).to_arrow_table()
        comments = stage.execute(COMMENTS_SQL.format(source="typed")).df()
    finally:
        stage.close()
    with db.writer(db_path) as con:
        import_id = next_import_id(con)
        result.rows_written, result.rows_replaced = write_response_counts(con, counts, comments, import_id)
        record_import(con, import_id, result, sha256)
        themes.refresh(con)  # comment themes and sentiment, fitted again if the comments changed
    return result


def _cleaned_sql(source: str, present: list[str], columns: list[str]) -> str:
    """The file (`source`) as table `cleaned`: every template column, trimmed, blank as NULL, with the
    date and scores also typed (NULL where they do not parse); blank rows left out.

    Text is trimmed of spaces and tabs only: a value with other white space at an end then fails a
    check below (an id, a date, a number or a reference value never has it) and goes to the full
    checker. The free-text comment is stripped exactly as Python's str.strip() does, since it is stored.
    """
    cells = []
    for c in columns:
        if c not in present:
            cells.append(f"NULL::VARCHAR AS {c}")
        elif c == "comment":
            cells.append(f"nullif(regexp_replace({c}, '^{_SPACE}+|{_SPACE}+$', '', 'g'), '') AS {c}")
        else:
            cells.append(f"nullif(trim({c}, ' \t'), '') AS {c}")
    typed = [
        "CAST(try_strptime(date, '%Y-%m-%d') AS DATE) AS date_value",
        *(f"TRY_CAST({m} AS TINYINT) AS {m}_value" for m in SCORE_MEASURES),
    ]
    return (
        f"CREATE TABLE cleaned AS SELECT *, {', '.join(typed)} FROM (SELECT {', '.join(cells)} FROM {source}) "
        f"WHERE NOT ({' AND '.join(f'{c} IS NULL' for c in columns)})"
    )


def _problems_sql(scales: dict[str, tuple[int, int]]) -> str:
    """How many rows break a rule of the responses template, plus duplicated response ids (0: clean)."""
    rules = [
        f"length(response_id) <= 80 AND regexp_full_match(response_id, '{_ID}')",
        "regexp_full_match(date, '[0-9]{4}-[0-9]{2}-[0-9]{2}')",
        "year(date_value) BETWEEN 1700 AND 2200",  # pandas' own range is 1677-2262
        "length(c.org_id) <= 80 AND c.org_id IN (SELECT org_id FROM ref_orgs)",
        "length(c.service_id) <= 120 AND s.org_id = c.org_id",
        "length(channel) <= 200 AND channel IN (SELECT channel FROM ref_channels)",
        "length(stage) <= 200 AND stage IN (SELECT stage FROM ref_stages)",
        "comment IS NULL OR length(comment) <= 5000",
        f"NOT ({' AND '.join(f'{m} IS NULL' for m in SCORE_MEASURES)})",
    ]
    for m in SCORE_MEASURES:
        lo, hi = scales[m]
        number = f"regexp_full_match({m}, '[0-9]{{1,3}}') AND {m}_value BETWEEN {lo} AND {hi}"
        rules.append(f"{m} IS NULL OR ({number})")
    broken = " AND ".join(f"coalesce({r}, false)" for r in rules)
    return (
        f"SELECT count(*) FILTER (WHERE NOT ({broken})) + count(*) - count(DISTINCT response_id) "
        "FROM cleaned c LEFT JOIN ref_services s ON s.service_id = c.service_id"
    )


def _typed_sql() -> str:
    """`cleaned` with its typed date and scores, as view `typed` (the columns COUNTS_SQL and COMMENTS_SQL read)."""
    scores = ", ".join(f"{m}_value AS {m}" for m in SCORE_MEASURES)
    return (
        "CREATE VIEW typed AS SELECT response_id, date_value AS date, org_id, service_id, channel, stage, "
        f"{scores}, comment FROM cleaned"
    )

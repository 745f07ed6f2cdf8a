"""Importing an uploaded file from the app: check it (a dry run), then import it on confirmation.

The Data page hands over the uploaded bytes; everything else (size and type checks, the dry run,
the report people read, the real import) happens here, so tests can drive it without a browser.
Nothing in this module uses Streamlit.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from cxdash import db
from cxdash.imports import KINDS, ImportFailed, ImportResult, Problem, import_file
from cxdash.imports.base import MAX_FILE_BYTES
from cxdash.imports.templates import TEMPLATES, template_frame
from cxdash.labels import csv_bytes, md

#: File types the app accepts (the command line also reads .txt and .xlsm).
UPLOAD_TYPES = ("csv", "xlsx")

#: Plain names for the import kinds, in the order the app offers them.
KIND_LABELS = {**{kind: t.title for kind, t in TEMPLATES.items()}, "a11": "US federal A-11 quarterly results"}

BUSY = "The data is being refreshed by another import. Nothing was imported: try again in a minute."

PROBLEM_COLUMNS = ["file", "row", "column", "value", "reason"]


@dataclass(frozen=True)
class UploadReport:
    """What checking (dry run) or importing one uploaded file found or did."""

    file: str
    dry_run: bool
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    result: ImportResult | None = None
    busy: bool = False

    @property
    def ok(self) -> bool:
        """True when the file passed every check (and, unless a dry run, was imported)."""
        return self.result is not None and self.problems.empty and not self.busy

    @property
    def kind(self) -> str | None:
        """The kind the file was read as (chosen or detected), once known."""
        return self.result.kind if self.result else None

    def headline(self) -> str:
        """One sentence saying how it went, in plain text (the file name as given: see markdown())."""
        if self.busy:
            return BUSY
        if not self.problems.empty:
            count = len(self.problems)
            return f"{count:,} problem{'s' if count != 1 else ''} in {self.file}; nothing was imported."
        assert self.result is not None
        label = KIND_LABELS.get(self.result.kind, self.result.kind)
        label = label if label[:2].isupper() else label[0].lower() + label[1:]
        if self.dry_run:
            text = (
                f"{self.file} is ready to import as {label}: {_rows(self.result.rows_read)} read, "
                f"{_rows(self.result.rows_written)} would be written"
            )
            if self.result.kind == "a11":  # only the A-11 dry run counts what it would replace
                text += f", replacing {_rows(self.result.rows_replaced)} already held"
            return text + "."
        return (
            f"Imported {self.file} as {label}: {_rows(self.result.rows_read)} read, "
            f"{_rows(self.result.rows_written)} written, {_rows(self.result.rows_replaced)} replaced."
        )

    def notes(self) -> list[str]:
        """The import's notes (re-import rule, what was mapped how)."""
        return list(self.result.notes) if self.result else []

    def markdown(self) -> str:
        """The headline and the re-import rule as Markdown, for st.info / st.success: the file name and
        anything else taken from the file are shown as written, never as links or formatting."""
        rule = [note for note in self.notes() if note.startswith("Re-import rule")]
        return "\n\n".join(md(line) for line in [self.headline(), *rule])

    def details(self) -> str:
        """The other notes (what was mapped how) as a Markdown list, their text shown as written (they can name
        providers and services from the file); indented notes become sub-items."""
        lines = []
        for note in self.notes():
            if note.startswith("Re-import rule"):
                continue
            nested = note.startswith(" ")
            lines.append(("    - " if nested else "- ") + md(note.strip().removeprefix("- ")))
        return "\n".join(lines)


def _rows(count: int) -> str:
    return f"{count:,} row{'' if count == 1 else 's'}"


def limit_bytes(max_upload_mb: int | None = None) -> int:
    """Largest file the app accepts: the import limit, or Streamlit's upload limit if smaller."""
    if max_upload_mb is None:
        return MAX_FILE_BYTES
    return min(MAX_FILE_BYTES, int(max_upload_mb) * 2**20)


def _refusal(filename: str, size: int, limit: int) -> list[Problem]:
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        shown = f".{suffix}" if suffix else "no extension"
        return [Problem(filename, 0, "", shown, "unsupported file type; upload a .csv (UTF-8) or .xlsx file")]
    if size > limit:
        return [
            Problem(
                filename,
                0,
                "",
                f"{size / 2**20:,.1f} MB",
                f"file is larger than the {limit // 2**20} MB limit; split it into smaller files",
            )
        ]
    return []


def _run(data: bytes, filename: str, kind: str | None, db_path: Path | None, dry_run: bool, limit: int) -> UploadReport:
    name = Path(filename).name or "upload.csv"
    refused = _refusal(name, len(data), limit)
    if refused:
        return UploadReport(name, dry_run, problems=ImportFailed(refused).frame())
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; use one of {KINDS}")
    with tempfile.TemporaryDirectory(prefix="cxdash-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            result = import_file(path, kind=kind, db_path=db_path, dry_run=dry_run, display_name=name)
        except ImportFailed as failed:  # listed by row, as someone fixing the spreadsheet works through it
            return UploadReport(name, dry_run, problems=failed.frame().sort_values("row", kind="stable"))
        except db.DatabaseBusy:
            return UploadReport(name, dry_run, busy=True)
        except db.SchemaError as exc:  # the file at db_path is not a usable cxdash database
            return UploadReport(name, dry_run, problems=ImportFailed([Problem(name, 0, "", "", str(exc))]).frame())
        except duckdb.ConnectionException as exc:  # another connection in this process holds the file
            if "different configuration" not in str(exc):
                raise
            return UploadReport(name, dry_run, busy=True)
    return UploadReport(name, dry_run, result=result)


def validate_upload(
    data: bytes, filename: str, kind: str | None = None, db_path: Path | None = None, limit: int | None = None
) -> UploadReport:
    """Check an uploaded file completely without writing anything (kind None = detect from columns)."""
    return _run(data, filename, kind, db_path, dry_run=True, limit=limit or MAX_FILE_BYTES)


def confirm_upload(
    data: bytes, filename: str, kind: str | None = None, db_path: Path | None = None, limit: int | None = None
) -> UploadReport:
    """Import an uploaded file: checked again, then written in one transaction or not at all."""
    return _run(data, filename, kind, db_path, dry_run=False, limit=limit or MAX_FILE_BYTES)


def problems_csv(report: UploadReport) -> bytes:
    """The report's problems as a CSV file (UTF-8 with a byte-order mark, so Excel reads it). The values come
    from the rejected file: a cell such as '=HYPERLINK(...)' is kept as text (labels.csv_bytes), never a formula."""
    return csv_bytes(report.problems)


def template_csv(kind: str) -> bytes:
    """An empty import template for `kind`: just the header row of its columns."""
    return template_frame(kind).to_csv(index=False).encode("utf-8")


def template_columns(kind: str) -> pd.DataFrame:
    """The columns a template expects: column, required, what it holds, example."""
    return pd.DataFrame(
        [(c.name, "yes" if c.required else "no", c.description, c.example) for c in TEMPLATES[kind].columns],
        columns=["column", "required", "what it holds", "example"],
    )

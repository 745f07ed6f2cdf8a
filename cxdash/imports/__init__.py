"""Imports: validate a whole file first, then write it in one transaction or not at all.

`import_file` is what the CLI and the app call. Kinds: the templates in `templates.TEMPLATES`
and `a11` (US federal A-11 customer-experience quarterly data). A response-level CSV, the big one,
is first tried through DuckDB (`staged`); a file that is not clean there gets the full checker.
"""

from __future__ import annotations

from pathlib import Path

from cxdash import db, frameworks
from cxdash.imports import staged
from cxdash.imports.base import (
    ImportFailed,
    ImportResult,
    Problem,
    file_sha256,
    next_import_id,
    read_table,
    record_import,
)
from cxdash.imports.templates import TEMPLATES, validate, vocabularies
from cxdash.imports.writers import write_kind
from cxdash.insight import themes

__all__ = ["KINDS", "ImportFailed", "ImportResult", "Problem", "detect_kind", "import_file"]

KINDS = [*TEMPLATES, "a11"]


def detect_kind(columns: list[str]) -> str | None:
    """Guess an import kind from a file's column names; None if no kind matches."""
    present = set(columns) - {"_row"}
    if {"attributes_q1_text", "attributes_service_provider_id"} <= present:
        return "a11"
    matches = [
        k
        for k, t in TEMPLATES.items()
        if {c.name for c in t.columns if c.required} <= present and present <= set(t.names)
    ]
    return matches[0] if len(matches) == 1 else None


def import_file(
    path: Path,
    kind: str | None = None,
    db_path: Path | None = None,
    dry_run: bool = False,
    display_name: str | None = None,
) -> ImportResult:
    """Validate `path` completely, then write it in one transaction (unless dry_run).

    Raises ImportFailed listing every problem (file, row, column, value, reason); in that case
    the database is untouched.
    """
    path = Path(path)
    name = display_name or path.name
    header = staged.csv_header(path)
    if header is not None and (kind or detect_kind(header[0])) == staged.KIND:
        sha256 = staged.clean_bytes(path, header)
        if sha256 is not None:  # a clean CSV is checked and counted inside DuckDB
            db_path = db.ensure_schema(db_path)
            frameworks.ensure_loaded(db_path)
            result = staged.import_responses(path, name, header, sha256, db_path, dry_run)
            if result is not None:
                return result
    frame, problems = read_table(path, name)
    if problems:
        raise ImportFailed(problems)
    if kind is None:
        kind = detect_kind(list(frame.columns))
        if kind is None:
            raise ImportFailed(
                [
                    Problem(
                        name,
                        1,
                        "",
                        "",
                        "cannot tell what kind of file this is from its columns; "
                        f"name the kind (one of: {', '.join(KINDS)})",
                    )
                ]
            )
    if kind not in KINDS:
        raise ImportFailed([Problem(name, 0, "", kind, f"unknown import kind; use one of: {', '.join(KINDS)}")])
    db_path = db.ensure_schema(db_path)
    frameworks.ensure_loaded(db_path)
    if kind == "a11":
        from cxdash.imports import a11

        return a11.import_frame(frame, name, db_path, file_sha256(path), dry_run)
    template = TEMPLATES[kind]
    with db.reader(db_path) as con:
        vocab = vocabularies(con)
    typed, problems = validate(template, frame, name, vocab)
    if problems:
        raise ImportFailed(problems)
    result = ImportResult(
        kind, name, rows_read=len(frame), dry_run=dry_run, notes=[f"Re-import rule: {template.replace_rule}."]
    )
    if dry_run:
        result.rows_written = len(typed)
        return result
    with db.writer(db_path) as con:
        import_id = next_import_id(con)
        result.rows_written, result.rows_replaced = write_kind(con, kind, typed, import_id)
        record_import(con, import_id, result, file_sha256(path))
        themes.refresh(con)  # comment themes and sentiment, fitted again if the comments changed
    return result

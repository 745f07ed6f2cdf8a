"""Writing validated template rows: each kind replaces what the database holds for its keys."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from cxdash import db, rollups
from cxdash.imports.templates import SCORE_MEASURES

CELL = ["period_start", "period_grain", "org_id", "service_id", "channel", "stage", "measure"]


def _replace(con: duckdb.DuckDBPyConnection, table: str, keys: list[str], incoming: str) -> int:
    """Delete rows of `table` whose key columns match any row of the registered frame `incoming`."""
    match = " AND ".join(f"t.{k} IS NOT DISTINCT FROM i.{k}" for k in keys)
    before = db.scalar(con, f"SELECT count(*) FROM {table}")
    con.execute(
        f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM (SELECT DISTINCT {', '.join(keys)} FROM {incoming}) i "
        f"WHERE {match})"
    )
    return before - db.scalar(con, f"SELECT count(*) FROM {table}")


def _insert(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str], incoming: str, import_id: int, order: str = ""
) -> int:
    con.execute(
        f"INSERT INTO {table} ({', '.join(columns)}, import_id) SELECT {', '.join(columns)}, ? FROM {incoming}"
        + (f" ORDER BY {order}" if order else ""),
        [import_id],
    )
    return db.scalar(con, f"SELECT count(*) FROM {incoming}")


def write_distributions(con: duckdb.DuckDBPyConnection, frame: Any, import_id: int) -> tuple[int, int]:
    """Replace the cells in `frame` (CELL columns + scale_min, scale_max, score, responses; a DataFrame or an
    Arrow table)."""
    con.register("incoming_distributions", frame)
    try:
        replaced = _replace(con, "feedback_distributions", CELL, "incoming_distributions")
        written = _insert(
            con,
            "feedback_distributions",
            [*CELL, "scale_min", "scale_max", "score", "responses"],
            "incoming_distributions",
            import_id,
            order=rollups.DISTRIBUTION_ORDER,
        )
        orgs = [r[0] for r in con.execute("SELECT DISTINCT org_id FROM incoming_distributions").fetchall()]
        rollups.refresh_feedback(con, orgs)
    finally:
        con.unregister("incoming_distributions")
    return written, replaced


def write_kind(con: duckdb.DuckDBPyConnection, kind: str, typed: pd.DataFrame, import_id: int) -> tuple[int, int]:
    """Write one validated template file's rows; return (rows written, rows replaced)."""
    frame = typed.drop(columns=["_row"])
    if kind == "organisations":
        return _simple(con, "organisations", ["org_id"], frame, import_id)
    if kind == "services":
        return _simple(con, "services", ["service_id"], frame, import_id)
    if kind == "assessments":
        written = _simple(con, "assessment_responses", ["framework_id", "org_id", "round_date"], frame, import_id)
        rollups.refresh_assessments(con, frame["org_id"].unique().tolist())
        return written
    if kind == "comments":
        return _simple(con, "comments", ["comment_id"], frame.rename(columns={"date": "comment_date"}), import_id)
    if kind == "distributions":
        return write_distributions(con, _with_scales(con, frame.rename(columns={"period": "period_start"})), import_id)
    if kind == "responses":
        return _write_responses(con, frame, import_id)
    raise ValueError(f"unknown import kind {kind!r}")


def _simple(
    con: duckdb.DuckDBPyConnection, table: str, keys: list[str], frame: pd.DataFrame, import_id: int
) -> tuple[int, int]:
    con.register("incoming_rows", frame)
    try:
        replaced = _replace(con, table, keys, "incoming_rows")
        written = _insert(con, table, list(frame.columns), "incoming_rows", import_id)
    finally:
        con.unregister("incoming_rows")
    return written, replaced


def _with_scales(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> pd.DataFrame:
    scales = con.execute("SELECT measure, scale_min, scale_max FROM measures").df()
    return frame.merge(scales, on="measure", how="left")


#: Response-level answers (a table or view `{source}` with the responses template's typed columns)
#: counted into monthly distributions: one row per month x cell x score.
COUNTS_SQL = (
    "SELECT date_trunc('month', a.date)::DATE AS period_start, 'month' AS period_grain, a.org_id, "
    "a.service_id, a.channel, a.stage, a.measure, m.scale_min, m.scale_max, a.score::TINYINT AS score, "
    "count(*) AS responses FROM ("
    + " UNION ALL ".join(
        f"SELECT date, org_id, service_id, channel, stage, '{m}' AS measure, {m} AS score "
        f"FROM {{source}} WHERE {m} IS NOT NULL"
        for m in SCORE_MEASURES
    )
    + ") a JOIN measures m USING (measure) GROUP BY ALL"
)
#: The comments that response-level rows carry, as rows of the comments table.
COMMENTS_SQL = (
    "SELECT response_id AS comment_id, date AS comment_date, org_id, service_id, channel, stage, "
    f"comment AS text, {', '.join(SCORE_MEASURES)} FROM {{source}} "
    "WHERE comment IS NOT NULL AND trim(comment) <> ''"
)


def _write_responses(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, import_id: int) -> tuple[int, int]:
    """Count response-level answers into monthly distributions, and keep their comments."""
    con.register("incoming_responses", frame)
    try:
        counts = con.execute(COUNTS_SQL.format(source="incoming_responses")).df()
        comments = con.execute(COMMENTS_SQL.format(source="incoming_responses")).df()
    finally:
        con.unregister("incoming_responses")
    return write_response_counts(con, counts, comments, import_id)


def write_response_counts(
    con: duckdb.DuckDBPyConnection, counts: Any, comments: pd.DataFrame, import_id: int
) -> tuple[int, int]:
    """Write counted distributions (COUNTS_SQL's columns; a DataFrame or an Arrow table) and comments
    (COMMENTS_SQL's); return (rows written, rows replaced)."""
    written, replaced = write_distributions(con, counts, import_id)
    if len(comments):
        w, r = _simple(con, "comments", ["comment_id"], comments, import_id)
        written, replaced = written + w, replaced + r
    return written, replaced

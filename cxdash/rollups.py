"""Rollup tables kept up to date on every write, so pages read thousands of rows instead of millions.

feedback_org_month: the score-distribution statistics of feedback_distributions per period, organisation
and measure. feedback_cells: each distinct organisation, service, channel, stage, measure and scale of
feedback_distributions with its row count (for the consistency check). Every path that writes feedback
distributions (imports, the demo build) calls `refresh_feedback` inside its own transaction, so readers
never see the tables disagree.

assessment_statement_sums: each statement's answers added up per framework, organisation and round (what pillar
scores are computed from). Every path that writes assessment answers (imports, workshop submissions, the demo
build) calls `refresh_assessments` inside its own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from cxdash.queries import sql

#: The order feedback_distributions rows are written in (the demo build; every import sorts its own rows so).
#: DuckDB keeps each block's smallest and largest values and skips blocks a filter rules out, so with one
#: organisation's rows together a page for one organisation reads its own blocks, not all 23 million rows.
DISTRIBUTION_ORDER = "org_id, measure, period_start, period_grain, service_id, channel, stage, score"

#: The rollups of feedback_distributions: table -> the named queries that clear, fill and check it.
FEEDBACK = {
    "feedback_org_month": ("feedback_org_month_delete", "feedback_org_month_insert", "feedback_org_month_check"),
    "feedback_cells": ("feedback_cells_delete", "feedback_cells_insert", "feedback_cells_check"),
}


#: The rollup of assessment_responses, in the same form.
ASSESSMENT = {
    "assessment_statement_sums": ("assessment_sums_delete", "assessment_sums_insert", "assessment_sums_check"),
}

#: Every rollup table, with its named queries, and what it sums (for the check command's report).
ROLLUPS = {**FEEDBACK, **ASSESSMENT}
SUMS = {**dict.fromkeys(FEEDBACK, "feedback distributions"), **dict.fromkeys(ASSESSMENT, "assessment answers")}


def refresh_feedback(con: duckdb.DuckDBPyConnection, org_ids: Iterable[str] | None = None) -> None:
    """Recompute the feedback rollups for the organisations given (all when None), inside the caller's transaction."""
    _refresh(con, FEEDBACK, org_ids)


def refresh_assessments(con: duckdb.DuckDBPyConnection, org_ids: Iterable[str] | None = None) -> None:
    """Recompute the assessment rollup for the organisations given (all when None), inside the caller's transaction."""
    _refresh(con, ASSESSMENT, org_ids)


def _refresh(con: duckdb.DuckDBPyConnection, rollups: dict, org_ids: Iterable[str] | None) -> None:
    params = {"org_ids": None if org_ids is None else sorted(set(org_ids))}
    for delete, insert, _ in rollups.values():
        con.execute(sql(delete), params)
        con.execute(sql(insert), params)


def differences(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """How many rows of the rollup `table` differ from what it sums, summed again (0: in step)."""
    return int(con.execute(sql(ROLLUPS[table][2])).fetchall()[0][0])


def feedback_differences(con: duckdb.DuckDBPyConnection) -> int:
    """How many rows of the feedback rollups differ from feedback_distributions summed again (0: in step)."""
    return sum(differences(con, table) for table in FEEDBACK)


def assessment_differences(con: duckdb.DuckDBPyConnection) -> int:
    """How many rows of the assessment rollup differ from assessment_responses summed again (0: in step)."""
    return sum(differences(con, table) for table in ASSESSMENT)

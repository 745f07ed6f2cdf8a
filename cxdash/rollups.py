"""Rollup tables kept up to date on every write, so pages read thousands of rows instead of millions.

feedback_org_month: the score-distribution statistics of feedback_distributions per period, organisation
and measure. feedback_cells: each distinct organisation, service, channel, stage, measure and scale of
feedback_distributions with its row count (for the consistency check). Every path that writes feedback
distributions (imports, the demo build) calls `refresh_feedback` inside its own transaction, so readers
never see the tables disagree.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from cxdash.queries import sql

#: The rollups of feedback_distributions: table -> the named queries that clear, fill and check it.
FEEDBACK = {
    "feedback_org_month": ("feedback_org_month_delete", "feedback_org_month_insert", "feedback_org_month_check"),
    "feedback_cells": ("feedback_cells_delete", "feedback_cells_insert", "feedback_cells_check"),
}


def refresh_feedback(con: duckdb.DuckDBPyConnection, org_ids: Iterable[str] | None = None) -> None:
    """Recompute the feedback rollups for the organisations given (all when None), inside the caller's transaction."""
    params = {"org_ids": None if org_ids is None else sorted(set(org_ids))}
    for delete, insert, _ in FEEDBACK.values():
        con.execute(sql(delete), params)
        con.execute(sql(insert), params)


def differences(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """How many rows of the rollup `table` differ from feedback_distributions summed again (0: in step)."""
    return int(con.execute(sql(FEEDBACK[table][2])).fetchall()[0][0])


def feedback_differences(con: duckdb.DuckDBPyConnection) -> int:
    """How many rows of the feedback rollups differ from feedback_distributions summed again (0: in step)."""
    return sum(differences(con, table) for table in FEEDBACK)

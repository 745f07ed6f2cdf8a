"""Rollup tables kept up to date on every write, so pages read thousands of rows instead of millions.

feedback_org_month: the score-distribution statistics of feedback_distributions per period, organisation
and measure. Every path that writes feedback distributions (imports, the demo build) calls
`refresh_feedback` inside its own transaction, so readers never see the two tables disagree.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from cxdash.queries import sql


def refresh_feedback(con: duckdb.DuckDBPyConnection, org_ids: Iterable[str] | None = None) -> None:
    """Recompute feedback_org_month for the organisations given (all when None), inside the caller's transaction."""
    params = {"org_ids": None if org_ids is None else sorted(set(org_ids))}
    con.execute(sql("feedback_org_month_delete"), params)
    con.execute(sql("feedback_org_month_insert"), params)


def feedback_differences(con: duckdb.DuckDBPyConnection) -> int:
    """How many rows of feedback_org_month differ from feedback_distributions summed again (0: in step)."""
    return int(con.execute(sql("feedback_org_month_check")).fetchall()[0][0])

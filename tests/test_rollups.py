"""The feedback_org_month rollup stays equal to feedback_distributions summed again, on every write path,
and the queries that read it give what the distributions give."""

from __future__ import annotations

import duckdb
import pandas as pd

from cxdash import db, feedback, rollups
from cxdash.imports import import_file
from cxdash.queries import sql
from tests.conftest import TEMPLATE_EXAMPLES


def differences(path) -> int:
    with db.reader(path) as con:
        return rollups.feedback_differences(con)


def test_the_demo_and_template_imports_keep_the_rollup_in_step(demo_db, example_db):
    assert differences(demo_db) == 0
    assert differences(example_db) == 0
    with db.reader(example_db) as con:
        assert db.scalar(con, "SELECT count(*) FROM feedback_org_month") > 0


def test_a11_import_keeps_the_rollup_in_step(a11_db):
    assert differences(a11_db) == 0


def test_a_replacing_import_and_a_dry_run_keep_it_in_step(example_db):
    import_file(TEMPLATE_EXAMPLES / "responses.csv", db_path=example_db)  # replaces the same cells
    import_file(TEMPLATE_EXAMPLES / "distributions.csv", db_path=example_db, dry_run=True)
    assert differences(example_db) == 0


def test_a_database_from_before_the_rollup_gets_it_filled_when_opened(example_db):
    con = duckdb.connect(str(example_db))
    try:
        con.execute("DROP TABLE feedback_org_month")  # as a version-2 file: without the tables of versions 3 on
        for later in ("comment_themes", "theme_words", "feedback_cells"):
            con.execute(f"DROP TABLE {later}")
        con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    finally:
        con.close()
    db.ensure_schema(example_db)
    assert differences(example_db) == 0


def test_grouped_statistics_from_the_rollup_equal_those_from_the_distributions(demo_db):
    start, end = (pd.Timestamp(d).date() for d in ("2025-01-01", "2026-12-01"))
    for dims in (("org_id", "measure"), ("measure",), ("period_start", "org_id", "measure")):
        rolled = feedback.stats_by(dims, start, end, path=demo_db)
        text = sql("feedback_stats_by").replace("{{dims}}", ", ".join(dims))
        params = {"start": start, "end": end, "org_ids": None, "service_id": None, "channel": None, "stage": None}
        detail = db.query(text, params | {"measures": None}, demo_db)
        pd.testing.assert_frame_equal(
            rolled[detail.columns].astype(float, errors="ignore"),
            detail.astype(float, errors="ignore"),
            check_dtype=False,
        )

"""The rollups stay equal to what they sum, summed again, on every write path (feedback_org_month and feedback_cells
to feedback_distributions, assessment_statement_sums to assessment_responses), and the queries that read them give
what the detail rows give."""

from __future__ import annotations

import duckdb
import pandas as pd

from cxdash import contents, db, feedback, rollups
from cxdash.imports import import_file
from cxdash.queries import sql
from tests.conftest import TEMPLATE_EXAMPLES


def differences(path) -> int:
    with db.reader(path) as con:
        return rollups.feedback_differences(con) + rollups.assessment_differences(con)


def test_the_demo_and_template_imports_keep_the_rollup_in_step(demo_db, example_db):
    assert differences(demo_db) == 0
    assert differences(example_db) == 0
    with db.reader(example_db) as con:
        assert db.scalar(con, "SELECT count(*) FROM feedback_org_month") > 0
        assert db.scalar(con, "SELECT count(*) FROM assessment_statement_sums") > 0


def test_the_assessment_rollup_is_each_rounds_statements_summed(example_db):
    with db.reader(example_db) as con:
        rolled = con.execute(
            "SELECT framework_id, org_id, round_date, statement_id, respondents, score_sum "
            "FROM assessment_statement_sums ORDER BY ALL"
        ).fetchall()
        answers = con.execute(
            "SELECT framework_id, org_id, round_date, statement_id, score FROM assessment_responses"
        ).fetchall()
    by_key: dict[tuple, list[int]] = {}
    for *key, score in answers:
        by_key.setdefault(tuple(key), []).append(score)
    assert rolled == sorted((*key, len(scores), sum(scores)) for key, scores in by_key.items())


def test_an_assessment_import_that_replaces_a_round_keeps_it_in_step(example_db, tmp_path):
    lines = (TEMPLATE_EXAMPLES / "assessments.csv").read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1]
    columns = header.split(",")
    one = dict(zip(columns, first.split(","), strict=True))
    smaller = tmp_path / "assessments.csv"  # the same round again, now with a single answer: replaces the round
    smaller.write_text(f"{header}\n{first}\n", encoding="utf-8")
    import_file(smaller, db_path=example_db)
    assert differences(example_db) == 0
    with db.reader(example_db) as con:
        assert con.execute(
            "SELECT sum(respondents) FROM assessment_statement_sums WHERE org_id = ? AND round_date = ?",
            [one["org_id"], one["round_date"]],
        ).fetchall() == [(1,)]


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
        for later in ("comment_themes", "theme_words", "feedback_cells", "assessment_statement_sums"):
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


def test_the_checks_count_broken_assessment_answers_through_the_rollup(example_db):
    with db.writer(example_db) as con:  # answers left behind by an organisation and a statement that went away
        org = db.scalar(con, "SELECT min(org_id) FROM assessment_responses")
        con.execute("UPDATE assessment_responses SET org_id = 'gone-org' WHERE org_id = ?", [org])
        con.execute("UPDATE assessment_responses SET statement_id = 'GONE1' WHERE statement_id = 'LS1'")
        rollups.refresh_assessments(con)
        expected = {
            "assessment answer for an unknown organisation": db.scalar(
                con, "SELECT count(*) FROM assessment_responses WHERE org_id = 'gone-org'"
            ),
            "assessment answer to a statement not in its framework": db.scalar(
                con, "SELECT count(*) FROM assessment_responses WHERE statement_id = 'GONE1'"
            ),
        }
    problems = contents.summarise(example_db, thorough=True).problems.set_index("problem")
    assert all(n > 0 for n in expected.values())
    for problem, rows in expected.items():
        assert problems.loc[problem, "rows"] == rows  # answers counted, as from the answers themselves
    assert "rollup out of step with the assessment answers" not in problems.index


def test_the_check_command_reports_an_assessment_rollup_out_of_step(example_db):
    with db.writer(example_db) as con:  # as if a write had skipped refresh_assessments
        con.execute("DELETE FROM assessment_statement_sums WHERE statement_id = 'LS1'")
    problems = contents.summarise(example_db, thorough=True).problems.set_index("problem")
    assert problems.loc["rollup out of step with the assessment answers", "example"] == "assessment_statement_sums"

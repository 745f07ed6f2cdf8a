"""The app through Streamlit's AppTest: pages render real figures from a real database."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def run_app(monkeypatch: pytest.MonkeyPatch, db_path: Path) -> AppTest:
    monkeypatch.setenv("CXDASH_DB", str(db_path))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def independent(db_path: Path, sql: str, params: list | None = None):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()[0][0]
    finally:
        con.close()


def test_home_shows_the_demo_database(monkeypatch, demo_db):
    at = run_app(monkeypatch, demo_db)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Organisations"] == str(independent(demo_db, "SELECT count(*) FROM organisations"))
    respondents = independent(
        demo_db, "SELECT sum(responses) FROM feedback_distributions WHERE measure = 'satisfaction'"
    )
    assert metrics["Feedback respondents"] == f"{respondents:,}"
    table = at.dataframe[0].value
    assert len(table) == independent(demo_db, "SELECT count(DISTINCT org_id) FROM assessment_responses")
    # the best-scoring organisation's latest round, recomputed from raw answers by hand-written SQL
    top = table.iloc[0]
    expected = independent(
        demo_db,
        """
        WITH latest AS (SELECT max(round_date) AS d FROM assessment_responses a JOIN organisations o USING (org_id)
                        WHERE o.name = ?),
        st AS (SELECT s.pillar_id, a.statement_id, avg(a.score) AS m FROM assessment_responses a
               JOIN statements s USING (framework_id, statement_id) JOIN organisations o USING (org_id)
               WHERE o.name = ? AND a.round_date = (SELECT d FROM latest) GROUP BY ALL),
        pl AS (SELECT pillar_id, avg(m) AS p FROM st GROUP BY pillar_id)
        SELECT avg((p - 1) / 4 * 100) FROM pl""",
        [top["name"], top["name"]],
    )
    assert top["score_100"] == pytest.approx(expected)
    assert table["score_100"].is_monotonic_decreasing
    assert len(at.get("plotly_chart")) == 1


def test_home_feedback_tiles_match_independent_sql(monkeypatch, demo_db):
    at = run_app(monkeypatch, demo_db)
    metrics = {m.label: m.value for m in at.metric}
    last = "(SELECT max(period_start) FROM feedback_distributions)"
    window = f"period_start > {last} - INTERVAL 12 MONTH"
    satisfied = independent(
        demo_db,
        f"""
        SELECT 100.0 * sum(responses) FILTER (WHERE score >= 4) / sum(responses)
        FROM feedback_distributions WHERE measure = 'satisfaction' AND {window}""",
    )
    nps = independent(
        demo_db,
        f"""
        SELECT 100.0 * (sum(responses) FILTER (WHERE score >= 9) - sum(responses) FILTER (WHERE score <= 6))
               / sum(responses)
        FROM feedback_distributions WHERE measure = 'recommend' AND {window}""",
    )
    assert metrics["Satisfaction"] == f"{satisfied:.0f}%"
    assert metrics["Likelihood to recommend"] == f"{nps:+.0f}"


def test_empty_database_shows_help_not_an_error(monkeypatch, empty_db):
    at = run_app(monkeypatch, empty_db)
    texts = " ".join(i.value for i in at.info)
    assert "No feedback yet" in texts and "No assessments yet" in texts


def test_missing_database_explains_how_to_build_it(monkeypatch, tmp_path):
    at = run_app(monkeypatch, tmp_path / "nothing.duckdb")
    assert "make run" in at.info[0].value

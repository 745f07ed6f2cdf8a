"""Insight page: the fix-first list, the importance-performance matrix and the comment themes render on the demo
and the A-11 data; the figures that matter agree with hand-written SQL; empty databases say why."""

from __future__ import annotations

import base64
import json
from datetime import date

import duckdb
import numpy as np
import pytest

from cxdash.insight import themes
from tests.test_app import start

PAGE = "pages/insight.py"

#: Share of the organisation's respondents rating each measure 4 or 5 in the default window (last 3 months).
PERFORMANCE_SQL = """
    SELECT m.label, 100.0 * sum(f.responses) FILTER (WHERE f.score >= 4) / sum(f.responses) AS share
    FROM feedback_distributions f JOIN measures m USING (measure)
    WHERE f.org_id = $org AND f.period_start BETWEEN $start AND $end GROUP BY m.label"""

#: Cells (organisation x service x channel x stage, all periods) where satisfaction and the three Es each have
#: at least 10 responses, and the satisfaction responses in them.
CELLS_SQL = """
    WITH per AS (
        SELECT org_id, service_id, channel, stage, measure, sum(responses) AS n FROM feedback_distributions
        WHERE measure IN ('satisfaction', 'ease', 'effectiveness', 'emotion') AND org_id = ANY($orgs)
        GROUP BY ALL),
    cells AS (
        SELECT org_id, service_id, channel, stage, max(n) FILTER (WHERE measure = 'satisfaction') AS n FROM per
        GROUP BY ALL HAVING count(*) = 4 AND min(n) >= 10)
    SELECT count(*), coalesce(sum(n), 0) FROM cells"""


def sql(db_path, text, **params):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(text, params).fetchall()
    finally:
        con.close()


def figure(at, title: str) -> dict:
    """The Plotly figure whose title contains `title`."""
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        if title in spec["layout"]["title"]["text"]:
            return spec
    raise AssertionError(f"no chart titled {title!r}")


def values(array) -> list:
    """A Plotly array as a list (Plotly sends numeric arrays base64-encoded, as {'dtype', 'bdata'})."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def labels_of(trace: dict) -> list[str]:
    return [str(t).replace("<b>", "").replace("</b>", "") for t in trace["text"]]


def captions(at) -> str:
    return " ".join(c.value for c in at.caption)


@pytest.fixture
def page(monkeypatch, demo_db):
    at = start(monkeypatch, demo_db)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def test_default_view_matrix_shows_our_performance_and_the_sample(page, demo_db):
    org = page.selectbox(key="org").value
    matrix = figure(page, "What moves satisfaction")
    ours = next(t for t in matrix["data"] if t.get("name") == "Our result")
    plotted = dict(zip(labels_of(ours), values(ours["x"]), strict=True))
    hand = dict(sql(demo_db, PERFORMANCE_SQL, org=org, start=date(2026, 8, 1), end=date(2026, 10, 1)))
    assert set(plotted) == {"Effectiveness", "Ease", "Emotion"}
    for label, x in plotted.items():
        assert x == pytest.approx(hand[label])
    cells, responses = sql(demo_db, CELLS_SQL, orgs=[org])[0]
    text = captions(page)
    if cells >= 30:  # enough for the organisation alone: its own cells are the sample
        assert f"{cells:,} cells" in text and f"{int(responses):,} responses" in text
        assert f"n = {cells:,} cells" in matrix["layout"]["title"]["text"]
    assert "Johnson's relative weights" in text and "bootstrap" in text
    assert "priority = 100 × importance × weakness" in text
    assert any("moves satisfaction most" in m.value for m in page.markdown)


def test_all_organisations_and_another_organisation(page, demo_db):
    other = sql(demo_db, "SELECT org_id FROM organisations ORDER BY name")[3][0]
    page.selectbox(key="org").set_value(other).run()
    page.radio(key="insight_scope").set_value("all").run()
    assert not page.exception, page.exception
    cells, responses = sql(demo_db, CELLS_SQL, orgs=[o for (o,) in sql(demo_db, "SELECT org_id FROM organisations")])[0]
    assert f"n = {cells:,} cells, {int(responses):,} responses" in figure(page, "What moves")["layout"]["title"]["text"]
    (comments,) = sql(demo_db, "SELECT count(*) FROM comments WHERE comment_date < DATE '2026-11-01'")[0]
    bars = figure(page, "Themes in")
    assert f"Themes in {comments:,} comments" in bars["layout"]["title"]["text"]
    totals = next(t for t in bars["data"] if t["type"] == "scatter")
    assert sum(values(totals["x"])) == comments  # every comment counted under one theme
    # choosing a theme lists its comments
    label = page.selectbox(key="insight_theme").options[2]
    found = themes.model(demo_db)
    theme = next(k for k in found.terms if found.label(k) == label)  # the widget's value is the theme number
    page.selectbox(key="insight_theme").set_value(theme).run()
    assert not page.exception
    chosen = dict(zip(values(totals["y"]), values(totals["x"]), strict=True))[label]
    table = next(d.value for d in page.dataframe if "Comment" in d.value.columns)
    assert len(table) == min(200, chosen)
    assert "z-test" in captions(page) or "Not enough quarters" in captions(page)


def test_trust_outcome_and_window(page):
    page.selectbox(key="insight_outcome").set_value("trust").run()
    page.selectbox(key="insight_window").set_value("year").run()
    assert not page.exception, page.exception
    assert any(s.value == "What drives trust" for s in page.subheader)
    assert "What moves trust" in figure(page, "What moves trust")["layout"]["title"]["text"]


def test_a11_data_shows_drivers_and_explains_missing_comments(monkeypatch, a11_db):
    at = start(monkeypatch, a11_db)
    at.selectbox(key="org").set_value("a11-18-internal-revenue-service").run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    matrix = figure(at, "What moves satisfaction")
    labels = {
        t.replace("<b>", "").replace("</b>", "")
        for t in next(d for d in matrix["data"] if d["name"] == "Our result")["text"]
    }
    assert {"Ease", "Effectiveness"} <= labels
    text = captions(at)
    assert "organisation × service × channel × period" in text and "Johnson" in text
    assert any("no free-text comments" in i.value for i in at.info)


def test_empty_database_says_what_is_missing(monkeypatch, empty_db):
    at = start(monkeypatch, empty_db)
    at.switch_page(PAGE).run()
    assert not at.exception and not at.get("plotly_chart")
    assert any("Nothing to analyse yet" in i.value for i in at.info)


def test_example_database_renders(monkeypatch, example_db):
    at = start(monkeypatch, example_db)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception

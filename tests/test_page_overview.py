"""Overview page: the board's figures agree with independent SQL over the same database."""

from __future__ import annotations

import math
import re
from datetime import date

import duckdb
import pandas as pd
import pytest

from cxdash import filters, labels, maturity, overview
from tests.test_app import start

PILLAR_SQL = """
    WITH latest AS (SELECT max(round_date) AS d FROM assessment_responses WHERE org_id = $org),
    st AS (SELECT s.pillar_id, a.statement_id, avg(a.score) AS m FROM assessment_responses a
           JOIN statements s USING (framework_id, statement_id)
           WHERE a.org_id = $org AND a.round_date = (SELECT d FROM latest) GROUP BY ALL)
    SELECT p.name, avg((m - 1) / 4 * 100) AS score FROM st JOIN pillars p USING (pillar_id)
    GROUP BY p.name, p.sort_order ORDER BY p.sort_order"""

SATISFIED_SQL = """
    SELECT 100.0 * sum(responses) FILTER (WHERE score >= 4) / sum(responses), sum(responses)
    FROM feedback_distributions WHERE org_id = $org AND measure = 'satisfaction'
      AND period_start BETWEEN $start AND $end"""


def sql(db_path, text, **params):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(text, params).fetchall()
    finally:
        con.close()


def test_headline_figures_match_independent_sql(monkeypatch, demo_db):
    at = start(monkeypatch, demo_db)
    org_id = at.selectbox(key="org").value
    tiles = {m.label: m for m in at.metric}
    pillars = sql(demo_db, PILLAR_SQL, org=org_id)
    overall = sum(score for _, score in pillars) / len(pillars)
    assert tiles["Customer-centricity score"].value == f"{overall:.0f} / 100"
    stage = ["Ad hoc", "Emerging", "Established", "Embedded", "Leading"][min(int(overall // 20), 4)]
    assert tiles["Maturity stage"].value == stage

    assert not at.get("plotly_chart")  # the page opened first needs no Plotly script in the browser
    chart = next(m.value for m in at.markdown if 'role="img"' in m.value)
    assert "Pillar scores against" in chart
    fig = overview.build(at.session_state["filters"], path=demo_db)
    assert [round(v, 6) for v in fig.pillars["score_100"]] == [round(s, 6) for _, s in pillars]
    for name, score in pillars:  # each pillar's bar: its name, its score written, its length on the 0-101 axis
        assert f">{name}</div>" in chart and f">{score:.0f}</div>" in chart
        assert f"width: {min(score, 101) / 101 * 100:.2f}%" in chart

    end = date(2026, 10, 1)
    value, n = sql(demo_db, SATISFIED_SQL, org=org_id, start=date(2026, 8, 1), end=end)[0]
    assert tiles["Satisfaction"].value == f"{value:.0f}%"
    assert f"n = {n:,}" in " ".join(c.value for c in at.caption)


def test_peer_percentile_is_computed_among_the_chosen_group(monkeypatch, demo_db):
    at = start(monkeypatch, demo_db)
    at.selectbox(key="peers").set_value("all").run()
    org_id = at.selectbox(key="org").value
    scores = {}
    for (oid,) in sql(demo_db, "SELECT DISTINCT org_id FROM assessment_responses"):
        rows = sql(demo_db, PILLAR_SQL, org=oid)
        scores[oid] = sum(s for _, s in rows) / len(rows)
    own = scores.pop(org_id)
    others = list(scores.values())
    percentile = 100 * (sum(o < own for o in others) + 0.5 * sum(o == own for o in others)) / len(others)
    tile = {m.label: m for m in at.metric}["Position among peers"]
    assert tile.value == f"{labels.ordinal(percentile)} percentile"


def test_changing_organisation_and_period_changes_the_figures(monkeypatch, demo_db):
    at = start(monkeypatch, demo_db)
    first = {m.label: m.value for m in at.metric}
    other = sql(demo_db, "SELECT org_id FROM organisations ORDER BY name")[5][0]
    at.selectbox(key="org").set_value(other).run()
    at.select_slider(key="period").set_value((date(2024, 1, 1), date(2024, 12, 1))).run()
    assert not at.exception
    org_id = at.selectbox(key="org").value
    second = {m.label: m.value for m in at.metric}
    assert second != first
    value, _ = sql(demo_db, SATISFIED_SQL, org=org_id, start=date(2024, 1, 1), end=date(2024, 12, 1))[0]
    assert second["Satisfaction"] == f"{value:.0f}%"
    assert "Jan 2024 to Dec 2024" in " ".join(h.value for h in at.subheader)


def test_three_recommendations_for_the_weakest_pillars(monkeypatch, demo_db):
    at = start(monkeypatch, demo_db)
    org_id = at.selectbox(key="org").value
    weakest = [name for name, _ in sorted(sql(demo_db, PILLAR_SQL, org=org_id), key=lambda r: r[1])[:3]]
    shown = [m.value for m in at.markdown if m.value.startswith("**")]
    assert sorted(s.split("**")[1] for s in shown) == sorted(weakest)
    lifts = [float(re.search(r"would add ([0-9.]+) points", s).group(1)) for s in shown if "would add" in s]
    assert lifts == sorted(lifts, reverse=True), "ordered by how much they would lift the overall score"


def test_unassessed_organisation_and_empty_feedback(monkeypatch, example_db):
    at = start(monkeypatch, example_db)
    at.selectbox(key="org").set_value("example-nhs").run()
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Customer-centricity score"] == "not assessed yet"
    assert not at.exception


def test_small_samples_say_not_enough_responses(monkeypatch, example_db):
    at = start(monkeypatch, example_db)
    at.selectbox(key="org").set_value("example-bc").run()
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Satisfaction"] == "not enough responses"
    assert "0%" not in tiles.values()


# --- library pieces, hand-worked ---------------------------------------------------------------


def test_previous_window_has_the_same_length():
    assert filters.previous_window(date(2026, 8, 1), date(2026, 10, 1)) == (date(2026, 5, 1), date(2026, 7, 1))
    assert filters.previous_window(date(2026, 1, 1), date(2026, 1, 1)) == (date(2025, 12, 1), date(2025, 12, 1))
    assert filters.previous_window(date(2022, 10, 1), date(2022, 10, 1), grain_months=3) == (
        date(2022, 7, 1),
        date(2022, 7, 1),
    )
    periods = pd.DataFrame({"period_start": [date(2026, m, 1) for m in range(1, 11)], "period_grain": "month"})
    assert filters.default_window(periods) == (date(2026, 8, 1), date(2026, 10, 1))
    quarters = pd.DataFrame({"period_start": [date(2022, 7, 1), date(2022, 10, 1)], "period_grain": "quarter"})
    assert filters.default_window(quarters) == (date(2022, 10, 1), date(2022, 10, 1))


def test_respondent_change_z_test_by_hand():
    # round A answers (1-5 means) 4, 4, 5, 3 -> 0-100: 75, 75, 100, 50: mean 75, var 416.67
    # round B: 3, 3, 4, 2 -> 50, 50, 75, 25: mean 50, var 416.67
    # se = sqrt(416.67/4 * 2) = 14.434; z = 25 / 14.434 = 1.7321; p = 0.08326
    scores = pd.DataFrame({"round_date": ["A"] * 4 + ["B"] * 4, "mean_score": [4, 4, 5, 3, 3, 3, 4, 2]})
    change, p = maturity.respondent_change(scores, "A", "B")
    assert change == pytest.approx(25.0)
    assert p == pytest.approx(0.08326, abs=1e-4)
    _, p_one = maturity.respondent_change(scores.iloc[[0, 4]], "A", "B")
    assert math.isnan(p_one)


def test_labels():
    assert [labels.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 78.3)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "78th",
    ]
    assert [labels.signed(x) for x in (2.6, -0.4, 0.2, -3.5)] == ["+3", "0", "0", "-4"]
    assert labels.sector("arms_length") == "Arm's-length body" and labels.sector("new_thing") == "New thing"


def test_quarterly_data_compares_with_the_previous_quarter(monkeypatch, a11_db):
    at = start(monkeypatch, a11_db)
    f = at.session_state["filters"]
    assert f.grain_months == 3 and f.start == f.end == date(2022, 10, 1)
    assert f.previous == (date(2022, 7, 1), date(2022, 7, 1))
    tiles = [m for m in at.metric if m.label == "Satisfaction"]
    assert tiles and "too few responses before" not in (tiles[0].delta or "")


def test_next_steps_are_ordered_by_the_lift_to_the_overall_score():
    # Three equal-weight pillars (plus one strong one): a at 15 (Ad hoc, 5 to Emerging), b at 38 (Emerging,
    # 2 to Established), c at 21 (Emerging, 19 to Established). Lift = weight x points / total weight (4):
    # a 1.25, b 0.5, c 4.75 -> order c, a, b.
    pillars = pd.DataFrame(
        {
            "pillar_id": ["a", "b", "c", "d"],
            "name": ["A", "B", "C", "D"],
            "score_100": [15.0, 38.0, 21.0, 90.0],
            "stage_level": [1, 2, 2, 5],
            "weight": [1.0] * 4,
            "sort_order": [1, 2, 3, 4],
        }
    )
    stages = pd.DataFrame(
        {
            "level": [1, 2, 3, 4, 5],
            "name": ["Ad hoc", "Emerging", "Established", "Embedded", "Leading"],
            "min_score": [0, 20, 40, 60, 80],
        }
    )
    recs = pd.DataFrame(
        [(p, s, f"{p}{s}") for p in "abcd" for s in range(1, 6)], columns=["pillar_id", "stage_level", "text"]
    )
    steps = maturity.next_steps(pillars, recs, stages)
    assert list(steps["pillar_id"]) == ["c", "a", "b"]
    assert list(steps["lift"].round(2)) == [4.75, 1.25, 0.5]
    assert list(steps["text"]) == ["c2", "a1", "b2"]


def test_fix_first_list_is_on_the_overview_with_its_numbers(monkeypatch, demo_db):
    from cxdash.insight import priorities

    at = start(monkeypatch, demo_db)
    assert "What to fix first" in [h.value for h in at.subheader]
    items = priorities.fix_first(at.session_state["filters"], demo_db)
    assert not items.empty, "the demo plants weak pillars and drivers for every organisation"
    shown = priorities.as_markdown(items.head(5))
    assert shown.strip() in [m.value.strip() for m in at.markdown]
    first = items.iloc[0]
    assert f"priority {first['score']:.0f}/100" in shown and re.search(r"\d", first["detail"])
    assert any("priority = 100 × importance × weakness" in m.value for m in at.markdown)


def test_the_pillar_chart_in_html_draws_what_the_plotly_figure_draws():
    from cxdash.charts.overview import make_pillars_vs_peers, pillars_vs_peers_html

    pillars = pd.DataFrame({
        "name": ["Leadership <b>&</b> strategy", "Culture"], "score_100": [46.0, 101.0], "sort_order": [1, 2],
        "peer_median": [54.0, math.nan],
    })  # fmt: skip
    html = pillars_vs_peers_html(pillars, 'Same sector <a href="x">', 19)
    fig = make_pillars_vs_peers(pillars, 'Same sector <a href="x">', 19)
    assert fig.layout.title.text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") in html
    assert "<b>" not in html and "<a " not in html  # names are data: shown, not obeyed
    assert "Leadership &lt;b&gt;&amp;&lt;/b&gt; strategy" in html
    assert ">46</div>" in html and "width: 45.54%" in html  # 46 on the 0-101 axis
    assert ">101</div>" in html and "width: 100.00%" in html
    assert html.count("rotate(45deg)") == 2  # one peer median (the other has none), and the key's diamond
    assert "left: calc(53.47% - 8px)" in html  # the diamond at 54
    assert (
        'aria-label="Pillar scores against same sector &lt;a href=&quot;x&quot;&gt; median (n = 19 respondents):'
        in html
    )
    assert "Culture 101" in html and "(peer median 54)" in html
    without = pillars_vs_peers_html(pillars.assign(peer_median=math.nan), "Same sector", 19)
    assert "Peer median" not in without and "rotate(45deg)" not in without  # no peers: no diamonds, no key

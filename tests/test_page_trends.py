"""Trends page: plotted figures, sample sizes, intervals, quarters, peer medians and shift markers agree
with independent hand-written SQL and hand-worked examples."""

from __future__ import annotations

import base64
import json
import math
import shutil
import statistics
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cxdash import rollups, trends
from cxdash.charts import trends as charts
from tests.conftest import A11_FILE, open_app

Z = 1.959963984540054

MONTHLY_SQL = """
    SELECT period_start, sum(responses) AS n,
           sum(responses) FILTER (WHERE score >= 4) AS top2,
           sum(responses) FILTER (WHERE scale_max = 10 AND score >= 9) AS promoters,
           sum(responses) FILTER (WHERE scale_max = 10 AND score <= 6) AS detractors
    FROM feedback_distributions
    WHERE org_id = $org AND measure = $measure AND ($channel IS NULL OR channel = $channel)
    GROUP BY period_start ORDER BY period_start"""

QUARTER_SQL = """
    SELECT sum(responses) AS n, coalesce(sum(responses) FILTER (WHERE score >= 4), 0) AS top2
    FROM feedback_distributions
    WHERE org_id = $org AND measure = 'satisfaction' AND period_start IN ($m1, $m2, $m3)"""


def sql(db_path: Path, text: str, **params) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(text, params).fetchall()
    finally:
        con.close()


def open_trends(monkeypatch: pytest.MonkeyPatch, db_path: Path) -> AppTest:
    """The app opened straight on the Trends page (its url_path is its file name, so no first run is needed)."""
    at = open_app(monkeypatch, db_path, "pages/trends.py")
    assert at.title[0].value == "Trends"
    return at


def figure(at, key: str) -> dict:
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key}")


def array(values) -> np.ndarray:
    """Plotly JSON arrays come as lists or as base64 typed arrays."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).astype(float)
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def dates(values) -> list[date]:
    return [pd.Timestamp(v).date() for v in values]


def trace(fig: dict, name: str) -> dict:
    found = [t for t in fig["data"] if t.get("name") == name]
    assert found, (name, [t.get("name") for t in fig["data"]])
    return found[0]


def band(fig: dict) -> dict[date, tuple[float, float]]:
    """Date -> (low, high) from the band polygons (x forward with highs, then back with lows)."""
    out = {}
    for t in fig["data"]:
        if t.get("name") != "95% confidence band":
            continue
        xs, ys = dates(t["x"]), array(t["y"])
        k = len(xs) // 2
        for i in range(k):
            out[xs[i]] = (ys[len(xs) - 1 - i], ys[i])
    return out


def wilson(x: float, n: float) -> tuple[float, float]:
    p = x / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return 100 * (centre - half), 100 * (centre + half)


def org_name(db_path: Path, org_id: str) -> str:
    return sql(db_path, "SELECT name FROM organisations WHERE org_id = $o", o=org_id)[0][0]


# --- The page on the demo data ----------------------------------------------------------------


def test_default_view_plots_monthly_shares_sizes_and_intervals_from_sql(monkeypatch, demo_db):
    at = open_trends(monkeypatch, demo_db)
    org = at.selectbox(key="org").value
    assert at.selectbox(key="trends_measure").value == "satisfaction"
    assert at.radio(key="trends_grain").value == "month"
    assert at.selectbox(key="trends_measure").options == [
        "Satisfaction",
        "Ease",
        "Effectiveness",
        "Emotion",
        "Trust",
        "Likelihood to recommend",
    ]
    fig = figure(at, "trends_feedback")
    rows = {r[0]: r for r in sql(demo_db, MONTHLY_SQL, org=org, measure="satisfaction", channel=None)}
    line = trace(fig, org_name(demo_db, org))
    x, y = dates(line["x"]), array(line["y"])
    assert len(x) == 36 and x[0] == date(2023, 11, 1) and x[-1] == date(2026, 10, 1)
    ci = band(fig)
    for day, value in zip(x, y, strict=True):
        _, n, top2, _, _ = rows.get(day, (day, 0, 0, 0, 0))
        if n >= 10:
            assert value == pytest.approx(100 * top2 / n), day
            if day in ci:
                assert ci[day] == pytest.approx(wilson(top2, n)), day
        else:
            assert math.isnan(value), f"{day}: n = {n} must be a gap, not a point"
    assert len(ci) >= 30
    bars = trace(fig, "Responses")
    assert dict(zip(dates(bars["x"]), array(bars["y"]), strict=True)) == {d: rows.get(d, (0, 0))[1] for d in x}
    assert "n = " in fig["layout"]["title"]["text"]
    texts = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "95% confidence band" in texts and "▲ and ▼ mark a month" in texts
    assert {"trends_feedback", "trends_channels", "trends_maturity"} <= {
        c.proto.id.rsplit("-", 1)[1] for c in at.get("plotly_chart")
    }
    # channel mix: each channel's share of the month's responses
    mix = figure(at, "trends_channels")
    web = trace(mix, "Website")
    rows = sql(
        demo_db,
        """
        SELECT period_start, 100.0 * sum(responses) FILTER (WHERE channel = 'web') / sum(responses)
        FROM feedback_distributions WHERE org_id = $org AND measure = 'satisfaction'
        GROUP BY 1 HAVING sum(responses) >= 10 ORDER BY 1""",
        org=org,
    )
    plotted = dict(zip(dates(web["x"]), array(web["y"]), strict=True))
    for day, share in rows:
        assert plotted.get(day, 0) == pytest.approx(share or 0), day
    assert web["marker"]["color"] == "#0072B2"
    # maturity: the overall score of every round, from the raw answers (all pillars weigh 1 in public_cx)
    rounds = sql(
        demo_db,
        """
        WITH st AS (SELECT a.round_date, s.pillar_id, a.statement_id, avg(a.score) AS m,
                           count(DISTINCT a.respondent_id) AS people
                    FROM assessment_responses a JOIN statements s USING (framework_id, statement_id)
                    WHERE a.org_id = $org GROUP BY ALL),
        pl AS (SELECT round_date, pillar_id, avg(m) AS p, max(people) AS people FROM st GROUP BY ALL)
        SELECT round_date, avg((p - 1) / 4 * 100), max(people) FROM pl GROUP BY 1 ORDER BY 1""",
        org=org,
    )
    maturity = figure(at, "trends_maturity")
    overall = trace(maturity, "Overall score")
    assert dates(overall["x"]) == [r[0] for r in rounds]
    assert array(overall["y"]) == pytest.approx([r[1] for r in rounds])
    assert maturity["layout"]["xaxis"]["ticktext"][0].endswith(f"{rounds[0][2]} respondents")
    assert len(maturity["data"]) == 6, "five pillars and the overall score"


def test_quarters_sum_the_three_months_counts_in_sql(monkeypatch, demo_db):
    at = open_trends(monkeypatch, demo_db)
    org = at.selectbox(key="org").value
    at.radio(key="trends_grain").set_value("quarter").run()
    assert not at.exception
    fig = figure(at, "trends_feedback")
    line, bars = trace(fig, org_name(demo_db, org)), trace(fig, "Responses")
    quarters = dates(line["x"])
    assert quarters[0] == date(2023, 10, 1) and quarters[-1] == date(2026, 10, 1) and len(quarters) == 13
    for quarter, value, n_bar in zip(quarters, array(line["y"]), array(bars["y"]), strict=True):
        months = [date(quarter.year, quarter.month + i, 1) for i in range(3)]
        n, top2 = sql(demo_db, QUARTER_SQL, org=org, m1=months[0], m2=months[1], m3=months[2])[0]
        assert n_bar == (n or 0)
        if n and n >= 10:
            assert value == pytest.approx(100 * top2 / n), quarter
    # the partial first and last quarters are flagged on the axis and in a caption
    assert fig["layout"]["xaxis2"]["ticktext"][0] == "2023 Q4*"
    assert any("2026 Q4 covers Oct 2026 only" in c.value for c in at.caption)


def test_changed_measure_organisation_and_channel(monkeypatch, demo_db):
    at = open_trends(monkeypatch, demo_db)
    other = sql(demo_db, "SELECT org_id FROM organisations ORDER BY name")[3][0]
    at.selectbox(key="org").set_value(other)
    at.selectbox(key="channel").set_value("web")
    at.selectbox(key="trends_measure").set_value("recommend").run()
    assert at.selectbox(key="org").value == other and at.selectbox(key="channel").value == "web"
    assert not at.exception
    fig = figure(at, "trends_feedback")
    assert "Net Promoter Score" in fig["layout"]["title"]["text"]
    rows = {r[0]: r for r in sql(demo_db, MONTHLY_SQL, org=other, measure="recommend", channel="web")}
    line = trace(fig, org_name(demo_db, other))
    ci = band(fig)
    checked = 0
    for day, value in zip(dates(line["x"]), array(line["y"]), strict=True):
        _, n, _, promoters, detractors = rows.get(day, (day, 0, 0, 0, 0))
        if n < 10:
            assert math.isnan(value)
            continue
        a, b = promoters / n, detractors / n
        assert value == pytest.approx(100 * (a - b)), day
        half = Z * math.sqrt((a + b - (a - b) ** 2) / n)
        if day in ci:
            assert ci[day] == pytest.approx((100 * max(a - b - half, -1), 100 * min(a - b + half, 1))), day
        checked += 1
    assert checked >= 10
    # the channel mix ignores the channel filter and shares add up to 100% per period
    mix = figure(at, "trends_channels")
    assert len(mix["data"]) == 6
    totals = {}
    for t in mix["data"]:
        for day, share in zip(dates(t["x"]), array(t["y"]), strict=True):
            totals[day] = totals.get(day, 0) + share
    assert all(v == pytest.approx(100) for v in totals.values())


def test_peer_median_worked_out_by_hand(monkeypatch, demo_db):
    at = open_trends(monkeypatch, demo_db)
    org = at.selectbox(key="org").value
    at.selectbox(key="peers").set_value("all").run()
    fig = figure(at, "trends_feedback")
    peer = trace(fig, "Peer median: all organisations")
    per_org = sql(
        demo_db,
        """
        SELECT period_start, org_id, sum(responses), sum(responses) FILTER (WHERE score >= 4)
        FROM feedback_distributions WHERE measure = 'satisfaction' AND org_id <> $org
        GROUP BY ALL""",
        org=org,
    )
    shares: dict[date, list[float]] = {}
    for day, _, n, top2 in per_org:
        if n >= 10:
            shares.setdefault(day, []).append(100 * (top2 or 0) / n)
    for day, value in zip(dates(peer["x"]), array(peer["y"]), strict=True):
        expected = statistics.median(shares[day]) if len(shares.get(day, [])) >= 5 else math.nan
        assert value == pytest.approx(expected, nan_ok=True), day
    assert any("median of" in c.value for c in at.caption)


# --- Library functions on hand-made data -------------------------------------------------------


def stats(rows: list[tuple[int, int]]) -> pd.DataFrame:
    """Hand-made STATS sums for a 1-5 measure: (n, top2) per period; the other sums do not matter here."""
    n = [r[0] for r in rows]
    return pd.DataFrame(
        {
            "n": n,
            "sum_score": [3 * v for v in n],
            "sum_score_sq": [10 * v for v in n],
            "top2": [r[1] for r in rows],
            "bottom2": 0,
            "promoters": 0,
            "detractors": 0,
            "scale_min": 1,
            "scale_max": 5,
        }
    )


def test_shift_markers_on_hand_made_periods():
    # 50/100 -> 70/100: +20 points, se = sqrt(.5*.5/100 + .7*.3/100) = 0.067823, z = 2.9488, p = 0.0032: up
    # 70/100 -> 72/100: +2 points, se = sqrt(.0021 + .72*.28/100) = 0.064156, z = 0.312: no change
    # then an empty period (a gap) and a period after it: nothing to compare with
    # 100/200 -> 80/200: -10 points, se = sqrt(.25/200 + .24/200) = 0.049497, z = 2.0203, p = 0.0434: down
    frame = stats([(100, 50), (100, 70), (100, 72), (0, 0), (200, 100), (200, 80)])
    out = trends.shifts(frame, "top2_share", min_n=10)
    assert list(out["verdict"]) == [
        "not enough responses",
        "up",
        "no significant change",
        "not enough responses",
        "not enough responses",
        "down",
    ]
    assert out["change"][1] == pytest.approx(20) and out["change"][5] == pytest.approx(-10)
    assert out["p_value"][1] == pytest.approx(math.erfc(2.9488 / math.sqrt(2)), rel=1e-3)
    assert out["p_value"][5] == pytest.approx(0.0434, abs=1e-3)
    assert list(out["significant"]) == [False, True, False, False, False, True]

    periods = [date(2026, m, 1) for m in range(1, 7)]
    trend = pd.DataFrame(
        {
            "period": periods,
            "label": [f"{d:%b %Y}" for d in periods],
            "n": frame["n"],
            "value": 100 * frame["top2"] / frame["n"],
            "suppressed": frame["n"] < 10,
            "headline": "top2_share",
            "partial": "",
            "peer_median": np.nan,
            "peer_count": 0,
        }
    )
    trend = pd.concat([trend, out], axis=1)
    trend["value"] = trend["value"].where(~trend["suppressed"])
    trend["low"], trend["high"] = trend["value"] - 5, trend["value"] + 5
    fig = json.loads(charts.make_feedback_trend(trend, "Satisfaction", "month").to_json())
    rise, fall = trace(fig, "Rise beyond noise"), trace(fig, "Fall beyond noise")
    assert dates(rise["x"]) == [date(2026, 2, 1)] and list(rise["text"]) == ["+20"]
    assert rise["marker"]["symbol"] == "triangle-up"
    assert dates(fall["x"]) == [date(2026, 6, 1)] and list(fall["text"]) == ["-10"]
    assert "1 rise and 1 fall" in trends.describe_shifts(trend, "month")
    assert "1 month with no responses" in trends.describe_hidden(trend, "month", min_n=10)
    sentence = trends.describe_feedback(trend, "Satisfaction", "Org", "month")
    assert "fell from 50% to 40% between May 2026 and Jun 2026, a change beyond noise" in sentence


def test_peer_median_leaves_out_suppressed_peers_and_small_groups():
    frame = stats([(100, 50), (100, 60), (100, 70), (5, 5), (100, 80), (100, 90), (100, 10)])
    frame["period"] = [date(2026, 1, 1)] * 5 + [date(2026, 2, 1)] * 2
    frame["org_id"] = list("abcdeab")
    out = trends.peer_median(frame, "top2_share", min_n=10, min_peers=4).set_index("period")
    # January: d has n = 5 (suppressed); the median of 50, 60, 70, 80 is 65 from 4 peers
    assert out.loc[date(2026, 1, 1), "peer_median"] == pytest.approx(65)
    assert out.loc[date(2026, 1, 1), "peer_count"] == 4
    # February: only 2 peers have a result, fewer than 4: no median drawn
    assert math.isnan(out.loc[date(2026, 2, 1), "peer_median"])


# --- Quarterly data and empty states ------------------------------------------------------------


def quarterly_db(empty_db: Path) -> Path:
    """A-11-like: two federal providers, quarterly satisfaction only, one quarter too small, no assessments."""
    con = duckdb.connect(str(empty_db))
    try:
        con.execute("""INSERT INTO organisations VALUES
            ('fed-a', 'Agency A', 'federal', 'National', 'large', 'HISP', NULL, 'United States', NULL),
            ('fed-b', 'Agency B', 'federal', 'National', 'small', 'HISP', NULL, 'United States', NULL)""")
        con.execute("INSERT INTO services VALUES ('fed-a--s', 'fed-a', 'Service', NULL, NULL)")
        cells = [(date(2022, 1, 1), 5, 30, 20), (date(2022, 4, 1), 5, 3, 2), (date(2022, 7, 1), 5, 60, 40)]
        for quarter, score, high, low in cells:
            for s, count in ((score, high), (2, low)):
                con.execute(
                    "INSERT INTO feedback_distributions VALUES (?, 'quarter', 'fed-a', 'fed-a--s', 'web', "
                    "'whole_journey', 'satisfaction', 1, 5, ?, ?, NULL)",
                    [quarter, s, count],
                )
        rollups.refresh_feedback(con)  # written here directly, not through an import: keep the rollup in step
        con.execute("UPDATE meta SET value = '99' WHERE key = 'data_version'")
    finally:
        con.close()
    return empty_db


def test_quarterly_data_without_recommend_or_assessments(monkeypatch, empty_db):
    path = quarterly_db(empty_db)
    at = open_trends(monkeypatch, path)
    at.selectbox(key="org").set_value("fed-a").run()
    assert not at.exception
    grain = at.radio(key="trends_grain")
    assert grain.options == ["Quarter"] and grain.value == "quarter" and grain.disabled
    assert at.selectbox(key="trends_measure").options == ["Satisfaction"]
    fig = figure(at, "trends_feedback")
    line = trace(fig, "Agency A")
    assert dates(line["x"]) == [date(2022, 1, 1), date(2022, 4, 1), date(2022, 7, 1)]
    assert array(line["y"])[[0, 2]] == pytest.approx([60.0, 60.0])
    assert math.isnan(array(line["y"])[1]), "5 responses are hidden, not drawn"
    captions = " ".join(c.value for c in at.caption)
    assert "1 quarter not shown, with fewer than 10 responses (2022 Q2 n = 5)" in captions
    assert "Too few peers" in captions
    assert any("No maturity assessments yet for Agency A" in i.value for i in at.info)
    at.selectbox(key="org").set_value("fed-b").run()
    assert not at.exception
    assert any("No citizen feedback for Agency B" in i.value for i in at.info)


def test_empty_database_explains_itself(monkeypatch, empty_db):
    at = open_trends(monkeypatch, empty_db)
    assert any("No organisations yet" in i.value for i in at.info)
    assert not at.get("plotly_chart")


@pytest.mark.skipif(not A11_FILE.is_file(), reason="needs ../shared/data/real/")
def test_real_a11_file(monkeypatch, tmp_path, empty_db):
    from cxdash.imports import import_file

    path = Path(shutil.copy(empty_db, tmp_path / "a11.duckdb"))
    import_file(A11_FILE, db_path=path)
    at = open_trends(monkeypatch, path)
    at.selectbox(key="org").set_value("a11-13-retirement-services").run()
    assert not at.exception
    assert "recommend" not in at.selectbox(key="trends_measure").options
    fig = figure(at, "trends_feedback")
    line = trace(fig, "Retirement Services")
    rows = sql(
        path,
        """SELECT period_start, 100.0 * sum(responses) FILTER (WHERE score >= 4) / sum(responses)
                        FROM feedback_distributions WHERE org_id = 'a11-13-retirement-services'
                        AND measure = 'satisfaction' GROUP BY 1 ORDER BY 1""",
    )
    plotted = dict(zip(dates(line["x"]), array(line["y"]), strict=True))
    assert [plotted[d] for d, _ in rows] == pytest.approx([v for _, v in rows])
    assert trace(fig, "Fall beyond noise")["x"], "the 2022 Q2 drop of 12 points is marked"
    assert any("No maturity assessments yet" in i.value for i in at.info)

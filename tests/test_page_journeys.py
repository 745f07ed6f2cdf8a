"""Feedback and journeys page: the journey curve, the stage x channel heat map, the service league and the
comment search agree with independent hand-written SQL; empty states say why; library helpers on hand-worked data."""

from __future__ import annotations

import base64
import json
import math
import shutil
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cxdash import journeys, metrics, rollups
from cxdash.charts.journeys import _spread, make_journey_curve, make_stage_channel_heatmap
from cxdash.filters import Filters
from tests.conftest import open_app

WINDOW = {"start": date(2026, 8, 1), "end": date(2026, 10, 1)}  # the demo's default window: its last 3 months

#: Share rating 4-5 and n per stage x measure, by hand (no cxdash code): the curve's expected values.
CURVE_SQL = """
    SELECT js.stage, js.label, f.measure, sum(f.responses) AS n,
           100.0 * sum(f.responses) FILTER (WHERE f.score >= 4) / sum(f.responses) AS share
    FROM feedback_distributions f JOIN journey_stages js USING (stage)
    WHERE f.org_id = $org AND f.period_start BETWEEN $start AND $end
      AND f.measure IN ('satisfaction', 'ease', 'effectiveness', 'emotion') AND f.stage <> 'whole_journey'
      AND ($service IS NULL OR f.service_id = $service) AND ($channel IS NULL OR f.channel = $channel)
    GROUP BY js.stage, js.label, js.sort_order, f.measure ORDER BY js.sort_order"""

#: Share rating 4-5 (or NPS for 0-10 measures) and n per stage x channel.
CELL_SQL = """
    SELECT js.label AS stage, c.label AS channel, sum(f.responses) AS n,
           CASE WHEN max(f.scale_max) = 10
                THEN 100.0 * (sum(f.responses) FILTER (WHERE f.score >= 9)
                              - coalesce(sum(f.responses) FILTER (WHERE f.score <= 6), 0)) / sum(f.responses)
                ELSE 100.0 * coalesce(sum(f.responses) FILTER (WHERE f.score >= 4), 0) / sum(f.responses) END AS v
    FROM feedback_distributions f JOIN journey_stages js USING (stage) JOIN channels c USING (channel)
    WHERE f.org_id = $org AND f.measure = $measure AND f.period_start BETWEEN $start AND $end
    GROUP BY ALL"""

#: Share rating 4-5 and n per service over a window, filtered by channel and stage.
SERVICE_SQL = """
    SELECT s.name, sum(f.responses) AS n,
           100.0 * coalesce(sum(f.responses) FILTER (WHERE f.score >= 4), 0) / sum(f.responses) AS share
    FROM feedback_distributions f JOIN services s USING (service_id)
    WHERE f.org_id = $org AND f.measure = $measure AND f.period_start BETWEEN $start AND $end
      AND ($channel IS NULL OR f.channel = $channel) AND ($stage IS NULL OR f.stage = $stage)
    GROUP BY ALL"""

#: Comments whose text contains $term (any case), found with strpos rather than LIKE, newest first.
COMMENT_SQL = """
    SELECT comment_date, text FROM comments
    WHERE org_id = $org AND comment_date >= $start AND comment_date < $end
      AND ($channel IS NULL OR channel = $channel) AND ($stage IS NULL OR stage = $stage)
      AND ($term IS NULL OR strpos(lower(text), lower($term)) > 0)
    ORDER BY comment_date DESC, comment_id DESC"""


def sql(db_path: Path, text: str, **params) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(text, params).fetchall()
    finally:
        con.close()


def open_page(monkeypatch: pytest.MonkeyPatch, db_path: Path) -> AppTest:
    """The app opened on the journeys page."""
    at = open_app(monkeypatch, db_path, "pages/journeys.py")
    assert at.title[0].value == "Feedback and journeys"
    return at


def figure(at: AppTest, key: str) -> dict:
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key}")


def table(at: AppTest, column: str) -> pd.DataFrame:
    """The table holding `column` (tables carry no key in AppTest): 'Rank' is the league, 'Comment' the comments."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column} column")


def array(values) -> np.ndarray:
    """Plotly JSON arrays come as lists or as base64 typed arrays."""
    if isinstance(values, dict):
        raw = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).astype(float)
        shape = [int(x) for x in str(values.get("shape", len(raw))).split(",")]
        return raw.reshape(shape)
    return np.array(
        [
            [np.nan if v is None else v for v in r] if isinstance(r, list) else (np.nan if r is None else r)
            for r in values
        ],
        dtype=float,
    )


def busiest_org(db_path: Path) -> str:
    return sql(
        db_path,
        "SELECT org_id FROM feedback_distributions WHERE measure = 'satisfaction' "
        "GROUP BY org_id ORDER BY sum(responses) DESC, org_id LIMIT 1",
    )[0][0]


def check_curve(at: AppTest, db_path: Path, org: str, service: str | None = None, channel: str | None = None):
    """Every plotted point (and each stage's n in the axis labels) equals the hand-written SQL; small cells hidden."""
    fig = figure(at, "journeys_curve")
    expected = sql(db_path, CURVE_SQL, org=org, service=service, channel=channel, **WINDOW)
    stages = list(dict.fromkeys(label for _, label, *_ in expected))
    labels = {"satisfaction": "Satisfaction", "ease": "Ease", "effectiveness": "Effectiveness", "emotion": "Emotion"}
    for measure, label in labels.items():
        trace = next(t for t in fig["data"] if t["name"] == label)
        xs, ys = array(trace["x"]), array(trace["y"])
        got = {stages[round(x)]: y for x, y in zip(xs, ys, strict=True)}
        cells = [(stage, n, share) for _, stage, m, n, share in expected if m == measure]
        hidden = metrics.protect_partition([n for _, n, _ in cells], 10)  # the stages add up to a shown total
        for (stage, n, share), hide in zip(cells, hidden, strict=True):
            if n < 10 or hide:
                assert math.isnan(got[stage]), (measure, stage, n)
            else:
                assert got[stage] == pytest.approx(share), (measure, stage)
    ticks = fig["layout"]["xaxis"]["ticktext"]
    for stage, tick in zip(stages, ticks, strict=True):
        n = max(row[3] for row in expected if row[1] == stage)
        assert stage in tick and (f"n = {n:,}" in tick if n >= 10 else f"n = {n}: too few" in tick)
    total = max(sum(r[3] for r in expected if r[2] == m) for m in labels)
    assert f"n = {total:,} respondents" in fig["layout"]["title"]["text"]
    return fig, expected


# --- The page on the demo data ----------------------------------------------------------------------------------


def test_default_view_draws_the_journey_curve_heat_map_league_and_comments(monkeypatch, demo_db):
    at = open_page(monkeypatch, demo_db)
    org = at.selectbox(key="org").value
    assert at.selectbox(key="journeys_measure").value == "satisfaction"
    _, expected = check_curve(at, demo_db, org)
    # the sentence names the largest dip, with the lowest stage's figure as drawn
    shown = [r for r in expected if r[3] >= 10]
    best = None
    for m in ("satisfaction", "ease", "effectiveness", "emotion"):  # first of equal gaps, in measure order
        rows = [r for r in shown if r[2] == m]
        low, high = min(rows, key=lambda r: r[4]), max(rows, key=lambda r: r[4])
        if best is None or round(high[4]) - round(low[4]) > best[0]:
            best = (round(high[4]) - round(low[4]), low, m)
    gap, low, measure = best
    sentence = " ".join(m.value for m in at.markdown)
    assert f"{low[4]:.0f}%" in sentence and f"{gap} points" in sentence and measure in sentence.lower()
    assert table(at, "Rank")["Service"].notna().all()
    assert "journeys_heatmap" in [c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")]


def test_league_change_and_heat_map_cells_match_independent_sql(monkeypatch, demo_db):
    at = open_page(monkeypatch, demo_db)
    org = busiest_org(demo_db)
    at.selectbox(key="org").set_value(org).run()
    # the league's change on the previous window (May-Jul), tested with an unpooled two-proportion z-test
    league = table(at, "Rank")
    now = {
        r[0]: r[1:]
        for r in sql(demo_db, SERVICE_SQL, org=org, measure="satisfaction", channel=None, stage=None, **WINDOW)
    }
    before = {
        r[0]: r[1:]
        for r in sql(
            demo_db,
            SERVICE_SQL,
            org=org,
            measure="satisfaction",
            channel=None,
            stage=None,
            start=date(2026, 5, 1),
            end=date(2026, 7, 1),
        )
    }
    checked = 0
    for row in league.to_dict("records"):
        (n1, p1), (n0, p0) = now[row["Service"]], before.get(row["Service"], (0, math.nan))
        if n1 < 10 or n0 < 10:
            continue
        change = p1 - p0
        z = abs(change / 100) / math.sqrt(p1 / 100 * (1 - p1 / 100) / n1 + p0 / 100 * (1 - p0 / 100) / n0)
        words = row["Change on previous period"]
        assert words.split(" pts")[0].lstrip("▲▼ ") == ("0" if round(change) == 0 else f"{round(change):+d}")
        assert ("beyond noise" in words) == (z > 1.959963984540054)
        checked += 1
    assert checked >= 3
    # the heat map, for a share and for NPS
    for measure in ("ease", "recommend"):
        at.selectbox(key="journeys_measure").set_value(measure).run()
        assert not at.exception, at.exception
        fig = figure(at, "journeys_heatmap")
        heat = fig["data"][0]
        z, text = array(heat["z"]), heat["text"]
        rows, columns = heat["y"], heat["x"]
        expected = {(s, c): (n, v) for s, c, n, v in sql(demo_db, CELL_SQL, org=org, measure=measure, **WINDOW)}
        assert {s for s, _ in expected} == set(rows) and {c for _, c in expected} == set(columns)
        assert rows[0] == "Finding out" and rows[-1] == "Follow-up"  # journey order, top to bottom
        grid = pd.DataFrame(
            [(s, c, expected.get((s, c), (0, None))[0]) for s in rows for c in columns], columns=["s", "c", "n"]
        )
        protected = metrics.protect_grid(grid, "s", "c", 10)
        hidden = dict(zip(zip(grid["s"], grid["c"], strict=True), protected, strict=True))
        for i, stage in enumerate(rows):
            for j, channel in enumerate(columns):
                n, value = expected.get((stage, channel), (0, None))
                if n >= 10 and hidden[(stage, channel)]:  # shown, it would reveal a small cell beside it
                    assert math.isnan(z[i][j]) and text[i][j] == "hidden"
                elif n >= 10:
                    assert z[i][j] == pytest.approx(value), (measure, stage, channel)
                    shown = f"{value:+.0f}" if measure == "recommend" else f"{value:.0f}%"
                    assert text[i][j] == shown
                    assert f"n = {n:,}" in heat["customdata"][i][j]
                else:
                    assert math.isnan(z[i][j]) and text[i][j] == ("none" if n == 0 else "n<10")
        assert ("NPS" if measure == "recommend" else "% rated 4-5") in fig["layout"]["title"]["text"]


def test_changed_filters_move_the_curve_heat_map_and_league(monkeypatch, demo_db):
    at = open_page(monkeypatch, demo_db)
    org = busiest_org(demo_db)
    at.selectbox(key="org").set_value(org).run()
    service = sql(
        demo_db,
        "SELECT service_id FROM feedback_distributions WHERE org_id = $org GROUP BY 1 "
        "ORDER BY sum(responses) DESC LIMIT 1",
        org=org,
    )[0][0]
    at.selectbox(key="service").set_value(service).run()
    at.selectbox(key="channel").set_value("web").run()
    at.selectbox(key="stage").set_value("wait").run()
    at.selectbox(key="journeys_measure").set_value("effectiveness").run()
    assert not at.exception, at.exception
    fig, _ = check_curve(at, demo_db, org, service, "web")
    shaded = [s for s in fig["layout"].get("shapes", []) if s.get("fillcolor")]
    assert len(shaded) == 1 and shaded[0]["x0"] < 2 < shaded[0]["x1"]  # 'Waiting' is the third stage (x = 2)
    assert "<b>Waiting</b>" in fig["layout"]["xaxis"]["ticktext"][2]
    # the heat map keeps every stage and channel but outlines the chosen ones, for the chosen service only
    heat = figure(at, "journeys_heatmap")
    outlined = [s for s in heat["layout"]["shapes"] if s.get("type") == "rect"]
    assert len(outlined) == 2
    n_service = sql(
        demo_db,
        "SELECT sum(responses) FROM feedback_distributions WHERE service_id = $s AND "
        "measure = 'effectiveness' AND period_start BETWEEN $start AND $end",
        s=service,
        **WINDOW,
    )
    assert f"(n = {n_service[0][0]:,})" in heat["layout"]["title"]["text"]
    # the league ranks every service of the organisation by the web / waiting figure
    league = table(at, "Rank")
    expected = {
        name: (n, share)
        for name, n, share in sql(
            demo_db, SERVICE_SQL, org=org, measure="effectiveness", channel="web", stage="wait", **WINDOW
        )
    }
    chosen = sql(demo_db, "SELECT name FROM services WHERE service_id = $s", s=service)[0][0]
    assert f"▶ {chosen}" in set(league["Service"])  # the sidebar's service is marked, the others still ranked
    league["Service"] = league["Service"].str.removeprefix("▶ ")
    assert set(league["Service"]) == set(expected)
    for row in league.to_dict("records"):
        n, share = expected[row["Service"]]
        assert row["Responses"] == n
        if n >= 10:
            assert row["% rated 4-5"] == pytest.approx(share) and row["Rank"]
        else:
            assert math.isnan(row["% rated 4-5"]) and row["Rank"] == ""
            assert row["Change on previous period"] == f"not enough responses (n = {n})"
    ranked = league[league["Rank"] != ""]
    assert list(ranked["Rank"]) == [str(i) for i in range(1, len(ranked) + 1)]
    assert ranked["% rated 4-5"].is_monotonic_decreasing


# --- Comments ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def comments_db(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> tuple[Path, str]:
    """The demo database plus comments holding %, _, a quote and a backslash, each with a decoy an unescaped
    LIKE pattern would also match."""
    path = Path(shutil.copy(demo_db, tmp_path_factory.mktemp("comments") / "comments.duckdb"))
    org = busiest_org(path)
    rows = [
        ("t-1", date(2026, 10, 20), "web", "wait", "Fee went up 50%_again and it's worse"),
        ("t-2", date(2026, 10, 21), "web", "wait", "Fee went up 50 percent again"),
        ("t-3", date(2026, 10, 19), None, None, "IT'S a 50%_A surprise"),
        ("t-4", date(2026, 10, 18), "phone", "apply", r"Saved it to C:\temp_a as told"),
        ("t-5", date(2026, 10, 18), "phone", "apply", r"Saved it to C:\tempXa as told"),
        ("t-6", date(2026, 11, 1), "web", "wait", "Outside the window: 50%_again it's"),
    ]
    con = duckdb.connect(str(path))
    try:
        for cid, day, channel, stage, text in rows:
            con.execute(
                "INSERT INTO comments (comment_id, comment_date, org_id, channel, stage, text, satisfaction) "
                "VALUES (?, ?, ?, ?, ?, ?, 2)",
                [cid, day, org, channel, stage, text],
            )
    finally:
        con.close()
    return path, org


def test_comment_search_matches_independent_sql(monkeypatch, comments_db):
    path, org = comments_db
    at = open_page(monkeypatch, path)
    at.selectbox(key="org").set_value(org).run()
    window = {"start": WINDOW["start"], "end": date(2026, 11, 1), "stage": None}
    for term, channel in [
        ("50%_a", None),
        ("it's", None),
        (r"\temp_a", None),
        ("FEE WENT", None),
        ("%", None),
        ("_", None),
        ("50%_a", "web"),
        ("", None),
    ]:
        at.selectbox(key="channel").set_value(channel)
        at.text_input(key="journeys_search").input(term).run()
        assert not at.exception, at.exception
        expected = sql(path, COMMENT_SQL, org=org, channel=channel, term=term or None, **window)
        shown = table(at, "Comment")
        assert list(shown["Comment"]) == [text for _, text in expected], term
        assert [pd.Timestamp(d).date() for d in shown["Date"]] == [d for d, _ in expected]
        assert f"{len(expected):,} comment" in " ".join(c.value for c in at.caption)
        if term == "50%_a":  # the decoy 'Fee went up 50 percent again' would match an unescaped pattern
            wanted = ["Fee went up 50%_again and it's worse", "IT'S a 50%_A surprise"]
            assert list(shown["Comment"]) == (wanted if channel is None else wanted[:1])
        if term == r"\temp_a":
            assert list(shown["Comment"]) == [r"Saved it to C:\temp_a as told"]
    at.text_input(key="journeys_search").input("zz%_no such text").run()
    assert journeys.NO_MATCHES in [i.value for i in at.info]


def test_comments_follow_the_stage_filter_and_show_more(monkeypatch, comments_db):
    path, org = comments_db
    at = open_page(monkeypatch, path)
    at.selectbox(key="org").set_value(org).run()
    at.select_slider(key="period").set_value((date(2023, 11, 1), date(2026, 10, 1))).run()
    expected = sql(
        path, COMMENT_SQL, org=org, start=date(2023, 11, 1), end=date(2026, 11, 1), channel=None, stage=None, term=None
    )
    assert len(expected) > 2 * journeys.PAGE_SIZE
    shown = table(at, "Comment")
    assert list(shown["Comment"]) == [t for _, t in expected[: journeys.PAGE_SIZE]]
    assert f"The newest {journeys.PAGE_SIZE} of {len(expected):,} comments" in at.caption[-1].value
    at.button(key="journeys_more").click().run()
    assert list(table(at, "Comment")["Comment"]) == [t for _, t in expected[: 2 * journeys.PAGE_SIZE]]
    at.selectbox(key="stage").set_value("wait").run()  # new filters: back to the first page
    waiting = sql(
        path,
        COMMENT_SQL,
        org=org,
        start=date(2023, 11, 1),
        end=date(2026, 11, 1),
        channel=None,
        stage="wait",
        term=None,
    )
    shown = table(at, "Comment")
    assert list(shown["Comment"]) == [t for _, t in waiting[: journeys.PAGE_SIZE]]
    assert set(shown["Stage"]) == {"Waiting"}


# --- Empty states --------------------------------------------------------------------------------------------------


def test_empty_database_explains_instead_of_drawing(monkeypatch, empty_db):
    at = open_page(monkeypatch, empty_db)
    assert any("No citizen feedback" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_a11_data_without_stages_or_comments_gets_designed_empty_states(monkeypatch, a11_db):
    at = open_page(monkeypatch, a11_db)
    infos = " ".join(i.value for i in at.info)
    assert "no journey stages recorded" in infos and journeys.NO_COMMENTS in infos
    assert "journeys_curve" not in [c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")]
    heat = figure(at, "journeys_heatmap")["data"][0]
    assert heat["y"] == ["Whole journey"]
    assert "recommend" not in at.selectbox(key="journeys_measure").options  # A-11 has no recommend
    at.selectbox(key="journeys_measure").set_value("efficiency").run()
    assert not at.exception, at.exception


# --- Library functions on hand-worked data -----------------------------------------------------------------------


def test_search_pattern_escapes_wildcards_and_backslashes():
    assert journeys.search_pattern("  ") is None and journeys.search_pattern(None) is None
    assert journeys.search_pattern("50%_a") == r"%50\%\_a%"
    assert journeys.search_pattern(r"C:\x") == r"%C:\\x%"
    assert journeys.search_pattern("it's") == "%it's%"


def points(values: dict[str, list[float]], low: float = 5.0) -> pd.DataFrame:
    stages = [("find_out", "Finding out"), ("apply", "Applying"), ("wait", "Waiting")]
    rows = []
    for order, (measure, shares) in enumerate(values.items()):
        for sort, ((stage, label), v) in enumerate(zip(stages, shares, strict=True)):
            rows.append(
                {
                    "stage": stage,
                    "stage_label": label,
                    "stage_order": sort + 1,
                    "measure": measure,
                    "measure_label": measure.capitalize(),
                    "measure_order": order,
                    "n": 400,
                    "value": v,
                    "low": v - low,
                    "high": v + low,
                    "suppressed": np.isnan(v),
                }
            )
    return pd.DataFrame(rows)


def test_dip_sentence_names_the_deepest_dip_and_admits_noise():
    frame = points({"satisfaction": [60, 55, 50], "emotion": [56, 50, 31.4]})
    assert (
        journeys.dip_sentence(frame) == "Emotion dips to 31% while waiting, 25 points below the best stage "
        "(finding out, 56%)."
    )
    wide = points({"ease": [60, 55, 52]}, low=6)  # 52 + 6 >= 60 - 6: within the margin of error
    assert journeys.dip_sentence(wide) == (
        "No clear dip: the lowest point, ease while waiting (52%), is 8 points below the best stage "
        "(finding out, 60%), but that is within the margin of error."
    )
    assert journeys.dip_sentence(points({"ease": [60, np.nan, np.nan]})) is None


def test_league_compares_windows_and_hides_small_services(empty_db):
    con = duckdb.connect(str(empty_db))
    con.execute("INSERT INTO organisations VALUES ('o', 'Org', 'local', 'North', 'small', 'council', NULL, NULL, NULL)")
    con.execute(
        "INSERT INTO services VALUES ('o--a', 'o', 'Alpha', NULL, NULL), ('o--b', 'o', 'Beta', NULL, NULL), "
        "('o--c', 'o', 'Gamma', NULL, NULL), ('o--d', 'o', 'Delta', NULL, NULL)"
    )
    cells = [  # (month, service, score, responses): Alpha 21/30 now against 12/30 before; Beta 5 now
        ("2026-02-01", "o--a", 5, 21),
        ("2026-02-01", "o--a", 2, 9),
        ("2026-01-01", "o--a", 4, 12),
        ("2026-01-01", "o--a", 1, 18),
        ("2026-02-01", "o--b", 5, 5),
        ("2026-01-01", "o--b", 5, 50),
        ("2026-02-01", "o--d", 4, 20),  # Delta: enough, but with Beta's 5 it is the smallest to hide
    ]
    for month, service, score, n in cells:
        con.execute(
            "INSERT INTO feedback_distributions VALUES (?, 'month', 'o', ?, 'web', 'apply', 'satisfaction', "
            "1, 5, ?, ?, NULL)",
            [date.fromisoformat(month), service, score, n],
        )
    rollups.refresh_feedback(con)  # written here directly, not through an import: keep the rollup in step
    con.close()
    feb, jan = date(2026, 2, 1), date(2026, 1, 1)
    rows = journeys.league("o", feb, feb, (jan, jan), "satisfaction", path=empty_db)
    alpha, beta, gamma = (rows.set_index("service").loc[s] for s in ("Alpha", "Beta", "Gamma"))
    assert alpha["rank"] == 1 and alpha["value"] == pytest.approx(70) and alpha["previous"] == pytest.approx(40)
    # z = 0.30 / sqrt(0.7*0.3/30 + 0.4*0.6/30) = 2.45 > 1.96
    assert alpha["verdict"] == "up" and alpha["change"] == pytest.approx(30)
    assert pd.isna(beta["rank"]) and math.isnan(beta["value"]) and beta["n"] == 5
    assert gamma["n"] == 0 and gamma["verdict"] == "no responses"
    # the organisation's figure (55) minus Alpha would give Beta's 5 away: Delta (20), the smallest other, is hidden too
    delta = rows.set_index("service").loc["Delta"]
    assert pd.isna(delta["rank"]) and math.isnan(delta["value"]) and delta["verdict"] == journeys.PROTECTED
    shown = journeys.league_table(rows, min_n=10)
    assert list(shown["Service"]) == ["Alpha", "Delta", "Beta"]  # Gamma had no responses: not listed
    assert list(shown["Change on previous period"]) == [
        "▲ +30 pts, up beyond noise",
        "hidden: with the other figures it would reveal a small group",
        "not enough responses (n = 5)",
    ]
    assert shown["95% range"].iloc[0] == "52% to 83%"  # Wilson interval of 21/30
    f = Filters("public_cx", "o", start=feb, end=feb)
    view = journeys.build(f, "satisfaction", path=empty_db)
    assert "Not listed: 1 service with no responses" in view.league_note
    assert view.curve["n"].tolist() == [55] and view.dip is None  # one stage, one measure: nothing to compare


def test_comment_caption_and_label_spreading():
    assert journeys.comment_caption(50, 1234, True).startswith("The newest 50 of 1,234 comments matching the search")
    assert journeys.comment_caption(1, 1, False).startswith("All 1 comment,")
    spread = _spread([50.0, 51.0, 80.0], 5.0)
    assert spread[1] - spread[0] >= 5.0 - 1e-9 and spread[2] == 80.0


def test_charts_never_draw_suppressed_values_as_zero():
    frame = points({"satisfaction": [60, np.nan, 50]})
    stages = pd.DataFrame({"stage": ["find_out", "apply", "wait"], "label": ["F", "A", "W"], "sort_order": [1, 2, 3]})
    fig = make_journey_curve(frame, stages)
    y = list(fig.data[0].y)
    assert y[0] == 60 and (y[1] is None or math.isnan(y[1])) and y[2] == 50
    cells = pd.DataFrame(
        {
            "stage": ["wait", "wait"],
            "stage_label": ["Waiting"] * 2,
            "stage_order": [3, 3],
            "channel": ["web", "post"],
            "channel_label": ["Website", "Post"],
            "channel_order": [1, 7],
            "n": [40, 3],
            "value": [45.0, np.nan],
            "low": [30.0, np.nan],
            "high": [60.0, np.nan],
            "suppressed": [False, True],
            "headline": ["top2_share"] * 2,
        }
    )
    heat = make_stage_channel_heatmap(cells, "Satisfaction").data[0]
    assert list(heat.text[0]) == ["45%", "n<10"] and math.isnan(heat.z[0][1])

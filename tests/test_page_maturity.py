"""The Maturity page: pillar and statement scores, the spread of answers and the perception gap between
roles, checked against hand-written SQL; the role-privacy rule on hand-made data; empty states."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cxdash import db, maturity, metrics
from cxdash.imports import import_file
from tests.conftest import A11_FILE, open_app

PAGE = "pages/maturity.py"


def open_page(monkeypatch: pytest.MonkeyPatch, db_path: Path, **widgets: str) -> AppTest:
    """Run the app on the Maturity page, then set widgets by key (sidebar first), one rerun each."""
    at = open_app(monkeypatch, db_path, PAGE)
    for key, value in widgets.items():
        at.selectbox(key=key).set_value(value).run()
        assert not at.exception, at.exception
    return at


def rows(db_path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _decode(value: object) -> object:
    """Plotly writes numeric arrays as {'dtype', 'bdata'} (base64); turn them back into lists."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def chart(at: AppTest, key: str) -> dict:
    """The Plotly figure (as JSON, arrays decoded) of the chart drawn with `key`."""
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert found, f"no chart {key}"
    return _decode(json.loads(found[0].proto.spec))


def chart_keys(at: AppTest) -> set[str]:
    return {c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")}


def texts(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info])


def unwrap(label: str) -> str:
    return label.replace("<br>", " ")


# --- independent SQL --------------------------------------------------------------------------

PILLAR_SQL = """
    WITH st AS (SELECT s.pillar_id, a.statement_id, avg(a.score) AS m FROM assessment_responses a
                JOIN statements s USING (framework_id, statement_id)
                WHERE a.org_id = ? AND a.round_date = ? GROUP BY ALL)
    SELECT p.name, (avg(st.m) - 1) / 4 * 100 FROM st JOIN pillars p USING (pillar_id) GROUP BY p.name"""

ROLE_SQL = """
    WITH ans AS (SELECT a.respondent_role AS role, s.pillar_id, a.statement_id, a.respondent_id, a.score
                 FROM assessment_responses a JOIN statements s USING (framework_id, statement_id)
                 WHERE a.org_id = ? AND a.round_date = ?),
    st AS (SELECT role, pillar_id, statement_id, avg(score) AS m FROM ans GROUP BY ALL),
    people AS (SELECT role, pillar_id, count(DISTINCT respondent_id) AS n FROM ans GROUP BY ALL)
    SELECT r.label, p.name, (avg(st.m) - 1) / 4 * 100 AS score, any_value(people.n) AS n
    FROM st JOIN people USING (role, pillar_id) JOIN pillars p USING (pillar_id)
    JOIN respondent_roles r ON r.role = st.role
    GROUP BY r.label, p.name"""


def clean_round(db_path: Path) -> tuple[str, str]:
    """An earlier (not latest) round where every role has 0 or 3+ respondents (no secondary hiding needed)
    and at least two roles have 3+; returned as (org_id, ISO date)."""
    found = rows(
        db_path,
        """
        WITH r AS (SELECT org_id, round_date, respondent_role, count(DISTINCT respondent_id) AS n
                   FROM assessment_responses GROUP BY ALL),
        latest AS (SELECT org_id, max(round_date) AS last FROM assessment_responses GROUP BY org_id)
        SELECT r.org_id, strftime(r.round_date, '%Y-%m-%d') FROM r JOIN latest USING (org_id)
        WHERE r.round_date < latest.last
        GROUP BY r.org_id, r.round_date
        HAVING min(n) >= 3 AND count(*) >= 2
        ORDER BY count(*) DESC, r.org_id, r.round_date LIMIT 1""",
    )
    assert found, "the demo fixture should hold a round with every role at 3 or more respondents"
    return found[0]


# --- the page on demo data ------------------------------------------------------------------


def test_pillar_table_summed_in_the_database_equals_the_python_definition(demo_db):
    """maturity.pillar_table reads per-pillar sums from SQL (assessment_pillar_sums); every organisation's and
    round's pillar scores must equal metrics.pillar_scores over the statements' means computed here."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        means = con.execute(
            """SELECT a.org_id, a.round_date, s.pillar_id, a.statement_id, avg(a.score) AS mean_score,
                      count(*) AS respondents
               FROM assessment_responses a JOIN statements s USING (framework_id, statement_id)
               WHERE a.framework_id = 'public_cx' GROUP BY ALL"""
        ).df()
        pillars = con.execute("SELECT * FROM pillars WHERE framework_id = 'public_cx'").df()
    keys = ["org_id", "round_date", "pillar_id"]
    expected = metrics.pillar_scores(means, pillars, ["org_id", "round_date"]).sort_values(keys).reset_index(drop=True)
    got = maturity.pillar_table("public_cx", demo_db).sort_values(keys).reset_index(drop=True)
    assert len(got) == len(expected) > 100
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)
    rounds = maturity.round_scores("public_cx", demo_db)
    assert len(rounds) == means[["org_id", "round_date"]].drop_duplicates().shape[0]
    one = got["org_id"].iloc[0]
    pd.testing.assert_frame_equal(  # one organisation's rounds, read on their own
        maturity.pillar_table("public_cx", demo_db, org_id=one).sort_values(keys).reset_index(drop=True),
        got[got["org_id"] == one].reset_index(drop=True),
    )


def test_default_view_shows_the_latest_round_with_scores_from_sql(monkeypatch, demo_db):
    at = open_page(monkeypatch, demo_db)
    org = at.selectbox(key="org").value
    latest = rows(
        demo_db, "SELECT strftime(max(round_date), '%Y-%m-%d') FROM assessment_responses WHERE org_id = ?", [org]
    )[0][0]
    assert at.selectbox(key="maturity_round").value == latest
    # every pillar bar equals the pillar score worked out from raw answers
    bars = chart(at, "maturity_pillars")["data"][0]
    drawn = {unwrap(y): x for x, y in zip(bars["x"], bars["y"], strict=True)}
    expected = dict(rows(demo_db, PILLAR_SQL, [org, latest]))
    assert drawn.keys() == expected.keys()
    for name, score in expected.items():
        assert drawn[name] == pytest.approx(score)
    assert bars["x"] == sorted(bars["x"])  # highest at the top
    # summary line: overall score (equal-weight mean of pillars), respondents
    people = rows(
        demo_db,
        "SELECT count(DISTINCT respondent_id) FROM assessment_responses WHERE org_id = ? AND round_date = ?",
        [org, latest],
    )[0][0]
    overall = sum(expected.values()) / len(expected)
    summary = at.markdown[0].value
    assert f"Overall {overall:.0f} / 100" in summary and f"{people} respondents" in summary
    assert {"maturity_pillars", "maturity_spread"} <= chart_keys(at)
    assert "Next step for each pillar" in [s.value for s in at.subheader]


def test_next_steps_are_the_frameworks_recommendation_for_each_pillars_stage(monkeypatch, demo_db):
    at = open_page(monkeypatch, demo_db)
    org = at.selectbox(key="org").value
    latest = at.selectbox(key="maturity_round").value
    stages = rows(demo_db, "SELECT min_score, level FROM stages WHERE framework_id = 'public_cx' ORDER BY level")
    steps = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert len(steps) == 5
    for name, score in rows(demo_db, PILLAR_SQL, [org, latest]):
        level = max(lv for low, lv in stages if score + 1e-9 >= low)
        text = rows(
            demo_db,
            "SELECT r.text FROM recommendations r JOIN pillars p USING (framework_id, pillar_id) "
            "WHERE p.name = ? AND r.stage_level = ?",
            [name, level],
        )[0][0]
        assert any(s.startswith(f"- **{name}**") and text in s for s in steps), name


def test_changed_round_and_pillar_show_statements_and_spread_from_sql(monkeypatch, demo_db):
    org, day = clean_round(demo_db)
    at = open_page(monkeypatch, demo_db, org=org, maturity_round=day, maturity_pillar="governance")
    assert at.selectbox(key="maturity_round").value == day
    bars = chart(at, "maturity_pillars")["data"][0]
    drawn = {unwrap(y): x for x, y in zip(bars["x"], bars["y"], strict=True)}
    for name, score in rows(demo_db, PILLAR_SQL, [org, day]):
        assert drawn[name] == pytest.approx(score)
    # statement table: every governance statement in full, with its mean and respondents
    expected = rows(
        demo_db,
        """SELECT s.statement_id || ' · ' || s.text, avg(a.score), count(*) FROM statements s
           JOIN assessment_responses a USING (framework_id, statement_id)
           WHERE s.pillar_id = 'governance' AND a.org_id = ? AND a.round_date = ?
           GROUP BY ALL ORDER BY any_value(s.sort_order)""",
        [org, day],
    )
    table = at.table[0].value
    assert list(table["Statement"]) == [e[0] for e in expected]
    assert list(table["Mean (1-5)"]) == [f"{e[1]:.1f}" for e in expected]
    assert list(table["Respondents"]) == [e[2] for e in expected]
    # spread: share answering each scale point, per statement, from raw answers
    spread = chart(at, "maturity_spread")
    assert "Governance and measurement" in spread["layout"]["title"]["text"]
    labels = [lab for (lab,) in rows(demo_db, "SELECT label FROM framework_scale ORDER BY value")]
    assert [t["name"] for t in spread["data"]] == [f"{v} {lab}" for v, lab in enumerate(labels, 1)]
    shares = dict(
        ((sid, value), share)
        for sid, value, share in rows(
            demo_db,
            """WITH c AS (SELECT a.statement_id, a.score, count(*) AS k
                         FROM assessment_responses a JOIN statements s USING (framework_id, statement_id)
                         WHERE s.pillar_id = 'governance' AND a.org_id = ? AND a.round_date = ? GROUP BY ALL)
               SELECT statement_id, score, 100.0 * k / sum(k) OVER (PARTITION BY statement_id) FROM c""",
            [org, day],
        )
    )
    for value, trace in enumerate(spread["data"], 1):
        for y, x in zip(trace["y"], trace["x"], strict=True):
            assert x == pytest.approx(shares.get((y.split(" · ")[0], value), 0.0))


def test_perception_gap_matches_sql_and_is_said_in_words(monkeypatch, demo_db):
    org, day = clean_round(demo_db)
    at = open_page(monkeypatch, demo_db, org=org, maturity_round=day)
    expected = rows(demo_db, ROLE_SQL, [org, day])
    gap_chart = chart(at, "maturity_roles")
    drawn = {}
    for trace in gap_chart["data"]:
        if trace.get("mode") == "markers":
            role = trace["name"].split(" (n = ")[0]
            drawn.update({(role, unwrap(y)): x for x, y in zip(trace["x"], trace["y"], strict=True)})
    assert drawn.keys() == {(role, name) for role, name, _, n in expected if n >= 3}
    for role, name, score, n in expected:
        if n >= 3:
            assert drawn[(role, name)] == pytest.approx(score)
    # the largest gap between roles, worked out by hand, is stated in words
    by_pillar: dict[str, list[float]] = {}
    for _, name, score, n in expected:
        if n >= 3:
            by_pillar.setdefault(name, []).append(score)
    gaps = {name: max(s) - min(s) for name, s in by_pillar.items() if len(s) >= 2}
    pillar = max(gaps, key=gaps.get)
    sentence = next(m.value for m in at.markdown if "points higher than" in m.value or "broadly agree" in m.value)
    assert pillar in sentence and f"{round(gaps[pillar])} points" in sentence


def test_changing_organisation_resets_round_to_its_latest(monkeypatch, demo_db):
    org, day = clean_round(demo_db)
    at = open_page(monkeypatch, demo_db, org=org, maturity_round=day)
    other = rows(
        demo_db,
        "SELECT org_id, strftime(max(round_date), '%Y-%m-%d') FROM assessment_responses "
        "WHERE org_id <> ? GROUP BY org_id ORDER BY org_id LIMIT 1",
        [org],
    )[0]
    at.selectbox(key="org").set_value(other[0]).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="maturity_round").value == other[1]
    bars = chart(at, "maturity_pillars")["data"][0]
    drawn = {unwrap(y): x for x, y in zip(bars["x"], bars["y"], strict=True)}
    for name, score in rows(demo_db, PILLAR_SQL, [other[0], other[1]]):
        assert drawn[name] == pytest.approx(score)


# --- the privacy rule on hand-made data ------------------------------------------------------


def roles_frame(counts: dict[str, int], pillar: str = "culture") -> pd.DataFrame:
    order = {"board": 1, "executive": 2, "manager": 3, "frontline": 4, "other": 5}
    return pd.DataFrame(
        {
            "role": list(counts),
            "role_order": [order[r] for r in counts],
            "pillar_id": pillar,
            "respondents": list(counts.values()),
            "score_100": [50.0 + 5 * i for i in range(len(counts))],
        }
    )


def test_a_role_with_fewer_than_three_respondents_is_hidden_never_zero():
    out = maturity.hide_small_roles(roles_frame({"board": 1, "manager": 4, "frontline": 5, "other": 2}))
    shown = dict(zip(out["role"], out["shown"], strict=True))
    assert shown == {"board": False, "manager": True, "frontline": True, "other": False}
    assert out.loc[~out["shown"], "score_100"].isna().all()
    assert set(out.loc[~out["shown"], "hidden_reason"]) == {"fewer than 3 respondents"}


def test_a_lone_small_role_cannot_be_worked_out_by_subtraction():
    # board (2 people) hidden; with the pillar score and head counts published, the board's mean would
    # follow from the others', so the smallest shown role (executive, 4) is hidden as well
    out = maturity.hide_small_roles(roles_frame({"board": 2, "executive": 4, "manager": 6, "frontline": 9}))
    shown = dict(zip(out["role"], out["shown"], strict=True))
    assert shown == {"board": False, "executive": False, "manager": True, "frontline": True}
    assert "cannot be worked out" in out.set_index("role").loc["executive", "hidden_reason"]


def test_nothing_is_hidden_when_every_role_has_three_and_rules_apply_per_pillar():
    both = pd.concat(
        [roles_frame({"board": 3, "frontline": 3}, "culture"), roles_frame({"board": 2, "frontline": 3}, "design")],
        ignore_index=True,
    )
    out = maturity.hide_small_roles(both)
    assert out[out["pillar_id"] == "culture"]["shown"].all()
    assert not out[out["pillar_id"] == "design"]["shown"].any()  # board 2, then front line to protect it


def test_gap_sentence_names_the_roles_the_pillar_and_the_points():
    roles = pd.DataFrame(
        {
            "role": ["board", "frontline", "manager", "board", "frontline"],
            "label": ["Board", "Front line", "Manager", "Board", "Front line"],
            "pillar_id": ["culture", "culture", "culture", "design", "design"],
            "name": ["Culture and people"] * 3 + ["Journey and service design"] * 2,
            "score_100": [70.0, 46.0, 60.0, 50.0, 45.0],
            "shown": True,
        }
    )
    gap = maturity.largest_gap(roles)
    assert gap["gap"] == pytest.approx(24)
    assert maturity.gap_sentence(gap) == "Board members rate Culture and people 24 points higher than front-line staff."
    assert maturity.largest_gap(roles.assign(shown=False)) is None
    assert "cannot be compared" in maturity.gap_sentence(None)


@pytest.fixture
def tiny_db(empty_db: Path) -> Path:
    """One organisation, one round: 1 board member answering 5, 3 managers answering 3, 3 front line 1."""
    people = (
        [("b1", "board", 5)]
        + [(f"m{i}", "manager", 3) for i in range(3)]
        + [(f"f{i}", "frontline", 1) for i in range(3)]
    )
    with db.writer(empty_db) as con:
        con.execute(
            "INSERT INTO organisations (org_id, name, sector, region, size_band, org_type) "
            "VALUES ('tiny', 'Tiny Council', 'local', 'North West', 'small', 'district council')"
        )
        statements = [
            r[0] for r in con.execute("SELECT statement_id FROM statements WHERE framework_id = 'public_cx'").fetchall()
        ]
        con.executemany(
            "INSERT INTO assessment_responses (framework_id, org_id, round_date, respondent_id, respondent_role, "
            "statement_id, score) VALUES ('public_cx', 'tiny', DATE '2026-05-01', ?, ?, ?, ?)",
            [(pid, role, sid, score) for pid, role, score in people for sid in statements],
        )
    return empty_db


def test_role_pillars_hide_the_lone_board_member_and_the_group_that_would_reveal_them(tiny_db):
    roles = maturity.role_pillars("public_cx", "tiny", "2026-05-01", path=tiny_db)
    assert len(roles) == 15  # 3 roles x 5 pillars
    assert not roles[roles["role"] == "board"]["shown"].any()
    assert (roles.groupby("pillar_id")["shown"].sum() == 1).all()  # one of manager/front line is left
    assert roles[roles["shown"]]["score_100"].isin([0.0, 50.0]).all()
    assert not (roles["score_100"] == 100.0).any()  # the board member's own answers appear nowhere


def test_page_on_hand_made_round_shows_no_individual_and_says_why(monkeypatch, tiny_db):
    at = open_page(monkeypatch, tiny_db)
    assert "maturity_roles" not in chart_keys(at)  # only one role left: nothing to compare
    words = texts(at)
    assert "cannot be compared" in words
    assert "Board on every pillar (1 respondent: fewer than 3 respondents)" in words
    assert "1 board member, 3 managers, 3 front-line staff" in at.markdown[0].value


# --- empty states -----------------------------------------------------------------------------


def test_empty_database_says_to_import_organisations(monkeypatch, empty_db):
    at = open_page(monkeypatch, empty_db)
    assert "No organisations yet" in texts(at)
    assert not at.get("plotly_chart")


def test_real_a11_data_has_no_assessments_and_says_so(monkeypatch, empty_db):
    import_file(A11_FILE, db_path=empty_db)
    at = open_page(monkeypatch, empty_db)
    assert "holds no maturity assessments yet" in texts(at)
    assert not at.get("plotly_chart")


def test_organisation_without_an_assessment_and_one_with_two_people(monkeypatch, example_db):
    at = open_page(monkeypatch, example_db, org="example-nhs")
    assert "Example NHS Foundation Trust has no assessment in this framework yet" in texts(at)
    at.selectbox(key="org").set_value("example-bc").run()
    assert not at.exception
    assert "maturity_pillars" in chart_keys(at)
    assert "cannot be compared" in texts(at)  # one board member and one front-line member: both hidden


def test_missing_framework_is_explained(monkeypatch, tmp_path, empty_db):
    path = Path(shutil.copy(empty_db, tmp_path / "noframework.duckdb"))
    with db.writer(path) as con:
        for table in ("recommendations", "statements", "stages", "pillars", "framework_scale", "frameworks"):
            con.execute(f"DELETE FROM {table}")
        con.execute(
            "INSERT INTO organisations (org_id, name, sector, region, size_band, org_type) "
            "VALUES ('x', 'X Council', 'local', 'North West', 'small', 'district council')"
        )
    at = open_page(monkeypatch, path)
    assert "No maturity framework is loaded" in texts(at)

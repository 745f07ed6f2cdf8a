"""Workshops: the schema migration, opening and closing sessions, saving a participant's answers exactly once,
their score against hand-written SQL, and the Live assessment and Facilitator pages through AppTest."""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cxdash import db, demo, metrics, rollups, workshop
from cxdash.insight import themes
from tests.conftest import open_app

FRAMEWORK = "public_cx"
DAY = date(2026, 11, 20)
#: The public_cx stages' thresholds, as the framework file sets them.
STAGES = pd.DataFrame({"level": [1, 2, 3, 4, 5], "min_score": [0.0, 20.0, 40.0, 60.0, 80.0]})


def rows(path: Path, text: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(text, params or []).fetchall()
    finally:
        con.close()


def statement_ids(path: Path) -> list[str]:
    found = rows(path, "SELECT statement_id FROM statements WHERE framework_id = ? ORDER BY statement_id", [FRAMEWORK])
    return [r[0] for r in found]


def answers(path: Path, seed: int = 0) -> dict[str, int]:
    """A full set of answers: statement i gets (i + seed) % 5 + 1."""
    return {sid: (i + seed) % 5 + 1 for i, sid in enumerate(statement_ids(path))}


def submit(path: Path, session: dict, seed: int = 0, role: str = "manager", **kwargs) -> workshop.Submission:
    sub, resp = kwargs.pop("ids", (str(uuid.uuid4()), str(uuid.uuid4())))
    return workshop.submit(session["session_id"], sub, resp, role, answers(path, seed), path=path, **kwargs)


@pytest.fixture
def demo_copy(tmp_path: Path, demo_db: Path) -> Path:
    """A writable copy of the demo database."""
    return Path(shutil.copy(demo_db, tmp_path / "demo.duckdb"))


@pytest.fixture
def first_org(demo_copy: Path) -> str:
    return rows(demo_copy, "SELECT org_id FROM organisations ORDER BY name LIMIT 1")[0][0]


@pytest.fixture
def session(demo_copy: Path, first_org: str) -> dict:
    return workshop.open_session(FRAMEWORK, first_org, "Board away day", DAY, demo_copy)


# --- Schema ------------------------------------------------------------------------------------


def test_a_version_1_demo_database_is_upgraded_in_place(tmp_path, monkeypatch):
    path = tmp_path / "v1.duckdb"
    with monkeypatch.context() as m:  # build the file as the previous release did, at schema version 1
        m.setattr(db, "SCHEMA_VERSION", 1)
        m.setattr(db, "migrations", lambda: [(1, db.SQL_DIR / "schema" / "001_initial.sql")])
        m.setattr(rollups, "refresh_feedback", lambda con, org_ids=None: None)  # version 1 had no rollups
        m.setattr(rollups, "refresh_assessments", lambda con, org_ids=None: None)
        m.setattr(themes, "refresh", lambda con: 0)  # nor stored comment themes
        demo.build(path, responses=2_000, orgs=5, seed=1)
        with db.reader(path) as con:
            assert db.schema_version(con) == 1
    before = rows(path, "SELECT * FROM assessment_responses ORDER BY ALL")
    assert before

    db.ensure_schema(path)

    with db.reader(path) as con:
        assert db.schema_version(con) == db.SCHEMA_VERSION >= 3
        assert rollups.feedback_differences(con) == 0  # the rollups, filled on upgrade, match the distributions
        assert rollups.assessment_differences(con) == 0  # and the answers
    tables = {r[0] for r in rows(path, "SELECT table_name FROM information_schema.tables")}
    assert {"workshop_sessions", "workshop_submissions"} <= tables
    after = rows(path, "SELECT * EXCLUDE (session_id) FROM assessment_responses ORDER BY ALL")
    assert after == before
    assert rows(path, "SELECT count(*) FROM assessment_responses WHERE session_id IS NOT NULL") == [(0,)]
    org = rows(path, "SELECT min(org_id) FROM organisations")[0][0]
    opened = workshop.open_session(FRAMEWORK, org, "After the upgrade", DAY, path)
    assert submit(path, opened).answers == len(statement_ids(path))
    with db.reader(path) as con:
        assert rollups.assessment_differences(con) == 0  # the submission was added to the rollup


# --- Sessions ----------------------------------------------------------------------------------


def test_open_and_close_a_session(demo_copy, first_org, session):
    assert session["status"] == "open" and session["org_id"] == first_org and session["submissions"] == 0
    code = session["join_code"]
    assert len(code) == workshop.CODE_LENGTH and set(code) <= set(workshop.CODE_ALPHABET)
    assert (
        workshop.session_by_code(f" {code[:3].lower()}-{code[3:]} ", demo_copy)["session_id"] == session["session_id"]
    )
    with pytest.raises(workshop.WorkshopError, match="already open"):  # a double click does not open a second room
        workshop.open_session(FRAMEWORK, first_org, "Board away day", DAY, demo_copy)
    assert workshop.close_session(session["session_id"], demo_copy) is True
    assert workshop.close_session(session["session_id"], demo_copy) is False
    status, closed_at = rows(demo_copy, "SELECT status, closed_at FROM workshop_sessions")[0]
    assert status == "closed" and closed_at is not None
    assert workshop.sessions(status="open", path=demo_copy).empty


def test_a_submission_saves_every_answer_once(demo_copy, first_org, session):
    ids = (str(uuid.uuid4()), str(uuid.uuid4()))
    saved = submit(demo_copy, session, seed=2, role="board", ids=ids, comment="  More training please ")
    assert not saved.duplicate and saved.answers == 34
    got = rows(
        demo_copy,
        "SELECT framework_id, org_id, round_date, respondent_role, statement_id, score, session_id "
        "FROM assessment_responses WHERE respondent_id = ? ORDER BY statement_id",
        [ids[1]],
    )
    expected = answers(demo_copy, seed=2)
    assert [(r[4], r[5]) for r in got] == sorted(expected.items())
    assert {r[:4] + r[6:] for r in got} == {(FRAMEWORK, first_org, DAY, "board", session["session_id"])}
    assert rows(demo_copy, "SELECT comment FROM workshop_submissions") == [("More training please",)]

    again = workshop.submit(session["session_id"], ids[0], ids[1], "board", answers(demo_copy, seed=4), path=demo_copy)
    assert again.duplicate and again.respondent_id == ids[1]
    assert rows(demo_copy, "SELECT count(*) FROM assessment_responses WHERE session_id IS NOT NULL") == [(34,)]
    assert rows(demo_copy, "SELECT count(*) FROM workshop_submissions") == [(1,)]


def test_incomplete_or_invalid_answers_are_refused_and_nothing_is_written(demo_copy, session):
    partial = answers(demo_copy)
    for sid in ("LS2", "CP1"):
        partial.pop(sid)
    with pytest.raises(ValueError, match=r"2 statements still to answer: .*Leadership and strategy \(LS2\)"):
        workshop.submit(session["session_id"], "s1", "r1", "board", partial, path=demo_copy)
    with pytest.raises(ValueError, match="between 1 and 5"):
        workshop.submit(session["session_id"], "s2", "r2", "board", {**answers(demo_copy), "LS1": 6}, path=demo_copy)
    with pytest.raises(ValueError, match="unknown role"):
        workshop.submit(session["session_id"], "s3", "r3", "ceo", answers(demo_copy), path=demo_copy)
    assert rows(demo_copy, "SELECT count(*) FROM workshop_submissions") == [(0,)]
    assert rows(demo_copy, "SELECT count(*) FROM assessment_responses WHERE session_id IS NOT NULL") == [(0,)]


def test_a_closed_session_takes_no_answers(demo_copy, session):
    workshop.close_session(session["session_id"], demo_copy)
    with pytest.raises(workshop.SessionClosed, match="closed"):
        submit(demo_copy, session)
    with pytest.raises(workshop.SessionClosed, match="does not exist"):
        workshop.submit("no-such-session", "s", "r", "board", answers(demo_copy), path=demo_copy)
    assert rows(demo_copy, "SELECT count(*) FROM workshop_submissions") == [(0,)]


# --- Scores ------------------------------------------------------------------------------------

PARTICIPANT_SQL = """
    WITH p AS (SELECT s.pillar_id, avg(a.score) AS m FROM assessment_responses a
               JOIN statements s USING (framework_id, statement_id)
               WHERE a.respondent_id = ? GROUP BY s.pillar_id)
    SELECT sum((p.m - 1) / 4 * 100 * pl.weight) / sum(pl.weight)
    FROM p JOIN pillars pl ON pl.framework_id = 'public_cx' AND pl.pillar_id = p.pillar_id
"""


def test_a_participants_score_matches_hand_written_sql(demo_copy, session):
    saved = submit(demo_copy, session, seed=1)
    result = workshop.respondent_result(session["session_id"], saved.respondent_id, demo_copy)
    expected = rows(demo_copy, PARTICIPANT_SQL, [saved.respondent_id])[0][0]
    assert result.score_100 == pytest.approx(expected)
    level, name = rows(
        demo_copy,
        "SELECT level, name FROM stages WHERE framework_id = 'public_cx' AND min_score <= ? "
        "ORDER BY level DESC LIMIT 1",
        [expected],
    )[0]
    assert (result.stage_level, result.stage_name) == (level, name)
    assert len(result.plan) == 3 and list(result.plan["lift"]) == sorted(result.plan["lift"], reverse=True)
    assert set(result.plan["pillar_id"]) == set(result.pillars.nsmallest(3, "score_100")["pillar_id"])


def test_hand_worked_scores_all_threes_is_fifty(demo_copy, session):
    ids = statement_ids(demo_copy)
    workshop.submit(session["session_id"], "s", "r", "other", dict.fromkeys(ids, 3), path=demo_copy)
    result = workshop.respondent_result(session["session_id"], "r", demo_copy)
    assert result.score_100 == 50 and result.stage_name == "Established"
    assert list(result.pillars["score_100"]) == [50.0] * 5


def test_the_room_hides_roles_with_fewer_than_three_people(demo_copy, session):
    for i in range(3):
        submit(demo_copy, session, seed=i, role="manager")
    submit(demo_copy, session, seed=3, role="board")
    room = workshop.room(session["session_id"], demo_copy)
    assert room.submissions == 4
    assert dict(zip(room.people["role"], room.people["respondents"], strict=True)) == {"board": 1, "manager": 3}
    shown = room.roles[room.roles["shown"]]
    assert set(shown["role"]) == set()  # the lone board member would be exposed by subtraction: managers hide too
    assert int(room.spread["answers"].sum()) == 4 * 34
    overall = rows(
        demo_copy,
        "WITH st AS (SELECT s.pillar_id, avg(a.score) m FROM assessment_responses a JOIN statements s "
        "USING (framework_id, statement_id) WHERE a.session_id = ? GROUP BY s.pillar_id, a.statement_id), "
        "p AS (SELECT pillar_id, avg(m) m FROM st GROUP BY pillar_id) SELECT avg((m - 1) / 4 * 100) FROM p",
        [session["session_id"]],
    )[0][0]
    assert room.result.score_100 == pytest.approx(overall)  # equal pillar weights in public_cx


# --- Small helpers -----------------------------------------------------------------------------


def test_points_never_show_a_threshold_beside_the_stage_below_it():
    assert [workshop.points(v, STAGES) for v in (39.7, 39.4, 40.0, 59.96, 61.5, 0.2)] == [
        "39.7",
        "39",
        "40",
        "59.9",
        "62",
        "0",
    ]


def test_advance_keeps_answers_and_sends_a_participant_back_to_the_first_gap():
    statements = pd.DataFrame(
        {"pillar_id": ["a", "a", "b"], "pillar": ["Alpha", "Alpha", "Beta"], "statement_id": ["A1", "A2", "B1"]}
    )
    progress = workshop.new_progress()
    workshop.advance(progress, {}, "board", None, statements, 1)  # page 0: the role
    assert progress["step"] == 1 and progress["role"] == "board" and not progress["submit"]
    workshop.advance(progress, {"A1": 4, "A2": None}, None, None, statements, 1)
    workshop.advance(progress, {"B1": 2}, None, "Thanks", statements, 0)  # submit with A2 missing
    assert progress["answers"] == {"A1": 4, "B1": 2} and progress["comment"] == "Thanks"
    assert progress["step"] == 1 and not progress["submit"]
    assert progress["notice"] == "1 statement still to answer: Alpha (A2)."
    workshop.advance(progress, {"A1": 4, "A2": 5}, None, None, statements, 0)
    assert progress["submit"] and progress["answers"] == {"A1": 4, "A2": 5, "B1": 2}


def test_join_link():  # the facilitator passcode is tested with the rest of access control, tests/test_access.py
    assert workshop.join_link("http://host:8501/facilitate?org=x", "AB2") == "http://host:8501/assess?session=AB2"
    assert workshop.join_link("https://h/cx/facilitate", "AB2") == "https://h/cx/assess?session=AB2"
    assert workshop.join_link(None, "AB2") == "/assess?session=AB2"
    assert workshop.normalise_code(" ab-2c ") == "AB2C" and workshop.normalise_code("") is None


# --- Pages -------------------------------------------------------------------------------------


def start(monkeypatch: pytest.MonkeyPatch, path: Path, page: str, **query: str) -> AppTest:
    return open_app(monkeypatch, path, page, query=query)


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return " ".join(parts + [w.value for w in at.warning] + [s.value for s in at.success] + [e.value for e in at.error])


def chart(at: AppTest, key: str) -> dict:
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert found, f"no chart {key}"
    return json.loads(found[0].proto.spec)


def answer_page(at: AppTest, scores: dict[str, int]) -> AppTest:
    """Set every statement radio on the current page, then press Next / Submit."""
    for radio in at.radio:
        if radio.key.startswith("assess_") and radio.key != "assess_role":
            radio.set_value(scores[radio.key.removeprefix("assess_")])
    at.button(key="assess_next").click().run()
    assert not at.exception, at.exception
    return at


def test_assess_page_walks_a_participant_through_to_their_score(monkeypatch, demo_copy, session):
    at = start(monkeypatch, demo_copy, "pages/assess.py", session=session["join_code"])
    assert at.selectbox(key="assess_session").value == session["join_code"]
    assert "0 of 34 answered" in at.get("progress")[0].proto.text
    assert "Not in place" in texts(at) and "There is no evidence" in texts(at)  # labels and descriptors shown
    scores = answers(demo_copy, seed=3)
    at.button(key="assess_next").click().run()  # no role yet: may move on, but submit will ask for it
    at.button(key="assess_back").click().run()
    at.radio(key="assess_role").set_value("frontline")
    at.button(key="assess_next").click().run()
    for _ in range(4):
        answer_page(at, scores)
    assert "27 of 34 answered" in at.get("progress")[0].proto.text  # pillars of 6, 7, 7 and 7 statements
    last = at.radio
    for radio in last:  # leave GM7 unanswered: submit says what is missing and goes back to it
        if radio.key.startswith("assess_GM") and radio.key != "assess_GM7":
            radio.set_value(scores[radio.key.removeprefix("assess_")])
    at.button(key="assess_next").click().run()
    assert "1 statement still to answer: Governance and measurement (GM7)" in texts(at)
    assert rows(demo_copy, "SELECT count(*) FROM workshop_submissions") == [(0,)]
    at.radio(key="assess_GM7").set_value(scores["GM7"])
    at.text_area(key="assess_comment").input("Good session")
    at.button(key="assess_next").click().run()
    assert not at.exception, at.exception

    assert "your answers are saved" in texts(at)
    respondent = rows(demo_copy, "SELECT respondent_id FROM workshop_submissions WHERE respondent_role = 'frontline'")
    expected = rows(demo_copy, PARTICIPANT_SQL, [respondent[0][0]])[0][0]
    assert at.metric[0].value == f"{workshop.points(expected, STAGES)} / 100"
    assert rows(demo_copy, "SELECT count(*), count(DISTINCT score) FROM assessment_responses WHERE session_id = ?",
                [session["session_id"]]) == [(34, 5)]  # fmt: skip
    figure = chart(at, "assess_own_pillars")
    shown = dict(zip([y.replace("<br>", " ") for y in figure["data"][0]["y"]], figure["data"][0]["text"], strict=True))
    assert "Leadership and strategy" in shown and "Where to start" in [s.value for s in at.subheader]

    at.button(key="assess_again").click().run()  # someone else on the same device starts afresh
    assert "0 of 34 answered" in at.get("progress")[0].proto.text


def test_assess_page_empty_states(monkeypatch, tmp_path, empty_db, demo_copy, session):
    at = start(monkeypatch, empty_db, "pages/assess.py")
    assert "No workshop is open right now" in texts(at)
    bare = db.ensure_schema(tmp_path / "bare.duckdb")  # no framework loaded at all
    at = start(monkeypatch, bare, "pages/assess.py")
    assert "No maturity framework is loaded" in texts(at)
    at = start(monkeypatch, demo_copy, "pages/assess.py", session="NOPE99")
    assert "No workshop has the join code **NOPE99**" in texts(at)
    workshop.close_session(session["session_id"], demo_copy)
    at = start(monkeypatch, demo_copy, "pages/assess.py", session=session["join_code"])
    assert "has closed" in texts(at) and not at.radio


def test_facilitator_opens_watches_and_closes_a_session(monkeypatch, demo_copy, first_org):
    monkeypatch.setenv(workshop.PASSCODE_ENV, "letmein")
    at = start(monkeypatch, demo_copy, "pages/facilitate.py")
    at.selectbox(key="org").set_value(first_org).run()
    at.text_input(key="facilitate_passcode").input("letmein").run()
    at.text_input(key="facilitate_name").input("Leadership workshop")
    at.button(key="facilitate_open_button").click().run()
    assert not at.exception, at.exception
    (session_id, code, status), *_ = rows(demo_copy, "SELECT session_id, join_code, status FROM workshop_sessions")
    assert status == "open" and at.metric[0].value == code
    assert f"/assess?session={code}" in texts(at)
    assert "scores appear once 3 people have submitted" in texts(at)

    session = {"session_id": session_id}
    for i, role in enumerate(["board", "board", "board", "frontline", "frontline", "frontline"]):
        submit(demo_copy, session, seed=i, role=role)
    at.run()
    assert "6 respondents: 3 board members, 3 front-line staff" in texts(at)
    figure = chart(at, "facilitate_pillars")
    sql_pillars = dict(
        rows(
            demo_copy,
            "WITH st AS (SELECT s.pillar_id, avg(a.score) m FROM assessment_responses a JOIN statements s "
            "USING (framework_id, statement_id) WHERE a.session_id = ? GROUP BY ALL) "
            "SELECT p.name, (avg(m) - 1) / 4 * 100 FROM st JOIN pillars p ON p.framework_id = 'public_cx' "
            "AND p.pillar_id = st.pillar_id GROUP BY p.name",
            [session_id],
        )
    )
    bars = figure["data"][0]
    shown = {y.replace("<br>", " "): t.split(" ")[0] for y, t in zip(bars["y"], bars["text"], strict=True)}
    assert shown == {k: workshop.points(v, STAGES) for k, v in sql_pillars.items()}
    assert {"facilitate_spread", "facilitate_roles"} <= {c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")}

    at.button(key="facilitate_close").click().run()
    assert not at.exception, at.exception
    assert rows(demo_copy, "SELECT status FROM workshop_sessions") == [("closed",)]
    assert "Where to start" in [s.value for s in at.subheader]
    overall = rows(
        demo_copy,
        "WITH st AS (SELECT s.pillar_id, avg(a.score) m FROM assessment_responses a JOIN statements s "
        "USING (framework_id, statement_id) WHERE a.session_id = ? GROUP BY ALL), "
        "p AS (SELECT pillar_id, avg(m) m FROM st GROUP BY pillar_id) SELECT avg((m - 1) / 4 * 100) FROM p",
        [session_id],
    )[0][0]
    stage = metrics.stage_for(overall, db.query("framework_stages", {"framework_id": FRAMEWORK}, demo_copy))
    assert any(m.value == f"{workshop.points(overall, STAGES)} / 100 · {stage['name']}" for m in at.metric)


def test_facilitator_needs_the_passcode_when_one_is_set(monkeypatch, demo_copy, first_org):
    monkeypatch.setenv(workshop.PASSCODE_ENV, "letmein")
    at = start(monkeypatch, demo_copy, "pages/facilitate.py")
    assert at.button(key="facilitate_open_button").disabled
    at.text_input(key="facilitate_passcode").input("wrong").run()
    assert at.button(key="facilitate_open_button").disabled and "not right" in texts(at)
    at.text_input(key="facilitate_passcode").input("letmein").run()
    assert not at.button(key="facilitate_open_button").disabled


def test_facilitator_empty_states(monkeypatch, empty_db, tmp_path):
    at = start(monkeypatch, empty_db, "pages/facilitate.py")
    assert "No organisations yet" in texts(at) and not at.button
    bare = db.ensure_schema(tmp_path / "bare.duckdb")  # an organisation but no framework
    with db.writer(bare) as con:
        con.execute("INSERT INTO organisations VALUES ('a', 'A council', 'local', 'R', 'small', 't', NULL, NULL, NULL)")
    at = start(monkeypatch, bare, "pages/facilitate.py")
    assert "No maturity framework is loaded" in texts(at)

"""Live workshops: sessions a facilitator opens and closes, participants' answers saved once each, and the
results a participant and the room see.

A session's answers are one assessment round of its organisation (round_date = the session's date), so
they also appear on the Maturity page. Every participant's answers are written in one short transaction
with a submission id made in their browser: sending the same submission again saves nothing twice.
Inside the server process, workshop writes queue behind one lock (DuckDB lets only one read-write
transaction change the data version at a time, and a read-only connection cannot open while a
read-write one is open); conflicts with other writers are retried until a deadline, then the caller is
told the answers were not saved, so the page can keep them and ask to submit again.
"""

from __future__ import annotations

import math
import random
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import duckdb
import pandas as pd

from cxdash import access, db, maturity, metrics, rollups
from cxdash.queries import sql

#: Environment variable holding the facilitator passcode, which opens and closes sessions when no sign-in is
#: configured; while it is unset nobody can (cxdash.access decides who may).
PASSCODE_ENV = access.PASSCODE_ENVS[access.FACILITATE]
#: Join codes avoid letters and digits that read alike (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
#: Fewest submissions before the room's scores are shown, so no one's answers can be singled out.
MIN_ROOM = maturity.MIN_ROLE_RESPONDENTS
#: How long a submission keeps retrying before it reports "not saved".
SAVE_SECONDS = 30.0
ROLES = ("board", "executive", "manager", "frontline", "other")

_WRITE_LOCK = threading.Lock()
T = TypeVar("T")


class WorkshopError(RuntimeError):
    """A workshop action that cannot be done; the message says why in plain words."""


class SessionClosed(WorkshopError):
    """The session no longer accepts answers."""


class NotSaved(WorkshopError):
    """The answers could not be saved in time (the database stayed busy); nothing was written."""


@dataclass(frozen=True)
class Submission:
    """A saved submission: who, for which session, how many answers, and whether it was already saved."""

    submission_id: str
    respondent_id: str
    session_id: str
    answers: int
    duplicate: bool


@dataclass(frozen=True)
class Result:
    """Scores of one participant or of a whole room: pillars, overall score and stage, next steps."""

    pillars: pd.DataFrame  # pillar_id, name, sort_order, weight, score, score_100, statements, respondents,
    # stage_level, stage_name
    score_100: float
    stage_level: int
    stage_name: str | None
    descriptor: str | None
    stages: pd.DataFrame  # level, name, min_score, descriptor
    plan: pd.DataFrame  # maturity.next_steps columns, most lift first
    respondents: int


@dataclass(frozen=True)
class Room:
    """What the facilitator sees for one session."""

    session: dict[str, Any]
    people: pd.DataFrame  # role, label, role_order, respondents
    submissions: int
    result: Result
    spread: pd.DataFrame  # pillar_id, name, sort_order, answers, answers_1 .. answers_5
    roles: pd.DataFrame  # maturity.role_pillars columns (privacy rule applied)
    scale: pd.DataFrame  # value, label, descriptor
    comments: list[str]


# --- Sessions -----------------------------------------------------------------------------------


def new_code() -> str:
    """A random join code such as 'K7QX2M'."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str | None) -> str | None:
    """A join code as typed or linked ('k7q-x2m ') in its stored form ('K7QX2M'); None when empty."""
    if text is None:
        return None
    code = "".join(ch for ch in str(text).upper() if ch.isalnum())
    return code or None


def sessions(
    org_id: str | None = None,
    framework_id: str | None = None,
    status: str | None = None,
    join_code: str | None = None,
    path: Path | None = None,
) -> pd.DataFrame:
    """Workshop sessions (open first, then newest), narrowed by any argument given; see workshop_sessions.sql."""
    params = {"org_id": org_id, "framework_id": framework_id, "status": status, "join_code": normalise_code(join_code)}
    return db.query("workshop_sessions", params, path)


def session_by_code(code: str | None, path: Path | None = None) -> dict[str, Any] | None:
    """The session with this join code (any case, dashes ignored) as a dict, or None."""
    code = normalise_code(code)
    if code is None:
        return None
    found = sessions(join_code=code, path=path)
    return found.iloc[0].to_dict() if not found.empty else None


def session_label(session: Mapping[str, Any]) -> str:
    """'Board away day · Kingston Borough Council · 12 Mar 2026 (K7QX2M)' for a picker."""
    day = pd.Timestamp(session["round_date"])
    return f"{session['name']} · {session['org_name']} · {day:%-d %b %Y} ({session['join_code']})"


def open_session(framework_id: str, org_id: str, name: str, round_date: date, path: Path | None = None) -> dict:
    """Open a session for an organisation and framework; return it (workshop_sessions columns).

    Refuses a second open session for the same organisation, framework and date (a double click on
    "Open" must not make two rooms).
    """
    name = (name or "").strip() or f"Workshop {round_date:%-d %b %Y}"
    session_id = str(uuid.uuid4())
    params = {"org_id": org_id, "framework_id": framework_id, "round_date": round_date}

    def write() -> str:
        with db.writer(path) as con:
            clash = con.execute(sql("workshop_open_clash"), params).fetchall()
            if clash:
                raise WorkshopError(
                    f"A session for this organisation and date is already open (join code {clash[0][0]}). "
                    "Close it first, or pick another date."
                )
            code = new_code()
            while db.scalar(con, sql("workshop_code_taken"), {"join_code": code}):
                code = new_code()
            con.execute(
                sql("workshop_open_session"), {**params, "session_id": session_id, "join_code": code, "name": name}
            )
            return code

    return sessions(join_code=_retrying(write), path=path).iloc[0].to_dict()


def close_session(session_id: str, path: Path | None = None) -> bool:
    """Close a session so it accepts no more answers; True if it was open (closing twice is harmless)."""

    def write() -> bool:
        with db.writer(path) as con:
            return bool(db.scalar(con, sql("workshop_close_session"), {"session_id": session_id}))

    return _retrying(write)


def join_link(page_url: str | None, code: str, url_path: str = "assess") -> str:
    """The participants' link for a join code, on the same server as `page_url` (the facilitator's page)."""
    if not page_url:
        return f"/{url_path}?session={code}"
    parts = urlsplit(page_url)
    base = parts.path.rstrip("/").rsplit("/", 1)[0] if parts.path.strip("/") else ""
    return urlunsplit((parts.scheme, parts.netloc, f"{base}/{url_path}", f"session={code}", ""))


# --- Answering ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Joining:
    """What the Live assessment page needs, read on one connection: the session a join code names, the sessions
    open now, and the chosen session's questionnaire, answer scale and role labels."""

    session: dict[str, Any] | None  # workshop_sessions columns (open or closed); None for an unknown code
    open_sessions: pd.DataFrame  # workshop_sessions columns
    statements: pd.DataFrame  # workshop_statements columns (empty without a session)
    scale: pd.DataFrame  # value, label, descriptor
    roles: dict[str, str]  # role code -> label, in order


def joining(code: str | None, path: Path | None = None) -> Joining:
    """The session a participant's join code names (if any), the open sessions, and the questionnaire to answer."""
    code = normalise_code(code)
    every = {"org_id": None, "framework_id": None, "status": None}
    with db.reader(path) as con:
        open_now = con.execute(sql("workshop_sessions"), {**every, "status": "open", "join_code": None}).df()
        named = con.execute(sql("workshop_sessions"), {**every, "join_code": code}).df() if code else open_now.head(0)
        session = named.iloc[0].to_dict() if not named.empty else None
        framework = {"framework_id": session["framework_id"] if session else None}
        statements = con.execute(sql("workshop_statements"), framework).df()
        answers = con.execute(sql("maturity_scale"), framework).df()
        roles = con.execute(sql("reference_lists")).df().query("list == 'role'")
    return Joining(session, open_now, statements, answers, dict(zip(roles["code"], roles["label"], strict=True)))


def missing_answers(statements: pd.DataFrame, answers: Mapping[str, int | None]) -> pd.DataFrame:
    """The statements (questionnaire rows) with no answer yet."""
    return statements[[answers.get(s) is None for s in statements["statement_id"]]]


def new_progress() -> dict[str, Any]:
    """A participant's progress through the questionnaire, kept in their browser session until it is saved.

    answers (statement_id -> 1..5), role, comment, step (0 = about you, then one page per pillar), notice
    (what to fix, shown once), submit (True when complete and ready to save), saved (the Submission), and
    ids: (submission id, respondent id), made once so a resubmitted form is recognised.
    """
    ids = (str(uuid.uuid4()), str(uuid.uuid4()))
    return {
        "answers": {},
        "role": None,
        "comment": "",
        "step": 0,
        "notice": "",
        "submit": False,
        "saved": None,
        "ids": ids,
    }


def advance(
    progress: dict[str, Any],
    given: Mapping[str, int | None],
    role: str | None,
    comment: str | None,
    statements: pd.DataFrame,
    move: int,
) -> None:
    """Keep the answers given on one page, then move `move` pages; move 0 asks to submit: when something is
    missing, go to the first page with a gap and say what is missing instead of submitting."""
    progress["answers"].update({sid: int(v) for sid, v in given.items() if v is not None})
    progress["role"] = role if role is not None else progress["role"]
    progress["comment"] = comment if comment is not None else progress["comment"]
    missing = missing_answers(statements, progress["answers"])
    if move or (progress["role"] and missing.empty):
        progress["step"], progress["submit"] = progress["step"] + move, not move
        return
    pillars = list(dict.fromkeys(statements["pillar_id"]))
    progress["step"] = 0 if not progress["role"] else pillars.index(missing["pillar_id"].iloc[0]) + 1
    progress["notice"] = ("Please choose your role. " if not progress["role"] else "") + missing_sentence(missing)


def missing_sentence(missing: pd.DataFrame) -> str:
    """'Still to answer: Leadership and strategy (LS2, LS5); Insight (CI1).' ('' when nothing is missing)."""
    if missing.empty:
        return ""
    parts = [
        f"{pillar} ({', '.join(group['statement_id'])})" for pillar, group in missing.groupby("pillar", sort=False)
    ]
    count = len(missing)
    return f"{count} statement{'s' if count != 1 else ''} still to answer: " + "; ".join(parts) + "."


def submit(
    session_id: str,
    submission_id: str,
    respondent_id: str,
    role: str,
    scores: Mapping[str, int],
    comment: str | None = None,
    path: Path | None = None,
    deadline_seconds: float = SAVE_SECONDS,
) -> Submission:
    """Save one participant's answers (every statement of the session's framework) in one transaction.

    Idempotent: a submission id already saved returns the first save (duplicate=True) and writes nothing.
    Raises ValueError for an unknown role or incomplete/out-of-range answers, SessionClosed when the
    session is closed or unknown, and NotSaved when the database stayed busy past the deadline.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if any(v is not None and not 1 <= int(v) <= 5 for v in scores.values()):
        raise ValueError("every answer must be between 1 and 5")
    comment = (comment or "").strip() or None
    params = {"session_id": session_id, "submission_id": submission_id, "respondent_id": respondent_id, "role": role}
    mine = _Pending(params, {k: int(v) for k, v in scores.items() if v is not None}, comment, path)
    with _QUEUE_LOCK:
        _QUEUE.append(mine)
    give_up, delay = time.monotonic() + deadline_seconds, 0.05
    while not mine.done.is_set():
        if time.monotonic() > give_up:
            with _QUEUE_LOCK:
                waiting = mine in _QUEUE
                if waiting:
                    _QUEUE.remove(mine)
            if waiting:
                raise NotSaved("Your answers are not saved yet: the database was busy. Press submit again.")
            mine.done.wait()  # being written at this moment: its outcome is due
            break
        if _WRITE_LOCK.acquire(timeout=0.05):  # whoever gets the lock writes everything queued so far
            try:
                written = _write_queue()
            finally:
                _WRITE_LOCK.release()
            if not written:
                time.sleep(delay * random.uniform(0.5, 1.5))
                delay = min(delay * 2, 1.0)
    if isinstance(mine.outcome, BaseException):
        raise mine.outcome
    return mine.outcome


@dataclass(eq=False)
class _Pending:
    """A submission waiting in the queue, and what became of it."""

    params: dict[str, str]
    scores: dict[str, int]
    comment: str | None
    path: Path | None
    done: threading.Event = field(default_factory=threading.Event)
    outcome: Submission | BaseException | None = None


_QUEUE: list[_Pending] = []
_QUEUE_LOCK = threading.Lock()


def _write_queue() -> bool:
    """Group commit: write every queued submission for one database in one transaction (call with _WRITE_LOCK).

    Each submission is checked before any of its rows is written, so one refused submission (closed session,
    missing answers) does not stop the others. Returns False when the transaction must be retried (the queue
    then holds the batch again).
    """
    with _QUEUE_LOCK:
        if not _QUEUE:
            return True
        path = _QUEUE[0].path
        batch = [p for p in _QUEUE if p.path == path]
        _QUEUE[:] = [p for p in _QUEUE if p.path != path]
    try:
        with db.writer(path) as con:
            outcomes = [_save(con, p) for p in batch]
    except (duckdb.Error, db.DatabaseBusy) as exc:
        if _transient(exc):
            with _QUEUE_LOCK:
                _QUEUE[:0] = batch
            return False
        outcomes = [exc] * len(batch)
    except Exception as exc:  # an unexpected failure reaches every caller rather than hanging them
        outcomes = [exc] * len(batch)
    for pending, outcome in zip(batch, outcomes, strict=True):
        pending.outcome = outcome
        pending.done.set()
    return True


def _retrying(action: Callable[[], T], deadline_seconds: float = SAVE_SECONDS) -> T:
    """Run one write under the process's workshop lock, retrying conflicts and a busy file until the deadline."""
    give_up = time.monotonic() + deadline_seconds
    delay, last = 0.05, None
    while time.monotonic() < give_up:
        if not _WRITE_LOCK.acquire(timeout=max(0.0, give_up - time.monotonic())):
            break
        try:
            return action()
        except (duckdb.Error, db.DatabaseBusy) as exc:
            if not _transient(exc):
                raise
            last = exc
        finally:
            _WRITE_LOCK.release()
        time.sleep(min(delay, max(0.0, give_up - time.monotonic())) * random.uniform(0.5, 1.5))
        delay = min(delay * 2, 1.0)
    raise NotSaved("Not saved yet: the database was busy. Press the button again.") from last


def _transient(exc: Exception) -> bool:
    """A failure that goes away on retry: a write conflict, or the file briefly held by another connection."""
    if isinstance(exc, (db.DatabaseBusy, duckdb.TransactionException, duckdb.ResourceInUseException)):
        return True
    return isinstance(exc, (duckdb.IOException, duckdb.ConnectionException)) and db._is_lock_error(exc)


def _save(con: duckdb.DuckDBPyConnection, pending: _Pending) -> Submission | WorkshopError | ValueError:
    """One submission inside the group's transaction: the saved Submission, or why it was refused (nothing written)."""
    params, scores = pending.params, pending.scores
    done = con.execute(sql("workshop_submission_owner"), {"submission_id": params["submission_id"]}).fetchall()
    if done:
        respondent_id, session_id, answers = done[0]
        return Submission(params["submission_id"], respondent_id, session_id, answers, duplicate=True)
    session = con.execute(sql("workshop_session_status"), {"session_id": params["session_id"]}).fetchall()
    if not session:
        return SessionClosed("This workshop session does not exist (check the link or join code).")
    if session[0][0] != "open":
        return SessionClosed("This workshop session has been closed, so it takes no more answers.")
    statements = con.execute(sql("workshop_statements"), {"framework_id": session[0][1]}).df()
    missing = missing_answers(statements, scores)
    if not missing.empty:
        return ValueError(missing_sentence(missing))
    ids = list(statements["statement_id"])
    con.execute(sql("workshop_insert_submission"), {**params, "answers": len(ids), "comment": pending.comment})
    answers = {k: params[k] for k in ("session_id", "respondent_id", "role")}
    con.execute(sql("workshop_insert_answers"), {**answers, "statement_ids": ids, "scores": [scores[i] for i in ids]})
    rollups.refresh_assessments(con, [session[0][2]])
    return Submission(params["submission_id"], params["respondent_id"], params["session_id"], len(ids), False)


# --- Results ------------------------------------------------------------------------------------


def _read(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """A named query on an open connection (several reads share one connection: opening the file is the cost)."""
    return con.execute(sql(name), params or {}).df()


def _session(con: duckdb.DuckDBPyConnection, session_id: str) -> dict[str, Any]:
    every = {"org_id": None, "framework_id": None, "status": None, "join_code": None}
    found = _read(con, "workshop_sessions", every)
    found = found[found["session_id"] == session_id]
    if found.empty:
        raise WorkshopError("This workshop session does not exist.")
    return found.iloc[0].to_dict()


def _result(con: duckdb.DuckDBPyConnection, framework_id: str, means: pd.DataFrame, respondents: int) -> Result:
    params = {"framework_id": framework_id}
    stages = _read(con, "framework_stages", params)
    pillars = metrics.pillar_scores(means, _read(con, "framework_pillars", params))
    if pillars.empty or stages.empty:
        empty = pillars.assign(stage_level=pd.Series(dtype=int), stage_name=pd.Series(dtype=str))
        return Result(empty, math.nan, 0, None, None, stages, maturity.next_steps(empty, empty, stages), respondents)
    pillars["stage_level"] = metrics.stage_levels(pillars["score_100"], stages)
    pillars["stage_name"] = pillars["stage_level"].map(stages.set_index("level")["name"])
    score = metrics.overall_score(pillars)
    stage = metrics.stage_for(score, stages)
    plan = maturity.next_steps(pillars, _read(con, "recommendations", params), stages, top=3)
    return Result(pillars, score, int(stage["level"]), str(stage["name"]), str(stage["descriptor"]), stages, plan,
                  respondents)  # fmt: skip


def respondent_result(session_id: str, respondent_id: str, path: Path | None = None) -> Result:
    """One participant's own scores from their saved answers: pillars, overall 0-100 score, stage, next steps."""
    with db.reader(path) as con:
        session = _session(con, session_id)
        means = _read(con, "workshop_statement_means", {"session_id": session_id, "respondent_id": respondent_id})
        return _result(con, session["framework_id"], means, 1 if not means.empty else 0)


def room(session_id: str, path: Path | None = None) -> Room:
    """The room's view of a session: submissions by role, pillar scores, the spread of answers per pillar,
    how roles differ (roles with fewer than MIN_ROOM people hidden) and the next steps."""
    by_session = {"session_id": session_id}
    with db.reader(path) as con:
        session = _session(con, session_id)
        framework = {"framework_id": session["framework_id"]}
        people = _read(con, "workshop_people", by_session)
        submissions = int(people["respondents"].sum())
        means = _read(con, "workshop_statement_means", {**by_session, "respondent_id": None})
        result = _result(con, session["framework_id"], means, submissions)
        pillars = _read(con, "framework_pillars", framework)
        role_means = _read(con, "workshop_role_statement_means", by_session)
        roles = _read(con, "reference_lists").query("list == 'role'")
        answer_scale = _read(con, "maturity_scale", framework)
        comments = list(_read(con, "workshop_comments", by_session)["comment"])
    counts = [f"answers_{v}" for v in range(1, 6)]
    spread = (
        means.groupby("pillar_id", as_index=False)[counts].sum() if not means.empty else means[["pillar_id", *counts]]
    )
    spread = spread.merge(pillars[["pillar_id", "name", "sort_order"]], on="pillar_id").sort_values("sort_order")
    spread["answers"] = spread[counts].sum(axis=1)
    return Room(
        session=session,
        people=people,
        submissions=submissions,
        result=result,
        spread=spread.reset_index(drop=True),
        roles=_role_table(role_means, pillars, roles),
        scale=answer_scale,
        comments=comments,
    )


def _role_table(means: pd.DataFrame, pillars: pd.DataFrame, roles: pd.DataFrame) -> pd.DataFrame:
    """Pillar scores by role in a session (privacy rule applied), as maturity.role_pillars builds them for a round."""
    columns = ["role", "label", "role_order", "pillar_id", "name", "sort_order", "score_100", "respondents", "shown",
               "hidden_reason"]  # fmt: skip
    if means.empty:
        return pd.DataFrame(columns=columns)
    table = metrics.pillar_scores(means, pillars, ["role"]).drop(columns="respondents")
    people = means.groupby(["role", "pillar_id"], as_index=False)["pillar_respondents"].max()
    table = table.merge(people.rename(columns={"pillar_respondents": "respondents"}), on=["role", "pillar_id"])
    table["label"] = table["role"].map(dict(zip(roles["code"], roles["label"], strict=True))).fillna(table["role"])
    table["role_order"] = table["role"].map(dict(zip(roles["code"], roles["sort_order"], strict=True))).fillna(99)
    table = table.sort_values(["sort_order", "role_order"]).reset_index(drop=True)
    return maturity.hide_small_roles(table, MIN_ROOM)[columns]


def stage_starts(stages: pd.DataFrame) -> str:
    """'Ad hoc from 0, Emerging from 20, ...': where each stage starts on 0-100, for chart captions."""
    return ", ".join(f"{s.name} from {s.min_score:.0f}" for s in stages.sort_values("level").itertuples())


def points(score_100: float, stages: pd.DataFrame) -> str:
    """A 0-100 score in whole points, or to one decimal where rounding would reach the next stage's threshold
    ('39.7', not '40', for a score still in Emerging when Established starts at 40)."""
    whole = f"{score_100:.0f}"
    crosses = ((stages["min_score"] > score_100) & (stages["min_score"] <= round(score_100))).any()
    return f"{math.floor(score_100 * 10) / 10:.1f}" if crosses else whole


def score_sentence(result: Result, stage: bool = True) -> str:
    """'54 / 100 · Established' ('54 / 100' without the stage; 'not scored' when nothing was answered)."""
    if result.stage_name is None:
        return "not scored"
    return f"{points(result.score_100, result.stages)} / 100" + (f" · {result.stage_name}" if stage else "")

"""The DuckDB file: schema versions, migrations, transactions and what `check` reports."""

from __future__ import annotations

import threading

import duckdb
import pytest

from cxdash import contents, db
from tests.conftest import snapshot


def test_new_file_gets_the_current_schema(tmp_path):
    path = db.ensure_schema(tmp_path / "new.duckdb")
    with db.reader(path) as con:
        assert db.schema_version(con) == db.SCHEMA_VERSION
    assert [v for v, _ in db.migrations()] == list(range(1, db.SCHEMA_VERSION + 1))


def test_opening_twice_is_harmless(tmp_path):
    path = db.ensure_schema(tmp_path / "x.duckdb")
    before = snapshot(path)
    db.ensure_schema(path)
    assert snapshot(path) == before


def test_a_newer_schema_is_refused_with_advice(tmp_path):
    path = db.ensure_schema(tmp_path / "x.duckdb")
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(db.SchemaError, match="upgrade cxdash"):
        db.ensure_schema(path)


def test_a_foreign_database_is_not_touched(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.close()
    with pytest.raises(db.SchemaError, match="not a cxdash database"):
        db.ensure_schema(path)


def test_older_schema_is_migrated(tmp_path, monkeypatch):
    path = db.ensure_schema(tmp_path / "x.duckdb")
    later = tmp_path / "schema"
    later.mkdir()
    number = db.SCHEMA_VERSION + 1
    migration = later / f"{number:03d}_add_test_column.sql"
    migration.write_text("ALTER TABLE organisations ADD COLUMN website VARCHAR;")
    real = db.migrations

    def with_extra() -> list:
        return [*real(), (number, migration)]

    monkeypatch.setattr(db, "migrations", with_extra)
    monkeypatch.setattr(db, "SCHEMA_VERSION", number)
    db.ensure_schema(path)
    with db.reader(path) as con:
        assert db.schema_version(con) == number
        assert "website" in [r[0] for r in con.execute("DESCRIBE organisations").fetchall()]


def test_writer_commits_and_bumps_the_data_version(tmp_path):
    path = db.ensure_schema(tmp_path / "x.duckdb")
    version = db.data_version(path)
    with db.writer(path) as con:
        con.execute("INSERT INTO organisations VALUES ('a', 'A', 'local', 'R', 'small', 't', NULL, NULL, NULL)")
    assert db.data_version(path) != version
    assert db.query("SELECT count(*) AS n FROM organisations", path=path).n[0] == 1


def test_writer_rolls_back_on_error(tmp_path):
    path = db.ensure_schema(tmp_path / "x.duckdb")
    before = snapshot(path)
    with pytest.raises(duckdb.ConstraintException), db.writer(path) as con:
        con.execute("INSERT INTO organisations VALUES ('a', 'A', 'local', 'R', 'small', 't', NULL, NULL, NULL)")
        con.execute("INSERT INTO organisations VALUES ('a', 'B', 'local', 'R', 'small', 't', NULL, NULL, NULL)")
    assert snapshot(path) == before


ORG_SQL = "INSERT INTO organisations VALUES (?, ?, 'local', 'R', 'small', 't', NULL, NULL, NULL)"


def insert(path, org_id):
    with db.writer(path) as con:
        con.execute(ORG_SQL, [org_id, org_id.upper()])


def test_a_session_opens_its_connection_at_the_first_read_and_gives_way_to_a_write_in_its_thread(tmp_path):
    """A page's rerun runs in one session: a rerun that reads nothing holds no lock, and a write in the
    same rerun (a submitted assessment) closes the session's read-only connection and is seen afterwards."""
    path = db.ensure_schema(tmp_path / "x.duckdb")
    count = "SELECT count(*) AS n FROM organisations"
    with db.session(path):
        insert(path, "a")  # nothing read yet: no connection held
        assert db.query(count, path=path).n[0] == 1
        with db.writer(path) as con:  # would wait for the open read-only connection, unless the session gives way
            con.execute(ORG_SQL, ["b", "B"])
        assert db.query(count, path=path).n[0] == 2  # not the remembered answer from before the write
    with db.reader(path) as con:
        assert db.scalar(con, count) == 2


def test_a_page_wide_session_holds_no_connection_between_its_computations(tmp_path):
    """app.py runs each rerun in session(hold=False): answers are shared, but a connection is held only inside
    a computation's own session, so a writer elsewhere is not kept waiting while the page waits."""
    path = db.ensure_schema(tmp_path / "x.duckdb")
    count = "SELECT count(*) AS n FROM organisations"
    with db.session(path, hold=False):
        assert db.query(count, path=path).n[0] == 0
        with db.session(path):
            assert db.query(count, path=path).n[0] == 0  # remembered from the page-wide session
            assert db.query("SELECT 1 AS one", path=path).one[0] == 1  # on this block's connection
            writing = threading.Thread(target=insert, args=(path, "a"))
            writing.start()
            writing.join(0.5)
            assert writing.is_alive()  # a writer waits while the computation's connection is open
        writing.join(5)  # and writes once it ends, while the page-wide session goes on
        assert not writing.is_alive()
        assert db.query("SELECT count(*) AS n FROM organisations WHERE org_id = 'a'", path=path).n[0] == 1


def test_a_thread_reading_may_read_again_while_a_writer_waits(tmp_path):
    """Reads wait for a waiting writer in this process, except in a thread already reading the file: it must be
    able to finish (else it and the writer would wait for each other until both gave up)."""
    import time

    path = db.ensure_schema(tmp_path / "x.duckdb")
    with db.reader(path) as outer:
        writing = threading.Thread(target=insert, args=(path, "a"))
        writing.start()
        time.sleep(0.3)  # the writer is now waiting for this read to end
        start = time.monotonic()
        with db.reader(path) as inner:
            assert db.scalar(inner, "SELECT count(*) FROM organisations") == 0
        assert time.monotonic() - start < 1
        assert db.scalar(outer, "SELECT count(*) FROM organisations") == 0
        assert writing.is_alive()
    writing.join(5)
    assert not writing.is_alive()
    with db.reader(path) as con:
        assert db.scalar(con, "SELECT count(*) FROM organisations") == 1


def test_remember_computes_once_per_session_and_every_time_outside_one(tmp_path):
    path = db.ensure_schema(tmp_path / "x.duckdb")
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert db.remember(("k",), compute, path) == 1 and db.remember(("k",), compute, path) == 2
    with db.session(path):
        assert db.remember(("k",), compute, path) == 3
        assert db.remember(("k",), compute, path) == 3
        assert db.remember(("other",), compute, path) == 4
    with db.session(path):  # a new session (the next rerun) computes again
        assert db.remember(("k",), compute, path) == 5


def test_reader_explains_a_missing_database(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m cxdash demo"), db.reader(tmp_path / "none.duckdb"):
        pass


def test_check_reports_counts_coverage_and_frameworks(example_db):
    summary = contents.summarise(example_db)
    counts = dict(zip(summary.tables["table"], summary.tables["rows"], strict=True))
    assert counts["organisations"] == 2 and counts["frameworks"] >= 1
    grains = set(summary.coverage["period_grain"])
    assert grains == {"month", "quarter"}
    assert summary.consistent
    text = contents.render(summary)
    assert "public_cx" in text and "no problems found" in text and "2026-03-01 to 2026-03-01" in text


def test_check_finds_broken_references(example_db):
    con = duckdb.connect(str(example_db))
    con.execute("DELETE FROM organisations WHERE org_id = 'example-nhs'")
    orphans = con.execute("SELECT count(*) FROM feedback_distributions WHERE org_id = 'example-nhs'").fetchall()[0][0]
    con.close()
    summary = contents.summarise(example_db)
    assert not summary.consistent
    problems = dict(zip(summary.problems["problem"], summary.problems["rows"], strict=True))
    assert problems["service without a known organisation"] == 1
    assert problems["feedback for an unknown organisation"] == orphans > 0  # distribution rows, read off the rollup
    assert "PROBLEM: comment for an unknown organisation" in contents.render(summary)


def test_the_thorough_check_finds_a_rollup_out_of_step(example_db):
    """The Data page's check reads the feedback_cells rollup; `python -m cxdash check` also recounts every row."""
    assert contents.summarise(example_db, thorough=True).consistent
    con = duckdb.connect(str(example_db))
    con.execute("DELETE FROM feedback_distributions WHERE measure = 'trust'")  # behind the rollups' back
    con.close()
    assert contents.summarise(example_db).consistent  # the quick check cannot see it
    summary = contents.summarise(example_db, thorough=True)
    late = summary.problems[summary.problems["problem"] == "rollup out of step with the feedback distributions"]
    assert set(late["example"]) == {"feedback_org_month", "feedback_cells"} and (late["rows"] > 0).all()


def test_readers_wait_for_a_writer_in_this_process(tmp_path):
    import threading
    import time

    path = db.ensure_schema(tmp_path / "x.duckdb")
    writer = duckdb.connect(str(path))
    threading.Thread(target=lambda: (time.sleep(0.4), writer.close())).start()
    with db.reader(path) as con:
        assert db.scalar(con, "SELECT count(*) FROM organisations") == 0


def test_a_file_locked_by_another_process_says_data_is_being_refreshed(tmp_path, monkeypatch):
    import subprocess
    import sys

    path = db.ensure_schema(tmp_path / "x.duckdb")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(db, "_LOCK_RETRY_SECONDS", 0.3)
        with pytest.raises(db.DatabaseBusy, match="data is being refreshed"), db.reader(path):
            pass
    finally:
        holder.kill()
        holder.wait()
    with db.reader(path) as con:  # and once the writer is gone, reading works again
        assert db.scalar(con, "SELECT count(*) FROM meta") >= 2


def test_readers_and_writers_in_many_threads_of_one_process_all_succeed(tmp_path):
    """As in a workshop: several sessions reading while others save. DuckDB refuses a connection while
    the other mode's last one is open or closing ("different configuration", "unique file handle
    conflict"); both must be waited out, not shown to the participant."""
    import threading

    path = db.ensure_schema(tmp_path / "x.duckdb")
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for k in range(40):
                if i % 4 == 0:
                    with db.writer(path) as con:
                        con.execute(
                            "INSERT INTO channels VALUES (?, ?, ?, ?)", [f"c{i}-{k}", f"Channel {i} {k}", False, k]
                        )
                else:
                    with db.reader(path) as con:
                        db.scalar(con, "SELECT count(*) FROM channels")
        except BaseException as exc:  # collected: an error in a thread would otherwise be lost
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    with db.reader(path) as con:
        assert db.scalar(con, "SELECT count(*) FROM channels WHERE channel LIKE 'c%-%'") == 2 * 40

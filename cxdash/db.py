"""The DuckDB file: schema creation and migration, short-lived connections, one place for writes.

DuckDB allows one writer or many readers across processes, and a connection is not safe to
share across threads, so nothing here keeps a connection open between uses: every read opens a
read-only connection and closes it, every write is one transaction on its own connection.

Opening a connection costs milliseconds (DuckDB loads the file's catalogue each time), so two things
avoid doing it needlessly: `session()` lets one computation (say, everything the Overview needs) run
all its queries on one read-only connection in its own thread, closed when it ends; and the data
version and schema check are remembered for as long as the file (and its write-ahead log) is
unchanged on disk, so a rerun that finds nothing new opens no connection for them.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cxdash import config
from cxdash.queries import SQL_DIR, inline, sql

#: Schema version this code writes; migrations live in cxdash/sql/schema/NNN_*.sql.
SCHEMA_VERSION = 5

_LOCK_RETRY_SECONDS = 5.0


class SchemaError(RuntimeError):
    """The database file cannot be used by this version of cxdash."""


class DatabaseBusy(RuntimeError):
    """The database file stayed locked by another process (an import is probably running)."""


def migrations() -> list[tuple[int, Path]]:
    """Schema migration files in the order they apply, as (version, path)."""
    files = sorted((SQL_DIR / "schema").glob("[0-9][0-9][0-9]_*.sql"))
    return [(int(p.name[:3]), p) for p in files]


def _is_lock_error(exc: Exception) -> bool:
    """Another connection holds the file: a writer in another process (a lock), or, inside this
    process, a connection opened with the other read/write mode while an import runs, or the moment
    one mode's last connection is closing as the other opens (DuckDB's "unique file handle conflict")."""
    text = str(exc).lower()
    return any(s in text for s in _LOCK_ERRORS)


_LOCK_ERRORS = ("lock", "conflicting", "being used by another", "different configuration", "file handle conflict")


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + _LOCK_RETRY_SECONDS
    delay = 0.02
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except (duckdb.IOException, duckdb.ConnectionException, duckdb.ResourceInUseException) as exc:
            if not _is_lock_error(exc) or time.monotonic() > deadline:
                if _is_lock_error(exc):
                    raise DatabaseBusy(
                        f"{path} is locked by another process; data is being refreshed, try again shortly"
                    ) from exc
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """Schema version recorded in an open database, or None for a file without cxdash tables."""
    has_meta = scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'")
    if not has_meta:
        return None
    value = scalar(con, "SELECT value FROM meta WHERE key = 'schema_version'")
    return int(value) if value is not None else None


def ensure_schema(path: Path | None = None) -> Path:
    """Create the database at `path` or migrate it to SCHEMA_VERSION; return the path."""
    path = Path(path or config.db_path())
    if path.exists():  # the common case: already current; check without taking the write lock
        state = _file_state(path)
        if state is not None and _SCHEMA_CHECKED.get(path) == state:
            return path
        with reader(path) as con:
            current = schema_version(con) == SCHEMA_VERSION
        if current:
            if state is not None:
                _SCHEMA_CHECKED[path] = state
            return path
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(path, read_only=False)
    try:
        version = schema_version(con)
        if version is None:
            tables = scalar(con, "SELECT count(*) FROM information_schema.tables")
            if tables:
                raise SchemaError(
                    f"{path} holds tables but no cxdash schema version; it is not a cxdash database. "
                    "Point CXDASH_DB at another file, or move this one away."
                )
            version = 0
        if version > SCHEMA_VERSION:
            raise SchemaError(
                f"{path} has schema version {version} but this cxdash understands up to "
                f"{SCHEMA_VERSION}; upgrade cxdash (git pull; make run) to open it."
            )
        for number, file in migrations():
            if number <= version:
                continue
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(inline(file.read_text(encoding="utf-8")))
                con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(number)])
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
    finally:
        con.close()
    return path


@contextmanager
def reader(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection, retried briefly while a writer holds the file (inside a
    `session` on the same file in this thread: that session's connection)."""
    path = Path(path or config.db_path())
    shared = getattr(_SESSION, "open", {}).get(path)
    if shared is not None:
        yield shared
        return
    if not path.exists():
        raise FileNotFoundError(f"no database at {path}; build the demo with `python -m cxdash demo`")
    con = _connect(path, read_only=True)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def session(path: Path | None = None) -> Iterator[None]:
    """Run every read of `path` in this thread on one read-only connection until the block ends.

    For one computation of many queries (a page's figures): one connection instead of one per query,
    and a query asked again with the same parameters is answered from the first time (`query`).
    Keep the block short: while it is open, another process cannot start writing the file.
    Nested sessions on the same file share the outer one's connection.
    """
    path = Path(path or config.db_path())
    opened = getattr(_SESSION, "open", None)
    if opened is None:
        opened = _SESSION.open = {}
    if path in opened or not path.exists():
        yield
        return
    con = _connect(path, read_only=True)
    opened[path] = con
    results = _SESSION.__dict__.setdefault("results", {})
    results[path] = {}
    try:
        yield
    finally:
        del opened[path]
        del results[path]
        con.close()


_SESSION = threading.local()


def query(
    name_or_sql: str, params: Sequence[Any] | dict[str, Any] | None = None, path: Path | None = None
) -> pd.DataFrame:
    """Run a named query from cxdash/sql/ (or literal SQL) read-only and return a DataFrame."""
    text = name_or_sql if " " in name_or_sql.strip() else sql(name_or_sql)
    path = Path(path or config.db_path())
    memo = getattr(_SESSION, "results", {}).get(path)
    key = (text, repr(params))
    if memo is not None and key in memo:  # the same query twice in one session: the answer is the same
        return memo[key].copy()
    with reader(path) as con:
        frame = con.execute(text, params or []).df()
    if memo is not None:
        memo[key] = frame.copy()
    return frame


@contextmanager
def writer(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """One write transaction: commits and bumps the data version on success, rolls back on error.

    Writers in one process take turns (two transactions would both bump the data version and one would
    fail with a write conflict); writers in other processes are waited for by the file lock.
    """
    path = ensure_schema(path)
    with _WRITERS:
        con = _connect(path, read_only=False)
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
                con.execute(
                    "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'data_version'"
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.close()


_WRITERS = threading.RLock()


def data_version(path: Path | None = None) -> str:
    """A token that changes whenever data is written: use it to key caches.

    Read from the file's meta table, and remembered while the file and its write-ahead log are
    unchanged on disk (see _file_state), so a rerun with nothing new opens no connection for it.
    """
    path = Path(path or config.db_path())
    state = _file_state(path)
    known = _VERSIONS.get(path)
    if state is not None and known is not None and known[0] == state:
        return known[1]
    with reader(path) as con:
        value = scalar(con, "SELECT value FROM meta WHERE key = 'data_version'")
    version = f"{path}:{value or 0}"
    if state is not None:
        _VERSIONS[path] = (state, version)
    return version


#: Seconds after its last change during which a file's state is not trusted: file times move in
#: coarse steps (a few milliseconds), so two writes close together could leave the same time.
_SETTLE_SECONDS = 2.0
_VERSIONS: dict[Path, tuple[tuple, str]] = {}
_SCHEMA_CHECKED: dict[Path, tuple] = {}


def _file_state(path: Path) -> tuple | None:
    """Identity, size and change time of the file and its write-ahead log: every committed write changes
    it. None when the file is missing or changed within the last _SETTLE_SECONDS (then: read again)."""
    state = []
    for file in (path, Path(f"{path}.wal")):
        try:
            st = os.stat(file)
        except FileNotFoundError:
            state.append(None)
            continue
        except OSError:
            return None
        if time.time() - max(st.st_mtime, st.st_ctime) < _SETTLE_SECONDS:
            return None
        state.append((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return None if state[0] is None else tuple(state)


def scalar(con: duckdb.DuckDBPyConnection, text: str, params: Sequence[Any] | None = None) -> Any:
    """First value of a query's first row, draining the result so the connection is free again.

    (DuckDB 2.x streams results: a `fetchone()` leaves the connection busy until drained.)
    """
    rows = con.execute(text, params or []).fetchall()
    return rows[0][0] if rows else None

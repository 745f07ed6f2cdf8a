"""The DuckDB file: schema creation and migration, short-lived connections, one place for writes.

DuckDB allows one writer or many readers across processes, and a connection is not safe to
share across threads, so nothing here keeps a connection open between uses: every read gets a
read-only cursor, closed when it is done (the file attached to one in-memory instance per process
meanwhile, see "Connections" below), every write is one transaction on its own connection.

Opening a connection still costs something, so two things avoid doing it needlessly: `session()` lets
one computation (say, everything the Overview's figures need) run all its reads on one cursor in its
own thread, opened at its first read and closed when it ends, and answers a query or computation
(`remember`) asked twice from the first time (a page's rerun is one such scope, without holding a
connection); and the data version and schema check are remembered for as long as the file (and its
write-ahead log) is unchanged on disk, so a rerun that finds nothing new opens no connection for them.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from cxdash import config, frames  # noqa: F401 (frames: how pandas holds text, set before any frame is made)
from cxdash.queries import SQL_DIR, inline, sql

#: Schema version this code writes; migrations live in cxdash/sql/schema/NNN_*.sql.
SCHEMA_VERSION = 6

_LOCK_RETRY_SECONDS = 5.0

T = TypeVar("T")


class SchemaError(RuntimeError):
    """The database file cannot be used by this version of cxdash."""


class DatabaseBusy(RuntimeError):
    """The database file stayed locked by another process (an import is probably running)."""


def migrations() -> list[tuple[int, Path]]:
    """Schema migration files in the order they apply, as (version, path)."""
    files = sorted((SQL_DIR / "schema").glob("[0-9][0-9][0-9]_*.sql"))
    return [(int(p.name[:3]), p) for p in files]


def _is_lock_error(exc: Exception) -> bool:
    """Another connection holds the file: a writer or reader in another process (a lock). Reads and writes
    made here take turns within this process ("Connections" below); DuckDB's in-process messages ("different
    configuration", "unique file handle conflict") are still recognised for connections opened elsewhere."""
    text = str(exc).lower()
    return any(s in text for s in _LOCK_ERRORS)


_LOCK_ERRORS = ("lock", "conflicting", "being used by another", "different configuration", "file handle conflict")


def _retrying(path: Path, open_: Callable[[], T]) -> T:
    """open_(), tried again with growing pauses while another process holds the file's lock."""
    deadline = time.monotonic() + _LOCK_RETRY_SECONDS
    delay = 0.02
    while True:
        try:
            return open_()
        except (duckdb.IOException, duckdb.ConnectionException, duckdb.ResourceInUseException) as exc:
            if not _is_lock_error(exc) or time.monotonic() > deadline:
                if _is_lock_error(exc):
                    raise DatabaseBusy(
                        f"{path} is locked by another process; data is being refreshed, try again shortly"
                    ) from exc
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


# --- Connections ---------------------------------------------------------------------------------
#
# Starting a DuckDB instance costs about 13 ms whatever the file; attaching a file to a running one about
# 2 ms. So reads go through one in-memory instance per process: a file is attached to it read-only while
# at least one read of it is open in this process (each read gets its own cursor, as DuckDB asks for one
# per thread) and detached when the last ends, so between reads this process holds no lock on the file.
# A write opens the file in its own instance; within this process it waits until no read of that file is
# open, and new reads wait while a write is open or waiting (DuckDB must not see the file from two
# instances at once; across processes the file lock keeps them apart), except in a thread that already
# has a read of the file open: it goes on, so that it can finish and let the writer in.

_COORDINATION = threading.Condition()
_READS: dict[Path, int] = {}  # open reads per file in this process
_WRITES: dict[Path, int] = {}  # writes open or waiting per file in this process
_INSTANCE: list[duckdb.DuckDBPyConnection] = []  # the in-memory instance reads attach files to
_THREAD_READS = threading.local()  # .open: {path: open reads in this thread}


def _alias(path: Path) -> str:
    return "cx_" + hashlib.sha1(str(path).encode()).hexdigest()[:16]


def _my_reads() -> dict[Path, int]:
    """Open reads per file in this thread."""
    return _THREAD_READS.__dict__.setdefault("open", {})


def _wait(ready: Callable[[], bool], path: Path, deadline: float) -> None:
    """Wait (holding _COORDINATION) until ready(), or raise DatabaseBusy at the deadline."""
    while not ready():
        left = deadline - time.monotonic()
        if left <= 0:
            raise DatabaseBusy(f"{path} is busy in this process; data is being refreshed, try again shortly")
        _COORDINATION.wait(left)


def _open_read(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only cursor on `path` (close it with _close_read)."""
    path = path.resolve()
    deadline = time.monotonic() + _LOCK_RETRY_SECONDS
    mine = _my_reads()

    def attach() -> duckdb.DuckDBPyConnection:
        with _COORDINATION:
            if not mine.get(path):
                _wait(lambda: not _WRITES.get(path), path, deadline)
            if not _INSTANCE:
                _INSTANCE.append(duckdb.connect(":memory:"))
            base = _INSTANCE[0]
            if not _READS.get(path):
                location = str(path).replace("'", "''")
                base.execute(f"ATTACH '{location}' AS {_alias(path)} (READ_ONLY)")
            _READS[path] = _READS.get(path, 0) + 1
            mine[path] = mine.get(path, 0) + 1
            cursor = base.cursor()
        try:
            cursor.execute(f"USE {_alias(path)}")
        except BaseException:
            _close_read(path, cursor)
            raise
        return cursor

    return _retrying(path, attach)


def _close_read(path: Path, cursor: duckdb.DuckDBPyConnection) -> None:
    path = path.resolve()
    cursor.close()
    _my_reads()[path] -= 1
    with _COORDINATION:
        _READS[path] -= 1
        if not _READS[path]:
            del _READS[path]
            _INSTANCE[0].execute(f"DETACH {_alias(path)}")
            _COORDINATION.notify_all()


@contextmanager
def _write_connection(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to `path` in its own instance, once no read of it is open in this process."""
    path = path.resolve()
    deadline = time.monotonic() + _LOCK_RETRY_SECONDS
    with _COORDINATION:
        _WRITES[path] = _WRITES.get(path, 0) + 1  # from now on, new reads in this process wait
        try:
            _wait(lambda: not _READS.get(path), path, deadline)
        except DatabaseBusy:
            _done_writing(path)
            raise
    try:
        con = _retrying(path, lambda: duckdb.connect(str(path), read_only=False))
    except BaseException:
        with _COORDINATION:
            _done_writing(path)
        raise
    try:
        yield con
    finally:
        con.close()
        with _COORDINATION:
            _done_writing(path)


def _done_writing(path: Path) -> None:
    _WRITES[path] -= 1
    if not _WRITES[path]:
        del _WRITES[path]
    _COORDINATION.notify_all()


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """Schema version recorded in an open database, or None for a file without cxdash tables."""
    has_meta = scalar(
        con,
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta' "
        "AND table_catalog = current_database()",
    )
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
    _end_reads(path)
    with _write_connection(path) as con:
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
    return path


@contextmanager
def reader(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection, retried briefly while a writer holds the file (inside a
    `session` on the same file in this thread that holds one: that connection, opened now if not yet)."""
    path = Path(path or config.db_path())
    opened = getattr(_SESSION, "open", {})
    held = opened.get(path, _MEMO_ONLY)
    if (held is None or held is _MEMO_ONLY) and not path.exists():  # about to open a cursor on nothing
        raise FileNotFoundError(f"no database at {path}; build the demo with `python -m cxdash demo`")
    if held is not _MEMO_ONLY:
        if held is None:
            held = opened[path] = _open_read(path)
        yield held
        return
    con = _open_read(path)
    try:
        yield con
    finally:
        _close_read(path, con)


@contextmanager
def session(path: Path | None = None, hold: bool = True) -> Iterator[None]:
    """Answer a query or computation asked again in this thread with the same parameters from the first
    time (`query`, `remember`) until the block ends, and (hold=True) run its reads of `path` on one
    read-only connection, opened at the first read (a block that reads nothing opens none).

    hold=True suits one computation of many queries (the figures of a page): keep it short, since while
    its connection is open no process can start writing the file, nor another thread of this one. A write
    in this thread (`writer`) closes it first and forgets the answers; later reads open a new one.
    hold=False suits a page's whole rerun: the answers are shared by every computation in it, but only
    the hold=True blocks inside it keep a connection, each until it ends, so no connection is held while
    the page waits (say, for other people's answers to be saved).
    """
    path = Path(path or config.db_path())
    opened = _SESSION.__dict__.setdefault("open", {})
    results = _SESSION.__dict__.setdefault("results", {})
    if path in opened:  # inside another session on this file: share its answers
        if not (hold and opened[path] is _MEMO_ONLY):
            yield
            return
        opened[path] = None  # this block holds a connection, until it ends
        try:
            yield
        finally:
            if path in opened:
                _close_held(path, opened[path])
                opened[path] = _MEMO_ONLY
        return
    opened[path] = None if hold else _MEMO_ONLY
    results[path] = {}
    try:
        yield
    finally:
        _close_held(path, opened.pop(path, None))
        results.pop(path, None)


#: In `_SESSION.open`: a session that remembers answers but holds no connection.
_MEMO_ONLY = object()


def _close_held(path: Path, held: Any) -> None:
    """Close a session's cursor, if it has one open (None: not opened yet; _MEMO_ONLY: holds none)."""
    if held is not None and held is not _MEMO_ONLY:
        _close_read(path, held)


def _end_reads(path: Path) -> None:
    """Before this thread writes `path`: close its session's read-only connection (DuckDB refuses a
    writer beside it) and forget the session's answers, which the write may change."""
    opened = getattr(_SESSION, "open", {})
    if path not in opened:
        return
    _SESSION.results[path] = {}
    if opened[path] is not _MEMO_ONLY:
        _close_held(path, opened[path])
        opened[path] = None


def remember(key: tuple, compute: Callable[[], T], path: Path | None = None) -> T:
    """compute(), answered from the first time when asked again with the same key inside one `session` on
    `path` (every call outside a session computes). The answer is shared: callers must not change it."""
    memo = getattr(_SESSION, "results", {}).get(Path(path or config.db_path()))
    if memo is None:
        return compute()
    key = ("remember", *key)
    if key not in memo:
        memo[key] = compute()
    return memo[key]


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
    _end_reads(path)
    with _WRITERS, _write_connection(path) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
            con.execute("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'data_version'")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


_WRITERS = threading.RLock()


def per_version(maxsize: int, per_view: bool = False) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """functools.lru_cache for a function whose arguments include a data version (`data_version`): its answers
    stay in the process until an import changes the version. `per_view`: its arguments also include what a page
    shows (the filters), so it holds one answer per view, not one for every view. `forget_versions` empties them."""

    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        _PER_VERSION.append((cached, per_view))
        return cached

    return wrap


def forget_versions(per_view_only: bool = False) -> None:
    """Empty every `per_version` cache (or only the per-view ones): the next reads compute them again."""
    for cached, per_view in _PER_VERSION:
        if per_view or not per_view_only:
            cached.cache_clear()


_PER_VERSION: list[tuple[Any, bool]] = []


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

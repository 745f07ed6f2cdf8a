"""An import killed with SIGKILL at any moment leaves the database all or nothing, and it opens again."""

from __future__ import annotations

import csv
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from cxdash import contents, db
from tests.conftest import ROOT

FINGERPRINT = """
    SELECT (SELECT count(*) FROM feedback_distributions), (SELECT sum(responses) FROM feedback_distributions),
           (SELECT count(*) FROM comments), (SELECT count(*) FROM imports)"""


def fingerprint(path: Path) -> tuple:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(FINGERPRINT).fetchall()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def big_file(demo_db, tmp_path_factory) -> Path:
    """200,000 response-level rows for the demo's organisations and services."""
    services = db.query("SELECT service_id, org_id FROM services ORDER BY service_id", path=demo_db)
    rng = random.Random(7)
    path = tmp_path_factory.mktemp("crash") / "responses.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "response_id",
                "date",
                "org_id",
                "service_id",
                "channel",
                "stage",
                "satisfaction",
                "ease",
                "effectiveness",
                "emotion",
                "trust",
                "recommend",
                "comment",
            ]
        )
        for i in range(200_000):
            service, org = services.iloc[rng.randrange(len(services))]
            out.writerow(
                [
                    f"K{i}",
                    f"2026-11-{rng.randint(1, 28):02d}",
                    org,
                    service,
                    rng.choice(["web", "phone"]),
                    rng.choice(["apply", "wait"]),
                    *(rng.randint(1, 5) for _ in range(5)),
                    rng.randint(0, 10),
                    "slow" if i % 50 == 0 else "",
                ]
            )
    return path


@pytest.fixture(scope="module")
def outcomes(demo_db, big_file, tmp_path_factory) -> tuple[tuple, tuple]:
    """(fingerprint before, fingerprint after a complete import)."""
    full = tmp_path_factory.mktemp("full") / "full.duckdb"
    shutil.copy(demo_db, full)
    before = fingerprint(full)
    subprocess.run(
        [sys.executable, "-m", "cxdash", "import", str(big_file), "--db", str(full)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return before, fingerprint(full)


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [0.5, 1.5, 2.5, 3.5, 5.0])
def test_sigkill_during_import_is_all_or_nothing(demo_db, big_file, outcomes, tmp_path, kill_after):
    path = tmp_path / "victim.duckdb"
    shutil.copy(demo_db, path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxdash", "import", str(big_file), "--db", str(path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before, after = outcomes
    assert fingerprint(path) in (before, after), "a killed import must leave all or nothing"
    summary = contents.summarise(path)  # the next start opens it, and it is consistent
    assert summary.consistent


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2])
def test_sigkill_while_the_write_is_in_progress(demo_db, big_file, outcomes, tmp_path, delay):
    """Kill as soon as the write-ahead log appears (the transaction is writing), then a little later."""
    path = tmp_path / "victim.duckdb"
    shutil.copy(demo_db, path)
    wal = Path(f"{path}.wal")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxdash", "import", str(big_file), "--db", str(path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not wal.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    assert proc.poll() is None, "the import finished before its write could be interrupted"
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before, after = outcomes
    assert fingerprint(path) in (before, after)
    assert contents.summarise(path).consistent

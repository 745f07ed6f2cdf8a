"""Helpers for tests in a real browser: a `streamlit run` server and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cxdash import config
from cxdash.bench import stop
from tests.conftest import ROOT

CHROMIUM = str(config.CHROMIUM)
CHROMIUM_ARGS = config.CHROMIUM_ARGS
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody is listening on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(
    db_path: Path, extra_env: dict[str, str] | None = None, args: list[str] | None = None
) -> Iterator[str]:
    """Run the app as `make run` does (`python -m cxdash serve`: `streamlit run app.py` warmed up) on db_path (with
    extra command-line `args` for Streamlit, such as ["--secrets.files", path]); yield its base URL; stop it
    afterwards."""
    port = free_port()
    env = {**os.environ, "CXDASH_DB": str(db_path), **(extra_env or {})}
    log = tempfile.NamedTemporaryFile("w+", prefix="streamlit-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cxdash",
            "serve",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            *(args or []),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,  # a file, not a pipe nobody reads: a full pipe would block the server mid-run
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.read().decode() == "ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start:\n{Path(log.name).read_text()}")
            time.sleep(0.3)
        yield base
    finally:
        stop(proc)
        log.close()
        Path(log.name).unlink(missing_ok=True)


def wait_until_idle(page, timeout_ms: int = 30_000) -> None:
    """Wait until the app is connected, its script has finished running, and the page has settled.

    Uses the state Streamlit's frontend publishes on the app root (as Streamlit's own browser tests do),
    so a slow machine waits longer instead of reading a half-drawn page.
    """
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=timeout_ms)  # every page has a title
    page.wait_for_timeout(300)  # a click's rerun may not have started yet
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)
    page.wait_for_timeout(500)

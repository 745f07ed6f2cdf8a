"""Settings: where the data lives and the publication rules, read from the environment."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Where Debian installs Chromium, which draws the board pack's charts and runs the browser tests and benchmark.
CHROMIUM = Path("/usr/bin/chromium")
#: Chromium's switches for headless use here: no sandbox (containers), no GPU, and nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: Fewer responses than this and a feedback result is not shown (CXDASH_MIN_N overrides).
DEFAULT_MIN_N = 10


def db_path() -> Path:
    """Path of the DuckDB file the app and CLI use (CXDASH_DB, else data/cxdash.duckdb)."""
    return Path(os.environ.get("CXDASH_DB", ROOT / "data" / "cxdash.duckdb"))


def frameworks_dir() -> Path:
    """Folder holding one sub-folder per maturity framework (CXDASH_FRAMEWORKS overrides)."""
    return Path(os.environ.get("CXDASH_FRAMEWORKS", ROOT / "data" / "frameworks"))


def min_n() -> int:
    """Smallest number of responses a published feedback figure may rest on."""
    value = os.environ.get("CXDASH_MIN_N")
    return int(value) if value else DEFAULT_MIN_N

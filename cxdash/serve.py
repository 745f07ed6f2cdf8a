"""`python -m cxdash serve [streamlit options]`: the app (`streamlit run app.py`), warmed while the first browser loads.

A new process's first page pays for importing pandas and the app's modules and for loading what every page shares
and keeps per data version: every organisation's pillar and round scores and the comment theme model. Here a thread
does that work as soon as the server answers its health check, while the first browser is still loading Streamlit's
own scripts (about 0.7 s), so the first page finds it done (docs/performance.md has the cold-start figures). Started
before the server answers, the same work slowed the server's own start about as much as it saved (one interpreter
lock). `make run` starts the app this way; `streamlit run app.py` still works, without the warm-up.
"""

from __future__ import annotations

import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(streamlit_args: Sequence[str]) -> int:
    """Serve app.py with Streamlit's own command line (options such as --server.port pass through)."""
    from streamlit.web import cli

    threading.Thread(target=_warm_when_up, name="cxdash-warm-up", daemon=True).start()
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *streamlit_args]
    return cli.main()  # exits the process when the server stops


def _warm_when_up(timeout_s: float = 60.0) -> None:
    from streamlit import config as st_config
    from streamlit.runtime import Runtime

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not Runtime.exists():  # the command line not read yet: asking for the port now would read the config early
            time.sleep(0.02)
            continue
        port = st_config.get_option("server.port")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as response:
                if response.read() == b"ok":
                    break
        except OSError:
            time.sleep(0.02)
    try:
        print(f"cxdash: warmed up in {warm():.2f} s", flush=True)
    except Exception as exc:  # a missing or busy database: the pages say so themselves
        print(f"cxdash: no warm-up ({type(exc).__name__}: {exc})", flush=True)


def warm() -> float:
    """Import what the pages use and load the per-data-version caches of the configured database; seconds taken."""
    start = time.perf_counter()
    from cxdash import config, db, maturity, overview, presentation, reference, sidebar, ui  # noqa: F401
    from cxdash.insight import priorities, themes  # noqa: F401

    path = config.db_path()
    if path.exists():
        db.ensure_schema(path)
        for framework_id in reference.frameworks(path)["framework_id"]:
            maturity.round_scores(framework_id, path)
        themes.model(path)
    return time.perf_counter() - start

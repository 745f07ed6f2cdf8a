"""Shared fixtures: a small seeded demo database built once per session, and fresh empty ones."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cxdash import charts, db, frameworks

# Every figure built in the tests, here or in an app they start, is checked against Plotly's schema (the app takes
# its figures' dicts as they are, for speed).
os.environ[charts.VALIDATE] = "1"

ROOT = Path(__file__).resolve().parent.parent
REAL_DATA = ROOT.parent / "shared" / "data" / "real"
A11_FILE = REAL_DATA / "us_a11_hisp_quarterly_2021q1-2023q1.csv"
TEMPLATE_EXAMPLES = ROOT / "docs" / "templates"


def open_app(
    monkeypatch: pytest.MonkeyPatch,
    path: Path,
    page: str | None = None,
    *,
    query: dict[str, str] | None = None,
    secrets: dict | None = None,
    user: dict | None = None,
) -> AppTest:
    """app.py on the database at `path` through Streamlit's AppTest, after a first run without an exception:
    on `page` (e.g. "pages/data.py"), with URL `query` parameters, `secrets` and a signed-in `user` if given."""
    monkeypatch.setenv("CXDASH_DB", str(path))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets.update(secrets or {})
    if user is not None:
        at.user = user
    if page:
        at.switch_page(page)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: equal snapshots mean equal database content."""
    with db.reader(path) as con:
        tables = [
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY table_name").fetchall()
        ]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo database (same generator as the real demo, fewer respondents)."""
    from cxdash import demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build(path, responses=60_000, orgs=20, seed=42)
    return path


@pytest.fixture(scope="session")
def _empty_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    db.ensure_schema(path)
    frameworks.sync(path)
    return path


@pytest.fixture(scope="session")
def _example_db_file(tmp_path_factory: pytest.TempPathFactory, _empty_db_file: Path) -> Path:
    from cxdash.imports import import_file

    path = tmp_path_factory.mktemp("example") / "example.duckdb"
    shutil.copy(_empty_db_file, path)
    for kind in ("organisations", "services", "assessments", "responses", "distributions", "comments"):
        import_file(TEMPLATE_EXAMPLES / f"{kind}.csv", kind=kind, db_path=path)
    return path


@pytest.fixture
def empty_db(tmp_path: Path, _empty_db_file: Path) -> Path:
    """A fresh database (own copy) with the schema and the shipped frameworks, and nothing else."""
    return Path(shutil.copy(_empty_db_file, tmp_path / "empty.duckdb"))


@pytest.fixture
def example_db(tmp_path: Path, _example_db_file: Path) -> Path:
    """A database (own copy) holding the documented example files from docs/templates/, imported in order."""
    return Path(shutil.copy(_example_db_file, tmp_path / "example.duckdb"))


@pytest.fixture(scope="session")
def a11_db(tmp_path_factory: pytest.TempPathFactory, _empty_db_file: Path) -> Path:
    """The real A-11 file imported into a fresh database (providers as organisations, quarters)."""
    from cxdash.imports import import_file

    path = tmp_path_factory.mktemp("a11") / "a11.duckdb"
    shutil.copy(_empty_db_file, path)
    import_file(A11_FILE, db_path=path)
    return path


@pytest.fixture(autouse=True)
def served_navigation():
    """AppTest runs through app.py's navigation, as the served app does (see ui.apptest_as_served)."""
    from cxdash import ui

    with ui.apptest_as_served():
        yield

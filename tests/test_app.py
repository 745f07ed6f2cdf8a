"""The whole app through Streamlit's AppTest: every page renders on real databases, and the
shared filters carry from page to page."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, open_app

PAGES = [
    "pages/overview.py",
    "pages/maturity.py",
    "pages/peers.py",
    "pages/trends.py",
    "pages/journeys.py",
    "pages/insight.py",
    "pages/assess.py",
    "pages/facilitate.py",
    "pages/data.py",
]


def start(monkeypatch: pytest.MonkeyPatch, db_path: Path) -> AppTest:
    """Run app.py on db_path and return the AppTest after its first run."""
    return open_app(monkeypatch, db_path)


def test_every_page_is_in_the_navigation():
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    files = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
    assert files == sorted(PAGES)
    for page in PAGES:
        assert f'st.Page("{page}"' in app, page
        tested = any(page in t.read_text(encoding="utf-8") for t in (ROOT / "tests").glob("test_page_*.py"))
        assert tested, f"{page} is not driven by any tests/test_page_*.py"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("fixture", ["demo_db", "empty_db"])
def test_every_page_renders_without_error(monkeypatch, request, page, fixture):
    at = start(monkeypatch, request.getfixturevalue(fixture))
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_a11_database_renders_every_page(monkeypatch, a11_db):
    at = start(monkeypatch, a11_db)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)


def test_filters_persist_from_page_to_page(monkeypatch, demo_db):
    at = start(monkeypatch, demo_db)
    con = duckdb.connect(str(demo_db), read_only=True)
    chosen = con.execute("SELECT max(org_id) FROM organisations").fetchall()[0][0]
    con.close()
    at.selectbox(key="org").set_value(chosen).run()
    at.selectbox(key="peers").set_value("region").run()
    for page in PAGES:
        at.switch_page(page).run()
        assert at.selectbox(key="org").value == chosen, page
        assert at.selectbox(key="peers").value == "region", page


def test_missing_database_explains_how_to_build_it(monkeypatch, tmp_path):
    at = start(monkeypatch, tmp_path / "nothing.duckdb")
    assert any("make run" in i.value for i in at.info)


def test_a_figure_is_built_once_per_distinct_input_and_shared():
    import pandas as pd

    from cxdash import ui
    from cxdash.charts.overview import make_pillars_vs_peers

    pillars = pd.DataFrame({"name": ["Leadership", "Culture"], "score_100": [40.0, 55.0], "sort_order": [1, 2],
                            "peer_median": [50.0, 50.0]})  # fmt: skip
    ui.clear_figures()
    first = ui.figure(make_pillars_vs_peers, pillars, "Same sector", 12)
    assert ui.figure(make_pillars_vs_peers, pillars.copy(), "Same sector", 12) is first  # equal input: shared
    assert first.to_json() == make_pillars_vs_peers(pillars, "Same sector", 12).to_json()
    changed = pillars.assign(score_100=[41.0, 55.0])
    assert ui.figure(make_pillars_vs_peers, changed, "Same sector", 12) is not first  # new data: built again
    assert list(ui.figure(make_pillars_vs_peers, changed, "Same sector", 12).data[0].x) == [55.0, 41.0]

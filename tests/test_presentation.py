"""Presentation mode: ?present=1 or the sidebar switch turns it on for this session only; the five board
pages become numbered steps that keep the filters; Peers hides peer names; charts are drawn larger; and
in a real browser there is no Streamlit chrome and the text is projector-sized."""

from __future__ import annotations

import json
from urllib.parse import quote_plus

import duckdb
import plotly.graph_objects as go
import pytest
from playwright.sync_api import sync_playwright
from streamlit.testing.v1 import AppTest

from cxdash import presentation
from tests.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, streamlit_server, wait_until_idle
from tests.conftest import open_app
from tests.test_app import start


def sql(db_path, text: str, **params) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(text, params).fetchall()
    finally:
        con.close()


def assessed_org(db_path) -> tuple[str, str, str]:
    """(org_id, name, sector) of the last organisation (by id) with a maturity assessment."""
    return sql(
        db_path,
        "SELECT org_id, name, sector FROM organisations WHERE org_id IN (SELECT org_id FROM assessment_responses) "
        "ORDER BY org_id DESC LIMIT 1",
    )[0]


def step_text(at) -> str:
    return " ".join(m.value for m in at.markdown if "of 5" in m.value)


def chart_layout(at, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key)).proto.spec)["layout"]


def presenting_app(monkeypatch, db_path) -> AppTest:
    """app.py opened with ?present=1, as a prepared link would."""
    return open_app(monkeypatch, db_path, query={"present": "1"})


def test_the_url_turns_presentation_mode_on_with_step_controls(monkeypatch, demo_db):
    at = presenting_app(monkeypatch, demo_db)
    assert at.session_state["presenting"] is True
    assert at.toggle(key="present").value is True  # the sidebar switch agrees with the URL
    assert "Step 1 of 5" in step_text(at)
    assert at.button(key="overview_present_previous").disabled
    assert not at.button(key="overview_present_next").disabled


def test_next_and_previous_step_through_the_pages_keeping_the_filters(monkeypatch, demo_db):
    org_id, name, _ = assessed_org(demo_db)
    periods = [r[0] for r in sql(demo_db, "SELECT DISTINCT period_start FROM feedback_distributions ORDER BY 1")]
    window = (periods[-6], periods[-4])
    at = presenting_app(monkeypatch, demo_db)
    at.selectbox(key="org").set_value(org_id).run()
    at.selectbox(key="peers").set_value("region").run()
    at.select_slider(key="period").set_value(window).run()
    assert at.title[0].value == name
    for number, title in enumerate(["Maturity", "Peers", "Trends", "Feedback and journeys"], start=2):
        page = presentation.STEPS[number - 2].name
        at.button(key=f"{page}_present_next").click().run()
        assert not at.exception, at.exception
        assert at.title[0].value == title
        assert f"Step {number} of 5" in step_text(at)
        assert at.selectbox(key="org").value == org_id
        assert at.selectbox(key="peers").value == "region"
        assert tuple(at.select_slider(key="period").value) == window
        assert at.session_state["presenting"] is True
    assert at.button(key="journeys_present_next").disabled  # the last step
    at.button(key="journeys_present_previous").click().run()
    assert at.title[0].value == "Trends" and "Step 4 of 5" in step_text(at)


def test_peers_are_anonymised_by_default_when_presenting(monkeypatch, demo_db):
    org_id, name, sector = assessed_org(demo_db)
    others = [r[0] for r in sql(demo_db, "SELECT name FROM organisations WHERE sector = $s AND org_id <> $o",
                                s=sector, o=org_id)]  # fmt: skip
    at = presenting_app(monkeypatch, demo_db)
    at.selectbox(key="org").set_value(org_id).run()
    at.button(key="overview_present_next").click().run()
    at.button(key="maturity_present_next").click().run()
    assert at.title[0].value == "Peers" and at.toggle(key="peers_anonymise").value is True
    shown = " ".join(str(v) for d in at.dataframe for v in d.value.to_numpy().ravel())
    shown += " ".join(c.proto.spec for c in at.get("plotly_chart"))
    assert name in shown
    assert others and not [o for o in others if o in shown]


def test_charts_are_drawn_larger_only_while_presenting(monkeypatch, demo_db):
    normal = open_app(monkeypatch, demo_db, "pages/maturity.py")
    at = presenting_app(monkeypatch, demo_db)
    at.button(key="overview_present_next").click().run()  # step 2: the Maturity page
    plain, big = chart_layout(normal, "maturity_pillars"), chart_layout(at, "maturity_pillars")
    assert big["height"] >= plain["height"] * presentation.ZOOM - 1
    assert big["font"]["size"] == pytest.approx(plain["font"]["size"] * presentation.ZOOM)
    normal.run()  # a session that is not presenting still draws normal charts after one that is
    assert chart_layout(normal, "maturity_pillars")["height"] == plain["height"]


def test_the_overview_pillar_chart_is_plotly_and_enlarged_only_while_presenting(monkeypatch, demo_db):
    normal = start(monkeypatch, demo_db)  # in HTML, drawn at once (charts.overview.pillars_vs_peers_html)
    assert not normal.get("plotly_chart") and any('role="img"' in m.value for m in normal.markdown)
    big = chart_layout(presenting_app(monkeypatch, demo_db), "overview_pillars")
    assert big["font"]["size"] == pytest.approx(16 * presentation.ZOOM)  # the house font size, enlarged


def test_normal_mode_is_unaffected(monkeypatch, demo_db):
    at = start(monkeypatch, demo_db)
    assert at.session_state["presenting"] is False
    assert at.toggle(key="present").value is False
    assert not step_text(at)
    assert not [b for b in at.button if "present" in (b.key or "")]


def test_the_switch_and_the_leave_button(monkeypatch, demo_db):
    at = start(monkeypatch, demo_db)
    at.toggle(key="present").set_value(True).run()
    assert at.session_state["presenting"] is True and "Step 1 of 5" in step_text(at)
    at.button(key="overview_present_leave").click().run()
    assert not at.exception, at.exception
    assert at.session_state["presenting"] is False and at.toggle(key="present").value is False
    assert not step_text(at)


def test_scale_grows_pixel_sizes_but_not_data_or_the_original():
    fig = go.Figure(
        [
            go.Bar(x=[1, 2], y=[3, 4], width=86_400_000, textfont={"size": 18}, marker={"line": {"width": 2}}),
            go.Scatter(x=[1], y=[2], marker={"size": 10}, line={"width": 3}),
        ]
    )
    fig.update_layout(height=400, font={"size": 16}, margin={"t": 60, "l": 10}, title="Short")
    fig.add_annotation(text="note", font={"size": 14})
    big = presentation.scale(fig, 1.5)
    assert big.layout.height == 600 and big.layout.font.size == 24
    assert big.layout.margin.t == 90 and big.layout.margin.l == 15
    assert big.data[0].textfont.size == 27 and big.data[0].marker.line.width == 3
    assert big.data[0].width == 86_400_000  # a bar's width is in data units (here a day in ms)
    assert big.data[1].marker.size == 15 and big.data[1].line.width == 4.5
    assert big.layout.annotations[0].font.size == 21
    assert fig.layout.height == 400 and fig.data[1].marker.size == 10  # the page's figure is untouched
    long = presentation.scale(go.Figure(layout={"title": "word " * 30, "height": 300, "margin": {"t": 40}}), 1.5)
    assert long.layout.title.text.count("<br>") == 2  # 150 characters in three even lines
    assert long.layout.margin.t >= 3 * 18 * 1.3 and long.layout.height > 450  # room for them above the plot
    assert big.layout.xaxis.tickfont.size == 21 and big.layout.legend.font.size == 21  # as large as body text


# --- in a real browser ----------------------------------------------------------------------------------------

SETTLED = """() => !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
    && !document.querySelector('[data-stale="true"]')"""


def settle(page, step: int) -> None:
    """Wait for a presentation page to finish (the status widget is hidden, so wait_until_idle cannot tell)."""
    page.get_by_text(f"Step {step} of 5").wait_for(timeout=30_000)
    page.wait_for_function(SETTLED, timeout=30_000)
    page.wait_for_timeout(1_000)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.slow
def test_a_prepared_link_presents_without_chrome(browser, demo_db):
    _, name, _ = assessed_org(demo_db)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(demo_db) as base:
        page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        page.goto(f"{base}/?present=1&org={quote_plus(name)}")
        settle(page, 1)
        assert page.locator("h1").first.inner_text() == name
        for chrome in ("stSidebar", "stHeader", "stToolbar", "stSidebarNav", "stMainMenu"):
            assert not page.locator(f"[data-testid='{chrome}']").first.is_visible(), chrome
        text = page.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer'] p")  # incl. captions
        sizes = text.evaluate_all("ps => ps.map(p => parseFloat(getComputedStyle(p).fontSize))")
        assert len(sizes) > 5 and min(sizes) >= 20, sizes  # readable from the back of a room
        page.screenshot(path=str(SCREENSHOTS / "present-overview.png"))

        page.get_by_role("button", name="Next").click()
        settle(page, 2)
        assert page.locator("h1").first.inner_text() == "Maturity"
        assert "/maturity" in page.url and f"org={quote_plus(name)}" in page.url and "present=true" in page.url
        page.screenshot(path=str(SCREENSHOTS / "present-maturity.png"))
        page.keyboard.press("ArrowRight")
        settle(page, 3)
        assert page.locator("h1").first.inner_text() == "Peers"
        page.screenshot(path=str(SCREENSHOTS / "present-peers.png"))

        page.get_by_role("button", name="Leave presentation mode").click()
        page.locator("[data-testid='stSidebar']").wait_for(state="visible", timeout=30_000)
        wait_until_idle(page)
        assert "present" not in page.url and f"org={quote_plus(name)}" in page.url
        page.context.close()

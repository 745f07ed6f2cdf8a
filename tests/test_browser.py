"""In Debian's Chromium against a real `streamlit run`: every page loads without an error, filters
update what is shown and travel in the URL, and a copied URL reproduces the view. A screenshot of
every page is saved under artifacts/screenshots/ for review."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, streamlit_server, wait_until_idle

PAGES = ["", "maturity", "peers", "trends", "journeys", "data"]  # the Overview is the default page, at /


@pytest.fixture(scope="module")
def base_url(demo_db):
    with streamlit_server(demo_db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    yield context.new_page()
    context.close()


def sidebar_value(page, label: str) -> str:
    """The shown value of the sidebar selectbox labelled `label`."""
    return page.get_by_role("combobox", name=label).input_value()


def open_options(page, label: str):
    """Open the sidebar selectbox labelled `label` and return its options."""
    page.get_by_role("combobox", name=label).click()
    return page.get_by_role("option")


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the sidebar selectbox labelled `label`, as a person would."""
    open_options(page, label)
    page.get_by_role("option", name=option, exact=True).click()
    wait_until_idle(page)


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_error(page, base_url, name):
    page.goto(f"{base_url}/{name}")
    wait_until_idle(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shown = page.locator("[data-testid='stMain']").inner_text()
    assert page.locator("[data-testid='stException']").count() == 0, shown
    sidebar = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']")
    if sidebar.count() < 2:  # keep what the browser saw, for the CI log and the artifacts
        page.screenshot(path=str(SCREENSHOTS / f"FAILED-{name or 'overview'}.png"), full_page=True)
    assert sidebar.count() >= 2, f"sidebar filters missing; the page shows:\n{shown}"
    assert page.locator("[data-testid='stDialog']").count() == 0, "no 'page not found' dialog"
    page.screenshot(path=str(SCREENSHOTS / f"{name or 'overview'}-1920x1080.png"), full_page=True)


def test_filter_change_updates_the_page_and_the_url(page, base_url):
    page.goto(f"{base_url}/")
    wait_until_idle(page)
    before = page.locator("h1").first.inner_text()
    choose(page, "Compare with", "Same region")
    page.wait_for_url("**peers=Same+region**", timeout=30_000)
    expect(page.locator("[data-testid='stCaptionContainer']").first).to_contain_text("same region", timeout=30_000)
    other = open_options(page, "Organisation").nth(3)
    other_name = other.inner_text().strip()
    other.click()
    expect(page.locator("h1").first).to_have_text(other_name, timeout=30_000)
    assert other_name != before
    page.wait_for_url("**org=**", timeout=30_000)


def test_a_copied_url_reproduces_the_view(browser, page, base_url):
    page.goto(f"{base_url}/")
    wait_until_idle(page)
    choose(page, "Compare with", "Same size band")
    open_options(page, "Organisation").nth(5).click()
    wait_until_idle(page)
    page.get_by_role("link", name="Peers").click()
    wait_until_idle(page)
    copied, heading = page.url, sidebar_value(page, "Organisation")
    assert "/peers" in copied

    fresh = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    fresh.goto(copied)
    wait_until_idle(fresh)
    assert sidebar_value(fresh, "Organisation") == heading
    assert sidebar_value(fresh, "Compare with") == "Same size band"
    assert fresh.locator("[data-testid='stException']").count() == 0
    fresh.context.close()


def test_a_fresh_servers_first_request_on_a_deep_link_runs_through_the_app(browser, demo_db):
    """With pages/ next to app.py, Streamlit runs a deep-linked page alone when it is a new server's first
    request; ui.through_app() routes it through app.py: grouped navigation, one set of filters, same page."""
    with streamlit_server(demo_db) as url:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{url}/peers?peers=Same+region")
        wait_until_idle(page)
        nav = page.locator("[data-testid='stSidebarNav']")
        expect(nav).to_contain_text("For the board")  # app.py's sections, not the legacy list of file names
        expect(nav).to_contain_text("Feedback and journeys")
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.get_by_role("combobox", name="Organisation").count() == 1
        assert sidebar_value(page, "Compare with") == "Same region"
        assert page.url.split("?")[0].endswith("/peers")
        page.close()


def test_board_pack_downloads_arrive_and_open(page, base_url, tmp_path):
    """Both board-pack formats download from the Overview and open: the PDF in poppler, the deck in python-pptx."""
    import subprocess

    from pptx import Presentation

    page.goto(f"{base_url}/")
    wait_until_idle(page)
    name = page.locator("h1").first.inner_text()
    with page.expect_download(timeout=180_000) as pdf:
        page.get_by_role("button", name="Download PDF").click()
    saved = tmp_path / pdf.value.suggested_filename
    pdf.value.save_as(saved)
    assert saved.suffix == ".pdf" and saved.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(saved), "-"], check=True, capture_output=True, text=True).stdout
    assert name in text and "What to fix first" in text
    with page.expect_download(timeout=180_000) as pptx:
        page.get_by_role("button", name="Download PowerPoint").click()
    deck = tmp_path / pptx.value.suggested_filename
    pptx.value.save_as(deck)
    assert deck.suffix == ".pptx" and Presentation(str(deck)).slides[0].shapes.title.text == name


def test_filtered_data_downloads_as_csv(page, base_url, tmp_path):
    """The Data page's feedback download arrives as a CSV of the filtered view, small groups without figures."""
    import pandas as pd

    page.goto(f"{base_url}/data")
    wait_until_idle(page)
    page.get_by_role("tab", name="Download data").click()
    with page.expect_download(timeout=60_000) as csv:
        page.get_by_role("button", name="Download feedback as CSV").click()
    saved = tmp_path / csv.value.suggested_filename
    csv.value.save_as(saved)
    table = pd.read_csv(saved)
    assert saved.suffix == ".csv" and len(table) > 0
    assert {"Measure", "Note"} <= set(table.columns), list(table.columns)

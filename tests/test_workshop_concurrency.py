"""A room submitting at once: 20 threads through the library, and 20 browser sessions through a real `streamlit run`
(8 submitting, 12 browsing) while an import runs, all land, each exactly once (rows per respondent = statements),
and a resubmitted form saves nothing twice."""

from __future__ import annotations

import asyncio
import shutil
import sys
import threading
import uuid
from datetime import date
from pathlib import Path

import duckdb
import pytest
from playwright.async_api import Page, async_playwright

from cxdash import workshop
from tests.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, streamlit_server

FRAMEWORK = "public_cx"
#: The page has finished running and shows no element left over from the previous run.
SETTLED = (
    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    " && !document.querySelector('[data-stale=\"true\"]')"
)
ROLE_LABELS = ["Board", "Executive team", "Manager", "Front line"]
ROLES = ["board", "executive", "manager", "frontline", "other"]


def rows(path: Path, text: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(text, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture
def room(tmp_path: Path, demo_db: Path) -> tuple[Path, dict, list[str]]:
    """A writable demo database with one open session, and the framework's statement ids."""
    path = Path(shutil.copy(demo_db, tmp_path / "demo.duckdb"))
    org = rows(path, "SELECT org_id FROM organisations ORDER BY name LIMIT 1")[0][0]
    session = workshop.open_session(FRAMEWORK, org, "Concurrency workshop", date(2026, 11, 20), path)
    ids = [r[0] for r in rows(path, "SELECT statement_id FROM statements WHERE framework_id = ?", [FRAMEWORK])]
    return path, session, ids


def counts_per_respondent(path: Path, session_id: str) -> list[int]:
    found = rows(
        path,
        "SELECT count(*) FROM assessment_responses WHERE session_id = ? GROUP BY respondent_id",
        [session_id],
    )
    return sorted(r[0] for r in found)


def test_twenty_threads_submitting_at_once_all_land_once(room):
    path, session, ids = room
    barrier = threading.Barrier(20)
    sent: dict[str, dict[str, int]] = {}
    errors: list[BaseException] = []

    def participant(i: int) -> None:
        submission_id, respondent_id = str(uuid.uuid4()), str(uuid.uuid4())
        scores = {sid: (k * (i + 1)) % 5 + 1 for k, sid in enumerate(ids)}
        sent[respondent_id] = scores
        barrier.wait()
        try:
            first = workshop.submit(
                session["session_id"], submission_id, respondent_id, ROLES[i % 5], scores, path=path
            )
            again = workshop.submit(
                session["session_id"], submission_id, respondent_id, ROLES[i % 5], scores, path=path
            )
            assert not first.duplicate and again.duplicate
        except BaseException as exc:  # collected: an assertion in a thread would otherwise be lost
            errors.append(exc)

    threads = [threading.Thread(target=participant, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert counts_per_respondent(path, session["session_id"]) == [len(ids)] * 20
    assert rows(path, "SELECT count(*) FROM workshop_submissions") == [(20,)]
    saved = rows(path, "SELECT respondent_id, statement_id, score FROM assessment_responses WHERE session_id = ?",
                 [session["session_id"]])  # fmt: skip
    assert {(r, s): v for r, s, v in saved} == {(r, s): v for r, scores in sent.items() for s, v in scores.items()}


async def settle(page: Page) -> None:
    """Wait until Streamlit has finished the run and replaced every element of the previous one."""
    for _ in range(2):
        await page.wait_for_function(SETTLED, timeout=240_000)
        await page.wait_for_timeout(200)


async def answer_as(page: Page, base: str, code: str, i: int, ready: asyncio.Barrier) -> None:
    """One participant on a phone: role, five pillar pages, then Submit together with everybody else."""
    main = page.locator("[data-testid='stMain']")
    await page.goto(f"{base}/assess?session={code}")
    await main.get_by_text("0 of 34 answered").wait_for()
    await settle(page)
    await main.locator("[data-testid='stRadioOption']", has_text=ROLE_LABELS[i % 4]).first.click()
    await main.get_by_role("button", name="Next →").click()
    for step in range(1, 6):
        await main.locator("h3", has_text=f"{step} of 5").wait_for()
        await settle(page)
        radios = main.locator("[data-testid='stRadio']")
        for k in range(await radios.count()):
            await radios.nth(k).locator("[data-testid='stRadioOption']").nth((k + i) % 5).click()
        if step < 5:
            await main.get_by_role("button", name="Next →").click()
    await ready.wait()  # everybody presses Submit at the same moment
    await main.get_by_role("button", name="Submit my answers").click()
    try:
        await main.get_by_text("your answers are saved").wait_for()
    except Exception as exc:  # keep what participant i saw, for the log and the artifacts
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / f"FAILED-assess-{i}.png"), full_page=True)
        raise AssertionError(f"participant {i} saw:\n{await main.inner_text()}") from exc
    assert await page.locator("[data-testid='stException']").count() == 0


#: Pages a board member clicks through while the room answers.
BROWSE = ["", "maturity", "peers", "trends", "journeys", "insight", "data"]


async def browse(page: Page, base: str, i: int, room_done: asyncio.Event) -> int:
    """One person clicking through the dashboard until the room has submitted (every page at least once);
    returns how many pages they saw. No page may show an error."""
    seen = 0
    while not room_done.is_set() or seen < len(BROWSE):
        name = BROWSE[(i + seen) % len(BROWSE)]
        await page.goto(f"{base}/{name}")
        await page.locator("[data-testid='stMain'] h1").first.wait_for()
        await settle(page)
        errors = await page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count()
        if errors:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SCREENSHOTS / f"FAILED-browse-{i}-{name or 'overview'}.png"))
            raise AssertionError(f"browser {i} saw an error on /{name}:\n{await page.locator('body').inner_text()}")
        seen += 1
    return seen


async def run_room(base: str, code: str, people: int, browsers: int = 0, during: list[str] | None = None) -> dict:
    """`people` participants answer and submit together while `browsers` others click through the dashboard
    and the command `during` (an import) runs against the same database; then the facilitator looks."""
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = [await browser.new_context(viewport={"width": 390, "height": 844}) for _ in range(people)]
        contexts += [await browser.new_context(viewport={"width": 1280, "height": 800}) for _ in range(browsers)]
        pages = [await c.new_page() for c in contexts]
        for page in pages:
            page.set_default_timeout(240_000)
        ready, room_done = asyncio.Barrier(people), asyncio.Event()

        async def room() -> None:
            await asyncio.gather(*(answer_as(page, base, code, i, ready) for i, page in enumerate(pages[:people])))
            room_done.set()

        async def command() -> tuple[int, str]:
            if not during:
                return 0, ""
            await asyncio.sleep(3)  # once the room has started
            proc = await asyncio.create_subprocess_exec(
                *during, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
            )
            out, _ = await proc.communicate()
            return proc.returncode, out.decode()

        viewers = (browse(page, base, i, room_done) for i, page in enumerate(pages[people:]))
        _, (code_, output), *seen = await asyncio.gather(room(), command(), *viewers)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await settle(pages[0])
        await pages[0].locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for()
        await pages[0].screenshot(path=str(SCREENSHOTS / "assess-result-390x844.png"))
        facilitator = await browser.new_page(viewport={"width": 1920, "height": 1080})
        facilitator.set_default_timeout(240_000)
        await facilitator.goto(f"{base}/facilitate")
        await facilitator.get_by_text(f"{people} respondents").wait_for()
        await settle(facilitator)
        await facilitator.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for()
        await facilitator.screenshot(path=str(SCREENSHOTS / "facilitate-1920x1080.png"), full_page=True)
        await browser.close()
    return {"returncode": code_, "output": output, "pages_seen": seen}


@pytest.mark.slow
def test_twenty_sessions_browsing_and_submitting_while_an_import_runs(room, tmp_path):
    """8 participants submit at the same moment while 12 others browse every page and a 20,000-row response
    import runs in another process: no page shows an error, every answer lands once, the import lands."""
    from cxdash import bench

    path, session, ids = room
    csv = bench.responses_csv(path, tmp_path / "responses.csv", 20_000)
    env = {"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none", workshop.PASSCODE_ENV: ""}
    importer = [sys.executable, "-m", "cxdash", "import", str(csv), "--kind", "responses", "--db", str(path)]
    with streamlit_server(path, env) as base:
        outcome = asyncio.run(run_room(base, session["join_code"], 8, browsers=12, during=importer))
    assert outcome["returncode"] == 0, outcome["output"]
    assert all(seen >= len(BROWSE) for seen in outcome["pages_seen"])
    assert counts_per_respondent(path, session["session_id"]) == [len(ids)] * 8
    assert rows(path, "SELECT count(*), count(DISTINCT respondent_id) FROM workshop_submissions") == [(8, 8)]
    roles = rows(path, "SELECT respondent_role, count(*) FROM workshop_submissions GROUP BY ALL ORDER BY ALL")
    assert roles == [("board", 2), ("executive", 2), ("frontline", 2), ("manager", 2)]
    assert rows(path, "SELECT kind, file_name, rows_read FROM imports") == [("responses", "responses.csv", 20_000)]

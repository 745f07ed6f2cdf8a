"""Access control: the permission model and the identity-to-role mapping (hand-worked examples), the defaults
with no sign-in configured (passcodes), the pages through AppTest with and without sign-in, and sign-in end to
end: a real `streamlit run` signing people in through a local OpenID Connect provider (oidc-provider-mock)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect, sync_playwright
from streamlit.testing.v1 import AppTest

from cxdash import access, workshop
from tests.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, free_port, stop, streamlit_server, wait_until_idle
from tests.conftest import open_app

IMPORT_ENV, FACILITATOR_ENV = access.PASSCODE_ENVS["import"], access.PASSCODE_ENVS["facilitate"]
RULES = {
    "admin": ["Chief@Council.example"],
    "analyst": ["@council.example", "group:cx-analysts"],
    "facilitator": ["group:facilitators"],
    "viewer": ["*"],
}
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-some-length",
    "client_id": "cxdash",
    "client_secret": "not-so-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
NEW_ORG = (
    b"org_id,name,sector,region,size_band,org_type,parent,country\n"
    b"testshire-cc,Testshire County Council,local,South West,medium,county council,,England\n"
)


def roles(identity: dict, rules: dict | None = None) -> set[str]:
    return set(access.roles_for(identity, access.rules_from_secrets(RULES if rules is None else rules)))


# --- The mapping from identity to roles ---------------------------------------------------------------


def test_roles_by_email_domain_and_group_hand_worked():
    # chief@: the admin entry (case does not matter), the domain entry (analyst) and "*" (viewer)
    assert roles({"email": "chief@council.example"}) == {"admin", "analyst", "viewer"}
    assert roles({"email": "Ann@COUNCIL.example"}) == {"analyst", "viewer"}
    # the domain must match exactly: a sub-domain or a look-alike is someone else
    assert roles({"email": "bob@sub.council.example"}) == {"viewer"}
    assert roles({"email": "eve@council.example.evil.org"}) == {"viewer"}
    # groups: a list or a single string, matched exactly
    assert roles({"email": "x@partner.org", "groups": ["facilitators", "other"]}) == {"facilitator", "viewer"}
    assert roles({"email": "x@partner.org", "groups": "cx-analysts"}) == {"analyst", "viewer"}
    assert roles({"email": "x@partner.org", "groups": ["Facilitators"]}) == {"viewer"}
    # an address the provider says is unverified matches no email or domain entry (groups still count)
    assert roles({"email": "chief@council.example", "email_verified": False}) == {"viewer"}
    assert roles({"email": "chief@council.example", "email_verified": True}) == {"admin", "analyst", "viewer"}
    # no "*": someone matching nothing has no role; no table at all: nobody has one
    assert roles({"email": "x@else.org"}, {"analyst": ["@council.example"]}) == set()
    assert roles({"email": "chief@council.example"}, {}) == set()
    assert access.roles_for({"email": "chief@council.example"}, access.rules_from_secrets(None)) == frozenset()


def test_groups_claim_can_be_renamed():
    rules = {"groups_claim": "roles", "facilitator": ["group:workshops"]}
    assert roles({"sub": "a", "roles": ["workshops"]}, rules) == {"facilitator"}
    assert roles({"sub": "a", "groups": ["workshops"]}, rules) == set()


def test_permissions_of_each_role():
    assert access.permissions_for(["viewer"]) == {"view"}
    assert access.permissions_for(["analyst"]) == {"view", "import"}
    assert access.permissions_for(["facilitator"]) == {"view", "facilitate"}
    assert access.permissions_for(["admin"]) == {"view", "import", "facilitate"}
    assert access.permissions_for(["analyst", "facilitator"]) == {"view", "import", "facilitate"}
    assert access.permissions_for([]) == frozenset()
    assert access.roles_with("import") == ["analyst", "admin"]
    assert access.roles_with("facilitate") == ["facilitator", "admin"]


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ({"analysts": ["@council.example"]}, "'analysts', which is not a role"),
        ({"viewer": "@council.example", "admin": 3}, "admin in [cxdash.access] must be a list"),
        ({"viewer": ["", "@x.org"]}, "viewer in [cxdash.access] must be a list"),
        ({"groups_claim": ["groups"]}, "groups_claim in [cxdash.access] must be the name of a claim"),
    ],
)
def test_misspelt_or_malformed_rules_are_refused(table, says):
    with pytest.raises(access.AccessConfigError) as caught:
        access.rules_from_secrets(table)
    assert says in str(caught.value)


def test_a_single_entry_may_be_a_string():
    assert access.rules_from_secrets({"viewer": "@x.org"}).roles == {"viewer": ("@x.org",)}


def test_providers_offered():
    assert access.providers(AUTH) == [None]
    named = {"redirect_uri": "r", "cookie_secret": "c", "google": {"client_id": "g"}, "entra": {"client_id": "m"}}
    assert access.providers(named) == ["google", "entra"]


# --- What someone may do ----------------------------------------------------------------------------


def test_no_sign_in_reads_freely_and_writes_only_with_a_passcode():
    env = {IMPORT_ENV: "imp0rt", FACILITATOR_ENV: "f4cil"}
    anyone = access.resolve({}, {}, env=env)
    assert not anyone.sign_in and anyone.permissions == {"view"}
    assert access.resolve({}, {}, {"import"}, env=env).permissions == {"view", "import"}
    assert access.resolve({}, {}, {"import", "facilitate"}, env=env).permissions == {"view", "import", "facilitate"}
    # a permission unlocked earlier no longer counts once its passcode is unset
    assert access.resolve({}, {}, {"import", "facilitate"}, env={IMPORT_ENV: "imp0rt"}).permissions == {
        "view",
        "import",
    }
    # a claimed identity means nothing without sign-in configured
    assert access.resolve({"cxdash": {"access": RULES}}, {"is_logged_in": True, "email": "chief@council.example"},
                          env={}).permissions == {"view"}  # fmt: skip


def test_passcodes_compare_exactly_and_nothing_opens_without_one():
    env = {IMPORT_ENV: "s3cret"}
    assert access.passcode_set("import", env) and not access.passcode_set("facilitate", env)
    assert access.passcode_ok("import", "s3cret", env)
    assert not access.passcode_ok("import", "s3cre", env) and not access.passcode_ok("import", "s3cret ", env)
    assert not access.passcode_ok("import", None, env) and not access.passcode_ok("import", "", env)
    assert not access.passcode_ok("facilitate", "", env) and not access.passcode_ok("facilitate", "s3cret", env)
    assert not access.passcode_ok("facilitate", "", {FACILITATOR_ENV: ""})


def test_with_sign_in_the_rules_decide():
    secrets = {"auth": AUTH, "cxdash": {"access": RULES}}
    assert access.sign_in_configured(secrets) and not access.sign_in_configured({"cxdash": {}})
    out = access.resolve(secrets, {"is_logged_in": False}, {"import"}, env={IMPORT_ENV: "x"})
    assert out.sign_in and not out.signed_in and out.permissions == frozenset()  # passcodes play no part
    assert access.resolve(secrets, {"email": "chief@council.example"}).permissions == frozenset()  # not logged in
    ann = access.resolve(secrets, {"is_logged_in": True, "email": "ann@council.example", "name": "Ann"})
    assert ann.signed_in and ann.who == "ann@council.example" and ann.roles == {"analyst", "viewer"}
    assert ann.may("view") and ann.may("import") and not ann.may("facilitate")
    with pytest.raises(ValueError, match="unknown permission"):
        ann.may("delete")
    nobody = access.resolve({"auth": AUTH}, {"is_logged_in": True, "sub": "u1"})
    assert nobody.who == "u1" and nobody.permissions == frozenset() and nobody.problem is None
    broken = access.resolve({"auth": AUTH, "cxdash": {"access": {"admins": ["x"]}}}, {"is_logged_in": True})
    assert broken.permissions == frozenset() and "'admins', which is not a role" in broken.problem


def test_refusals_say_why_in_plain_words(monkeypatch):
    monkeypatch.delenv(IMPORT_ENV, raising=False)
    monkeypatch.setenv(FACILITATOR_ENV, "x")
    anyone = access.resolve({}, {})
    assert access.refusal(anyone, "import") == (
        "No one can import data here: no sign-in is configured and no passcode is set. Whoever runs cxdash can "
        "set `CXDASH_IMPORT_PASSCODE` (`make run` sets one and prints it) or configure sign-in."
    )
    assert access.refusal(anyone, "facilitate") == "Enter the facilitator passcode to open or close workshop sessions."
    secrets = {"auth": AUTH, "cxdash": {"access": RULES}}
    vera = access.resolve(secrets, {"is_logged_in": True, "email": "vera_v@partner.org"})
    assert access.refusal(vera, "import") == (
        "You are signed in as **vera\\_v\\@partner.org** (viewer), which may not import data. "
        "Ask whoever runs cxdash for the analyst or admin role."
    )
    assert access.refusal(access.resolve(secrets, {}), "view") == "Sign in to read the dashboards."
    chief = access.resolve(secrets, {"is_logged_in": True, "email": "chief@council.example"})
    assert access.role_label(chief) == "admin, analyst and viewer"


# --- The pages, through AppTest -----------------------------------------------------------------------


@pytest.fixture
def demo_copy(tmp_path: Path, demo_db: Path) -> Path:
    return Path(shutil.copy(demo_db, tmp_path / "demo.duckdb"))


@pytest.fixture
def session(demo_copy: Path) -> dict:
    con = duckdb.connect(str(demo_copy), read_only=True)
    org = con.execute("SELECT min(org_id) FROM organisations").fetchall()[0][0]
    con.close()
    return workshop.open_session("public_cx", org, "Board away day", date(2026, 11, 20), demo_copy)


def app(monkeypatch, path: Path, page: str | None = None, secrets: dict | None = None, user: dict | None = None,
        **query: str) -> AppTest:  # fmt: skip
    return open_app(monkeypatch, path, page, query=query, secrets=secrets, user=user)


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return " ".join(parts + [w.value for w in at.warning] + [e.value for e in at.error] + [t.value for t in at.title])


def uploaders(at: AppTest) -> list:
    return [n for n in at._tree if getattr(n, "type", "") == "file_uploader"]


def signed_in(email: str, **claims: object) -> dict:
    return {"is_logged_in": True, "email": email, **claims}


SIGN_IN = {"auth": AUTH, "cxdash": {"access": RULES}}


def test_no_sign_in_and_no_passcodes_reads_but_cannot_write(monkeypatch, demo_copy):
    monkeypatch.delenv(IMPORT_ENV, raising=False)
    monkeypatch.delenv(FACILITATOR_ENV, raising=False)
    at = app(monkeypatch, demo_copy, "pages/data.py")
    assert not [b for b in at.button if b.key == "account_sign_out"]  # nobody signed in: no account box
    assert "No one can import data here" in texts(at) and not uploaders(at)
    assert not [t for t in at.text_input if t.key == "data_passcode"]
    at.switch_page("pages/facilitate.py").run()
    assert "No one can open or close workshop sessions here" in texts(at)
    assert at.button(key="facilitate_open_button").disabled


def test_the_import_passcode_unlocks_importing_for_the_browser_tab(monkeypatch, demo_copy):
    monkeypatch.setenv(IMPORT_ENV, "imp0rt")
    monkeypatch.delenv(FACILITATOR_ENV, raising=False)
    at = app(monkeypatch, demo_copy, "pages/data.py")
    assert "Enter the import passcode to import data." in texts(at) and not uploaders(at)
    at.text_input(key="data_passcode").input("import").run()
    assert "That passcode is not right." in texts(at) and not uploaders(at)
    at.text_input(key="data_passcode").input("imp0rt").run()
    assert uploaders(at)
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/data.py").run()
    assert uploaders(at) and not [t for t in at.text_input if t.key == "data_passcode"]  # still unlocked
    at.switch_page("pages/facilitate.py").run()  # the import passcode unlocks nothing else
    assert at.button(key="facilitate_open_button").disabled


def test_signed_out_sees_only_the_sign_in_page_and_live_assessment(monkeypatch, demo_copy, session):
    at = app(monkeypatch, demo_copy, secrets=SIGN_IN, user={"is_logged_in": False})
    assert at.title[0].value == "Sign in to cxdash"
    assert [b.label for b in at.button] == ["Sign in"]
    assert "no sign-in needed" in texts(at)
    assert not at.sidebar.selectbox  # no organisations, no filters
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/data.py")  # not in the navigation
    # a participant without the code is asked for it, and never sees the list of open workshops
    at = app(monkeypatch, demo_copy, "pages/assess.py", secrets=SIGN_IN, user={"is_logged_in": False})
    assert not [s for s in at.selectbox if s.key == "assess_session"] and session["name"] not in texts(at)
    at.text_input(key="assess_join_code").input(session["join_code"].lower())
    at.button(key="assess_join_button").click().run()
    assert at.query_params["session"] == session["join_code"]
    assert len(at.selectbox(key="assess_session").options) == 1  # that workshop only
    assert at.selectbox(key="assess_session").value == session["join_code"]
    assert any(s.value.startswith(f"Welcome to {session['name']}") for s in at.subheader)
    assert at.radio(key="assess_role") is not None
    # with the link, straight in
    at = app(monkeypatch, demo_copy, "pages/assess.py", secrets=SIGN_IN, user={"is_logged_in": False},
             session=session["join_code"])  # fmt: skip
    assert at.selectbox(key="assess_session").value == session["join_code"]
    assert at.radio(key="assess_role") is not None


def test_a_viewer_reads_but_cannot_import_or_run_workshops(monkeypatch, demo_copy, session):
    at = app(monkeypatch, demo_copy, "pages/data.py", secrets=SIGN_IN, user=signed_in("vera@partner.org"))
    assert "You are signed in as **vera\\@partner.org** (viewer), which may not import data" in texts(at)
    assert not uploaders(at) and not [t for t in at.text_input if t.key == "data_passcode"]
    assert "vera\u2060\\@partner.org" in " ".join(m.value for m in at.sidebar.markdown)
    assert "Viewer" in " ".join(c.value for c in at.sidebar.caption)
    at.switch_page("pages/facilitate.py").run()
    assert "which may not open or close workshop sessions" in texts(at)
    assert at.button(key="facilitate_open_button").disabled
    other = workshop.open_session("public_cx", session["org_id"], "Front line", date(2026, 11, 21), demo_copy)
    at.switch_page("pages/assess.py").run()  # a reader sees every open workshop
    assert len(at.selectbox(key="assess_session").options) == 2
    at.selectbox(key="assess_session").set_value(other["join_code"]).run()
    at.button(key="account_sign_out").click().run().run()  # signed out: only the workshop whose code they hold
    assert at.user == {"is_logged_in": False} and not [b for b in at.button if b.key == "account_sign_out"]
    assert at.selectbox(key="assess_session").options == [workshop.session_label(workshop.session_by_code(
        other["join_code"], demo_copy))]  # fmt: skip


def test_an_analyst_imports_and_a_facilitator_opens_sessions(monkeypatch, demo_copy):
    at = app(monkeypatch, demo_copy, "pages/data.py", secrets=SIGN_IN, user=signed_in("ann@council.example"))
    assert uploaders(at) and "Analyst and viewer" in " ".join(c.value for c in at.sidebar.caption)
    at.switch_page("pages/facilitate.py").run()
    assert at.button(key="facilitate_open_button").disabled
    fay = signed_in("fay@partner.org", groups=["facilitators"])
    at = app(monkeypatch, demo_copy, "pages/facilitate.py", secrets=SIGN_IN, user=fay)
    assert not at.button(key="facilitate_open_button").disabled
    at.text_input(key="facilitate_name").input("Leadership workshop")
    at.button(key="facilitate_open_button").click().run()
    assert not at.exception, at.exception
    con = duckdb.connect(str(demo_copy), read_only=True)
    assert con.execute("SELECT name, status FROM workshop_sessions").fetchall() == [("Leadership workshop", "open")]
    con.close()
    at.switch_page("pages/data.py").run()
    assert "which may not import data" in texts(at) and not uploaders(at)


def test_signed_in_without_a_role_or_with_broken_rules(monkeypatch, demo_copy):
    at = app(monkeypatch, demo_copy, secrets={"auth": AUTH}, user=signed_in("x@else.org"))
    assert at.title[0].value == "No access yet"
    assert "(no role), which may not read the dashboards" in texts(at)
    assert at.button(key="account_sign_out") is not None
    broken = {"auth": AUTH, "cxdash": {"access": {"analysts": ["@council.example"]}}}
    at = app(monkeypatch, demo_copy, secrets=broken, user=signed_in("ann@council.example"))
    assert "Nobody can read the dashboards until the access rules are fixed" in texts(at)


# --- Sign-in end to end: a real server, a local OpenID Connect provider, Chromium -------------------------

PEOPLE = {  # the provider's predefined users (its sign-in form offers each as a button named by subject)
    "vera": {"email": "vera@partner.org", "email_verified": True, "name": "Vera Viewer"},
    "ann": {"email": "ann@council.example", "email_verified": True, "name": "Ann Analyst"},
    "fay": {"email": "fay@partner.org", "email_verified": True, "groups": ["facilitators"]},
}
E2E_RULES = """
[cxdash.access]
analyst = ["@council.example"]
facilitator = ["group:facilitators"]
viewer = ["*"]
"""


def wait_for_http(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    """Wait until `url` answers 200, or fail with the process's output if it stops or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"{url} did not answer:\n{proc.stdout.read() if proc.stdout else ''}")
        time.sleep(0.3)


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[str]:
    """oidc-provider-mock on 127.0.0.1 (its command line), with the PEOPLE predefined; yields its base URL."""
    port = free_port()
    users = [arg for sub, claims in PEOPLE.items() for arg in ("--user-claims", json.dumps({"sub": sub, **claims}))]
    proc = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port), *users],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/.well-known/openid-configuration", proc)
        yield base
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def signed_in_app(oidc_provider, demo_db, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """`streamlit run` with sign-in through the provider: a secrets.toml of its own (--secrets.files), a
    writable copy of the demo database; yields the app's base URL and the database."""
    folder = tmp_path_factory.mktemp("signin")
    path = Path(shutil.copy(demo_db, folder / "demo.duckdb"))
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'  # Streamlit fills in its own port
        f'cookie_secret = "{uuid.uuid4().hex}"\n'
        'client_id = "cxdash-test"\n'
        'client_secret = "cxdash-test-secret"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n' + E2E_RULES,
        encoding="utf-8",
    )
    env = {"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none", IMPORT_ENV: "", FACILITATOR_ENV: ""}
    with streamlit_server(path, env, ["--secrets.files", str(secrets)]) as base:
        yield base, path


def settle(page, title: str) -> None:
    """Wait until the page titled `title` has finished drawing."""
    wait_until_idle(page, timeout_ms=120_000)
    expect(page.locator("[data-testid='stMain'] h1").first).to_have_text(title, timeout=120_000)
    wait_until_idle(page, timeout_ms=120_000)


def sign_in(page, base: str, provider: str, sub: str) -> None:
    """From the sign-in page, through the provider's form as `sub`, back to the Overview."""
    page.goto(base)
    settle(page, "Sign in to cxdash")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{provider}/oauth2/authorize**", timeout=120_000)
    page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url(f"{base}/**", timeout=120_000)
    wait_until_idle(page, timeout_ms=120_000)
    shown = PEOPLE[sub]["email"].replace("@", "\u2060@")  # as the sidebar shows it (no mailto link)
    expect(page.get_by_test_id("stSidebar")).to_contain_text(shown, timeout=120_000)


def sign_out(page, base: str, provider: str) -> None:
    """The sidebar's Sign out, the provider's end-session form, and back to the sign-in page."""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{provider}/oauth2/end_session**", timeout=120_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{base}/**", timeout=120_000)
    settle(page, "Sign in to cxdash")


def open_page(page, base: str, path: str, title: str) -> None:
    page.goto(f"{base}/{path}")
    settle(page, title)


@pytest.mark.slow
def test_sign_in_end_to_end(oidc_provider, signed_in_app):
    base, path = signed_in_app
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        page.set_default_timeout(120_000)

        # signed out: the sign-in page, also for a deep link; the sidebar offers only Live assessment
        open_page(page, base, "data", "Sign in to cxdash")
        expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)  # no menu of pages, only two links
        links = page.get_by_test_id("stSidebar").get_by_test_id("stPageLink")
        expect(links).to_have_count(2)
        expect(links.nth(0)).to_contain_text("Sign in")
        expect(links.nth(1)).to_contain_text("Live assessment")
        expect(page.get_by_test_id("stFileUploader")).to_have_count(0)
        page.screenshot(path=str(SCREENSHOTS / "access-sign-in.png"))

        # a viewer reads the dashboards but cannot import or run workshops
        sign_in(page, base, oidc_provider, "vera")
        expect(page.get_by_test_id("stSidebar")).to_contain_text("Viewer")
        page.get_by_test_id("stSidebar").screenshot(path=str(SCREENSHOTS / "access-sidebar-viewer.png"))
        open_page(page, base, "data", "Data")
        expect(page.get_by_test_id("stMain")).to_contain_text("which may not import data")
        expect(page.get_by_test_id("stFileUploader")).to_have_count(0)
        open_page(page, base, "facilitate", "Facilitator")
        expect(page.get_by_test_id("stMain")).to_contain_text("which may not open or close workshop sessions")
        expect(page.get_by_role("button", name="Open session")).to_be_disabled()
        sign_out(page, base, oidc_provider)

        # an analyst imports a file
        sign_in(page, base, oidc_provider, "ann")
        expect(page.get_by_test_id("stSidebar")).to_contain_text("Analyst and viewer")
        page.get_by_test_id("stSidebar").screenshot(path=str(SCREENSHOTS / "access-sidebar-analyst.png"))
        open_page(page, base, "data", "Data")
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
            files=[{"name": "orgs.csv", "mimeType": "text/csv", "buffer": NEW_ORG}]
        )
        page.get_by_role("button", name="Confirm import").click()
        expect(page.get_by_test_id("stMain")).to_contain_text("Imported orgs.csv as organisations", timeout=120_000)
        open_page(page, base, "facilitate", "Facilitator")
        expect(page.get_by_role("button", name="Open session")).to_be_disabled()
        sign_out(page, base, oidc_provider)

        # a facilitator (by the groups claim) opens a session
        sign_in(page, base, oidc_provider, "fay")
        open_page(page, base, "facilitate", "Facilitator")
        page.get_by_label("Session name").fill("Signed-in workshop")
        page.get_by_role("button", name="Open session").click()
        expect(page.get_by_test_id("stMetric").first).to_contain_text("Join code", timeout=120_000)
        sign_out(page, base, oidc_provider)

        # a participant, not signed in, joins it with the code
        code = rows(path, "SELECT join_code FROM workshop_sessions WHERE name = 'Signed-in workshop'")[0][0]
        open_page(page, base, f"assess?session={code}", "Live assessment")
        expect(page.get_by_test_id("stMain")).to_contain_text("Welcome to Signed-in workshop")
        browser.close()
    assert rows(path, "SELECT name FROM organisations WHERE org_id = 'testshire-cc'") == [("Testshire County Council",)]


def rows(path: Path, text: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(text).fetchall()
    finally:
        con.close()

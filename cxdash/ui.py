"""Streamlit glue shared by pages: cached data access keyed on the database version, the shared sidebar
filters, and who may do what (sign-in, passcodes). Pages call `cached(library_function, ...)` rather than the
database, and `permitted(...)` before a write."""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from cxdash import access, config, db, labels, reference, workshop
from cxdash.filters import Filters

T = TypeVar("T")


def through_app(entry: bool = False) -> None:
    """The first call of app.py (`entry=True`) and of every page script: leave Streamlit's legacy multipage layout.

    Streamlit treats a pages/ folder next to app.py as its legacy layout until st.navigation has been called
    once in the process (and AppTest starts every run that way), so a freshly started server's first request
    on a deep link (/maturity) would run that page script alone: no page config, no grouped navigation, no
    access rules. In such a run this turns the legacy layout off, as st.navigation itself does, and reruns,
    which runs app.py and its navigation to the same page. In app.py itself it only turns the layout off: the
    run goes on to st.navigation (rerunning there cost a fresh server's first page about 0.1 s). In every
    other run it does nothing.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if not entry:
            st.rerun()


@contextlib.contextmanager
def apptest_as_served() -> Iterator[None]:
    """Within this block, AppTest runs as the served app does after its first request: through app.py, and
    with page scripts compiled once (a server keeps one script cache per process; AppTest makes a new one for
    every run, so each rerun would compile the page again).

    AppTest also resets Streamlit's legacy-pages flag before every run, so with pages/ next to app.py each run
    would start in the legacy layout that a real server uses only for its very first request, where
    through_app() reruns (swallowing a button click, and timing two runs in the benchmark). The first
    request itself is tested against a real server (tests/test_browser.py opens a fresh one on a deep link).
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    class Served(PagesManager):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    compiled = ScriptCache()
    originals = app_test.PagesManager, app_test.ScriptCache
    app_test.PagesManager, app_test.ScriptCache = Served, lambda: compiled
    try:
        yield
    finally:
        app_test.PagesManager, app_test.ScriptCache = originals


def version() -> str:
    """The database's data version (changes after every import), used in cache keys."""
    return db.data_version(config.db_path())


def _name(fn: Callable) -> str:
    """A module-level function's importable name, the cache key of `cached`, `figure` and `pure`."""
    return f"{fn.__module__}.{fn.__qualname__}"


def _function(qualified: str) -> Callable:
    module, name = qualified.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _call(qualified: str, args: tuple, kwargs: tuple, data_version: str) -> Any:
    with db.session(config.db_path()):  # every query of this computation on one connection
        return _function(qualified)(*args, **dict(kwargs), path=config.db_path())


def cached(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """fn(*args, **kwargs, path=<database>), cached until the next import changes the data.

    fn must be a module-level cxdash function that takes a `path` keyword; arguments must be
    hashable values (strings, numbers, dates, tuples).
    """
    return _call(_name(fn), args, tuple(sorted(kwargs.items())), version())


@st.cache_resource(max_entries=256, ttl=3600, show_spinner=False)
def _figure(qualified: str, args: tuple, kwargs: tuple) -> Any:
    return _function(qualified)(*args, **dict(kwargs))


def figure(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """fn(*args, **kwargs) for a cxdash.charts builder, built once per distinct input and shared, so a rerun
    that shows the same figure again does not rebuild it (Plotly figures are slow to build).

    The arguments (frames, labels) are hashed by value. The figure is shared: it must not be changed after
    this call (st.plotly_chart and the presentation mode's scaling copy it before changing anything).
    """
    return _figure(_name(fn), args, tuple(sorted(kwargs.items())))


#: Forget every shared figure (the benchmark's uncached runs).
clear_figures = _figure.clear


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _pure(qualified: str, args: tuple, kwargs: tuple) -> Any:
    return _function(qualified)(*args, **dict(kwargs))


def pure(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """fn(*args, **kwargs) for a module-level cxdash function of values and frames that reads no database,
    remembered by the arguments' values, so a rerun with the same inputs does not compute it again."""
    return _pure(_name(fn), args, tuple(sorted(kwargs.items())))


def database_ready() -> bool:
    """Show a helpful message and return False when there is no usable database."""
    path = config.db_path()
    if not path.exists():
        st.info(
            f"No database at `{path}` yet. Build the demo with `make run` or `python -m cxdash demo`, "
            "or import your own files with `python -m cxdash import`."
        )
        return False
    try:
        db.ensure_schema(path)
    except db.SchemaError as exc:
        st.error(str(exc))
        return False
    except db.DatabaseBusy:
        st.warning("Data is being refreshed. Try again in a few seconds.")
        return False
    return True


def filters(page: str | None = None) -> Filters:
    """Draw the shared sidebar filters and return the chosen view; call it once, at the top of a page.

    `page` (default: the calling page file's name, e.g. "journeys") decides whether the service,
    channel and stage filters appear. With no usable database it says why and returns an empty view.
    """
    from cxdash import sidebar

    page = page or Path(sys._getframe(1).f_code.co_filename).stem
    account()
    if not database_ready():
        return Filters(framework_id=None, org_id=None)
    if not may(access.VIEW):  # a workshop participant who is not signed in: no organisations, no filters
        frameworks = cached(reference.frameworks)
        return Filters(framework_id=None if frameworks.empty else frameworks["framework_id"].iloc[0], org_id=None)
    return sidebar.draw(page)


def kpi_tile(container: st.delta_generator.DeltaGenerator, kpi: dict) -> None:
    """One feedback KPI as a big number with its change, verdict in words, and sample size."""
    nps = kpi["headline"] == "nps"
    if kpi["verdict"] == "not enough responses" and kpi["n_current"] < config.min_n():
        container.metric(kpi["label"], "not enough responses")
        container.caption(f"n = {kpi['n_current']:,}")
        return
    value = f"{kpi['current']:+.0f}" if nps else f"{kpi['current']:.0f}%"
    unit = "" if nps else " pts"
    if kpi["verdict"] in ("up", "down"):
        delta, colour = f"{labels.signed(kpi['change'])}{unit}, beyond noise", "normal"
    elif kpi["verdict"] == "no significant change":
        delta, colour = f"{labels.signed(kpi['change'])}{unit}, within noise", "off"
    else:
        delta, colour = "too few responses before to compare", "off"
    flat = kpi["verdict"] in ("up", "down", "no significant change") and labels.signed(kpi["change"]) == "0"
    container.metric(
        kpi["label"] + (" (NPS)" if nps else ""),
        value,
        delta=delta,
        delta_color=colour,
        delta_arrow="off" if flat else "auto",  # no arrow for a change that rounds to 0
    )
    container.caption(f"n = {kpi['n_current']:,} (before: {kpi['n_previous']:,})")


#: The next-step wording (defined in cxdash.labels, shared with the board pack).
step_summary = labels.step_summary


# --- Who may do what (cxdash.access) ----------------------------------------------------------------

#: Session-state key: the permissions unlocked with a passcode in this browser tab (no sign-in configured).
UNLOCKED = "access_unlocked"
PASSCODE_LABELS = {access.IMPORT: "Import passcode", access.FACILITATE: "Facilitator passcode"}


def current_access() -> access.Access:
    """What the person in this browser tab may do now, from secrets.toml, st.user and passcodes entered."""
    secrets = st.secrets if st.secrets.load_if_toml_exists() else {}
    return access.resolve(secrets, st.user.to_dict(), st.session_state.get(UNLOCKED, ()))


def may(permission: str) -> bool:
    """Whether the person in this browser tab may `permission` ('view', 'import', 'facilitate') now."""
    return current_access().may(permission)


def permitted(permission: str, key: str) -> bool:
    """Whether the person may `permission` now; if not, say why in plain words.

    With no sign-in configured and the permission's passcode set, ask for the passcode (a password box with
    widget key `key`); the right one unlocks the permission for the rest of this browser tab's session.
    """
    now = current_access()
    if now.may(permission):
        return True
    if not now.sign_in and access.passcode_set(permission):
        entered = st.text_input(PASSCODE_LABELS[permission], type="password", key=key)
        if access.passcode_ok(permission, entered):
            st.session_state.setdefault(UNLOCKED, set()).add(permission)
            return True
        if entered:
            st.warning("That passcode is not right.", icon=":material/lock:")
        else:
            st.info(access.refusal(now, permission), icon=":material/lock:")
        return False
    (st.error if now.problem else st.info)(access.refusal(now, permission), icon=":material/lock:")
    return False


def account() -> None:
    """In the sidebar: who is signed in, with which roles, and a sign-out button (nothing without sign-in)."""
    now = current_access()
    if not now.signed_in:
        return
    box = st.sidebar.container(border=True, key="account")
    shown = (now.who or "Signed in").replace("@", "\u2060@")  # an invisible word joiner: no mailto link
    box.markdown(f":material/account_circle: **{labels.md(shown)}**")
    box.caption(f"Signed in · {access.role_label(now).capitalize()}")
    if box.button("Sign out", key="account_sign_out", icon=":material/logout:", width="stretch"):
        st.logout()


def sign_in_page() -> None:
    """The first page for someone who may not read the dashboards: sign in, or why a signed-in account cannot."""
    now = current_access()
    account()
    if now.signed_in:
        st.title("No access yet")
        st.warning(access.refusal(now, access.VIEW), icon=":material/lock:")
        return
    st.title("Sign in to cxdash")
    st.markdown(
        "cxdash shows how customer-centric an organisation is and where it should improve: maturity "
        "assessments and citizen feedback. Sign in with your organisation account to read the dashboards."
    )
    auth = st.secrets.get("auth", {})
    for provider in access.providers(auth):
        label = "Sign in" if provider is None else f"Sign in with {provider.replace('_', ' ').title()}"
        if st.button(label, type="primary", key=f"signin_{provider or 'default'}", icon=":material/login:"):
            st.login(provider)
    st.caption(
        "Taking part in a workshop? Open the link your facilitator shares, or go to **Live assessment** and type "
        "the join code: no sign-in needed."
    )


def navigation(pages: dict[str, list], hidden: bool = False) -> Any:
    """st.navigation over `pages` for this person (call `.run()` on the result); `hidden` hides the menu.

    Someone who may not read the dashboards gets a sidebar with only Sign in and the pages anyone may open
    (Live assessment, where a join code is enough); every other address shows the sign-in page, so a deep
    link asks them to sign in rather than saying the page does not exist.
    """
    if may(access.VIEW):
        return st.navigation(pages, position="hidden" if hidden else "sidebar")
    every = [page for section in pages.values() for page in section]
    sign_in = st.Page(sign_in_page, title="Sign in", icon=":material/login:", url_path="signin", default=True)
    anyone = [page for page in every if page.url_path in access.OPEN_PAGES]
    stand_ins = [
        st.Page(sign_in_page, title="Sign in", url_path=page.url_path)
        for page in every
        if page.url_path and page.url_path not in access.OPEN_PAGES  # the default page is at "/" already
    ]
    chosen = st.navigation([sign_in, *anyone, *stand_ins], position="hidden")
    if not hidden:
        for page in (sign_in, *anyone):
            st.sidebar.page_link(page)
    return chosen


def ask_join_code() -> None:
    """For someone who may not list the open workshops: ask for the join code, then follow it (?session=)."""
    with st.form("assess_join", border=False):
        typed = st.text_input("Join code", placeholder="e.g. K7QX2M", max_chars=20, key="assess_join_code")
        joined = st.form_submit_button("Join the workshop", type="primary", key="assess_join_button")
    st.caption("Your facilitator shows the join code, or shares a link that fills it in for you.")
    if joined and (code := workshop.normalise_code(typed)):
        st.query_params["session"] = code
        st.rerun()

"""Streamlit glue shared by pages: cached data access keyed on the database version, and the
shared sidebar filters. Pages call `cached(library_function, ...)` rather than the database."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from cxdash import config, db, labels
from cxdash.filters import Filters

T = TypeVar("T")


def version() -> str:
    """The database's data version (changes after every import), used in cache keys."""
    return db.data_version(config.db_path())


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _call(qualified: str, args: tuple, kwargs: tuple, data_version: str) -> Any:
    module, name = qualified.rsplit(".", 1)
    with db.session(config.db_path()):  # every query of this computation on one connection
        return getattr(importlib.import_module(module), name)(*args, **dict(kwargs), path=config.db_path())


def cached(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """fn(*args, **kwargs, path=<database>), cached until the next import changes the data.

    fn must be a module-level cxdash function that takes a `path` keyword; arguments must be
    hashable values (strings, numbers, dates, tuples).
    """
    return _call(f"{fn.__module__}.{fn.__qualname__}", args, tuple(sorted(kwargs.items())), version())


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
    if not database_ready():
        return Filters(framework_id=None, org_id=None)
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

"""Streamlit glue shared by pages: cached data access keyed on the database version."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from cxdash import config, contents, db, feedback, maturity


def version() -> str:
    """The database's data version (changes after every import), used in cache keys."""
    return db.data_version(config.db_path())


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def _summary(data_version: str) -> contents.Summary:
    return contents.summarise(config.db_path())


def summary() -> contents.Summary:
    """What the database holds (cached until the next import)."""
    return _summary(version())


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def _latest(framework_id: str, data_version: str) -> pd.DataFrame:
    return maturity.latest_scores(framework_id, config.db_path())


def latest_maturity(framework_id: str) -> pd.DataFrame:
    """Each organisation's latest maturity score and stage (cached until the next import)."""
    return _latest(framework_id, version())


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def _stages(framework_id: str, data_version: str) -> pd.DataFrame:
    return db.query("framework_stages", {"framework_id": framework_id}, config.db_path())


def stages(framework_id: str) -> pd.DataFrame:
    """A framework's five stages."""
    return _stages(framework_id, version())


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


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _measures(start: date, end: date, org_id: str | None, data_version: str) -> pd.DataFrame:
    return feedback.measure_summary(start, end, org_id, config.db_path())


def measure_summary(start: date, end: date, org_id: str | None = None) -> pd.DataFrame:
    """Feedback metrics per measure between two period starts (cached until the next import)."""
    return _measures(start, end, org_id, version())

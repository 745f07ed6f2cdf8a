"""Reference lists the filters offer: organisations, frameworks, periods, services, codes and labels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cxdash import db


def organisations(path: Path | None = None) -> pd.DataFrame:
    """Every organisation with its peer-group attributes, by name."""
    return db.query("organisations", path=path)


def frameworks(path: Path | None = None) -> pd.DataFrame:
    """Frameworks held."""
    return db.query("frameworks", path=path)


def periods(path: Path | None = None) -> pd.DataFrame:
    """Period starts holding feedback, with their grain, oldest first."""
    return db.query("feedback_periods", path=path)


def services(org_id: str | None, path: Path | None = None) -> pd.DataFrame:
    """Services of one organisation (all when org_id is None)."""
    return db.query("services", {"org_id": org_id}, path)


def code_labels(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Labels for channel, stage, measure and role codes: {'channel': {'web': 'Website', ...}, ...}."""
    rows = db.query("reference_lists", path=path)
    return {name: dict(zip(group["code"], group["label"], strict=True)) for name, group in rows.groupby("list")}

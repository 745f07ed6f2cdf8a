"""Plain-English labels for the codes stored in the database."""

from __future__ import annotations

SECTORS = {
    "local": "Local government",
    "central": "Central government",
    "health": "Health",
    "arms_length": "Arm's-length body",
    "regulator": "Regulator",
    "federal": "US federal",
}

SIZE_BANDS = {"small": "Small", "medium": "Medium", "large": "Large"}


def sector(code: str) -> str:
    """Label for a sector code; unknown codes are shown as given, tidied."""
    return SECTORS.get(code, str(code).replace("_", " ").capitalize())

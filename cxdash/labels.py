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


def ordinal(number: float) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st, for a rounded number."""
    n = round(number)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def signed(value: float) -> str:
    """'+3', '-2', or '0' for a change that rounds to nothing (never '-0')."""
    rounded = round(value)
    return "0" if rounded == 0 else f"{rounded:+d}"

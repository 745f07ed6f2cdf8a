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


def step_summary(step: dict) -> str:
    """'Emerging (32/100), 8 points short of Established; reaching it would add 1.6 points to the overall
    score; peer median 45' for a maturity.next_steps row."""
    text = f"{step['stage_name']} ({step['score_100']:.0f}/100)"
    if isinstance(step.get("next_stage_name"), str):
        points = max(1, round(step["points_to_next"]))
        text += f", {points} point{'s' if points != 1 else ''} short of {step['next_stage_name']}"
    if step.get("lift", 0) > 0:
        text += f"; reaching it would add {step['lift']:.1f} points to the overall score"
    median = step.get("peer_median")
    if median is not None and median == median:
        text += f"; peer median {median:.0f}"
    return text

"""Plain-English labels for the codes stored in the database, and text from the data made safe to show: in
Streamlit Markdown (md) and in a spreadsheet opening a downloaded CSV (csv_safe, csv_bytes)."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

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


def unique_names(ids: list[str], names: list[str]) -> dict[str, str]:
    """{id: name} for a picker, names made unique: a name shared by several ids gets its id in brackets
    ('Same Council (x2)'), so each can be chosen and a URL holding the name finds one. Others stay plain."""
    counts = Counter(names)
    out = {i: n if counts[n] == 1 else f"{n} ({i})" for i, n in zip(ids, names, strict=True)}
    if len(set(out.values())) < len(out):  # a plain name that happens to read like 'Name (id)' of another
        taken = Counter(out.values())
        out = {i: label if taken[label] == 1 else f"{label} [{i}]" for i, label in out.items()}
    return out


#: Characters that open or close Markdown wherever they stand in Streamlit: backslash escapes, code, emphasis,
#: links and images, raw HTML, tables, strikethrough, LaTeX ($) and email autolinks (@).
_MD_ANYWHERE = re.compile(r"[\\`*_\[\]<>|~$@]")
#: Characters that mean something only where they stand: a colon before a non-space (a :red[...] directive,
#: an :emoji: or a URL's https:), an ampersand opening an entity (&lt;), the dot of a www. autolink and the
#: slash of a :material/icon: (Streamlit looks for that one before parsing).
_MD_PLACED = re.compile(r":(?=\S)|&(?=#?\w+;)|(?<=(?i:www))\.|(?<=:material)/")
#: At the very start: a heading, list or ordered-list marker ('#', '-', '+', '1.', '1)').
_MD_LEADING = re.compile(r"^(\s*)(?:([#+-])|(\d+)([.)]))")


def md(text: object) -> str:
    """Text from the data (a name, a file name, a comment) made inert for Streamlit Markdown: it shows exactly
    as written, never as a link, image, HTML, emphasis, code, LaTeX, colour directive, heading or list.

    Only characters that could mean something there are backslash-escaped, so ordinary names read the same in
    the Markdown source too ("St. Helens Council", "Health & Care (North)"). Line breaks become spaces: a name
    is one line. Streamlit's typographic touches in plain text ('--' shown as a dash, '->' as an arrow) still
    apply: they change no meaning. None and NaN become ''."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    line = re.sub(r"\s*[\r\n]+\s*", " ", str(text))
    line = _MD_PLACED.sub(lambda m: "\\" + m[0], _MD_ANYWHERE.sub(lambda m: "\\" + m[0], line))
    return _MD_LEADING.sub(lambda m: m[1] + (f"\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}"), line)


#: A spreadsheet reads a cell starting with one of these as a formula (OWASP: CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d,]*)?\.?\d+%?")


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` for a CSV download in which no text cell can run as a formula in Excel or LibreOffice.

    Text cells starting with = + - @, a tab or a carriage return get a leading apostrophe (the OWASP rule), so
    '=HYPERLINK(...)' shows as text. Numbers stay numbers: numeric columns are untouched, and text that is just a
    number ('-3', '+12%') is left as it is, as a spreadsheet reads it as that number, never as a formula."""
    out = frame.copy()
    for column in out.columns[out.dtypes.map(lambda t: not pd.api.types.is_numeric_dtype(t))]:
        out[column] = out[column].map(_cell_safe)
    out.columns = [_cell_safe(c) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """`frame` as a CSV file to download: UTF-8 with a byte-order mark (Excel then shows accents), lines ending
    CR LF (RFC 4180: a cell holding a carriage return is quoted, so it cannot split a row in Excel), no index,
    blanks blank, and no text cell that runs as a formula (csv_safe)."""
    return csv_safe(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _cell_safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value

"""Board pack export: the Overview's figures, peer position, trends, feedback KPIs and recommendations for
one organisation as a PDF (A4 landscape) or a PowerPoint deck (16:9), charts drawn by the app's own chart
functions through kaleido and Chromium.

    pack = build_pack(filters, "pdf", path)   # bytes
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cxdash import filters as flt
from cxdash import reference
from cxdash.report.content import Pack, PackError, assemble
from cxdash.report.figures import MISSING, ChromiumMissing, chromium_available

FORMATS = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

__all__ = [
    "FORMATS",
    "MISSING",
    "ChromiumMissing",
    "PackError",
    "build_pack",
    "chromium_available",
    "file_name",
    "filters_for",
]


def build_pack(f: flt.Filters, fmt: str, path: Path | None = None, today: date | None = None) -> bytes:
    """The board pack for the filters as 'pdf' or 'pptx' bytes.

    Raises PackError (nothing to report on) or ChromiumMissing (no browser to draw the charts with).
    """
    from cxdash.report import figures

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {list(FORMATS)}")
    figures.chromium_path()  # fail fast, before any work, when Chromium is missing
    pack = assemble(f, path, today)
    charts = pack.charts
    for chart, png in zip(charts, figures.render([(c.figure, c.width, c.height) for c in charts]), strict=True):
        chart.png = png
    if fmt == "pdf":
        from cxdash.report import pdf

        return pdf.render(pack)
    from cxdash.report import pptx

    return pptx.render(pack)


def file_name(org_name: str, fmt: str, today: date | None = None) -> str:
    """A download name such as 'kingston-borough-council-board-pack-2026-05-04.pdf'."""
    return f"{Pack(org_name=org_name, subtitle='', facts=(), produced=today or date.today()).file_stem}.{fmt}"


def _month(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise PackError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2026-03.") from None


def filters_for(
    org: str,
    path: Path | None = None,
    peer_group: str = "sector",
    start: str | None = None,
    end: str | None = None,
    framework_id: str | None = None,
) -> flt.Filters:
    """Filters as the sidebar would set them: org by id or exact name, the app's default framework and
    period unless given (start/end as 'YYYY-MM', each the start of a period held)."""
    orgs = reference.organisations(path)
    match = orgs[(orgs["org_id"] == org) | (orgs["name"] == org)]
    if match.empty:
        close = orgs[orgs["name"].str.contains(org, case=False, regex=False)]["name"].head(5).tolist()
        hint = f" Did you mean: {'; '.join(close)}?" if close else " `python -m cxdash check` lists what is held."
        raise PackError(f"No organisation with id or name {org!r}.{hint}")
    if peer_group not in flt.PEER_GROUPS:
        raise PackError(f"Unknown peer group {peer_group!r}; use one of {', '.join(flt.PEER_GROUPS)}.")
    frameworks = reference.frameworks(path)
    if framework_id is None:
        framework_id = None if frameworks.empty else str(frameworks["framework_id"].iloc[0])
    elif framework_id not in set(frameworks["framework_id"]):
        raise PackError(f"No framework {framework_id!r}; held: {', '.join(frameworks['framework_id']) or 'none'}.")
    periods = reference.periods(path)
    grain = flt.grain_months(periods)
    first, last = flt.default_window(periods)
    if start or end:
        held = sorted(periods["period_start"].map(lambda d: date(d.year, d.month, 1)).unique())
        first = _month(start) if start else first
        last = _month(end) if end else last
        for day in (first, last):
            if day not in held:
                span = f"{held[0]:%Y-%m} to {held[-1]:%Y-%m}" if held else "none held"
                every = "the first month of a quarter, " if grain == 3 else ""
                raise PackError(f"No feedback period starts in {day:%Y-%m}; use {every}from {span}.")
        if first > last:
            raise PackError("--from must not be later than --to.")
    return flt.Filters(framework_id, str(match["org_id"].iloc[0]), peer_group, first, last, grain_months=grain)

"""The view a user has chosen (organisation, peer group, period, service, channel, stage) and the
period arithmetic behind "compared with the previous period". No Streamlit here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

PEER_GROUPS = {
    "sector": "Same sector",
    "region": "Same region",
    "size_band": "Same size band",
    "org_type": "Same type",
    "all": "All organisations",
}


@dataclass(frozen=True)
class Filters:
    """Everything a page needs to know about the chosen view."""

    framework_id: str | None
    org_id: str | None
    peer_group: str = "sector"
    start: date | None = None  # first period start included
    end: date | None = None  # last period start included
    service_id: str | None = None
    channel: str | None = None
    stage: str | None = None
    grain_months: int = 1  # 3 when every period held is a quarter

    @property
    def previous(self) -> tuple[date, date] | tuple[None, None]:
        """The window of the same length just before (start, end)."""
        if self.start is None or self.end is None:
            return None, None
        return previous_window(self.start, self.end, self.grain_months)


def months_between(a: date, b: date) -> int:
    """Whole months from a to b (b later)."""
    return (b.year - a.year) * 12 + b.month - a.month


def shift_months(day: date, months: int) -> date:
    """The first of the month `months` after (or before, if negative) day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def previous_window(start: date, end: date, grain_months: int = 1) -> tuple[date, date]:
    """Window of the same number of months ending just before start.

    A window runs from the start of `start` to the end of the period starting at `end`; with
    quarters, end + 3 months. Previous of Aug-Oct is May-Jul; of the quarter from Oct, July's.
    """
    span = months_between(start, end) + grain_months
    return shift_months(start, -span), shift_months(end, -span)


def grain_months(periods: pd.DataFrame) -> int:
    """3 if every period held is a quarter, else 1."""
    return 3 if not periods.empty and (periods["period_grain"] == "quarter").all() else 1


def default_window(periods: pd.DataFrame) -> tuple[date, date] | tuple[None, None]:
    """The latest quarter: the last three months for monthly data, the last quarter for quarterly."""
    if periods.empty:
        return None, None
    starts = sorted(pd.to_datetime(periods["period_start"]).dt.date.unique())
    end = starts[-1]
    if grain_months(periods) == 3:
        return end, end
    first = shift_months(end, -2)
    return max(first, starts[0]), end


def period_label(day: date, quarterly: bool = False) -> str:
    """'Oct 2026', or '2026 Q4' for quarterly data (calendar quarter of the period start)."""
    if quarterly:
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"
    return f"{day:%b %Y}"


def window_label(start: date, end: date, quarterly: bool = False) -> str:
    """A window in words: 'Aug 2026 to Oct 2026', or one period's label."""
    if start == end:
        return period_label(start, quarterly)
    return f"{period_label(start, quarterly)} to {period_label(end, quarterly)}"

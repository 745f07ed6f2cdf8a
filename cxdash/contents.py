"""What the database holds and whether it is consistent (for `python -m cxdash check` and the app)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cxdash import db, frameworks, rollups


@dataclass
class Summary:
    """Contents of a cxdash database."""

    path: Path
    schema_version: int
    data_version: str
    tables: pd.DataFrame
    coverage: pd.DataFrame
    frameworks: pd.DataFrame
    problems: pd.DataFrame

    @property
    def consistent(self) -> bool:
        """True when no broken reference or contradiction was found."""
        return self.problems.empty


def summarise(path: Path | None = None, thorough: bool = False) -> Summary:
    """Counts per table, periods covered, frameworks, and inconsistencies of one database.

    `thorough` (the check command) also sums every feedback row and assessment answer again to compare with the
    rollups the pages read; the Data page leaves that out, as it reads every row of the largest table.
    """
    path = db.ensure_schema(path)
    frameworks.ensure_loaded(path)
    with db.reader(path) as con:
        version = db.schema_version(con) or 0
        behind = {table: rollups.differences(con, table) for table in rollups.SUMS} if thorough else {}
    problems = db.query("inconsistencies", path=path)
    late = [
        {"problem": f"rollup out of step with the {rollups.SUMS[table]}", "rows": rows, "example": table}
        for table, rows in behind.items()
        if rows
    ]
    if late:
        problems = pd.concat([problems, pd.DataFrame(late)], ignore_index=True)
    return Summary(
        path=path,
        schema_version=version,
        data_version=db.data_version(path),
        tables=db.query("table_counts", path=path),
        coverage=db.query("feedback_coverage", path=path),
        frameworks=db.query("framework_summary", path=path),
        problems=problems,
    )


def _day(value: object) -> str:
    return "" if pd.isna(value) else str(pd.Timestamp(value).date())


def render(summary: Summary) -> str:
    """The summary as plain text for a terminal."""
    lines = [f"Database {summary.path} (schema version {summary.schema_version})", "", "Rows per table:"]
    lines += [f"  {r.table:<24}{r.rows:>14,}" for r in summary.tables.itertuples()]
    lines += ["", "Feedback periods:"]
    if summary.coverage.empty:
        lines.append("  no feedback yet")
    for r in summary.coverage.itertuples():
        lines.append(
            f"  {r.period_grain:<8} {_day(r.first_period)} to {_day(r.last_period)}: {r.periods} periods, "
            f"{r.organisations} organisations, {int(r.satisfaction_responses):,} satisfaction answers, "
            f"{int(r.answers):,} answers in all"
        )
    lines += ["", "Frameworks:"]
    if summary.frameworks.empty:
        lines.append("  none loaded")
    for r in summary.frameworks.itertuples():
        span = f", rounds {_day(r.first_round)} to {_day(r.last_round)}" if r.rounds else ""
        lines.append(
            f"  {r.framework_id} ({r.name} v{r.version}): {r.pillars} pillars, {r.statements} statements, "
            f"{r.rounds} assessment rounds of {r.organisations_assessed} organisations{span}"
        )
    lines += ["", "Consistency:"]
    if summary.consistent:
        lines.append("  no problems found")
    for r in summary.problems.itertuples():
        lines.append(f"  PROBLEM: {r.problem}: {r.rows:,} rows (e.g. {r.example})")
    return "\n".join(lines)

"""Named SQL: one query per file under cxdash/sql/, loaded by name.

A query may write `{{stats}}` where it needs the score-distribution statistics; the text of
cxdash/sql/fragments/stats.sql (their one definition) is put in its place. `{{rollup_stats}}` is the
same statistics summed over the feedback_org_month rollup (fragments/rollup_stats.sql).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent / "sql"


@cache
def fragment(name: str) -> str:
    """Text of cxdash/sql/fragments/<name>.sql without its comment lines."""
    text = (SQL_DIR / "fragments" / f"{name}.sql").read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))


@cache
def sql(name: str) -> str:
    """Text of the query in cxdash/sql/<name>.sql, with fragments inlined."""
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query named {name!r} in {SQL_DIR}")
    return inline(path.read_text(encoding="utf-8"))


def inline(text: str) -> str:
    """SQL text with its {{stats}} and {{rollup_stats}} fragments put in."""
    return text.replace("{{stats}}", fragment("stats")).replace("{{rollup_stats}}", fragment("rollup_stats"))


def names() -> list[str]:
    """Every named query (schema migrations and fragments excluded)."""
    return sorted(p.stem for p in SQL_DIR.glob("*.sql"))

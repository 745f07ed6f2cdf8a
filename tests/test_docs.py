"""Docs and code agree: every import kind and column is documented, every SQL file is used."""

from __future__ import annotations

import re
from pathlib import Path

from cxdash import queries
from cxdash.imports import KINDS
from cxdash.imports.templates import TEMPLATES

ROOT = Path(__file__).resolve().parent.parent
IMPORTS_DOC = (ROOT / "docs" / "imports.md").read_text(encoding="utf-8")


def test_every_import_kind_and_column_is_documented():
    for kind in KINDS:
        assert f"### `{kind}`" in IMPORTS_DOC, kind
    for kind, template in TEMPLATES.items():
        section = IMPORTS_DOC.split(f"### `{kind}`")[1].split("\n### ")[0]
        for column in template.names:
            assert f"| `{column}` |" in section, (kind, column)
        assert (ROOT / "docs" / "templates" / f"{kind}.csv").is_file()


def test_every_named_query_is_used_and_says_what_it_returns():
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "cxdash").rglob("*.py"))
    code += "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "pages").glob("*.py"))
    for name in queries.names():
        assert re.search(rf"[\"']{name}[\"']", code), f"cxdash/sql/{name}.sql is never used"
        first = queries.sql(name).splitlines()[0]
        assert first.startswith("-- "), f"{name}.sql must start with a comment saying what it returns"


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[:1500]
    assert "make run" in head and "make test" in head
    assert (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1] == "make test"

"""Maturity frameworks are data: the shipped one is complete, and a second loads without code changes."""

from __future__ import annotations

import shutil
import tomllib

import pytest

from cxdash import config, db, frameworks

DEFAULT = config.frameworks_dir() / "public_cx" / "framework.toml"


def test_default_framework_is_complete():
    fw = frameworks.load(DEFAULT)
    assert len(fw.pillars) == 5
    assert fw.statements.groupby("pillar_id").size().min() >= 4
    names = list(fw.stages["name"])
    assert names[0] == "Ad hoc" and names[-1] == "Leading"
    assert list(fw.stages["min_score"]) == [0, 20, 40, 60, 80]
    pairs = set(zip(fw.recommendations.pillar_id, fw.recommendations.stage_level, strict=True))
    assert pairs == {(p, s) for p in fw.pillars.pillar_id for s in range(1, 6)}
    assert fw.statements.statement_id.is_unique
    assert list(fw.scale["value"]) == [1, 2, 3, 4, 5]


def test_default_framework_is_grounded_in_practice():
    text = DEFAULT.read_text(encoding="utf-8").lower()
    for idea in (
        "journey map",
        "right first time",
        "own words",
        "owner",
        "board",
        "champion",
        "co-design",
        "tell us once",
    ):
        assert idea in text, idea


def test_a_second_framework_loads_without_code_changes(tmp_path, monkeypatch):
    folder = tmp_path / "frameworks"
    shutil.copytree(config.frameworks_dir(), folder)
    data = DEFAULT.read_text(encoding="utf-8").replace('id = "public_cx"', 'id = "lite"', 1)
    (folder / "lite").mkdir()
    (folder / "lite" / "framework.toml").write_text(data, encoding="utf-8")
    monkeypatch.setenv("CXDASH_FRAMEWORKS", str(folder))
    path = db.ensure_schema(tmp_path / "x.duckdb")
    assert frameworks.sync(path) == ["lite", "public_cx"]
    held = db.query("SELECT framework_id, count(*) AS n FROM statements GROUP BY 1 ORDER BY 1", path=path)
    assert list(held.framework_id) == ["lite", "public_cx"]
    assert held.n.iloc[0] == held.n.iloc[1]


def test_reloading_replaces_rather_than_duplicates(empty_db):
    before = db.query("SELECT count(*) AS n FROM statements", path=empty_db).n[0]
    frameworks.sync(empty_db)
    assert db.query("SELECT count(*) AS n FROM statements", path=empty_db).n[0] == before


def test_a_broken_framework_lists_every_problem(tmp_path):
    data = tomllib.loads(DEFAULT.read_text(encoding="utf-8"))
    broken = DEFAULT.read_text(encoding="utf-8")
    first_rec = data["pillars"][0]["recommendations"][0]["text"]
    broken = broken.replace('name = "Ad hoc"', 'name = ""').replace(first_rec, "")
    path = tmp_path / "framework.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(frameworks.FrameworkError) as info:
        frameworks.load(path)
    message = str(info.value)
    assert "level 1: missing 'name'" in message
    assert "recommendation for stage 1: missing 'text'" in message


def test_unreadable_framework_file(tmp_path):
    path = tmp_path / "framework.toml"
    path.write_text("[framework\nid=", encoding="utf-8")
    with pytest.raises(frameworks.FrameworkError, match="cannot read framework"):
        frameworks.load(path)

"""The command line as a user runs it: separate processes, exit codes, messages."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, TEMPLATE_EXAMPLES


def cxdash(*args: str, env_db: Path | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "PYTHONPATH": str(ROOT)}
    if env_db:
        env["CXDASH_DB"] = str(env_db)
    return subprocess.run(
        [sys.executable, "-m", "cxdash", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_template_writes_an_empty_file(tmp_path):
    out = tmp_path / "orgs.csv"
    result = cxdash("template", "organisations", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("org_id,name,sector")


def test_import_then_check(tmp_path):
    path = tmp_path / "cli.duckdb"
    files = [str(TEMPLATE_EXAMPLES / f"{k}.csv") for k in ("organisations", "services", "responses")]
    result = cxdash("import", *files, "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert "responses, 4 rows read" in result.stdout
    check = cxdash("check", env_db=path)
    assert check.returncode == 0
    assert re.search(r"organisations\s+2\n", check.stdout)
    assert "public_cx" in check.stdout, "a new database gets the shipped frameworks"
    assert "no problems found" in check.stdout


def test_failed_import_exits_non_zero_and_lists_problems(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("org_id,name,sector,region,size_band,org_type\nx,X,local,R,huge,t\n,Y,local,R,small,t\n")
    path = tmp_path / "cli.duckdb"
    result = cxdash("import", str(bad), "--db", str(path))
    assert result.returncode == 1
    assert "2 problem(s); nothing was imported" in result.stderr
    assert "bad.csv, row 2, column size_band: value 'huge': not one of: small, medium, large" in result.stderr
    assert "bad.csv, row 3, column org_id: required value is blank" in result.stderr


def test_many_problems_go_to_a_file(tmp_path):
    bad = tmp_path / "many.csv"
    bad.write_text("org_id,name,sector,region,size_band,org_type\n" + "x y,X,local,R,huge,t\n" * 60)
    result = cxdash("import", str(bad), "--db", str(tmp_path / "x.duckdb"), cwd=tmp_path)
    assert result.returncode == 1
    report = tmp_path / "many-problems.csv"
    assert report.is_file() and len(report.read_text().splitlines()) == 1 + 120

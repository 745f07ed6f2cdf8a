"""Maturity frameworks as data: read data/frameworks/<id>/framework.toml, check it, store it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cxdash import config, db

FRAMEWORK_FILE = "framework.toml"


class FrameworkError(ValueError):
    """A framework file is missing parts or contradicts itself; the message lists every problem."""


@dataclass(frozen=True)
class Framework:
    """One framework's tables, as loaded from its file."""

    framework_id: str
    name: str
    version: str
    description: str
    source_file: str
    scale: pd.DataFrame
    stages: pd.DataFrame
    pillars: pd.DataFrame
    statements: pd.DataFrame
    recommendations: pd.DataFrame


def _require(table: dict[str, Any], key: str, where: str, problems: list[str]) -> Any:
    value = table.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(f"{where}: missing '{key}'")
    return value


def load(path: Path) -> Framework:
    """Read and check one framework file; raise FrameworkError listing every problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FrameworkError(f"{path}: cannot read framework: {exc}") from exc
    problems: list[str] = []
    head = data.get("framework", {})
    fid = _require(head, "id", f"{path} [framework]", problems)
    for key in ("name", "version", "description"):
        _require(head, key, f"{path} [framework]", problems)

    scale = data.get("scale", [])
    if sorted(s.get("value") for s in scale) != [1, 2, 3, 4, 5]:
        problems.append(f"{path} [[scale]]: need exactly one entry for each value 1 to 5")
    for s in scale:
        for key in ("label", "descriptor"):
            _require(s, key, f"{path} [[scale]] value {s.get('value')}", problems)

    stages = sorted(data.get("stages", []), key=lambda s: s.get("level", 0))
    if [s.get("level") for s in stages] != [1, 2, 3, 4, 5]:
        problems.append(f"{path} [[stages]]: need exactly five stages, levels 1 to 5")
    mins = [s.get("min_score") for s in stages]
    if stages and (
        mins[0] != 0
        or any(not isinstance(m, int | float) for m in mins)
        or mins != sorted(set(mins), key=mins.index)
        or sorted(mins) != mins
    ):
        problems.append(f"{path} [[stages]]: min_score must start at 0 and rise with each level: {mins}")
    for s in stages:
        for key in ("name", "descriptor"):
            _require(s, key, f"{path} [[stages]] level {s.get('level')}", problems)

    pillars = data.get("pillars", [])
    if not pillars:
        problems.append(f"{path}: no [[pillars]]")
    pillar_rows, statement_rows, rec_rows = [], [], []
    seen_statements: set[str] = set()
    for order, p in enumerate(pillars, start=1):
        pid = _require(p, "id", f"{path} [[pillars]] #{order}", problems)
        where = f"{path} pillar {pid}"
        name = _require(p, "name", where, problems)
        weight = p.get("weight", 1.0)
        if not isinstance(weight, int | float) or weight <= 0:
            problems.append(f"{where}: weight must be a positive number, not {weight!r}")
        pillar_rows.append(
            (pid, name, p.get("description", ""), float(weight) if isinstance(weight, int | float) else 1.0, order)
        )
        statements = p.get("statements", [])
        if len(statements) < 1:
            problems.append(f"{where}: no statements")
        for s_order, s in enumerate(statements, start=1):
            sid = _require(s, "id", f"{where} statement #{s_order}", problems)
            text = _require(s, "text", f"{where} statement {sid}", problems)
            if sid in seen_statements:
                problems.append(f"{where}: statement id {sid} used twice")
            seen_statements.add(sid)
            statement_rows.append((sid, pid, text, s_order))
        recs = p.get("recommendations", [])
        levels = sorted(r.get("stage") for r in recs)
        if levels != [1, 2, 3, 4, 5]:
            problems.append(f"{where}: need one recommendation for each stage 1 to 5, found {levels}")
        for r in recs:
            text = _require(r, "text", f"{where} recommendation for stage {r.get('stage')}", problems)
            rec_rows.append((pid, r.get("stage"), text))
    if problems:
        raise FrameworkError("\n".join(problems))

    return Framework(
        framework_id=fid,
        name=head["name"],
        version=str(head["version"]),
        description=head["description"],
        source_file=f"{path.parent.name}/{path.name}",
        scale=pd.DataFrame(
            [(s["value"], s["label"], s["descriptor"]) for s in sorted(scale, key=lambda s: s["value"])],
            columns=["value", "label", "descriptor"],
        ),
        stages=pd.DataFrame(
            [(s["level"], s["name"], float(s["min_score"]), s["descriptor"]) for s in stages],
            columns=["level", "name", "min_score", "descriptor"],
        ),
        pillars=pd.DataFrame(pillar_rows, columns=["pillar_id", "name", "description", "weight", "sort_order"]),
        statements=pd.DataFrame(statement_rows, columns=["statement_id", "pillar_id", "text", "sort_order"]),
        recommendations=pd.DataFrame(rec_rows, columns=["pillar_id", "stage_level", "text"]),
    )


def discover(folder: Path | None = None) -> list[Path]:
    """Framework files under the frameworks folder, one per sub-folder."""
    folder = Path(folder or config.frameworks_dir())
    return sorted(folder.glob(f"*/{FRAMEWORK_FILE}"))


def store(con: duckdb.DuckDBPyConnection, fw: Framework) -> None:
    """Replace one framework's rows inside the caller's transaction."""
    for table in ("frameworks", "framework_scale", "stages", "pillars", "statements", "recommendations"):
        con.execute(f"DELETE FROM {table} WHERE framework_id = ?", [fw.framework_id])
    con.execute(
        "INSERT INTO frameworks VALUES (?, ?, ?, ?, ?)",
        [fw.framework_id, fw.name, fw.version, fw.description, fw.source_file],
    )
    parts = {
        "framework_scale": fw.scale,
        "stages": fw.stages,
        "pillars": fw.pillars,
        "statements": fw.statements,
        "recommendations": fw.recommendations,
    }
    for table, frame in parts.items():
        con.register("incoming_framework_part", frame)
        cols = ", ".join(frame.columns)
        con.execute(
            f"INSERT INTO {table} (framework_id, {cols}) SELECT ?, {cols} FROM incoming_framework_part",
            [fw.framework_id],
        )
        con.unregister("incoming_framework_part")


def sync(path: Path | None = None, folder: Path | None = None) -> list[str]:
    """Load every framework file into the database in one transaction; return their ids."""
    loaded = [load(p) for p in discover(folder)]
    ids = [fw.framework_id for fw in loaded]
    if len(set(ids)) != len(ids):
        raise FrameworkError(f"two framework files share an id: {ids}")
    with db.writer(path) as con:
        for fw in loaded:
            store(con, fw)
    return ids


def ensure_loaded(path: Path | None = None) -> None:
    """Load the shipped frameworks into a database that has none yet."""
    path = db.ensure_schema(path)
    with db.reader(path) as con:
        held = db.scalar(con, "SELECT count(*) FROM frameworks")
    if not held and discover():
        sync(path)

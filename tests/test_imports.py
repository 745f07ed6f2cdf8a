"""Template imports: every problem reported with file, row, column, value and reason; nothing
written unless the whole file is valid; re-importing replaces rather than double-counts."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from cxdash import db
from cxdash.imports import ImportFailed, detect_kind, import_file
from cxdash.imports import base as import_base
from cxdash.imports.templates import TEMPLATES, write_template
from tests.conftest import TEMPLATE_EXAMPLES, snapshot

RESPONSES_HEADER = ",".join(TEMPLATES["responses"].names)
GOOD_RESPONSE = "R-9,2026-04-01,example-bc,example-bc--bins,web,apply,4,4,4,4,4,9,fine"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def failed_import(path: Path, db_path: Path, kind: str | None = None) -> list:
    before = snapshot(db_path)
    with pytest.raises(ImportFailed) as info:
        import_file(path, kind=kind, db_path=db_path)
    assert snapshot(db_path) == before, "a failed import must leave the database exactly as it was"
    return info.value.problems


def test_documented_examples_import_cleanly(example_db):
    counts = {t: len(rows) for t, rows in snapshot(example_db).items()}
    assert counts["organisations"] == 2
    assert counts["services"] == 3
    assert counts["assessment_responses"] == 4
    assert counts["comments"] == 2 + 2  # two comment rows + two responses that carried a comment
    assert counts["imports"] == 6


def test_response_level_rows_become_distributions(example_db):
    rows = db.query(
        "SELECT service_id, channel, stage, measure, score, responses FROM feedback_distributions "
        "WHERE service_id = 'example-bc--bins' ORDER BY ALL",
        path=example_db,
    )
    # R-0004 left ease blank: the app channel has no ease answer, the other five measures one each
    app = rows[rows.channel == "app"]
    assert sorted(app.measure) == ["effectiveness", "emotion", "recommend", "satisfaction", "trust"]
    assert set(app.responses) == {1}
    assert (
        db.query(
            "SELECT DISTINCT period_start, period_grain FROM feedback_distributions "
            "WHERE service_id = 'example-bc--bins'",
            path=example_db,
        ).shape[0]
        == 1
    )


@pytest.mark.parametrize("kind", list(TEMPLATES))
def test_importing_the_same_file_twice_changes_nothing(example_db, kind):
    def without_import_ids() -> dict[str, list]:
        out = {}
        with db.reader(example_db) as con:
            for table in ("organisations", "services", "assessment_responses", "feedback_distributions", "comments"):
                columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] != "import_id"]
                out[table] = con.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY ALL").fetchall()
        return out

    before = without_import_ids()
    result = import_file(TEMPLATE_EXAMPLES / f"{kind}.csv", kind=kind, db_path=example_db)
    assert result.rows_replaced == result.rows_written
    assert without_import_ids() == before


def test_kind_is_detected_from_columns():
    for kind, template in TEMPLATES.items():
        assert detect_kind(template.names) == kind
    assert detect_kind(["foo", "bar"]) is None


def test_missing_and_unknown_columns(tmp_path, example_db):
    path = write(
        tmp_path,
        "dist.csv",
        "period,org_id,service_id,channel,stage,measure,score,respnses\n"
        "2026-03,example-bc,example-bc--bins,web,apply,satisfaction,4,10\n",
    )
    problems = failed_import(path, example_db, kind="distributions")
    reasons = {(p.column, p.reason.split(";")[0]) for p in problems}
    assert ("respnses", "unknown column for a distributions file") in reasons
    assert ("responses", "required column is missing") in reasons
    assert all(p.file == "dist.csv" and p.row == 1 for p in problems)


def test_every_bad_cell_is_reported_at_once(tmp_path, example_db):
    text = (
        "\n".join(
            [
                RESPONSES_HEADER,
                GOOD_RESPONSE,
                "R-10,2026-04-01,example-bc,example-bc--bins,web,apply,four,4,4,4,4,9,",  # text in a number column
                "R-11,2026-04-01,example-bc,example-bc--bins,web,apply,7,4,4,4,4,9,",  # out of range
                "R-12,2026-04-01,nobody,example-bc--bins,web,apply,4,4,4,4,4,9,",  # unknown organisation
                "R-13,01/04/2026,example-bc,example-bc--bins,fax,apply,4,4,4,4,4,11,",  # bad date, channel, recommend
                "R-14,2026-04-01,example-nhs,example-bc--bins,web,apply,4,4,4,4,4,9,",  # service of another org
                "R-15,2026-04-01,example-bc,example-bc--bins,web,apply,,,,,,,",  # no score at all
            ]
        )
        + "\n"
    )
    problems = failed_import(write(tmp_path, "resp.csv", text), example_db)
    found = {(p.row, p.column, p.value) for p in problems}
    assert (3, "satisfaction", "four") in found
    assert (4, "satisfaction", "7") in found
    assert (5, "org_id", "nobody") in found
    assert {(6, "date", "01/04/2026"), (6, "channel", "fax"), (6, "recommend", "11")} <= found
    assert (7, "service_id", "example-bc--bins") in found
    assert (8, "satisfaction", "") in found
    assert not any(p.row == 2 for p in problems), "the good row has no problem"
    by_cell = {(p.row, p.column): p.reason for p in problems}
    assert by_cell[(3, "satisfaction")] == "not a whole number"
    assert by_cell[(4, "satisfaction")] == "must be 1 to 5"
    assert "unknown organisation" in by_cell[(5, "org_id")]
    assert "not one of" in by_cell[(6, "channel")]
    assert "belongs to organisation example-bc" in by_cell[(7, "service_id")]
    assert str(problems[0]).startswith("resp.csv, row ")


def test_duplicate_rows_name_the_first_occurrence(tmp_path, example_db):
    path = write(
        tmp_path,
        "d.csv",
        "\n".join(
            [
                "period,org_id,service_id,channel,stage,measure,score,responses",
                "2026-04,example-bc,example-bc--bins,web,apply,satisfaction,4,10",
                "2026-04,example-bc,example-bc--bins,web,apply,satisfaction,5,10",
                "2026-04,example-bc,example-bc--bins,web,apply,satisfaction,4,12",
            ]
        )
        + "\n",
    )
    problems = failed_import(path, example_db)
    assert len(problems) == 1
    assert problems[0].row == 4 and problems[0].reason == "duplicate of row 2"


def test_scores_outside_a_measures_scale(tmp_path, example_db):
    path = write(
        tmp_path,
        "d.csv",
        "\n".join(
            [
                "period,org_id,service_id,channel,stage,measure,score,responses",
                "2026-04,example-bc,example-bc--bins,web,apply,satisfaction,6,10",
                "2026-04,example-bc,example-bc--bins,web,apply,recommend,10,10",
                "2026-04,example-bc,example-bc--bins,web,apply,recommend,0,-3",
                "2026-13,example-bc,example-bc--bins,web,apply,ease,3,3",
            ]
        )
        + "\n",
    )
    problems = failed_import(path, example_db)
    found = {(p.row, p.column, p.reason) for p in problems}
    assert (2, "score", "outside the measure's scale") in found
    assert (4, "responses", "cannot be negative") in found
    assert any(r == 5 and c == "period" for r, c, _ in found)
    assert not any(r == 3 for r, _, _ in found), "10 is on the 0-10 recommend scale"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "file is empty"),
        (b"\n\n", "file is empty"),
        (RESPONSES_HEADER.encode() + b"\n", "file has a header but no data rows"),
        ("org_id,name\nx,Caf\u00e9 Council\n".encode("cp1252"), "file is not UTF-8"),
        ("org_id,name\nx,y\n".encode("utf-16"), "file is UTF-16"),
        (b"PK\x03\x04\x00\x00binary", "file looks binary"),
    ],
)
def test_unreadable_files(tmp_path, example_db, content, reason):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    problems = failed_import(path, example_db)
    assert any(reason in p.reason for p in problems), problems


def test_wrong_encoding_names_the_row(tmp_path, example_db):
    text = "org_id,name,sector,region,size_band,org_type\na,A,local,X,small,t\nb,Caf\u00e9,local,X,small,t\n"
    problems = failed_import(write(tmp_path, "o.csv", text, encoding="cp1252"), example_db)
    assert problems[0].row == 3 and "CSV UTF-8" in problems[0].reason


def test_unsupported_file_type(tmp_path, example_db):
    problems = failed_import(write(tmp_path, "o.json", "{}"), example_db)
    assert "unsupported file type" in problems[0].reason


def test_oversized_file_is_refused(tmp_path, example_db, monkeypatch):
    monkeypatch.setattr(import_base, "MAX_FILE_BYTES", 100)
    problems = failed_import(write(tmp_path, "o.csv", "org_id,name\n" + "a,b\n" * 100), example_db)
    assert "larger than" in problems[0].reason


def test_excel_files_import_like_csv(tmp_path, empty_db):
    path = write_template("organisations", tmp_path / "orgs.xlsx")
    book = openpyxl.load_workbook(path)
    book["organisations"].append(
        ["xl-1", "Excel District Council", "local", "South East", "small", "district council", None, "England"]
    )
    book["organisations"].append(["xl-2", "Excel NHS Trust", "health", "South East", 3, "NHS trust", None, None])
    book.save(path)
    problems = failed_import(path, empty_db)
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "size_band", "3")]
    book["organisations"]["E3"] = "large"
    book.save(path)
    result = import_file(path, db_path=empty_db)
    assert result.kind == "organisations" and result.rows_written == 2


def test_a_failed_write_rolls_everything_back(tmp_path, example_db, monkeypatch):
    before = snapshot(example_db)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    import cxdash.imports as imports_module

    monkeypatch.setattr(imports_module, "record_import", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(TEMPLATE_EXAMPLES / "distributions.csv", db_path=example_db)
    assert snapshot(example_db) == before


def test_dry_run_writes_nothing(example_db):
    before = snapshot(example_db)
    result = import_file(TEMPLATE_EXAMPLES / "responses.csv", db_path=example_db, dry_run=True)
    assert result.dry_run and result.rows_read == 4
    assert snapshot(example_db) == before


@pytest.mark.parametrize("kind", list(TEMPLATES))
def test_templates_hold_the_documented_columns(tmp_path, kind):
    csv_path = write_template(kind, tmp_path / f"{kind}.csv")
    assert csv_path.read_text().strip().split(",") == TEMPLATES[kind].names
    example_header = (TEMPLATE_EXAMPLES / f"{kind}.csv").read_text().splitlines()[0].split(",")
    assert example_header == TEMPLATES[kind].names


def test_semicolon_separated_csv_from_european_excel(tmp_path, empty_db):
    path = write(
        tmp_path,
        "orgs.csv",
        "\ufefforg_id;name;sector;region;size_band;org_type\n"
        "eu-1;Comté Council, North;local;North West;small;district council\n",
        encoding="utf-8",
    )
    result = import_file(path, db_path=empty_db)
    assert result.rows_written == 1
    assert db.query("SELECT name FROM organisations", path=empty_db).name[0] == "Comté Council, North"

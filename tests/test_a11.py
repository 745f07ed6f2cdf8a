"""A-11 import of the real published file: what it becomes, checked against figures worked out
from the raw CSV by hand (csv module only), re-import and dry-run behaviour, and broken files."""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest

from cxdash import db, metrics
from cxdash.imports import ImportFailed, import_file
from cxdash.imports.a11 import classify_questions, fiscal_quarter_start, is_ten_point
from tests.conftest import A11_FILE, snapshot


def test_the_real_file_is_beside_the_checkout():
    assert A11_FILE.is_file(), f"{A11_FILE} is missing: the A-11 tests need ../shared/data/real/"


# The file's calendar: FY2021 Q1 (October 2020) to FY2023 Q1 (October 2022).
QUARTER_STARTS = [date(2020, 10, 1)] + [date(y, m, 1) for y in (2021, 2022) for m in (1, 4, 7, 10)]


def raw_rows() -> list[dict[str, str]]:
    with open(A11_FILE, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def counts(row: dict[str, str], q: int) -> list[int]:
    return [int(row[f"attributes_q{q}_{k}"] or 0) for k in range(1, 6)]


def quarter_start(row: dict[str, str]) -> date:
    """Fiscal year Y quarter 1 is October-December of Y-1; quarter 2 starts in January of Y."""
    year, quarter = int(row["attributes_collection_year"]), int(row["attributes_collection_quarter"])
    return {1: date(year - 1, 10, 1), 2: date(year, 1, 1), 3: date(year, 4, 1), 4: date(year, 7, 1)}[quarter]


def new_db(tmp_path: Path) -> Path:
    return db.ensure_schema(tmp_path / "a11.duckdb")


@pytest.fixture(scope="module")
def _imported_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = db.ensure_schema(tmp_path_factory.mktemp("a11") / "a11.duckdb")
    import_file(A11_FILE, db_path=path)
    return path


@pytest.fixture
def imported(tmp_path: Path, _imported_file: Path) -> Path:
    """A database holding the real file (own copy)."""
    return Path(shutil.copy(_imported_file, tmp_path / "imported.duckdb"))


def contents(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows without import ids (and without the import log and the data version)."""
    with db.reader(path) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        out = {}
        for table in sorted(set(tables) - {"imports", "meta"}):
            cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] != "import_id"]
            out[table] = con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY ALL").fetchall()
    return out


def org_ids(path: Path) -> dict[str, str]:
    """provider id -> org_id, read from the ids' documented form a11-<provider id>-<slug>."""
    frame = db.query("SELECT org_id FROM organisations", path=path)
    return {org_id.split("-")[1]: org_id for org_id in frame.org_id}


# --- The real file ----------------------------------------------------------------------------


def test_real_file_becomes_28_providers_over_nine_fiscal_quarters(tmp_path):
    path = new_db(tmp_path)
    result = import_file(A11_FILE, db_path=path)
    assert result.kind == "a11" and result.rows_read == 481 and not result.dry_run
    orgs = db.query("SELECT * FROM organisations ORDER BY org_id", path=path)
    assert len(orgs) == 28 and orgs.org_id.str.startswith("a11-").all()
    # 18 organisation names as written; Fish and Wildlife's one "US Fish and Wildlife" row is read
    # as its usual "Department of the Interior"
    assert orgs.parent.nunique() == 17
    assert orgs.set_index("name").parent["Fish and Wildlife Service"] == "Department of the Interior"
    assert set(orgs.sector) == {"federal"} and set(orgs.country) == {"United States"}
    assert set(orgs.size_band) <= {"small", "medium", "large", "unknown"}
    periods = db.query("SELECT DISTINCT period_start, period_grain, stage FROM feedback_distributions", path=path)
    assert sorted(p.date() for p in periods.period_start) == QUARTER_STARTS
    assert set(periods.period_grain) == {"quarter"} and set(periods.stage) == {"whole_journey"}
    measures = db.query("SELECT DISTINCT measure FROM feedback_distributions", path=path).measure
    assert set(measures) == {
        "satisfaction",
        "trust",
        "effectiveness",
        "ease",
        "efficiency",
        "equity",
        "employee_helpfulness",
    }
    channels = db.query("SELECT DISTINCT channel FROM feedback_distributions", path=path).channel
    known = db.query("SELECT channel FROM channels", path=path).channel
    assert set(channels) <= set(known) and {"web", "app", "post", "multiple", "not_recorded"} <= set(channels)
    assert db.query("SELECT count(*) AS n FROM feedback_distributions WHERE responses <= 0", path=path).n[0] == 0
    orphans = db.query(
        "SELECT count(*) AS n FROM feedback_distributions d LEFT JOIN services s USING (service_id) "
        "WHERE s.service_id IS NULL OR s.org_id <> d.org_id",
        path=path,
    )
    assert orphans.n[0] == 0
    log = db.query("SELECT kind, rows_read, rows_written FROM imports", path=path)
    assert log.to_dict("records") == [{"kind": "a11", "rows_read": 481, "rows_written": result.rows_written}]
    text = result.summary()
    for phrase in ("28 service providers", "FY2021 Q1 to FY2023 Q1", "Duplicates: 5 cells", "10-point", "q8-q11"):
        assert phrase in text


def test_quarters_are_fiscal_because_results_were_filed_after_their_quarter_began():
    """The evidence behind reading the quarters as US federal fiscal quarters: every row was
    created after its fiscal quarter began, while 74 rows were created before the calendar
    quarter of the same number had even started (e.g. "2023 Q1" rows filed in January 2023)."""
    fiscal_early = calendar_early = 0
    for row in raw_rows():
        created = datetime.fromisoformat(row["attributes_created_at"].replace("Z", "+00:00")).date()
        year, quarter = int(row["attributes_collection_year"]), int(row["attributes_collection_quarter"])
        fiscal_early += created < quarter_start(row)
        calendar_early += created < date(year, 3 * quarter - 2, 1)
    assert fiscal_early == 0
    assert calendar_early == 74
    assert fiscal_quarter_start(2021, 1) == date(2020, 10, 1)
    assert fiscal_quarter_start(2023, 4) == date(2023, 7, 1)


def test_satisfaction_and_trust_match_figures_worked_out_from_the_raw_csv(imported):
    """Every (provider, quarter) whose rows all ask the standard satisfaction (q1) and trust (q2)
    questions: mean and top-two-box share from the CSV by hand equal the database's, through
    the app's own aggregation (STATS_SQL + add_metrics)."""
    tallies: dict[tuple[str, date], dict[str, list[int]]] = defaultdict(
        lambda: {"satisfaction": [0] * 5, "trust": [0] * 5}
    )
    unusable = set()
    for row in raw_rows():
        key = (row["attributes_service_provider_id"], quarter_start(row))
        q1, q2 = row["attributes_q1_text"].lower(), row["attributes_q2_text"].lower()
        if "satisf" not in q1 or not ("trust" in q2 or "confidence in" in q2) or "recommend" in q1 + q2:
            unusable.add(key)
        for measure, q in (("satisfaction", 1), ("trust", 2)):
            tallies[key][measure] = [a + b for a, b in zip(tallies[key][measure], counts(row, q), strict=True)]
    expected = {}
    for key, by_measure in tallies.items():
        for measure, c in by_measure.items():
            n = sum(c)
            if key in unusable or n == 0:
                continue
            mean = sum((k + 1) * x for k, x in enumerate(c)) / n
            expected[(*key, measure)] = (n, mean, 100 * (c[3] + c[4]) / n)
    pairs = {(p, q) for p, q, _ in expected}
    assert len(pairs) >= 8, "the sample must cover at least 8 (provider, quarter) pairs"
    assert len({p for p, _ in pairs}) >= 8, "and at least 8 providers"

    orgs = org_ids(imported)
    with db.reader(imported) as con:
        stats = con.execute(
            f"SELECT org_id, period_start, measure, {metrics.STATS_SQL} FROM feedback_distributions "
            "WHERE measure IN ('satisfaction', 'trust') GROUP BY ALL"
        ).df()
    got = metrics.add_metrics(stats, min_n=0)
    got = {(r.org_id, r.period_start.date(), r.measure): r for r in got.itertuples()}
    for (provider, start, measure), (n, mean, top2) in sorted(expected.items()):
        r = got[(orgs[provider], start, measure)]
        assert r.n == n, (provider, start, measure)
        assert abs(r.mean - mean) < 1e-9, (provider, start, measure)
        assert abs(r.top2_share - top2) < 1e-9, (provider, start, measure)


def cell_counts(path: Path, provider: str, row: dict[str, str], measure: str) -> list[int]:
    """The database's responses per score (1-5) in the cell a raw row lands in."""
    frame = db.query(
        "SELECT d.score, sum(d.responses) AS responses FROM feedback_distributions d "
        "JOIN services s USING (service_id) WHERE d.org_id = ? AND d.period_start = ? AND d.measure = ? "
        "AND lower(s.name) = lower(?) AND d.channel = ? GROUP BY d.score",
        [
            org_ids(path)[provider],
            quarter_start(row),
            measure,
            row["attributes_service_provided"].strip(),
            {
                "automated_phone": "automated_phone",
                "in_person": "face_to_face",
                "computer": "web",
                "website": "web",
                "email": "email",
            }[row["attributes_channel"]],
        ],
        path=path,
    )
    found = dict(zip(frame.score, frame.responses, strict=True))
    return [int(found.get(k, 0)) for k in range(1, 6)]


def test_duplicate_touchpoint_rows_are_summed_into_one_cell(imported):
    rows = raw_rows()
    first, second = rows[291 - 2], rows[292 - 2]  # spreadsheet rows 291 and 292: same cell, two submissions
    assert (first["attributes_service_provided"], first["attributes_channel"]) == (
        second["attributes_service_provided"],
        second["attributes_channel"],
    )
    for measure, q in (("satisfaction", 1), ("trust", 2), ("employee_helpfulness", 7)):
        total = [a + b for a, b in zip(counts(first, q), counts(second, q), strict=True)]
        assert cell_counts(imported, "10", first, measure) == total


def test_swapped_questions_follow_their_wording(imported):
    """One IRS.gov row asks trust as q1 and satisfaction as q2: each goes to the measure it asks."""
    row = next(r for r in raw_rows() if r["attributes_q1_text"].startswith("This interaction increased my trust"))
    assert "satisfied" in row["attributes_q2_text"]
    assert cell_counts(imported, "18", row, "trust") == counts(row, 1)
    assert cell_counts(imported, "18", row, "satisfaction") == counts(row, 2)


def test_ten_point_questions_are_imported_as_the_five_buckets_given(imported):
    rows = [r for r in raw_rows() if r["attributes_service_provider_id"] == "15"]
    assert all("10-point" in r["attributes_q1_text"] for r in rows)
    expected = [sum(counts(r, 1)[k] for r in rows) for k in range(5)]
    got = db.query(
        "SELECT score, sum(responses) AS n FROM feedback_distributions WHERE org_id = ? AND measure = 'satisfaction' "
        "GROUP BY score ORDER BY score",
        [org_ids(imported)["15"]],
        path=imported,
    )
    assert list(got.n) == expected
    assert is_ten_point("Using a 10-point scale on which '1' means 'very dissatisfied'")
    assert is_ten_point("Please rate your confidence in USPTO.  (1=not at all confident, 10=very confident)")
    assert not is_ten_point("I am satisfied with the service I received.")


def test_question_wording_decides_the_measure():
    def decide(texts: dict[int, str]) -> dict[int, tuple[str | None, str]]:
        answered = {slot: True for slot in texts}
        return {s: (d.measure, d.rule) for s, d in classify_questions(texts, answered).items() if s in texts}

    standard = {
        1: "I am satisfied with the service I received from the SBA.",
        2: "This interaction increased my confidence in the SBA.",
        3: "My need was addressed.",
        4: "It was easy to complete what I needed to do.",
        5: "It took a reasonable amount of time to do what I needed to do.",
        6: "I was treated fairly.",
        7: "Employees I interacted with were helpful.",
    }
    assert {m for m, _ in decide(standard).values()} == {
        "satisfaction",
        "trust",
        "effectiveness",
        "ease",
        "efficiency",
        "equity",
        "employee_helpfulness",
    }
    # SBA's reordered survey: fairness asked in q5, a referral question in q6
    sba = {**standard, 5: "I was treated fairly.", 6: "How likely are you to refer a friend or colleague to SBA?"}
    assert decide(sba)[5] == ("equity", "moved")
    assert decide(sba)[6] == (None, "not_a_measure")
    # loyalty questions in the trust slot are not trust; blank text with answers keeps its A-11 slot
    assert decide({2: "How likely are you to recommend the National Passport Information Center?"})[2][0] is None
    assert decide({2: "How likely will you be to return to Medicare.gov?"})[2][0] is None
    assert decide({1: "", 2: ""}) == {1: ("satisfaction", "unlabelled"), 2: ("trust", "unlabelled")}
    # a second question for a measure already in the row is skipped, never added to it
    twice = {1: "Overall, how satisfied were you?", 3: "Overall, how satisfied were you with the service?"}
    assert decide(twice) == {1: ("satisfaction", "as_worded"), 3: (None, "duplicate")}
    # custom driver wording keeps its slot
    assert decide({4: "I understood how to submit my Certificate of Eligibility."})[4] == ("ease", "by_position")
    # no answers: skipped whatever the text
    skipped = classify_questions({6: "NONE", 7: "", 5: "It took a reasonable amount of time."}, {})
    assert {s: d.rule for s, d in skipped.items() if s >= 5} == {5: "unanswered", 6: "placeholder", 7: "blank"}


# --- Re-import and dry run --------------------------------------------------------------------


def test_importing_the_file_twice_changes_nothing(imported):
    before = contents(imported)
    result = import_file(A11_FILE, db_path=imported)
    assert contents(imported) == before
    assert result.rows_replaced == result.rows_written > 0
    assert db.query("SELECT count(*) AS n FROM imports", path=imported).n[0] == 2


def test_dry_run_writes_nothing(empty_db, imported):
    for path in (empty_db, imported):
        before = snapshot(path)
        result = import_file(A11_FILE, db_path=path, dry_run=True)
        assert snapshot(path) == before
        assert result.dry_run and result.rows_written > 0
    assert result.rows_replaced == result.rows_written  # the copy that holds the file would replace it all
    assert "would write" in result.summary()


def test_a_corrected_file_replaces_its_cells(tmp_path, imported):
    header, rows = small_file_rows()
    path = write_rows(tmp_path / "fix.csv", header, rows[:2])
    import_file(path, db_path=imported)
    rows[0]["attributes_q1_5"] = str(int(rows[0]["attributes_q1_5"]) + 1000)
    path = write_rows(tmp_path / "fix.csv", header, rows[:2])
    import_file(path, db_path=imported)
    assert cell_counts(imported, rows[0]["attributes_service_provider_id"], rows[0], "satisfaction") == counts(
        rows[0], 1
    )


# --- Broken files -----------------------------------------------------------------------------


def small_file_rows() -> tuple[list[str], list[dict[str, str]]]:
    """The real header and two real rows (VA outpatient email surveys, all seven questions asked)."""
    with open(A11_FILE, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [r for r in reader if r["attributes_service_provider_id"] == "21"][:2]
        return list(reader.fieldnames or []), rows


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


BROKEN = {
    # name: (row index to change, column, new value, expected problem row, reason fragment)
    "text count": (0, "attributes_q1_3", "lots", 2, "whole number"),
    "fractional count": (1, "attributes_q4_2", "12.5", 3, "whole number"),
    "negative count": (1, "attributes_q2_5", "-4", 3, "negative"),
    "bad quarter": (0, "attributes_collection_quarter", "5", 2, "quarter"),
    "bad year": (1, "attributes_collection_year", "21", 3, "year"),
    "unknown channel": (0, "attributes_channel", "carrier pigeon", 2, "unknown channel"),
    "blank provider id": (1, "attributes_service_provider_id", "", 3, "provider id"),
    "NONE with answers": (0, "attributes_q6_text", "NONE", 2, "not asked"),
    "text in volume": (0, "attributes_volume_of_customers", "about a million", 2, "volume"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_file_is_rejected_whole_with_row_and_column(tmp_path, imported, case):
    index, column, value, problem_row, reason = BROKEN[case]
    header, rows = small_file_rows()
    rows[index][column] = value
    path = write_rows(tmp_path / "broken.csv", header, rows)
    before = snapshot(imported)
    with pytest.raises(ImportFailed) as info:
        import_file(path, db_path=imported)
    assert snapshot(imported) == before, "a failed import must leave the database exactly as it was"
    problems = info.value.problems
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [("broken.csv", problem_row, column, value)]
    assert reason in problems[0].reason


def test_a_missing_required_column_is_reported_on_the_header_row(tmp_path, imported):
    header, rows = small_file_rows()
    path = write_rows(tmp_path / "broken.csv", [h for h in header if h != "attributes_q3_text"], rows)
    before = snapshot(imported)
    with pytest.raises(ImportFailed) as info:
        import_file(path, db_path=imported, kind="a11")
    assert snapshot(imported) == before
    assert [(p.row, p.column) for p in info.value.problems] == [(1, "attributes_q3_text")]
    assert "missing" in info.value.problems[0].reason


def test_every_problem_in_a_file_is_reported_at_once(tmp_path, imported):
    header, rows = small_file_rows()
    for index, column, value, _, _ in BROKEN.values():
        rows[index][column] = value
    path = write_rows(tmp_path / "broken.csv", header, rows)
    before = snapshot(imported)
    with pytest.raises(ImportFailed) as info:
        import_file(path, db_path=imported)
    assert snapshot(imported) == before
    found = {(p.row, p.column) for p in info.value.problems}
    assert found == {(row, column) for _, column, _, row, _ in BROKEN.values()}

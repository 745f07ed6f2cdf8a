"""The demo generator: sizes, planted structure (docs/demo-data.md) and determinism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cxdash import db, demo
from tests.conftest import snapshot


def one(path: Path, sql: str, params: list | None = None):
    """First value of the first row of a query."""
    with db.reader(path) as con:
        return con.execute(sql, params or []).fetchone()[0]


def meta(path: Path, key: str) -> int:
    return int(one(path, "SELECT value FROM meta WHERE key = ?", [key]))


def test_counts_are_in_range(demo_db: Path):
    orgs = meta(demo_db, "demo_orgs")
    assert one(demo_db, "SELECT count(*) FROM organisations") == orgs
    assert one(demo_db, "SELECT count(DISTINCT name) FROM organisations") == orgs
    assert one(demo_db, "SELECT count(DISTINCT sector) FROM organisations") == 5
    per_org = db.query("SELECT org_id, count(*) AS n FROM services GROUP BY org_id", path=demo_db)
    assert len(per_org) == orgs and per_org["n"].between(3, 6).all()
    services = db.query("SELECT service_id, org_id, name FROM services", path=demo_db)
    assert (services["service_id"] == services["org_id"] + "--" + services["name"].map(demo.slugify)).all()
    assert one(demo_db, "SELECT count(*) FROM assessment_responses") > 10_000
    assert one(demo_db, "SELECT count(*) FROM feedback_distributions") > 50_000
    assert one(demo_db, "SELECT count(*) FROM comments") == max(1_500, meta(demo_db, "demo_responses") // 300)
    months = db.query("SELECT DISTINCT period_start FROM feedback_distributions ORDER BY 1", path=demo_db)
    assert [d.date() for d in months["period_start"]] == demo.month_starts()
    assert 30 <= len(demo.CATALOGUE) <= 40


def test_names_stay_unique_for_500_organisations():
    frame = demo._organisations(np.random.default_rng(7), 500)
    assert frame["name"].is_unique and frame["org_id"].is_unique and len(frame) == 500
    shares = frame["sector"].value_counts(normalize=True)
    assert shares["local"] == pytest.approx(0.40, abs=0.01)
    assert shares["regulator"] == pytest.approx(0.10, abs=0.01)


def test_every_organisation_has_three_or_four_rounds_of_6_to_20_respondents(demo_db: Path):
    rounds = db.query(
        "SELECT org_id, count(DISTINCT round_date) AS n FROM assessment_responses GROUP BY 1", path=demo_db
    )
    assert len(rounds) == meta(demo_db, "demo_orgs") and rounds["n"].between(3, 4).all()
    sizes = db.query(
        "SELECT org_id, round_date, count(DISTINCT respondent_id) AS n, "
        "count(*) / count(DISTINCT respondent_id) AS per_person "
        "FROM assessment_responses GROUP BY 1, 2",
        path=demo_db,
    )
    assert sizes["n"].between(6, 20).all()
    assert sizes["per_person"].nunique() == 1  # every respondent answers every statement
    assert one(
        demo_db,
        "SELECT min(round_date) >= DATE '2023-11-01' "
        "AND max(round_date) <= DATE '2026-10-31' FROM assessment_responses",
    )


def test_frontline_rates_lower_than_the_board(demo_db: Path):
    means = db.query(
        "SELECT respondent_role, avg(score) AS m FROM assessment_responses GROUP BY 1", path=demo_db
    ).set_index("respondent_role")["m"]
    assert means["board"] - means["frontline"] > 0.3
    assert means["frontline"] < means["manager"] < means["executive"]


def test_emotion_is_lowest_at_the_wait_stage(demo_db: Path):
    means = db.query(
        "SELECT stage, sum(responses * score) / sum(responses) AS m FROM feedback_distributions "
        "WHERE measure = 'emotion' GROUP BY 1 ORDER BY m",
        path=demo_db,
    )
    assert means["stage"].iloc[0] == "wait"
    assert means["m"].iloc[1] - means["m"].iloc[0] > 0.3


def test_app_is_easiest_and_phone_hardest(demo_db: Path):
    means = db.query(
        "SELECT channel, sum(responses * score) / sum(responses) AS m "
        "FROM feedback_distributions WHERE measure = 'ease' GROUP BY 1 ORDER BY m",
        path=demo_db,
    )
    assert means["channel"].iloc[0] == "phone" and means["channel"].iloc[-1] == "app"


def test_digital_share_grows(demo_db: Path):
    shares = db.query(
        "SELECT period_start < DATE '2024-11-01' AS first_year, "
        "sum(responses) FILTER (channel IN ('web', 'app')) / sum(responses) AS digital "
        "FROM feedback_distributions WHERE measure = 'satisfaction' "
        "AND (period_start < DATE '2024-11-01' OR period_start >= DATE '2025-11-01') GROUP BY 1",
        path=demo_db,
    ).set_index("first_year")["digital"]
    assert shares[True] < 0.45 and shares[False] > 0.55


def test_seasonal_peaks_are_busier_and_slightly_worse(demo_db: Path):
    by_month = db.query(
        "SELECT month(period_start) AS mo, sum(responses) AS n, "
        "sum(responses * score) / sum(responses) AS m FROM feedback_distributions "
        "WHERE measure = 'satisfaction' GROUP BY 1",
        path=demo_db,
    ).set_index("mo")
    assert by_month.loc[[1, 9], "n"].min() > by_month["n"].drop([1, 9]).max()
    assert by_month["n"].idxmin() == 8
    assert by_month.loc[[1, 9], "m"].max() < by_month.loc[8, "m"]


def test_more_mature_organisations_get_better_feedback(demo_db: Path):
    terciles = db.query(
        """
        WITH latest AS (SELECT org_id, max(round_date) AS d FROM assessment_responses GROUP BY 1),
        score AS (SELECT a.org_id, avg(a.score) AS s FROM assessment_responses a
                  JOIN latest l ON a.org_id = l.org_id AND a.round_date = l.d GROUP BY 1),
        third AS (SELECT org_id, ntile(3) OVER (ORDER BY s) AS t FROM score)
        SELECT t, sum(responses * score) / sum(responses) AS sat FROM feedback_distributions
        JOIN third USING (org_id) WHERE measure = 'satisfaction' GROUP BY t""",
        path=demo_db,
    )
    terciles = terciles.set_index("t")["sat"]
    assert terciles[3] > terciles[1] + 0.2


def test_bigger_organisations_get_more_responses(demo_db: Path):
    per_org = db.query(
        "SELECT size_band, sum(responses) / count(DISTINCT org_id) AS n "
        "FROM feedback_distributions JOIN organisations USING (org_id) "
        "WHERE measure = 'trust' GROUP BY 1",
        path=demo_db,
    ).set_index("size_band")["n"]
    assert per_org["small"] < per_org["large"]


def test_every_respondent_answers_every_measure_on_its_scale(demo_db: Path):
    totals = db.query(
        "SELECT measure, sum(responses) AS n, min(score) AS lo, max(score) AS hi, "
        "bool_and(f.scale_min = m.scale_min AND f.scale_max = m.scale_max) AS scales "
        "FROM feedback_distributions f JOIN measures m USING (measure) GROUP BY 1",
        path=demo_db,
    ).set_index("measure")
    assert sorted(totals.index) == sorted(demo.MEASURES)
    assert (totals["n"] == meta(demo_db, "demo_responses")).all()
    assert totals["scales"].all() and totals.loc["recommend", "hi"] == 10 and totals.loc["ease", "hi"] == 5
    assert one(demo_db, "SELECT min(responses) FROM feedback_distributions") > 0
    assert meta(demo_db, "demo_seed") == 42


def test_comments_are_varied_and_match_their_respondent(demo_db: Path):
    total = one(demo_db, "SELECT count(*) FROM comments")
    assert one(demo_db, "SELECT count(DISTINCT text) FROM comments") >= min(1_000, 0.66 * total)
    assert (
        one(
            demo_db,
            "SELECT count(*) FROM comments WHERE date_trunc('month', comment_date) "
            "NOT IN (SELECT DISTINCT period_start FROM feedback_distributions)",
        )
        == 0
    )
    waits = one(
        demo_db,
        "SELECT avg((text ILIKE '%wait%' OR text ILIKE '%update%')::INT) FROM comments "
        "WHERE stage = 'wait' AND satisfaction <= 2",
    )
    others = one(
        demo_db,
        "SELECT avg((text ILIKE '%wait%' OR text ILIKE '%update%')::INT) FROM comments "
        "WHERE stage <> 'wait' AND satisfaction <= 2",
    )
    assert waits > 2 * others
    unhappy = one(demo_db, "SELECT avg(satisfaction) FROM comments WHERE text ILIKE '%rude%'")
    happy = one(demo_db, "SELECT avg(satisfaction) FROM comments WHERE text ILIKE '%helpful and patient%'")
    assert unhappy < 2.5 < happy


def test_same_seed_same_content_other_seed_other_content(demo_db: Path, tmp_path: Path):
    responses, orgs = meta(demo_db, "demo_responses"), meta(demo_db, "demo_orgs")
    again = tmp_path / "again.duckdb"
    again.write_bytes(b"an old file that the build replaces")
    demo.build(again, responses=responses, orgs=orgs, seed=42)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.duckdb"]  # no temp or .wal left
    assert snapshot(again) == snapshot(demo_db)
    other = tmp_path / "other.duckdb"
    demo.build(other, responses=responses, orgs=orgs, seed=43)
    first, second = snapshot(demo_db), snapshot(other)
    for table in ("organisations", "assessment_responses", "feedback_distributions", "comments"):
        assert first[table] != second[table], table

"""Every metric pinned to a hand-worked example."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cxdash import metrics

# Worked by hand: counts 1:2, 2:3, 3:5, 4:10, 5:20 -> n = 40
#   sum = 2 + 6 + 15 + 40 + 100 = 163, mean = 4.075
#   sum of squares = 2 + 12 + 45 + 160 + 500 = 719; population variance = 719/40 - 4.075^2 = 1.369375
#   sample sd = sqrt(1.369375 * 40/39) = 1.185111; half-width = 1.96 * 1.185111 / sqrt(40) = 0.367263
#   top two (4-5) = 30 -> 75%; bottom two (1-2) = 5 -> 12.5%; net = 62.5 points
#   Wilson 30/40: centre = (0.75 + 3.8415/80) / (1 + 3.8415/40) = 0.72812,
#                 half = 1.95996/1.09604 * sqrt(0.75*0.25/40 + 3.8415/6400) = 0.13006 -> 59.81% .. 85.81%
FIVE_POINT = {1: 2, 2: 3, 3: 5, 4: 10, 5: 20}


def test_mean_and_interval_from_distribution():
    m = metrics.summarise_counts(FIVE_POINT)
    assert m["n"] == 40
    assert m["mean"] == pytest.approx(4.075)
    assert m["mean_low"] == pytest.approx(4.075 - 0.367263, abs=1e-5)
    assert m["mean_high"] == pytest.approx(4.075 + 0.367263, abs=1e-5)


def test_top_and_bottom_two_box_with_wilson_intervals():
    m = metrics.summarise_counts(FIVE_POINT)
    assert m["top2_share"] == pytest.approx(75.0)
    assert m["top2_low"] == pytest.approx(59.806, abs=1e-3)
    assert m["top2_high"] == pytest.approx(85.813, abs=1e-3)
    assert m["bottom2_share"] == pytest.approx(12.5)
    # Wilson 5/40 by hand: centre = (0.125 + 0.048020) / 1.096040 = 0.157861,
    # half = 1.788227 * sqrt(0.125*0.875/40 + 0.000600) = 1.788227 * 0.057746 = 0.103263 -> 5.460% .. 26.112%
    assert m["bottom2_low"] == pytest.approx(5.4598, abs=1e-3)
    assert m["bottom2_high"] == pytest.approx(26.1124, abs=1e-3)


def test_net_score_and_its_interval():
    m = metrics.summarise_counts(FIVE_POINT)
    assert m["net_score"] == pytest.approx(62.5)
    # se = sqrt((0.75 + 0.125 - 0.625^2) / 40) = sqrt(0.484375/40) = 0.110042; half = 21.568 points
    assert m["net_low"] == pytest.approx(62.5 - 21.568, abs=1e-2)
    assert m["net_high"] == pytest.approx(62.5 + 21.568, abs=1e-2)
    assert math.isnan(m["nps"]), "NPS is only defined for 0-10 scales"


def test_nps_on_a_zero_to_ten_scale():
    # 0:1, 5:2, 7:3, 9:2, 10:2 -> n = 10; promoters (9-10) = 4 = 40%; detractors (0-6) = 3 = 30%;
    # passives (7-8) = 3. NPS = 40 - 30 = 10. Mean = (0 + 10 + 21 + 18 + 20) / 10 = 6.9.
    m = metrics.summarise_counts({0: 1, 5: 2, 7: 3, 9: 2, 10: 2}, scale_min=0, scale_max=10)
    assert m["nps"] == pytest.approx(10.0)
    assert m["mean"] == pytest.approx(6.9)
    # se = sqrt((0.4 + 0.3 - 0.1^2) / 10) = 0.262679 -> half = 51.484 points
    assert m["nps_low"] == pytest.approx(10 - 51.484, abs=1e-2)
    assert m["nps_high"] == pytest.approx(10 + 51.484, abs=1e-2)
    # top two on 0-10 is 9-10, the promoters; bottom two is 0-1
    assert m["top2_share"] == pytest.approx(40.0)
    assert m["bottom2_share"] == pytest.approx(10.0)


def test_wilson_interval_at_the_edges():
    low, high = metrics.wilson_interval(np.array([0.0, 10.0]), np.array([10.0, 10.0]))
    # 0/10: low 0, high = z^2 / (n + z^2) = 3.841459 / 13.841459 = 0.277533
    assert low[0] == pytest.approx(0.0, abs=1e-12)
    assert high[0] == pytest.approx(0.277533, abs=1e-6)
    assert low[1] == pytest.approx(1 - 0.277533, abs=1e-6)
    assert high[1] == pytest.approx(1.0)


def test_small_samples_are_hidden_not_zero():
    nine = metrics.summarise_counts({5: 9}, min_n=10)
    assert nine["suppressed"]
    for column in metrics.METRIC_COLUMNS:
        assert math.isnan(nine[column]), column
    assert nine["n"] == 9, "the sample size itself is still reported"
    ten = metrics.summarise_counts({5: 10}, min_n=10)
    assert not ten["suppressed"] and ten["top2_share"] == 100.0


def test_small_sample_threshold_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CXDASH_MIN_N", "50")
    assert metrics.summarise_counts(FIVE_POINT)["suppressed"]
    monkeypatch.setenv("CXDASH_MIN_N", "40")
    assert not metrics.summarise_counts(FIVE_POINT)["suppressed"]


def test_counts_outside_the_scale_are_refused():
    with pytest.raises(ValueError, match="outside"):
        metrics.summarise_counts({6: 3})
    with pytest.raises(ValueError, match="negative"):
        metrics.summarise_counts({4: -1})


# Maturity worked by hand: pillar p has statements with means 3 and 4 -> 3.5 -> (3.5-1)/4*100 = 62.5;
# pillar q has means 2 and 2 -> 2.0 -> 25. Equal weights: overall 43.75 -> "Established" (40-60).
STAGES = pd.DataFrame(
    {
        "level": [1, 2, 3, 4, 5],
        "name": ["Ad hoc", "Emerging", "Established", "Embedded", "Leading"],
        "min_score": [0, 20, 40, 60, 80],
        "descriptor": ["a", "b", "c", "d", "e"],
    }
)
PILLARS = pd.DataFrame({"pillar_id": ["p", "q"], "name": ["P", "Q"], "weight": [1.0, 1.0], "sort_order": [1, 2]})
MEANS = pd.DataFrame(
    {
        "pillar_id": ["p", "p", "q", "q"],
        "statement_id": ["1", "2", "3", "4"],
        "mean_score": [3.0, 4.0, 2.0, 2.0],
        "respondents": [3, 3, 3, 2],
    }
)


def test_pillar_and_overall_scores():
    table = metrics.pillar_scores(MEANS, PILLARS)
    assert table.set_index("pillar_id")["score_100"].to_dict() == {"p": 62.5, "q": 25.0}
    assert metrics.overall_score(table) == pytest.approx(43.75)
    weighted = metrics.pillar_scores(MEANS, PILLARS.assign(weight=[3.0, 1.0]))
    # (3 * 62.5 + 1 * 25) / 4 = 53.125
    assert metrics.overall_score(weighted) == pytest.approx(53.125)


def test_stage_boundaries():
    assert metrics.stage_for(43.75, STAGES)["name"] == "Established"
    assert metrics.stage_for(0.0, STAGES)["name"] == "Ad hoc"
    assert metrics.stage_for(59.999, STAGES)["name"] == "Established"
    assert metrics.stage_for(60.0, STAGES)["name"] == "Embedded"
    assert metrics.stage_for(100.0, STAGES)["name"] == "Leading"
    assert metrics.stage_for(math.nan, STAGES) is None
    assert metrics.to_0_100(1) == 0 and metrics.to_0_100(3) == 50 and metrics.to_0_100(5) == 100


def test_add_metrics_is_vectorised_over_groups():
    stats = pd.DataFrame(
        {
            "n": [40, 5],
            "sum_score": [163, 25],
            "sum_score_sq": [719, 125],
            "top2": [30, 5],
            "bottom2": [5, 0],
            "promoters": [0, 0],
            "detractors": [0, 0],
            "scale_min": [1, 1],
            "scale_max": [5, 5],
        }
    )
    out = metrics.add_metrics(stats, min_n=10)
    assert out.loc[0, "top2_share"] == pytest.approx(75.0)
    assert out.loc[1, "suppressed"] and math.isnan(out.loc[1, "mean"])


def _stats(counts: dict[int, int], scale_min: int = 1, scale_max: int = 5) -> pd.DataFrame:
    row = metrics.summarise_counts(counts, scale_min, scale_max, min_n=0)
    return pd.DataFrame(
        [
            row[
                [
                    "n",
                    "sum_score",
                    "sum_score_sq",
                    "top2",
                    "bottom2",
                    "promoters",
                    "detractors",
                    "scale_min",
                    "scale_max",
                ]
            ]
        ]
    )


def test_change_in_share_is_tested_at_95_percent():
    # now 60/100 satisfied (4-5), before 45/100. Unpooled se = sqrt(.6*.4/100 + .45*.55/100) = 0.069821
    # z = 0.15 / 0.069821 = 2.1483 -> two-sided p = 0.03169: significant, up 15 points
    now = _stats({5: 60, 2: 40})
    before = _stats({4: 45, 1: 55})
    out = metrics.compare(now, before, "top2_share", min_n=10).iloc[0]
    assert out["change"] == pytest.approx(15.0)
    assert out["p_value"] == pytest.approx(0.03169, abs=1e-4)
    assert out["significant"] and out["verdict"] == "up"
    # 55/100 vs 45/100: se = sqrt(.2475/100 + .2475/100) = 0.070356, z = 1.4213, p = 0.1552: noise
    out = metrics.compare(_stats({5: 55, 1: 45}), before, "top2_share", min_n=10).iloc[0]
    assert out["p_value"] == pytest.approx(0.1552, abs=1e-3)
    assert out["verdict"] == "no significant change" and not out["significant"]


def test_change_in_nps_and_small_samples():
    # now: 50 promoters, 20 detractors of 100 -> NPS 30; before: 30 promoters, 40 detractors -> NPS -10
    # var now = (.5 + .2 - .09)/100 = .0061; before = (.3 + .4 - .01)/100 = .0069; se = 0.11402 (x100 = 11.40)
    # z = 40 / 11.402 = 3.508 -> p = 0.000451
    now = _stats({10: 50, 7: 30, 3: 20}, 0, 10)
    before = _stats({9: 30, 8: 30, 0: 40}, 0, 10)
    out = metrics.compare(now, before, "nps", min_n=10).iloc[0]
    assert out["change"] == pytest.approx(40.0)
    assert out["p_value"] == pytest.approx(0.000451, abs=2e-5)
    tiny = metrics.compare(_stats({5: 5}), before, "top2_share", min_n=10).iloc[0]
    assert tiny["verdict"] == "not enough responses" and math.isnan(tiny["change"])


def test_protect_partition_hides_what_subtraction_from_the_total_would_reveal():
    from cxdash.metrics import protect_partition

    # one small cell: the total minus the others gives it away, so the smallest other cell goes too
    assert protect_partition([200, 50, 3, 0], 10).tolist() == [False, True, True, False]
    # two small cells of 4 and 3 together are still 7 < 10 people: hide one more
    assert protect_partition([200, 4, 3, 0], 10).tolist() == [True, True, True, False]
    # 6 + 5 = 11 people in two hidden cells: nothing more to hide
    assert protect_partition([200, 6, 5], 10).tolist() == [False, True, True]
    assert protect_partition([200, 300, 0], 10).tolist() == [False, False, False]
    # a cell hidden already (on another page's rule) counts as hidden
    assert protect_partition([200, 50, 40], 10, [False, False, True]).tolist() == [False, True, True]


def test_protect_grid_works_along_rows_and_columns_until_nothing_changes():
    from cxdash.metrics import protect_grid

    # 2 x 2 with one small cell: its row, its column, and then the last cell must all go
    grid = pd.DataFrame({"r": ["a", "a", "b", "b"], "c": ["x", "y", "x", "y"], "n": [3, 100, 100, 100]})
    assert protect_grid(grid, "r", "c", 10).tolist() == [True, True, True, True]
    # 2 x 3: the small cell (a, x) and (a, y) in row a; columns x and y then each hold two hidden cells
    grid = pd.DataFrame({
        "r": ["a", "a", "a", "b", "b", "b"], "c": ["x", "y", "z", "x", "y", "z"], "n": [3, 20, 90, 15, 40, 80],
    })  # fmt: skip
    assert protect_grid(grid, "r", "c", 10).tolist() == [True, True, False, True, True, False]


def test_a_filtered_figure_is_hidden_when_the_people_it_leaves_out_are_few(empty_db):
    """Satisfaction for 'web' (n = 40) beside the organisation's (n = 43) would give away the 3 phone
    answers by subtraction, so the web figure is hidden; with 30 phone answers it is shown."""
    import duckdb

    from cxdash import feedback, rollups

    con = duckdb.connect(str(empty_db))
    con.execute("INSERT INTO organisations VALUES ('o', 'Org', 'local', 'North', 'small', 'council', NULL, NULL, NULL)")
    con.execute("INSERT INTO services VALUES ('o--a', 'o', 'Alpha', NULL, NULL)")
    rows = [("web", 5, 30), ("web", 2, 10), ("phone", 1, 3)]
    for channel, score, n in rows:
        con.execute(
            "INSERT INTO feedback_distributions VALUES ('2026-02-01', 'month', 'o', 'o--a', ?, 'apply', "
            "'satisfaction', 1, 5, ?, ?, NULL)",
            [channel, score, n],
        )
    rollups.refresh_feedback(con)  # written here directly, not through an import: keep the rollup in step
    con.close()
    web = feedback.stats_by(("measure",), org_ids=("o",), channel="web", path=empty_db, min_n=10).iloc[0]
    assert web["n"] == 40 and web["suppressed"] and math.isnan(web["top2_share"])
    whole = feedback.stats_by(("measure",), org_ids=("o",), path=empty_db, min_n=10).iloc[0]
    assert whole["n"] == 43 and whole["top2_share"] == pytest.approx(100 * 30 / 43)
    con = duckdb.connect(str(empty_db))
    con.execute("UPDATE feedback_distributions SET responses = 30 WHERE channel = 'phone'")
    rollups.refresh_feedback(con)
    con.close()
    web = feedback.stats_by(("measure",), org_ids=("o",), channel="web", path=empty_db, min_n=10).iloc[0]
    assert not web["suppressed"] and web["top2_share"] == pytest.approx(75)

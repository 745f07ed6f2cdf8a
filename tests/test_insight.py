"""Insight library: key drivers, comment themes and sentiment, and the fix-first list.

The statistics are pinned to hand-worked examples; on the demo fixture the results are checked against the
structure the generator planted (docs/demo-data.md), and on the demo and the real A-11 data against an
independent computation (hand-written SQL cells, numpy least squares, Johnson's SVD route).
"""

from __future__ import annotations

import math
import shutil
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from cxdash import db
from cxdash.filters import Filters
from cxdash.imports import import_file
from cxdash.insight import drivers, priorities, themes
from cxdash.queries import sql as named_sql
from tests.conftest import ROOT, TEMPLATE_EXAMPLES

DEMO_END = date(2026, 10, 1)
#: Planted: satisfaction = 0.45 effectiveness + 0.35 ease + 0.20 emotion + noise (docs/demo-data.md).
PLANTED = {"effectiveness": 0.45, "ease": 0.35, "emotion": 0.20}

#: Mean score and responses per cell (organisation x service x channel x stage, and period when asked) and measure.
CELLS_SQL = """
    SELECT org_id, service_id, channel, stage, CASE WHEN $by_period THEN period_start END AS p, measure,
           sum(responses) AS n, sum(responses * score) / sum(responses) AS m
    FROM feedback_distributions
    WHERE period_start BETWEEN $start AND $end AND measure = ANY($measures) AND ($orgs IS NULL OR org_id = ANY($orgs))
    GROUP BY ALL"""


def sql(path, text, **params):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(text, params).df()
    finally:
        con.close()


def hand_cells(path, measures, start, end, orgs=None, by_period=False) -> pd.DataFrame:
    """Cells holding every measure with at least 10 responses: one column of means per measure, n = outcome's."""
    rows = sql(path, CELLS_SQL, measures=measures, start=start, end=end, orgs=orgs, by_period=by_period)
    rows["p"] = rows["p"].astype(object).where(rows["p"].notna(), "pooled").astype(str)
    keys = ["org_id", "service_id", "channel", "stage", "p"]
    means = rows.pivot_table(index=keys, columns="measure", values="m")[measures]
    counts = rows.pivot_table(index=keys, columns="measure", values="n")[measures]
    keep = counts.notna().all(axis=1) & (counts >= 10).all(axis=1)
    return means[keep].assign(n=counts.loc[keep, measures[0]])


def numpy_check(cells: pd.DataFrame, outcome: str, predictors: list[str]) -> tuple[np.ndarray, np.ndarray, float]:
    """Standardised coefficients by weighted least squares and relative weights by Johnson's SVD route."""
    w = cells["n"].to_numpy(float) / cells["n"].sum()
    data = cells[[outcome, *predictors]].to_numpy(float)
    mean = w @ data
    sd = np.sqrt(w @ (data - mean) ** 2)
    z = (data - mean) / sd * np.sqrt(w)[:, None]  # weighted, standardised: z'z is the correlation matrix
    y, x = z[:, 0], z[:, 1:]
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    lam = vt.T @ np.diag(s) @ vt  # correlations of the predictors with their orthogonal counterparts u @ vt
    beta_z = (u @ vt).T @ y
    weights = (lam**2) @ (beta_z**2)
    r2 = 1 - np.sum((y - x @ beta) ** 2) / np.sum(y**2)
    return beta, weights, r2


# --- The statistics on hand-worked data -----------------------------------------------------------------


def test_relative_weights_of_uncorrelated_drivers_are_their_squared_correlations():
    corr = np.array([[1.0, 0.6, 0.3], [0.6, 1.0, 0.0], [0.3, 0.0, 1.0]])
    weights, beta, r2 = drivers.relative_weights(corr)
    assert np.allclose(weights, [0.36, 0.09])
    assert np.allclose(beta, [0.6, 0.3])
    assert r2 == pytest.approx(0.45)


def test_relative_weights_share_correlated_variance_and_add_up_to_r2():
    # Two drivers correlated 0.5, each correlated 0.5 with the outcome: symmetric, so equal weights.
    corr = np.array([[1.0, 0.5, 0.5], [0.5, 1.0, 0.5], [0.5, 0.5, 1.0]])
    weights, beta, r2 = drivers.relative_weights(corr)
    assert np.allclose(beta, [1 / 3, 1 / 3])  # (R_xx^-1 r_xy) by hand: [0.5, 0.5] / 1.5
    assert r2 == pytest.approx(1 / 3)
    assert np.allclose(weights, [1 / 6, 1 / 6])
    # And on random data the weights equal Johnson's SVD route and add up to R^2.
    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 3)) @ np.array([[1, 0.6, 0.2], [0, 1, 0.5], [0, 0, 1]])
    cells = pd.DataFrame(x, columns=["a", "b", "c"]).assign(
        y=lambda d: 0.5 * d.a + 0.3 * d.b + rng.normal(size=400), n=rng.integers(10, 100, 400)
    )
    corr = drivers.weighted_corr(cells[["y", "a", "b", "c"]].to_numpy(), cells["n"].to_numpy())
    weights, beta, r2 = drivers.relative_weights(corr)
    hand_beta, hand_weights, hand_r2 = numpy_check(cells, "y", ["a", "b", "c"])
    assert np.allclose(beta, hand_beta) and np.allclose(weights, hand_weights) and r2 == pytest.approx(hand_r2)
    assert weights.sum() == pytest.approx(r2)


def test_weighted_correlation_counts_a_cell_of_weight_two_twice():
    data = np.array([[1.0, 2.0], [2.0, 1.0], [4.0, 5.0]])
    doubled = np.array([[1.0, 2.0], [2.0, 1.0], [2.0, 1.0], [4.0, 5.0]])
    assert np.allclose(drivers.weighted_corr(data, np.array([1, 2, 1])), np.corrcoef(doubled.T))


def test_bootstrap_is_repeatable_and_its_intervals_hold_the_estimate():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 2))
    cells = pd.DataFrame({"y": x @ [0.7, 0.2] + rng.normal(scale=0.5, size=200), "a": x[:, 0], "b": x[:, 1], "n": 20})
    first = drivers.estimate(cells, "y", ["a", "b"], resamples=300)
    second = drivers.estimate(cells, "y", ["a", "b"], resamples=300)
    pd.testing.assert_frame_equal(first["table"], second["table"])
    t = first["table"]
    assert list(t["measure"]) == ["a", "b"]
    assert ((t["share_low"] <= t["share"]) & (t["share"] <= t["share_high"])).all()
    assert ((t["beta_low"] <= t["beta"]) & (t["beta"] <= t["beta_high"])).all()
    assert first["effective_cells"] == pytest.approx(200)


def test_quadrants_split_at_an_equal_share_and_our_average():
    table = pd.DataFrame({"share": [0.5, 0.3, 0.2], "performance": [40.0, 70.0, math.nan]})
    out = drivers.quadrants(table)
    # equal share 1/3; average of the shown performances 55
    assert list(out["quadrant"]) == ["Fix first", "Maintain", "not enough responses"]


# --- Drivers on the demo: the planted structure, recomputed independently ---------------------------------


@pytest.fixture(scope="module")
def demo_all(demo_db):
    org = sql(demo_db, "SELECT min(org_id) AS o FROM organisations")["o"][0]
    f = Filters("public_cx", org, "sector", date(2026, 8, 1), DEMO_END)
    return f, drivers.analyse(f, "satisfaction", "all", "all", path=demo_db)


def test_demo_drivers_rank_as_planted(demo_all):
    _, result = demo_all
    assert result.ok, result.reason
    table = result.table.set_index("measure")
    assert list(result.table["measure"]) == ["effectiveness", "ease", "emotion"]  # ranked by share
    assert table["beta"].idxmax() == "effectiveness" and table["beta"].idxmin() == "emotion"
    assert table.loc["effectiveness", "beta"] > table.loc["ease", "beta"] > table.loc["emotion", "beta"]
    for measure, planted in PLANTED.items():  # cell means keep the planted weights within sampling error
        assert abs(table.loc[measure, "beta"] - planted) < 0.1, (measure, table.loc[measure, "beta"])
    assert table["share"].sum() == pytest.approx(1)
    assert table["share"].between(0.2, 0.5).all()  # no driver dominates: all three are planted
    assert result.r2 > 0.8  # noise N(0, 0.45) on satisfaction mostly averages out within cells


def test_demo_drivers_agree_with_numpy_on_hand_built_cells(demo_all, demo_db):
    _, result = demo_all
    measures = ["satisfaction", "effectiveness", "ease", "emotion"]
    cells = hand_cells(demo_db, measures, date(2023, 11, 1), DEMO_END)
    beta, weights, r2 = numpy_check(cells, "satisfaction", measures[1:])
    table = result.table.set_index("measure").loc[measures[1:]]
    assert (result.cells, result.respondents) == (len(cells), int(cells["n"].sum()))
    assert np.allclose(table["beta"], beta) and np.allclose(table["weight"], weights)
    assert result.r2 == pytest.approx(r2)
    assert not result.by_period  # monthly cells are too small on the demo: periods are pooled
    assert f"{len(cells):,} cells" in result.sample and f"{int(cells['n'].sum()):,} responses" in result.sample
    assert "Johnson's relative weights" in result.method and "bootstrap" in result.method


def test_a_small_scope_widens_and_says_so(demo_db):
    org = sql(demo_db, "SELECT min(org_id) AS o FROM organisations")["o"][0]
    f = Filters("public_cx", org, "sector", date(2026, 8, 1), DEMO_END)
    result = drivers.analyse(f, "satisfaction", "org", "period", path=demo_db)
    assert result.ok and result.scope != "org"
    assert "alone has" in result.note and "needed" in result.note


def test_performance_is_the_organisations_share_rating_4_or_5(demo_all, demo_db):
    f, result = demo_all
    hand = sql(
        demo_db,
        """SELECT measure, 100.0 * sum(responses) FILTER (WHERE score >= 4) / sum(responses) AS v
           FROM feedback_distributions WHERE org_id = $org AND period_start BETWEEN $s AND $e GROUP BY measure""",
        org=f.org_id,
        s=f.start,
        e=f.end,
    ).set_index("measure")["v"]
    for row in result.table.to_dict("records"):
        assert row["performance"] == pytest.approx(hand[row["measure"]])


# --- Drivers on the real A-11 data ----------------------------------------------------------------------


def test_a11_drivers_run_state_their_sample_and_agree_with_numpy(a11_db):
    irs = "a11-18-internal-revenue-service"
    f = Filters("public_cx", irs, "sector", date(2022, 10, 1), date(2022, 10, 1), grain_months=3)
    result = drivers.analyse(f, "satisfaction", "org", "all", path=a11_db)
    assert result.ok and result.scope == "org", result.reason
    assert result.by_period and "journey stage" not in result.cell_label  # provider x service x channel x quarter
    assert any("Equity is left out" in s for s in result.left_out)  # asked in too few of its touchpoints
    used = list(result.table.sort_values("sort_order")["measure"])
    cells = hand_cells(a11_db, ["satisfaction", *used], date(2020, 10, 1), date(2022, 10, 1), [irs], True)
    beta, weights, _ = numpy_check(cells, "satisfaction", used)
    table = result.table.set_index("measure").loc[used]
    assert (result.cells, result.respondents) == (len(cells), int(cells["n"].sum()))
    assert np.allclose(table["beta"], beta) and np.allclose(table["weight"], weights)
    assert "Johnson's relative weights" in result.method and f"{result.cells:,} cells" in result.sample


def test_drivers_explain_why_there_is_nothing(empty_db):
    result = drivers.analyse(Filters("public_cx", None), path=empty_db)
    assert not result.ok and "No citizen feedback" in result.reason


# --- Themes and sentiment ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_model(demo_db):
    return themes.model(demo_db)


def test_themes_recover_the_planted_themes_by_where_their_comments_come_from(demo_model):
    comments = demo_model.comments
    base = comments["stage"].value_counts(normalize=True)
    found = []
    for _, group in comments[comments["theme"] >= 0].groupby("theme"):
        if len(group) < 0.03 * len(comments):
            continue
        stage = group["stage"].value_counts(normalize=True)
        found.append({
            "wait": stage.get("wait", 0), "top_stage": stage.index[0], "find_out": stage.get("find_out", 0),
            "digital": group["channel"].isin(["web", "app"]).mean(),
            "in_person": group["channel"].isin(["phone", "face_to_face"]).mean(),
        })  # fmt: skip
    found = pd.DataFrame(found)
    # waiting / no updates: mostly at the wait stage (planted weight 6 vs 0.5; at most ~60% given the mix)
    waiting = found[(found["top_stage"] == "wait") & (found["wait"] >= max(0.4, 2 * base["wait"]))]
    # website / online form: web or app (planted 4 vs 0.15)
    website = found[found["digital"] >= 0.8]
    # staff rude / helpful: phone or face to face (planted 3.5 vs 0.3)
    staff = found[found["in_person"] >= 0.75]
    # information clear / confusing: finding out (planted 5 vs 0.5)
    information = found[(found["top_stage"] == "find_out") & (found["find_out"] >= 2 * base["find_out"])]
    assert not waiting.empty and not website.empty and not staff.empty and not information.empty, found
    assert len({waiting.index[0], website.index[0], staff.index[0], information.index[0]}) == 4


def test_passed_around_theme_gathers_the_ineffective(demo_db, demo_model):
    scores = sql(demo_db, "SELECT comment_id, effectiveness FROM comments")
    comments = demo_model.comments.merge(scores, on="comment_id")
    share = comments[comments["theme"] >= 0].groupby("theme")["effectiveness"].apply(lambda s: (s <= 2).mean())
    assert share.max() >= 0.6  # planted: passed around only when effectiveness <= 2
    assert share.max() > 2 * (comments["effectiveness"] <= 2).mean()


def test_theme_labels_are_the_models_own_top_words(demo_model):
    for theme, words in demo_model.terms.items():
        label = demo_model.label(theme)
        assert label.lower() == ", ".join(words[:3])
        texts = demo_model.comments.loc[demo_model.comments["theme"] == theme, "text"].str.lower()
        for word in words[:3]:  # every label word is written in the theme's comments
            assert texts.str.contains(word, regex=False).any(), (label, word)


def test_sentiment_rises_with_satisfaction(demo_model):
    comments = demo_model.comments.dropna(subset=["satisfaction"])
    rho = comments["sentiment"].rank().corr(comments["satisfaction"].rank())
    assert rho > 0.4
    means = comments.groupby("satisfaction")["sentiment"].mean()
    assert means.loc[1] < means.loc[3] < means.loc[5]


def test_the_theme_model_downloads_nothing_and_repeats(demo_db, demo_model, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the theme model tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    themes._model.cache_clear()
    themes._vader.cache_clear()
    themes._stop_words.cache_clear()
    fitted = themes._finish(*themes._fitted(db.query("insight_comments", path=demo_db)))  # fitted again, now
    pd.testing.assert_frame_equal(fitted.comments, demo_model.comments)
    assert fitted.terms == demo_model.terms and fitted.fitted_on == demo_model.fitted_on
    again = themes.model(demo_db)
    pd.testing.assert_frame_equal(again.comments, demo_model.comments)
    assert again.terms == demo_model.terms


def test_a_new_process_reads_the_stored_themes_without_fitting(demo_db):
    """The demo build stored themes and sentiment: a new process (a new app server) loads neither
    scikit-learn nor VADER to show them."""
    code = (
        "import sys; from pathlib import Path; from cxdash.insight import themes; "
        f"m = themes.model(Path({str(demo_db)!r})); "
        "print(len(m.comments), m.reason is None, 'sklearn' in sys.modules, any('vader' in k for k in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    held = sql(demo_db, "SELECT count(*) AS n FROM comments")["n"][0]
    assert out.split() == [str(held), "True", "False", "False"]


@pytest.fixture
def demo_copy(tmp_path, demo_db):
    return Path(shutil.copy(demo_db, tmp_path / "demo.duckdb"))


def test_an_import_of_comments_stores_their_themes_again(demo_copy):
    import_file(TEMPLATE_EXAMPLES / "organisations.csv", db_path=demo_copy)
    import_file(TEMPLATE_EXAMPLES / "services.csv", db_path=demo_copy)
    import_file(TEMPLATE_EXAMPLES / "comments.csv", db_path=demo_copy)
    kept = sql(demo_copy, named_sql("comments_fingerprint"))
    assert kept["stored"][0] == kept["fingerprint"][0]
    counts = sql(demo_copy, "SELECT (SELECT count(*) FROM comments) AS c, (SELECT count(*) FROM comment_themes) AS t")
    assert counts["c"][0] == counts["t"][0]
    model = themes.model(demo_copy)
    assert "C-0001" in set(model.comments["comment_id"]) and model.comments["theme"].notna().all()


def test_comments_changed_without_storing_are_fitted_in_process(demo_copy):
    """A file whose comments changed by another route (no stored themes for them) is still right: fitted now."""
    con = duckdb.connect(str(demo_copy))
    con.execute(
        "INSERT INTO comments (comment_id, comment_date, org_id, channel, stage, text) "
        "SELECT 'new-1', comment_date, org_id, channel, stage, 'Waited weeks and nobody called back' "
        "FROM comments LIMIT 1"
    )
    con.close()
    model = themes.model(demo_copy)
    assert "new-1" in set(model.comments["comment_id"])
    assert len(model.comments) == sql(demo_copy, "SELECT count(*) AS n FROM comments")["n"][0]


def test_theme_summary_counts_the_scopes_comments(demo_db):
    org = sql(demo_db, "SELECT org_id FROM comments GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")["org_id"][0]
    f = Filters("public_cx", org, "sector", date(2026, 8, 1), DEMO_END)
    view = themes.summarise(f, "org", "all", demo_db)
    n = sql(demo_db, "SELECT count(*) AS n FROM comments WHERE org_id = $o AND comment_date < '2026-11-01'", o=org)
    assert view.ok and view.comments == n["n"][0] == view.table["comments"].sum()
    assert view.by_stage.groupby("theme")["share"].sum().round(9).eq(1).all()
    assert all(1 <= len(q) <= themes.QUOTES for q in view.table["quotes"])
    listed = themes.theme_comments(f, "org", "all", int(view.table["theme"].iloc[0]), demo_db)
    assert len(listed) == view.table["comments"].iloc[0]


def test_theme_change_uses_the_dashboards_test():
    quarters = pd.date_range("2024-01-01", periods=8, freq="QS").date
    trend = pd.DataFrame({"theme": 0, "quarter": quarters, "comments": [10] * 4 + [30] * 4, "total": 100})
    result = themes.change(trend, 0)
    # 30% of 400 against 10% of 400: z = 0.2 / sqrt(0.3*0.7/400 + 0.1*0.9/400) = 7.3
    assert result["verdict"] == "up" and result["current"] == pytest.approx(30) and result["p_value"] < 1e-6
    sentence = themes.change_sentence("Wait, kept", result)
    assert "up, beyond noise" in sentence and "z-test" in sentence
    assert themes.change(trend.head(6), 0) is None


def test_themes_explain_why_there_are_none(empty_db, example_db):
    f = Filters("public_cx", None)
    assert "no free-text comments" in themes.summarise(f, path=empty_db).reason
    assert "themes need at least" in themes.summarise(f, path=example_db).reason


# --- What to fix first --------------------------------------------------------------------------------------


def item(kind, area, importance, weakness, severity=None):
    return {"kind": kind, "area": area, "detail": f"{area}.", "action": "", "importance": importance,
            "weakness": weakness, "severity": weakness if severity is None else severity, "n": 10}  # fmt: skip


def test_fix_first_scores_and_ranks_by_the_documented_rule(monkeypatch):
    monkeypatch.setattr(priorities, "_pillar_items", lambda f, p: ([item("maturity", "Data", 1, 1, 1.5)], True))
    monkeypatch.setattr(
        priorities,
        "_driver_items",
        lambda f, o, p: [item("driver", "Ease", 0.8, 0.5), item("driver", "Emotion", 1, 1, 1.2)],
    )
    monkeypatch.setattr(priorities, "_theme_items", lambda f, p: [item("theme", "Wait", 0.5, 0.6)])
    out = priorities.fix_first(Filters("public_cx", "x"))
    # 100 x importance x weakness; the two at the cap are ordered by importance x uncapped shortfall
    assert list(out["area"]) == ["Data", "Emotion", "Ease", "Wait"]
    assert list(out["score"].round(6)) == [100, 100, 40, 30]
    assert list(out["rank"]) == [1, 2, 3, 4] and list(out.columns) == priorities.COLUMNS


def test_fix_first_on_the_demo_explains_each_item_with_its_numbers(demo_db):
    org = sql(
        demo_db,
        "SELECT org_id FROM comments WHERE org_id IN (SELECT org_id FROM assessment_responses) "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    )["org_id"][0]
    f = Filters("public_cx", org, "sector", date(2026, 8, 1), DEMO_END)
    out = priorities.fix_first(f, demo_db)
    assert not out.empty and out["score"].is_monotonic_decreasing and out["score"].between(0, 100).all()
    assert set(out["kind"]) <= set(priorities.KINDS)
    pillars = sql(
        demo_db,
        """WITH latest AS (SELECT max(round_date) AS d FROM assessment_responses WHERE org_id = $org),
           st AS (SELECT s.pillar_id, a.statement_id, avg(a.score) AS m FROM assessment_responses a
                  JOIN statements s USING (framework_id, statement_id)
                  WHERE a.org_id = $org AND a.round_date = (SELECT d FROM latest) GROUP BY ALL)
           SELECT p.name, avg((m - 1) / 4 * 100) AS score FROM st JOIN pillars p USING (pillar_id) GROUP BY p.name""",
        org=org,
    ).set_index("name")["score"]
    for row in out[out["kind"] == "maturity"].to_dict("records"):
        assert f"scores {pillars[row['area']]:.0f}/100" in row["detail"] and row["action"]
    assert "priority = 100 × importance × weakness" in priorities.rule()


def test_fix_first_is_empty_without_an_organisation(empty_db):
    out = priorities.fix_first(Filters("public_cx", None), empty_db)
    assert out.empty and list(out.columns) == priorities.COLUMNS


def test_fix_first_across_the_demo_finds_the_planted_structure(demo_db):
    """The generator plants satisfaction = 0.45 effectiveness + 0.35 ease + 0.20 emotion and a 'waiting, no
    updates' comment theme at the wait stage (docs/demo-data.md). Across every demo organisation the list's
    driver items name effectiveness most often, and a waiting theme is placed at the wait stage."""
    from collections import Counter

    drivers_named, waiting = Counter(), []
    for org in sql(demo_db, "SELECT org_id FROM organisations")["org_id"]:
        out = priorities.fix_first(Filters("public_cx", org, "sector", date(2026, 8, 1), DEMO_END), demo_db)
        drivers_named.update(out.loc[out["kind"] == "driver", "area"])
        waiting += [a for a in out.loc[out["kind"] == "theme", "area"] if "wait" in a.lower().split(",")[0]]
    assert drivers_named.most_common(1)[0][0] == "Effectiveness", drivers_named
    assert set(drivers_named) <= {"Effectiveness", "Ease", "Emotion", "Trust"}
    assert waiting and all(a.endswith("most often while waiting") for a in waiting), waiting


def test_any_import_stores_themes_a_file_from_before_version_4_lacks(demo_copy):
    con = duckdb.connect(str(demo_copy))
    con.execute("DELETE FROM comment_themes")  # as a version-3 file migrated: tables there, nothing stored
    con.execute("DELETE FROM meta WHERE key LIKE 'themes_%'")
    con.close()
    import_file(TEMPLATE_EXAMPLES / "organisations.csv", db_path=demo_copy)  # writes no comments
    kept = sql(demo_copy, named_sql("comments_fingerprint"))
    assert kept["stored"][0] == kept["fingerprint"][0]
    assert sql(demo_copy, "SELECT count(*) AS n FROM comment_themes")["n"][0] == len(themes.model(demo_copy).comments)

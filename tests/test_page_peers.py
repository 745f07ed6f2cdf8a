"""Peers page: percentiles, quartiles, medians and the league table agree with independent SQL and hand
computation over the same database; anonymising hides every peer name; small groups and samples say so."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from cxdash import peers
from tests.test_app import start

PAGE = "pages/peers.py"
WINDOW = (date(2026, 8, 1), date(2026, 10, 1))  # the default window: the fixture's last three months

# Each organisation's latest overall maturity score from raw answers: statement means -> pillar means
# (0-100) -> weight-averaged over pillars.
OVERALL_SQL = """
    WITH latest AS (SELECT org_id, max(round_date) AS d FROM assessment_responses GROUP BY org_id),
    st AS (SELECT a.org_id, s.pillar_id, a.statement_id, avg(a.score) AS m
           FROM assessment_responses a JOIN latest l ON a.org_id = l.org_id AND a.round_date = l.d
           JOIN statements s USING (framework_id, statement_id) GROUP BY ALL),
    pl AS (SELECT org_id, pillar_id, avg((m - 1) / 4 * 100) AS score FROM st GROUP BY ALL)
    SELECT pl.org_id, sum(score * p.weight) / sum(p.weight) FROM pl JOIN pillars p USING (pillar_id)
    GROUP BY pl.org_id"""

# Share rating 4-5 of one measure per organisation over a window, with its number of responses.
TOP2_SQL = """
    SELECT org_id, 100.0 * sum(responses) FILTER (WHERE score >= 4) / sum(responses), sum(responses)
    FROM feedback_distributions WHERE measure = $measure AND period_start BETWEEN $start AND $end
    GROUP BY org_id"""


def sql(db_path, text, **params) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(text, params).fetchall()
    finally:
        con.close()


def open_page(monkeypatch, db_path, org_id: str | None = None, group: str | None = None, presenting=None):
    at = start(monkeypatch, db_path)
    if presenting is not None:
        at.session_state["present"] = presenting
    at.switch_page(PAGE).run()
    if org_id:
        at.selectbox(key="org").set_value(org_id).run()
    if group:
        at.selectbox(key="peers").set_value(group).run()
    assert not at.exception, at.exception
    return at


def table(at, column: str) -> pd.DataFrame:
    """The page's dataframe holding `column`."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def standing_of(at) -> pd.DataFrame:
    """The "where we stand" table, by figure."""
    return table(at, "Peer median").set_index("Figure")


def group_ids(db_path, org_id: str, group: str) -> list[str]:
    if group == "all":
        return [r[0] for r in sql(db_path, "SELECT org_id FROM organisations")]
    return [
        r[0]
        for r in sql(
            db_path,
            f"SELECT org_id FROM organisations WHERE {group} = (SELECT {group} FROM organisations WHERE org_id = $o)",
            o=org_id,
        )
    ]


def hand_percentile(own: float, others: list[float]) -> float:
    below = sum(o < own - 1e-9 for o in others)
    tied = sum(abs(o - own) <= 1e-9 for o in others)
    return 100 * (below + tied / 2) / len(others)


def quartile_words(p: float) -> str:
    return (
        "Top quartile"
        if p >= 75
        else "Second quartile"
        if p >= 50
        else "Third quartile"
        if p >= 25
        else ("Bottom quartile")
    )


def check_against_sql(at, db_path, org_id: str, group: str) -> None:
    ids = set(group_ids(db_path, org_id, group))
    stand = standing_of(at)
    overall = {o: s for o, s in sql(db_path, OVERALL_SQL) if o in ids}
    own = overall.pop(org_id)
    others = list(overall.values())
    row = stand.loc["Overall score"]
    assert row["Ours"] == f"{own:.0f}"
    assert row["Peers compared"] == len(others)
    assert row["Peer median"] == f"{np.median(others):.0f}"
    if len(others) < 5:
        assert "Percentile" not in stand.columns or (pd.isna(row["Percentile"]) and row["Quartile"] == "–")
        assert f"Only {len(others)} other organisations in this group have results" in " ".join(
            [w.value for w in at.warning] + list(stand.get("Note", []))
        )
    else:
        expected = hand_percentile(own, others)
        assert row["Percentile"] == round(expected)
        assert row["Quartile"] == quartile_words(expected)

    top2 = {o: (v, n) for o, v, n in sql(db_path, TOP2_SQL, measure="satisfaction", start=WINDOW[0], end=WINDOW[1])}
    published = {o: v for o, (v, n) in top2.items() if o in ids and n >= 10}
    own_sat = published.pop(org_id)
    row = stand.loc["Satisfaction"]
    assert row["Ours"] == f"{own_sat:.0f}%"
    assert row["Peers compared"] == len(published)
    if len(published) >= 5:
        assert row["Percentile"] == round(hand_percentile(own_sat, list(published.values())))


# --- the page on the demo fixture -----------------------------------------------------------------


def test_default_view_matches_independent_sql(monkeypatch, demo_db):
    at = open_page(monkeypatch, demo_db)
    org_id, group = at.selectbox(key="org").value, at.selectbox(key="peers").value
    assert group == "sector"
    check_against_sql(at, demo_db, org_id, group)
    assert len(at.get("plotly_chart")) == 2
    text = " ".join(m.value for m in at.markdown)
    assert "same sector (local government)" in text.lower()
    league = table(at, "Rank")
    scores = dict(sql(demo_db, OVERALL_SQL))
    assert len(league) == len(group_ids(demo_db, org_id, group))
    assert list(league["Overall score"]) == sorted((round(scores[o]) for o in group_ids(demo_db, org_id, group)),
                                                   reverse=True)  # fmt: skip
    assert league["Rank"].iloc[0] == 1


def test_changed_group_and_organisation(monkeypatch, demo_db):
    other = "hazeldale-metropolitan-borough-council"
    at = open_page(monkeypatch, demo_db, org_id=other, group="all")
    check_against_sql(at, demo_db, other, "all")
    assert "all organisations" in " ".join(m.value for m in at.markdown).lower()
    at.selectbox(key="peers").set_value("size_band").run()  # 5 large bodies: too few for a percentile
    check_against_sql(at, demo_db, other, "size_band")
    at.selectbox(key="org").set_value("whitham-council").run()  # 11 medium bodies
    check_against_sql(at, demo_db, "whitham-council", "size_band")


def test_anonymise_hides_every_peer_name(monkeypatch, demo_db):
    at = open_page(monkeypatch, demo_db, group="all")
    own = sql(demo_db, "SELECT name FROM organisations WHERE org_id = $o", o=at.selectbox(key="org").value)[0][0]
    others = [r[0] for r in sql(demo_db, "SELECT name FROM organisations WHERE name <> $n", n=own)]
    names = " ".join(table(at, "Rank")["Organisation"])
    assert own in names and any(o in names for o in others)
    assert at.toggle(key="peers_anonymise").value is False

    at.toggle(key="peers_anonymise").set_value(True).run()
    league = table(at, "Rank")
    shown = " ".join(league["Organisation"])
    charts = " ".join(c.proto.spec for c in at.get("plotly_chart"))
    assert own in shown
    for name in others:
        assert name not in shown and name not in charts
    labels = [o for o in league["Organisation"] if not o.endswith(own)]
    assert labels == [f"Peer {peers.peer_letters(i)}" for i in range(len(others))]  # letters follow the ranking


def test_presentation_mode_anonymises_by_default(monkeypatch, demo_db):
    at = open_page(monkeypatch, demo_db, presenting=True)
    assert at.toggle(key="peers_anonymise").value is True
    assert all(o.startswith(("Peer ", "★ ")) for o in table(at, "Rank")["Organisation"])


def test_too_small_group_says_so_instead_of_a_percentile(monkeypatch, demo_db):
    at = open_page(monkeypatch, demo_db, org_id="oakworth-community-health-nhs-trust")  # 4 health bodies
    stand = table(at, "Peer median")
    assert "Percentile" not in stand.columns and "Quartile" not in stand.columns
    message = "Only 3 other organisations in this group have results; choose a wider peer group."
    assert [w.value for w in at.warning] == [message]  # said once, above the table
    assert len(at.get("plotly_chart")) == 0 and not at.info
    at.selectbox(key="peers").set_value("all").run()
    assert table(at, "Percentile")["Percentile"].notna().all()


def test_peers_under_the_small_sample_threshold_are_left_out(monkeypatch, demo_db, tmp_path):
    path = shutil.copy(demo_db, tmp_path / "min_n.duckdb")  # own path: its own cache entries
    monkeypatch.setenv("CXDASH_MIN_N", "100")
    org_id = "hazeldale-metropolitan-borough-council"
    at = open_page(monkeypatch, path, org_id=org_id, group="all")
    top2 = sql(path, TOP2_SQL, measure="satisfaction", start=WINDOW[0], end=WINDOW[1])
    small = [o for o, _, n in top2 if n < 100 and o != org_id]
    kept = {o: v for o, v, n in top2 if n >= 100}
    assert small
    row = standing_of(at).loc["Satisfaction"]
    assert f"{len(small)} peers left out: fewer than 100 responses." in row["Note"]
    assert row["Peers compared"] == len(kept) - 1
    own = kept.pop(org_id)
    assert row["Percentile"] == round(hand_percentile(own, list(kept.values())))
    league = table(at, "Rank")
    assert league["Satisfaction"].str.startswith("not enough responses (n = ").sum() == len(small)


# --- empty states and other data ------------------------------------------------------------------


def test_empty_database_explains(monkeypatch, empty_db):
    at = open_page(monkeypatch, empty_db)
    assert "Choose an organisation" in " ".join(i.value for i in at.info)


def test_unassessed_organisation_and_small_feedback(monkeypatch, example_db):
    at = open_page(monkeypatch, example_db, org_id="example-bc", group="all")
    n = sql(example_db, "SELECT sum(responses) FROM feedback_distributions WHERE org_id = 'example-bc' "
                        "AND measure = 'satisfaction' AND period_start >= '2026-01-01'")[0][0]  # fmt: skip
    assert n < 10
    assert standing_of(at).loc["Satisfaction", "Ours"] == f"not enough responses (n = {n})"
    assert f"not enough responses (n = {n})" in set(table(at, "Rank")["Satisfaction"])
    at.selectbox(key="org").set_value("example-nhs").run()
    assert not at.exception and "Overall score" not in standing_of(at).index
    infos = [i.value for i in at.info]
    assert "Example NHS Foundation Trust has no maturity assessment yet; 1 organisation in this group has one." in infos
    assert "not assessed" in set(table(at, "Rank")["Stage"])


def test_a11_compares_feedback_across_providers(monkeypatch, a11_db):
    at = open_page(monkeypatch, a11_db)
    infos = " ".join(i.value for i in at.info)
    assert "No organisation in this group has a maturity assessment yet" in infos
    org_id = at.selectbox(key="org").value
    quarter = sql(a11_db, "SELECT max(period_start) FROM feedback_distributions")[0][0]
    top2 = sql(a11_db, TOP2_SQL, measure="satisfaction", start=quarter, end=quarter)
    published = {o: v for o, v, n in top2 if n >= 10}
    stand = standing_of(at)
    if org_id in published:
        own = published.pop(org_id)
        assert stand.loc["Satisfaction", "Percentile"] == round(hand_percentile(own, list(published.values())))
    assert stand["Percentile"].notna().any()
    assert len(at.get("plotly_chart")) == 1
    league = table(at, "Rank")
    assert "Overall score" not in league.columns and league["Rank"].iloc[0] == 1


# --- library pieces, hand-worked ------------------------------------------------------------------


def values(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        [("feedback", "satisfaction", "Satisfaction", 1, "top2_share", v, n, s, o) for o, v, n, s in rows],
        columns=["kind", "item", "label", "sort_order", "headline", "value", "n", "suppressed", "org_id"],
    )


def test_standing_by_hand():
    # us 60 among 40, 50, 60, 70, 80, 90 (and one peer suppressed):
    # below 2, tied 1 -> (2 + 0.5) / 6 = 41.7th percentile, third quartile; 3 peers above -> rank 4; median 65
    frame = values([("us", 60, 50, False)] + [(f"p{v}", v, 50, False) for v in (40, 50, 60, 70, 80, 90)]
                   + [("tiny", np.nan, 4, True)])  # fmt: skip
    row = peers.standing(frame, "us").iloc[0]
    assert row["percentile"] == pytest.approx(250 / 6)
    assert (row["quartile"], row["rank"], row["median"], row["peers"], row["excluded"]) == (3, 4, 65, 6, 1)
    shown = peers.standing_table(peers.standing(frame, "us"), "sector", 10).iloc[0]
    assert (shown["Ours"], shown["Peer median"], shown["Percentile"], shown["Quartile"]) == (
        "60%", "65%", 42, "Third quartile")  # fmt: skip
    stand = peers.standing(frame, "us")
    assert peers.common_note(stand, "sector", 10) == "1 peer left out: fewer than 10 responses."

    few = peers.standing(frame[frame["org_id"].isin(["us", "p40", "p50", "p60", "p70"])], "us").iloc[0]
    assert np.isnan(few["percentile"]) and few["peers"] == 4 and few["median"] == 55
    small = peers.standing(frame.iloc[:5], "us")
    assert "Percentile" not in peers.standing_table(small, "region", 10).columns
    assert peers.common_note(small, "region", 10) == (
        "Only 4 other organisations in this group have results; choose a wider peer group."
    )


def test_letters_names_and_group_words():
    assert [peers.peer_letters(i) for i in (0, 1, 25, 26, 27, 701, 702)] == ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]
    ranked = pd.DataFrame({"org_id": ["b", "us", "a"], "name": ["Bee", "Us", "Ay"]})
    assert peers.display_names(ranked, "us", True) == {"b": "Peer A", "us": "Us", "a": "Peer B"}
    assert peers.display_names(ranked, "us", False)["a"] == "Ay"
    orgs = pd.DataFrame({"org_id": ["x"], "sector": ["arms_length"], "size_band": ["large"]})
    assert peers.group_label(orgs, "x", "sector") == "Same sector (Arm's-length body)"
    assert peers.group_label(orgs, "x", "size_band") == "Same size band (Large)"
    assert (
        peers.too_few(1, "sector") == "Only 1 other organisation in this group has results; choose a wider peer group."
    )
    assert peers.format_value(-12.4, "nps") == "-12" and peers.format_value(7.6, "nps") == "+8"
    assert peers.format_value(np.nan, "top2_share", 7, True) == "not enough responses (n = 7)"
    assert peers.MIN_PEERS == 5 and peers.QUARTILES[1] == "top quartile"  # the Overview relies on these


def test_too_few_peers_are_counted_in_words():
    from cxdash.peers import MIN_PEERS, Position

    def few(n: int) -> str:
        return Position(50.0, n, None, None, None, None).describe()

    assert few(0) == f"No peer has a result; at least {MIN_PEERS} are needed for a fair comparison."
    assert few(1).startswith("Only 1 peer has a result;")
    assert few(2).startswith("Only 2 peers have a result;")

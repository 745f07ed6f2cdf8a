"""The Data page: import (check, then confirm), what the database holds, and CSV downloads of the
current view, checked against hand-written SQL and hand-worked examples."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cxdash import config, db, export, upload
from cxdash.imports.base import MAX_FILE_BYTES
from cxdash.imports.templates import TEMPLATES
from tests.conftest import ROOT, snapshot

BAD_RESPONSES = (
    b"response_id,date,org_id,service_id,channel,stage,satisfaction,ease,effectiveness,emotion,trust,recommend,comment\n"
    b"R1,2026-03-04,nobody,x--y,web,apply,four,4,5,3,4,8,\n"
    b"R2,2026-13-04,example-bc,example-bc--bins,webb,apply,4,4,5,3,4,11,\n"
)
NEW_ORG = (
    b"org_id,name,sector,region,size_band,org_type,parent,country\n"
    b"testshire-cc,Testshire County Council,local,South West,medium,county council,,England\n"
)


def sql(path: Path, text: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(text, params or []).fetchall()
    finally:
        con.close()


def data_page(monkeypatch: pytest.MonkeyPatch, path: Path) -> AppTest:
    """The Data page with importing unlocked by the import passcode (no sign-in configured)."""
    monkeypatch.setenv("CXDASH_DB", str(path))
    monkeypatch.setenv("CXDASH_IMPORT_PASSCODE", "test-import")
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data.py")
    at.run()
    at.text_input(key="data_passcode").input("test-import").run()
    assert not at.exception, at.exception
    return at


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


# --- The page -------------------------------------------------------------------------------------


def test_holdings_match_the_database(monkeypatch, demo_db):
    at = data_page(monkeypatch, demo_db)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Organisations"] == f"{sql(demo_db, 'SELECT count(*) FROM organisations')[0][0]:,}"
    satisfied = sql(demo_db, "SELECT sum(responses) FROM feedback_distributions WHERE measure = 'satisfaction'")[0][0]
    assert tiles["Feedback respondents"] == f"{satisfied:,}"
    rows = frame_with(at, "What").set_index("What")["Rows"]
    assert rows["Feedback score counts"] == sql(demo_db, "SELECT count(*) FROM feedback_distributions")[0][0]
    assert "No inconsistencies" in at.success[0].value

    # organisations by the stage of their latest round, recomputed from raw answers
    expected = dict(
        sql(
            demo_db,
            """
        WITH latest AS (SELECT org_id, max(round_date) AS round_date FROM assessment_responses
                        WHERE framework_id = 'public_cx' GROUP BY org_id),
        st AS (SELECT a.org_id, s.pillar_id, a.statement_id, avg(a.score) AS m
               FROM assessment_responses a JOIN latest USING (org_id, round_date)
               JOIN statements s USING (framework_id, statement_id) WHERE a.framework_id = 'public_cx' GROUP BY ALL),
        pl AS (SELECT org_id, pillar_id, (avg(m) - 1) / 4 * 100 AS p FROM st GROUP BY ALL),
        ov AS (SELECT org_id, sum(p * w.weight) / sum(w.weight) AS score FROM pl
               JOIN pillars w ON w.framework_id = 'public_cx' AND w.pillar_id = pl.pillar_id GROUP BY org_id),
        lv AS (SELECT org_id, max(g.level) AS level FROM ov
               JOIN stages g ON g.framework_id = 'public_cx' AND g.min_score <= ov.score + 1e-9 GROUP BY org_id)
        SELECT level, count(*) FROM lv GROUP BY level""",
        )
    )
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("data_stages_public_cx"))
    bars = json.loads(chart.proto.spec)["data"][0]["y"]
    assert bars == [expected.get(level, 0) for level in range(1, 6)]
    assert len(frame_with(at, "Stage")) == sum(expected.values())


def test_download_preview_follows_the_filters(monkeypatch, demo_db):
    big = sql(
        demo_db,
        "SELECT o.org_id, o.name FROM feedback_distributions f JOIN organisations o USING (org_id) "
        "GROUP BY ALL ORDER BY sum(responses) DESC LIMIT 1",
    )[0]
    at = data_page(monkeypatch, demo_db)
    at.selectbox(key="org").set_value(big[0])
    at.multiselect(key="data_export_by").set_value(["channel"])
    at.run()
    assert not at.exception, at.exception
    preview = frame_with(at, "Responses (n)")
    last = sql(demo_db, "SELECT max(period_start) FROM feedback_distributions")[0][0]
    start = (pd.Timestamp(last) - pd.DateOffset(months=2)).date()
    web = sql(
        demo_db,
        "SELECT sum(responses), 100.0 * sum(responses) FILTER (WHERE score >= 4) / sum(responses) "
        "FROM feedback_distributions WHERE org_id = ? AND channel = 'web' AND measure = 'satisfaction' "
        "AND period_start BETWEEN ? AND ?",
        [big[0], start, last],
    )[0]
    row = preview[(preview["Channel"] == "Website") & (preview["Measure"] == "Satisfaction")].iloc[0]
    assert row["Responses (n)"] == web[0]
    assert row["Top two %"] == f"{web[1]:.0f}%"
    assert set(preview["Service"]) == {"All services"} and set(preview["Journey stage"]) == {"All stages"}
    pillars = frame_with(at, "Pillar")
    rounds = sql(demo_db, "SELECT count(DISTINCT round_date) FROM assessment_responses WHERE org_id = ?", [big[0]])
    assert pillars["Round date"].nunique() == rounds[0][0]


def test_empty_database_explains_rather_than_fails(monkeypatch, empty_db):
    at = data_page(monkeypatch, empty_db)
    texts = " ".join(i.value for i in at.info)
    assert "No citizen feedback yet" in texts
    assert "No assessments yet" in texts
    assert "Nothing to download yet" in texts
    assert [m.value for m in at.metric][:2] == ["0", "0"]
    assert len(at.get("download_button")) == len(TEMPLATES)  # the templates, nothing else


def test_upload_bad_file_lists_problems_and_writes_nothing(monkeypatch, example_db):
    before = snapshot(example_db)
    at = data_page(monkeypatch, example_db)
    at.file_uploader(key="data_upload_0").upload("bad.csv", BAD_RESPONSES, "text/csv")
    at.run()
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("6 problems in bad.csv; nothing was imported")
    listed = frame_with(at, "Reason")
    assert len(listed) == 6 and listed["Row"].is_monotonic_increasing
    assert not [b for b in at.button if b.key == "data_confirm"]
    assert snapshot(example_db) == before


def test_upload_then_confirm_shows_new_data_everywhere_at_once(monkeypatch, example_db):
    at = data_page(monkeypatch, example_db)
    assert "Testshire County Council" not in at.selectbox(key="org").options
    before = snapshot(example_db)
    at.file_uploader(key="data_upload_0").upload("orgs.csv", NEW_ORG, "text/csv")
    at.run()
    assert "ready to import as organisations: 1 row read, 1 row would be written" in at.info[0].value
    assert snapshot(example_db) == before  # the check wrote nothing
    at.button(key="data_confirm").click()
    at.run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Imported orgs.csv as organisations: 1 row read, 1 row written")
    assert "Testshire County Council" in at.selectbox(key="org").options  # the sidebar's cached list was refreshed
    assert {m.label: m.value for m in at.metric}["Organisations"] == "3"
    assert frame_with(at, "Rows written")["File"].iloc[0] == "orgs.csv"
    assert at.file_uploader(key="data_upload_1") is not None  # a fresh uploader, not the imported file
    at.switch_page("pages/overview.py")
    at.run()
    assert "Testshire County Council" in at.selectbox(key="org").options


# --- Upload functions -------------------------------------------------------------------------------


def test_validate_and_confirm_a_bad_file(example_db):
    before = snapshot(example_db)
    for check in (upload.validate_upload, upload.confirm_upload):
        report = check(BAD_RESPONSES, "bad.csv", None, example_db)
        assert not report.ok and report.headline() == "6 problems in bad.csv; nothing was imported."
        assert list(report.problems.columns) == ["file", "row", "column", "value", "reason"]
        found = set(zip(report.problems["row"], report.problems["column"], strict=True))
        assert found == {
            (2, "org_id"),
            (2, "service_id"),
            (2, "satisfaction"),
            (3, "date"),
            (3, "channel"),
            (3, "recommend"),
        }
        text = upload.problems_csv(report).decode("utf-8-sig")
        assert text.splitlines()[0] == "file,row,column,value,reason" and "four" in text
    assert snapshot(example_db) == before


def test_validate_then_confirm_a_good_file(example_db):
    rows = "period,org_id,service_id,channel,stage,measure,score,responses\n" + "".join(
        f"2026-04,example-bc,example-bc--bins,web,apply,satisfaction,{s},{n}\n"
        for s, n in [(1, 1), (2, 2), (4, 3), (5, 6)]
    )
    before = snapshot(example_db)
    report = upload.validate_upload(rows.encode(), "april.csv", "distributions", example_db)
    assert report.ok and report.kind == "distributions" and report.result.rows_written == 4
    assert "Re-import rule: replaces every period" in report.markdown()
    assert snapshot(example_db) == before
    done = upload.confirm_upload(rows.encode(), "april.csv", None, example_db)  # kind detected from the columns
    assert done.ok and done.kind == "distributions"
    held = sql(
        example_db,
        "SELECT score, responses FROM feedback_distributions WHERE period_start = '2026-04-01' ORDER BY score",
    )
    assert held == [(1, 1), (2, 2), (4, 3), (5, 6)]
    assert sql(example_db, "SELECT file_name, rows_written FROM imports ORDER BY import_id DESC LIMIT 1") == [
        ("april.csv", 4)
    ]


def test_refuses_wrong_type_and_too_large(example_db):
    before = snapshot(example_db)
    report = upload.validate_upload(b"%PDF", "minutes.pdf", None, example_db)
    assert "unsupported file type" in report.problems["reason"].iloc[0]
    report = upload.confirm_upload(b"x" * 2048, "big.csv", None, example_db, limit=1024)
    assert not report.ok and "larger than the" in report.problems["reason"].iloc[0]
    assert snapshot(example_db) == before
    assert upload.limit_bytes(200) == 200 * 2**20 and upload.limit_bytes(10_000) == MAX_FILE_BYTES


def test_locked_database_is_reported_as_being_refreshed(example_db, monkeypatch):
    monkeypatch.setattr(db, "_LOCK_RETRY_SECONDS", 0.2)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)",
            str(example_db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        report = upload.confirm_upload(NEW_ORG, "orgs.csv", "organisations", example_db)
        assert report.busy and not report.ok and "being refreshed" in report.headline()
    finally:
        holder.kill()
        holder.wait()


def test_templates_are_the_documented_headers():
    for kind, template in TEMPLATES.items():
        assert upload.template_csv(kind).decode().strip() == ",".join(template.names)
        assert list(upload.template_columns(kind)["column"]) == template.names


# --- Export -----------------------------------------------------------------------------------------


def test_feedback_export_hand_worked(example_db):
    """docs/templates/distributions.csv: March 2026 satisfaction 1-5 = 12, 18, 25, 40, 31 (n 126);
    2026 Q1 recommend 0 x3, 7 x20, 9 x15, 10 x12 (n 50)."""
    table = export.feedback_table("example-nhs", None, None, by=("period_start",), path=example_db, min_n=10)
    rows = table.set_index("Period")
    march, q1 = rows.loc["Mar 2026"], rows.loc["2026 Q1"]
    assert march["Responses (n)"] == 126 and march["Mean score"] == pytest.approx(438 / 126, abs=1e-3)
    assert march["Top two %"] == pytest.approx(100 * 71 / 126, abs=0.01)
    assert march["Bottom two %"] == pytest.approx(100 * 30 / 126, abs=0.01)
    assert march["Net score"] == pytest.approx(100 * 41 / 126, abs=0.01) and np.isnan(march["NPS"])
    assert q1["Mean score"] == pytest.approx(7.9, abs=1e-3) and q1["NPS"] == pytest.approx(48.0)
    assert q1["Top two %"] == pytest.approx(54.0) and q1["Scale"] == "0-10" and q1["Note"] == ""
    assert set(table["Service"]) == {"All services"} and set(table["Organisation"]) == {"Example NHS Foundation Trust"}

    hidden = export.feedback_table("example-nhs", None, None, by=("period_start",), path=example_db, min_n=60)
    q1 = hidden.set_index("Period").loc["2026 Q1"]
    assert q1["Responses (n)"] == 50 and q1["Note"] == "suppressed: fewer than 60 responses"
    assert q1[list(export.METRICS.values())].isna().all()


@pytest.mark.parametrize("by", [tuple(export.BREAKDOWNS), ("period_start", "channel")])
def test_feedback_csv_matches_independent_sql(demo_db, by):
    org = sql(demo_db, "SELECT org_id FROM feedback_distributions GROUP BY ALL ORDER BY sum(responses) DESC")[0][0]
    start, end = date(2026, 8, 1), date(2026, 10, 1)
    table = export.feedback_table(org, start, end, by=by, path=demo_db)
    text = export.to_csv(table).decode("utf-8-sig")
    got = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    labels = {
        "period_start": ("strftime(f.period_start, '%b %Y')", "'Aug 2026 to Oct 2026'"),
        "service_id": ("s.name", "'All services'"),
        "channel": ("c.label", "'All channels'"),
        "stage": ("j.label", "'All stages'"),
    }
    groups = ", ".join(chosen if dim in by else everything for dim, (chosen, everything) in labels.items())
    want = pd.DataFrame(
        sql(
            demo_db,
            f"""
        SELECT {groups}, m.label, sum(f.responses) AS n,
               sum(f.responses * f.score) / sum(f.responses),
               100.0 * coalesce(sum(f.responses) FILTER (WHERE f.score >= f.scale_max - 1), 0) / sum(f.responses),
               100.0 * coalesce(sum(f.responses) FILTER (WHERE f.score <= f.scale_min + 1), 0) / sum(f.responses),
               CASE WHEN max(f.scale_max) = 10 THEN 100.0 * (coalesce(sum(f.responses) FILTER (WHERE f.score >= 9), 0)
                    - coalesce(sum(f.responses) FILTER (WHERE f.score <= 6), 0)) / sum(f.responses) END
        FROM feedback_distributions f JOIN services s USING (service_id) JOIN channels c USING (channel)
        JOIN journey_stages j USING (stage) JOIN measures m USING (measure)
        WHERE f.org_id = ? AND f.period_start BETWEEN ? AND ?
        GROUP BY ALL""",
            [org, start, end],
        ),
        columns=["Period", "Service", "Channel", "Journey stage", "Measure", "n", "mean", "top2", "bottom2", "nps"],
    )
    keys = ["Period", "Service", "Channel", "Journey stage", "Measure"]
    both = got.merge(want, on=keys, how="outer", indicator=True)
    assert (both["_merge"] == "both").all() and len(got) == len(want)
    assert (both["Responses (n)"] == both["n"]).all()
    small = both["n"] < config.min_n()
    assert small.any() if len(by) == len(export.BREAKDOWNS) else (~small).any()
    metrics = list(export.METRICS.values())
    assert both.loc[small, metrics].isna().all().all()
    assert (both.loc[small, "Note"] == f"suppressed: fewer than {config.min_n()} responses").all()
    shown = both[~small]
    assert shown["Note"].isna().all()
    assert np.allclose(shown["Mean score"], shown["mean"], atol=1e-3)
    assert np.allclose(shown["Top two %"], shown["top2"], atol=0.01)
    assert np.allclose(shown["Bottom two %"], shown["bottom2"], atol=0.01)
    assert np.allclose(shown["Net score"], shown["top2"] - shown["bottom2"], atol=0.02)
    nps = shown["nps"].notna()
    assert nps.any() and np.allclose(shown.loc[nps, "NPS"], shown.loc[nps, "nps"].astype(float), atol=0.01)
    assert shown.loc[~nps, "NPS"].isna().all()
    if shown.empty:
        return
    # a Wilson interval worked by hand for one row
    row = shown.iloc[0]
    p, n, z = row["top2"] / 100, row["n"], 1.959963984540054
    centre, half = (
        (p + z * z / (2 * n)) / (1 + z * z / n),
        z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n * n)),
    )
    assert row["Top two % 95% CI low"] == pytest.approx(100 * (centre - half), abs=0.01)
    assert row["Top two % 95% CI high"] == pytest.approx(100 * (centre + half), abs=0.01)


def test_suppressed_rows_are_blank_in_the_file(demo_db):
    org = sql(demo_db, "SELECT org_id FROM organisations ORDER BY org_id LIMIT 1")[0][0]
    text = export.to_csv(export.feedback_table(org, date(2026, 8, 1), date(2026, 10, 1), path=demo_db)).decode(
        "utf-8-sig"
    )
    metrics = list(export.METRICS.values())
    line = next(r for r in csv.DictReader(io.StringIO(text)) if r["Note"].startswith("suppressed"))
    assert all(line[m] == "" for m in metrics) and int(line["Responses (n)"]) < config.min_n()


def test_pillar_csv_matches_independent_sql(demo_db):
    org = sql(demo_db, "SELECT org_id FROM assessment_responses GROUP BY org_id ORDER BY count(*) DESC LIMIT 1")[0][0]
    got = pd.read_csv(io.BytesIO(export.to_csv(export.pillar_scores("public_cx", org, demo_db))), encoding="utf-8-sig")
    want = sql(
        demo_db,
        """
        WITH st AS (SELECT a.round_date, s.pillar_id, a.statement_id, avg(a.score) AS m FROM assessment_responses a
                    JOIN statements s USING (framework_id, statement_id)
                    WHERE a.org_id = ? AND a.framework_id = 'public_cx' GROUP BY ALL)
        SELECT strftime(round_date, '%Y-%m-%d'), p.name, avg(m) FROM st
        JOIN pillars p ON p.framework_id = 'public_cx' AND p.pillar_id = st.pillar_id GROUP BY ALL""",
        [org],
    )
    scores = got.set_index(["Round date", "Pillar"])["Score (1-5)"]
    assert len(scores) == len(want)
    for round_date, pillar, mean in want:
        assert scores[(round_date, pillar)] == pytest.approx(mean, abs=1e-3)
    assert set(got.columns) == set(export.PILLAR_COLUMNS)
    assert export.pillar_scores("public_cx", "no-such-org", demo_db).empty


def test_export_refuses_unknown_breakdowns(demo_db):
    with pytest.raises(ValueError, match="cannot break feedback down"):
        export.feedback_table("x", None, None, by=("respondent_id",), path=demo_db)


def test_missing_database_still_offers_import(monkeypatch, tmp_path):
    at = data_page(monkeypatch, tmp_path / "nothing.duckdb")
    assert "No database yet" in " ".join(i.value for i in at.info)
    assert at.file_uploader(key="data_upload_0") is not None

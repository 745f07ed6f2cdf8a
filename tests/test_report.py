"""Board pack export: the PDF and PowerPoint files say what the Overview says, draw the app's charts with
Chromium, and fail clearly without it. Needs pdftoppm and pdftotext (Debian's poppler-utils)."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import pytest
from PIL import Image
from pptx import Presentation

from cxdash import cli, labels, overview, reference, report
from cxdash.insight import priorities
from cxdash.report import content, figures
from tests.conftest import ROOT

# pdftoppm and pdftotext come from poppler-utils, which `make test` installs.

TODAY = date(2026, 11, 2)
ASSESSED_TITLES = [
    "Headline",
    "Maturity among peers",
    "Citizen feedback, Aug 2026 to Oct 2026",
    "Citizen feedback among peers",
    "Satisfaction over time",
    "Maturity across assessment rounds",
    "What to fix first",
    "What to do next",
]


@pytest.fixture(scope="module")
def demo_org(demo_db: Path) -> dict:
    """The Overview's default organisation on the demo DB, with its filters and Overview figures."""
    org_id = reference.organisations(demo_db)["org_id"].iloc[0]
    f = report.filters_for(org_id, demo_db)
    return {"filters": f, "view": overview.build(f, demo_db)}


@pytest.fixture(scope="module")
def packs(demo_db: Path, demo_org: dict) -> dict[str, bytes]:
    """Both formats of the demo organisation's pack (one Chromium draws the charts of both)."""
    return {fmt: report.build_pack(demo_org["filters"], fmt, demo_db, TODAY) for fmt in ("pdf", "pptx")}


def pdf_pages(data: bytes, tmp_path: Path) -> tuple[list[Image.Image], str]:
    """The PDF's pages as PNG images (pdftoppm) and its text (pdftotext, layout kept)."""
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    pages = [Image.open(p) for p in sorted(tmp_path.glob("page-*.png"))]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return pages, " ".join(text.split())


def test_pdf_pages_and_text_match_the_overview(packs, demo_org, demo_db, tmp_path):
    view = demo_org["view"]
    pages, text = pdf_pages(packs["pdf"], tmp_path)
    assert len(pages) == 1 + len(ASSESSED_TITLES)
    assert all(p.width > p.height * 1.3 for p in pages), "A4 landscape"
    assert view.assessed
    for expected in (
        str(view.org["name"]),
        f"{view.score:.0f} / 100",
        str(view.stage["name"]),
        f"Page 1 of {len(pages)}",
        f"Page {len(pages)} of {len(pages)}",
        "Source: cxdash database demo.duckdb",
        "Produced 02 Nov 2026",
        *ASSESSED_TITLES,
    ):
        assert expected in text, expected
    kpi = view.kpis.iloc[0]
    assert kpi["label"] in text
    assert f"{kpi['current']:.0f}% " in text
    assert f"n = {kpi['n_current']:,} (before: {kpi['n_previous']:,})" in text
    # the recommendations, ordered by lift as overview.build orders them
    steps = list(view.next_steps["name"])
    positions = [text.index(name, text.index("What to do next The framework")) for name in steps]
    assert positions == sorted(positions) and len(steps) == 3
    assert list(view.next_steps["lift"]) == sorted(view.next_steps["lift"], reverse=True)
    # the fix-first list, as the Overview ranks it, each item with its numbers
    items = priorities.fix_first(demo_org["filters"], demo_db, top=content.FIX_FIRST_ITEMS)
    assert not items.empty
    start = text.index("What to fix first Maturity gaps")
    positions = [text.index(area, start) for area in items["area"]]
    assert positions == sorted(positions)
    assert f"priority {items['score'].iloc[0]:.0f} out of 100" in text


def test_pptx_holds_the_slides_and_the_charts(packs, demo_org):
    deck = Presentation(io.BytesIO(packs["pptx"]))
    assert abs(deck.slide_width / deck.slide_height - 16 / 9) < 0.01
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles == [str(demo_org["view"].org["name"]), *ASSESSED_TITLES]
    pictures = [sh for s in deck.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == 5  # pillars, maturity strip, feedback strip, feedback trend, maturity rounds
    for picture in pictures:  # every chart inside the slide, drawn sharp enough for a projector
        assert picture.left >= 0 and picture.top >= 0
        assert picture.left + picture.width <= deck.slide_width and picture.top + picture.height <= deck.slide_height
        assert Image.open(io.BytesIO(picture.image.blob)).width >= 1600
    shapes = [sh for s in deck.slides for sh in s.shapes]
    text = " ".join(sh.text_frame.text for sh in shapes if sh.has_text_frame)
    text += " ".join(c.text for sh in shapes if sh.has_table for row in sh.table.rows for c in row.cells)
    view = demo_org["view"]
    assert f"{view.score:.0f} / 100" in text and f"n = {view.kpis['n_current'].iloc[0]:,}" in text
    assert f"{len(titles)} / {len(titles)}" in text  # slide numbers
    assert deck.slides[5].notes_slide.notes_text_frame.text  # captions also in the speaker notes


def test_small_samples_say_not_enough_responses_never_zero(demo_db, demo_org, monkeypatch):
    monkeypatch.setenv("CXDASH_MIN_N", "1000000")
    pack = content.assemble(demo_org["filters"], demo_db, TODAY)
    table = next(s.table for s in pack.sections if s.table is not None)
    assert {row[1] for row in table.rows} == {"not enough responses"}
    assert all(row[3].startswith("n = ") and row[3] != "n = 0" for row in table.rows)
    assert "fewer than 1000000 responses" in " ".join(next(s for s in pack.sections if s.table).captions)


def test_kpi_rows_on_hand_worked_figures():
    share = {"label": "Ease", "headline": "top2_share", "current": 61.4, "change": 4.6, "verdict": "up"}
    share |= {"n_current": 1234, "n_previous": 1100}
    assert content.kpi_row(share, 10) == (
        "Ease (% rating 4 or 5)",
        "61%",
        "+5 pts, beyond noise",
        "n = 1,234 (before: 1,100)",
    )
    nps = {"label": "Likelihood to recommend", "headline": "nps", "current": -4.4, "change": -0.2}
    nps |= {"verdict": "no significant change", "n_current": 50, "n_previous": 3}
    assert content.kpi_row(nps, 10)[1:3] == ("-4", "0, within noise")
    few = share | {"n_current": 7, "verdict": "not enough responses"}
    assert content.kpi_row(few, 10)[1:] == ("not enough responses", "not compared", "n = 7")


def test_step_wording_is_the_overview_page_s(demo_org):
    from cxdash import ui

    assert ui.step_summary is labels.step_summary, "one definition, shared by the app and the pack"
    for step in demo_org["view"].next_steps.to_dict("records"):
        assert labels.step_summary(step).startswith(f"{step['stage_name']} (")


def test_a11_pack_says_there_is_no_assessment_and_keeps_the_feedback(a11_db, tmp_path):
    org = "Internal Revenue Service"
    f = report.filters_for(org, a11_db)
    view = overview.build(f, a11_db)
    assert not view.assessed
    pages, text = pdf_pages(report.build_pack(f, "pdf", a11_db, TODAY), tmp_path)
    assert len(pages) == 5
    assert f"{org} has no maturity assessment yet" in text
    assert "What to fix first" in text
    assert "Headline: citizen feedback, 2022 Q4" in text and "Change against 2022 Q3" in text
    kpi = view.kpis.iloc[0]
    assert f"{kpi['current']:.0f}%" in text and f"n = {kpi['n_current']:,}" in text
    assert "Satisfaction over time" in text and "What to do next" not in text


def test_cli_writes_a_pack(demo_db, demo_org, tmp_path):
    out = tmp_path / "board.pdf"
    name = str(demo_org["view"].org["name"])
    args = ["report", "--org", name, "--format", "pdf", "--out", str(out), "--peers", "region"]
    args += ["--from", "2026-05", "--to", "2026-10", "--db", str(demo_db)]
    result = subprocess.run(
        [sys.executable, "-m", "cxdash", *args], capture_output=True, text=True, cwd=ROOT, timeout=180, check=False
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF") and f"Wrote {out}" in result.stdout
    _, text = pdf_pages(out.read_bytes(), tmp_path)
    assert "Citizen feedback, May 2026 to Oct 2026" in text and "same region" in text


def test_cli_explains_bad_arguments(demo_db, capsys):
    assert cli.main(["report", "--org", "Nowhere Council", "--db", str(demo_db)]) == 1
    assert "No organisation with id or name 'Nowhere Council'" in capsys.readouterr().err
    org = reference.organisations(demo_db)["org_id"].iloc[0]
    assert cli.main(["report", "--org", org, "--from", "2031-01", "--db", str(demo_db)]) == 1
    assert "No feedback period starts in 2031-01" in capsys.readouterr().err


def test_missing_chromium_gives_a_clear_error(demo_db, demo_org, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CXDASH_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(report.ChromiumMissing, match=r"Chromium is needed to draw the charts: sudo apt-get install"):
        report.build_pack(demo_org["filters"], "pdf", demo_db)
    assert not report.chromium_available()
    out = tmp_path / "pack.pptx"
    args = ["report", "--org", demo_org["filters"].org_id, "--format", "pptx", "--out", str(out), "--db", str(demo_db)]
    assert cli.main(args) == 1
    assert "sudo apt-get install chromium" in capsys.readouterr().err and not out.exists()


def test_a_browser_that_will_not_start_is_reported_not_waited_for(monkeypatch):
    monkeypatch.setenv("CXDASH_CHROMIUM", "/bin/false")
    with pytest.raises(figures.ChromiumMissing, match="did not start"):
        figures.render([(go.Figure(), 400, 300)])


def test_overview_offers_both_downloads(monkeypatch, demo_db):
    from tests.test_app import start

    at = start(monkeypatch, demo_db)
    buttons = {b.key: b for b in at.get("download_button")}
    assert set(buttons) == {"overview_pack_pdf", "overview_pack_pptx"}
    assert buttons["overview_pack_pdf"].proto.label == "Download PDF"

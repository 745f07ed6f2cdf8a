"""The benchmark harness (cxdash/bench.py) end to end on a tiny database, without the browser."""

from __future__ import annotations

import argparse
import json

import pytest

from cxdash import bench


def test_sizes_parse_with_the_issue_organisation_counts():
    assert bench.parse_size("100k") == bench.Size("100k", 100_000, 60)
    assert bench.parse_size("1m") == bench.Size("1m", 1_000_000, 200)
    assert bench.parse_size("10M") == bench.Size("10m", 10_000_000, 500)
    assert bench.parse_size("20k:8") == bench.Size("20k", 20_000, 8)
    with pytest.raises(ValueError):
        bench.parse_size("lots")


def test_pages_come_from_the_navigation_and_placeholders_are_noted():
    found, notes = bench.pages()
    names = [p.name for p in found]
    assert names[0] == "overview" and found[0].url == ""
    assert {"maturity", "peers", "trends", "journeys", "data"} <= set(names)
    for page in found:
        assert (bench.ROOT / page.file).is_file()
    assert all("skipped" in n for n in notes)


def test_command_line_options():
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    args = parser.parse_args(["--sizes", "100k,1m", "--quick", "--no-browser"])
    assert args.sizes == "100k,1m" and args.quick and args.no_browser and args.port == bench.DEFAULT_PORT


def test_a_tiny_run_measures_and_writes_the_report(tmp_path):
    out = tmp_path / "performance.md"
    out.write_text(f"old numbers\n{bench.GENERATED_END}\n## Bottlenecks\nkept by hand\n", encoding="utf-8")
    report = bench.run(
        [bench.Size("tiny", 3_000, 6)],
        out,
        tmp_path / "work",
        reruns=2,
        browser=False,
        import_rows=500,
        page_names=("overview", "peers"),
        command="python -m cxdash bench --sizes tiny",
    )
    size = report.sizes[0]
    assert size.build_s > 0 and size.feedback_rows > 0 and not size.errors
    for kind in ("uncached_ms", "new_value_ms", "cached_ms", "after_import_ms"):
        assert set(getattr(size, kind)) == {"overview", "peers"}
        assert all(len(v) == 2 and min(v) > 0 for v in getattr(size, kind).values())
    assert report.import_result["exit_code"] == 0 and report.import_result["rows"] == 500
    assert "500 rows read" in report.import_result["output"]

    text = out.read_text(encoding="utf-8")
    assert "old numbers" not in text and text.endswith("## Bottlenecks\nkept by hand\n")
    assert "`python -m cxdash bench --sizes tiny`" in text and f"{report.machine['cores']} cores" in text
    assert "| overview |" in text and "| peers |" in text
    assert "## Server-side rerun after a filter change, first rerun after an import (ms)" in text
    assert "## Against the targets" in text and "Cold start at most 3 s: not measured" in text
    results = tmp_path / "work" / "results.json"
    assert json.loads(results.read_text())["sizes"][0]["size"]["label"] == "tiny"
    assert bench.markdown(bench.load(results)) == bench.markdown(report)  # --render re-writes the same report

    again = bench.run(
        [bench.Size("tiny", 3_000, 6)],
        None,
        tmp_path / "work",
        reruns=1,
        browser=False,
        import_rows=500,
        page_names=(),
        reuse=True,
    )
    assert again.sizes[0].build_s is None  # the database was reused, not rebuilt


def test_targets_are_judged_at_the_largest_size():
    small, big = bench.SizeResult(bench.Size("100k", 100_000, 60)), bench.SizeResult(bench.Size("10m", 10**7, 500))
    small.uncached_ms, big.uncached_ms = {"overview": [100.0]}, {"overview": [250.0]}
    small.cpu_ms, big.cpu_ms = {"uncached": {"overview": [90.0]}}, {"uncached": {"overview": [120.0]}}
    big.cached_ms, big.browser_ms = {"overview": [90.0]}, {"overview": [800.0]}
    big.cold_start_s, big.restart_s, big.peak_rss_mb = 2.5, 3.5, 600.0
    report = bench.Report(
        "cmd", "now", {"cores": 2}, [], [], 10, [small, big], {"rows": 10**6, "seconds": 9.0, "exit_code": 0}
    )
    lines = "\n".join(bench._targets(report))
    assert "at most 300 ms at 10m: **met**" in lines
    assert "at most 80 ms at 10m: **missed**" in lines
    assert "at most 2x, every page: **missed** (largest: overview, 2.5x; on CPU time: overview, 1.3x)" in lines
    assert (
        "Cold start at most 3 s: **met** (slowest: 2.5 s); a restart for a browser that has visited before: **missed**"
        in lines
    )
    assert "Peak app memory at most 500 MB at 10m: **missed** (600 MB)" in lines
    assert "Import of 1 million response rows at most 15 s: **met**" in lines
    assert "Chromium at most 1,000 ms at 10m: **met**" in lines

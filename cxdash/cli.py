"""Command line: `python -m cxdash demo | import | template | check | frameworks | report | bench | serve`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cxdash import config

PROBLEMS_SHOWN = 50


def _db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None, help="DuckDB file (default: $CXDASH_DB or data/cxdash.duckdb)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    from cxdash.filters import PEER_GROUPS
    from cxdash.imports import KINDS
    from cxdash.imports.templates import TEMPLATES

    parser = argparse.ArgumentParser(prog="python -m cxdash", description="cxdash data tools")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build the deterministic demo database")
    demo.add_argument("--out", type=Path, default=None, help="file to write (default: the --db/CXDASH_DB path)")
    _db_arg(demo)
    demo.add_argument("--responses", type=int, default=1_000_000, help="feedback respondents to simulate")
    demo.add_argument("--orgs", type=int, default=60, help="number of organisations")
    demo.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
    demo.add_argument("--if-missing", action="store_true", help="do nothing if the file already exists")

    imp = sub.add_parser("import", help="validate a file and import it in one transaction")
    imp.add_argument("files", type=Path, nargs="+", help="CSV (UTF-8) or .xlsx files, imported in the order given")
    imp.add_argument("--kind", choices=KINDS, default=None, help="file kind (default: detected from the columns)")
    imp.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    imp.add_argument(
        "--problems-out",
        type=Path,
        default=None,
        help=f"write every problem to this CSV (default when more than {PROBLEMS_SHOWN})",
    )
    _db_arg(imp)

    tpl = sub.add_parser("template", help="write an empty import template")
    tpl.add_argument("kind", choices=list(TEMPLATES))
    tpl.add_argument("--out", type=Path, default=None, help="file to write (.csv or .xlsx; default KIND.csv)")

    chk = sub.add_parser("check", help="report what the database holds and any inconsistency")
    _db_arg(chk)

    fw = sub.add_parser("frameworks", help="(re)load maturity frameworks from data/frameworks/")
    _db_arg(fw)

    rep = sub.add_parser("report", help="write a board pack (PDF or PowerPoint) for one organisation")
    rep.add_argument("--org", required=True, help="organisation id or exact name")
    rep.add_argument("--format", choices=["pdf", "pptx"], default="pdf", help="file format (default: pdf)")
    rep.add_argument("--out", type=Path, default=None, help="file to write (default: <organisation>-board-pack-<date>)")
    rep.add_argument("--peers", choices=list(PEER_GROUPS), default="sector", help="peer group (default: sector)")
    rep.add_argument("--from", dest="start", metavar="YYYY-MM", default=None, help="first feedback period")
    rep.add_argument("--to", dest="end", metavar="YYYY-MM", default=None, help="last feedback period")
    rep.add_argument("--framework", default=None, help="maturity framework id (default: the first held)")
    _db_arg(rep)

    from cxdash import bench

    bench.add_arguments(sub.add_parser("bench", help="measure page, import and browser speed at growing sizes"))
    serve = sub.add_parser("serve", help="serve the app (streamlit run app.py), warmed up while the first page loads")
    serve.add_argument("streamlit_args", nargs=argparse.REMAINDER, help="options for streamlit run (--server.port ...)")
    # Run by main() before this parser is built (its imports would delay the server); here for --help only.
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit code."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"] and not {"-h", "--help"} & set(argv):  # straight to Streamlit: the parser's imports
        from cxdash import serve  # would delay the server's start

        return serve.run(argv[1:])
    args = build_parser().parse_args(argv)
    handler = {
        "demo": _demo,
        "import": _import,
        "template": _template,
        "check": _check,
        "frameworks": _frameworks,
        "report": _report,
        "bench": _bench,
    }[args.command]
    return handler(args)


def _demo(args: argparse.Namespace) -> int:
    from cxdash import demo

    out = args.out or args.db or config.db_path()
    if args.if_missing and out.exists():
        print(f"{out} exists; leaving it as it is")
        return 0
    start = time.perf_counter()
    summary = demo.build(out, responses=args.responses, orgs=args.orgs, seed=args.seed)
    print(f"Built {out} in {time.perf_counter() - start:.1f} s")
    for key, value in summary.items():
        print(f"  {key}: {value:,}" if isinstance(value, int) else f"  {key}: {value}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from cxdash.imports import ImportFailed, import_file
    from cxdash.labels import csv_bytes

    status = 0
    for file in args.files:
        try:
            result = import_file(file, kind=args.kind, db_path=args.db, dry_run=args.dry_run)
        except ImportFailed as failed:
            status = 1
            problems = failed.problems
            print(f"{file}: {len(problems):,} problem(s); nothing was imported from this file.", file=sys.stderr)
            for problem in problems[:PROBLEMS_SHOWN]:
                print(f"  {problem}", file=sys.stderr)
            out = args.problems_out or (Path(f"{file.stem}-problems.csv") if len(problems) > PROBLEMS_SHOWN else None)
            if out:
                out.write_bytes(csv_bytes(failed.frame()))  # cells from the file never run as formulas
                print(f"  ... every problem is listed in {out}", file=sys.stderr)
            continue
        print(result.summary())
    return status


def _template(args: argparse.Namespace) -> int:
    from cxdash.imports.templates import write_template

    out = write_template(args.kind, args.out or Path(f"{args.kind}.csv"))
    print(f"Wrote an empty {args.kind} template to {out}; columns are described in docs/imports.md")
    return 0


def _check(args: argparse.Namespace) -> int:
    from cxdash import contents

    summary = contents.summarise(args.db, thorough=True)
    print(contents.render(summary))
    return 0 if summary.consistent else 1


def _frameworks(args: argparse.Namespace) -> int:
    from cxdash import frameworks

    ids = frameworks.sync(args.db)
    print(f"Loaded {len(ids)} framework(s): {', '.join(ids)}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from cxdash import reference, report

    path = args.db or config.db_path()
    if not path.exists():
        print(f"No database at {path}; build one with `python -m cxdash demo` or import files.", file=sys.stderr)
        return 1
    start = time.perf_counter()
    try:
        f = report.filters_for(args.org, path, args.peers, args.start, args.end, args.framework)
        data = report.build_pack(f, args.format, path)
    except (report.PackError, report.ChromiumMissing) as problem:
        print(problem, file=sys.stderr)
        return 1
    names = reference.organisations(path).set_index("org_id")["name"]
    out = args.out or Path(report.file_name(str(names[f.org_id]), args.format))
    out.write_bytes(data)
    print(f"Wrote {out} ({len(data) / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from cxdash import bench

    return bench.main(args)

"""Hostile input is inert: SQL-injection strings and HTML/script or Markdown payloads as organisation names,
service names, comments and statement comments, as URL query parameters and in the comment search box. Every
page renders without an exception, every table keeps its rows, payloads reach the page only as text, and
uploads are refused when too large or of the wrong type."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cxdash import export, upload
from cxdash.imports import ImportFailed, import_file
from cxdash.labels import csv_safe, md
from tests.conftest import ROOT, open_app, snapshot

PAGES = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
PAYLOADS = [
    "'; DROP TABLE organisations; --",
    "Robert'); DELETE FROM comments;--",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{stats}}",
    "$org_id",
    "%",
    "_",
    "\\",
    "[click me](https://example.invalid/phish)",
    "![t](https://example.invalid/t.png)",
    ":red[coloured] :material/home:",
    "$x^2$ and $y$",
    "**bold** ~~struck~~ `code`",
    "www.example.invalid and someone@example.invalid",
]
SCRIPT = "<script>alert(1)</script>"
LINK = "[click me](https://example.invalid/phish)"
IMAGE = "![t](https://example.invalid/t.png)"
#: URL parameters: every widget key the pages and the sidebar use (bound ones read the URL), and ?session=.
PARAMS = sorted(
    set(
        re.findall(
            r'key="([a-z_]+)"', "".join(p.read_text() for p in [*ROOT.glob("pages/*.py"), *ROOT.glob("cxdash/*.py")])
        )
    )
    | {"session", "present"}
)


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in tables}
    finally:
        con.close()


class Hostile:
    """A copy of the demo database with payloads imported as names, comments and statement comments."""

    def __init__(self, path: Path, target: str):
        self.path = path
        self.target = target
        self.counts = _counts(path)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Hostile:
    folder = tmp_path_factory.mktemp("hostile")
    path = Path(shutil.copy(demo_db, folder / "hostile.duckdb"))
    con = duckdb.connect(str(path), read_only=True)
    try:

        def frame(q: str, params: list | None = None) -> list[dict]:
            cur = con.execute(q, params or [])
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

        # the organisation with the latest assessment round and the most comments: it shows the most text
        target = frame(
            "SELECT o.org_id, o.sector FROM organisations o JOIN comments c USING (org_id) "
            "WHERE o.org_id IN (SELECT org_id FROM assessment_responses) GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
        )[0]
        peers = frame(
            "SELECT org_id, name, sector, region, size_band, org_type, parent, country FROM organisations "
            "WHERE sector = ? ORDER BY org_id = ? DESC, org_id",
            [target["sector"], target["org_id"]],
        )
        services = frame("SELECT service_id, org_id, name, category FROM services WHERE org_id = ?", [target["org_id"]])
        window_end = frame("SELECT max(period_start) AS d FROM feedback_distributions")[0]["d"]
        latest = frame(
            "SELECT framework_id, org_id, service_id, round_date, respondent_id, respondent_role, statement_id, "
            "score, comment FROM assessment_responses WHERE org_id = ? AND round_date = "
            "(SELECT max(round_date) FROM assessment_responses WHERE org_id = ?) ORDER BY ALL",
            [target["org_id"], target["org_id"]],
        )
    finally:
        con.close()
    others = [p for p in PAYLOADS if p != SCRIPT]
    for i, org in enumerate(peers):  # the target is named <script>; each peer another payload (names stay unique)
        org["name"] = SCRIPT if i == 0 else others[(i - 1) % len(others)] + ("" if i <= len(others) else f" {i}")
        org["region"], org["org_type"] = (LINK, IMAGE) if i == 0 else (others[i % len(others)], "peer")
        org["parent"] = others[(i + 1) % len(others)]
    for i, service in enumerate(services):  # service names must stay unique within the organisation too
        service["name"] = others[(i + 8) % len(others)] + ("" if i < len(others) else f" {i}")
        service["category"] = PAYLOADS[i % len(PAYLOADS)]
    comments = [
        {
            "comment_id": f"C-HOSTILE-{i}",
            "date": window_end.isoformat(),
            "org_id": target["org_id"],
            "service_id": services[0]["service_id"],
            "channel": "web",
            "stage": "apply",
            "text": f"{payload} (hostile {i})",
            "satisfaction": 1 + i % 5,
        }
        for i, payload in enumerate(PAYLOADS)
    ]
    for i, row in enumerate(latest):
        row["comment"] = PAYLOADS[i % len(PAYLOADS)] if i < 3 * len(PAYLOADS) else row["comment"]
    for kind, rows in [
        ("organisations", peers),
        ("services", services),
        ("comments", comments),
        ("assessments", latest),
    ]:
        file = folder / f"{kind}.csv"
        file.write_bytes(_csv(rows))
        import_file(file, kind=kind, db_path=path)
    return Hostile(path, target["org_id"])


def start(monkeypatch: pytest.MonkeyPatch, path: Path, params: dict[str, str] | None = None) -> AppTest:
    """app.py on `path`, with URL query parameters, after its first run."""
    return open_app(monkeypatch, path, query=params)


def rendered(at: AppTest) -> list[tuple[str, str, bool]]:
    """(element type, text, raw HTML allowed) for everything the page renders as Markdown or HTML."""
    out = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if proto is None or kind in ("dataframe", "arrow_data_frame", "table", "text", "code", "json"):
            continue
        if kind == "html":
            out.append((kind, proto.body, True))
            continue
        for name in ("body", "label", "help", "placeholder"):
            if kind == "metric" and name == "body":
                continue  # the metric's value is shown as plain text
            text = getattr(proto, name, None)
            if isinstance(text, str) and text:
                out.append((f"{kind}.{name}", text, bool(getattr(proto, "allow_html", False))))
    return out


#: A payload that is live where it is rendered: a tag, a link/image target, a colour directive or icon, LaTeX,
#: emphasis, strikethrough, code or an autolink whose opening is not escaped.
LIVE_MARKDOWN = re.compile(
    r"(?<!\\)<(script|img)|(?<!\\)\]\((https://example\.invalid|javascript:)|(?<!\\):(red\[|material/)"
    r"|(?<!\\)\$(x\^2|y\$)|(?<!\\)\*\*bold|(?<!\\)~~struck|(?<!\\)`code|www\.example|(?<!\\)@example"
)
LIVE_HTML = re.compile(r"<script|<img|onerror=|\]\((https://example\.invalid|javascript:)")


def live_html(at: AppTest) -> list[tuple[str, str]]:
    """Payloads inside st.html or Markdown with raw HTML allowed: these would run in the browser."""
    return [(kind, text[:200]) for kind, text, allow in rendered(at) if allow and LIVE_HTML.search(text)]


def live_markdown(at: AppTest) -> list[tuple[str, str]]:
    """Payloads in Markdown (HTML off) without escaping. Streamlit shows such HTML tags as text, but a
    Markdown link or image is live (a phishing link, a remote image fetched from the viewer's browser)."""
    found = []
    for kind, text, allow in rendered(at):
        if not allow and (match := LIVE_MARKDOWN.search(text)):
            found.append((kind, text[max(0, match.start() - 60) : match.start() + 60]))
    return found


def check_markdown(at: AppTest) -> None:
    """Payloads in Markdown must be escaped (cxdash.labels.md)."""
    found = live_markdown(at)
    assert not found, found


@pytest.mark.parametrize(
    "name", ["St. Helens Council", "Health & Care", "King's Lynn (West) 2", "NHS 111: online", "Tees-side", "50% club"]
)
def test_ordinary_names_read_the_same_in_markdown(name):
    """md() escapes only what could mean something, so ordinary names are unchanged, even in the source."""
    assert md(name) == name


@pytest.mark.parametrize(
    "text, shown",
    [
        ("<script>alert(1)</script>", r"\<script\>alert(1)\</script\>"),
        ("[a](https://x.invalid)", r"\[a\](https\://x.invalid)"),
        ("![t](x.png)", r"!\[t\](x.png)"),
        (":red[x] :material/home:", r"\:red\[x\] \:material\/home:"),
        ("$x$ **b** _i_ ~s~ `c` a|b \\", r"\$x\$ \*\*b\*\* \_i\_ \~s\~ \`c\` a\|b \\"),
        ("www.x.invalid a@b.invalid &lt;", r"www\.x.invalid a\@b.invalid \&lt;"),
        ("# heading", r"\# heading"),
        ("- item", r"\- item"),
        ("1. item", r"1\. item"),
        ("two\nlines\r\n", "two lines "),
        (None, ""),
    ],
)
def test_markdown_payloads_are_escaped(text, shown):
    assert md(text) == shown


# --- Imports: payloads are stored as text, never run -------------------------------------------------


def test_payloads_are_stored_verbatim_and_no_table_was_touched(hostile, demo_db):
    con = duckdb.connect(str(hostile.path), read_only=True)
    try:
        name = con.execute("SELECT name FROM organisations WHERE org_id = ?", [hostile.target]).fetchall()[0][0]
        texts = {r[0] for r in con.execute("SELECT text FROM comments WHERE comment_id LIKE 'C-HOSTILE-%'").fetchall()}
        statement_comments = {
            r[0]
            for r in con.execute(
                "SELECT comment FROM assessment_responses WHERE org_id = ?", [hostile.target]
            ).fetchall()
        }.intersection(PAYLOADS)
    finally:
        con.close()
    assert name == SCRIPT
    assert texts == {f"{p} (hostile {i})" for i, p in enumerate(PAYLOADS)}
    assert statement_comments == set(PAYLOADS)
    before, after = _counts(demo_db), hostile.counts
    assert set(after) == set(before)  # no table dropped
    assert after["comments"] == before["comments"] + len(PAYLOADS)  # nothing deleted
    assert after["organisations"] == before["organisations"]


@pytest.mark.parametrize(
    "kind, column, row",
    [
        (
            "organisations",
            "org_id",
            {"name": "x", "sector": "local", "region": "r", "size_band": "small", "org_type": "t"},
        ),
        ("services", "service_id", {"org_id": "example-bc", "name": "x"}),
        ("comments", "comment_id", {"date": "2026-03-04", "org_id": "example-bc", "text": "x"}),
    ],
)
def test_hostile_ids_are_refused_and_change_nothing(example_db, tmp_path, kind, column, row):
    rows = [{column: payload, **row} for payload in PAYLOADS]
    file = tmp_path / f"{kind}.csv"
    file.write_bytes(_csv(rows))
    before = snapshot(example_db)
    with pytest.raises(ImportFailed) as failed:
        import_file(file, kind=kind, db_path=example_db)
    assert snapshot(example_db) == before
    flagged = {p.row for p in failed.value.problems if p.column == column}
    assert flagged == set(range(2, len(PAYLOADS) + 2)), failed.value


def test_hostile_names_in_the_key_columns_of_other_tables_are_refused(example_db, tmp_path):
    """An org_id or service_id that is a payload is not an organisation or service the database holds."""
    rows = [
        {"comment_id": f"C{i}", "date": "2026-03-04", "org_id": p, "service_id": p, "channel": p, "text": p}
        for i, p in enumerate(PAYLOADS)
    ]
    file = tmp_path / "comments.csv"
    file.write_bytes(_csv(rows))
    before = snapshot(example_db)
    with pytest.raises(ImportFailed):
        import_file(file, kind="comments", db_path=example_db)
    assert snapshot(example_db) == before


# --- Pages: no exception, nothing changed, payloads only as text -------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_hostile_names_and_comments_as_text(monkeypatch, hostile, page):
    at = start(monkeypatch, hostile.path)
    at.switch_page(page).run()  # then choose: AppTest's first run after a switch uses the default organisation
    at.selectbox(key="org").set_value(hostile.target).run()
    assert not at.exception, at.exception
    assert _counts(hostile.path) == hostile.counts
    assert not live_html(at), live_html(at)
    check_markdown(at)
    check_charts(at)


def check_charts(at: AppTest) -> None:
    """No chart obeys a tag from the data: Plotly renders <a href> and <span style> in labels and hover text."""
    import json

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return []

    for chart in at.get("plotly_chart"):
        text = "\n".join(strings(json.loads(chart.proto.spec)))  # the spec's JSON writes "<" as \u003c
        live = re.findall(r"<(?!/?(?:b|br|i|em|sup|sub|extra)\s*/?>)[a-z/][^>]*>", text, re.IGNORECASE)
        assert not live, live[:3]


def test_chart_text_from_data_is_shown_not_obeyed():
    import plotly.graph_objects as go

    from cxdash import charts

    fig = go.Figure(go.Bar(x=[1, 2], y=['<a href="https://example.invalid">phish</a>', "Ok <b>bold</b>"]))
    fig.update_traces(name='<span style="font-size:90px">big</span>', customdata=[["<img src=x>"], ["fine"]],
                      hovertemplate="%{y}<extra></extra>")  # fmt: skip
    fig.update_layout(title="<b>Satisfaction</b><br>n = 5")
    out = charts.inert(fig)
    assert out.data[0].y == ('&lt;a href="https://example.invalid">phish&lt;/a>', "Ok <b>bold</b>")
    assert out.data[0].name == '&lt;span style="font-size:90px">big&lt;/span>'
    assert [list(row) for row in out.data[0].customdata] == [["&lt;img src=x>"], ["fine"]]
    assert out.layout.title.text == "<b>Satisfaction</b><br>n = 5"  # our own markup stays
    assert out.data[0].hovertemplate == "%{y}<extra></extra>"  # and so does the hover template's trace-box tag
    plain = go.Figure(go.Bar(x=[1], y=["Kingston Council"], hovertemplate="%{y}<extra></extra>"))
    assert charts.inert(plain) is plain
    assert charts.inert(fig) is not fig and charts.inert(charts.inert(fig)) is not fig  # never marked as checked
    assert charts.inert(out).data[0].y == out.data[0].y


@pytest.mark.parametrize("page", PAGES)
def test_hostile_url_parameters_are_ignored_safely(monkeypatch, hostile, page):
    offset = PAGES.index(page)  # each page gets every payload, in a different parameter
    params = {name: PAYLOADS[(i + offset) % len(PAYLOADS)] for i, name in enumerate(PARAMS)}
    at = start(monkeypatch, hostile.path, params)
    at.switch_page(page).query_params.update(params)  # a deep link to the page with these parameters
    at.run()
    assert not at.exception, (params, at.exception)
    assert _counts(hostile.path) == hostile.counts
    assert not live_html(at), live_html(at)
    check_markdown(at)


def _matching_comments(path: Path, org: str, start: date, end: date, term: str) -> int:
    """Comments of `org` in [start, end) whose text contains `term` (any case), counted with strpos, not LIKE."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT count(*) FROM comments WHERE org_id = ? AND comment_date >= ? AND comment_date < ? "
            "AND strpos(lower(text), lower(?)) > 0",
            [org, start, end, term],
        ).fetchall()[0][0]
    finally:
        con.close()


def test_hostile_comment_searches_find_the_literal_text(monkeypatch, hostile):
    at = start(monkeypatch, hostile.path)
    at.switch_page("pages/journeys.py").run()
    at.selectbox(key="org").set_value(hostile.target).run()
    first, last = at.select_slider(key="period").value
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    for payload in [*PAYLOADS[:3], "%", "_", "\\"]:  # SQL, script, and LIKE's own wildcards and escape
        at.text_input(key="journeys_search").input(payload).run()
        assert not at.exception, (payload, at.exception)
        expected = _matching_comments(hostile.path, hostile.target, first, end, payload)
        assert expected >= 1, payload  # each payload is in at least its own comment
        caption = " ".join(c.value for c in at.caption)
        assert f" {expected:,} comment" in caption, (payload, expected, caption)
        shown = next(d.value for d in at.dataframe if "Comment" in d.value.columns)
        assert 1 <= len(shown) <= expected
        assert all(payload.lower() in text.lower() for text in shown["Comment"]), payload
        assert not live_html(at), live_html(at)
    assert _counts(hostile.path) == hostile.counts


# --- Downloads: no CSV cell runs as a formula in a spreadsheet --------------------------------------


FORMULAS = ['=HYPERLINK("https://example.invalid","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_csv_downloads_keep_formulas_as_text_and_numbers_as_numbers():
    frame = pd.DataFrame({"Service": FORMULAS, "Change": [-3, -0.5, 2, 0, -1, 4], "Shown": ["-3", "+12%", *"abcd"]})
    rows = list(csv.reader(io.StringIO(export.to_csv(frame).decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Service", "Change", "Shown"]
    assert [r[0] for r in rows[1:]] == ["'" + f for f in FORMULAS]
    assert [r[1] for r in rows[1:]] == ["-3.0", "-0.5", "2.0", "0.0", "-1.0", "4.0"]  # numbers stay numbers
    assert [r[2] for r in rows[1:3]] == ["-3", "+12%"]  # text that is only a number is read as that number
    assert csv_safe(pd.DataFrame({"=1+1": [1]})).columns.tolist() == ["'=1+1"]


def test_the_problems_csv_keeps_formulas_from_the_file_as_text(example_db):
    rows = [
        {"org_id": f"x{i}", "name": "N", "sector": f, "region": "r", "size_band": f, "org_type": "t"}
        for i, f in enumerate(FORMULAS[:4])
    ]
    data = _csv(rows)
    report = upload.validate_upload(data, "orgs.csv", "organisations", example_db)
    assert not report.ok
    text = upload.problems_csv(report).decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
    assert any(c.startswith("'=") for c in cells), text
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and c[1:2].isalpha())]


# --- Uploads: size limit and type check --------------------------------------------------------------


ORGS = b"org_id,name,sector,region,size_band,org_type\nx1,X,local,North,small,council\n"


@pytest.mark.parametrize(
    "name, data, limit, reason",
    [
        ("big.csv", ORGS + b"x" * 2048, 1024, "larger than"),
        ("orgs.exe", ORGS, None, "unsupported file type"),
        ("orgs.json", ORGS, None, "unsupported file type"),
        ("orgs.txt", ORGS, None, "unsupported file type"),
        ("orgs", ORGS, None, "unsupported file type"),
        ("orgs.csv.exe", ORGS, None, "unsupported file type"),
    ],
)
@pytest.mark.parametrize("confirm", [False, True])
def test_uploads_too_large_or_of_the_wrong_type_are_refused(example_db, name, data, limit, reason, confirm):
    before = snapshot(example_db)
    run = upload.confirm_upload if confirm else upload.validate_upload
    report = run(data, name, "organisations", example_db, limit)
    assert not report.ok
    assert report.problems["reason"].str.contains(reason).all(), report.problems
    assert snapshot(example_db) == before


def test_the_upload_limit_is_the_smaller_of_streamlits_and_the_importers():
    assert upload.limit_bytes(1) == 2**20
    assert upload.limit_bytes(None) == upload.MAX_FILE_BYTES
    assert upload.limit_bytes(10**9) == upload.MAX_FILE_BYTES


def _upload(monkeypatch: pytest.MonkeyPatch, path: Path, name: str, data: bytes) -> AppTest:
    monkeypatch.setenv("CXDASH_IMPORT_PASSCODE", "test-import")
    at = start(monkeypatch, path)
    at.switch_page("pages/data.py").run()
    at.text_input(key="data_passcode").input("test-import").run()  # importing unlocked
    uploader = next(n for n in at._tree if getattr(n, "type", "") == "file_uploader")
    assert {t.lstrip(".") for t in uploader.allowed_type} == set(upload.UPLOAD_TYPES)
    uploader.set_value((name, data, "application/octet-stream"))
    return at.run()


def test_the_data_page_uploader_refuses_a_wrong_type(monkeypatch, example_db):
    """The browser only offers .csv/.xlsx; a crafted request with another type is refused by Streamlit itself."""
    before = snapshot(example_db)
    at = _upload(monkeypatch, example_db, "evil.exe", ORGS)
    assert [e.message for e in at.exception] == ["Invalid file extension: `.exe`. Allowed: ['.csv', '.xlsx']"]
    assert snapshot(example_db) == before


@pytest.mark.parametrize(
    "name, data",
    [
        ("<img src=x onerror=alert(1)>.csv", ORGS.replace(b"X,", b"<script>alert(1)</script>,")),
        ("[click me](javascript:alert(1)).csv", b"\x00\x01binary"),
        ("'; DROP TABLE organisations; --.csv", ORGS.replace(b"x1,", b"'; DROP TABLE organisations; --,")),
    ],
)
def test_the_data_page_shows_hostile_file_names_and_cells_as_text(monkeypatch, example_db, name, data):
    before = snapshot(example_db)
    at = _upload(monkeypatch, example_db, name, data)
    assert not at.exception, at.exception
    assert not live_html(at), live_html(at)
    assert snapshot(example_db) == before  # checked only: nothing is written before "Confirm import"
    check_markdown(at)


def test_two_organisations_with_the_same_name_can_each_be_chosen(monkeypatch, example_db, tmp_path):
    """The organisation picker is bound to the URL by its label: a shared name gets the id added."""
    file = tmp_path / "organisations.csv"
    file.write_bytes(ORGS.replace(b"x1,X,", b"x1,Same name,") + b"x2,Same name,local,South,small,council\n")
    import_file(file, kind="organisations", db_path=example_db)
    at = start(monkeypatch, example_db)
    for org in ("x1", "x2"):
        at.selectbox(key="org").set_value(org).run()
        assert at.selectbox(key="org").value == org
    at = start(monkeypatch, example_db, {"org": "Same name (x2)"})  # a copied link opens the same one
    assert at.selectbox(key="org").value == "x2"


def test_a_link_with_a_unique_organisation_name_still_works(monkeypatch, example_db):
    con = duckdb.connect(str(example_db), read_only=True)
    try:
        org_id, name = con.execute("SELECT org_id, name FROM organisations ORDER BY org_id DESC LIMIT 1").fetchall()[0]
    finally:
        con.close()
    at = start(monkeypatch, example_db, {"org": name})
    assert at.selectbox(key="org").value == org_id


@pytest.mark.parametrize("value", ["' OR 1=1 --", "x1' OR '1'='1", "1; DROP TABLE organisations; --", "%", "_"])
def test_sql_injection_in_the_organisation_parameter_chooses_nothing_else(monkeypatch, example_db, value):
    """?org=' OR 1=1 -- is not an organisation: the default one is shown and no table changes."""
    before = snapshot(example_db)
    default = start(monkeypatch, example_db).selectbox(key="org").value
    at = start(monkeypatch, example_db, {"org": value})
    assert at.selectbox(key="org").value == default
    assert snapshot(example_db) == before

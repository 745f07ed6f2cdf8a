"""What a board pack says, page by page, independent of the file format: the Overview's figures
(cxdash.overview.build), the peer comparison (cxdash.peers) and the trends (cxdash.trends), with the
same chart functions and the same sentences as the app. No Streamlit, no drawing here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import plotly.graph_objects as go

from cxdash import config, labels, overview, peers, reference, theme, trends
from cxdash.charts.overview import make_pillars_vs_peers
from cxdash.charts.peers import make_peer_strip
from cxdash.charts.trends import make_feedback_trend, make_maturity_rounds
from cxdash.filters import Filters, window_label
from cxdash.insight import priorities

TITLE = "Customer experience board pack"

#: Width (CSS pixels) charts are drawn at: full page width, and the chart beside the headline figures.
FULL_WIDTH = 1200
WIDE_WIDTH = 1400  # time charts, whose legends sit above the plot
SIDE_WIDTH = 860


@dataclass
class Chart:
    """A figure from the app's chart functions, the width it is drawn at, and what it shows in words."""

    figure: go.Figure
    width: int = FULL_WIDTH
    height: int | None = None
    captions: tuple[str, ...] = ()
    png: bytes | None = None  # filled in by figures.render


@dataclass(frozen=True)
class Tile:
    """One headline figure: what it is, the figure, a note under it (and a stage colour, as on the app)."""

    label: str
    value: str
    note: str = ""
    colour: str | None = None


@dataclass(frozen=True)
class Table:
    """A small table for people: header, rows of text, relative column widths."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]


@dataclass(frozen=True)
class Step:
    """One recommendation: the pillar, where it stands (stage, points to the next, lift), what to do."""

    pillar: str
    summary: str
    text: str


@dataclass
class Section:
    """One page (PDF) or slide (PowerPoint)."""

    title: str
    lead: str = ""
    tiles: tuple[Tile, ...] = ()
    chart: Chart | None = None
    table: Table | None = None
    steps: tuple[Step, ...] = ()
    notice: str = ""
    captions: tuple[str, ...] = ()


@dataclass
class Pack:
    """A board pack: title page facts, then one section per page."""

    org_name: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    sections: list[Section] = field(default_factory=list)
    footer: str = ""
    produced: date = field(default_factory=date.today)

    @property
    def charts(self) -> list[Chart]:
        """Every chart in the pack, in page order."""
        return [s.chart for s in self.sections if s.chart is not None]

    @property
    def file_stem(self) -> str:
        """A file name without extension: 'kingston-borough-council-board-pack-2026-05-04'."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.org_name.lower()).strip("-") or "organisation"
        return f"{slug}-board-pack-{self.produced:%Y-%m-%d}"


class PackError(ValueError):
    """The pack cannot be built for these filters (unknown organisation, no data)."""


def kpi_row(kpi: dict, min_n: int) -> tuple[str, str, str, str]:
    """A feedback KPI as the Overview's tile says it: measure, result, change, responses."""
    nps = kpi["headline"] == "nps"
    label = kpi["label"] + (" (NPS)" if nps else " (% rating 4 or 5)")
    if kpi["verdict"] == "not enough responses" and kpi["n_current"] < min_n:
        return label, "not enough responses", "not compared", f"n = {kpi['n_current']:,}"
    value = f"{kpi['current']:+.0f}" if nps else f"{kpi['current']:.0f}%"
    unit = "" if nps else " pts"
    if kpi["verdict"] in ("up", "down"):
        change = f"{labels.signed(kpi['change'])}{unit}, beyond noise"
    elif kpi["verdict"] == "no significant change":
        change = f"{labels.signed(kpi['change'])}{unit}, within noise"
    else:
        change = "too few responses before to compare"
    return label, value, change, f"n = {kpi['n_current']:,} (before: {kpi['n_previous']:,})"


def assemble(f: Filters, path: Path | None = None, today: date | None = None) -> Pack:
    """The board pack for the organisation and filters f; PackError when there is nothing to report on."""
    if f.org_id is None:
        raise PackError("Choose an organisation: the database holds none yet.")
    view = overview.build(f, path)
    if view is None:
        raise PackError(f"No organisation with id {f.org_id!r} in the database.")
    org = view.org
    quarterly = f.grain_months == 3
    period = window_label(f.start, f.end, quarterly) if f.start else None
    framework = _framework_name(f.framework_id, path)
    min_n = config.min_n()
    produced = today or date.today()
    source = Path(path or config.db_path()).name
    pack = Pack(
        org_name=str(org["name"]),
        subtitle=(
            f"{labels.sector(org['sector'])} · {org['region']} · compared with {view.peer_phrase}: "
            f"{view.peer_count} other organisation{'s' if view.peer_count != 1 else ''}"
        ),
        facts=(
            ("Maturity framework", (framework or "none loaded") + ("" if view.assessed else " (not assessed yet)")),
            (
                "Latest assessment",
                f"{view.round_date:%d %B %Y}, {view.respondents} people answered" if view.assessed else "none yet",
            ),
            ("Citizen feedback", f"{period}, compared with the same length of time before" if period else "none yet"),
            ("Compared with", f"{view.peer_label}: {view.peer_count} other organisations"),
            ("Produced", f"{produced:%d %B %Y}"),
        ),
        footer=(
            f"Source: cxdash database {source}: maturity self-assessments and aggregated citizen feedback "
            f"(no individual responses). Produced {produced:%d %b %Y}."
        ),
        produced=produced,
    )
    kpis = _kpi_table(view, f, min_n)
    comp = peers.comparison(f.framework_id, f.org_id, f.peer_group, f.start, f.end, path)
    if view.assessed:
        pack.sections.append(_headline(view))
        pack.sections.append(_peer_section(f, view, comp, period, "maturity"))
        pack.sections.append(_feedback_section(view, period, kpis))
    else:
        pack.sections.append(_unassessed_headline(view, period, kpis, framework))
    pack.sections.append(_peer_section(f, view, comp, period, "feedback"))
    pack.sections.append(_trend_section(f, view, path))
    if view.assessed:
        pack.sections.append(_maturity_section(f, view, path))
    pack.sections.append(_fix_first_section(f, path))
    if view.assessed:
        pack.sections.append(_steps_section(view))
    return pack


def _framework_name(framework_id: str | None, path: Path | None) -> str | None:
    if not framework_id:
        return None
    frameworks = reference.frameworks(path)
    row = frameworks[frameworks["framework_id"] == framework_id]
    return str(row["name"].iloc[0]) if not row.empty else framework_id


def _headline(view: overview.Overview) -> Section:
    stage = view.stage
    position = view.position
    if position is not None and position.enough:
        note = f"{peers.QUARTILES[position.quartile]}, ranked {position.rank} of {position.peers + 1}"
        note += f" in {view.peer_phrase}"
        place = Tile("Position among peers", f"{labels.ordinal(position.percentile)} percentile", note)
    else:
        note = position.describe() if position else "No peers have been assessed."
        place = Tile("Position among peers", "too few peers", note)
    tiles = (
        Tile("Customer-centricity score", f"{view.score:.0f} / 100", view.change.describe()),
        Tile(
            "Maturity stage", str(stage["name"]), str(stage["descriptor"]), theme.STAGE_COLOURS.get(int(stage["level"]))
        ),
        place,
        Tile("Assessed", f"{view.round_date:%d %b %Y}", f"{view.respondents} people answered"),
    )
    weakest = view.pillars.sort_values("score_100").iloc[0]
    median = (
        f"the diamond is the median of {view.peer_phrase}"
        if view.pillars["peer_median"].notna().any()
        else f"no other organisation in {view.peer_phrase} has been assessed, so there is no peer median"
    )
    caption = (
        f"Each bar is a pillar's score from the latest assessment; {median}. "
        f"Weakest: {weakest['name']} ({weakest['score_100']:.0f})."
    )
    chart = Chart(make_pillars_vs_peers(view.pillars, view.peer_label, view.respondents), SIDE_WIDTH, 600, (caption,))
    lead = (
        f"{view.org['name']} scores {view.score:.0f} out of 100 on customer-centricity: stage "
        f"{stage['level']} of 5, {stage['name']}."
    )
    return Section("Headline", lead=lead, tiles=tiles, chart=chart)


def _kpi_table(view: overview.Overview, f: Filters, min_n: int) -> Table | None:
    if view.kpis.empty:
        return None
    before = window_label(*f.previous, f.grain_months == 3)
    rows = tuple(kpi_row(k, min_n) for k in view.kpis.to_dict("records"))
    return Table(("Measure", "Result", f"Change against {before}", "Responses"), rows, (0.30, 0.20, 0.29, 0.21))


def kpi_caption(min_n: int) -> str:
    """How to read the KPI table (the Overview's caption, with the small-sample threshold spelt out)."""
    return (
        "Share rating 4 or 5 out of 5 (NPS: % scoring 9-10 minus % scoring 0-6), compared with the same length of "
        "time just before. Changes are called up or down only when beyond noise (95% test). A result from fewer "
        f"than {min_n} responses is shown as 'not enough responses'."
    )


def _feedback_section(view: overview.Overview, period: str | None, kpis: Table | None) -> Section:
    title = f"Citizen feedback, {period}" if period else "Citizen feedback"
    if kpis is None:
        return Section(title, notice="No citizen feedback for this organisation in the chosen period.")
    return Section(
        title,
        lead=f"What people who used {view.org['name']}'s services said, measure by measure.",
        table=kpis,
        captions=(kpi_caption(config.min_n()),),
    )


def _unassessed_headline(
    view: overview.Overview, period: str | None, kpis: Table | None, framework: str | None
) -> Section:
    notice = (
        f"{view.org['name']} has no maturity assessment yet"
        + (f" against the {framework}" if framework else "")
        + ", so this pack has no customer-centricity score, stage, pillar chart or recommendations. "
        "They appear after the first self-assessment is imported. The pages that follow cover citizen feedback."
    )
    section = _feedback_section(view, period, kpis)
    section.title = "Headline: citizen feedback" + (f", {period}" if period else "")
    section.notice = notice if kpis is not None else notice + " No citizen feedback in the chosen period either."
    return section


def _peer_section(
    f: Filters, view: overview.Overview, comp: peers.Comparison, period: str | None, kind: str
) -> Section:
    title = "Maturity among peers" if kind == "maturity" else "Citizen feedback among peers"
    table = comp.standing
    others = len(comp.members) - 1
    lead = f"Comparing {comp.name} with {comp.phrase}: {others} other organisation{'s' if others != 1 else ''}"
    if kind == "maturity":
        lead += ", each on its latest self-assessment."
        if view.position is not None and view.position.enough:
            lead += f" Overall score: {view.position.describe()}."
    else:
        lead += f", on citizen feedback for {period}." if period else "."
    reason = peers.blank_reason(comp, table, kind, period)
    if reason:
        return Section(title, lead=lead, notice=reason)
    rows = table[(table["kind"] == kind) & table["percentile"].notna()]
    names = peers.display_names(peers.league(comp, None), f.org_id, anonymise=True)
    fig = make_peer_strip(comp.values, rows, f.org_id, names, peers.strip_title(comp, rows, period))
    return Section(title, lead=lead, chart=Chart(fig, captions=(peers.strip_caption(comp, rows, kind),)))


def _trend_section(f: Filters, view: overview.Overview, path: Path | None) -> Section:
    name = str(view.org["name"])
    available = trends.measures(f.org_id, path)
    if available.empty:
        return Section("Citizen feedback over time", notice=f"No citizen feedback for {name} yet.")
    measure, label = available["measure"].iloc[0], available["label"].iloc[0]
    grain = trends.grains(reference.periods(path))[0]
    trend = trends.series(f.org_id, measure, grain, f.peer_group, f.service_id, f.channel, f.stage, path)
    title = f"{label} over time"
    if trend.empty or trend["n"].sum() == 0:
        return Section(title, notice=f"No answers about {label.lower()} for {name}.")
    window = trends.window_periods(f.start, f.end, grain)
    peer_line = f"Peer median: {view.peer_phrase}"
    fig = make_feedback_trend(trend, label, grain, window, name, peer_line)
    captions = [
        trends.describe_feedback(trend, label, name, grain),
        trends.describe_peers(trend, name, view.peer_label, grain),
    ]
    hidden = trends.describe_hidden(trend, grain)
    if hidden:
        captions.append(hidden)
    lead = (
        f"{label} across the whole history held, against the peer median; the yellow shading ('Selected period') "
        "marks this pack's feedback period."
    )
    return Section(title, lead=lead, chart=Chart(fig, WIDE_WIDTH, 680, tuple(captions)))


def _maturity_section(f: Filters, view: overview.Overview, path: Path | None) -> Section:
    rounds = trends.maturity_rounds(f.framework_id, f.org_id, path)
    fig = make_maturity_rounds(rounds, trends.stages(f.framework_id, path))
    return Section(
        "Maturity across assessment rounds",
        lead="The overall score (black) and each pillar in every self-assessment round; dotted lines mark the stages.",
        chart=Chart(fig, WIDE_WIDTH, 680, captions=(trends.describe_maturity(rounds),)),
    )


#: Items of the fix-first list in the pack: as many as fit one slide.
FIX_FIRST_ITEMS = 3


def _fix_first_section(f: Filters, path: Path | None) -> Section:
    """The Overview's "What to fix first" list: each item, its kind and priority, the sentence with its numbers."""
    items = priorities.fix_first(f, path, top=FIX_FIRST_ITEMS)
    title = "What to fix first"
    if items.empty:
        return Section(title, notice=priorities.empty_message(items))
    steps = tuple(
        Step(
            str(item["area"]),
            f"{item['kind_label']}, priority {item['score']:.0f} out of 100",
            str(item["detail"]) + (f" Next step: {item['action']}" if item["action"] else ""),
        )
        for item in items.to_dict("records")
    )
    lead = "Maturity gaps and citizen-feedback evidence in one list, most urgent first."
    return Section(title, lead=lead, steps=steps, captions=(priorities.rule(short=True),))


def _steps_section(view: overview.Overview) -> Section:
    if view.next_steps.empty:
        return Section("What to do next", notice="Recommendations appear after the first maturity assessment.")
    steps = tuple(
        Step(str(s["name"]), labels.step_summary(s), str(s["text"])) for s in view.next_steps.to_dict("records")
    )
    lead = (
        "The framework's recommendations for the weakest pillars, ordered by how much reaching the next stage "
        "would lift the overall score."
    )
    return Section("What to do next", lead=lead, steps=steps)

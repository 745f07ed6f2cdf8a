"""US federal A-11 customer-experience data: OMB Circular A-11 Section 280 quarterly results.

One input row is one High Impact Service Provider (HISP) touchpoint in one quarter, with the
number of respondents giving each answer (1-5) to up to eleven questions. `import_frame`
validates every row, maps the file onto cxdash and writes it in one transaction:

- each service provider becomes an organisation (`a11-<provider id>-<slug>`), its parent the
  department or agency it reports under;
- each provider + `attributes_service_provided` becomes a service (`a11-<provider id>-<slug>`);
- each row becomes quarterly score distributions at the 'whole_journey' stage, one per measure;
- the year and quarter are US federal fiscal quarters (FY Q1 = October-December of the year
  before), stored as the first day of the calendar quarter they cover.

Which measure a question feeds is decided from its slot (q1 satisfaction ... q7 employee
helpfulness) and its wording (`classify_questions`); docs/a11.md explains every rule, with
the counts from the published file.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from cxdash import db
from cxdash.imports.base import ImportFailed, ImportResult, Problem, next_import_id, record_import
from cxdash.imports.writers import CELL, write_distributions
from cxdash.insight import themes

KIND = "a11"

PROVIDER_ID = "attributes_service_provider_id"
PROVIDER_NAME = "attributes_service_provider_name"
ORGANISATION_NAME = "attributes_organization_name"
YEAR = "attributes_collection_year"
QUARTER = "attributes_collection_quarter"
SERVICE = "attributes_service_provided"
CHANNEL = "attributes_channel"
SERVICE_CATEGORY = "attributes_service_name"  # optional: the federal service the touchpoint belongs to
CUSTOMERS = "attributes_volume_of_customers"
OFFERED = "attributes_volume_of_customers_provided_survey_opportunity"
RESPONDENTS = "attributes_volume_of_respondents"

#: Question slots A-11 defines, and the measure each one asks about.
SLOT_MEASURES = {
    1: "satisfaction",
    2: "trust",
    3: "effectiveness",
    4: "ease",
    5: "efficiency",
    6: "equity",
    7: "employee_helpfulness",
}
#: Further slots some providers filled with questions of their own: validated, never imported.
EXTRA_SLOTS = (8, 9, 10, 11)
SCORES = (1, 2, 3, 4, 5)
#: Counts at or beyond this are refused: no service has that many respondents, and sums must fit BIGINT.
LARGEST_COUNT = 10**15


def text_column(slot: int) -> str:
    """Name of the question-text column of a slot."""
    return f"attributes_q{slot}_text"


def count_column(slot: int, score: int) -> str:
    """Name of the column counting respondents who answered `score` in a slot."""
    return f"attributes_q{slot}_{score}"


REQUIRED = [
    PROVIDER_ID,
    PROVIDER_NAME,
    ORGANISATION_NAME,
    YEAR,
    QUARTER,
    SERVICE,
    CHANNEL,
    *(c for s in SLOT_MEASURES for c in (text_column(s), *(count_column(s, k) for k in SCORES))),
]

#: A-11 channel values (lower case, spaces as underscores) and the cxdash channel they become.
CHANNELS = {
    "computer": "web",
    "website": "web",
    "web": "web",
    "mobile": "app",
    "email": "email",
    "phone": "phone",
    "automated_phone": "automated_phone",
    "in_person": "face_to_face",
    "paper": "post",
    "postal_mail": "post",
    "mixed": "multiple",
    "": "not_recorded",
}

#: Question texts that say no question was asked.
PLACEHOLDERS = {"none", "no question", "n/a", "na", "null", "-", "0"}

#: Size band from the provider's busiest quarter (customers summed over its touchpoints).
SIZE_THRESHOLDS = ((10_000_000, "large"), (1_000_000, "medium"), (0, "small"))
NO_VOLUME_BAND = "unknown"

ORG_DEFAULTS = {
    "sector": "federal",
    "region": "National",
    "org_type": "High Impact Service Provider",
    "country": "United States",
}

# --- Reading question texts -----------------------------------------------------------------
# All patterns run on the normalised text (lower case, single spaces).

#: The question was asked on a 1-10 scale and the counts were folded into five buckets.
TEN_POINT = re.compile(r"10-point|10 point|\b1 to 10\b|\b1-10\b|1\s*=[^=]{1,60}\b10\s*=")

#: Loyalty, recommendation, yes/no and ideal/expectation questions: none of them is an A-11
#: measure (cxdash's `recommend` is a 0-10 scale, which five buckets cannot fill).
NOT_A_MEASURE = re.compile(
    r"recommend|refer (a )?friend|to a friend|\blikely\b.{0,40}\b(use|return|refer)\b|primary (source|resource)"
    r"|yes or no|\bideal\b|(meet|meets|meeting|exceeds|falls short of) your expectations"
    r"|opportunities for improvement|which best describes|reason for your call|your role|visual appeal"
)

#: The standard A-11 wordings: enough to say a question asks about this measure wherever it sits.
WORDINGS = {
    "satisfaction": r"\bsatisf|overall experience",
    "trust": r"\btrust|confidence in",
    "effectiveness": r"need was addressed|needs? (was |were )?met\b|\buseful",
    "ease": r"\b(it|was|is) easy to|how easy|easy or difficult|ease of|easy to navigate|organi[sz]ed|layout",
    "efficiency": r"reasonable amount of time|timely|quickly|reasonable pace|how long|wait time|time it took"
    r"|time frame",
    "equity": r"treated (me )?fairly|been treated fairly|being asked of me|diversity, equity",
    "employee_helpfulness": r"(employees?|representatives?|staff|personnel|agent) (i|we) interacted with"
    r"( today)? (were|was) helpful",
}

#: Wider vocabulary that agencies' own wordings of a slot's measure use: a question in its own
#: slot that matches is taken as worded (it is never moved elsewhere).
FITS = {
    "satisfaction": r"satisf|overall (customer service|experience|webinar experience)|rate your (overall )?experience"
    r"|experiencia general",
    "trust": r"\btrust|confiden(ce|t) in|confía",
    "effectiveness": r"need(s)? (was |were )?(addressed|met)|met (my|your) needs|accomplish|resolv|resolution"
    r"|able to (\w+ ){0,2}(find|complete|get|obtain)|successfully|answer|useful|helpful|valuable|effective"
    r"|information provided|knowledge|know which action|what i need to do next",
    "ease": r"\beas(y|ier|ily)\b|\bease\b|simple|navigat|self-explanatory|explained in terms|clear answer",
    "efficiency": r"\btime|timely|quick|\bpace\b|how long|\bwait",
    "equity": r"fair|understo|understand|clear|access|equit|divers|respect|courte|professional",
    "employee_helpfulness": r"helpful|helped me|courte|professional|respect|committed to solving|ability|knowledge"
    r"|showing interest|duty to assist",
}
_WORDING_RE = {m: re.compile(p) for m, p in WORDINGS.items()}
_FITS_RE = {m: re.compile(f"{FITS[m]}|{WORDINGS[m]}") for m in SLOT_MEASURES.values()}

#: What happened to a question, in the order the import notes list them.
RULES = {
    "as_worded": "imported as worded (the text reads as its slot's measure)",
    "moved": "moved to the measure their standard A-11 wording names (asked in another slot)",
    "by_position": "custom wording kept as the slot's A-11 driver (q3-q7)",
    "unlabelled": "no question text but answers: imported as the slot's A-11 measure",
    "not_a_measure": "skipped: loyalty, recommendation, yes/no or ideal/expectations questions",
    "not_outcome": "skipped: q1/q2 wording is neither satisfaction/trust nor another measure",
    "duplicate": "skipped: a second question for a measure the same row already has",
    "extra": "skipped: q8-q11 custom questions",
    "unanswered": "skipped silently: question text but no answers",
    "placeholder": "skipped silently: NONE / No Question / N/A with no answers",
    "blank": "skipped silently: blank question with no answers",
}
IMPORTED_RULES = ("as_worded", "moved", "by_position", "unlabelled")
SILENT_RULES = ("unanswered", "placeholder", "blank")


def normalise(text: str) -> str:
    """Question text for matching: lower case, non-breaking spaces and runs of spaces collapsed."""
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip().lower()


def is_ten_point(text: str) -> bool:
    """True when a question's text says it was asked on a 1-10 scale."""
    return bool(TEN_POINT.search(normalise(text)))


@dataclass(frozen=True)
class Decision:
    """What one question (slot) of one row becomes: a measure, or None with the rule that skipped it."""

    slot: int
    measure: str | None
    rule: str


def classify_questions(texts: dict[int, str], answered: dict[int, bool]) -> dict[int, Decision]:
    """Decide the measure of each question q1-q7 of one row, at most one question per measure.

    A question that reads as its slot's measure keeps it; loyalty-type questions are skipped;
    a question worded as another A-11 measure moves there; other custom driver wordings keep
    their slot (q1/q2 only ever hold satisfaction/trust questions). When two questions claim a
    measure, as-worded beats moved beats by-position, then the lower slot wins.
    """
    decisions: dict[int, Decision] = {}
    claims: list[tuple[int, int, str, str]] = []  # (priority, slot, measure, rule)
    for slot, own in SLOT_MEASURES.items():
        text = normalise(texts.get(slot, ""))
        if not answered.get(slot, False):
            rule = "blank" if not text else "placeholder" if text in PLACEHOLDERS else "unanswered"
            decisions[slot] = Decision(slot, None, rule)
        elif not text:
            claims.append((2, slot, own, "unlabelled"))
        elif NOT_A_MEASURE.search(text):
            decisions[slot] = Decision(slot, None, "not_a_measure")
        elif _FITS_RE[own].search(text):
            claims.append((0, slot, own, "as_worded"))
        elif other := next((m for m, p in _WORDING_RE.items() if m != own and p.search(text)), None):
            claims.append((1, slot, other, "moved"))
        elif slot in (1, 2):
            decisions[slot] = Decision(slot, None, "not_outcome")
        else:
            claims.append((2, slot, own, "by_position"))
    taken: set[str] = set()
    for _, slot, measure, rule in sorted(claims):
        if measure in taken:
            decisions[slot] = Decision(slot, None, "duplicate")
        else:
            taken.add(measure)
            decisions[slot] = Decision(slot, measure, rule)
    return dict(sorted(decisions.items()))


# --- Parsing cells ----------------------------------------------------------------------------

_WHOLE = re.compile(r"[+-]?\d+(?:\.0*)?")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _count(value: str) -> tuple[int | None, str | None]:
    """A respondent count: blank is 0; anything but a whole number >= 0 gives a reason."""
    if value == "":
        return 0, None
    if not _WHOLE.fullmatch(value):
        return None, "count must be a whole number of respondents (0 or more)"
    number = int(float(value))
    if number < 0:
        return None, "count cannot be negative"
    if number >= LARGEST_COUNT:
        return None, "count is too large"
    return number, None


def _volume(value: str) -> tuple[float | None, str | None]:
    """A volume (customers, respondents): blank is unknown; otherwise a number >= 0."""
    if value == "":
        return None, None
    if not _NUMBER.fullmatch(value) or not math.isfinite(float(value)):
        return None, "volume must be a number (or blank when not known)"
    number = float(value)
    if number < 0:
        return None, "volume cannot be negative"
    return number, None


def _year(value: str) -> int | None:
    match = re.fullmatch(r"(\d{4})(?:\.0*)?", value)
    return int(match.group(1)) if match and 2000 <= int(match.group(1)) <= 2100 else None


def _quarter(value: str) -> int | None:
    match = re.fullmatch(r"[Qq]?([1-4])(?:\.0*)?", value)
    return int(match.group(1)) if match else None


def fiscal_quarter_start(year: int, quarter: int) -> date:
    """First day of US federal fiscal quarter `quarter` of fiscal year `year` (FY starts 1 October)."""
    month = 10 + 3 * (quarter - 1)
    return date(year - 1 + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def slug(text: str, limit: int = 60) -> str:
    """Lower-case ASCII id part; long texts are cut and given a short hash so ids stay unique."""
    full = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("&", " and ").replace("'", "").replace("’", "")).strip("-")
    if len(full) <= limit:
        return full or "x"
    return f"{full[:limit].rstrip('-')}-{hashlib.sha1(full.encode()).hexdigest()[:8]}"


def _channel_key(value: str) -> str:
    return re.sub(r"[\s-]+", "_", value.strip().lower())


def size_band(customers: float | None) -> str:
    """Size band from a provider's busiest quarter of customers (see SIZE_THRESHOLDS)."""
    if customers is None or customers <= 0:
        return NO_VOLUME_BAND
    return next(band for threshold, band in SIZE_THRESHOLDS if customers >= threshold)


# --- One row, checked -------------------------------------------------------------------------


@dataclass
class _Row:
    row: int
    provider_id: str
    provider_name: str
    organisation: str
    period_start: date
    fiscal: tuple[int, int]
    service: str
    category: str
    channel: str
    texts: dict[int, str]
    counts: dict[int, list[int]]
    customers: float | None
    offered_blank: bool
    respondents: float | None
    point_scales: dict[int, str] = field(default_factory=dict)


def _check_row(record: dict[str, str], columns: set[str], name: str, problems: list[Problem]) -> _Row | None:
    row = int(record["_row"])
    start = len(problems)

    def problem(column: str, reason: str) -> None:
        problems.append(Problem(name, row, column, record.get(column, "")[:200], reason))

    def cell(column: str) -> str:
        return record.get(column, "") if column in columns else ""

    provider_id = cell(PROVIDER_ID)
    if PROVIDER_ID in columns and not provider_id:
        problem(PROVIDER_ID, "service provider id is blank")
    if PROVIDER_NAME in columns and not cell(PROVIDER_NAME):
        problem(PROVIDER_NAME, "service provider name is blank")
    if SERVICE in columns and not cell(SERVICE):
        problem(SERVICE, "service provided is blank")
    year = _year(cell(YEAR))
    if YEAR in columns and year is None:
        problem(YEAR, "year must be a four-digit year (2000-2100)")
    quarter = _quarter(cell(QUARTER))
    if QUARTER in columns and quarter is None:
        problem(QUARTER, "quarter must be 1, 2, 3 or 4")
    channel = CHANNELS.get(_channel_key(cell(CHANNEL)))
    if CHANNEL in columns and channel is None:
        known = ", ".join(sorted(k for k in CHANNELS if k))
        problem(CHANNEL, f"unknown channel; use one of {known}, or leave it blank")
    texts: dict[int, str] = {}
    counts: dict[int, list[int]] = {}
    for slot in (*SLOT_MEASURES, *EXTRA_SLOTS):
        if text_column(slot) not in columns and all(count_column(slot, k) not in columns for k in SCORES):
            continue
        texts[slot] = cell(text_column(slot))
        values = []
        for score in SCORES:
            column = count_column(slot, score)
            value, reason = _count(cell(column))
            if reason:
                problem(column, reason)
            values.append(value or 0)
        counts[slot] = values
        if sum(values) and normalise(texts[slot]) in PLACEHOLDERS:
            problem(
                text_column(slot),
                f"question marked as not asked but {sum(values):,} respondents answered it; "
                "give the question text or set its counts to 0",
            )
    volumes = {}
    for column in (CUSTOMERS, OFFERED, RESPONDENTS):
        volumes[column], reason = _volume(cell(column))
        if reason:
            problem(column, reason)
    if len(problems) > start or year is None or quarter is None or channel is None:
        return None  # a problem here, or a required column missing (reported once for the file)
    return _Row(
        row=row,
        provider_id=provider_id,
        provider_name=cell(PROVIDER_NAME),
        organisation=cell(ORGANISATION_NAME),
        period_start=fiscal_quarter_start(year, quarter),
        fiscal=(year, quarter),
        service=re.sub(r"\s+", " ", cell(SERVICE)),
        category=cell(SERVICE_CATEGORY),
        channel=channel,
        texts=texts,
        counts=counts,
        customers=volumes[CUSTOMERS],
        offered_blank=OFFERED in columns and volumes[OFFERED] is None,
        respondents=volumes[RESPONDENTS],
        point_scales={s: cell(f"attributes_q{s}_point_scale") for s in counts},
    )


def check_frame(frame: pd.DataFrame, name: str) -> tuple[list[_Row], list[Problem]]:
    """Check every row of an A-11 frame; return the parsed rows and every problem found."""
    columns = set(frame.columns) - {"_row"}
    problems = [
        Problem(name, 1, column, "", "required A-11 column is missing") for column in REQUIRED if column not in columns
    ]
    rows = []
    for record in frame.to_dict("records"):
        parsed = _check_row(record, columns, name, problems)
        if parsed is not None:
            rows.append(parsed)
    return rows, problems


# --- Mapping ----------------------------------------------------------------------------------


@dataclass
class Mapped:
    """Everything an A-11 file becomes, and what the import notes report."""

    organisations: pd.DataFrame
    services: pd.DataFrame
    distributions: pd.DataFrame
    notes: list[str]


def _latest(rows: list[_Row]) -> _Row:
    return max(rows, key=lambda r: (r.period_start, r.row))


def _usual(rows: list[_Row], attribute: str) -> str:
    """The value of `attribute` most rows give (ties: the latest row's); blanks ignored."""
    given = [r for r in rows if getattr(r, attribute)]
    if not given:
        return ""
    tally = Counter(getattr(r, attribute) for r in given)
    best = max(given, key=lambda r: (tally[getattr(r, attribute)], r.period_start, r.row))
    return getattr(best, attribute)


def _org_id(provider_id: str, provider_name: str) -> str:
    return f"a11-{slug(provider_id, 20)}-{slug(provider_name, 50)}"


def _service_id(provider_id: str, service: str) -> str:
    return f"a11-{slug(provider_id, 20)}-{slug(service)}"


def _organisations(rows: list[_Row]) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """One organisation per service provider; returns the frame, provider id -> org_id, notes."""
    by_provider: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        by_provider[r.provider_id].append(r)
    records, org_of, renamed = [], {}, []
    for provider_id, group in sorted(by_provider.items()):
        provider_name, parent = _usual(group, "provider_name"), _usual(group, "organisation")
        org_of[provider_id] = _org_id(provider_id, provider_name)
        quarterly: dict[date, float] = defaultdict(float)
        for r in group:
            if r.customers is not None:
                quarterly[r.period_start] += r.customers
        parents = {r.organisation for r in group if r.organisation}
        if len(parents) > 1 or len({r.provider_name for r in group}) > 1:
            renamed.append(f"{provider_id} ({', '.join(sorted(parents))})")
        busiest = max(quarterly.values(), default=None)
        records.append(
            {
                "org_id": org_of[provider_id],
                "name": provider_name,
                "sector": ORG_DEFAULTS["sector"],
                "region": ORG_DEFAULTS["region"],
                "size_band": size_band(busiest),
                "org_type": ORG_DEFAULTS["org_type"],
                "parent": parent or None,
                "country": ORG_DEFAULTS["country"],
            }
        )
    frame = pd.DataFrame(records)
    bands = Counter(r["size_band"] for r in records)
    notes = [
        f"Organisations: {len(records)} service providers in {frame['parent'].nunique()} parent "
        "organisations; size band from the busiest quarter's customers summed over touchpoints (large >= 10 "
        f"million, medium >= 1 million, small below, {NO_VOLUME_BAND} when none reported): "
        + ", ".join(f"{bands[b]} {b}" for b in ("large", "medium", "small", NO_VOLUME_BAND) if bands[b])
        + "."
    ]
    if renamed:
        notes.append(
            "Providers reported under more than one name or parent (kept: the one most rows give): "
            + "; ".join(renamed)
        )
    return frame, org_of, notes


def _services(rows: list[_Row], org_of: dict[str, str]) -> tuple[pd.DataFrame, list[str]]:
    """One service per provider + service provided (spelling variants share an id)."""
    by_service: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        by_service[_service_id(r.provider_id, r.service)].append(r)
    records = []
    variants = 0
    for service_id, group in sorted(by_service.items()):
        latest = _latest(group)
        categorised = [r for r in group if r.category]
        variants += len({r.service for r in group}) - 1
        records.append(
            {
                "service_id": service_id,
                "org_id": org_of[latest.provider_id],
                "name": latest.service,
                "category": _latest(categorised).category if categorised else None,
            }
        )
    note = f"Services: {len(records)} (provider + service provided)"
    if variants:
        note += f"; {variants} spelling variants (case, spaces, punctuation) merged into the service they spell"
    return pd.DataFrame(records, columns=["service_id", "org_id", "name", "category"]), [note + "."]


def _distributions(rows: list[_Row], org_of: dict[str, str]) -> tuple[pd.DataFrame, list[str]]:
    """Quarterly score distributions (duplicate cells summed) and the notes on every question rule."""
    records = []
    rules: Counter[str] = Counter()
    moved: Counter[tuple[int, str]] = Counter()
    ten_point: Counter[str] = Counter()
    extra_rows = 0
    for r in rows:
        answered = {s: sum(c) > 0 for s, c in r.counts.items()}
        cell = (r.period_start, org_of[r.provider_id], _service_id(r.provider_id, r.service), r.channel)
        for slot, decision in classify_questions(r.texts, answered).items():
            rules[decision.rule] += 1
            if decision.measure is None:
                continue
            if decision.rule == "moved":
                moved[(slot, decision.measure)] += 1
            if is_ten_point(r.texts.get(slot, "")):
                ten_point[decision.measure] += 1
            for score, responses in zip(SCORES, r.counts[slot], strict=True):
                if responses:
                    records.append((*cell, decision.measure, score, responses, r.row))
        extra = [s for s in EXTRA_SLOTS if answered.get(s)]
        rules["extra"] += len(extra)
        extra_rows += bool(extra)
    keys = ["period_start", "org_id", "service_id", "channel"]
    raw = pd.DataFrame(records, columns=[*keys, "measure", "score", "responses", "_row"])
    frame = (
        raw.groupby([*keys, "measure", "score"], as_index=False)["responses"]
        .sum()
        .assign(period_grain="quarter", stage="whole_journey", scale_min=1, scale_max=5)
    )
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame = frame[[*CELL, "scale_min", "scale_max", "score", "responses"]]

    answered_total = sum(n for rule, n in rules.items() if rule not in SILENT_RULES)
    imported = sum(rules[k] for k in IMPORTED_RULES)
    notes = [
        f"Questions q1-q11 with answers: {answered_total:,}; {imported:,} imported as measures, "
        f"{answered_total - imported:,} skipped. Rules, counted in questions (a question = one row's qN):",
        *(f"  - {RULES[k]}: {rules[k]:,}" for k in RULES if rules[k]),
    ]
    if moved:
        notes.append("  Moved: " + ", ".join(f"q{s} -> {m} {n}" for (s, m), n in sorted(moved.items())) + ".")
    if rules["extra"]:
        notes.append(f"  q8-q11: {rules['extra']} answered questions in {extra_rows} rows, not imported.")
    if ten_point.total():
        notes.append(
            f"10-point questions imported as the five buckets given: {ten_point.total()} "
            f"({', '.join(f'{m} {n}' for m, n in sorted(ten_point.items()))}); the buckets are assumed to hold "
            "answers 1-2, 3-4, 5-6, 7-8 and 9-10, so top-two-box means 7-10 on the original scale."
        )
    per_cell = raw.groupby(keys)["_row"].unique()
    merged = per_cell[per_cell.map(len) > 1]
    if len(merged):
        numbers = sorted(int(n) for group in merged for n in group)
        notes.append(
            f"Duplicates: {len(merged)} cells (quarter, provider, service, channel) had {len(numbers)} rows "
            f"(rows {', '.join(map(str, numbers))}); their counts were summed into one distribution per measure."
        )
    return frame, notes


def _volume_notes(rows: list[_Row]) -> list[str]:
    """What the volume and point_scale columns say; none of them is needed for distributions."""
    notes = []
    blank_customers = sum(r.customers is None for r in rows)
    blank_offered = sum(r.offered_blank for r in rows)
    if blank_customers or blank_offered:
        notes.append(
            f"Volumes: volume of customers blank in {blank_customers} rows, customers offered the survey blank in "
            f"{blank_offered} rows (not needed for distributions; size bands use the quarters that report customers)."
        )
    higher = lower = 0
    for r in rows:
        top = max((sum(c) for s, c in r.counts.items() if s in SLOT_MEASURES), default=0)
        if r.respondents is not None and top and r.respondents != top:
            higher += r.respondents > top
            lower += r.respondents < top
    if higher or lower:
        notes.append(
            f"Volume of respondents differs from the largest question total in {higher + lower} rows ({higher} "
            f"higher, {lower} lower); noted only: distributions use the counts."
        )
    checked = off = 0
    for r in rows:
        for slot, counts in r.counts.items():
            value = r.point_scales.get(slot, "")
            if value and sum(counts) and _NUMBER.fullmatch(value):
                checked += 1
                mean = sum(k * c for k, c in zip(SCORES, counts, strict=True)) / sum(counts)
                off += abs(mean - float(value)) > 0.0051
    if checked:
        notes.append(
            f"point_scale: {checked - off:,} of {checked:,} values equal the mean of the 1-5 counts to 2 decimals "
            "(they are means, not scales); not imported."
        )
    return notes


def map_rows(rows: list[_Row]) -> Mapped:
    """Turn checked rows into organisations, services and distributions, with plain notes."""
    organisations, org_of, org_notes = _organisations(rows)
    services, service_notes = _services(rows, org_of)
    distributions, question_notes = _distributions(rows, org_of)
    notes = [*org_notes, *service_notes, *question_notes, *_volume_notes(rows)]
    return Mapped(organisations, services, distributions, notes)


# --- Writing ----------------------------------------------------------------------------------


def _upsert(con, table: str, key: str, frame: pd.DataFrame, import_id: int) -> tuple[int, int]:
    """Replace the rows of `table` whose `key` is in `frame`, then insert `frame`."""
    if frame.empty:
        return 0, 0
    view = f"incoming_{table}"
    con.register(view, frame)
    try:
        replaced = db.scalar(con, f"SELECT count(*) FROM {table} WHERE {key} IN (SELECT {key} FROM {view})")
        con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {view})")
        columns = ", ".join(frame.columns)
        con.execute(f"INSERT INTO {table} ({columns}, import_id) SELECT {columns}, ? FROM {view}", [import_id])
    finally:
        con.unregister(view)
    return len(frame), replaced


def _cells_present(db_path: Path, distributions: pd.DataFrame) -> int:
    """How many distribution rows the database holds in the cells of `distributions`."""
    match = " AND ".join(f"t.{k} = i.{k}" for k in CELL)
    with db.reader(db_path) as con:
        con.register("incoming_cells", distributions[CELL].drop_duplicates())
        try:
            return int(
                db.scalar(
                    con,
                    f"SELECT count(*) FROM feedback_distributions t WHERE EXISTS "
                    f"(SELECT 1 FROM incoming_cells i WHERE {match})",
                )
            )
        finally:
            con.unregister("incoming_cells")


def import_frame(frame: pd.DataFrame, name: str, db_path: Path, sha256: str, dry_run: bool = False) -> ImportResult:
    """Validate every row of an A-11 file, then write it in one transaction (unless dry_run).

    Raises ImportFailed listing every problem; then nothing is written.
    """
    rows, problems = check_frame(frame, name)
    if problems:
        raise ImportFailed(problems)
    mapped = map_rows(rows)
    quarters = sorted({r.fiscal for r in rows})
    starts = sorted({r.period_start for r in rows})
    notes = [
        f"Quarters: FY{quarters[0][0]} Q{quarters[0][1]} to FY{quarters[-1][0]} Q{quarters[-1][1]} "
        f"({len(quarters)} quarters), US federal fiscal quarters stored as the calendar quarters they cover "
        f"({starts[0]} to {starts[-1]}).",
        *mapped.notes,
        "Re-import rule: organisations and services are replaced by id; distributions are replaced cell by cell "
        "(quarter, organisation, service, channel, stage, measure), so importing a file again never double counts.",
    ]
    result = ImportResult(KIND, name, rows_read=len(frame), dry_run=dry_run, notes=notes)
    if dry_run:
        result.rows_written = len(mapped.distributions)
        result.rows_replaced = _cells_present(db_path, mapped.distributions)
        return result
    with db.writer(db_path) as con:
        import_id = next_import_id(con)
        orgs_written, orgs_replaced = _upsert(con, "organisations", "org_id", mapped.organisations, import_id)
        services_written, services_replaced = _upsert(con, "services", "service_id", mapped.services, import_id)
        result.rows_written, result.rows_replaced = write_distributions(con, mapped.distributions, import_id)
        result.notes.append(
            f"Written: {result.rows_written:,} distribution rows ({result.rows_replaced:,} replaced), "
            f"{orgs_written} organisations ({orgs_replaced} replaced), {services_written} services "
            f"({services_replaced} replaced)."
        )
        record_import(con, import_id, result, sha256)
        themes.refresh(con)  # comment themes and sentiment, fitted again if the comments changed
    return result

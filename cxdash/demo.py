"""Demo database: a fictional, England-like public sector with planted, documented structure.

`build()` writes organisations, their services, maturity self-assessments for the `public_cx`
framework, three years of monthly citizen-feedback score distributions and free-text comments.
Everything comes from one seeded numpy generator, so the same seed gives the same content.
Each organisation has a latent maturity that drives its assessment scores and its customers'
feedback; docs/demo-data.md lists every planted effect and its size, so analyses can be
checked against what was put in.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cxdash import db, frameworks, rollups
from cxdash.insight import themes

FRAMEWORK_ID = "public_cx"
FIRST_MONTH = dt.date(2023, 11, 1)
MONTHS = 36
LAST_DAY = dt.date(2026, 10, 31)

CHANNELS = ("web", "app", "phone", "face_to_face", "post", "email")
STAGES = ("find_out", "apply", "wait", "receive", "follow_up")
MEASURES = ("satisfaction", "ease", "effectiveness", "emotion", "trust", "recommend")
SECTORS = ("local", "central", "health", "arms_length", "regulator")
SECTOR_SHARES = (0.40, 0.15, 0.20, 0.15, 0.10)
REGIONS = (
    "London",
    "South East",
    "North West",
    "East of England",
    "West Midlands",
    "South West",
    "Yorkshire and the Humber",
    "East Midlands",
    "North East",
)
REGION_WEIGHTS = (0.14, 0.16, 0.13, 0.11, 0.10, 0.10, 0.10, 0.09, 0.07)
METROPOLITAN_REGIONS = ("North West", "North East", "Yorkshire and the Humber", "West Midlands")
SIZE_BANDS = ("small", "medium", "large")
SIZE_VOLUME = {"small": 1.0, "medium": 2.5, "large": 6.0}
SECTOR_VOLUME = {"local": 1.0, "central": 1.6, "health": 1.2, "arms_length": 0.5, "regulator": 0.4}

# --- Planted effects (documented in docs/demo-data.md) ------------------------------------

#: Assessment: role bias on the 1-5 scale (board and executive rate higher than the front line).
ROLE_BIAS = {"board": 0.35, "executive": 0.30, "manager": 0.05, "frontline": -0.20, "other": 0.0}
ROLE_SHARES = {"board": 0.12, "executive": 0.18, "manager": 0.30, "frontline": 0.35, "other": 0.05}
#: Calendar-month volume factor: peaks in January and September, a dip in August.
SEASON = {1: 1.30, 2: 1.05, 3: 1.05, 4: 1.00, 5: 0.95, 6: 0.95, 7: 0.90, 8: 0.70, 9: 1.30, 10: 1.10, 11: 1.00, 12: 0.80}
#: Experience shift per unit of (season factor - 1): busy months are slightly worse.
SEASON_PENALTY = -0.35
#: Channel mix at the start (Nov 2023) and end (Oct 2026), interpolated linearly per month.
CHANNEL_MIX_START = {"web": 0.26, "app": 0.09, "phone": 0.28, "face_to_face": 0.17, "post": 0.10, "email": 0.10}
CHANNEL_MIX_END = {"web": 0.42, "app": 0.25, "phone": 0.19, "face_to_face": 0.07, "post": 0.02, "email": 0.05}
STAGE_MIX = {"find_out": 0.18, "apply": 0.24, "wait": 0.18, "receive": 0.25, "follow_up": 0.15}
#: Latent shifts (ease, effectiveness, emotion) by channel and by journey stage.
CHANNEL_EFFECT = {
    "web": (0.10, 0.00, 0.00),
    "app": (0.40, 0.05, 0.05),
    "phone": (-0.35, 0.00, -0.10),
    "face_to_face": (0.05, 0.10, 0.15),
    "post": (-0.25, -0.15, -0.05),
    "email": (-0.05, -0.05, -0.05),
}
STAGE_EFFECT = {
    "find_out": (0.15, 0.05, 0.10),
    "apply": (-0.15, 0.00, 0.00),
    "wait": (-0.10, -0.10, -0.70),
    "receive": (0.10, 0.20, 0.15),
    "follow_up": (-0.15, -0.35, -0.20),
}
#: Common experience = MATURITY_EFFECT * (maturity - 50) / 20 + service, org and season shifts + noise.
MATURITY_EFFECT = 0.35
COMMON_SD, COMPONENT_SD = 0.60, 0.70
#: Satisfaction = weights . (effectiveness, ease, emotion) latents + noise.
DRIVER_WEIGHTS = {"effectiveness": 0.45, "ease": 0.35, "emotion": 0.20}
SATISFACTION_SD = 0.45
TRUST_FROM_SATISFACTION, TRUST_FROM_MATURITY, TRUST_SD = 0.55, 0.30, 0.70
RECOMMEND_FROM_SATISFACTION, RECOMMEND_SD = 0.85, 0.50
#: Recommend (0-10) = round(RECOMMEND_CENTRE + RECOMMEND_SCALE * latent), clipped.
RECOMMEND_CENTRE, RECOMMEND_SCALE = 7.0, 2.3
#: Latent -> 1-5 cut points, shifted per measure (a higher shift gives lower scores).
CUTS = np.array([-1.75, -1.05, -0.35, 0.75])
MEASURE_SHIFT = {"satisfaction": 0.0, "ease": -0.10, "effectiveness": 0.0, "emotion": 0.10, "trust": 0.10}

# --- Names ---------------------------------------------------------------------------------

_HEADS = (
    "North",
    "South",
    "East",
    "West",
    "Ash",
    "Bram",
    "Brad",
    "Castle",
    "Chal",
    "Cole",
    "Dun",
    "Elm",
    "Fair",
    "Fern",
    "Hart",
    "Hay",
    "Holm",
    "Kings",
    "Lang",
    "Lin",
    "Mar",
    "Mill",
    "Oak",
    "Red",
    "Sel",
    "Stan",
    "Thorn",
    "Wal",
    "Whit",
    "Wood",
    "Brook",
    "Corn",
    "Gold",
    "Hazel",
    "Wyn",
    "Ald",
    "Bex",
    "Clay",
    "Hol",
    "Cross",
    "Farn",
    "Glen",
    "Kel",
    "Loft",
    "Rush",
    "Shep",
    "Tad",
    "Wen",
    "Ems",
    "Brig",
)
_TAILS = (
    "bridge",
    "moor",
    "ford",
    "field",
    "ham",
    "ley",
    "wick",
    "ton",
    "bury",
    "worth",
    "dale",
    "minster",
    "stow",
    "combe",
    "mouth",
    "chester",
    "borough",
    "well",
    "thorpe",
    "hurst",
    "den",
    "by",
    "cliffe",
    "gate",
)
_DEPARTMENTS = (
    "Department for Rural Affairs",
    "Department for Communities and Housing",
    "Department for Skills and Employment",
    "Department for Transport Services",
    "Department for Work and Welfare",
    "Department for Families and Children",
    "Department for Regional Growth",
    "Department for Coastal Communities",
    "Department for Digital Government",
    "Department for Consumer Affairs",
    "Department for Borders and Citizenship",
    "Department for Land and Property",
    "Department for Culture and Heritage",
    "Department for Water and Flood Resilience",
    "Department for Older People",
    "Department for Further Education",
    "Department for Public Revenue",
    "Department for Civil Resilience",
    "Department for Food and Farming",
    "Ministry of Housing Supply",
    "Ministry of Public Records",
    "Ministry of Civic Affairs",
    "Ministry of Local Democracy",
    "Ministry of Justice Services",
)
#: Central-government topics and the service a body with that name certainly runs.
_AGENCY_TOPICS = (
    ("Driver Licensing", "Driving licences"),
    ("Passport and Identity", "Passport applications"),
    ("Revenue Collection", "Tax returns"),
    ("Benefit Payments", "Benefit claims"),
    ("State Pension", "Pension enquiries"),
    ("Student Finance", "Student finance"),
    ("Visas and Borders", "Visa applications"),
    ("Child Maintenance", "Child maintenance"),
    ("Vehicle Standards", "Driving licences"),
    ("Land Registration", None),
    ("Companies Registration", None),
    ("Rural Payments", None),
    ("Public Records", None),
    ("Employment Support", "Benefit claims"),
    ("Veterans Support", "Pension enquiries"),
    ("Probate", None),
    ("Tax Advice", "Tax returns"),
    ("Valuation", None),
)
_AGENCY_KINDS = (
    ("Agency", "executive agency"),
    ("Service", "executive agency"),
    ("Office", "non-ministerial department"),
)
_ALB_NATIONAL = (
    ("National Heritage Lottery Agency", "Grant applications"),
    ("Creative Arts Council for England", "Grant applications"),
    ("Sport and Leisure Council for England", "Grant applications"),
    ("Countryside Access Agency", None),
    ("Historic Buildings Trust", "Registrations"),
    ("Canal and Waterways Authority", "Licensing"),
    ("National Careers Advice Service", None),
    ("Skills Funding Board", "Funding enquiries"),
    ("Community Energy Fund", "Grant applications"),
    ("Marine Conservation Board", "Licensing"),
    ("National Forest Trust", None),
    ("Legal Aid Board", None),
    ("Criminal Injuries Compensation Board", None),
    ("Apprenticeship Funding Agency", "Funding enquiries"),
    ("Public Libraries Council", None),
    ("National Film Archive", "Certificates and records"),
    ("Museums and Galleries Fund", "Grant applications"),
    ("Youth Opportunities Fund", "Grant applications"),
    ("Heritage Railway Trust", None),
    ("Civic Design Commission", None),
    ("National Records Service", "Certificates and records"),
    ("Coastal Communities Fund", "Grant applications"),
)
_REGULATED = (
    "Water",
    "Energy",
    "Rail",
    "Social Care",
    "Schools",
    "Legal Services",
    "Housing",
    "Gambling",
    "Charities",
    "Pensions",
    "Telecoms",
    "Food",
    "Medicines",
    "Pharmacy",
    "Nursing",
    "Social Work",
    "Building Safety",
    "Environment",
    "Aviation",
    "Postal Services",
    "Financial Advice",
    "Information",
    "Accountancy",
    "Veterinary",
    "Childcare",
)
_REGULATOR_PATTERNS = (
    "Office of the {} Regulator",
    "{} Standards Authority",
    "{} Commission",
    "{} Ombudsman",
)


@dataclass(frozen=True)
class _Service:
    sector: str
    name: str
    category: str
    popularity: float
    offset: float  # latent shift of the common experience
    affinity: dict[str, float]  # channel-mix multipliers
    season: dict[int, float]  # calendar-month volume multipliers within the sector
    cost: bool  # charges a fee: comments may mention cost
    phrases: tuple[str, ...]  # how a citizen names it in a comment


def _svc(
    sector: str,
    name: str,
    category: str,
    popularity: float,
    offset: float,
    affinity: dict[str, float],
    phrases: tuple[str, ...],
    season: dict[int, float] | None = None,
    cost: bool = False,
) -> _Service:
    return _Service(sector, name, category, popularity, offset, affinity, season or {}, cost, phrases)


CATALOGUE: tuple[_Service, ...] = (
    _svc(
        "local",
        "Council tax",
        "Money and tax",
        1.6,
        0.00,
        {"web": 1.3, "post": 1.3},
        ("my council tax bill", "my council tax account", "a council tax reduction"),
        {3: 1.3, 4: 1.8},
        True,
    ),
    _svc(
        "local",
        "Bin collection",
        "Environment",
        1.8,
        0.25,
        {"web": 1.4, "app": 1.3, "post": 0.2, "face_to_face": 0.3},
        ("a missed bin collection", "my replacement bin", "the garden waste collection"),
        {1: 1.4, 12: 1.2},
    ),
    _svc(
        "local",
        "Housing repairs",
        "Housing",
        1.2,
        -0.35,
        {"phone": 1.6, "face_to_face": 1.2},
        ("a repair to my flat", "the damp in my home", "my boiler repair"),
        {1: 1.4, 2: 1.3, 12: 1.2},
    ),
    _svc(
        "local",
        "Parking permits",
        "Transport",
        0.8,
        0.05,
        {"web": 1.5, "app": 1.5, "face_to_face": 0.3},
        ("my parking permit", "a visitor parking permit"),
        None,
        True,
    ),
    _svc(
        "local",
        "Planning applications",
        "Planning",
        0.6,
        -0.20,
        {"web": 1.6, "email": 1.5, "app": 0.3},
        ("my planning application", "a planning application for an extension"),
        None,
        True,
    ),
    _svc(
        "local",
        "Adult social care",
        "Care and support",
        0.7,
        -0.30,
        {"phone": 1.6, "face_to_face": 1.8, "app": 0.2, "web": 0.5},
        ("my mum's care assessment", "a care package for my father", "my care assessment"),
    ),
    _svc(
        "local",
        "School admissions",
        "Education",
        0.7,
        0.00,
        {"web": 1.6},
        ("my son's school place", "a school place for my daughter", "an in-year school admission"),
        {1: 1.6, 4: 1.5, 8: 0.5, 9: 2.2, 10: 1.8},
    ),
    _svc(
        "local",
        "Benefits and housing support",
        "Money and tax",
        1.0,
        -0.25,
        {"phone": 1.3, "face_to_face": 1.4},
        ("my housing benefit claim", "my housing application", "help with my rent"),
    ),
    _svc(
        "local",
        "Roads and pavements",
        "Transport",
        0.6,
        -0.10,
        {"web": 1.4, "app": 1.6, "post": 0.4},
        ("a pothole on my road", "a broken streetlight", "the state of the pavement"),
        {1: 1.5, 2: 1.4},
    ),
    _svc(
        "local",
        "Libraries",
        "Leisure and culture",
        0.5,
        0.35,
        {"face_to_face": 2.5},
        ("my library membership", "the library"),
    ),
    _svc(
        "local",
        "Blue Badge applications",
        "Care and support",
        0.4,
        -0.05,
        {"post": 1.5, "face_to_face": 1.2},
        ("my Blue Badge application", "my Blue Badge renewal"),
        None,
        True,
    ),
    _svc(
        "health",
        "Outpatient appointments",
        "Hospital care",
        1.6,
        0.00,
        {"phone": 1.5, "post": 1.5, "face_to_face": 1.5},
        ("my outpatient appointment", "my clinic appointment", "a follow-up appointment"),
    ),
    _svc(
        "health",
        "A&E",
        "Urgent care",
        1.4,
        -0.30,
        {"face_to_face": 6.0, "web": 0.2, "app": 0.2, "post": 0.2, "email": 0.2},
        ("my visit to A&E", "my son's visit to A&E", "A&E"),
        {1: 1.4, 12: 1.3, 8: 0.9},
    ),
    _svc(
        "health",
        "GP registration",
        "Primary care",
        0.8,
        0.05,
        {"web": 1.5, "app": 1.8},
        ("registering with a GP", "my GP registration"),
    ),
    _svc(
        "health",
        "Maternity",
        "Hospital care",
        0.6,
        0.10,
        {"face_to_face": 3.0, "phone": 1.2},
        ("my maternity care", "my antenatal appointments", "the birth of my baby"),
    ),
    _svc(
        "health",
        "Patient transport",
        "Hospital care",
        0.5,
        -0.20,
        {"phone": 2.5, "web": 0.5, "app": 0.3},
        ("the patient transport", "hospital transport for my dad"),
    ),
    _svc(
        "health",
        "Community nursing",
        "Community care",
        0.5,
        0.20,
        {"phone": 2.0, "face_to_face": 2.5, "web": 0.3, "app": 0.3},
        ("the district nurse visits", "my community nursing care"),
    ),
    _svc(
        "health",
        "Mental health services",
        "Community care",
        0.6,
        -0.35,
        {"phone": 1.6, "face_to_face": 1.6},
        ("my referral to mental health services", "my talking therapy referral"),
    ),
    _svc(
        "central",
        "Passport applications",
        "Identity and travel",
        1.5,
        0.20,
        {"web": 2.0, "app": 1.8, "face_to_face": 0.3},
        ("my passport application", "my son's passport renewal", "renewing my passport"),
        {3: 1.4, 4: 1.5, 5: 1.5, 6: 1.4, 7: 1.2, 11: 0.7, 12: 0.6},
        True,
    ),
    _svc(
        "central",
        "Driving licences",
        "Identity and travel",
        1.2,
        0.10,
        {"web": 2.0, "post": 1.3},
        ("my driving licence renewal", "my provisional licence", "changing the address on my licence"),
        None,
        True,
    ),
    _svc(
        "central",
        "Tax returns",
        "Money and tax",
        1.2,
        -0.10,
        {"web": 2.0, "app": 1.3, "phone": 1.2, "face_to_face": 0.1},
        ("my self-assessment tax return", "my tax code", "my tax return"),
        {1: 3.0, 8: 0.6, 10: 1.2, 12: 1.2},
    ),
    _svc(
        "central",
        "Benefit claims",
        "Benefits",
        1.3,
        -0.40,
        {"phone": 1.5, "web": 1.2, "face_to_face": 0.8},
        ("my benefit claim", "my disability benefit assessment", "my claim for carer's allowance"),
    ),
    _svc(
        "central",
        "Pension enquiries",
        "Benefits",
        0.8,
        0.05,
        {"phone": 1.6, "post": 1.8, "app": 0.4},
        ("my State Pension", "my pension forecast", "my pension payments"),
    ),
    _svc(
        "central",
        "Student finance",
        "Education",
        0.7,
        -0.15,
        {"web": 1.8, "app": 1.4},
        ("my student loan application", "my student finance"),
        {6: 1.3, 8: 2.2, 9: 2.5, 10: 1.5},
    ),
    _svc(
        "central",
        "Visa applications",
        "Identity and travel",
        0.6,
        -0.25,
        {"web": 2.2, "email": 1.3, "post": 0.6},
        ("my visa application", "my wife's visa application"),
        None,
        True,
    ),
    _svc(
        "central",
        "Child maintenance",
        "Benefits",
        0.5,
        -0.40,
        {"phone": 2.0},
        ("my child maintenance case", "the child maintenance payments"),
    ),
    _svc(
        "arms_length",
        "Grant applications",
        "Funding",
        1.0,
        -0.10,
        {"web": 2.0, "email": 2.0, "app": 0.2, "face_to_face": 0.3},
        ("our grant application", "the funding application for our group"),
    ),
    _svc(
        "arms_length",
        "Licensing",
        "Licensing and registration",
        0.8,
        -0.05,
        {"web": 1.7, "email": 1.4},
        ("my licence application", "renewing our licence"),
        None,
        True,
    ),
    _svc(
        "arms_length",
        "Registrations",
        "Licensing and registration",
        0.9,
        0.05,
        {"web": 1.7},
        ("my registration", "registering our organisation"),
        None,
        True,
    ),
    _svc(
        "arms_length",
        "Funding enquiries",
        "Funding",
        0.6,
        0.00,
        {"email": 2.0, "phone": 1.4},
        ("a funding enquiry", "our enquiry about funding"),
    ),
    _svc(
        "arms_length",
        "Certificates and records",
        "Licensing and registration",
        0.7,
        0.10,
        {"web": 1.5, "post": 1.5},
        ("a copy certificate", "my records request"),
        None,
        True,
    ),
    _svc(
        "regulator",
        "Complaints about providers",
        "Complaints",
        1.0,
        -0.35,
        {"web": 1.5, "email": 1.6, "phone": 1.2},
        ("my complaint about a provider", "the complaint I raised about my mum's care home", "my complaint"),
    ),
    _svc(
        "regulator",
        "Registration and renewals",
        "Licensing and registration",
        0.9,
        0.05,
        {"web": 1.8},
        ("my registration renewal", "renewing my registration"),
        None,
        True,
    ),
    _svc(
        "regulator",
        "Public enquiries",
        "Information",
        0.8,
        0.10,
        {"phone": 1.4, "email": 1.6},
        ("my enquiry", "a question I had"),
    ),
    _svc(
        "regulator",
        "Inspections and reports",
        "Information",
        0.5,
        0.10,
        {"web": 2.0, "email": 1.2},
        ("an inspection report", "the inspection of my mum's care home"),
    ),
)
_BY_NAME = {s.name: s for s in CATALOGUE}
#: Services an organisation type does not run (district councils do not run social care ...).
_EXCLUDED = {
    "district council": {"Adult social care", "School admissions", "Roads and pavements"},
    "county council": {
        "Council tax",
        "Bin collection",
        "Housing repairs",
        "Parking permits",
        "Benefits and housing support",
    },
    "NHS trust": {"GP registration"},
    "integrated care board": {"Outpatient appointments", "A&E", "Maternity"},
}


# --- Small helpers -------------------------------------------------------------------------


def slugify(text: str) -> str:
    """Lower-case ASCII slug: 'A&E' -> 'a-and-e', 'Council tax' -> 'council-tax'."""
    text = text.lower().replace("&", " and ").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def month_starts() -> list[dt.date]:
    """First day of each of the demo's 36 months, Nov 2023 to Oct 2026."""
    first = FIRST_MONTH.year * 12 + FIRST_MONTH.month - 1
    return [dt.date((first + k) // 12, (first + k) % 12 + 1, 1) for k in range(MONTHS)]


def _pick(rng: np.random.Generator, items: Sequence, weights: Sequence[float] | None = None):
    p = None if weights is None else np.asarray(weights, float) / np.sum(weights)
    return items[int(rng.choice(len(items), p=p))]


def _allocate(total: int, shares: Sequence[float]) -> list[int]:
    """Split total into integers proportional to shares (largest remainder, ties to the first)."""
    raw = np.asarray(shares, float) / np.sum(shares) * total
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts.tolist()


def _places(rng: np.random.Generator) -> Iterator[str]:
    """Fictional English place names in a seeded order; 'Great ...', 'Upper ...' once those run out."""
    names: list[str] = []
    for head in _HEADS:
        for tail in _TAILS:
            name = head + tail[1:] if head[-1] == tail[0] else head + tail
            if name not in names:
                names.append(name)
    shuffled = [names[i] for i in rng.permutation(len(names))]
    for prefix in ("", "Great ", "Upper ", "Little ", "Nether ", "Old ", "New "):
        for name in shuffled:
            yield prefix + name


# --- Organisations and services ------------------------------------------------------------


def _organisations(rng: np.random.Generator, n: int) -> pd.DataFrame:
    places = _places(rng)
    ids: set[str] = set()
    rows: list[dict] = []

    def place() -> str:
        name = next(places, None)
        if name is None:
            raise ValueError("ran out of place names; use fewer organisations")
        return name

    def add(name: str, sector: str, region: str, org_type: str, size: str, core: str | None = None) -> None:
        if slugify(name) in ids:  # only when a pool of names runs out
            name = f"{name} ({place()})"
        ids.add(slugify(name))
        rows.append(
            {
                "org_id": slugify(name),
                "name": name,
                "sector": sector,
                "region": region,
                "size_band": size,
                "org_type": org_type,
                "parent": None,
                "country": "England",
                "core": core,
            }
        )

    def region_for(national_share: float) -> str:
        if rng.random() < national_share:
            return "National"
        return _pick(rng, REGIONS, REGION_WEIGHTS)

    counts = dict(zip(SECTORS, _allocate(n, SECTOR_SHARES), strict=True))
    for _ in range(counts["local"]):
        region = region_for(0.0)
        p = place()
        if region == "London":
            add(f"London Borough of {p}", "local", region, "London borough council", _pick(rng, ("medium", "large")))
            continue
        kinds, weights = ["district", "unitary", "county", "city"], [0.45, 0.27, 0.10, 0.08]
        if region in METROPOLITAN_REGIONS:
            kinds, weights = [*kinds, "metropolitan"], [*weights, 0.30]
        kind = _pick(rng, kinds, weights)
        if kind == "district":
            size = _pick(rng, ("small", "medium"), (0.6, 0.4))
            style = rng.random()
            if style < 0.5:
                add(f"{p} District Council", "local", region, "district council", size)
            elif style < 0.85:
                add(f"{p} Borough Council", "local", region, "district council", size)
            else:
                add(f"{p} and {place()} District Council", "local", region, "district council", size)
        elif kind == "unitary":
            size = _pick(rng, ("medium", "large"), (0.55, 0.45))
            add(f"{p} Council", "local", region, "unitary authority", size)
        elif kind == "city":
            add(f"{p} City Council", "local", region, "unitary authority", "large")
        elif kind == "county":
            shire = p.endswith(("ford", "ham", "ton", "bridge", "bury")) and rng.random() < 0.6
            add(
                f"{p}shire County Council" if shire else f"{p} County Council",
                "local",
                region,
                "county council",
                "large",
            )
        else:
            add(
                f"{p} Metropolitan Borough Council",
                "local",
                region,
                "metropolitan borough council",
                _pick(rng, ("medium", "large"), (0.4, 0.6)),
            )

    n_central = counts["central"]
    departments = [_DEPARTMENTS[i] for i in rng.permutation(len(_DEPARTMENTS))]
    agencies = [
        (f"{topic} {kind}", org_type, core) for topic, core in _AGENCY_TOPICS for kind, org_type in _AGENCY_KINDS
    ]
    agencies = [agencies[i] for i in rng.permutation(len(agencies))]
    n_dept = min(len(departments), max(1, round(0.3 * n_central))) if n_central else 0
    for name in departments[:n_dept]:
        add(name, "central", region_for(1.0), "ministerial department", "large")
    for k in range(n_central - n_dept):
        name, org_type, core = agencies[k % len(agencies)]
        if k >= len(agencies):
            name = f"{name} for {place()}"
        size = _pick(rng, SIZE_BANDS, (0.15, 0.45, 0.40))
        add(name, "central", region_for(0.9), org_type, size, core)

    n_health = counts["health"]
    for k in range(n_health):
        region = region_for(0.0)
        p = place()
        if k % 7 == 3:
            name = f"NHS {p} Integrated Care Board"
            add(name, "health", region, "integrated care board", "large")
            continue
        style = rng.random()
        if style < 0.30:
            name, size = f"{p} NHS Foundation Trust", _pick(rng, ("medium", "large"))
        elif style < 0.50:
            name, size = f"{p} Hospitals NHS Foundation Trust", "large"
        elif style < 0.60:
            name, size = f"{p} Teaching Hospitals NHS Foundation Trust", "large"
        elif style < 0.72:
            name, size = f"{p} and {place()} NHS Trust", _pick(rng, ("medium", "large"))
        elif style < 0.86:
            name, size = f"{p} Community Health NHS Trust", _pick(rng, ("small", "medium"))
        else:
            name, size = f"{p} Mental Health NHS Foundation Trust", _pick(rng, ("small", "medium"))
        add(name, "health", region, "NHS trust", size)

    national = [_ALB_NATIONAL[i] for i in rng.permutation(len(_ALB_NATIONAL))]
    n_alb = counts["arms_length"]
    n_national = min(len(national), round(0.6 * n_alb))
    for name, core in national[:n_national]:
        add(
            name,
            "arms_length",
            region_for(0.9),
            "non-departmental public body",
            _pick(rng, SIZE_BANDS, (0.5, 0.4, 0.1)),
            core,
        )
    for _ in range(n_alb - n_national):
        p = place()
        region = region_for(0.0)
        while region == "London":  # no national parks (or new towns) in London
            region = region_for(0.0)
        if rng.random() < 0.5:
            add(
                f"{p} Development Corporation",
                "arms_length",
                region,
                "public corporation",
                _pick(rng, ("small", "medium")),
            )
        else:
            add(f"{p} National Park Authority", "arms_length", region, "non-departmental public body", "small")

    patterns = [pattern.format(topic) for topic in _REGULATED for pattern in _REGULATOR_PATTERNS]
    patterns = [patterns[i] for i in rng.permutation(len(patterns))]
    for k in range(counts["regulator"]):
        name = patterns[k % len(patterns)]
        if k >= len(patterns):
            name = f"{name} for {place()}"
        add(name, "regulator", region_for(0.85), "regulator", _pick(rng, SIZE_BANDS, (0.5, 0.4, 0.1)))

    frame = pd.DataFrame(rows)
    # Parents: agencies and public bodies sit under a department, trusts under their region's ICB.
    dept_ids = frame.loc[frame.org_type == "ministerial department", "org_id"].tolist()
    icbs = frame[frame.org_type == "integrated care board"]
    parents: list[str | None] = []
    for row in frame.itertuples():
        parent = None
        sponsored = row.org_type in ("executive agency", "non-departmental public body")
        if dept_ids and sponsored and rng.random() < 0.8:
            parent = dept_ids[int(rng.integers(len(dept_ids)))]
        elif row.org_type == "NHS trust":
            same = icbs.loc[icbs.region == row.region, "org_id"].tolist()
            parent = same[0] if same else None
        parents.append(parent)
    frame["parent"] = parents
    return frame


def _services(rng: np.random.Generator, orgs: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for org in orgs.itertuples():
        excluded = _EXCLUDED.get(org.org_type, set())
        pool = [s.name for s in CATALOGUE if s.sector == org.sector and s.name not in excluded]
        k = min(len(pool), int(rng.integers(3, 7)))
        chosen = [pool[i] for i in np.sort(rng.choice(len(pool), size=k, replace=False))]
        if isinstance(org.core, str) and org.core not in chosen:
            chosen[-1] = org.core
        for name in sorted(chosen, key=lambda s: [c.name for c in CATALOGUE].index(s)):
            rows.append(
                {
                    "service_id": f"{org.org_id}--{slugify(name)}",
                    "org_id": org.org_id,
                    "name": name,
                    "category": _BY_NAME[name].category,
                }
            )
    return pd.DataFrame(rows)


def _maturity(rng: np.random.Generator, orgs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per organisation: latent maturity at Nov 2023 (0-100) and its yearly change."""
    n = len(orgs)
    shift = (
        orgs["sector"]
        .map({"local": 0.0, "central": 3.0, "health": -2.0, "arms_length": 0.0, "regulator": 2.0})
        .to_numpy()
    )
    start = np.clip(rng.normal(44.0, 15.0, n) + shift, 5.0, 88.0)
    kind = rng.random(n)
    slope = np.where(
        kind < 0.70,
        rng.uniform(2.0, 7.5, n),
        np.where(kind < 0.90, rng.uniform(-0.8, 0.8, n), rng.uniform(-6.0, -2.5, n)),
    )
    return start, slope


# --- Assessments ---------------------------------------------------------------------------

_ASSESSMENT_COMMENTS = (
    "We say the customer comes first but the budget says otherwise.",
    "This is in the plan but nothing has changed on the ground yet.",
    "It depends entirely on which team you ask.",
    "Front-line staff are not involved when these decisions are made.",
    "We collect feedback but nobody acts on it.",
    "Customer data sits in separate systems and nobody joins it up.",
    "Too many competing priorities; this one keeps slipping.",
    "There is no budget line for this at all.",
    "Lots of good intentions, very little follow-through.",
    "We only hear about problems when a complaint escalates.",
    "Pockets of good practice, but nothing consistent across the organisation.",
    "Training on this stopped after the restructure.",
    "Senior leaders talk about it, but it is not in anyone's objectives.",
    "We measure volumes, not whether people got what they needed.",
    "Service changes are still designed without talking to users.",
    "Staffing shortages mean this is the first thing to go.",
    "I am not aware of any work on this in my area.",
    "The strategy exists on paper only.",
)


def _round_dates(rng: np.random.Generator, rounds: int) -> list[dt.date]:
    span = (LAST_DAY - FIRST_MONTH).days
    start = int(rng.integers(0, 151))
    low, high = (240, 350) if rounds == 4 else (330, 480)
    gaps = rng.uniform(low, high, rounds - 1)
    room = span - 20 - start
    if gaps.sum() > room:
        gaps *= room / gaps.sum()
    offsets = start + np.concatenate([[0.0], np.cumsum(gaps)])
    return [FIRST_MONTH + dt.timedelta(days=int(d)) for d in offsets]


def _assessments(
    rng: np.random.Generator,
    orgs: pd.DataFrame,
    start: np.ndarray,
    slope: np.ndarray,
    statements: pd.DataFrame,
    pillar_ids: list[str],
    pillar_weights: np.ndarray,
) -> pd.DataFrame:
    n_orgs, n_pillars = len(orgs), len(pillar_ids)
    # Per organisation: one clearly weakest and one clearly strongest pillar.
    offsets = rng.normal(0.0, 0.12, (n_orgs, n_pillars))
    for i in range(n_orgs):
        weak, strong = rng.choice(n_pillars, size=2, replace=False)
        offsets[i, weak] = -rng.uniform(0.45, 0.80)
        offsets[i, strong] = rng.uniform(0.35, 0.65)
    offsets -= (offsets @ pillar_weights / pillar_weights.sum())[:, None]
    statement_offset = rng.normal(0.0, 0.12, len(statements))
    statement_pillar = statements["pillar_id"].map({p: k for k, p in enumerate(pillar_ids)}).to_numpy()

    roles = list(ROLE_SHARES)
    resp_org, resp_date, resp_id, resp_role, resp_level = [], [], [], [], []
    for i, org_id in enumerate(orgs["org_id"]):
        rounds = 4 if rng.random() < 0.75 else 3
        for r, date in enumerate(_round_dates(rng, rounds), start=1):
            years = (date - FIRST_MONTH).days / 365.25
            level = start[i] + slope[i] * years + rng.normal(0.0, 1.5)
            n_resp = int(rng.integers(6, 21))
            picked = [_pick(rng, ("board", "executive")), "frontline"]
            more = rng.choice(len(roles), size=n_resp - 2, p=list(ROLE_SHARES.values()))
            picked += [roles[j] for j in more]
            for k, role in enumerate(picked, start=1):
                resp_org.append(i)
                resp_date.append(date)
                resp_id.append(f"{org_id}-{r}-{k}")
                resp_role.append(role)
                resp_level.append(level)
    n_resp, n_stmt = len(resp_id), len(statements)
    resp_org_a = np.repeat(np.asarray(resp_org), n_stmt)
    stmt = np.tile(np.arange(n_stmt), n_resp)
    role_bias = np.array([ROLE_BIAS[r] for r in resp_role])
    person = rng.normal(0.0, 0.30, n_resp)
    latent = (
        1
        + 4 * np.repeat(np.asarray(resp_level), n_stmt) / 100
        + offsets[resp_org_a, statement_pillar[stmt]]
        + statement_offset[stmt]
        + np.repeat(role_bias + person, n_stmt)
        + rng.normal(0.0, 0.55, n_resp * n_stmt)
    )
    score = np.clip(np.rint(latent), 1, 5).astype(np.int8)
    comment = np.full(len(score), None, dtype=object)
    low = np.flatnonzero((score <= 2) & (rng.random(len(score)) < 0.08))
    comment[low] = [_ASSESSMENT_COMMENTS[j] for j in rng.integers(len(_ASSESSMENT_COMMENTS), size=len(low))]
    return pd.DataFrame(
        {
            "framework_id": FRAMEWORK_ID,
            "org_id": orgs["org_id"].to_numpy()[resp_org_a],
            "round_date": np.repeat(np.asarray(resp_date, dtype="datetime64[D]"), n_stmt),
            "respondent_id": np.repeat(np.asarray(resp_id, dtype=object), n_stmt),
            "respondent_role": np.repeat(np.asarray(resp_role, dtype=object), n_stmt),
            "statement_id": statements["statement_id"].to_numpy()[stmt],
            "score": score,
            "comment": comment,
        }
    )


# --- Feedback ------------------------------------------------------------------------------


@dataclass
class _Month:
    """One month of simulated respondents (one row each)."""

    service: np.ndarray
    channel: np.ndarray
    stage: np.ndarray
    scores: np.ndarray  # (6, n) in MEASURES order


def _ordinal(latent: np.ndarray, shift: float) -> np.ndarray:
    return (1 + np.searchsorted(CUTS + shift, latent)).astype(np.int8)


def _simulate_month(
    rng: np.random.Generator,
    n: int,
    calendar_month: int,
    service_weights: np.ndarray,
    channel_cum: np.ndarray,
    stage_cum: np.ndarray,
    service_shift: np.ndarray,
    service_maturity: np.ndarray,
) -> _Month:
    counts = rng.multinomial(n, service_weights / service_weights.sum())
    svc = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    channel = (rng.random(n)[:, None] > channel_cum[svc]).sum(axis=1).astype(np.int8)
    stage = (rng.random(n)[:, None] > stage_cum[svc]).sum(axis=1).astype(np.int8)
    z_maturity = (service_maturity[svc] - 50.0) / 20.0
    noise = rng.standard_normal((7, n))
    season = SEASON_PENALTY * (SEASON[calendar_month] - 1.0)
    common = MATURITY_EFFECT * z_maturity + service_shift[svc] + season + COMMON_SD * noise[0]
    ch_eff = np.array([CHANNEL_EFFECT[c] for c in CHANNELS])[channel]
    st_eff = np.array([STAGE_EFFECT[s] for s in STAGES])[stage]
    ease = common + ch_eff[:, 0] + st_eff[:, 0] + COMPONENT_SD * noise[1]
    effectiveness = common + ch_eff[:, 1] + st_eff[:, 1] + COMPONENT_SD * noise[2]
    emotion = common + ch_eff[:, 2] + st_eff[:, 2] + COMPONENT_SD * noise[3]
    satisfaction = (
        DRIVER_WEIGHTS["effectiveness"] * effectiveness
        + DRIVER_WEIGHTS["ease"] * ease
        + DRIVER_WEIGHTS["emotion"] * emotion
        + SATISFACTION_SD * noise[4]
    )
    trust = TRUST_FROM_SATISFACTION * satisfaction + TRUST_FROM_MATURITY * z_maturity + TRUST_SD * noise[5]
    recommend = RECOMMEND_FROM_SATISFACTION * satisfaction + RECOMMEND_SD * noise[6]
    scores = np.empty((6, n), dtype=np.int8)
    for k, (name, latent) in enumerate(
        (
            ("satisfaction", satisfaction),
            ("ease", ease),
            ("effectiveness", effectiveness),
            ("emotion", emotion),
            ("trust", trust),
        )
    ):
        scores[k] = _ordinal(latent, MEASURE_SHIFT[name])
    scores[5] = np.clip(np.rint(RECOMMEND_CENTRE + RECOMMEND_SCALE * recommend), 0, 10)
    return _Month(svc, channel, stage, scores)


def _aggregate(sim: _Month, n_services: int) -> tuple[np.ndarray, ...]:
    """Count respondents per (service, channel, stage, measure, score): only non-zero cells."""
    cell = (sim.service.astype(np.int64) * len(CHANNELS) + sim.channel) * len(STAGES) + sim.stage
    keys = ((cell[None, :] * len(MEASURES) + np.arange(len(MEASURES))[:, None]) * 11 + sim.scores).ravel()
    counts = np.bincount(keys, minlength=n_services * len(CHANNELS) * len(STAGES) * len(MEASURES) * 11)
    nonzero = np.flatnonzero(counts)
    rest, score = np.divmod(nonzero, 11)
    rest, measure = np.divmod(rest, len(MEASURES))
    rest, stage = np.divmod(rest, len(STAGES))
    service, channel = np.divmod(rest, len(CHANNELS))
    return service, channel, stage, measure, score, counts[nonzero]


# --- Comments ------------------------------------------------------------------------------


class _Draw:
    """Cheap choices from a block of pre-drawn uniforms (one numpy call for thousands of picks)."""

    def __init__(self, rng: np.random.Generator, size: int) -> None:
        self.rng, self.u, self.i = rng, rng.random(size), 0

    def next(self) -> float:
        if self.i >= len(self.u):
            self.u, self.i = self.rng.random(len(self.u)), 0
        self.i += 1
        return float(self.u[self.i - 1])

    def pick(self, items: Sequence[str]) -> str:
        return items[int(self.next() * len(items))]

    def chance(self, p: float) -> bool:
        return self.next() < p

    def between(self, low: int, high: int) -> int:
        return low + int(self.next() * (high - low + 1))

    def weighted(self, weights: dict[str, float]) -> str:
        total = sum(weights.values())
        u, acc = self.next() * total, 0.0
        for key, w in weights.items():
            acc += w
            if u < acc:
                return key
        return key


_OPEN = {
    "neg": (
        "Really disappointed.",
        "Not a good experience.",
        "Very frustrating.",
        "Where do I start.",
        "I'm sorry to say this was poor.",
        "Honestly, awful.",
        "I am not happy.",
        "This has been a nightmare from start to finish.",
        "Shocking service.",
        "I've given up expecting much.",
    ),
    "mixed": (
        "Mixed experience.",
        "Some good, some bad.",
        "It was OK.",
        "Not terrible, not great.",
        "Got there in the end.",
        "Average really.",
    ),
    "pos": (
        "Very happy.",
        "Great service.",
        "Impressed.",
        "Really pleased with how this went.",
        "Excellent.",
        "Better than I expected.",
        "No complaints at all.",
        "A good experience overall.",
    ),
}
_END = {
    "neg": (
        "Not good enough.",
        "Please sort this out.",
        "I expected better from {org}.",
        "Very stressful.",
        "Something needs to change.",
        "I will be making a formal complaint.",
        "It shouldn't be this hard.",
        "Absolutely ridiculous.",
        "I feel like nobody cares.",
    ),
    "mixed": (
        "Room for improvement.",
        "Could be better.",
        "It did get done eventually.",
        "Fine, but it could be simpler.",
        "Hopefully it will improve.",
    ),
    "pos": (
        "Thank you.",
        "Keep it up.",
        "Well done to the team.",
        "Really impressed.",
        "Thanks again.",
        "Couldn't ask for more.",
        "Much appreciated.",
    ),
}
_THEMES = {
    "waiting": {
        "neg": (
            "I waited {weeks} weeks to hear anything about {svc}.",
            "Nobody told me what was happening with {svc} for over {weeks} weeks.",
            "I had no updates at all while I was waiting.",
            "It took {weeks} weeks and I had to chase {org} {times} times.",
            "The wait was far too long and nobody kept me informed.",
            "I was left in limbo for weeks with no idea where {svc} was up to.",
            "The waiting time is unacceptable - {weeks} weeks and counting.",
            "I kept being told it would be another week, for {weeks} weeks.",
            "No one could tell me how long the wait would be.",
            "There was no update on {svc} unless I chased it myself.",
        ),
        "pos": (
            "I was kept updated the whole time I was waiting.",
            "They told me how long {svc} would take and stuck to it.",
            "I got a text with an update at every step.",
            "It was quicker than I expected - about {days} days.",
            "The wait was short and I always knew what was happening.",
        ),
    },
    "website": {
        "neg": (
            "The online form kept crashing and I lost everything I'd typed.",
            "The website timed out twice before I could submit.",
            "I couldn't find anything about {svc} on the website.",
            "The online form wouldn't accept my postcode.",
            "The app logged me out halfway through.",
            "The website is confusing and the links go round in circles.",
            "I tried to upload my documents but the website wouldn't take them.",
            "The online form asked for a reference number I didn't have.",
            "The website said there was an error and to try again later, {times} times.",
        ),
        "pos": (
            "The online form was quick and straightforward.",
            "Doing it on the website took about {quick} minutes.",
            "The app was easy to use and saved my progress.",
            "The website was clear and I could track {svc} online.",
        ),
    },
    "passed": {
        "neg": (
            "I was passed from one department to another and had to repeat myself every time.",
            "Every person I spoke to asked for the same details again.",
            "Nobody seemed to own the problem - I was passed around {times} times.",
            "I had to explain my situation from the start each time I got in touch.",
            "Three different teams told me three different things about {svc}.",
            "I was transferred between departments and nobody knew who dealt with {svc}.",
            "I've had to repeat myself so many times I've lost count.",
        ),
    },
    "staff": {
        "neg": (
            "The person I spoke to was rude and dismissive.",
            "The staff member was unhelpful and made me feel like a nuisance.",
            "I was spoken to as if I was stupid.",
            "The advisor was abrupt and clearly wanted to get rid of me.",
            "Nobody apologised, and the member of staff was quite rude.",
        ),
        "pos": (
            "The lady I spoke to was really helpful and patient.",
            "The staff were friendly and sorted it out straight away.",
            "{name} went above and beyond to help me.",
            "The advisor explained everything clearly and called me back when she said she would.",
            "{name} was kind and took the time to listen.",
            "Staff were polite and helpful throughout.",
        ),
    },
    "information": {
        "neg": (
            "The information about {svc} was confusing and contradicted what I was told.",
            "I couldn't work out whether I was even eligible.",
            "The letter was full of jargon and I didn't understand what I had to do.",
            "The guidance on {svc} is out of date.",
            "It was impossible to find out what documents I needed.",
        ),
        "pos": (
            "The information about {svc} was clear and told me exactly what I needed.",
            "The guidance was easy to understand.",
            "Everything I needed to know was explained in plain English.",
            "It was easy to find out what I needed to do about {svc}.",
        ),
    },
    "cost": {
        "neg": (
            "The charge for {svc} seems very high for what you get.",
            "I wasn't told about the fee until the very end.",
            "I was charged twice and it took ages to get a refund.",
            "£{fee} is a lot of money for {svc}.",
            "The fees went up again and nobody explained why.",
        ),
    },
    "accessibility": {
        "neg": (
            "As a wheelchair user I couldn't get into the building.",
            "The website doesn't work properly with my screen reader.",
            "I asked for letters in large print and never got them.",
            "There was no interpreter available for my mother.",
            "I'm deaf and the only way to contact them was by phone.",
            "The forms are not accessible for people with a learning disability.",
        ),
        "pos": (
            "They arranged a BSL interpreter without any fuss.",
            "The large print letters made a real difference to me.",
            "They made adjustments for my disability without me having to ask twice.",
        ),
    },
}
#: Stage-specific complaints and praise.
_STAGE_LINES = {
    "find_out": {
        "neg": (
            "Nobody could give me a straight answer about {svc}.",
            "I spent ages trying to find out who to contact.",
        ),
        "pos": ("I found what I needed about {svc} straight away.",),
    },
    "apply": {
        "neg": (
            "The application form asked for the same information twice.",
            "Applying for {svc} took far longer than it should have.",
            "The form didn't have a box for my situation.",
        ),
        "pos": ("The application only took a few minutes.", "Applying was simple and quick."),
    },
    "wait": {
        "neg": ("I had to keep chasing to find out what was going on.",),
        "pos": ("They let me know as soon as anything changed.",),
    },
    "receive": {
        "neg": (
            "When the decision came it was wrong and I had to appeal.",
            "What I finally received was not what I asked for.",
            "I still haven't had a proper answer about {svc}.",
        ),
        "pos": ("I got exactly what I needed and it arrived when they said it would.", "{svc} was sorted first time."),
    },
    "follow_up": {
        "neg": (
            "My complaint was ignored for weeks.",
            "The follow-up call I was promised never happened.",
            "I raised a complaint about {svc} and got a standard letter back.",
        ),
        "pos": (
            "When I complained, they apologised and put it right.",
            "They followed up afterwards to check everything was OK.",
        ),
    },
}
_CHANNEL_LINES = {
    "phone": {
        "neg": (
            "I was on hold for {mins} minutes before anyone answered.",
            "I rang {times} times and was cut off twice.",
            "The phone line just kept me in a queue.",
        ),
        "pos": ("The phone was answered quickly.", "I got through on the phone within a few minutes."),
    },
    "post": {
        "neg": (
            "I sent the forms by post and heard nothing for weeks.",
            "My letter seems to have been lost.",
            "Why do I still have to send things by post?",
        ),
        "pos": ("The letter arrived promptly.",),
    },
    "email": {
        "neg": ("I emailed twice and only got an automated reply.", "My emails went unanswered for {days} days."),
        "pos": ("They replied to my email the same day.",),
    },
    "face_to_face": {
        "neg": ("I queued at the office for over an hour.", "I had to take a day off work to go in person."),
        "pos": ("The appointment in person was on time.", "Going in person was easy and quick."),
    },
    "web": {
        "neg": ("Doing it online should be simple but it isn't.",),
        "pos": ("Doing it online saved me a lot of time.",),
    },
    "app": {"neg": ("The app needs a lot of work.",), "pos": ("The app is brilliant.",)},
}
_STAFF_NAMES = (
    "Sarah",
    "James",
    "Priya",
    "Tom",
    "Aisha",
    "Gareth",
    "Fatima",
    "Dave",
    "Chloe",
    "Mohammed",
    "Karen",
    "Olu",
    "Megan",
    "Raj",
    "Sophie",
    "Liam",
    "Bernadette",
    "Kwame",
)
_ORG_NOUNS = {
    "local": "the council",
    "central": "the department",
    "health": "the hospital",
    "arms_length": "the agency",
    "regulator": "the regulator",
}
_ORG_TYPE_NOUNS = {
    "executive agency": "the agency",
    "non-ministerial department": "the office",
    "integrated care board": "the NHS",
    "public corporation": "them",
}


def _sentence(template: str, slots: dict[str, object]) -> str:
    text = template.format(**slots)
    return text[0].upper() + text[1:]


def _comment(draw: _Draw, service: _Service, org_noun: str, channel: str, stage: str, scores: np.ndarray) -> str:
    satisfaction, effectiveness = int(scores[0]), int(scores[2])
    tone = "neg" if satisfaction <= 2 else "mixed" if satisfaction == 3 else "pos"
    slots = {
        "svc": draw.pick(service.phrases),
        "org": org_noun,
        "weeks": draw.between(2, 16),
        "days": draw.between(2, 12),
        "times": draw.between(3, 9),
        "mins": draw.between(15, 95),
        "quick": draw.between(5, 25),
        "name": draw.pick(_STAFF_NAMES),
        "fee": draw.pick(("12", "25", "35", "50", "75", "95")),
    }
    weights = {
        "waiting": 6.0 if stage == "wait" else 0.5,
        "website": 4.0 if channel in ("web", "app") else 0.15,
        "passed": 5.0 if effectiveness <= 2 else 0.0,
        "staff": 3.5 if channel in ("phone", "face_to_face") else 0.3,
        "information": 5.0 if stage == "find_out" else 0.5,
        "cost": 1.5 if service.cost else 0.0,
        "accessibility": 0.35,
        "stage": 2.0 if stage in ("apply", "receive", "follow_up") else 0.5,
    }
    moods = {
        "neg": ("neg", "neg"),
        "mixed": ("pos", "neg") if draw.chance(0.5) else ("neg", "pos"),
        "pos": ("pos", "pos"),
    }[tone]
    parts: list[str] = []
    if draw.chance(0.45):
        parts.append(draw.pick(_OPEN[tone]))
    n_themes = 2 if (tone == "mixed" or draw.chance(0.45)) else 1
    chosen: list[str] = []
    for k in range(n_themes):
        mood = moods[k]
        options = {
            t: w for t, w in weights.items() if w > 0 and t not in chosen and (t == "stage" or mood in _THEMES[t])
        }
        if not options:
            continue
        theme = draw.weighted(options)
        chosen.append(theme)
        bank = _STAGE_LINES[stage] if theme == "stage" else _THEMES[theme]
        template = draw.pick(bank[mood])
        text = _sentence(template, slots)
        if k == 1 and moods[0] != moods[1] and draw.chance(0.6):
            lead = draw.pick(("But", "However,", "On the other hand,", "That said,"))
            keep_case = template.startswith(("{name}", "I ", "I'", "£", "{svc}"))
            text = f"{lead} {text if keep_case else text[0].lower() + text[1:]}"
        parts.append(text)
    if draw.chance(0.3):
        line_mood = moods[-1]
        lines = _CHANNEL_LINES[channel].get(line_mood, ())
        if lines:
            parts.append(_sentence(draw.pick(lines), slots))
    if draw.chance(0.5) or (len(parts) == 1 and draw.chance(0.5)):
        parts.append(_sentence(draw.pick(_END[tone]), slots))
    return " ".join(parts)


# --- Writing -------------------------------------------------------------------------------


def _write_distributions(
    con: duckdb.DuckDBPyConnection,
    monthly: list[tuple[np.ndarray, ...]],
    months: Sequence[dt.date],
    svc_org: np.ndarray,
    org_cat: pd.CategoricalDtype,
    service_cat: pd.CategoricalDtype,
    scale_min: np.ndarray,
    scale_max: np.ndarray,
) -> int:
    """Write the simulated months' distribution rows in organisation order (rollups.DISTRIBUTION_ORDER's first
    column, as imports do): DuckDB skips the blocks a filter on organisation rules out, so one organisation's page
    reads its own rows, not all of them. Sorted here in numpy, a stable sort of small integer codes (sorting 23
    million rows in DuckDB took 13 s and 8 GB); returns how many rows were written."""
    month, service, channel, stage, measure, score, count = (
        np.concatenate(parts) for parts in zip(*monthly, strict=True)
    )
    monthly.clear()
    org_rank = np.empty(len(org_cat.categories), dtype=np.int32)
    org_rank[np.argsort(np.asarray(org_cat.categories, dtype=str))] = np.arange(len(org_rank), dtype=np.int32)
    order = np.argsort(org_rank[svc_org[service]], kind="stable")  # within an organisation: month order, as simulated
    month_days = np.asarray(months, dtype="datetime64[D]")
    channel_cat, stage_cat = pd.CategoricalDtype(list(CHANNELS)), pd.CategoricalDtype(list(STAGES))
    measure_cat = pd.CategoricalDtype(list(MEASURES))
    for lo in range(0, len(order), _WRITE_CHUNK):
        take = order[lo : lo + _WRITE_CHUNK]
        frame = pd.DataFrame(
            {
                "period_start": month_days[month[take]],
                "org_id": pd.Categorical.from_codes(svc_org[service[take]], dtype=org_cat),
                "service_id": pd.Categorical.from_codes(service[take], dtype=service_cat),
                "channel": pd.Categorical.from_codes(channel[take], dtype=channel_cat),
                "stage": pd.Categorical.from_codes(stage[take], dtype=stage_cat),
                "measure": pd.Categorical.from_codes(measure[take], dtype=measure_cat),
                "scale_min": scale_min[measure[take]],
                "scale_max": scale_max[measure[take]],
                "score": score[take].astype(np.int8),
                "responses": count[take],
            }
        )
        con.register("demo_feedback", frame)
        con.execute(
            "INSERT INTO feedback_distributions (period_start, period_grain, org_id, service_id, "
            "channel, stage, measure, scale_min, scale_max, score, responses) "
            "SELECT CAST(period_start AS DATE), 'month', org_id::VARCHAR, service_id::VARCHAR, "
            "channel::VARCHAR, stage::VARCHAR, measure::VARCHAR, scale_min, scale_max, score, responses "
            "FROM demo_feedback"
        )
        con.unregister("demo_feedback")
    return len(order)


#: Distribution rows written per INSERT by the demo build (bounds the memory of one pandas frame).
_WRITE_CHUNK = 2_000_000


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    cols = ", ".join(frame.columns)
    con.register("demo_frame", frame)
    try:
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM demo_frame")
    finally:
        con.unregister("demo_frame")


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        p.unlink(missing_ok=True)


def _channel_cum(services: pd.DataFrame, month: int) -> np.ndarray:
    t = month / (MONTHS - 1)
    base = np.array([(1 - t) * CHANNEL_MIX_START[c] + t * CHANNEL_MIX_END[c] for c in CHANNELS])
    aff = np.array([[_BY_NAME[name].affinity.get(c, 1.0) for c in CHANNELS] for name in services["name"]])
    mix = base[None, :] * aff
    mix /= mix.sum(axis=1, keepdims=True)
    cum = np.cumsum(mix, axis=1)
    cum[:, -1] = 1.0
    return cum[:, :-1]


def build(path: Path, responses: int = 1_000_000, orgs: int = 60, seed: int = 42) -> dict[str, int]:
    """Build the demo database at `path` (replacing any file there) and return summary counts."""
    if responses < 0 or orgs < 5:
        raise ValueError("need responses >= 0 and orgs >= 5")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.building-{os.getpid()}")
    _remove(tmp)
    try:
        summary = _build_into(tmp, responses, orgs, seed)
        Path(f"{path}.wal").unlink(missing_ok=True)  # a stale log would be replayed into the new file
        os.replace(tmp, path)  # atomic: readers see the old file or the new one
    except BaseException:
        _remove(tmp)
        raise
    return summary


def _build_into(path: Path, responses: int, orgs: int, seed: int) -> dict[str, int]:
    db.ensure_schema(path)
    frameworks.sync(path)
    with db.reader(path) as con:
        statements = con.execute(
            "SELECT s.statement_id, s.pillar_id FROM statements s "
            "JOIN pillars p USING (framework_id, pillar_id) "
            "WHERE s.framework_id = ? ORDER BY p.sort_order, s.sort_order",
            [FRAMEWORK_ID],
        ).df()
        pillars = con.execute(
            "SELECT pillar_id, weight FROM pillars WHERE framework_id = ? ORDER BY sort_order", [FRAMEWORK_ID]
        ).df()
    if statements.empty:
        raise RuntimeError(f"framework {FRAMEWORK_ID!r} is not in data/frameworks; cannot build the demo")

    org_rng, assess_rng, feed_rng, text_rng = np.random.default_rng(seed).spawn(4)
    org_frame = _organisations(org_rng, orgs)
    service_frame = _services(org_rng, org_frame)
    start, slope = _maturity(org_rng, org_frame)
    assessments = _assessments(
        assess_rng,
        org_frame,
        start,
        slope,
        statements,
        pillars["pillar_id"].tolist(),
        pillars["weight"].to_numpy(float),
    )

    # Per-service constants for the feedback simulation.
    org_index = {o: i for i, o in enumerate(org_frame["org_id"])}
    svc_org = service_frame["org_id"].map(org_index).to_numpy()
    svc_meta = [_BY_NAME[name] for name in service_frame["name"]]
    org_volume = (org_frame["size_band"].map(SIZE_VOLUME) * org_frame["sector"].map(SECTOR_VOLUME)).to_numpy()
    org_volume = org_volume * feed_rng.lognormal(0.0, 0.35, len(org_frame))
    svc_volume = (
        org_volume[svc_org] * np.array([s.popularity for s in svc_meta]) * feed_rng.lognormal(0.0, 0.25, len(svc_meta))
    )
    svc_volume /= np.bincount(svc_org, minlength=len(org_frame))[svc_org] ** 0.5
    svc_shift = (
        np.array([s.offset for s in svc_meta])
        + feed_rng.normal(0.0, 0.12, len(org_frame))[svc_org]
        + feed_rng.normal(0.0, 0.10, len(svc_meta))
    )
    stage_mix = feed_rng.dirichlet(np.array(list(STAGE_MIX.values())) * 60, len(svc_meta))
    stage_cum = np.cumsum(stage_mix, axis=1)[:, :-1]

    months = month_starts()
    month_weight = np.array([SEASON[m.month] * (1 + 0.25 * k / (MONTHS - 1)) for k, m in enumerate(months)])
    per_month = feed_rng.multinomial(responses, month_weight / month_weight.sum())
    n_comments = min(responses, min(20_000, max(1_500, responses // 300)))
    comments_per_month = _allocate(n_comments, per_month + 1e-9) if responses else [0] * MONTHS

    measure_scale = {"recommend": (0, 10)}
    with db.reader(path) as con:
        for m, lo, hi in con.execute("SELECT measure, scale_min, scale_max FROM measures").fetchall():
            measure_scale[m] = (lo, hi)
    scale_min = np.array([measure_scale[m][0] for m in MEASURES], dtype=np.int8)
    scale_max = np.array([measure_scale[m][1] for m in MEASURES], dtype=np.int8)
    service_cat = pd.CategoricalDtype(service_frame["service_id"].tolist())
    org_cat = pd.CategoricalDtype(org_frame["org_id"].tolist())
    org_noun = [
        _ORG_TYPE_NOUNS.get(t, _ORG_NOUNS[s]) for t, s in zip(org_frame["org_type"], org_frame["sector"], strict=True)
    ]
    draw = _Draw(text_rng, 4096)

    comment_no = 0
    monthly: list[tuple[np.ndarray, ...]] = []  # each month's distribution rows, written after the loop
    with db.writer(path) as con:
        con.execute("SET threads = 1")
        _insert(con, "organisations", org_frame.drop(columns="core"))
        _insert(con, "services", service_frame)
        _insert(con, "assessment_responses", assessments)
        for k, month in enumerate(months):
            years = (k + 0.5) / 12
            svc_maturity = (start + slope * years)[svc_org]
            weights = svc_volume * np.array([s.season.get(month.month, 1.0) for s in svc_meta])
            sim = _simulate_month(
                feed_rng,
                int(per_month[k]),
                month.month,
                weights,
                _channel_cum(service_frame, k),
                stage_cum,
                svc_shift,
                svc_maturity,
            )
            service, channel, stage, measure, score, count = _aggregate(sim, len(service_frame))
            monthly.append((np.full(len(count), k, dtype=np.int16), service, channel, stage, measure, score, count))

            # Comments: unhappy respondents are likelier to write one.
            c = comments_per_month[k]
            if c:
                sat = sim.scores[0]
                w = np.where(sat <= 2, 3.0, np.where(sat == 3, 1.5, 1.0))
                who = np.sort(text_rng.choice(len(sat), size=c, replace=False, p=w / w.sum()))
                days = text_rng.integers(0, calendar.monthrange(month.year, month.month)[1], size=c)
                texts = [
                    _comment(
                        draw,
                        svc_meta[sim.service[i]],
                        org_noun[svc_org[sim.service[i]]],
                        CHANNELS[sim.channel[i]],
                        STAGES[sim.stage[i]],
                        sim.scores[:, i],
                    )
                    for i in who
                ]
                svc_idx = sim.service[who]
                comments = pd.DataFrame(
                    {
                        "comment_id": [f"demo-{comment_no + j + 1}" for j in range(c)],
                        "comment_date": np.datetime64(month, "D") + days.astype("timedelta64[D]"),
                        "org_id": org_frame["org_id"].to_numpy()[svc_org[svc_idx]],
                        "service_id": service_frame["service_id"].to_numpy()[svc_idx],
                        "channel": np.asarray(CHANNELS, dtype=object)[sim.channel[who]],
                        "stage": np.asarray(STAGES, dtype=object)[sim.stage[who]],
                        "text": texts,
                        **{m: sim.scores[j, who] for j, m in enumerate(MEASURES)},
                    }
                )
                _insert(con, "comments", comments)
                comment_no += c
        con.execute("RESET threads")  # the rollup is the same whatever the thread count: use them all
        feedback_rows = _write_distributions(con, monthly, months, svc_org, org_cat, service_cat, scale_min, scale_max)
        rollups.refresh_feedback(con)
        rollups.refresh_assessments(con)
        themes.refresh(con)  # so a new app process reads the comment themes rather than fitting them
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('demo_responses', ?), ('demo_seed', ?), ('demo_orgs', ?)",
            [str(responses), str(seed), str(orgs)],
        )
    return {
        "organisations": len(org_frame),
        "services": len(service_frame),
        "assessment_rounds": int(assessments.groupby(["org_id", "round_date"]).ngroups),
        "assessment_responses": len(assessments),
        "feedback_rows": feedback_rows,
        "responses": int(responses),
        "comments": comment_no,
    }

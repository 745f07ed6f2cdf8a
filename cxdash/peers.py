"""Peer comparison: who an organisation's peers are, and where it stands among them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from cxdash import config, feedback, labels, maturity, metrics, reference
from cxdash.filters import PEER_GROUPS
from cxdash.labels import ordinal

#: A percentile needs at least this many peers besides the organisation itself.
MIN_PEERS = 5

QUARTILES = {1: "top quartile", 2: "second quartile", 3: "third quartile", 4: "bottom quartile"}


def members(orgs: pd.DataFrame, org_id: str, group: str) -> pd.DataFrame:
    """Organisations in `org_id`'s peer group (the organisation included): same value of `group`
    (sector, region, size_band, org_type), or everyone for 'all'."""
    if group not in PEER_GROUPS:
        raise ValueError(f"unknown peer group {group!r}; use one of {list(PEER_GROUPS)}")
    if group == "all":
        return orgs
    own = orgs.loc[orgs["org_id"] == org_id, group]
    if own.empty:
        return orgs.iloc[0:0]
    return orgs[orgs[group] == own.iloc[0]]


def group_label(orgs: pd.DataFrame, org_id: str, group: str) -> str:
    """The peer group in words with labels rather than codes, e.g. "Same sector (Arm's-length body)"."""
    if group == "all":
        return PEER_GROUPS[group]
    own = orgs.loc[orgs["org_id"] == org_id, group]
    if own.empty:
        return f"{PEER_GROUPS[group]} (?)"
    code = str(own.iloc[0])
    value = labels.sector(code) if group == "sector" else labels.SIZE_BANDS.get(code, code.replace("_", " "))
    return f"{PEER_GROUPS[group]} ({value})"


@dataclass(frozen=True)
class Position:
    """Where one value stands among its peers' values."""

    value: float
    peers: int  # peers with a value, the organisation excluded
    percentile: float | None  # share of peers below, ties counting half (0-100); None if too few peers
    quartile: int | None  # 1 = top quartile ... 4 = bottom; None if too few peers
    rank: int | None  # 1 = highest, among peers and the organisation
    median: float | None  # peers' median, the organisation excluded

    @property
    def enough(self) -> bool:
        """Whether the peer group is big enough to publish a percentile."""
        return self.percentile is not None

    def describe(self) -> str:
        """A sentence for people."""
        if not self.enough:
            have = {0: "No peer has a result", 1: "Only 1 peer has a result"}.get(
                self.peers, f"Only {self.peers} peers have a result"
            )
            return f"{have}; at least {MIN_PEERS} are needed for a fair comparison."
        return (
            f"{ordinal(self.percentile)} percentile ({QUARTILES[self.quartile]}), ranked {self.rank} of "
            f"{self.peers + 1}"
        )


def position(values: pd.Series, org_id: str, min_peers: int = MIN_PEERS) -> Position | None:
    """Percentile rank of values[org_id] among the other entries of `values` (indexed by org_id).

    Percentile = 100 x (peers strictly below + half the peers tied) / peers. Quartile from the
    percentile: 75 and over top, 50-75 second, 25-50 third, under 25 bottom. None when the
    organisation itself has no value.
    """
    values = values.dropna()
    if org_id not in values.index:
        return None
    own = float(values.loc[org_id])
    others = values.drop(index=org_id).to_numpy(dtype=float)
    count = len(others)
    median = float(np.median(others)) if count else None
    if count < min_peers:
        return Position(own, count, None, None, None, median)
    below = float((others < own - 1e-9).sum())
    tied = float((np.abs(others - own) <= 1e-9).sum())
    percentile = 100 * (below + tied / 2) / count
    quartile = 1 if percentile >= 75 else 2 if percentile >= 50 else 3 if percentile >= 25 else 4
    rank = int((others > own + 1e-9).sum()) + 1
    return Position(own, count, percentile, quartile, rank, median)


# --- The Peers page: every comparison for one organisation and peer group ------------------------

#: Columns of Comparison.values: one row per organisation and compared figure.
VALUE_COLUMNS = ["org_id", "kind", "item", "label", "sort_order", "headline", "value", "n", "suppressed"]

#: Columns of `standing`: one row per figure the organisation has, with its place among peers.
STANDING_COLUMNS = [
    "kind", "item", "label", "sort_order", "headline", "value", "n", "suppressed",
    "median", "percentile", "quartile", "rank", "peers", "excluded",
]  # fmt: skip


@dataclass(frozen=True)
class Comparison:
    """One organisation's peer group and everyone's figures: latest maturity scores and feedback headlines."""

    org_id: str
    name: str
    group: str
    label: str  # the peer group in words, e.g. "Same sector (Health)"
    members: pd.DataFrame  # org_id, name: the group, the organisation included
    values: pd.DataFrame  # VALUE_COLUMNS, for every member with a result
    rounds: pd.DataFrame  # latest assessment per member: org_id, round_date, score_100, stage_name, respondents
    min_n: int  # the small-sample threshold the feedback figures were suppressed at
    standing: pd.DataFrame = field(default_factory=pd.DataFrame)  # standing(values, org_id), kept with the rest

    @property
    def assessed(self) -> bool:
        """Whether any member of the group has a maturity assessment."""
        return not self.rounds.empty

    @property
    def own_assessed(self) -> bool:
        """Whether the organisation itself has a maturity assessment."""
        return bool((self.rounds["org_id"] == self.org_id).any())

    @property
    def phrase(self) -> str:
        """The peer group in words for the middle of a sentence: "same sector (US federal)"."""
        return self.label[:1].lower() + self.label[1:]

    def measures(self) -> dict[str, str]:
        """Feedback measures the group has results for, {measure: label}, in display order."""
        rows = self.values[self.values["kind"] == "feedback"].drop_duplicates("item").sort_values("sort_order")
        return dict(zip(rows["item"], rows["label"], strict=True))


def comparison(
    framework_id: str | None,
    org_id: str,
    group: str,
    start: date | None,
    end: date | None,
    path: Path | None = None,
    min_n: int | None = None,
) -> Comparison | None:
    """Everything the Peers page compares for org_id within its peer group; None for an unknown organisation.

    Maturity: each member's latest assessment, overall and per pillar (0-100). Feedback: each
    member's headline figure per measure for periods starting between start and end (top-two-box
    %, NPS on 0-10 scales), suppressed under the small-sample threshold (value NaN, suppressed True).
    """
    min_n = config.min_n() if min_n is None else min_n
    orgs = reference.organisations(path)
    if not (orgs["org_id"] == org_id).any():
        return None
    group_orgs = members(orgs, org_id, group)[["org_id", "name"]].reset_index(drop=True)
    ids = set(group_orgs["org_id"])
    frames = []
    rounds = pd.DataFrame(columns=["org_id", "round_date", "score_100", "stage_name", "respondents"])
    if framework_id:
        scores = maturity.round_scores(framework_id, path)
        scores = scores[scores["org_id"].isin(ids)]
        if not scores.empty:
            rounds = scores.sort_values("round_date").groupby("org_id").tail(1)[rounds.columns]
            frames.append(_overall_values(rounds))
            pillars = maturity.latest_pillars(framework_id, path)
            frames.append(_pillar_values(pillars[pillars["org_id"].isin(ids)]))
    if start is not None and end is not None:
        stats = feedback.stats_by(("org_id", "measure"), start, end, org_ids=tuple(sorted(ids)), path=path, min_n=min_n)
        frames.append(_feedback_values(stats, reference.code_labels(path).get("measure", {})))
    frames = [f for f in frames if not f.empty]
    values = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=VALUE_COLUMNS)
    return Comparison(
        org_id=org_id,
        name=str(orgs.loc[orgs["org_id"] == org_id, "name"].iloc[0]),
        group=group,
        label=group_label(orgs, org_id, group),
        members=group_orgs,
        values=values[VALUE_COLUMNS],
        rounds=rounds.reset_index(drop=True),
        min_n=min_n,
        standing=standing(values[VALUE_COLUMNS], org_id),
    )


def _overall_values(rounds: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "org_id": rounds["org_id"], "kind": "maturity", "item": "overall", "label": "Overall score", "sort_order": 0,
        "headline": "score_100", "value": rounds["score_100"].astype(float),
        "n": rounds["respondents"].astype(int), "suppressed": False,
    })  # fmt: skip


def _pillar_values(pillars: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "org_id": pillars["org_id"], "kind": "maturity", "item": pillars["pillar_id"], "label": pillars["name"],
        "sort_order": pillars["sort_order"].astype(int), "headline": "score_100",
        "value": pillars["score_100"].astype(float), "n": pillars["respondents"].astype(int), "suppressed": False,
    })  # fmt: skip


def _feedback_values(stats: pd.DataFrame, measure_labels: dict[str, str]) -> pd.DataFrame:
    if stats.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    order = {m: i + 1 for i, m in enumerate(measure_labels)}
    headline = [
        metrics.headline_column(int(a), int(b)) for a, b in zip(stats["scale_min"], stats["scale_max"], strict=True)
    ]
    value = [row[h] for row, h in zip(stats.to_dict("records"), headline, strict=True)]
    label = [
        measure_labels.get(m, m) + (" (NPS)" if h == "nps" else "")
        for m, h in zip(stats["measure"], headline, strict=True)
    ]
    return pd.DataFrame({
        "org_id": stats["org_id"], "kind": "feedback", "item": stats["measure"], "label": label,
        "sort_order": [order.get(m, 99) for m in stats["measure"]], "headline": headline,
        "value": pd.Series(value, dtype=float).to_numpy(), "n": stats["n"].astype(int),
        "suppressed": stats["suppressed"].astype(bool),
    })  # fmt: skip


def standing(values: pd.DataFrame, org_id: str, min_peers: int = MIN_PEERS) -> pd.DataFrame:
    """Where org_id stands on every figure it has (STANDING_COLUMNS), maturity first, then feedback.

    `peers` counts the other members with a published value, `excluded` those whose feedback
    rests on too few responses to publish (left out of the comparison). percentile, quartile and
    rank are missing when the organisation's own value is suppressed or fewer than min_peers
    peers have a value; median is the peers' median (the organisation excluded).
    """
    rows = []
    for (kind, item), rows_of in values.groupby(["kind", "item"], sort=False):
        own = rows_of[rows_of["org_id"] == org_id]
        if own.empty:
            continue
        others = rows_of[rows_of["org_id"] != org_id]
        first = own.iloc[0]
        pos = position(rows_of.set_index("org_id")["value"], org_id, min_peers)
        rows.append({
            "kind": kind, "item": item, "label": first["label"], "sort_order": first["sort_order"],
            "headline": first["headline"], "value": first["value"], "n": int(first["n"]),
            "suppressed": bool(first["suppressed"]),
            "median": float(others["value"].median()) if others["value"].notna().any() else np.nan,
            "percentile": pos.percentile if pos and pos.enough else np.nan,
            "quartile": pos.quartile if pos and pos.enough else None,
            "rank": pos.rank if pos and pos.enough else None,
            "peers": int(others["value"].notna().sum()),
            "excluded": int(others["suppressed"].astype(bool).sum()),
        })  # fmt: skip
    out = pd.DataFrame(rows, columns=STANDING_COLUMNS)
    out["_kind"] = (out["kind"] != "maturity").astype(int)
    return out.sort_values(["_kind", "sort_order"]).drop(columns="_kind").reset_index(drop=True)


def too_few(peers: int, group: str) -> str:
    """Why no percentile is shown: "Only 3 other organisations in this group have results; choose a wider ..."."""
    if peers == 0:
        head = "No other organisation in this group has results"
    elif peers == 1:
        head = "Only 1 other organisation in this group has results"
    else:
        head = f"Only {peers} other organisations in this group have results"
    tail = "choose a wider peer group" if group != "all" else f"at least {MIN_PEERS} are needed for a fair comparison"
    return f"{head}; {tail}."


def format_value(value: float, headline: str, n: int | None = None, suppressed: bool = False) -> str:
    """A figure as people read it: '62' for a 0-100 score, '57%' for a share, '+12' for NPS."""
    if suppressed:
        return f"not enough responses (n = {n:,})" if n is not None else "not enough responses"
    if value is None or value != value:
        return ""
    if headline == "nps":
        return f"{value:+.0f}"
    if headline == "top2_share":
        return f"{value:.0f}%"
    return f"{value:.0f}"


def _notes(table: pd.DataFrame, group: str, min_n: int) -> list[str]:
    """Per standing row: why there is no percentile, and how many peers were left out for small samples."""
    notes = []
    for row in table.to_dict("records"):
        if row["suppressed"]:
            note = f"Our result rests on fewer than {min_n} responses, so it is not compared."
        elif row["percentile"] != row["percentile"]:
            note = too_few(row["peers"], group)
        else:
            note = ""
        if row["excluded"]:
            word = "peer" if row["excluded"] == 1 else "peers"
            note = f"{note} {row['excluded']} {word} left out: fewer than {min_n} responses.".strip()
        notes.append(note)
    return notes


def common_note(table: pd.DataFrame, group: str, min_n: int) -> str | None:
    """The one note that applies to every row (say it once, above the table), e.g. a group too small."""
    notes = set(_notes(table, group, min_n))
    return notes.pop() if len(notes) == 1 and "" not in notes else None


def standing_table(table: pd.DataFrame, group: str, min_n: int) -> pd.DataFrame:
    """The "where we stand" table for people: figure, ours, peer median, percentile, quartile, peers, note.

    Percentile and quartile are left out when no row has one, the note when it is the same for every row.
    """
    notes = _notes(table, group, min_n)
    base = [
        f"{n:,} respondents" if k == "maturity" else f"{n:,} responses"
        for k, n in zip(table["kind"], table["n"], strict=True)
    ]
    out = pd.DataFrame({
        "Figure": table["label"],
        "Ours": [format_value(v, h, n, s) for v, h, n, s in
                 zip(table["value"], table["headline"], table["n"], table["suppressed"], strict=True)],
        "Based on": base,
        "Peer median": [format_value(v, h) for v, h in zip(table["median"], table["headline"], strict=True)],
        "Percentile": [float(round(p)) if p == p else None for p in table["percentile"]],
        "Quartile": [QUARTILES[int(q)].capitalize() if q == q and q is not None else "–" for q in table["quartile"]],
        "Peers compared": table["peers"].astype(int),
        "Note": notes,
    })  # fmt: skip
    if table["percentile"].isna().all():
        out = out.drop(columns=["Percentile", "Quartile"])
    if len(set(notes)) == 1:
        out = out.drop(columns="Note")
    return out


def peer_letters(index: int) -> str:
    """Spreadsheet-style letters for the index-th peer (0 -> A, 25 -> Z, 26 -> AA)."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def _hidden_order(org_id: str) -> str:
    """A deterministic tie-break that does not follow names or ids alphabetically."""
    return hashlib.sha256(org_id.encode("utf-8")).hexdigest()


def league(comp: Comparison, measure: str | None) -> pd.DataFrame:
    """Every member ranked: by latest overall maturity score when the group is assessed, else by `measure`.

    Columns: org_id, name, rank (1 = best; missing without a result), score_100, stage_name,
    round_date, respondents, value, n, suppressed (the measure's headline for the feedback period).
    """
    table = comp.members.merge(comp.rounds, on="org_id", how="left")
    fb = comp.values[(comp.values["kind"] == "feedback") & (comp.values["item"] == measure)]
    table = table.merge(fb[["org_id", "value", "n", "suppressed", "headline"]], on="org_id", how="left")
    key = "score_100" if comp.assessed else "value"
    table["rank"] = table[key].astype(float).rank(method="min", ascending=False).astype("Int64")
    table["_tie"] = table["org_id"].map(_hidden_order)
    table["_missing"] = table[key].isna()
    table = table.sort_values(["_missing", key, "_tie"], ascending=[True, False, True])
    return table.drop(columns=["_tie", "_missing"]).reset_index(drop=True)


def display_names(ranked: pd.DataFrame, org_id: str, anonymise: bool) -> dict[str, str]:
    """Name to show for each member: real names, or "Peer A", "Peer B" ... in rank order when anonymised.

    The organisation itself is always shown by name.
    """
    names = dict(zip(ranked["org_id"], ranked["name"], strict=True))
    if anonymise:
        others = [o for o in ranked["org_id"] if o != org_id]
        names.update({o: f"Peer {peer_letters(i)}" for i, o in enumerate(others)})
    return names


def league_table(
    ranked: pd.DataFrame, names: dict[str, str], org_id: str, measure_label: str | None, assessed: bool
) -> pd.DataFrame:
    """The league table for people; the organisation's own row is marked with a star (★), as in the charts."""
    out = pd.DataFrame({
        "Rank": ranked["rank"],
        "Organisation": [("★ " if o == org_id else "") + names[o] for o in ranked["org_id"]],
    })  # fmt: skip
    if assessed:
        out["Overall score"] = ranked["score_100"].astype(float).round().astype("Int64")
        out["Stage"] = ranked["stage_name"].fillna("not assessed")
        out["Latest round"] = [f"{pd.Timestamp(d):%d %b %Y}" if pd.notna(d) else "" for d in ranked["round_date"]]
        out["Respondents"] = ranked["respondents"].astype("Int64")
    if measure_label is not None:
        out[measure_label] = [
            format_value(v, h, None if pd.isna(n) else int(n), bool(s) if pd.notna(s) else False)
            if pd.notna(n)
            else "no responses"
            for v, h, n, s in zip(ranked["value"], ranked["headline"], ranked["n"], ranked["suppressed"], strict=True)
        ]
        out["Responses"] = ranked["n"].astype("Int64")
    return out


def describe(comp: Comparison, period: str | None) -> str:
    """The sentence naming the comparison (Markdown): who, against which group, over what."""
    others = len(comp.members) - 1
    word = "organisation" if others == 1 else "organisations"
    name, phrase = labels.md(comp.name), labels.md(comp.phrase)  # Markdown: names and regions shown as written
    if others == 0:
        return f"**{name}** is the only organisation in **{phrase}**; choose a wider peer group."
    text = f"Comparing **{name}** with **{phrase}**: {others} other {word}."
    if comp.assessed:
        text += " Maturity uses each organisation's latest assessment."
    if period:
        text += f" Citizen feedback covers {period}."
    return text


def blank_reason(comp: Comparison, table: pd.DataFrame, kind: str, period: str | None) -> str | None:
    """Why the `kind` ('maturity' or 'feedback') comparison cannot be drawn, in words; None if it can."""
    rows = table[table["kind"] == kind]
    if kind == "maturity":
        if not comp.assessed:
            return (
                "No organisation in this group has a maturity assessment yet, so only citizen feedback is "
                "compared. Assessments can be imported on the Data page."
            )
        if not comp.own_assessed:
            count = len(comp.rounds)
            have = (
                "1 organisation in this group has one"
                if count == 1
                else f"{count} organisations in this group have one"
            )
            return f"{comp.name} has no maturity assessment yet; {have}."
    elif period is None:
        return "No citizen feedback has been imported yet."
    elif rows.empty:
        return f"{comp.name} has no citizen feedback for {period}."
    if rows["percentile"].notna().any():
        return None
    if rows["suppressed"].all():
        return f"{comp.name}'s feedback for {period} rests on fewer than {comp.min_n} responses per measure."
    return too_few(int(rows.loc[~rows["suppressed"], "peers"].max()), comp.group)


def standing_caption(comp: Comparison) -> str:
    """How to read the "where we stand" table."""
    return (f"Percentile among {comp.phrase}: the share of peers below us, ties counting half; 75 or more is the "
            f"top quartile, under 25 the bottom. A percentile needs at least {MIN_PEERS} peers with a result; "
            f"feedback from peers with fewer than {comp.min_n} responses is left out of the comparison.")  # fmt: skip


def strip_title(comp: Comparison, rows: pd.DataFrame, period: str | None) -> str:
    """Title of a peer strip chart, with the number of organisations it compares."""
    count = int(rows["peers"].max()) + 1 if not rows.empty else 1
    if (rows["kind"] == "maturity").all():
        return f"Latest assessments, {count} organisations"
    return f"{period}, up to {count} organisations"


def strip_caption(comp: Comparison, rows: pd.DataFrame, kind: str) -> str:
    """What a peer strip chart shows, in plain words, with what was left out and why."""
    if kind == "maturity":
        text = (f"Each dot is a peer's latest score (0-100), overall and for each pillar; the star is {comp.name} "
                f"(its score above it) and the tick is the peer median. {int(rows['peers'].max())} peers have an "
                "assessment.")  # fmt: skip
    else:
        text = (
            f"Each dot is a peer's headline result: share rating 4 or 5 out of 5 (NPS: % scoring 9-10 minus % "
            f"scoring 0-6). The star is {comp.name} (its result above it), the tick the peer median. "
            f"{_responses(rows)}"
        )
        excluded = int(rows["excluded"].max()) if not rows.empty else 0
        if excluded:
            text += f" Up to {excluded} peers per measure are left out: fewer than {comp.min_n} responses."
    return text


def _responses(rows: pd.DataFrame) -> str:
    if rows["n"].nunique() == 1:
        return f"Our results rest on {int(rows['n'].iloc[0]):,} responses per measure."
    parts = ", ".join(f"{lab} {n:,}" for lab, n in zip(rows["label"], rows["n"], strict=True))
    return f"Our responses: {parts}."


def league_caption(comp: Comparison, measure_label: str | None, period: str | None, anonymise: bool) -> str:
    """What the league table shows and how it is ranked."""
    if comp.assessed:
        text = ("Ranked by latest overall maturity score (1 = highest); respondents are the staff who answered that "
                "assessment.")  # fmt: skip
    else:
        text = f"Ranked by {measure_label} for {period} (1 = highest)." if measure_label else ""
    if measure_label:
        text += (f" {measure_label} covers {period}: share rating 4 or 5 out of 5 (NPS for recommend); results from "
                 f"fewer than {comp.min_n} responses are not shown.")  # fmt: skip
    if anonymise:
        text += " Peer names are replaced by letters in rank order; the starred row is your organisation."
    return text.strip()

"""What to fix first: one prioritised list per organisation that puts maturity gaps and feedback evidence
side by side, each item with one sentence and the numbers behind it.

Scoring rule (also in docs/insight.md and `rule()`). Every item gets priority = 100 x importance x
weakness, both 0-1; importance is relative to the largest item of the same kind:

- maturity pillar, when it scores below the peer median or our overall score: importance = its weight /
  the largest pillar weight; weakness = the larger shortfall / 40 points (two stages), at most 1;
- feedback driver, when it carries at least an equal share of the explained variation and scores below
  our average of the measures or the peer median: importance = its share / the largest share; weakness =
  the larger shortfall / 20 percentage points, at most 1;
- comment theme, with at least min_n of our comments, negative THEME_MARGIN more often than all our
  comments: importance = its negative comments / the largest such count; weakness = its share negative.

Items are ranked by priority; ties (items at the cap) by importance x uncapped shortfall, then by kind
(maturity, driver, theme) and name, so the order is stable.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from cxdash import config, db, maturity, overview
from cxdash.filters import Filters
from cxdash.insight import drivers, themes
from cxdash.journeys import STAGE_PHRASES

#: A pillar this many points short of its benchmark is as weak as it gets (two stages of the 0-100 scale).
PILLAR_YARDSTICK = 40.0
#: A driver this many percentage points short of its benchmark is as weak as it gets.
DRIVER_YARDSTICK = 20.0
#: A theme enters the list when its share of negative comments is this much above all our comments'.
THEME_MARGIN = 0.10
#: Gaps smaller than this (points) are noise, not weakness.
MIN_GAP = 1.0
NOT_ASSESSED = "This organisation has no maturity assessment yet, so only citizen feedback was considered."
KINDS = {"maturity": "Maturity", "driver": "Feedback driver", "theme": "Comment theme"}
COLUMNS = ["rank", "kind", "kind_label", "area", "detail", "action", "score", "importance", "weakness", "n"]


def rule(short: bool = False) -> str:
    """The scoring rule in one paragraph, for the page (or in one sentence, for the board pack)."""
    if short:
        return (
            "Ranked by priority = 100 × importance × weakness: how much an area matters (pillar weight, share of "
            "what moves satisfaction, or number of negative comments) times how far it falls short of peers or "
            "our own average. The Insight page in cxdash explains the method."
        )
    return (
        "How this list is ranked: priority = 100 × importance × weakness. Maturity pillars count when they score "
        "below the peer median or our overall score (weakness: the larger gap ÷ 40 points, two stages); feedback "
        "drivers when they carry at least an equal share of what moves satisfaction and score below our average of "
        "the measures or the peer median (gap ÷ 20 points); comment themes with at least "
        f"{config.min_n()} of our comments, negative {THEME_MARGIN * 100:.0f} points more often than all our "
        "comments (weakness: share negative). Importance is relative to the largest item of the same kind. "
        "Method: docs/insight.md."
    )


def fix_first(filters: Filters, path: Path | None = None, outcome: str = "satisfaction", top: int = 8) -> pd.DataFrame:
    """The organisation's prioritised list of what to fix first (COLUMNS), highest priority first.

    Combines maturity gaps (weak pillars against peers and the framework's recommendation for the stage
    each is at), weak but important drivers of `outcome` (drivers.analyse, all feedback to the chosen
    period), and comment themes more negative than our comments overall, with the journey stage they gather at
    (themes.summarise).
    Empty when the organisation has none of these.
    """
    if filters.org_id is None:
        return pd.DataFrame(columns=COLUMNS)
    pillars, assessed = _pillar_items(filters, path)
    items = [*pillars, *_driver_items(filters, outcome, path), *_theme_items(filters, path)]
    if not items:
        empty = pd.DataFrame(columns=COLUMNS)
        empty.attrs["note"] = "" if assessed else NOT_ASSESSED
        return empty
    out = pd.DataFrame(items)
    out["score"] = 100 * out["importance"] * out["weakness"]
    out["_kind"] = out["kind"].map({k: i for i, k in enumerate(KINDS)})
    out["_severity"] = out["importance"] * out["severity"]  # breaks ties between items at the cap
    order = ["score", "_severity", "_kind", "area"]
    out = out[out["score"] > 0].sort_values(order, ascending=[False, False, True, True]).head(top)
    out["rank"] = range(1, len(out) + 1)
    out["kind_label"] = out["kind"].map(KINDS)
    return out[COLUMNS].reset_index(drop=True)


def _pillar_items(f: Filters, path: Path | None) -> tuple[list[dict], bool]:
    """Pillars short of the peer median or of our own overall score, and whether the organisation is assessed."""
    view = overview.build(f, path, with_feedback=False) if f.framework_id else None
    if view is None or not view.assessed or view.pillars.empty:
        return [], False
    stages = db.query("framework_stages", {"framework_id": f.framework_id}, path)
    recs = db.query("recommendations", {"framework_id": f.framework_id}, path)
    pillars = view.pillars
    steps = maturity.next_steps(pillars, recs, stages, pillars.set_index("pillar_id")["peer_median"], top=len(pillars))
    steps = steps.set_index("pillar_id")
    largest = float(pillars["weight"].max())
    items = []
    for p in pillars.to_dict("records"):
        peer_gap = p["peer_median"] - p["score_100"] if _known(p["peer_median"]) else -math.inf
        own_gap = view.score - p["score_100"]
        shortfall = max(peer_gap, own_gap)
        if shortfall < MIN_GAP:
            continue
        step = steps.loc[p["pillar_id"]]
        parts = [f"{p['name']} scores {p['score_100']:.0f}/100 ({step['stage_name']})"]
        if peer_gap >= MIN_GAP:
            parts.append(f"{_points(peer_gap)} below the peer median ({p['peer_median']:.0f})")
        elif _known(p["peer_median"]):
            parts.append(f"peer median {p['peer_median']:.0f}")
        if own_gap >= MIN_GAP:
            parts.append(f"{_points(own_gap)} below our overall score ({view.score:.0f})")
        detail = ", ".join(parts)
        if isinstance(step["next_stage_name"], str):
            detail += f"; reaching {step['next_stage_name']} would add {step['lift']:.1f} points to the overall score"
        items.append({
            "kind": "maturity", "area": p["name"], "detail": detail + ".", "action": step["text"] or "",
            "importance": float(p["weight"]) / largest if largest > 0 else 1.0,
            "weakness": min(1.0, shortfall / PILLAR_YARDSTICK), "severity": shortfall / PILLAR_YARDSTICK,
            "n": int(p["respondents"]),
        })  # fmt: skip
    return items, True


def _driver_items(f: Filters, outcome: str, path: Path | None) -> list[dict]:
    """Important drivers (at least an equal share of the explained variation) where we are weak: below our
    average of the measures (the 'fix first' quadrant) or below the peer median."""
    result = drivers.analyse(f, outcome, "org", "all", path)
    if not result.ok:
        return []
    table = result.table[result.table["performance"].notna()]
    average = table["performance"].mean()
    largest = float(result.table["share"].max())
    items = []
    for d in table[table["important"]].to_dict("records"):
        own_gap = average - d["performance"]
        peer_gap = d["peer_median"] - d["performance"] if _known(d["peer_median"]) else -math.inf
        shortfall = max(own_gap, peer_gap)
        if shortfall < MIN_GAP:
            continue
        gaps = []
        if peer_gap >= MIN_GAP:
            gaps.append(f"{_points(peer_gap)} below the peer median ({d['peer_median']:.0f}%)")
        if own_gap >= MIN_GAP:
            gaps.append(f"{_points(own_gap)} below our average of the measures ({average:.0f}%)")
        detail = (
            f"{d['label']} accounts for {d['share']:.0%} of what moves {result.outcome_label.lower()} (95% interval "
            f"{d['share_low']:.0%} to {d['share_high']:.0%}; feedback of {result.scope_label}), yet "
            f"{d['performance']:.0f}% of our respondents rate it 4 or 5 in {result.performance_label} "
            f"(n = {d['performance_n']:,}): " + " and ".join(gaps) + "."
        )
        items.append({
            "kind": "driver", "area": d["label"], "detail": detail, "action": "",
            "importance": d["share"] / largest, "weakness": min(1.0, shortfall / DRIVER_YARDSTICK),
            "severity": shortfall / DRIVER_YARDSTICK, "n": int(d["performance_n"]),
        })  # fmt: skip
    return items


def _theme_items(f: Filters, path: Path | None) -> list[dict]:
    """Comment themes with at least min_n of our comments, more often negative than our comments overall."""
    view = themes.summarise(f, "org", "all", path, widen=False)
    if not view.ok:
        return []
    overall = float((view.table["negative"] * view.table["comments"]).sum() / view.table["comments"].sum())
    table = view.table[(view.table["theme"] != themes.UNCLASSIFIED) & (view.table["comments"] >= config.min_n())]
    table = table[table["negative"] >= overall + THEME_MARGIN]
    if table.empty:
        return []
    negatives = table["negative"] * table["comments"]
    largest = float(negatives.max())
    items = []
    for t, count in zip(table.to_dict("records"), negatives, strict=True):
        stage = str(t["top_stage_label"]).lower()
        where = STAGE_PHRASES.get(t["top_stage"], f"at the {stage} stage")
        quote = (t["negative_quotes"] or t["quotes"])[0]
        detail = (
            f"{t['comments']} of our comments ({view.window_label}) are about “{t['label']}”: {t['negative']:.0%} "
            f"of them negative against {overall:.0%} of all our comments, mean satisfaction "
            f"{t['satisfaction']:.1f} out of 5, {t['top_stage_share']:.0%} from the {stage} stage. "
            f"For example: “{_short(quote)}”"
        )
        items.append({
            "kind": "theme", "area": f"“{t['label']}”, most often {where}", "detail": detail, "action": "",
            "importance": float(count) / largest, "weakness": float(t["negative"]), "severity": float(t["negative"]),
            "n": int(t["comments"]),
        })  # fmt: skip
    return items


def empty_message(items: pd.DataFrame) -> str:
    """What to say when the list is empty (nothing clearly behind, or not assessed yet)."""
    note = items.attrs.get("note", "")
    return "Nothing stands out: no pillar, driver or comment theme is clearly behind peers or our own average." + (
        f" {note}" if note else ""
    )


def _points(gap: float) -> str:
    """'1 point', '12 points' (the gap rounded as shown)."""
    return f"{gap:.0f} point" + ("" if round(gap) == 1 else "s")


def _known(value: object) -> bool:
    return value is not None and isinstance(value, int | float) and not math.isnan(value)


def _short(text: str, limit: int = 160) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def as_markdown(items: pd.DataFrame) -> str:
    """The list as numbered Markdown: area, kind and priority, the sentence with the numbers, the next step."""
    safe = themes.markdown_safe
    lines = []
    for item in items.to_dict("records"):
        lines.append(
            f"{item['rank']}. **{safe(item['area'])}** ({item['kind_label'].lower()}, priority "
            f"{item['score']:.0f}/100): {safe(item['detail'])}"
        )
        if item["action"]:
            lines.append(f"\n   *Next step:* {safe(item['action'])}\n")
    return "\n".join(lines)

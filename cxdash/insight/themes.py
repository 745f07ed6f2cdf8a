"""Comment themes and sentiment, offline: what people write about, how they feel, where and when.

- **Themes.** TF-IDF on the words of every comment in the database (English stop words and clearly
  sentiment-bearing words left out, so themes are about *what* people write about, not *how they feel*;
  simple suffix stripping so "wait", "waited" and "waiting" count as one word), then non-negative matrix
  factorisation (scikit-learn NMF, fixed random_state) into N_THEMES themes. Each comment belongs to its
  strongest theme. A theme is labelled by its top three words, as the model found them; nothing is
  hand-labelled. The model is fitted (on at most MAX_FIT comments, spread evenly over the comment ids) by
  the write that changes the comments, and stored with them (`store`); readers fit in-process only when the
  stored result is not for the comments now in the database.
- **Sentiment.** VADER (vaderSentiment, whose lexicon ships inside the package; nothing is downloaded):
  compound score -1..1 per comment; negative at or below -0.05, positive at or above 0.05 (VADER's own
  cut-offs).

Details and caveats: docs/insight.md.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cxdash import config, db, labels, metrics, reference
from cxdash import filters as fl
from cxdash.insight.drivers import SCOPES, _scope_orgs, window_for
from cxdash.queries import sql

N_THEMES = 10
#: Fewest comments to look for themes in (the whole database).
MIN_COMMENTS = 50
#: Fewest comments of a scope to show its themes; fewer and the page widens the scope.
MIN_VIEW = 30
#: Most comments the model is fitted on; the rest are assigned with the fitted model.
MAX_FIT = 5000
MIN_DF = 5
MAX_DF = 0.5
SEED = 0
NEGATIVE, POSITIVE = -0.05, 0.05
#: Words whose VADER valence is at least this strong are sentiment, not topic, and are left out of themes.
SENTIMENT_WORD = 1.0
QUOTES = 3
#: Column widths (pixels) of the comment table: room for the text.
COMMENT_WIDTHS = {
    "Date": 100, "Service": 170, "Channel": 110, "Stage": 110, "Satisfaction": 100, "Tone": 80, "Sentiment": 90,
    "Comment": 760,
}  # fmt: skip
UNCLASSIFIED = -1
_TOKEN = re.compile(r"[a-z][a-z'’]+")


@cache
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment(texts: list[str] | pd.Series) -> np.ndarray:
    """VADER compound score (-1 very negative .. 1 very positive) of each text."""
    analyser = _vader()
    return np.array([analyser.polarity_scores(str(t))["compound"] for t in texts], dtype=float)


def tone(scores: np.ndarray | pd.Series) -> np.ndarray:
    """'negative', 'neutral' or 'positive' for each compound score, at VADER's cut-offs."""
    s = np.asarray(scores, dtype=float)
    return np.where(s <= NEGATIVE, "negative", np.where(s >= POSITIVE, "positive", "neutral"))


def stem(word: str) -> str:
    """A light suffix stripper: 'waiting', 'waited', 'waits' -> 'wait'; short words are kept whole."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@cache
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE

    sentiment_words = {w for w, v in _vader().lexicon.items() if abs(v) >= SENTIMENT_WORD and w.isalpha()}
    modifiers = {w.replace("'", "") for w in [*BOOSTER_DICT, *NEGATE]}
    return frozenset(ENGLISH_STOP_WORDS | sentiment_words | modifiers)


class _Words:
    """Turns a text into topic words (stemmed) and remembers the commonest spelling of each stem."""

    def __init__(self) -> None:
        self.spellings: dict[str, Counter] = {}
        self.stop = _stop_words()

    def __call__(self, text: str) -> list[str]:
        out = []
        for token in _TOKEN.findall(text.lower()):
            if "'" in token:  # contractions (didn't, I've) are function words
                continue
            word = token
            if len(word) < 3 or word in self.stop:
                continue
            root = stem(word)
            if root in self.stop:
                continue
            self.spellings.setdefault(root, Counter())[word] += 1
            out.append(root)
        return out

    def spelling(self, root: str) -> str:
        """The commonest spelling of a stem, for labels."""
        return self.spellings[root].most_common(1)[0][0] if root in self.spellings else root


@dataclass(frozen=True)
class ThemeModel:
    """A fitted theme model: every comment with its theme and sentiment, and each theme's words."""

    comments: pd.DataFrame  # insight_comments columns + theme, strength, sentiment, tone
    terms: dict[int, list[str]]  # theme -> its top words, strongest first
    fitted_on: int
    reason: str | None = None

    def label(self, theme: int) -> str:
        """A theme's label from its top three words, e.g. 'Wait, kept, updated'."""
        if theme == UNCLASSIFIED:
            return "Too short to classify"
        words = self.terms.get(theme, [])[:3]
        text = ", ".join(words)
        return text[:1].upper() + text[1:]


def fit(texts: list[str], themes: int = N_THEMES, max_fit: int = MAX_FIT) -> tuple[np.ndarray, np.ndarray, list]:
    """Fit TF-IDF + NMF on texts; return (theme of each text, its strength, top words per theme).

    A text with no topic words gets theme UNCLASSIFIED and strength 0.
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = _Words()
    count = len(texts)
    sample = np.unique(np.linspace(0, count - 1, min(count, max_fit)).astype(int))
    vectoriser = TfidfVectorizer(
        analyzer=words, min_df=min(MIN_DF, max(2, count // 100)), max_df=MAX_DF, sublinear_tf=True
    )
    fitted = vectoriser.fit_transform([texts[i] for i in sample])
    k = max(2, min(themes, fitted.shape[1] - 1, len(sample) // 10))
    model = NMF(n_components=k, init="nndsvda", random_state=SEED, max_iter=500)
    model.fit(fitted)
    weights = model.transform(vectoriser.transform(texts))
    theme = weights.argmax(axis=1)
    strength = weights.max(axis=1)
    theme = np.where(strength > 0, theme, UNCLASSIFIED)
    vocabulary = vectoriser.get_feature_names_out()
    top = [[words.spelling(vocabulary[i]) for i in np.argsort(-row)[:8]] for row in model.components_]
    return theme, strength, top


def model(path: Path | None = None) -> ThemeModel:
    """The theme model of the database's comments: stored by the last write, or fitted now (once per data version)."""
    return _model(str(Path(path or config.db_path())), db.data_version(path))


@db.per_version(4)
def _model(path: str, version: str) -> ThemeModel:
    with db.reader(Path(path)) as con:
        kept = con.execute(sql("comments_fingerprint")).df().iloc[0]
        fitted_on = int(kept["fitted_on"]) if pd.notna(kept["fitted_on"]) else 0
        stored = fitted_on > 0 and kept["stored"] == kept["fingerprint"]
        comments = con.execute(sql("insight_comments")).df()
        if stored:
            scored = con.execute("SELECT comment_id, theme, strength, sentiment FROM comment_themes").df()
            words = con.execute("SELECT theme, word FROM theme_words ORDER BY theme, rank").df()
    if len(comments) < MIN_COMMENTS:
        return _too_few(comments)
    if stored:  # computed by the write that last changed the comments (refresh): no fitting in this process
        top = {int(t): list(group["word"]) for t, group in words.groupby("theme")}
        return _finish(comments.merge(scored, on="comment_id", validate="one_to_one"), top, fitted_on)
    return _finish(*_fitted(comments))


def _too_few(comments: pd.DataFrame) -> ThemeModel:
    empty = comments.assign(theme=pd.Series(dtype=int), strength=pd.Series(dtype=float))
    held = f"{len(comments)} comment{'s' if len(comments) != 1 else ''}"
    reason = (
        f"This database holds {held}; themes need at least {MIN_COMMENTS}. Comments come with the comments "
        "and responses imports on the Data page."
    )
    if comments.empty:
        reason = (
            "This database holds no free-text comments, so there are no themes to find. Comments come with "
            "the comments and responses imports on the Data page (the US A-11 data has none)."
        )
    return ThemeModel(empty.assign(sentiment=pd.Series(dtype=float), tone=""), {}, 0, reason)


def _fitted(comments: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, list[str]], int]:
    """Comments (insight_comments columns) with theme, strength and sentiment fitted and scored now."""
    texts = comments["text"].fillna("").tolist()
    theme, strength, top = fit(texts)
    out = comments.assign(theme=theme, strength=strength, sentiment=sentiment(texts))
    return out, dict(enumerate(top)), min(len(texts), MAX_FIT)


def _finish(comments: pd.DataFrame, top: dict[int, list[str]], fitted_on: int) -> ThemeModel:
    out = comments.assign(theme=comments["theme"].astype(int))
    out["tone"] = tone(out["sentiment"])
    out["comment_date"] = pd.to_datetime(out["comment_date"]).dt.date
    return ThemeModel(out, top, fitted_on)


def refresh(con: duckdb.DuckDBPyConnection) -> int:
    """Store the themes and sentiment of every comment now in the database, inside the caller's write
    transaction, unless those stored are already for these very comments. Every import and the demo build
    call it last; returns how many comments were fitted and scored (0: nothing to do or too few comments).

    Readers use the stored results while the comments are unchanged (meta 'themes_fingerprint'), so a new
    app process draws themes and the fix-first list without fitting anything.
    """
    kept = con.execute(sql("comments_fingerprint")).df().iloc[0]
    if kept["stored"] == kept["fingerprint"]:
        return 0
    comments = con.execute(sql("insight_comments")).df()
    con.execute("DELETE FROM comment_themes")
    con.execute("DELETE FROM theme_words")
    fitted_on = 0
    if len(comments) >= MIN_COMMENTS:
        scored, top, fitted_on = _fitted(comments)
        rows = scored[["comment_id", "theme", "strength", "sentiment"]]
        words = pd.DataFrame(
            [(t, rank, word) for t, ws in top.items() for rank, word in enumerate(ws, start=1)],
            columns=["theme", "rank", "word"],
        )
        con.register("new_comment_themes", rows)
        con.register("new_theme_words", words)
        try:
            con.execute("INSERT INTO comment_themes SELECT * FROM new_comment_themes")
            con.execute("INSERT INTO theme_words SELECT * FROM new_theme_words")
        finally:
            con.unregister("new_comment_themes")
            con.unregister("new_theme_words")
    con.execute(
        "INSERT OR REPLACE INTO meta VALUES ('themes_fingerprint', ?), ('themes_fitted_on', ?)",
        [kept["fingerprint"], str(fitted_on)],
    )
    return len(comments) if fitted_on else 0


# --- One view's themes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeView:
    """Themes of the comments in one scope and window."""

    scope: str | None = None  # the scope shown (may be wider than the one asked for)
    scope_label: str = ""
    window_label: str = ""
    note: str | None = None  # why the scope was widened
    comments: int = 0
    fitted_on: int = 0
    table: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per theme, commonest first
    by_stage: pd.DataFrame = field(default_factory=pd.DataFrame)  # theme x stage: comments, share (of theme)
    by_channel: pd.DataFrame = field(default_factory=pd.DataFrame)  # theme x channel: comments, share
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)  # theme x quarter: comments, total, share
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """Whether there are themes to show."""
        return self.reason is None

    @property
    def method(self) -> str:
        """How the themes and sentiment were found, in plain words."""
        return (
            f"Themes: words weighted by TF-IDF and grouped by non-negative matrix factorisation into "
            f"{N_THEMES} themes, fitted on {self.fitted_on:,} comments from every organisation; each comment "
            "counts under its strongest theme, and a theme's label is its top three words as the model found them. "
            "Sentiment: VADER's lexicon (compound score; negative at -0.05 or below, positive at 0.05 or above). "
            "All computed on this server; no text leaves it."
        )


def _comments_in(f: fl.Filters, scope: str, window: str, path: Path | None) -> tuple[pd.DataFrame, str, str]:
    """The scope's comments in the window (up to the end of the chosen period), its label and the window label."""
    found = model(path)
    start, end = window_for(f, window, path)
    org_ids, label = _scope_orgs(reference.organisations(path), f, scope)
    rows = found.comments
    if org_ids is not None:
        rows = rows[rows["org_id"].isin(org_ids)]
    if start is not None:
        stop = fl.shift_months(end, f.grain_months)
        rows = rows[(rows["comment_date"] >= start) & (rows["comment_date"] < stop)]
        return rows, label, fl.window_label(start, end, f.grain_months == 3)
    return rows, label, "all dates"


def summarise(
    f: fl.Filters, scope: str = "org", window: str = "all", path: Path | None = None, widen: bool = True
) -> ThemeView:
    """Themes of the comments for the organisation (scope 'org'), its peers ('peers') or everyone ('all')
    over `window` ('all', 'year', 'period'): counts, sentiment, quotes, stage and channel mix, trend.

    With `widen`, a scope with fewer than MIN_VIEW comments widens to the next (the note says so); without,
    at least the small-sample threshold of comments is needed.
    """
    found = model(path)
    if found.reason:
        return ThemeView(reason=found.reason)
    order = list(SCOPES)
    tried: list[tuple[str, int]] = []
    needed = max(MIN_VIEW, config.min_n()) if widen else config.min_n()
    orgs = reference.organisations(path)
    for current in order[order.index(scope) if scope in order else 0 :] if widen else [scope]:
        if current == "peers" and tried and len(_scope_orgs(orgs, f, current)[0] or ()) <= 1:
            continue
        key = ("themes.comments", f, current, window)
        rows, scope_label, window_label = db.remember(key, lambda s=current: _comments_in(f, s, window, path), path)
        if len(rows) >= needed:
            break
        tried.append((scope_label, len(rows)))
    else:
        return ThemeView(
            scope_label=scope_label,
            window_label=window_label,
            comments=len(rows),
            reason=(
                f"Too few comments for {scope_label}, {window_label}: {len(rows)} (at least {needed} needed). "
                "Choose a wider scope or a longer window."
            ),
        )
    note = None
    if tried:
        note = (
            f"{tried[0][0]} has {tried[0][1]} comments in this window ({needed} needed to show themes), so the "
            f"themes below are those of {scope_label}."
        )
    key = ("themes.tables", f, current, window)  # the page's view and the fix-first list's are often the same
    table, by_stage, by_channel, trend = db.remember(key, lambda: _tables(found, rows, path), path)
    return ThemeView(
        scope=current,
        scope_label=scope_label,
        window_label=window_label,
        note=note,
        comments=len(rows),
        fitted_on=found.fitted_on,
        table=table,
        by_stage=by_stage,
        by_channel=by_channel,
        trend=trend,
    )


def _tables(
    found: ThemeModel, rows: pd.DataFrame, path: Path | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The theme table, mix by stage and by channel, and trend of the comments in `rows`."""
    codes = reference.code_labels(path)
    table = _theme_table(found, rows, codes)
    classified = rows[rows["theme"] != UNCLASSIFIED]
    stage_labels, channel_labels = codes.get("stage", {}), codes.get("channel", {})
    by_stage = _mix(classified, "stage", stage_labels, table)
    return table, by_stage, _mix(classified, "channel", channel_labels, table), _trend(classified, table)


def _theme_table(found: ThemeModel, rows: pd.DataFrame, codes: dict[str, dict[str, str]]) -> pd.DataFrame:
    """One row per theme present: label, words, comments, share, sentiment, where it concentrates, quotes."""
    records = []
    total = len(rows)
    for theme, group in rows.groupby("theme"):
        stage = group["stage"].value_counts(normalize=True)
        channel = group["channel"].value_counts(normalize=True)
        typical = group.sort_values(["strength", "comment_id"], ascending=[False, True])
        records.append({
            "theme": int(theme), "label": found.label(int(theme)),
            "terms": ", ".join(found.terms.get(int(theme), [])[:6]),
            "comments": len(group), "share": len(group) / total,
            "negative": float((group["tone"] == "negative").mean()),
            "positive": float((group["tone"] == "positive").mean()),
            "sentiment": float(group["sentiment"].mean()),
            "satisfaction": float(group["satisfaction"].mean()) if group["satisfaction"].notna().any() else np.nan,
            "top_stage": stage.index[0] if not stage.empty else None,
            "top_stage_label": codes.get("stage", {}).get(stage.index[0], stage.index[0]) if not stage.empty else "",
            "top_stage_share": float(stage.iloc[0]) if not stage.empty else np.nan,
            "top_channel_label": codes.get("channel", {}).get(channel.index[0], channel.index[0])
            if not channel.empty else "",
            "top_channel_share": float(channel.iloc[0]) if not channel.empty else np.nan,
            "quotes": _distinct(typical["text"]),
            "negative_quotes": _distinct(typical.loc[typical["tone"] == "negative", "text"]),
        })  # fmt: skip
    table = pd.DataFrame(records)
    table["_unclassified"] = table["theme"] == UNCLASSIFIED
    table = table.sort_values(["_unclassified", "comments", "theme"], ascending=[True, False, True])
    return table.drop(columns="_unclassified").reset_index(drop=True)


def _distinct(texts: pd.Series, count: int = QUOTES, overlap: float = 0.5) -> tuple[str, ...]:
    """The first `count` texts that share at most `overlap` of their words with any text already chosen."""
    chosen: list[tuple[str, set[str]]] = []
    for text in texts:
        words = set(_TOKEN.findall(str(text).lower()))
        if all(len(words & seen) <= overlap * min(len(words), len(seen)) for _, seen in chosen):
            chosen.append((text, words))
        if len(chosen) == count:
            break
    return tuple(text for text, _ in chosen)


def _mix(rows: pd.DataFrame, column: str, names: dict[str, str], table: pd.DataFrame) -> pd.DataFrame:
    """Theme x `column` counts with each theme's share (row %) and an 'All comments' row to compare with."""
    counts = rows.groupby(["theme", column]).size().rename("comments").reset_index()
    overall = rows.groupby(column).size().rename("comments").reset_index().assign(theme=UNCLASSIFIED - 1)
    out = pd.concat([counts, overall], ignore_index=True)
    out["share"] = out["comments"] / out.groupby("theme")["comments"].transform("sum")
    labels = dict(zip(table["theme"], table["label"], strict=True)) | {UNCLASSIFIED - 1: "All comments"}
    order = {t: i for i, t in enumerate(table["theme"])} | {UNCLASSIFIED - 1: len(table)}
    out["label"] = out["theme"].map(labels)
    out["theme_order"] = out["theme"].map(order)
    out[f"{column}_label"] = out[column].map(lambda c: names.get(c, str(c)))
    sort = list(names)
    out[f"{column}_order"] = out[column].map(lambda c: sort.index(c) if c in sort else len(sort))
    out = out[out["theme"].isin(order)]
    return out.sort_values(["theme_order", f"{column}_order"]).reset_index(drop=True)


def _quarter(day: pd.Series) -> pd.Series:
    stamp = pd.to_datetime(day)
    return pd.to_datetime(pd.DataFrame({"year": stamp.dt.year, "month": (stamp.dt.quarter - 1) * 3 + 1, "day": 1}))


def _trend(rows: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Theme x calendar quarter: comments, all classified comments that quarter, share."""
    if rows.empty:
        return pd.DataFrame(columns=["theme", "quarter", "comments", "total", "share"])
    frame = rows.assign(quarter=_quarter(rows["comment_date"]).dt.date)
    totals = frame.groupby("quarter").size().rename("total")
    grid = pd.MultiIndex.from_product([table["theme"], totals.index], names=["theme", "quarter"])
    counts = frame.groupby(["theme", "quarter"]).size().reindex(grid, fill_value=0).rename("comments").reset_index()
    counts = counts.merge(totals.reset_index(), on="quarter")
    counts["share"] = counts["comments"] / counts["total"]
    return counts.sort_values(["theme", "quarter"]).reset_index(drop=True)


def change(trend: pd.DataFrame, theme: int, quarters: int = 4, min_n: int | None = None) -> dict | None:
    """The theme's share of comments in the last `quarters` quarters against the same number before, tested
    with metrics.compare (two-sided z-test at 95% on the two shares). None without two full spans."""
    rows = trend[trend["theme"] == theme].sort_values("quarter")
    if len(rows) < 2 * quarters:
        return None
    now, before = rows.tail(quarters), rows.iloc[-2 * quarters : -quarters]

    def stats(part: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({
            "n": [int(part["total"].sum())], "sum_score": [0.0], "sum_score_sq": [0.0],
            "top2": [int(part["comments"].sum())], "bottom2": [0], "promoters": [0], "detractors": [0],
            "scale_min": [1], "scale_max": [5],
        })  # fmt: skip

    result = metrics.compare(stats(now), stats(before), "top2_share", min_n).iloc[0]
    return {**result.to_dict(), "quarters": quarters}


def change_sentence(label: str, result: dict | None) -> str:
    """The theme's change in share, saying whether it is beyond noise and by which test."""
    if result is None:
        return "Not enough quarters of comments to compare this theme's share over time."
    span = f"the last {result['quarters']} quarters"
    head = f"“{label}”: {result['current']:.0f}% of comments in {span}"
    if result["verdict"] == "not enough responses":
        return f"{head}; too few comments in one of the two spans to test a change."
    before = f"against {result['previous']:.0f}% in the {result['quarters']} quarters before"
    test = "two-sided z-test on the two shares at 95%"
    if result["verdict"] == "no significant change":
        return f"{head}, {before}: no significant change ({test}, p = {result['p_value']:.2f})."
    return f"{head}, {before}: {result['verdict']}, beyond noise ({test}, p = {result['p_value']:.3f})."


def theme_comments(
    f: fl.Filters, scope: str, window: str, theme: int, path: Path | None = None, limit: int = 200
) -> pd.DataFrame:
    """The comments of one theme in the view, most typical first: date, service, channel, stage, satisfaction,
    sentiment, tone, text (at most `limit`)."""
    rows, _, _ = _comments_in(f, scope, window, path)
    rows = rows[rows["theme"] == theme].sort_values(["strength", "comment_id"], ascending=[False, True])
    codes = reference.code_labels(path)
    return pd.DataFrame({
        "Date": rows["comment_date"], "Service": rows["service"],
        "Channel": rows["channel"].map(lambda c: codes.get("channel", {}).get(c, c)),
        "Stage": rows["stage"].map(lambda c: codes.get("stage", {}).get(c, c)),
        "Satisfaction": rows["satisfaction"].astype("Int64"),
        "Tone": rows["tone"], "Sentiment": rows["sentiment"].round(2), "Comment": rows["text"],
    }).head(limit).reset_index(drop=True)  # fmt: skip


def headline(view: ThemeView) -> str:
    """The most common theme and the most negative common theme, in one sentence."""
    table = view.table[view.table["theme"] != UNCLASSIFIED]
    if table.empty:
        return ""
    top = table.iloc[0]
    text = f"Most written about: **{top['label']}** ({top['share']:.0%} of {view.comments:,} comments)."
    common = table[table["comments"] >= config.min_n()]
    if not common.empty:
        worst = common.sort_values(["negative", "comments"], ascending=[False, False]).iloc[0]
        text += (
            f" Most negative: **{worst['label']}**, {worst['negative']:.0%} of its {worst['comments']} comments "
            f"negative, {worst['top_stage_share']:.0%} of them at the {str(worst['top_stage_label']).lower()} stage."
        )
    return text


def few_note(view: ThemeView) -> str:
    """Which themes are too small to place by stage or channel ('' when none)."""
    few = view.table[view.table["comments"] < config.min_n()]
    if few.empty:
        return ""
    names = ", ".join(f"{label} ({n})" for label, n in zip(few["label"], few["comments"], strict=True))
    return f"Left out, fewer than {config.min_n()} comments: {names}."


def markdown_safe(text: str) -> str:
    """A comment shown exactly as written in Markdown (cxdash.labels.md: no links, HTML, LaTeX or formatting)."""
    return labels.md(text)

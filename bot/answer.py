"""Answering: score the store's facts against a question and decide — answered, ambiguous or unknown.

The bot never invents: a fact is shown only when most of what was asked is found in its metric,
entity or quote; otherwise it says the articles do not say, and offers the nearest things it knows.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from typing import NamedTuple

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

from annotate.gazetteer import Gazetteer
from annotate.vocab import Scoring, alternation, indicators, scoring, vocab
from store import Fact, Store, StoreError

from . import messages
from .features import PART_CAP, Features
from .index import SMALL_ZONE, FactIndex
from .normalize import Normalizer, grams
from .question import MAX_QUESTION_CHARS, Question, QuestionParser

TABLE_ROWS = 10  # zones a ranking shows in every channel; the rest are counted ("还有N个园区未列出")
SERIES_ROWS = 20  # years a series shows, the latest; the earlier ones are counted
REPLY_CACHE = 1024  # replies kept per bot (per worker), least recently asked dropped first
PICK_TTL = 600.0  # seconds a chat's numbered options can be picked by replying 1, 2 or 3
PICK_CHATS = 4096  # chats with options pending (in the store); the ones expiring first dropped first
_PICK = re.compile(r"\s*(?:第\s*)?([1-3１-３一二三])\s*(?:个|条|项)?\s*[.。!！]?\s*")
_PICK_NUMBER = {"１": 1, "２": 2, "３": 3, "一": 1, "二": 2, "三": 3}

_V = vocab()

# Words that make a metric a part, a flow or a derived figure: a plain question wants the whole.
_PART_MARKERS = _V.part_markers
# A figure per head, per 10,000 people or per mu is not the total a plain question asks for.
_PER_UNIT = _V.per_unit


# What the last word of a question measures, and the units that measure it.
_HEAD_UNITS = tuple(
    (re.compile(f"({alternation(heads)})$"), alternation(units)) for heads, units in _V.question.head_units
)


_HAN2 = re.compile(r"[\u4e00-\u9fff]{2}")


_ASKS_GROWTH = re.compile(alternation(_V.growth.in_questions, unless=_V.growth.not_growth))  # 增加值 is a level
_ASKS_TARGET = re.compile(alternation(_V.target.in_questions))
_ASKS_SHARE = re.compile(alternation(_V.share_in_questions))


def _comparable(f: Fact, metric: str) -> bool:
    """Whether a fact belongs in a comparison of zones on `metric`: the zone's own figures (not a company's), flows
    with flows, plans with plans, levels with levels — a ranking mixes no totals with increases."""
    if f.entity and f.entity not in metric:
        return False  # a company's figure (潍柴集团's revenue) is not its zone's, in a ranking of zones
    growth = f.kind == "growth" or bool(_ASKS_GROWTH.search(f.metric))
    return growth == bool(_ASKS_GROWTH.search(metric)) and (f.kind == "target") == bool(_ASKS_TARGET.search(metric))


def _kinds_compared(metric: str, family: str) -> frozenset[str]:
    """The kinds of an indicator's facts a comparison ranks: its ranks, else the variant asked for (增长, 目标, 占比),
    else its levels (for a share indicator such as 研发投入强度, its shares are its levels)."""
    if family == "rank":
        return frozenset({"rank"})
    if _ASKS_GROWTH.search(metric):
        return frozenset({"growth"})
    if _ASKS_TARGET.search(metric):
        return frozenset({"target"})
    if family == "share":
        return frozenset({"level", "share"})
    return frozenset({"share"}) if _ASKS_SHARE.search(metric) else frozenset({"level"})


def _named_as(asked: str, metric: str) -> bool:
    """Whether a fact's folded metric is the very name asked for (数量 is ours, so 出口总额 is 出口总额数量 too)."""
    return asked in (metric, metric.removesuffix("数量"))


@lru_cache(maxsize=4096)
def _sound(text: str) -> str:
    """How a few characters are read (宗额 and 总额: zonge): typing by pinyin puts homophones in place of words."""
    return "".join(lazy_pinyin(text))


def _year_of(period: str | None) -> int | None:
    """The year a period starts with (2021, 2021-1~9, 2021年底), if it names one."""
    m = re.match(r"\d{4}", period or "")
    return int(m.group()) if m else None


# An ordinal that tells one thing from its siblings, by its number: 第一产业 and 一产 are {一}, 第二批 {二}, 二级 {二}
# (not 一季度: periods are read apart).
_ORDINAL = re.compile(
    r"第([一二三四五六七八九十]+)|(?<![\u4e00-\u9fff])([一二三四])[产类级]|([一二三四])[产类级](?=[\u4e00-\u9fff])"
)


def _ordinals(text: str) -> frozenset[str]:
    return frozenset(n for groups in _ORDINAL.findall(text) for n in groups if n)


def _months_of(period: str | None) -> str | None:
    """The part of a year a period covers (2024-1~6 → 1~6), None for a whole year or no period."""
    m = re.fullmatch(r"\d{4}-(\d{1,2}~\d{1,2})", period or "")
    return m.group(1) if m else None


_WEB_ADDRESS = re.compile(r"https?://[^\s/?#]+[^\s]*\Z", re.IGNORECASE)
_WHOLE_YEAR = re.compile(r"(\d{4})(?:年(?:度|底|末|年底|年末)?)?")


def _whole_year(period: str | None) -> int | None:
    """The year of a period that is a whole year or its end (2023, 2023年末), not a part of one (2024-1~6)."""
    m = _WHOLE_YEAR.fullmatch(period or "")
    return int(m.group(1)) if m else None


def _expected_unit(metric: str) -> str | None:
    return next((units for pattern, units in _HEAD_UNITS if pattern.search(metric)), None)


class Scored(NamedTuple):
    """A fact as scored for a question: its score, whether it is compatible (cover), and the features behind it."""

    score: float
    fact: Fact
    cover: float
    features: Features


@dataclass(frozen=True, slots=True)
class AnswerFact:
    """A fact as a reply shows it (the JSON shape shared by the CLI and the HTTP API)."""

    id: int
    zone: str | None
    entity: str | None
    metric: str
    value: float | int
    unit: str
    qualifier: str
    period: str | None
    kind: str
    status: str
    quote: str
    doc: str
    article: str | None
    value_text: str
    score: float

    @classmethod
    def of(cls, f: Fact, score: float) -> AnswerFact:
        value = int(f.value) if float(f.value).is_integer() else f.value
        return cls(
            f.id, f.zone, f.entity, f.metric, value, f.unit, f.qualifier, f.period, f.kind, f.status,
            f.quote, f.doc, f.article, f.value_text, round(score, 3),
        )  # fmt: skip

    def as_json(self) -> dict[str, object]:
        d = asdict(self)
        d.pop("value_text")
        return d


@dataclass(frozen=True, slots=True)
class TableRow:
    """One line of a comparison (a zone's figure) or of a series (a year's): what every channel shows of it."""

    rank: int  # 1, 2, 3 …: its place in a ranking, its position in a series (oldest first)
    zone: str
    metric: str  # as the article names it (全社会研发投入强度), under the table's measure
    amount: str  # as a person says it: 超1700家, 近2.11亿元, 下降2.4%
    value: float | int
    unit: str
    period: str | None  # as stored (2021, 2021-1~9)
    period_text: str  # as said: 2021年, 2021年1-9月, 未注明时间
    year: int | None  # the year the period starts with (a series' x axis)
    verified: bool  # a person checked it (✅), else machine-extracted (⚠️)
    doc: str
    article: str | None
    url: str | None  # the article's address, when its metadata gives one
    fact: int  # the fact's id

    def as_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Table:
    """A comparison of zones on one measure, or one zone's measure over the years: built once, drawn by each channel
    in its own way (the page's table and chart, Block Kit, cards, Markdown tables, numbered lines)."""

    kind: str  # "ranking" | "series"
    title: str  # the reply's first line, as plain text: 各园区按“研发投入强度”比较(按数值排列,口径以原文为准)
    measure: str  # what is compared: the indicator's name (研发投入强度) or the metric asked for
    order: str  # "value" (largest first), "place" (first place first), "time" (oldest first)
    unit: str  # every row's unit
    rows: tuple[TableRow, ...]
    more: int = 0  # rows left out (a ranking shows TABLE_ROWS): "还有N个园区"
    zone: str | None = None  # a series' zone

    def links(self, limit: int = 5) -> list[tuple[str, str]]:
        """(article title, address) of the sources that have an address, each once, in the rows' order."""
        seen: dict[str, str] = {}
        for r in self.rows:
            if r.url and r.url not in seen and len(seen) < limit:
                seen[r.url] = r.article or r.doc
        return [(title, url) for url, title in seen.items()]

    def as_json(self) -> dict[str, object]:
        d = asdict(self)
        d["rows"] = [r.as_json() for r in self.rows]
        d["note"] = messages.more_rows(self) + messages.LEGEND  # the line under it: what was cut, what the marks mean
        return d


@dataclass(frozen=True, slots=True)
class Reply:
    status: str  # answered | ambiguous | unknown
    text: str
    markdown: str
    facts: tuple[AnswerFact, ...] = ()
    intent: str = "fact"
    rule: str = ""  # the decision rule that fired (RULES), for --explain
    # Numbered choices an "unknown" reply offers (rule maybe): a reply "1" in the same chat picks one. Not facts of
    # the reply — an unknown reply asserts no figure — so not in its JSON either; the text lists them.
    choices: tuple[AnswerFact, ...] = ()
    table: Table | None = None  # a comparison or a series, as data (the API's "table"; platforms draw it)

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "status": self.status,
            "text": self.text,
            "markdown": self.markdown,
            "facts": [f.as_json() for f in self.facts],
        }
        if self.table is not None:  # only comparisons and series carry one: other replies keep their shape
            out["table"] = self.table.as_json()
        return out


def _reply(status: str, texts: tuple[str, str], facts=(), intent: str = "fact", rule: str = "") -> Reply:
    return Reply(status, texts[0], texts[1], tuple(facts), intent, rule)


# The decision rules of a fact question, as `gaoxin ask --explain` names them.
RULES = {
    "answer": "the best compatible fact scores at least answer_min and no other fact is within tie of it",
    "tie": "another compatible fact (another metric or zone) scores within tie of the best: ask which",
    "zones": "no single zone named, and compatible facts of several zones score within alternative: ask which zone",
    "other_years": "no compatible fact over answer_min in the years asked; the figure exists for other years",
    "not_covered": "no compatible fact over answer_min for the zone; the nearest facts are offered",
    "no_metric": "no compatible fact over answer_min in any zone",
    "pick": "the chat replied with the number of one of the options it was just given",
    "lead": "nothing answers by the limits, but in the zone asked one fact of a fitting kind leads by lead_gap",
    "maybe": "nothing answers and no fitting fact of the zone leads: the fitting ones are offered as numbered choices",
}


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why the bot replied as it did: the question as parsed, the facts as scored (best first), the reply."""

    question: Question
    scored: tuple[Scored, ...]
    reply: Reply


class Bot:
    """The question-answering core: neutral text in, neutral reply out. No Flask, no SQL."""

    def __init__(
        self,
        store: Store,
        gazetteer: Gazetteer,
        *,
        verified_only: bool = False,
        normalizer: Normalizer | None = None,
        weights: Scoring | None = None,
    ) -> None:
        self.norm = normalizer or Normalizer()
        self.scoring = weights or scoring()  # config/weights.toml unless another is given (`gaoxin train` tries some)
        statuses = ("verified",) if verified_only else ("candidate", "verified")
        self.index = FactIndex(store, self.norm, statuses)
        self._base_parser = QuestionParser(gazetteer, self.norm)
        self.parser = self._base_parser.with_store_zones(self.index.zones)
        self.verified_only = verified_only
        # Replies by (question, store revision, verified only): in chat the same questions come back. Each entry is
        # [reply, its JSON once the API has asked for it]; both go when the entry goes. Emptied whenever the store's
        # revision changes, so an answer never outlives the facts behind it.
        self._replies: OrderedDict[tuple[str, int | None, bool], list] = OrderedDict()
        self._replies_lock = threading.Lock()
        # Numbered options a chat was just asked to choose from: chat → (expiry on the monotonic clock, options).
        # In memory, per worker: a reply "1" handled by another worker is read as a question (see README).
        self._options: OrderedDict[str, tuple[float, tuple[AnswerFact, ...]]] = OrderedDict()

    def use_store(self, store: Store, *, same_file: bool) -> None:
        """Answer from another connection: a forked worker's own (same file), or a replaced file (rebuilt)."""
        if same_file:
            self.index.store = store
            return
        with self._replies_lock:
            self.index.use_store(store)
            self._replies.clear()
            self._cached_revision = None
        self.refresh()

    def refresh(self) -> None:
        if self.index.ensure_fresh():
            self.parser = self._base_parser.with_store_zones(self.index.zones)

    # ── entry point ──────────────────────────────────────────────────────────────────────────
    def ask(self, text: str, chat: str | None = None) -> Reply:
        """The reply to a question; with a chat id, a reply "1"/"2"/"3" picks from the options that chat was given."""
        return self._chat_entry(text, chat)[0]

    def ask_json(self, text: str, chat: str | None = None) -> bytes:
        """The reply as the API sends it, encoded once per cached reply (repeated questions skip the encoding)."""
        entry = self._chat_entry(text, chat)
        if entry[1] is None:  # two threads may both encode a new reply: the same bytes either way
            entry[1] = json.dumps(entry[0].as_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return entry[1]

    def _chat_entry(self, text: str, chat: str | None) -> list:
        if chat is None:
            return self._entry(text)
        m = _PICK.fullmatch(text)
        pending = self._take_choices(chat)  # any message ends the choice (only the next one may pick)
        if m and pending:
            n = _PICK_NUMBER.get(m.group(1)) or int(m.group(1))
            if n <= len(pending):
                picked = pending[n - 1]
                return [_reply("answered", messages.answer(picked, ()), (picked,), rule="pick"), None]
        entry = self._entry(text)
        options = entry[0].facts if entry[0].status == "ambiguous" else entry[0].choices
        if options:
            self._offer_choices(chat, options)
        return entry

    # The options a chat was offered live in the store, shared by every worker (a "1" may reach another one);
    # where the store cannot be written (read-only file, locked for too long), in this worker's memory.
    def _offer_choices(self, chat: str, options: tuple[AnswerFact, ...]) -> None:
        try:
            self.index.store.offer_choices(chat, [(o.id, o.score) for o in options], PICK_TTL, PICK_CHATS)
            return
        except StoreError:
            pass
        with self._replies_lock:
            self._options[chat] = (time.monotonic() + PICK_TTL, options)
            while len(self._options) > PICK_CHATS:
                self._options.popitem(last=False)

    def _take_choices(self, chat: str) -> tuple[AnswerFact, ...]:
        with self._replies_lock:
            local = self._options.pop(chat, None)
        if local:
            return local[1] if local[0] > time.monotonic() else ()
        store = self.index.store
        try:
            if not store.has_choices(chat):
                return ()
            ids = store.take_choices(chat)
            by_id = {f.id: f for f in store.facts_by_ids([i for i, _ in ids])}
        except StoreError:
            return ()
        return tuple(AnswerFact.of(by_id[i], s) for i, s in ids if i in by_id)

    def _entry(self, text: str) -> list:
        """[reply, JSON or None] for a question: from the cache, or answered and cached."""
        if len(text) > MAX_QUESTION_CHARS:
            return [
                _reply("unknown", (messages.TOO_LONG.format(limit=MAX_QUESTION_CHARS),) * 2, intent="too_long"),
                None,
            ]
        self.refresh()
        key = (text, self.index.revision, self.verified_only)
        with self._replies_lock:
            if key[1] != self._cached_revision:
                self._replies.clear()
                self._cached_revision = key[1]
            entry = self._replies.get(key)
            if entry is not None:
                self._replies.move_to_end(key)
                return entry
        entry = [self._answer(text), None]
        with self._replies_lock:
            if key[1] == self._cached_revision:
                self._replies[key] = entry
                if len(self._replies) > REPLY_CACHE:
                    self._replies.popitem(last=False)
        return entry

    _cached_revision: int | None = None

    def explain(self, text: str, top: int = 5) -> Explanation:
        """The question as parsed, its best-scored candidate facts with their features, and the reply (uncached)."""
        self.refresh()
        q = self.parser.parse(text[:MAX_QUESTION_CHARS])
        scored: list[Scored] = []
        if q.intent == "fact" and q.metric:
            zones = [z for z in q.zones if z in self.index.zones] or None
            scored = self._apply_period(q, self._score(q, self._candidates(q, zones)))
        return Explanation(
            q, tuple(scored[:top]), self._answer(text) if len(text) <= MAX_QUESTION_CHARS else self.ask(text)
        )

    def _answer(self, text: str) -> Reply:
        q = self.parser.parse(text)
        if q.intent == "empty":
            return _reply("unknown", (messages.EMPTY, messages.EMPTY), intent="empty")
        if q.intent == "help":
            return _reply("answered", (messages.HELP, messages.HELP), intent="help")
        if q.unknown_zone or (q.zones and not any(z in self.index.zones for z in q.zones)):
            name = q.unknown_zone or q.zones[0]
            return _reply("unknown", messages.unknown_zone(name, q.metric, self._zones_with(q.metric)))
        if q.intent == "overview" or (q.zones and not q.metric):
            return self._overview(q)
        if not q.metric:
            return _reply("unknown", (messages.EMPTY, messages.EMPTY), intent="empty")
        if q.intent == "compare":
            return self._compare(q)
        if q.intent == "series":
            # with fewer than two years of it, the question is answered as if the trend word were not there
            return self._series(q) or self._fact(replace(q, intent="fact"))
        return self._fact(q)

    # ── one fact ─────────────────────────────────────────────────────────────────────────────
    def _fact(self, q: Question) -> Reply:
        zones = [z for z in q.zones if z in self.index.zones] or None
        scored = self._score(q, self._candidates(q, zones))
        scored = self._apply_period(q, scored)
        sc = self.scoring
        good = [(s, f) for s, f, cover, _ in scored if s >= sc.answer_min and cover >= sc.cover_min]
        # among the answers, what a person has checked comes before what a machine extracted
        # (but a checked fact of another name does not displace one named exactly as asked: 万人发明专利拥有量 is
        # not 发明专利拥有量, however sure we are of the latter)
        exact = {f.id for _, f in good if _named_as(q.metric, self.index.fact_text(f.metric))}
        good = [
            (s + sc.verified_edge if f.status == "verified" and (f.id in exact or not exact) else s, f) for s, f in good
        ]
        good.sort(key=lambda sf: -sf[0])
        if not good and zones and len(zones) == 1 and (reply := self._lead(q, scored, zones[0])):
            return reply
        if not good:
            nearest = [
                AnswerFact.of(f, s)
                for s, f, _, x in scored[:3]
                if s >= sc.nearest_min and not self._fits(q, x, f, zones)
            ]
            years = self._years_asked(q, scored)
            other_years = [n for n in nearest if zones and n.zone in zones and _year_of(n.period) not in (None, *years)]
            named = [n for n in other_years if _named_as(q.metric, self.index.fact_text(n.metric))]
            other_years = named or other_years  # the figure asked for in other years, not its growth beside it
            if years and other_years:
                return _reply(
                    "unknown",
                    messages.not_in_years(zones[0], q.metric, sorted(years), other_years),
                    rule="other_years",
                )
            if zones:
                return _reply(
                    "unknown",
                    messages.not_covered(zones[0], q.metric, nearest, self._zones_with(q.metric, exclude=zones)),
                    rule="not_covered",
                )
            return _reply("unknown", messages.no_metric(q.metric, nearest), rule="no_metric")
        if not zones or len(zones) > 1:
            # No zone named, or a name that means several (Fuzhou: 福州 or 抚州), and more than one zone answers about
            # as well: ask which, rather than pass one zone's figure off as the answer.
            # (Scores before the verified edge: that a fact is checked says nothing of which zone was meant.)
            by_zone: dict[str | None, tuple[float, Fact]] = {}
            for s, f, cover, _ in scored:
                if s >= sc.answer_min and cover >= sc.cover_min:
                    by_zone.setdefault(f.zone, (s, f))
            options = sorted(by_zone.values(), key=lambda sf: -sf[0])[:3]
            if len(options) > 1 and options[0][0] - options[1][0] < sc.alternative:
                return _reply("ambiguous", messages.ambiguous([f for _, f in options]),
                              [AnswerFact.of(f, s) for s, f in options], rule="zones")  # fmt: skip
        best_score, best = good[0]
        rivals = [(s, f) for s, f in good[1:] if (f.metric, f.value, f.zone) != (best.metric, best.value, best.zone)]
        if (
            rivals
            and best_score - rivals[0][0] < sc.tie
            and (rivals[0][1].metric != best.metric or rivals[0][1].zone != best.zone)
        ):
            options = [best] + [f for _, f in rivals[:2]]
            return _reply(
                "ambiguous",
                messages.ambiguous(options),
                [AnswerFact.of(f, s) for s, f in [good[0], *rivals[:2]]],
                rule="tie",
            )
        alternatives = [(s, f) for s, f in rivals if best_score - s <= sc.alternative][:2]
        shown = [AnswerFact.of(best, best_score)] + [AnswerFact.of(f, s) for s, f in alternatives]
        # say how the question was read when the fact names its metric otherwise (进出口宗额 → 进出口总额)
        read_as = None if _named_as(q.metric, self.index.fact_text(best.metric)) else q.metric
        return _reply("answered", messages.answer(shown[0], shown[1:], read_as), shown, rule="answer")

    def _fits(self, q: Question, x: Features, f: Fact, zones: list[str] | None) -> bool:
        """A fact of the zone asked, of a kind that fits the question (no conflict: a growth for a level…) and, when
        the question names a standard indicator, of that indicator."""
        return (
            bool(zones)
            and f.zone in zones
            and not any(x.get(n) for n in self.scoring.conflicts)
            and (not q.indicator or bool(x.get("indicator_same")))
        )

    def _lead(self, q: Question, scored: list[Scored], zone: str) -> Reply | None:
        """When nothing answers by the limits but one zone is asked: its facts of a fitting kind, alone. One that
        leads is the answer (saying how the question was read); several that fit and none leading are offered as
        numbered choices — not listed as "nearest" under "not mentioned", since one of them may well be the answer."""
        sc = self.scoring
        fitting: list[Scored] = []
        for s in scored:
            if self._fits(q, s.features, s.fact, [zone]) and all(
                (o.fact.value, o.fact.unit) != (s.fact.value, s.fact.unit) for o in fitting
            ):
                fitting.append(s)  # (one figure stated twice is one candidate)
        if not fitting:
            return None

        def enough(s: Scored) -> bool:  # a rank asked for and given is evidence enough (a zone has few ranks)
            return s.score >= sc.lead_min or bool(s.features.get("rank_given"))

        best = fitting[0]
        if enough(best) and (len(fitting) == 1 or best.score - fitting[1].score >= sc.lead_gap):
            shown = AnswerFact.of(best.fact, best.score)
            return _reply("answered", messages.answer(shown, (), read_as=q.metric), (shown,), rule="lead")
        options = [
            AnswerFact.of(s.fact, s.score)
            for s in fitting[:3]
            if s.score >= sc.nearest_min or s.features.get("rank_given")
        ]
        if not options:
            return None
        texts = messages.maybe(zone, q.metric, options)
        return Reply("unknown", texts[0], texts[1], (), "fact", "maybe", tuple(options))

    def _candidates(self, q: Question, zones: list[str] | None) -> list[Fact]:
        if zones and sum(self.index.zone_size(z) for z in zones) <= SMALL_ZONE:
            return [f for z in zones for f in self.index.zone_facts(z)]
        pairs = self.index.metric_candidates(grams(q.metric), zones)
        return self.index.facts_for(pairs)

    def _score(self, q: Question, facts: list[Fact]) -> list[Scored]:
        """The facts scored for the question, best first."""
        qg = grams(q.metric)
        if not qg:
            return []
        # A bigram of two Chinese characters is among a text's grams exactly when it occurs in the folded text:
        # quotes, sentences and titles (fresh for each fact) are searched, not split into bigrams.
        han = frozenset(g for g in qg if len(g) == 2 and _HAN2.fullmatch(g))
        other = qg - han
        fact_text, text_grams = self.index.fact_text, self.index.text_grams

        def shared(raw: str | None, folded: str | None = None) -> frozenset[str]:
            if folded is None:
                folded = fact_text(raw)
            found = frozenset(g for g in han if g in folded)
            return found | (other & text_grams(raw)) if other and folded else found

        # What depends on the question alone, worked out once rather than for every fact.
        asks_share = bool(_ASKS_SHARE.search(q.metric))
        asks_target = bool(_ASKS_TARGET.search(q.metric))
        asks_newcomers = any(w in q.metric for w in _V.growth.newcomers_in_questions)
        asks_growth = bool(_ASKS_GROWTH.search(q.metric))  # 增长, 增速, 净增… as the facts' own kind says it
        expected = _expected_unit(q.metric) or ("元" if q.unit_hint == "元" else None)  # 扶持了多少钱
        markers = [m for m in _PART_MARKERS if m not in q.metric]
        head_sound = _sound(q.metric[-2:]) if len(q.metric) >= 4 else None
        asked_ordinals = _ordinals(q.metric)
        per_unit = [m for m in _PER_UNIT if m not in q.metric]
        # What depends on the metric and entity alone: facts of one metric (several years, several quotes) share it.
        by_metric: dict[tuple[str, str | None], tuple] = {}
        weights, cover_min = self.scoring.weights, self.scoring.cover_min

        def metric_terms(f: Fact) -> tuple:
            metric = fact_text(f.metric)
            entity = fact_text(f.entity)
            gm = text_grams(f.metric)
            in_me = qg & (gm | text_grams(f.entity))
            core = metric.removesuffix("数量")  # 数量 is ours, not the article's
            core_grams = gm if core == metric else grams(core)
            spec = len(qg & core_grams) / max(1, len(core_grams))
            scorer = fuzz.partial_ratio if len(metric) * 2 >= len(q.metric) else fuzz.ratio
            fuzzy = scorer(q.metric, metric) / 100 if metric else 0.0
            parts = sum(1 for m in markers if m in metric)
            per_head = any(m in metric for m in per_unit)
            return metric, entity, core, in_me, core_grams, spec, fuzzy, parts, per_head, _named_as(q.metric, metric)

        out = []
        for f in facts:
            key = (f.metric, f.entity)
            terms = by_metric.get(key)
            if terms is None:
                terms = by_metric[key] = metric_terms(f)
            metric, entity, core, in_me, core_grams, spec, fuzzy, parts, per_head, named = terms
            quote = fact_text(f.quote)
            in_meq = in_me | shared(f.quote, quote)
            cover_m = len(in_me) / len(qg)
            strict = len(in_meq) / len(qg)
            loose = 0.0  # the sentence around it counts, a little less (only worth reading when it could count)
            if strict < 1:
                loose = len(in_meq | shared(f.context) | shared(f.article)) / len(qg)
            cover = max(strict, 0.9 * loose, fuzzy if fuzzy >= 0.8 and len(q.metric) >= 4 else 0.0)
            counted = (  # 多少家企业 ↔ 企业数量
                bool(core_grams) and core_grams <= qg and q.unit_hint is not None and f.unit.endswith(q.unit_hint)
            )
            if cover_m < 0.25 and fuzzy < 0.7 and not counted:
                cover = min(cover, cover_min - 0.01)  # the metric itself must share something with the question
            if per_head:
                cover = min(cover, cover_min - 0.01)  # 人均GDP 2万美元 is no answer to GDP
            x: dict[str, float] = {
                "bias": 1.0,
                "cover": cover,
                "cover_metric": cover_m,
                "specific": spec,
                "fuzzy": fuzzy,
            }
            if q.zones and named:
                # its very name, within a zone: 出口总额 is not 进出口总额, though the one holds the other
                # (across zones, naming nuances must not pick one zone over another)
                x["named_in_zone"] = 1
            if q.metric in quote:
                x["said_in_quote"] = 1  # said in so many words
            elif q.metric in metric + entity:
                x["said_in_metric"] = 1
            if len(q.metric) >= 2 and len(core) >= 2 and (q.metric[-2:] in core[-6:] or q.metric.endswith(core[-2:])):
                x["head_form"] = 1  # the head noun (the last word) is what is measured: 产业基金总投资 asks for 投资
            elif len(q.metric) >= 4 and q.metric[-2:] not in metric + quote + fact_text(f.context):
                if len(core) >= 2 and _sound(core[-2:]) == head_sound:
                    x["head_sound"] = 1  # 进出口宗额: the head typed by sound (zong'e), 总额 meant
                else:
                    x["head_missing"] = 1  # the thing asked for is not what this fact measures
            if f.kind == "share" and not asks_share:
                x["share_unasked"] = 1
            if f.kind == "target" and not asks_target:
                x["target_unasked"] = 1  # a plan is not a result, unless asked for
            elif asks_target and f.kind != "target" and not _ASKS_TARGET.search(metric + quote):
                x["target_missing"] = 1  # and a result is not the plan asked for (营业总收入目标 is not this year's)
            if expected and re.search(expected, f.unit):
                x["unit_family_match"] = 1
            elif expected:
                x["unit_family_other"] = 1
                if expected == "元" and not (asks_share or asks_growth or q.unit_hint not in (None, "元")):
                    # 营收 asks for an amount: a count of companies (营收超亿元企业156家), a share of it or its
                    # growth is another thing, however well its words match
                    cover = min(cover, cover_min - 0.01)
            if asked_ordinals and (given := _ordinals(metric)) and given != asked_ordinals:
                x["ordinal_other"] = 1  # 第一产业增加值 is not 第二产业增加值, however alike their words
                cover = min(cover, cover_min - 0.01)
            if q.unit_hint and f.unit.endswith(q.unit_hint):
                x["unit_hint_match"] = 1  # 有多少家 wants a count of 家
            elif q.unit_hint:
                x["unit_hint_other"] = 1
            x["part_markers"] = min(float(parts), PART_CAP)
            if f.kind == "growth" and not asks_growth:
                x["growth_unasked"] = 1
            elif asks_growth and f.kind != "growth" and not _ASKS_GROWTH.search(metric + quote):
                x["growth_missing"] = 1  # 净增高企 asks for a flow: a stock (高企存量2931家) is not what it measures
            if asks_newcomers and f.unit in ("%", "个百分点") and not asks_share:
                x["rate_for_newcomers"] = 1  # 净增高企 counts newcomers: a growth rate (增长2.91%) is not one
            if q.wants_rank:
                x["rank_given" if f.kind == "rank" else "rank_missing"] = 1
            if f.status == "verified":
                x["verified"] = 1
            if entity and entity in q.metric:
                x["entity_asked"] = 1
            if q.indicator and f.indicator:
                x["indicator_same" if f.indicator == q.indicator else "indicator_other"] = 1
            features = Features(x)  # (cover as scored: a cap below only makes the fact incompatible)
            score = features.score(weights)
            out.append(Scored(score, f, cover, features))
        # ties: the total over the part (394项 over 306项), then the earlier statement
        out.sort(
            key=lambda t: (
                -round(t[0], 3),
                -t[1].value if t[1].unit in _V.total_units or t[1].unit.endswith(_V.total_unit_endings) else 0,
                t[1].id,
            )
        )
        return out

    def _years_asked(self, q: Question, scored: list[Scored]) -> set[int]:
        """The years a question asks for: as written, or 今年/去年/前年 counted back from the latest figures known (the
        latest full year's, unless the word takes part of a year: 今年 is also 今年上半年)."""
        if q.relative and scored:
            back, partial = _V.asked_years[q.relative]
            # the figures asked about: compatible ones (of that zone and metric), else the best-scored
            fitting = [s for s in scored if s.cover >= self.scoring.cover_min] or scored[:8]
            plans = bool(_ASKS_TARGET.search(q.metric))  # 今年的目标: this year's plan, not last year's result
            results = [f.period for _, f, _, _ in fitting[:8] if (f.kind == "target") == plans and f.period]
            known = [y for p in results if (y := _year_of(p)) and (partial or p.isdigit())]
            known = known or [y for p in results if (y := _year_of(p))]
            if known:
                return {max(known) - back}
        return set(q.years)

    def _apply_period(self, q: Question, scored: list[Scored]) -> list[Scored]:
        years = self._years_asked(q, scored)
        if not years and not q.months:
            return scored
        weights, cover_min = self.scoring.weights, self.scoring.cover_min
        out = []
        for s, f, cover, x in scored:
            names = []
            if years:
                year = _year_of(f.period)
                if year in years:
                    names.append("year_match")
                elif year:
                    names.append("year_other")  # another year's figure is no answer to this year's question
                    cover = min(cover, cover_min - 0.01)
                else:
                    names.append("year_unknown")
            if q.months:  # 上半年 asks for 2024-1~6, not the whole year nor the first quarter
                names.append("part_match" if _months_of(f.period) == q.months else "part_other")
            extra = sum(weights.get(n, 0.0) for n in names)
            out.append(Scored(s + extra, f, cover, x.with_values(**dict.fromkeys(names, 1.0))))
        out.sort(key=lambda t: -t[0])
        return out

    # ── other intents ────────────────────────────────────────────────────────────────────────
    def _overview(self, q: Question) -> Reply:
        zone = next(z for z in q.zones if z in self.index.zones)
        facts = sorted(self.index.zone_facts(zone), key=lambda f: (f.status != "verified", -(f.confidence or 0), f.id))
        shown = [AnswerFact.of(f, 1.0) for f in facts[:15]]
        return _reply("answered", messages.overview(zone, shown, len(facts)), shown, intent="overview")

    def _compare(self, q: Question) -> Reply:
        if q.indicator and (reply := self._compare_indicator(q, q.indicator)):
            return reply
        # stage 1: the few metric names nearest the question; stage 2: their largest values, in any zone
        scored = self._score(q, self.index.top_facts(self.index.best_metrics(grams(q.metric), limit=8)))
        best_by_zone: dict[str, tuple[float, Fact]] = {}
        sc = self.scoring
        for s, f, cover, _ in scored:
            if not _comparable(f, q.metric):
                continue  # not like with like: a company's figure, or a flow or plan among levels (or the reverse)
            if q.indicator and f.indicator and f.indicator != q.indicator:
                continue  # known to be another indicator: 进出口总额 is no answer to 出口总额
            if s >= sc.answer_min and cover >= sc.cover_min and f.zone not in best_by_zone:
                best_by_zone[f.zone] = (s, f)
        if not best_by_zone:
            return _reply("unknown", messages.no_metric(q.metric, []), intent="compare")
        unit = Counter(f.unit for _, f in best_by_zone.values()).most_common(1)[0][0]
        ranked = sorted((sf for sf in best_by_zone.values() if sf[1].unit == unit), key=lambda sf: -sf[1].value)
        return self._table_reply("ranking", q.metric, "value", ranked)

    def _compare_indicator(self, q: Question, code: str) -> Reply | None:
        """Zones compared on the one indicator the question names (全社会研发投入强度 and 研发投入强度 alike, never
        企业研发投入占GDP比重), each zone's best-matching figure of the kind asked for; None when no zone has one."""
        indicator = indicators().by_code(code)
        if indicator is None:
            return None
        kinds = _kinds_compared(q.metric, indicator.family)
        best_by_zone: dict[str, tuple[float, Fact]] = {}
        for s, f, _, _ in self._score(q, self.index.indicator_facts(code)):
            if f.indicator == code and f.kind in kinds and _comparable(f, q.metric) and f.zone not in best_by_zone:
                best_by_zone[f.zone] = (s, f)
        if not best_by_zone:
            return None
        unit = Counter(f.unit for _, f in best_by_zone.values()).most_common(1)[0][0]
        by_rank = indicator.family == "rank"
        ranked = sorted(
            (sf for sf in best_by_zone.values() if sf[1].unit == unit),
            key=lambda sf: sf[1].value if by_rank else -sf[1].value,
        )
        variant = next(iter(kinds)) if len(kinds) == 1 and indicator.family != "rank" else None
        measure = indicator.name + messages.VARIANT_NAMES.get(variant or "", "")
        return self._table_reply("ranking", measure, "place" if by_rank else "value", ranked)

    def _series(self, q: Question) -> Reply | None:
        """One zone's figure over the years (苏州工业园区 地区生产总值 历年): the fact the question is answered with, and
        the same measure in the zone's other years — same indicator (else the same metric name), kind, unit and entity,
        a whole year each, the best-scored one per year, oldest first. None when fewer than two years have it (the
        question is then answered as a plain one)."""
        zones = [z for z in q.zones if z in self.index.zones]
        if len(zones) != 1:
            return None
        sc = self.scoring
        scored = [
            (s, f) for s, f, cover, _ in self._score(q, self._candidates(q, zones))
            if f.zone == zones[0] and cover >= sc.cover_min
        ]  # fmt: skip
        if not scored or scored[0][0] < sc.answer_min:
            return None
        best = scored[0][1]
        fact_text = self.index.fact_text

        def measure(f: Fact) -> tuple:
            name = f.indicator or fact_text(f.metric).removesuffix("数量")
            parts = frozenset(m for m in _PART_MARKERS if m in f.metric)  # 新增高企 is not the stock of 高企
            return name, f.kind, f.unit, f.entity, parts

        wanted = measure(best)
        by_year: dict[int, tuple[float, Fact]] = {}
        for s, f in scored:
            year = _whole_year(f.period)
            if year is not None and year not in by_year and measure(f) == wanted:
                by_year[year] = (s, f)
        if len(by_year) < 2:
            return None
        indicator = indicators().by_code(best.indicator) if best.indicator else None
        if indicator is None:
            name = best.metric  # its own name says what it is (营业收入同比增长)
        else:  # the indicator, and the variant its facts are (地区生产总值增长), as a comparison names it
            plain = indicator.family == "rank" or (indicator.family == "share" and best.kind in ("level", "share"))
            name = indicator.name + ("" if plain else messages.VARIANT_NAMES.get(best.kind, ""))
        return self._table_reply("series", name, "time", [by_year[y] for y in sorted(by_year)], zone=zones[0])

    def _table_reply(
        self, kind: str, measure: str, order: str, ranked: list[tuple[float, Fact]], zone: str | None = None
    ) -> Reply:
        """A comparison or series as a Table (TABLE_ROWS rows of a ranking, the last SERIES_ROWS years of a series)
        and the reply that says it; its facts are the rows' facts, in the same order."""
        shown = ranked[-SERIES_ROWS:] if kind == "series" else ranked[:TABLE_ROWS]
        # a source's address, only a web one (metadata might hold anything: javascript:, file:)
        urls = {doc: url for doc, url in self.index.store.document_urls({f.doc for _, f in shown}).items()
                if _WEB_ADDRESS.match(url)}  # fmt: skip
        rows = tuple(
            TableRow(
                i, f.zone or "", f.metric, messages.amount(f), int(f.value) if float(f.value).is_integer() else f.value,
                f.unit, f.period, messages.period(f), _year_of(f.period), f.status == "verified", f.doc, f.article,
                urls.get(f.doc), f.id,
            )
            for i, (_, f) in enumerate(shown, 1)
        )  # fmt: skip
        title = messages.table_title(kind, measure, order, zone)
        table = Table(kind, title, measure, order, shown[0][1].unit, rows, len(ranked) - len(shown), zone)
        facts = [AnswerFact.of(f, s) for s, f in shown]
        return Reply("answered", *messages.table(table), tuple(facts), "compare" if kind == "ranking" else "series",
                     table=table)  # fmt: skip

    def _zones_with(self, metric: str, exclude: list[str] | None = None) -> list[str]:
        if not metric:
            return sorted(self.index.zones)[:5]
        zones = []
        sc = self.scoring
        for s, f, cover, _ in self._score(Question("", "fact", (), None, None, metric, (), None, False),
                                       self.index.facts_for(self.index.metric_candidates(grams(metric), None, limit=20, max_facts=20))):  # fmt: skip
            if s >= sc.answer_min and cover >= sc.cover_min and f.zone not in zones and f.zone not in (exclude or []):
                zones.append(f.zone)
        return zones

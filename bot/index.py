"""An in-memory index over the store's answerable facts, by zone and by metric vocabulary.

Holds only the distinct (metric, entity) texts, their character bigrams, and which zones have
them — small even for a million facts. Facts themselves stay in SQLite and are fetched for the
few finalists of a question. Rebuilt when the store's revision changes.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from store import Fact, Store

from .normalize import Normalizer, grams

SMALL_ZONE = 60  # a zone with this many facts or fewer is scored fact by fact, quotes included
MAX_FACTS = 40  # at most this many facts are fetched and scored for a question (bigger zones, no zone)


@dataclass(frozen=True, slots=True)
class KeyText:
    """A distinct metric (with its entity) as the store has it, folded for matching."""

    metric: str
    entity: str | None
    text: str
    grams: frozenset[str]


class FactIndex:
    def __init__(
        self, store: Store, normalizer: Normalizer, statuses: tuple[str, ...] = ("candidate", "verified")
    ) -> None:
        self.store = store
        self.norm = normalizer
        self.statuses = statuses
        self._lock = threading.Lock()
        self._revision: int | None = None
        self.fact_text = lru_cache(maxsize=20_000)(normalizer.fact_text)
        self.text_grams = lru_cache(maxsize=20_000)(self._text_grams)
        self._build()

    # ── building ─────────────────────────────────────────────────────────────────────────────
    def use_store(self, store: Store) -> None:
        """Read from another connection; rebuilt from it at the next question (its file may hold other facts)."""
        self.store = store
        self._revision = None

    def ensure_fresh(self) -> bool:
        """Rebuild when the store changed since the last build; True when it did."""
        revision = self.store.revision()
        if revision == self._revision:
            return False
        with self._lock:
            if revision != self._revision:
                self._build()
        return True

    def _build(self) -> None:
        revision = self.store.revision()
        for term, canonical in self.store.learned_synonyms().items():
            self.norm.learn(term, canonical)  # the words annotators use become the bot's words
        ids: dict[tuple[str, str | None], int] = {}
        texts: list[KeyText] = []
        postings: dict[str, list[int]] = {}
        zone_texts: dict[str, dict[int, int]] = {}
        zone_sizes: Counter[str] = Counter()
        metric_zones: dict[str, dict[str, int]] = {}  # metric name → zone → facts (any entity)
        for key in self.store.metric_keys(self.statuses):
            ref = (sys.intern(key.metric), sys.intern(key.entity) if key.entity else None)
            tid = ids.get(ref)
            if tid is None:
                tid = ids[ref] = len(texts)
                text = self.norm.fact_text(key.metric) + self.norm.fact_text(key.entity)
                g = frozenset(map(sys.intern, grams(text)))  # one copy of each bigram: halves the index at 1M facts
                texts.append(KeyText(ref[0], ref[1], text, g))
                for gram in g:
                    postings.setdefault(gram, []).append(tid)
            zone = sys.intern(key.zone)
            by_zone = metric_zones.setdefault(ref[0], {})
            by_zone[zone] = by_zone.get(zone, 0) + key.facts
            zone_texts.setdefault(zone, {})[tid] = zone_texts.get(zone, {}).get(tid, 0) + key.facts
            zone_sizes[zone] += key.facts
        top: dict[str, list[int]] = {}
        for metric, fact_id in self.store.top_fact_ids_by_metric(self.statuses, MAX_FACTS):
            top.setdefault(sys.intern(metric), []).append(fact_id)
        self._texts, self._postings, self._zone_texts, self._zone_sizes = texts, postings, zone_texts, zone_sizes
        self._top = top
        self._metric_zones = metric_zones
        self._metric_grams = {m: grams(self.norm.fact_text(m)) for m in metric_zones}
        self._revision = revision
        self.fact_text.cache_clear()
        self.text_grams.cache_clear()

    def _text_grams(self, text: str | None) -> frozenset[str]:
        """The bigrams of a fact's folded text (metric, entity, quote, context or article), cached."""
        return grams(self.fact_text(text))

    # ── reading ──────────────────────────────────────────────────────────────────────────────
    @property
    def revision(self) -> int | None:
        """The store revision the index was built from."""
        return self._revision

    @property
    def zones(self) -> set[str]:
        return set(self._zone_texts)

    def zone_size(self, zone: str) -> int:
        return self._zone_sizes.get(zone, 0)

    def metric_candidates(
        self, query_grams: frozenset[str], zones: list[str] | None, limit: int = 12, max_facts: int | None = MAX_FACTS
    ) -> list[tuple[str, str]]:
        """(zone, metric) pairs whose metric text shares the most bigrams with the question, best first.

        Stops adding pairs once they hold `max_facts` facts (the first pair is always in): what is
        fetched from the store and scored stays small however many zones have a metric.
        """
        if zones is None:
            return self._any_zone_candidates(query_grams, limit, max_facts)
        walk = sum(len(self._postings.get(gram, ())) for gram in query_grams)
        if zones is not None and sum(len(self._zone_texts.get(z, {})) for z in zones) < walk:
            hits = self._zone_hits(query_grams, zones)
        else:
            hits = Counter()
            for gram in query_grams:
                for tid in self._postings.get(gram, ()):
                    hits[tid] += 1
            if zones is not None:
                allowed = [self._zone_texts.get(z, {}) for z in zones]
                hits = Counter({tid: n for tid, n in hits.items() if any(tid in a for a in allowed)})
        ranked = sorted(
            hits.items(),
            key=lambda kv: (-kv[1] / max(1, len(query_grams)), -kv[1] / max(1, len(self._texts[kv[0]].grams))),
        )
        out: list[tuple[str, str]] = []
        facts = 0
        for tid, _ in ranked[:limit]:
            text = self._texts[tid]
            for zone in zones if zones is not None else self._zones_with(tid):
                n = self._zone_texts.get(zone, {}).get(tid)
                if n:
                    if max_facts is not None and out and facts + n > max_facts:
                        return out
                    out.append((zone, text.metric))
                    facts += n
        return out

    def best_metrics(self, query_grams: frozenset[str], limit: int = 3) -> list[str]:
        """The distinct metric names that share the most bigrams with the question (stage 1: a few hundred names,
        not every metric and entity text, so a million facts cost no more than a thousand)."""
        ranked = []
        for metric, g in self._metric_grams.items():
            shared = len(query_grams & g)
            if shared:
                ranked.append((-shared / max(1, len(query_grams)), -shared / max(1, len(g)), metric))
        ranked.sort()
        return [metric for *_, metric in ranked[:limit]]

    def _any_zone_candidates(
        self, query_grams: frozenset[str], limit: int, max_facts: int | None
    ) -> list[tuple[str, str]]:
        """(zone, metric) pairs for a question that names no zone: the best metric names, in the zones that have them."""
        out: list[tuple[str, str]] = []
        facts = 0
        for metric in self.best_metrics(query_grams, limit):
            for zone, n in self._metric_zones[metric].items():
                if max_facts is not None and out and facts + n > max_facts:
                    return out
                out.append((zone, metric))
                facts += n
        return out

    def _zone_hits(self, query_grams: frozenset[str], zones: list[str]) -> dict[int, int]:
        """The same counts as walking the postings, from the zones' own texts (far fewer in a big store).

        Ordered as the walk would first meet them (by the first query bigram they share, then by id),
        so that ties rank exactly as before.
        """
        position = {gram: i for i, gram in enumerate(query_grams)}
        found: list[tuple[int, int, int]] = []
        seen: set[int] = set()
        for zone in zones:
            for tid in self._zone_texts.get(zone, {}):
                if tid in seen:
                    continue
                seen.add(tid)
                shared = query_grams & self._texts[tid].grams
                if shared:
                    found.append((min(position[gram] for gram in shared), tid, len(shared)))
        found.sort()
        return {tid: n for _, tid, n in found}

    def _zones_with(self, tid: int) -> Iterator[str]:
        return (z for z, t in self._zone_texts.items() if tid in t)

    def facts_for(self, pairs: list[tuple[str, str]]) -> list[Fact]:
        return self.store.facts_for_keys(pairs, self.statuses)

    def top_facts(self, metrics: list[str], limit: int = MAX_FACTS) -> list[Fact]:
        """The facts of some metrics with the largest values, in any zone (for comparisons)."""
        lists = [self._top.get(metric, []) for metric in metrics]
        ids: list[int] = []
        for rank in range(limit):  # round robin: each metric's largest first, at most `limit` in all
            ids += [top[rank] for top in lists if rank < len(top)]
            if len(ids) >= limit:
                break
        return self.store.facts_by_ids(ids[:limit])

    def indicator_facts(self, code: str) -> list[Fact]:
        """The facts of one indicator in every zone (for comparisons that name one)."""
        return self.store.facts_for_indicator(code, self.statuses)

    def zone_facts(self, zone: str) -> list[Fact]:
        return self.store.facts_for_zone(zone, self.statuses)

"""An in-memory index over the store's answerable facts, by zone and by metric vocabulary.

Holds only the distinct (metric, entity) texts, their character bigrams, and which zones have
them — small even for a million facts. Facts themselves stay in SQLite and are fetched for the
few finalists of a question. Rebuilt when the store's revision changes.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from store import Fact, Store

from .normalize import Normalizer, grams

SMALL_ZONE = 300  # a zone with this many facts or fewer is scored fact by fact, quotes included


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
        self.fact_text = lru_cache(maxsize=50_000)(normalizer.fact_text)
        self._build()

    # ── building ─────────────────────────────────────────────────────────────────────────────
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
            zone_texts.setdefault(zone, {})[tid] = zone_texts.get(zone, {}).get(tid, 0) + key.facts
            zone_sizes[zone] += key.facts
        self._texts, self._postings, self._zone_texts, self._zone_sizes = texts, postings, zone_texts, zone_sizes
        self._revision = revision
        self.fact_text.cache_clear()

    # ── reading ──────────────────────────────────────────────────────────────────────────────
    @property
    def zones(self) -> set[str]:
        return set(self._zone_texts)

    def zone_size(self, zone: str) -> int:
        return self._zone_sizes.get(zone, 0)

    def metric_candidates(
        self, query_grams: frozenset[str], zones: list[str] | None, limit: int = 12
    ) -> list[tuple[str, str]]:
        """(zone, metric) pairs whose metric text shares the most bigrams with the question."""
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
        for tid, _ in ranked[:limit]:
            text = self._texts[tid]
            for zone in zones if zones is not None else self._zones_with(tid):
                if tid in self._zone_texts.get(zone, {}):
                    out.append((zone, text.metric))
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

    def _zones_with(self, tid: int) -> list[str]:
        return [z for z, t in self._zone_texts.items() if tid in t]

    def facts_for(self, pairs: list[tuple[str, str]]) -> list[Fact]:
        return self.store.facts_for_keys(pairs, self.statuses)

    def zone_facts(self, zone: str) -> list[Fact]:
        return self.store.facts_for_zone(zone, self.statuses)

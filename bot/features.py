"""The named features of a (question, fact) pair, and how a weights file turns them into a score.

A feature is a number (most are 0 or 1) that says one thing about how a fact fits a question: how much of the
question its metric covers, whether its head word is the one asked for, whether its kind, unit or year is the one
asked for. The weights (config/weights.toml, fitted by `gaoxin train`) say how much each counts. Pure: no SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# In the order they are summed (the order the hand-set scorer added them in), each with what it says.
FEATURES: dict[str, str] = {
    "bias": "1 for every pair",
    "cover": "share of the question's bigrams in the fact's metric, entity, quote (or, a little less, sentence)",
    "cover_metric": "share of the question's bigrams in the fact's metric and entity alone",
    "specific": "share of the fact's metric bigrams that the question has",
    "fuzzy": "rapidfuzz similarity of the question's metric and the fact's",
    "named_in_zone": "the fact's metric is the very name asked for, and a zone was named",
    "said_in_quote": "the metric asked for is written in the fact's sentence",
    "said_in_metric": "the metric asked for is in the fact's metric or entity (not its sentence)",
    "head_form": "the question's head word (its last two characters) is the fact's",
    "head_sound": "the fact's head word sounds like the question's (宗额 for 总额)",
    "head_missing": "the question's head word is nowhere in the fact",
    "share_unasked": "a share given where none was asked for",
    "target_unasked": "a plan given where a result was asked for",
    "target_missing": "a result given where a plan was asked for",
    "unit_family_match": "the unit is of the family the question's head word is measured in",
    "unit_family_other": "the unit is of another family than the one the head word is measured in",
    "unit_hint_match": "the unit is the one asked for (有多少家 → 家)",
    "unit_hint_other": "a unit was asked for (有多少家) and the fact gives another (亿元)",
    "ordinal_other": "the question and the fact's metric number their thing differently (第一产业, 第二产业)",
    "part_markers": "words that make the fact's metric a part or a derived figure (capped at 2.86)",
    "growth_unasked": "a growth given where a level was asked for",
    "growth_missing": "a level given where a flow (增长, 净增) was asked for",
    "rate_for_newcomers": "a rate given where a count of newcomers was asked for",
    "rank_given": "a rank given where a rank was asked for",
    "rank_missing": "something else given where a rank was asked for",
    "verified": "a person has checked the fact",
    "entity_asked": "the fact's entity (a company) is named in the question",
    "indicator_same": "the question and the fact name the same standard indicator",
    "indicator_other": "the question and the fact name different standard indicators",
    "year_match": "the fact's year is the one asked for",
    "year_other": "the fact's year is another than the one asked for",
    "year_unknown": "a year was asked for and the fact has none",
    "part_match": "the fact covers the part of the year asked for (上半年: 2024-1~6)",
    "part_other": "a part of the year was asked for and the fact covers another (or the whole year)",
}
NAMES: tuple[str, ...] = tuple(FEATURES)
PERIOD = ("year_match", "year_other", "year_unknown", "part_match", "part_other")
PART_CAP = 0.2 / 0.07  # the hand-set scorer took off at most 0.2 for part markers, 0.07 each


@dataclass(frozen=True, slots=True)
class Features:
    """A pair's feature values by name (the ones not given are 0)."""

    values: Mapping[str, float]

    def get(self, name: str) -> float:
        return self.values.get(name, 0.0)

    def vector(self) -> list[float]:
        return [self.values.get(n, 0.0) for n in NAMES]

    def score(self, weights: Mapping[str, float]) -> float:
        """Σ weight × value, summed in the order of NAMES (so that hand-set weights give their old scores)."""
        s = 0.0
        for name in NAMES:
            x = self.values.get(name)
            if x:
                s += weights.get(name, 0.0) * x
        return s

    def contributions(self, weights: Mapping[str, float]) -> list[tuple[str, float, float]]:
        """(name, value, weight × value) of the features that count, largest contribution first."""
        out = [(n, x, weights.get(n, 0.0) * x) for n in NAMES if (x := self.values.get(n)) and weights.get(n)]
        return sorted(out, key=lambda t: -abs(t[2]))

    def with_values(self, **extra: float) -> Features:
        return Features({**self.values, **extra})

"""Folding text for matching: width, case, punctuation, traditional characters, and synonyms.

The same `Normalizer` rewrites questions and facts, so 高企 meets 高新技术企业 and 大連 meets 大连.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import opencc

from annotate.vocab import read_config

_PUNCT = re.compile(r"[\s\u3000,.;:!?，。；：！？、·…—\-–~～'\"“”‘’()（）\[\]【】《》<>〈〉「」『』/\\|]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufe0f\ufeff]")
# Emoji and other pictographs (👀 📈 ✅ ▪): they carry no words. Ranges of Unicode's symbol blocks.
_SYMBOLS = re.compile(r"[\u2190-\u21ff\u2300-\u23ff\u25a0-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]+")


@dataclass
class Vocabulary:
    """Synonym groups, filler words and zone words from config/synonyms.toml (plus words learnt later)."""

    synonyms: dict[str, str]  # term → canonical
    fillers: tuple[str, ...]
    zone_words: tuple[str, ...]
    learnt: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> Vocabulary:
        data = read_config(path or "synonyms.toml")
        synonyms = {}
        for group in data.get("synonym", []):
            synonyms[fold_width(group["canonical"])] = group["canonical"]  # so 地区生产总值 is not re-expanded
            for term in group["terms"]:
                synonyms[fold_width(term)] = group["canonical"]
        return cls(
            synonyms=synonyms,
            fillers=tuple(data.get("filler", {}).get("words", ())),
            zone_words=tuple(data.get("zone_words", {}).get("words", ())),
        )


def fold_width(text: str) -> str:
    """NFKC (full-width → half-width) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


class Normalizer:
    """Folds and canonicalises text; one instance per process (OpenCC's converter is built once)."""

    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        self.vocabulary = vocabulary or Vocabulary.load()
        self._t2s = opencc.OpenCC("t2s")

    def fold(self, text: str) -> str:
        """Width, case, traditional → simplified, control characters out, punctuation to single spaces."""
        text = _SYMBOLS.sub(" ", _CONTROL.sub("", fold_width(text)))
        text = self._t2s.convert(text)
        return _PUNCT.sub(" ", text).strip()

    @cached_property
    def _synonyms(self) -> tuple[re.Pattern[str], dict[str, str]] | None:
        """One pattern of every term (longest first) and the table it rewrites with; rebuilt when a word is learnt."""
        table = {**self.vocabulary.synonyms, **self.vocabulary.learnt}
        if not table:
            return None
        return re.compile("|".join(re.escape(t) for t in sorted(table, key=len, reverse=True))), table

    def canonical(self, text: str) -> str:
        """Rewrite every synonym to its canonical term (longest first, no overlaps)."""
        synonyms = self._synonyms
        if synonyms is None:
            return text
        pattern, table = synonyms
        return pattern.sub(lambda m: table[m.group()], text)

    def learn(self, term: str, canonical: str) -> None:
        """Add a synonym at run time (annotators' corrected metric names)."""
        term, canonical = fold_width(term), fold_width(canonical)
        if term and canonical and term != canonical:
            self.vocabulary.learnt[term] = canonical
            self.__dict__.pop("_synonyms", None)

    def fact_text(self, text: str | None) -> str:
        """A fact's metric, entity or quote ready to compare: folded, canonical, no spaces, digits out."""
        if not text:
            return ""
        return _NUMBER.sub("", self.canonical(self.fold(text).replace(" ", "")))  # 研究与试验发展(R&D)经费 is one term


def grams(text: str) -> frozenset[str]:
    """Character bigrams of the Chinese runs, whole words of the Latin ones (gdp, r&d)."""
    out: set[str] = set()
    for run in re.findall(r"[\u4e00-\u9fff]+|[a-z&]+", text):
        if run.isascii() or len(run) == 1:
            out.add(run)
        else:
            out.update(map(str.__add__, run, run[1:]))
    return frozenset(out)

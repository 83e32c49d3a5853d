"""Which standard indicator a metric is: a metric name (with its kind and unit) → a code of config/indicators.toml.

Deterministic and explainable, in three named rules tried in order:

- `name`: the whole metric (folded) is an indicator's name or one of its aliases (全社会研发投入强度 → rd_intensity);
- `learned`: the whole metric is a name an annotator corrected to another (learned_synonyms): it is that other
  name's indicator (read by the other two rules), or none;
- `qualified`: the metric is a name or alias with only qualifiers before it (园区, 新增, 国家级, a place such as
  山东省) and only suffixes (数量, 总数 …) or a variant (增长…, 占…比重, 目标, 排名 …) after it. Of several such
  readings the longest name wins, so 进出口总额增长 is `trade`, never `exports`.

Anything else before the name narrows what is measured and gives no code: 企业研发投入占GDP比重 is not
全社会研发投入强度 (it has its own indicator), 集成电路产业营业收入 is not the zone's 营业收入. The variant is the fact's
kind (a growth fact of 营业收入 is `revenue` with kind growth), not part of the code. A unit that contradicts the
indicator's family (营业收入超亿元企业 156家 is a count, not money) gives no code either.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from .text import to_simplified
from .vocab import Indicator, IndicatorCatalogue, alternation, indicators, vocab

# Brackets hold a note (改革前, GDP, R&D), quotes a name's emphasis (专精特新“小巨人”): neither changes the indicator.
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")
_QUOTES = re.compile(r"[\"'“”‘’《》「」『』〈〉·\s]")
# A place before a name (山东省, 潍坊市, 楚雄州) qualifies it as a qualifier does: 山东省开发区综合考核排名.
_PLACE = r"[\u4e00-\u9fff]{1,4}?(?:省|市|州|县)"

# The unit families that contradict an indicator's family (shares, %, are a variant of anything).
_CONTRADICTS = {
    "money": ("count", "area"),
    "count": ("money", "area"),
    "people": ("money", "area"),
    "area": ("money", "count"),
    "share": ("money", "count", "area"),
    "rank": ("money", "area"),
}


@dataclass(frozen=True, slots=True)
class IndicatorMatch:
    """The indicator a metric was read as, and why (`rule`: name | learned | qualified; `found`: the name seen)."""

    code: str
    name: str
    rule: str
    found: str

    def explain(self) -> str:
        return f"{self.code} ({self.name}) by {self.rule}: “{self.found}”"


def fold(metric: str) -> str:
    """A metric as names are compared: width-folded, simplified, lower case, without spaces, quotes, bracketed notes
    or 的比重."""
    text = to_simplified(unicodedata.normalize("NFKC", metric)).lower()
    text = _BRACKETS.sub("", text)
    return _QUOTES.sub("", text).replace("的比重", "比重")


def unit_family(unit: str | None) -> str | None:
    """money, count, area or share for a printed unit (亿元, 万家, 平方公里, %), None for anything else."""
    if not unit:
        return None
    units = vocab().units
    base = unit.lstrip(units.scale_chars) or unit
    if base.endswith("元"):
        return "money"
    if unit in units.share:
        return "share"
    if base in units.count:
        return "count"
    if base in units.area or base.endswith(units.area):
        return "area"
    return None


class IndicatorReader:
    """Reads metrics into indicator codes with one catalogue (and, optionally, the annotators' learned names)."""

    def __init__(self, catalogue: IndicatorCatalogue, learned: Mapping[str, str] | None = None) -> None:
        self.catalogue = catalogue
        self._names: dict[str, Indicator] = {}
        for indicator in catalogue.indicators:
            for name in (indicator.name, *indicator.aliases):
                self._names.setdefault(fold(name), indicator)  # the first indicator to list a name keeps it
        # Names by their first character, longest first: a metric is searched only for names that can start in it.
        self._by_first: dict[str, list[str]] = {}
        for name in sorted(self._names, key=len, reverse=True):
            self._by_first.setdefault(name[0], []).append(name)
        self._rank = {name: i for i, name in enumerate(sorted(self._names, key=len, reverse=True))}
        self._learned = {fold(term): fold(canonical) for term, canonical in (learned or {}).items()}
        self._qualifiers = re.compile(f"(?:{_PLACE}|{alternation(_longest(catalogue.qualifiers))})+")
        self._tail = re.compile(
            f"(?:{alternation(_longest(catalogue.suffixes))})*(?:(?:{alternation(catalogue.variant_starts)}).*)?"
        )

    def with_learned(self, learned: Mapping[str, str]) -> IndicatorReader:
        """The same catalogue, with annotators' corrected names (term → the name they corrected it to)."""
        return IndicatorReader(self.catalogue, learned) if learned else self

    def match(self, metric: str, kind: str | None = None, unit: str | None = None) -> IndicatorMatch | None:
        """The indicator a fact's metric (or a question's) is, or None; `kind` is the variant and does not decide it."""
        text = fold(metric)
        if not text:
            return None
        found = self._read(text)
        if found is None:
            return None
        indicator = self._names[found[1]]
        if kind != "rank" and unit_family(unit) in _CONTRADICTS.get(indicator.family, ()):
            return None  # 营业收入超亿元企业 156家 counts firms: not money
        return IndicatorMatch(indicator.code, indicator.name, *found)

    def code(self, metric: str, kind: str | None = None, unit: str | None = None) -> str | None:
        found = self.match(metric, kind, unit)
        return found.code if found else None

    def _read(self, text: str) -> tuple[str, str] | None:
        """(rule, the name found) for a folded metric."""
        if text in self._names:
            return "name", text
        if text in self._learned:  # an annotator said what this is: its indicator, or none
            found = self._read_name(self._learned[text])
            return ("learned", found[1]) if found else None
        return self._read_name(text)

    def _read_name(self, text: str) -> tuple[str, str] | None:
        if text in self._names:
            return "name", text
        names = {name for ch in set(text) for name in self._by_first.get(ch, ())}
        for name in sorted(names, key=self._rank.__getitem__):
            start = text.find(name)
            while start >= 0:
                before, after = text[:start], text[start + len(name) :]
                if (not before or self._qualifiers.fullmatch(before)) and self._tail.fullmatch(after):
                    return "qualified", name
                start = text.find(name, start + 1)
        return None


def _longest(words: tuple[str, ...]) -> list[str]:
    return sorted(words, key=len, reverse=True)


@cache
def indicator_reader() -> IndicatorReader:
    """The reader of config/indicators.toml, built once (without learned names)."""
    return IndicatorReader(indicators())

"""English-language pages: "operating revenue of 186.4 billion yuan, up 8.5 percent", read as Chinese facts.

A zone's English news page prints the same figures as its Chinese one. Each number with its unit becomes a
fact in the units people ask in (186.4 billion yuan → 1864亿元; 10 million yuan → 1000万元; percent → %),
named by the indicator catalogue's English names (config/indicators.toml: operating revenue → 营业收入),
else by the English words before it. The quote and the value as printed stay English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .vocab import indicators

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_QUAL = r"(?P<q>over |more than |nearly |almost |about |around |up to |at least )?"
_FACT = re.compile(
    rf"(?P<dec>a (?:decrease|decline|drop) of |down )?{_QUAL}(?:(?P<n>{_NUM})|(?P<frac>\d+/\d+))"
    r"(?:(?P<amount> (?P<scale>trillion|billion|million) (?P<cur>yuan|U\.?S\.? dollars|dollars))"
    r"|(?P<pp> percentage points?)|(?P<pct> percent|%)|(?P<times> times)|(?P<ord>st|nd|rd|th)\b|(?P<places> places?)"
    r"|(?P<count> (?:[\w\"“”'-]+ ){0,3}?(?:enterprises|firms|companies|projects|patents|people|employees|talents|teams)))",
    re.I,
)
_QUALIFIER = {"over ": "more_than", "more than ": "more_than", "nearly ": "about", "almost ": "about",
              "about ": "about", "around ": "about", "up to ": "less_than", "at least ": "at_least"}  # fmt: skip
_SCALE = {"trillion": (10_000, "亿"), "billion": (10, "亿"), "million": (100, "万")}
_CURRENCY = {"yuan": "元", "dollars": "美元"}
_UP = re.compile(r"\b(?:up|rose|grew|increased|climbed|growth of|an increase of)\b[^.;]{0,30}$", re.I)
_SHARE = re.compile(r"\b(?:accounted for|accounting for|share of|climbed to|reached)\b[^.;]{0,20}$", re.I)
_TARGET = re.compile(r"\b(?:target|plans? to|aims? to|will)\b", re.I)
_COUNT_UNIT = {"projects": "个", "patents": "件", "people": "人", "employees": "人", "talents": "人", "teams": "个"}


@dataclass(frozen=True, slots=True)
class EnglishFact:
    start: int
    end: int
    value: float
    unit: str
    qualifier: str
    kind: str
    metric: str
    quote: tuple[int, int]


def is_english(text: str) -> bool:
    """Mostly Latin letters: an English paragraph."""
    letters = sum(c.isascii() and c.isalpha() for c in text)
    cjk = sum("\u4e00" <= c <= "\u9fff" for c in text)
    return letters >= 20 and cjk * 10 < letters


@cache
def _names() -> list[tuple[str, str]]:
    """(english name, Chinese name) of the catalogue, longest first; brackets dropped (gross regional product)."""
    out = []
    for i in indicators().indicators:
        english = re.sub(r"\s*\(.*?\)", "", i.english).lower().strip()
        if english:
            out.append((english, i.name))
    return sorted(out, key=lambda p: -len(p[0]))


def _named(left: str) -> str | None:
    """The catalogue's Chinese name for what the clause before a number measures, if it names one."""
    clause = re.split(r"[,;:]| and | while | with ", left)[-1].lower()
    return next((chinese for english, chinese in _names() if english in clause), None)


def _metric(left: str) -> str:
    """The Chinese name of what the words before a number measure, else those words."""
    if named := _named(left):
        return named
    clause = re.split(r"[,;:]| and | while | with ", left)[-1].lower()
    words = re.sub(
        r"\b(?:the|zone's|zone|of|in|reached|hit|rose|was|is|generated|reported|totaled|total)\b", " ", clause
    )
    return " ".join(words.split()[-4:]) or "数值"


def read_english(text: str) -> list[EnglishFact]:
    """The facts of one English paragraph (offsets into `text`)."""
    out: list[EnglishFact] = []
    last_metric = ""
    for m in _FACT.finditer(text):
        if m.group("frac"):
            continue  # about 1/3 of the city's total: a share of something unnamed here
        value = float(m.group("n").replace(",", ""))
        sentence_start = max(text.rfind(". ", 0, m.start()) + 1, 0)
        left = text[sentence_start : m.start()]
        qualifier = _QUALIFIER.get((m.group("q") or "").lower(), "exact")
        kind = "target" if _TARGET.search(left) else "level"
        if m.group("amount"):
            factor, scale = _SCALE[m.group("scale").lower()]
            currency = _CURRENCY["dollars" if "dollar" in m.group("cur").lower() else "yuan"]
            value, unit = round(value * factor, 6), scale + currency
            metric = last_metric = _metric(left)
        elif m.group("pct") or m.group("pp"):
            unit = "个百分点" if m.group("pp") else "%"
            if m.group("dec"):
                value, kind = -value, "growth"
            elif _UP.search(left[-40:]) and not _SHARE.search(left[-25:]):
                kind = "growth"
            elif unit == "%":
                kind = "share"
            here = _named(left)
            metric = (here or last_metric or _metric(left)) + "增长" if kind == "growth" else _metric(left)
            if unit == "个百分点":
                kind = "other"
        elif m.group("times"):
            unit, kind, metric = "倍", "other", (last_metric or _metric(left)) + "倍数"
        elif m.group("ord"):
            if not re.search(r"\brank(?:ed|s|ing)?\s*$", left, re.I):
                continue
            unit, kind, metric = "位", "rank", "排名"
        elif m.group("places"):
            unit, kind, metric = "位", "other", "排名变化"
        else:
            what = m.group("count").strip().lower()
            unit = next((u for w, u in _COUNT_UNIT.items() if what.endswith(w)), "家")
            metric = _metric(what)
        out.append(
            EnglishFact(
                m.start(), m.end(), value, unit, qualifier, kind, metric, (sentence_start, _sentence_end(text, m.end()))
            )
        )
    return out


def _sentence_end(text: str, pos: int) -> int:
    end = text.find(". ", pos)
    return len(text) if end < 0 else end + 1

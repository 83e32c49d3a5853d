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

from .vocab import alternation, indicators, vocab

_E = vocab().english_page
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_QUAL = r"(?P<q>over |more than |nearly |almost |about |around |up to |at least )?"
_COUNTED = alternation(("enterprises", "firms", "companies", "projects", "patents", "people", "employees", "talents",
                        "teams", *_E.counts))  # fmt: skip
_FACT = re.compile(
    rf"(?P<dec>a (?:decrease|decline|drop) of |down )?{_QUAL}(?P<usd>US\$|USD ?|\$)?(?:(?P<n>{_NUM})|(?P<frac>\d+/\d+))"
    r"(?:(?P<amount> (?P<scale>trillion|billion|million)(?: (?P<cur>yuan|U\.?S\.? dollars|dollars))?)"
    r"|(?P<pp> percentage points?)|(?P<pct> percent|%)|(?P<times> times)|(?P<ord>st|nd|rd|th)\b|(?P<places> places?)"
    rf"|(?P<count> (?:[\w\"“”'-]+ ){{0,5}}?(?:{_COUNTED})\b))"
    # ranked third; about one third of Tianjin's total: ranks and shares in words
    rf"|\b(?P<word_ord>{alternation(_E.ordinals)})\b|\b(?P<word_frac>{alternation(_E.fractions)})\b(?= of)",
    re.I,
)
# Related: TEDA signs 28 projects worth 30 billion yuan | …: a list of other pages, furniture.
_RELATED = re.compile(rf"^\s*(?:{alternation(_E.related)})\s*[:：]", re.I)
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
    period: str | None = None
    zone: str | None = None  # 全国 for the nation's own figure (the 229 national … zones); else the article's


# In the first three quarters of 2024 → 2024-1~9; in 2023 → 2023 (not 2024 talent policy: a year naming a thing).
_PERIOD = re.compile(
    rf"\b(?:(?P<part>{alternation(_E.periods)}) of (?P<y1>(?:19|20)\d{{2}})|(?:in|for|during) (?P<y2>(?:19|20)\d{{2}}))\b",
    re.I,
)


def english_period(text: str, carried: str | None = None) -> str | None:
    """The last period a paragraph states before `len(text)`, else the one carried from earlier paragraphs."""
    found = list(_PERIOD.finditer(text))
    if not found:
        return carried
    m = found[-1]
    return f"{m.group('y1')}-{_E.periods[m.group('part').lower()]}" if m.group("part") else m.group("y2")


_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def is_english(text: str) -> bool:
    """Mostly Latin letters: an English paragraph."""
    letters = len(_LATIN.findall(text))  # (a regex count: this runs on every paragraph of every page)
    return letters >= 20 and len(_CJK.findall(text)) * 10 < letters


@cache
def _names() -> list[tuple[str, str]]:
    """(english name, Chinese name) of the catalogue and of the English words people use for it (config/vocab.toml
    [english]), longest first; a bracketed acronym is a name too (gross regional product (GDP): GDP)."""
    out = [(english.replace("-", " "), chinese) for english, chinese in vocab().wording.english.items()]
    for i in indicators().indicators:
        english = re.sub(r"\s*\(.*?\)", "", i.english).lower().replace("-", " ").strip()
        if english:
            out.append((english, i.name))
        out += [(a.lower(), i.name) for a in re.findall(r"\(([A-Z&]{2,6})\)", i.english)]
    return sorted(out, key=lambda p: -len(p[0]))


def _named(left: str) -> str | None:
    """The catalogue's Chinese name for what the clause before a number measures, if it names one: the longest
    name in it that is neither part of a proper name (the Development Area) nor a complement after `of`
    (output of enterprises …: output is measured, not enterprises)."""
    clause = re.split(r"[,;:]| and | while | with ", left)[-1].strip()
    folded = clause.lower().replace("-", " ")
    found = []
    for english, chinese in _names():
        for m in re.finditer(rf"(?<![\w]){re.escape(english)}(?![\w])", folded):
            printed = clause[m.start() : m.end()]
            proper = m.start() > 0 and bool(re.match(r"[A-Z][a-z]", printed))  # Area, not R&D or GDP
            complement = folded[: m.start()].endswith("of ")
            if not proper:
                found.append((complement, -len(english), m.start(), m.end(), chinese))
    if not found:
        return None
    head = min(found)
    of = [f for f in found if f[0] and re.fullmatch(r" of (?:the )?", folded[head[3] : f[2]])]
    if of and not head[0] and len(head[4]) <= 2:
        return of[0][4] + head[4]  # Output of new energy vehicles: 新能源汽车产量 (a bare measure takes its object)
    return head[4]


def _metric(left: str) -> str:
    """The Chinese name of what the words before a number measure, else those words."""
    if named := _named(left):
        return named
    clause = re.split(r"[,;:]| and | while | with ", left)[-1].lower()
    words = re.sub(
        r"\b(?:the|zone's|zone|of|in|reached|hit|rose|was|is|generated|reported|totaled|total)\b", " ", clause
    )
    return " ".join(words.split()[-4:]) or "数值"


def read_english(text: str, carried: str | None = None) -> list[EnglishFact]:
    """The facts of one English paragraph (offsets into `text`); `carried` is the period earlier paragraphs stated."""
    out: list[EnglishFact] = []
    last_metric = ""
    if _RELATED.match(text):
        return out
    for m in _FACT.finditer(text):
        if m.group("frac"):
            continue  # about 1/3 of the city's total: a share of something unnamed here
        sentence_start = max(text.rfind(". ", 0, m.start()) + 1, 0)
        left = text[sentence_start : m.start()]
        qualifier = _QUALIFIER.get((m.group("q") or "").lower(), "exact")
        kind = "target" if _TARGET.search(left) else "level"
        if m.group("word_ord") or m.group("word_frac"):
            fact = _in_words(m, left, last_metric, qualifier)
            if fact:
                quote = (sentence_start, _sentence_end(text, m.end()))
                out.append(EnglishFact(*fact, quote, english_period(text[: m.start()], carried)))
            continue
        value = float(m.group("n").replace(",", ""))
        if m.group("amount"):
            cur = m.group("cur") or ("dollars" if m.group("usd") else "")
            if not cur:
                continue  # 1.2 billion of what: no currency printed
            factor, scale = _SCALE[m.group("scale").lower()]
            currency = _CURRENCY["dollars" if "dollar" in cur.lower() else "yuan"]
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
            unit = next((u for w, u in {**_COUNT_UNIT, **_E.counts}.items() if what.endswith(w)), "家")
            if what.endswith("units") and re.search(alternation(_E.vehicle_words), left, re.I):
                unit = "辆"  # Output of new energy vehicles hit 86,000 units
            metric = _metric(left) if what == "units" else _metric(what)
            last_metric = metric if what == "units" else last_metric  # …hit 86,000 units, 1.3 times that of …
        national = bool(m.group("count")) and re.search(r"\bnational\b.*\bzones$", m.group("count"), re.I)
        out.append(
            EnglishFact(
                m.start(), m.end(), value, unit, qualifier, kind, metric, (sentence_start, _sentence_end(text, m.end())),
                english_period(text[: m.start()], carried) if kind != "target" else None,
                "全国" if national else None,  # the 229 national economic and technological development zones
            )
        )  # fmt: skip
    return out


def _in_words(
    m: re.Match[str], left: str, last_metric: str, qualifier: str
) -> tuple[int, int, float, str, str, str, str] | None:
    """ranked third (3 位, a rank); accounting for about one third of the city's total (0.3333 比例, a share of the
    figure before it). Other ordinals and fractions in words (the first time, half of them) are no facts."""
    start, end = m.start(), m.end()
    if m.group("word_ord"):
        if not re.search(r"\brank(?:ed|s|ing)?\s*$", left, re.I):
            return None
        return start, end, float(_E.ordinals[m.group("word_ord").lower()]), "位", "exact", "rank", "排名"
    if not re.search(r"\b(?:accounting for|accounted for|accounts for|making up|made up)\s*(?:\w+ )?$", left, re.I):
        return None
    near = re.search(r"\b(about|nearly|almost|around|over|more than) $", left, re.I)
    qualifier = _QUALIFIER[near.group(1).lower() + " "] if near else qualifier
    value = _E.fractions[m.group("word_frac").lower()]
    return start, end, value, "比例", qualifier, "share", (last_metric or _metric(left)) + "占比"


def _sentence_end(text: str, pos: int) -> int:
    end = text.find(". ", pos)
    return len(text) if end < 0 else end + 1

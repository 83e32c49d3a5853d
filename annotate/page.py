"""How a web page frames its article: the zone it is about, its date, and the furniture that holds no fact.

Real pages often name their zone only by context — the body says 高新区, 我区 or 全区, and the place is in
the dateline (新华社宜昌4月15日电, 本报汨罗讯), the source line (来源：沭阳经济开发区管委会), the menu
(岳阳新闻网 > 县市区 > 汨罗), the headline, or an English name. Each article gets its zone from its
strongest signal, with where it came from and a confidence; with no signal the zone stays empty, never
guessed. The words are data: config/page.toml.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from .gazetteer import Gazetteer
from .meta import parse_date
from .text import to_simplified
from .vocab import page_words

# Confidence of each signal: what an annotator sees beside the zone in Label Studio.
CONFIDENCE = {"metadata": 1.0, "headline": 0.95, "source line": 0.9, "dateline": 0.85, "menu": 0.8, "body": 0.8,
              "english": 0.8, "dateline place": 0.7, "menu place": 0.6}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ZoneSignal:
    """An article's zone, where it was found, and how sure that is (no zone: all three empty)."""

    zone: str | None = None
    source: str | None = None  # a key of CONFIDENCE
    confidence: float = 0.0


NO_ZONE = ZoneSignal()


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    w = page_words()
    alt = lambda words: "|".join(map(re.escape, sorted(words, key=len, reverse=True)))  # noqa: E731
    return {
        "dateline": re.compile(
            rf"^(?:{alt(w.agencies)})(?:记者)?([\u4e00-\u9fff]{{2,5}}?)(?:\d{{1,2}}月\d{{1,2}}日电|讯|电)"
            rf"|^【([\u4e00-\u9fff]{{2,5}}?)(?:网|台|报)?讯】"
        ),
        "source": re.compile(rf"(?:^|\s|（)(?:{alt(w.source_labels)})\s*[:：|｜]\s*(\S+)"),
        "date": re.compile(
            rf"(?:(?:{alt(w.date_labels)})\s*[:：]\s*)?(\d{{4}}\s*[-/.年]\s*\d{{1,2}}\s*[-/.月]\s*\d{{1,2}}日?)"
        ),
        "breadcrumb": re.compile(
            rf"^(?:(?:{alt(w.breadcrumb_starts)})[:：]?\s*)?\S.*?(?:\s*(?:{alt(w.breadcrumb_separators)})\s*\S+){{2,}}$"
        ),
        "furniture": re.compile(rf"{alt(w.furniture)}|(?:^|[\s【\[（(|])(?:{alt(w.furniture_labels)})\s*(?:[:：]|\d)"),
        "related": re.compile(rf"^[■□▌▍●◆【\[\s]*(?:{alt(w.related_headers)})"),
        "zone_word": re.compile(alt(w.zone_words)),
        "english": re.compile(
            rf"\b([A-Z][a-z]+(?:[ -](?!National\b)[A-Z][a-z]+)?)\s+(?:National\s+)?({alt(k for k, _ in w.english_kinds)})\s+"
            r"(?:Industrial\s+)?(?:Development\s+|Demonstration\s+)?(?:Zone|Area|Park|District)\b",
            re.I,
        ),
        "url": re.compile(r"^(?:https?://|www\.)\S+$"),
        # a place of two to eight characters before an official zone word: 邳州经济开发区, 横琴粤澳深度合作区
        "official": re.compile(rf"([\u4e00-\u9fff]{{2,8}}?)({alt(w.official_words)})"),
    }


def is_furniture(line: str) -> bool:
    """A line of the page around the article (menu, URL, share buttons, footer, view counts): never a fact.

    A line that holds a sentence (。) is the article's, whatever word it shares with a footer (经济运行情况)."""
    p = _patterns()
    if p["url"].match(line) or p["breadcrumb"].match(line):
        return True
    return "。" not in line and bool(p["furniture"].search(line))


def is_related_header(line: str) -> bool:
    """相关阅读, ■相关新闻: the lines after it list other pages."""
    return len(line) <= 12 and bool(_patterns()["related"].match(to_simplified(line)))  # 相關新聞 too


def is_source_line(line: str) -> bool:
    """来源：沭阳经济开发区管委会, 来源 | 黄埔区发展和改革局（广州开发区发展和改革局）: a short line naming the publisher
    (at the head of a page, or closing the article)."""
    return len(line) <= 60 and _patterns()["source"].search(line) is not None


def page_date(lines: list[str]) -> str | None:
    """The page's publication date from its header lines (发布时间：2024-12-05, 2024-04-15 16:32 来源：…, and a
    WeChat post's byline: 襄阳高新发布  2024年7月18日 18:05  湖北 — a short line with no sentence in it)."""
    for line in lines:
        m = _patterns()["date"].search(line)
        byline = len(line) <= 60 and not re.search(r"[。，,；;！？]", line)
        if m and (m.start() == 0 or m.group(0) != m.group(1) or byline):
            try:
                return parse_date(m.group(1))
            except ValueError:
                continue
    return None


def short_form(name: str) -> str:
    """汨罗高新技术产业开发区 → 汨罗高新区, 湖北汉川经济开发区 → 汉川经济开发区's short form 汉川经开区."""
    for full, short in sorted(page_words().short_forms.items(), key=lambda kv: -len(kv[0])):
        if name.endswith(full):
            return name[: -len(full)] + short
    return name


def article_zone(gaz: Gazetteer, *, title: str, head: list[str], body: str, meta_zone: str | None = None) -> ZoneSignal:
    """The zone an article is about, from its strongest signal (see the module docstring)."""
    title, body = to_simplified(title), to_simplified(body)
    head = [to_simplified(line) for line in head]
    if meta_zone:
        return _signal(_canonical(gaz, meta_zone), "metadata")
    if zone := _named_zone(gaz, title):
        return _signal(zone, "headline")
    unlisted = _unlisted(title)
    if unlisted and unlisted in _unlisted_names(body):  # 邳州经济开发区招商引资优惠政策, and the body says it again
        return _signal(unlisted, "headline")
    regions = [m.name for m in gaz.mentions(title) if m.is_region and m.name != "全国"]
    if regions:  # 重庆出台…: an article about a province or municipality as a whole
        return _signal(regions[0], "headline")
    dateline = next((m for line in [*head, *body.split("\n")[:3]] if (m := _patterns()["dateline"].match(line))), None)
    sources = [m.group(1) for line in head if (m := _patterns()["source"].search(line))]
    for text in sources:
        if zone := _named_zone(gaz, text, unlisted=True):
            return _signal(zone, "source line")
    if dateline and (zone := _named_zone(gaz, dateline.group(0))):
        return _signal(zone, "dateline")
    if zone := _dominant(gaz, body):
        return _signal(zone, "body")
    if unlisted:  # the headline's name, though the body calls it only 开发区
        return _signal(unlisted, "headline")
    if names := Counter(_unlisted_names(body)).most_common(1):  # 横琴粤澳深度合作区统计局, 邳州经济开发区是…
        return _signal(names[0][0], "body")
    if zone := _english(gaz, "\n".join([title, *head, body])):
        return _signal(zone, "english")
    word = _zone_word(body + title)
    if word:
        place = (dateline.group(1) or dateline.group(2)) if dateline else None
        if place and (zone := _place_zone(gaz, place, word)):
            return _signal(zone, "dateline place")
        crumbs = [line for line in head if _patterns()["breadcrumb"].match(line)]
        for crumb in crumbs:
            last = re.split(r"\s*[>›»＞→]\s*", crumb.strip())[-1]
            if 2 <= len(last) <= 4 and (zone := _place_zone(gaz, last, word)):
                return _signal(zone, "menu place")
    return NO_ZONE


def _signal(zone: str | None, source: str) -> ZoneSignal:
    return ZoneSignal(zone, source, CONFIDENCE[source]) if zone else NO_ZONE


def _canonical(gaz: Gazetteer, name: str) -> str:
    zones = [m.name for m in gaz.mentions(name) if not m.is_region and m.end - m.start == len(name)]
    return zones[0] if zones else short_form(name.strip())


def _named_zone(gaz: Gazetteer, text: str, unlisted: bool = False) -> str | None:
    """A zone named in a short text (a headline, a source line): the gazetteer's name, or the printed one."""
    zones = [m for m in gaz.mentions(text) if not m.is_region]
    if zones:
        return zones[0].name
    if unlisted:  # 来源：汨罗高新技术产业开发区管委会 — a zone the gazetteer does not list is kept, in short form
        words = {*page_words().short_forms, *page_words().zone_words}
        m = re.search(rf"([\u4e00-\u9fff]{{2,6}}?)({'|'.join(sorted(words, key=len, reverse=True))})", text)
        if m:
            return short_form(m.group(1) + m.group(2))
    return None


# Words that end a zone's place name on the left: 与邳州经济开发区签约 names 邳州, not 与邳州.
_BEFORE_PLACE = re.compile(r".*[与和同及对向在赴到为是的、从据由将让经]")


def _unlisted_names(text: str) -> list[str]:
    """Every zone a text names by an official name, in short form: 邳州经济开发区 → 邳州经开区 (a place of two to
    eight characters before an official zone word; 全省经济开发区 is no name)."""
    out = []
    for m in _patterns()["official"].finditer(text):
        place = _BEFORE_PLACE.sub("", m.group(1))
        if len(place) >= 2 and not place.endswith(page_words().not_places):
            out.append(short_form(place + m.group(2)))
    return out


def _unlisted(text: str) -> str | None:
    names = _unlisted_names(text)
    return names[0] if names else None


def _dominant(gaz: Gazetteer, text: str) -> str | None:
    counts = Counter(m.name for m in gaz.mentions(text) if not m.is_region)
    return counts.most_common(1)[0][0] if counts else None


def _zone_word(text: str) -> str | None:
    """The suffix the page's own word for its zone stands for (高新区 → 高新区, 开发区 → 经开区), most used first."""
    words = page_words().zone_words
    counts = Counter(words[m.group()] for m in _patterns()["zone_word"].finditer(text))
    return counts.most_common(1)[0][0] if counts else None


def _place_zone(gaz: Gazetteer, place: str, suffix: str) -> str | None:
    """宜昌 + 高新区 → the listed 宜昌高新区; 汨罗 + 高新区 → 汨罗高新区, kept though not listed."""
    name = place + suffix
    listed = [m.name for m in gaz.mentions(name) if not m.is_region]
    if listed:
        return listed[0]
    by_city = [z.name for z in gaz.zones if z.city_short == place and z.name.endswith(suffix)]
    if len(by_city) == 1:
        return by_city[0]
    return name if len(place) >= 2 else None


def _english(gaz: Gazetteer, text: str) -> str | None:
    """Zhuzhou National Hi-tech Industrial Development Zone → 株洲高新区 (by the gazetteer's curated pinyin)."""
    kinds = dict(page_words().english_kinds)
    for m in _patterns()["english"].finditer(text):
        place = re.sub(r"[\s-]", "", m.group(1)).lower()
        suffix = kinds[m.group(2).lower()]
        hits = [z.name for z in gaz.zones if z.pinyin == place and z.name.endswith(suffix)]
        if len(hits) == 1:
            return hits[0]
    return None

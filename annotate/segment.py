"""Splitting a newspaper page into articles: headline, byline, body, and the zone each is about.

A page holds several articles. An article starts at a headline block (one to three short lines
without closing punctuation) that is followed by a byline (▶ 本报记者 叶伟), by a lead that names
the news agency (本报讯, 科技日报讯(记者…)), or, failing both, that names a zone other than the
current article's. Everything else (section headings, captions, photo credits, pull quotes) stays
inside the article it sits in. Paragraphs broken mid-sentence by the page layout are joined.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .gazetteer import Gazetteer

_TERMINAL = "。!?;,、:…！？；，："
_SENTENCE_FINAL = "。!?…！？;；:：”"
_BYLINE = re.compile(
    r"^[▶►◎●■◆>]\s*\S.{0,24}$"
    r"|^(?:本报)?(?:特约)?(?:记者|通讯员|实习生)\s*[\u4e00-\u9fff·]{2,}(?:\s+[\u4e00-\u9fff·]{2,})*$"
    r"|^(?:来源|作者|记者|文|撰稿|编辑|发布时间|发布日期|日期|时间)\s*[:：]\s*\S.{0,40}$"
)
_LEAD = re.compile(
    r"^(?:本报讯|[\u4e00-\u9fff]{2,6}讯|[\u4e00-\u9fff]{2,8}\d{1,2}月\d{1,2}日电)(?:[((][^))]{0,30}[))])?"
)
_CAPTION = re.compile(r"图片来源|摄影[/:：]|^图为|供图$|[（(]?摄[)）]?$|新华社发$|^[（(]?图[:：]")
_PULL_QUOTE = re.compile(r"[超近约逾]?[\d.,]+[\u4e00-\u9fff%]{0,5}")
_HEADLINE_MAX = 32
_EXCLAIMED = re.compile(r"[^。;；]{4,30}[!！?？]")  # a web article's first line may exclaim: 这一年，数据亮眼！
_JOIN_MIN = 20  # a line this long that stops mid-sentence continues in the next paragraph


@dataclass(frozen=True, slots=True)
class Line:
    start: int
    end: int
    text: str  # stripped

    @property
    def is_byline(self) -> bool:
        return bool(_BYLINE.match(self.text)) and "。" not in self.text and "," not in self.text

    @property
    def is_caption(self) -> bool:
        return bool(_CAPTION.search(self.text))

    @property
    def is_headline_like(self) -> bool:
        return (
            len(self.text) <= _HEADLINE_MAX
            and self.text[-1] not in _TERMINAL
            and not self.is_byline
            and not self.is_caption
        )


@dataclass(frozen=True, slots=True)
class Article:
    """One article of a page: code-point offsets into the file's text."""

    index: int
    title: str
    byline: str | None
    zone: str | None
    start: int  # headline start
    body_start: int
    end: int
    title_spans: tuple[tuple[int, int], ...]  # the headline lines
    paragraphs: tuple[tuple[tuple[int, int], ...], ...]  # logical paragraphs, as source slices


def _lines(text: str) -> list[Line | None]:
    """Non-blank lines with offsets; None marks a blank line."""
    out: list[Line | None] = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(Line(pos + lead, pos + lead + len(stripped), stripped))
        else:
            out.append(None)
        pos += len(raw) + 1
    return out


def _blocks(lines: list[Line | None]) -> list[list[Line]]:
    blocks: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if line is None:
            if current:
                blocks.append(current)
                current = []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _zone_of(gaz: Gazetteer, text: str) -> str | None:
    mentions = gaz.mentions(text)
    zones = [m.name for m in mentions if not m.is_region]
    if zones:
        return zones[0]
    regions = [m.name for m in mentions if m.is_region]
    return regions[0] if regions else None


def segment(text: str, gaz: Gazetteer) -> list[Article]:
    """Split a page into articles (see the module docstring for the rules)."""
    blocks = _blocks(_lines(text))
    starts: list[tuple[int, str | None, int]] = []  # (block index, byline, body block index)
    current_zone: str | None = None
    for i, block in enumerate(blocks):
        if len(block) > 3 or not all(line.is_headline_like for line in block):
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if nxt is None:
            continue
        title = "".join(line.text for line in block)
        zone = _zone_of(gaz, title)
        if nxt[0].is_byline:
            starts.append((i, nxt[0].text.lstrip("▶►◎●■◆> ").strip(), i + 2 if len(nxt) == 1 else i + 1))
        elif lead := _LEAD.match(nxt[0].text):
            starts.append((i, lead.group(), i + 1))
        elif zone and zone != current_zone and not nxt[0].is_headline_like:
            starts.append((i, None, i + 1))
        else:
            continue
        current_zone = zone or current_zone
    if not starts and blocks:
        return [_whole_file(text, blocks, gaz)]
    articles: list[Article] = []
    for n, (bi, byline, body_bi) in enumerate(starts):
        end_bi = starts[n + 1][0] if n + 1 < len(starts) else len(blocks)
        title_lines = blocks[bi]
        title = "".join(line.text for line in title_lines)
        body_lines = [line for b in blocks[body_bi:end_bi] for line in b]
        if body_lines and body_lines[0].is_byline:
            body_lines = body_lines[1:]
        first_bi = 0 if n == 0 else bi  # a pull quote above the first headline belongs to that article
        lead_lines = [line for b in blocks[first_bi:bi] for line in b] if n == 0 else []
        body_text = "\n".join(line.text for line in body_lines[:12])
        zone = _zone_of(gaz, title) or _dominant_zone(gaz, body_text)
        start = title_lines[0].start
        end = blocks[end_bi - 1][-1].end if end_bi > bi else title_lines[-1].end
        body_start = body_lines[0].start if body_lines else title_lines[-1].end
        paragraphs = [tuple((line.start, line.end) for line in title_lines)]
        paragraphs += _paragraphs(lead_lines) + _paragraphs(body_lines)
        articles.append(
            Article(
                index=n,
                title=title,
                byline=byline,
                zone=zone,
                start=start,
                body_start=body_start,
                end=end,
                title_spans=tuple((line.start, line.end) for line in title_lines),
                paragraphs=tuple(paragraphs),
            )
        )
    return articles


def _whole_file(text: str, blocks: list[list[Line]], gaz: Gazetteer) -> Article:
    """A text with no page structure (one web article, a report) is one article; a first short line is its title."""
    first = blocks[0]
    headline = len(first) <= 3 and all(line.is_headline_like for line in first)
    exclaimed = len(first) == 1 and _EXCLAIMED.fullmatch(first[0].text) is not None  # 这一年，数据亮眼！
    titled = len(blocks) > 1 and (headline or exclaimed)
    title_lines = first if titled else []
    body_lines = [line for b in (blocks[1:] if titled else blocks) for line in b]
    if body_lines and body_lines[0].is_byline:
        byline, body_lines = body_lines[0].text, body_lines[1:]
    else:
        byline = None
    title = "".join(line.text for line in title_lines)
    body_text = "\n".join(line.text for line in body_lines[:12])
    paragraphs = ([tuple((line.start, line.end) for line in title_lines)] if title_lines else []) + _paragraphs(
        body_lines
    )
    return Article(
        index=0,
        title=title,
        byline=byline,
        zone=(_zone_of(gaz, title) if title else None) or _dominant_zone(gaz, body_text),
        start=blocks[0][0].start,
        body_start=body_lines[0].start if body_lines else blocks[0][0].start,
        end=blocks[-1][-1].end,
        title_spans=tuple((line.start, line.end) for line in title_lines),
        paragraphs=tuple(paragraphs),
    )


def _dominant_zone(gaz: Gazetteer, text: str) -> str | None:
    counts = Counter(m.name for m in gaz.mentions(text) if not m.is_region)
    if counts:
        return counts.most_common(1)[0][0]
    regions = Counter(m.name for m in gaz.mentions(text) if m.is_region)
    return regions.most_common(1)[0][0] if regions else None


def _paragraphs(lines: list[Line]) -> list[tuple[tuple[int, int], ...]]:
    """Group lines into logical paragraphs, joining a long line cut off mid-sentence with the next."""
    out: list[tuple[tuple[int, int], ...]] = []
    current: list[tuple[int, int]] = []
    last: Line | None = None
    for line in lines:
        if line.is_byline and not current:
            continue
        if line.is_caption or _PULL_QUOTE.fullmatch(line.text):
            continue  # a pull quote (8000件) repeats a figure of the body, between halves of a sentence
        continues = last is not None and len(last.text) >= _JOIN_MIN and last.text[-1] not in _SENTENCE_FINAL
        if current and not continues:
            out.append(tuple(current))
            current = []
        current.append((line.start, line.end))
        last = line
    if current:
        out.append(tuple(current))
    return out

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
from .page import NO_ZONE, ZoneSignal, article_zone, is_furniture, is_related_header, is_source_line

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
_CAPTION = re.compile(
    r"图片来源|摄影[/:：]|^图为|供图$|[（(]?摄[)）]?$|新华社发$|^[（(]?图[:：]"
    r"|\.(?:jpe?g|png|gif|webp)\b|^\[图片\]|[（(]资料图[)）]|^[▲△]"  # IMG_2023.jpg, ▲…（资料图）
)
_PULL_QUOTE = re.compile(r"[超近约逾]?[\d.,]+[\u4e00-\u9fff%]{0,5}")
_HEADLINE_MAX = 32
_CAPTION_MAX = 120
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
        """A photo's caption or credit: a short line (a paragraph that mentions 图片来源 is still text)."""
        return len(self.text) <= _CAPTION_MAX and bool(_CAPTION.search(self.text))

    @property
    def is_headline_like(self) -> bool:
        return (
            len(self.text) <= _HEADLINE_MAX
            and self.text[-1] not in _TERMINAL
            and not self.is_byline
            and not self.is_caption
            and not self.is_furniture
        )

    @property
    def is_furniture(self) -> bool:
        """A menu, URL, share buttons, a footer line (annotate/page.py): the page's, not the article's."""
        return is_furniture(self.text)


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
    zone_signal: ZoneSignal = NO_ZONE  # where `zone` was found, and how sure that is
    head: tuple[str, ...] = ()  # the lines around the headline: byline, source and date lines, menu


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
    """Blocks of lines between blank lines. A list of other pages' titles (after 相关阅读) ends its block."""
    blocks: list[list[Line]] = []
    current: list[Line] = []
    related = False
    for line in lines:
        if line is None:
            if current:
                blocks.append(current)
                current = []
            related = False
        elif related or is_related_header(line.text):
            related = True  # 相关阅读 · 一季度全省高新区主要指标稳步增长: other pages' titles, no facts of this one
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


def segment(text: str, gaz: Gazetteer, meta_zone: str | None = None) -> list[Article]:
    """Split a page into articles (see the module docstring for the rules); `meta_zone` is the page metadata's."""
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
        return [_whole_file(text, blocks, gaz, meta_zone)]
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
        around = [x for b in blocks[(0 if n == 0 else bi) : min(end_bi, body_bi + 4)] for x in b]
        closing = [x.text for x in body_lines[-15:]]  # 来源 | … closing the article
        head = tuple(
            dict.fromkeys(
                [
                    *(x for x in (byline,) if x),
                    *(x.text for x in around[:20] if x.is_furniture or x.is_byline),
                    *(x for x in closing if is_source_line(x)),
                ]
            )
        )
        signal = _zone_signal(gaz, title, head, body_text, meta_zone)
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
                zone=signal.zone,
                start=start,
                body_start=body_start,
                end=end,
                title_spans=tuple((line.start, line.end) for line in title_lines),
                paragraphs=tuple(paragraphs),
                zone_signal=signal,
                head=head,
            )
        )
    return articles


def _zone_signal(gaz: Gazetteer, title: str, head: tuple[str, ...], body: str, meta_zone: str | None) -> ZoneSignal:
    """The article's zone from its strongest signal (annotate/page.py); else a province the headline or body
    names — but never 全国 for a whole article: that is for sentences about the nation."""
    signal = article_zone(gaz, title=title, head=list(head), body=body, meta_zone=meta_zone)
    if signal.zone:
        return signal
    for source, text in (("headline", title), ("body", body)):
        regions = Counter(m.name for m in gaz.mentions(text) if m.is_region and m.name != "全国")
        if regions:
            return ZoneSignal(regions.most_common(1)[0][0], source, 0.5)
    return NO_ZONE


def _whole_file(text: str, blocks: list[list[Line]], gaz: Gazetteer, meta_zone: str | None = None) -> Article:
    """A text with no page structure (one web article, a report) is one article; a first short line is its title.

    A web page's menu, URL, date and source lines and share buttons come before its title, or between its
    title and its body: the title is the first short line that is none of these."""
    lines = [line for b in blocks for line in b]
    furniture = [line for line in lines[:15] if line.is_furniture or line.is_byline]
    text_blocks = [kept for b in blocks if (kept := [line for line in b if not line.is_furniture])]
    first_text = next((i for i, b in enumerate(text_blocks) if not all(x.is_byline for x in b)), 0)
    first = text_blocks[first_text] if text_blocks else blocks[0]
    headline = len(first) <= 3 and all(line.is_headline_like for line in first)
    exclaimed = len(first) == 1 and _EXCLAIMED.fullmatch(first[0].text) is not None  # 这一年，数据亮眼！
    titled = len(text_blocks) > first_text + 1 and (headline or exclaimed)
    title_lines = first if titled else []
    rest = text_blocks[first_text + 1 :] if titled else text_blocks[first_text:]
    body_lines = [line for b in rest for line in b]
    if body_lines and body_lines[0].is_byline:
        byline, body_lines = body_lines[0].text, body_lines[1:]
    else:
        byline = next((line.text for line in furniture if line.is_byline), None)
    title = "".join(line.text for line in title_lines)
    body_text = "\n".join(line.text for line in body_lines[:12])
    head = tuple(line.text for line in furniture) + (
        (byline,) if byline and byline not in (x.text for x in furniture) else ()
    )
    head += tuple(x.text for x in lines[-15:] if is_source_line(x.text) and x.text not in head)  # 来源 | … at the end
    paragraphs = ([tuple((line.start, line.end) for line in title_lines)] if title_lines else []) + _paragraphs(
        body_lines
    )
    signal = _zone_signal(gaz, title, head, body_text, meta_zone)
    return Article(
        index=0,
        title=title,
        byline=byline,
        zone=signal.zone,
        start=blocks[0][0].start,
        body_start=body_lines[0].start if body_lines else blocks[0][0].start,
        end=blocks[-1][-1].end,
        title_spans=tuple((line.start, line.end) for line in title_lines),
        paragraphs=tuple(paragraphs),
        zone_signal=signal,
        head=head,
    )


def _paragraphs(lines: list[Line]) -> list[tuple[tuple[int, int], ...]]:
    """Group lines into logical paragraphs, joining a long line cut off mid-sentence with the next."""
    out: list[tuple[tuple[int, int], ...]] = []
    current: list[tuple[int, int]] = []
    last: Line | None = None
    for line in lines:
        if line.is_byline and not current:
            continue
        if line.is_caption or line.is_furniture or _PULL_QUOTE.fullmatch(line.text):
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

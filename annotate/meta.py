"""A page's metadata: where it was published, by whom, when, and about which zone.

Crawled articles carry it in a front-matter block at the top of the file (the crawler writes it):

    ---
    url: https://www.example.gov.cn/news/2024/1205/123.html
    source: 岳阳日报
    published: 2024-12-05
    zone: 汨罗高新区
    ---

`gaoxin ingest --url/--source/--published/--zone` give the same for files without one (an option wins
over the file's own line). The block is masked in the text the extractor reads (each character but line
breaks becomes a space), so every offset stays an offset into the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from .errors import InputError

KEYS = {"url": "url", "source": "publisher", "publisher": "publisher", "published": "published", "zone": "zone",
        "date": "published", "来源": "publisher", "发布时间": "published", "园区": "zone"}  # fmt: skip
_BLOCK = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_LINE = re.compile(r"^\s*([^:：\s]+)\s*[:：]\s*(.*?)\s*$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\S.*)?$")


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What is known about a page besides its text; every field may be missing."""

    url: str | None = None
    publisher: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    zone: str | None = None

    def merged(self, override: PageMeta) -> PageMeta:
        """These fields, with every field `override` sets taking its place."""
        return replace(self, **{k: v for k in self.__slots__ if (v := getattr(override, k)) is not None})

    @property
    def year(self) -> int | None:
        return int(self.published[:4]) if self.published else None


def parse_date(value: str, where: str = "") -> str:
    """2024-12-05, 2024/12/5, 2024年12月5日, with or without a time after it → 2024-12-05."""
    m = _DATE.match(value.strip())
    try:
        if not m:
            raise ValueError
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        raise InputError(f"{where}not a date: {value!r} (write it as 2024-12-05)") from None


def front_matter(text: str, where: str = "") -> tuple[PageMeta, str]:
    """The metadata block at the top of a text, and the text with the block masked (same length and offsets)."""
    m = _BLOCK.match(text)
    if not m:
        return PageMeta(), text
    fields: dict[str, str] = {}
    for n, line in enumerate(m.group(1).splitlines(), start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        kv = _LINE.match(line)
        if not kv or kv[1].lower() not in KEYS:
            known = ", ".join(k for k in KEYS if k.isascii())
            raise InputError(f"{where}front matter line {n}: {line.strip()!r} is not one of {known} followed by ':'")
        key, value = KEYS[kv[1].lower()], kv[2].strip().strip("\"'")
        if value:
            fields[key] = parse_date(value, f"{where}front matter line {n}: ") if key == "published" else value
    masked = "".join(c if c in "\r\n" else " " for c in m.group()) + text[m.end() :]
    return PageMeta(**fields), masked

"""Reading article files and folding their text for matching, with offsets kept into the original."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import InputError
from .meta import PageMeta, front_matter

MAX_BYTES = 20 * 1024 * 1024  # a newspaper page is ~20 KB; 20 MB is a mistake, not a page


@dataclass(frozen=True, slots=True)
class SourceText:
    """One article file as decoded text, with how it was decoded."""

    path: Path
    text: str
    sha256: str
    encoding: str  # "utf-8", "utf-8-sig", "gb18030"
    meta: PageMeta = PageMeta()  # from the file's front matter (masked in `text`) and the ingest options


def read_source(path: Path, max_bytes: int = MAX_BYTES) -> SourceText:
    """Read and decode an article file; raise InputError with a reason a person can act on.

    Only regular files (after following links): a link to /dev/zero would be read for ever and a FIFO
    would wait for a writer. The size limit holds while reading too, for files whose size is not known
    in advance (/proc) or that grow.
    """
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not an article file")
    _refuse_unless_regular(path, os.stat(path))  # before opening: opening a device can have effects of its own
    try:  # O_NONBLOCK: should a FIFO have taken the file's place since, opening it does not wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        _refuse_unless_regular(path, info)
        if info.st_size > max_bytes:
            raise InputError(f"{path}: too large ({info.st_size:,} bytes; the limit is {max_bytes:,})")
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"{path}: too large (more than {max_bytes:,} bytes; the limit is {max_bytes:,})")
    return decode_source(path, data)


_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _refuse_unless_regular(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "something else")
        raise InputError(f"{path}: not a regular file but {kind}, so not an article file")


def decode_source(path: Path, data: bytes) -> SourceText:
    """Decode bytes as UTF-8, else GB18030 (a superset of GBK); refuse empty and binary data."""
    if not data.strip():
        raise InputError(f"{path}: empty file")
    if b"\x00" in data:
        raise InputError(f"{path}: binary file (contains NUL bytes), not text")
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = _try(data[3:], "utf-8"), "utf-8-sig"
    else:
        text, encoding = _try(data, "utf-8"), "utf-8"
    if text is None:
        text, encoding = _try(data, "gb18030"), "gb18030"
    if text is None:
        raise InputError(f"{path}: not text in UTF-8, GBK or GB18030")
    if control := _CONTROL.search(text):
        line = text.count("\n", 0, control.start()) + 1
        raise InputError(
            f"{path}: not text: control character U+{ord(control.group()):04X} on line {line}"
            " (only tabs, line breaks and page breaks are allowed)"
        )
    meta, text = front_matter(text, f"{path}: ")
    if not text.strip():
        raise InputError(f"{path}: empty file")
    return SourceText(path=path, text=text, sha256=digest, encoding=encoding, meta=meta)


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


# Control characters other than tab, line and page breaks (ESC starts terminal escapes, BEL rings): refused.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


@cache
def _t2s_table() -> dict[int, str]:
    """Traditional → simplified, character for character (so that offsets stay put): 區 → 区, 億 → 亿."""
    import opencc

    chars = [chr(c) for c in range(0x4E00, 0xA000)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # a phrase rule joined lines: fall back to one character at a time
        t2s = opencc.OpenCC("t2s")
        converted = [t2s.convert(c) for c in chars]
    return {ord(c): s for c, s in zip(chars, converted) if s != c and len(s) == 1}


def to_simplified(text: str) -> str:
    """The text in simplified characters, one for one: the same length and offsets."""
    return text.translate(_t2s_table())


@dataclass(frozen=True, slots=True)
class Folded:
    """A matching copy of part of a text: NFKC-folded, some characters dropped, each mapped back."""

    text: str
    origin: tuple[int, ...]  # origin[i] = code-point offset in the source of text[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Source offsets of the folded slice text[start:end]."""
        return self.origin[start], self.origin[end - 1] + 1


def fold(source: str, pieces: list[tuple[int, int]]) -> Folded:
    """Concatenate source slices, NFKC-folding each character (and traditional to simplified: 億元 is read as
    亿元, the quote keeps 億元) and mapping it to where it came from."""
    out: list[str] = []
    origin: list[int] = []
    for start, end in pieces:
        piece = source[start:end]
        folded_piece = unicodedata.normalize("NFKC", piece)
        if len(folded_piece) == len(piece) and all(
            unicodedata.normalize("NFKC", c) == f for c, f in zip(piece, folded_piece) if c != f
        ):
            out.append(folded_piece)  # one character for one: the usual case, mapped by position
            origin.extend(range(start, end))
            continue
        for i in range(start, end):
            ch = source[i]
            if ch.isascii():
                folded = ch
            else:
                folded = unicodedata.normalize("NFKC", ch)
            for f in folded:
                out.append(f)
                origin.append(i)
    return Folded(to_simplified("".join(out)), tuple(origin))

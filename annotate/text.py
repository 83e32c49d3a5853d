"""Reading article files and folding their text for matching, with offsets kept into the original."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

MAX_BYTES = 20 * 1024 * 1024  # a newspaper page is ~20 KB; 20 MB is a mistake, not a page


@dataclass(frozen=True, slots=True)
class SourceText:
    """One article file as decoded text, with how it was decoded."""

    path: Path
    text: str
    sha256: str
    encoding: str  # "utf-8", "utf-8-sig", "gb18030"


def read_source(path: Path, max_bytes: int = MAX_BYTES) -> SourceText:
    """Read and decode an article file; raise InputError with a reason a person can act on."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not an article file")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{path}: too large ({size:,} bytes; the limit is {max_bytes:,})")
    data = path.read_bytes()
    return decode_source(path, data)


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
    if text is None or _looks_binary(text):
        raise InputError(f"{path}: not text in UTF-8, GBK or GB18030")
    if not text.strip():
        raise InputError(f"{path}: empty file")
    return SourceText(path=path, text=text, sha256=digest, encoding=encoding)


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    return controls > max(8, len(text) // 100)


@dataclass(frozen=True, slots=True)
class Folded:
    """A matching copy of part of a text: NFKC-folded, some characters dropped, each mapped back."""

    text: str
    origin: tuple[int, ...]  # origin[i] = code-point offset in the source of text[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Source offsets of the folded slice text[start:end]."""
        return self.origin[start], self.origin[end - 1] + 1


def fold(source: str, pieces: list[tuple[int, int]]) -> Folded:
    """Concatenate source slices, NFKC-folding each character and mapping it to where it came from."""
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
    return Folded("".join(out), tuple(origin))

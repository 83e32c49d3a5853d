"""Text from articles, annotators and askers inside the bot's own Markdown: escaped and defanged.

The bot's replies mix its own markup (bold, a quote line, lists, a table) with text it did not write:
quotes, metric names and titles from articles or annotators, and the asker's own words echoed back.
That text is escaped with CommonMark backslash escapes (so `[p](//evil…)`, `<script>`, `**`, `|` read
as written) and defanged with an invisible U+200B where an escape is not enough or not understood:
between `@` and a name (no `@all`, `@channel`, `@here` ping), between `]` and `(` (no link or image),
in `://` and `www.` (no autolink). bot/render.py turns the escapes into each platform's form.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"
_SPECIAL = re.compile(r"([\\`*\[\]|<>&])")
_DEFANG = re.compile(r"(@|\](?=\()|://|(?i:\bwww)\.)")


def escape(text: str) -> str:
    """`text` as Markdown that renders as the same characters and makes no link, tag, mention or format."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return _DEFANG.sub(_defang, escaped)


def _defang(match: re.Match[str]) -> str:
    found = match.group()
    if found == "@":
        return "@" + ZWSP
    if found == "]":
        return "]" + ZWSP
    if found == "://":
        return ":" + ZWSP + "//"
    return found[:-1] + ZWSP + "."


ESCAPED = re.compile(r"\\(.)", re.DOTALL)  # one escape, read left to right (so `\\<` is a backslash, then <)

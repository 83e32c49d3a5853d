"""JSON from strangers: parsed only when it is nested no deeper than a limit, so depth cannot crash a parser.

`json.loads` recurses once per level: a body of ~1000 `[` raises RecursionError (a 500). Every request body the
bot parses (the API, the Label Studio hook, each platform's payload) goes through `loads`, which counts the
nesting on the raw text first, in one linear pass, and refuses what is too deep before parsing it.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64  # real payloads nest < 15 levels (a Slack block, a Teams activity); json.loads fails near 960
_TOKEN = re.compile(r'\\.|["\[\]{}]', re.DOTALL)  # an escape pair (skipped whole), a quote, a bracket


class TooDeep(ValueError):
    """JSON nested deeper than the limit: refused unparsed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the JSON is nested deeper than {limit} levels")
        self.limit = limit


def depth(text: str) -> int:
    """How deep the brackets outside strings nest (an upper bound on the depth of invalid JSON)."""
    deepest = level = 0
    in_string = False
    for m in _TOKEN.finditer(text):
        c = m.group()
        if c == '"':
            in_string = not in_string
        elif in_string or len(c) == 2:
            continue
        elif c in "[{":
            level += 1
            deepest = max(deepest, level)
        else:
            level -= 1
    return deepest


def loads(raw: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON; TooDeep when nested deeper than `max_depth`, ValueError when not JSON (or bytes not UTF-8)."""
    text = raw.decode("utf-8") if isinstance(raw, bytes | bytearray) else raw
    if depth(text) > max_depth:
        raise TooDeep(max_depth)
    try:
        return json.loads(text)
    except RecursionError:  # cannot happen below the limit; kept so that depth never becomes a 500
        raise TooDeep(max_depth) from None

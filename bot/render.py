"""One reply, in each platform's markup. The words come from bot/messages.py; this only changes the markup.

Markdown dialects differ: DingTalk and Feishu render no tables, Slack has its own mrkdwn (*bold*,
escaped <>&), Teams and DingTalk need blank lines or hard breaks between lines, Mattermost renders
GitHub tables. A comparison or series (Reply.table) is a Markdown table for Mattermost here; Slack, Feishu and Teams
draw it natively in their adapters (Block Kit, a card, an Adaptive Card); elsewhere it is numbered lines.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import markup, messages

if TYPE_CHECKING:
    from .answer import Reply

TITLE_CHARS = 40


def plain(reply: Reply) -> str:
    """Text with no markup (WeCom text replies, notifications)."""
    return reply.text


def feishu_text(reply: Reply) -> str:
    """Feishu's `text` message: plain text, but `<at user_id="all">` in it mentions everyone; the bot writes none."""
    return FEISHU_AT.sub("<" + markup.ZWSP, reply.text)


FEISHU_AT = re.compile(r"<(?=at\b)", re.IGNORECASE)


def title(reply: Reply) -> str:
    """The first line of the reply, short enough for a notification or a DingTalk markdown title."""
    first = reply.text.split("\n", 1)[0].strip()
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"


def markdown(reply: Reply) -> str:
    """Markdown with tables (Mattermost): a comparison or series becomes a table."""
    if reply.table is not None:
        return messages.table_markdown(reply.table)
    return reply.markdown


def hard_breaks(reply: Reply) -> str:
    """Markdown without tables, every line break kept (DingTalk, Teams: a single newline is not a break there).

    Both render some HTML (Teams <b>, <at>; DingTalk <font>), so escaped &, < and > become entities, which
    any renderer that knows HTML reads as text; the other escapes stay CommonMark's.
    """
    lines = markup.ESCAPED.sub(_entity, reply.markdown).split("\n")
    out: list[str] = []
    for line in lines:
        if out and out[-1] != "" and line != "":
            out[-1] += "  "  # two trailing spaces: a hard line break
        out.append(line)
    return "\n".join(out)


def slack_mrkdwn(reply: Reply) -> str:
    """Slack's mrkdwn: *bold*, `>` quotes at the start of a line, and &, <, > escaped everywhere else.

    mrkdwn has no backslash escapes: an escaped character is written as itself (&, <, > as entities, which
    is all Slack needs to show them as text: no <!channel>, <@U…> or <url|link> can be formed).
    """
    out = []
    for line in reply.markdown.split("\n"):
        quote = line.startswith("> ")
        body = line[2:] if quote else line
        body = _SLACK.sub(_slack_token, body)
        out.append(("> " if quote else "") + body)
    return "\n".join(out)


_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_SLACK = re.compile(r"\\(.)|\*\*|[&<>]", re.DOTALL)  # an escape, the bot's own bold, or a character to escape


def _slack_token(match: re.Match[str]) -> str:
    if match.group() == "**":
        return "*"
    char = match.group(1) or match.group()
    return _ENTITIES.get(char, char)


def _entity(match: re.Match[str]) -> str:
    char = match.group(1)
    return _ENTITIES.get(char) or match.group()


def rich_text(reply: Reply) -> dict[str, object]:
    """Feishu's `post` message: a title line and one paragraph per line of text (no markdown to misrender)."""
    head, *rest = reply.text.split("\n")
    return {
        "zh_cn": {
            "title": head,
            "content": [[{"tag": "text", "text": line}] for line in rest if line.strip()],
        }
    }

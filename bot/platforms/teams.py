"""Microsoft Teams: an outgoing webhook (an @-mention in a team's channel), answered in the response body.

Teams POSTs a Bot Framework message activity and signs it: `Authorization: HMAC <base64>` =
base64(HMAC-SHA256(key=base64-decoded security token, msg=raw body)). The body is all that is signed; there is
no timestamp, so a captured request stays valid for ever — the retry guard on the activity `id` answers each
one once. The question is the activity's HTML `text` without its `<at>…</at>` mention. Teams waits 5 s for the
reply, a message activity in the response body ({"type": "message", "text": …}); outgoing webhooks have no way
to reply later. Its text is Markdown that needs hard line breaks and renders no tables; a comparison or series is an
Adaptive Card attachment with a Table instead.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import re
from typing import TYPE_CHECKING

from .. import markup, messages, render, settings
from .base import Inbound, Message, Outbound, Platform, PlatformConfigError, Rejected, constant_time_equal

if TYPE_CHECKING:
    from ..answer import Reply, Table
    from .base import Chat

KEY_BYTES = 32  # "valid 256 bit base64 encoded strings" (Microsoft's outgoing-webhook sample, AuthProvider.cs)
# An acknowledgement: a well-formed message activity, as Teams expects in the body, with nothing to show.
NOTHING = Outbound.json({"type": "message", "text": ""})
MENTION = re.compile(r"<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
BREAK = re.compile(r"<br\s*/?>|</(?:p|div|li)>", re.IGNORECASE)
TAG = re.compile(r"<[^>]*>")


def sign(body: bytes, key: bytes) -> str:
    """Teams' signature of a request body: base64(HMAC-SHA256(key=decoded security token, msg=raw body))."""
    return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode("ascii")


def question(text: str) -> str:
    """The activity's HTML text as the person typed it: mentions and tags removed, entities (&nbsp;) decoded."""
    text = MENTION.sub(" ", text)
    text = TAG.sub("", BREAK.sub("\n", text))
    return " ".join(html.unescape(text).split())  # str.split() also splits on the no-break space of &nbsp;


class Teams(Platform):
    name = "teams"
    title = "Microsoft Teams"
    required = (settings.TEAMS_SECURITY_TOKEN,)

    def __init__(self, config) -> None:
        super().__init__(config)
        # One outgoing webhook per team, each with its own token: several may be set, comma-separated.
        self.keys = tuple(_key(token) for token in self.listed(settings.TEAMS_SECURITY_TOKEN))

    def verify(self, req: Inbound) -> None:
        if req.method != "POST":
            raise Rejected(405, "Teams POSTs messages here")
        scheme, _, given = req.headers.get("Authorization", "").partition(" ")
        if scheme.upper() != "HMAC" or not given.strip():
            raise Rejected(401, "missing Authorization: HMAC header")
        if not any(constant_time_equal(given.strip(), sign(req.body, key)) for key in self.keys):
            raise Rejected(401, "wrong Teams HMAC signature")

    def parse(self, req: Inbound) -> Message | Outbound:
        activity = req.json()
        if not isinstance(activity, dict):
            raise Rejected(400, "the body is not a JSON object")
        if activity.get("type") != "message":  # outgoing webhooks only send messages; nothing else to answer
            return NOTHING
        text = activity.get("text") or ""
        sender, conversation = activity.get("from") or {}, activity.get("conversation") or {}
        attachments = activity.get("attachments") or []
        if not (isinstance(text, str) and isinstance(sender, dict) and isinstance(conversation, dict)):
            raise Rejected(400, "the body is not a Teams message activity (text, from, conversation)")
        if not isinstance(attachments, list):
            raise Rejected(400, "the body is not a Teams message activity (attachments)")
        asked = question(text)
        return Message(
            self.name,
            str(activity.get("id") or "") or None,
            asked,
            str(sender.get("name") or sender.get("id") or "") or None,
            str(conversation.get("id") or "") or None,
            # Teams calls an outgoing webhook only for an @-mention of it, and the HMAC proves Teams sent this: every
            # request is addressed, even one whose text lost its <at> tag (a reply, a client's different markup).
            group=True,
            addressed=True,
            kind="text" if asked else _attached(attachments),
        )

    def respond(self, msg: Message, reply: Reply | None, chat: Chat) -> Outbound:
        if reply is None:
            return NOTHING
        if reply.table is not None:  # a comparison or series: an Adaptive Card with a table
            return Outbound.json(
                {"type": "message", "attachments": [{"contentType": CARD, "content": card(reply.table)}]}
            )
        return Outbound.json({"type": "message", "text": render.hard_breaks(reply)})


CARD = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"  # the first with Table; Teams renders 1.5 on desktop, web and mobile
_CARD_FORMAT = re.compile(r"([*_\[\]`~])")


def card_text(text: str) -> str:
    """Text for a TextBlock, which reads a subset of Markdown: every character that could start a format, list or
    link is followed by an invisible U+200B, links and mentions are defanged as in Markdown replies (bot/markup.py)."""
    defanged = markup.ESCAPED.sub(lambda m: m.group(1), markup.escape(text))  # defangs; escapes Teams does not read
    return _CARD_FORMAT.sub("\\1" + markup.ZWSP, defanged)


def card(t: Table) -> dict[str, object]:
    """A comparison or series as an Adaptive Card: the title, a Table (first row its header) and a note of the rows
    left out and what the marks mean."""
    h = messages.TABLE_HEAD
    if t.kind == "series":
        head = [h["year"], h["amount"], h["metric"], h["verified"]]
        cells = [[r.period_text, r.amount, r.metric, messages.MARKS[r.verified]] for r in t.rows]
        widths = [2, 2, 3, 1]
    else:
        head = [h["rank"], h["zone"], h["amount"], h["metric"], h["period"], h["verified"]]
        cells = [[str(r.rank), r.zone, r.amount, r.metric, r.period_text, messages.MARKS[r.verified]] for r in t.rows]
        widths = [1, 3, 2, 3, 2, 1]

    def row(values: list[str], header: bool = False) -> dict[str, object]:
        return {
            "type": "TableRow",
            "cells": [
                {"type": "TableCell", "items": [
                    {"type": "TextBlock", "text": card_text(v), "wrap": True, **({"weight": "Bolder"} if header else {})}
                ]}
                for v in values
            ],
        }  # fmt: skip

    return {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "fallbackText": t.title,
        "body": [
            {"type": "TextBlock", "text": card_text(t.title), "wrap": True, "weight": "Bolder", "size": "Medium"},
            {"type": "Table", "firstRowAsHeader": True, "gridStyle": "accent",
             "columns": [{"width": w} for w in widths], "rows": [row(head, True), *(row(c) for c in cells)]},
            {"type": "TextBlock", "text": card_text(messages.more_rows(t) + messages.LEGEND), "wrap": True,
             "isSubtle": True, "size": "Small"},
        ],
        # a button per source with an address (outgoing webhooks allow openURL, and no other action)
        **({"actions": [{"type": "Action.OpenUrl", "title": name, "url": url} for name, url in t.links()]}
           if t.links() else {}),
    }  # fmt: skip


def _key(token: str) -> bytes:
    """A security token as the HMAC key it stands for; a malformed one stops the start, naming the setting."""
    env = settings.TEAMS_SECURITY_TOKEN.env
    try:
        key = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        raise PlatformConfigError(
            f"{env} is not valid base64: paste the security token Teams showed when the outgoing webhook was created"
        ) from None
    if len(key) != KEY_BYTES:
        raise PlatformConfigError(
            f"{env} decodes to {len(key)} bytes, not {KEY_BYTES}: is the security token complete?"
        )
    return key


def _attached(attachments: list[object]) -> str:
    """What a message without text carried ("image", "file"), or "text" (an empty question) if nothing."""
    for item in attachments:
        content_type = str(item.get("contentType") or "") if isinstance(item, dict) else ""
        if content_type and content_type != "text/html":  # text/html is the message itself, not an attachment
            return "image" if content_type.startswith("image/") else "file"
    return "text"

"""Mattermost: a slash command (/gaoxin …) or an outgoing webhook (trigger word), answered in the response body.

Both send the integration's token — in the form or JSON body, and for slash commands also as
`Authorization: Token <token>`; each integration has its own, so several may be configured. There is
no signature or timestamp, and Mattermost does not retry. Replies are Markdown; tables render.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from .. import render, settings
from .base import Inbound, Message, Outbound, Platform, Rejected, constant_time_equal

if TYPE_CHECKING:
    from ..answer import Reply
    from .base import Chat

NOTHING = Outbound.json({})  # Mattermost posts nothing for a reply without text


class Mattermost(Platform):
    name = "mattermost"
    title = "Mattermost"
    required = (settings.MATTERMOST_TOKEN,)

    def __init__(self, config) -> None:
        super().__init__(config)
        self.tokens = self.listed(settings.MATTERMOST_TOKEN)

    def _fields(self, req: Inbound) -> dict[str, object]:
        if req.method == "GET":  # a slash command may be set to GET: its fields come in the query string
            return dict(req.args)
        if req.content_type.startswith("application/json"):
            body = req.json()
            if not isinstance(body, dict):
                raise Rejected(400, "the body is not a JSON object")
            return body
        try:
            form = parse_qs(req.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise Rejected(400, "the form is not UTF-8") from None
        return {k: v[0] for k, v in form.items()}

    def verify(self, req: Inbound) -> None:
        # The token travels in the body, so the body is read first; nothing is acted on before it matches.
        scheme, _, header_token = req.headers.get("Authorization", "").partition(" ")
        given = header_token.strip() if scheme.lower() == "token" else str(self._fields(req).get("token") or "")
        if not given or not any(constant_time_equal(given, t) for t in self.tokens):
            raise Rejected(401, "missing or wrong Mattermost token")

    def parse(self, req: Inbound) -> Message | Outbound:
        f = self._fields(req)
        text = str(f.get("text") or "")
        if f.get("command"):  # a slash command: the text is what follows /gaoxin
            return Message(self.name, None, text, str(f.get("user_name") or ""), str(f.get("channel_id") or ""))
        trigger = str(f.get("trigger_word") or "")
        if trigger and text.startswith(trigger):
            text = re.sub(r"^[\s,:,:]+", "", text[len(trigger) :])
        post_id = str(f.get("post_id") or "") or None
        # An outgoing webhook without a trigger word fires on every post of its channel: answer only when called.
        return Message(
            self.name, post_id, text, str(f.get("user_name") or ""), str(f.get("channel_id") or ""),
            group=True, addressed=bool(trigger),
        )  # fmt: skip

    def respond(self, msg: Message, reply: Reply | None, chat: Chat) -> Outbound:
        if reply is None:
            return NOTHING
        if not msg.group:  # slash command: visible to the whole channel, not only to the asker
            return Outbound.json({"response_type": "in_channel", "text": render.markdown(reply)})
        return Outbound.json({"response_type": "comment", "text": render.markdown(reply)})  # in the post's thread

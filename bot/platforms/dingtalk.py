"""DingTalk (钉钉): an enterprise internal robot in HTTP mode, answered in the response body — or, when the answer
is late, through the message's sessionWebhook.

DingTalk POSTs every message addressed to the robot (any direct message; in a group, an @-mention) as JSON, with
headers `timestamp` (ms) and `sign` = Base64(HMAC-SHA256(key=AppSecret, msg=timestamp + "\\n" + AppSecret)); a
timestamp more than an hour from now is refused. The sign does not cover the body: a captured (timestamp, sign)
pair passes with any body for that hour. The retry guard on `msgId` stops a replay of the same message, and a late
reply is only ever POSTed to a DingTalk host, so a forged body cannot send answers elsewhere.
dingtalk_stream's `ChatbotMessage` parses the body.

The reply is a markdown message (no tables; every line break made hard); a comparison or series whose sources
have addresses is an ActionCard with the same text and a button per source. DingTalk documents no deadline for the
response (community code assumes 3–5 s), so the answer is computed off the request thread: when it is not ready
within DINGTALK_REPLY_SECONDS (2 s), the request is acknowledged with {"msgtype": "empty"} — "no reply here" in
common use — and the same markdown is POSTed to the sessionWebhook (valid for about 90 minutes) when it is ready.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import render, settings
from .base import Inbound, Message, Outbound, Platform, Rejected, check_window, constant_time_equal

if TYPE_CHECKING:
    from dingtalk_stream import ChatbotMessage

    from ..answer import Reply
    from .base import Chat

log = logging.getLogger("gaoxin.platforms.dingtalk")

WINDOW_S = 3600  # DingTalk's documented window for the signed timestamp
REPLY_S = 2.0  # wait this long for the answer before acknowledging and replying through the sessionWebhook
POST_TIMEOUT_S = 10  # a sessionWebhook POST; a stuck one must not hold a delivery worker for ever
# The body is not signed, so its sessionWebhook is only trusted on DingTalk's own hosts (the trailing slash keeps
# look-alikes such as https://oapi.dingtalk.com.example.org/ out).
SESSION_WEBHOOK_PREFIXES = ("https://oapi.dingtalk.com/", "https://api.dingtalk.com/")
NOTHING = Outbound.json({"msgtype": "empty"})  # an acknowledgement DingTalk shows nothing for
# What is left of an @-mention at the start of the text: DingTalk usually removes the robot's own, but not always,
# and ends a mention with a space or U+2005 (both \s).
MENTION = re.compile(r"^\s*(?:@\S+(?:\s+|$))+")


def sign(timestamp: str, secret: str) -> str:
    """DingTalk's request signature: Base64(HMAC-SHA256(key=AppSecret, msg=timestamp + "\\n" + AppSecret))."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass
class _Race:
    """An answer computed off the request thread: the request takes it if in time, else the worker posts it."""

    late: bool  # the request stopped waiting: the worker delivers through the sessionWebhook
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)
    reply: Reply | None = None
    error: Exception | None = None


class DingTalk(Platform):
    name = "dingtalk"
    title = "DingTalk"
    required = (settings.DINGTALK_APP_SECRET,)

    def __init__(self, config) -> None:
        super().__init__(config)
        # DingTalk documents no format for the AppSecret (Client Secret), so there is nothing to check here.
        self.secret = str(config[settings.DINGTALK_APP_SECRET.key]).strip()
        # A private knob: tests point it at their fake server.
        self.webhook_prefixes = tuple(config.get("DINGTALK_SESSION_WEBHOOK_PREFIXES", SESSION_WEBHOOK_PREFIXES))

    def warm(self) -> None:
        import dingtalk_stream  # noqa: F401
        import requests  # noqa: F401

    # ── the steps ────────────────────────────────────────────────────────────────────────────
    def verify(self, req: Inbound) -> None:
        if req.method != "POST":
            raise Rejected(405, "DingTalk POSTs messages here")
        timestamp = req.headers.get("timestamp")
        check_window(timestamp, WINDOW_S, millis=True)
        given = req.headers.get("sign", "")
        if not given or not constant_time_equal(given, sign(str(timestamp), self.secret)):
            raise Rejected(401, "missing or wrong DingTalk sign")

    def parse(self, req: Inbound) -> Message:
        return self._read(req)[0]

    def _read(self, req: Inbound) -> tuple[Message, ChatbotMessage]:
        """The neutral message, and DingTalk's own (for its sessionWebhook)."""
        body = req.json()
        if not isinstance(body, dict):
            raise Rejected(400, "the body is not a JSON object")
        from dingtalk_stream import ChatbotMessage

        try:  # from_dict indexes and converts without checking: a malformed field raises almost anything
            incoming = ChatbotMessage.from_dict(body)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise Rejected(400, "the body is not a DingTalk robot message") from None
        kind = incoming.message_type
        content = incoming.text.content if incoming.text is not None else ""
        if not isinstance(kind, str) or not isinstance(content, str | None):
            raise Rejected(400, "the body is not a DingTalk robot message (msgtype, text.content)")
        text = MENTION.sub("", content or "") if kind == "text" else ""
        msg = Message(
            self.name,
            str(incoming.message_id) if incoming.message_id else None,
            text.strip(),
            str(incoming.sender_staff_id or incoming.sender_id or "") or None,
            str(incoming.conversation_id or "") or None,
            group=str(incoming.conversation_type) == "2",
            addressed=bool(incoming.is_in_at_list),  # in a group DingTalk only sends @-mentions; trust its flag
            kind=kind,
        )
        return msg, incoming

    def handle(self, req: Inbound, chat: Chat) -> Outbound:
        self.verify(req)
        msg, incoming = self._read(req)
        hook = self._session_webhook(incoming)
        if hook is None:  # nowhere to reply later: answer in this response, however long it takes
            return self.respond(msg, chat.answer(msg), chat)
        return self._answer_in_time(msg, hook, chat)

    def respond(self, msg: Message, reply: Reply | None, chat: Chat) -> Outbound:
        return NOTHING if reply is None else Outbound.json(self._payload(reply))

    # ── late replies ─────────────────────────────────────────────────────────────────────────
    @staticmethod
    def _payload(reply: Reply) -> dict[str, Any]:
        """Markdown; a comparison or series whose sources have addresses is an ActionCard, a button per source."""
        text, title = render.hard_breaks(reply), render.title(reply)
        links = reply.table.links() if reply.table is not None else []
        if links:
            buttons = [{"title": _button(name), "actionURL": url} for name, url in links]
            return {"msgtype": "actionCard", "actionCard": {"title": title, "text": text, "btnOrientation": "0",
                                                             "btns": buttons}}  # fmt: skip
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}

    def _session_webhook(self, incoming: ChatbotMessage) -> str | None:
        """The message's sessionWebhook, if it may be used: set, on a DingTalk host, not expired."""
        url = incoming.session_webhook
        if not isinstance(url, str) or not url:
            return None
        if not url.startswith(self.webhook_prefixes):
            log.warning("dingtalk: ignoring a sessionWebhook outside %s", ", ".join(self.webhook_prefixes))
            return None
        if self._expired(incoming):
            return None
        return url

    @staticmethod
    def _expired(incoming: ChatbotMessage) -> bool:
        expires_ms = incoming.session_webhook_expired_time
        return expires_ms is not None and expires_ms <= time.time() * 1000

    def _answer_in_time(self, msg: Message, hook: str, chat: Chat) -> Outbound:
        """The answer in the response if ready within the deadline; else an acknowledgement, and a POST later."""
        deadline = float(self.config.get("DINGTALK_REPLY_SECONDS", REPLY_S))  # read per request: tests change it
        race = _Race(late=deadline <= 0)

        def work() -> None:
            try:
                reply, error = chat.answer(msg), None
            except Exception as exc:  # handed to whoever delivers: the request (a 503) or Chat.later (logged)
                reply, error = None, exc
            with race.lock:
                race.reply, race.error = reply, error
                race.done.set()
                if not race.late:
                    return  # the request is still waiting: the answer goes in its response
            if error is not None:
                raise error
            if reply is not None:
                self._post(hook, self._payload(reply))

        chat.later(work)
        if not race.late:
            race.done.wait(deadline)
        with race.lock:
            if race.done.is_set() and not race.late:
                if race.error is not None:
                    raise race.error
                return self.respond(msg, race.reply, chat)
            race.late = True
        log.info(
            "dingtalk: %s not answered within %.1f s; replying through the sessionWebhook", msg.delivery_id, deadline
        )
        return NOTHING

    @staticmethod
    def _post(url: str, payload: dict[str, Any]) -> None:
        """POST a reply to a sessionWebhook (no auth: the URL is the credential); failures are logged."""
        # Not dingtalk_stream's ChatbotHandler.reply_markdown: it posts without a timeout and hides failures.
        import requests

        response = requests.post(url, json=payload, timeout=POST_TIMEOUT_S)
        response.raise_for_status()
        try:
            result = response.json()
        except ValueError:
            result = {}
        if isinstance(result, dict) and result.get("errcode") not in (None, 0):
            log.warning(
                "dingtalk: the sessionWebhook refused the reply: %s %s", result.get("errcode"), result.get("errmsg")
            )


BUTTON_CHARS = 20  # a button's label: the source article's title, cut


def _button(title: str) -> str:
    label = f"原文:{title}"
    return label if len(label) <= BUTTON_CHARS else label[: BUTTON_CHARS - 1] + "…"

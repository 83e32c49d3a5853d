"""Feishu / Lark: event subscription in webhook mode (im.message.receive_v1), answered through the Open API.

Feishu POSTs schema-2.0 events as JSON. With an Encrypt Key the body is {"encrypt": base64(iv + AES-256-CBC)}
and signed: X-Lark-Signature = sha256_hex(X-Lark-Request-Timestamp + X-Lark-Request-Nonce + encrypt_key + raw
body), checked here on the raw bytes, in constant time and within an eight-hour timestamp window, before anything
is decrypted. Only the URL check (url_verification) may come unsigned: it is echoed when it decrypts with the
key (and carries the Verification Token, when one is set). Without an Encrypt Key the Verification Token inside
the body (header.token; token for the URL check) is what proves the sender. lark-oapi's EventDispatcherHandler
is not used: it answers auth failures with HTTP 500 (so Feishu re-pushes) and checks no timestamp. Its AESCipher
decrypts, and its Client fetches the tenant token and sends the reply.

Nothing is answered in the HTTP response: the event is acknowledged at once ({"msg": "success"}, well within
Feishu's 3 s) and the answer goes out with im.v1.message.reply, as a `post` (a title line and paragraphs;
Feishu renders no Markdown tables), or for a comparison or series an interactive card with a table component.
Feishu re-pushes unacknowledged events (15 s, 5 min, 1 h, 6 h) and may push
one twice anyway: the retry guard keys on message_id, as Feishu's docs advise (not event_id). In a group the bot
answers only when it is @-mentioned itself; its open_id comes from /open-apis/bot/v3/info, fetched once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .. import markup, messages, render, settings
from .base import (
    Inbound,
    Message,
    Outbound,
    Platform,
    PlatformConfigError,
    Rejected,
    check_window,
    constant_time_equal,
    parse_json,
)

if TYPE_CHECKING:
    from lark_oapi import Client
    from lark_oapi.core.utils import AESCipher

    from ..answer import Reply, Table
    from .base import Chat

log = logging.getLogger("gaoxin.platforms.feishu")

ACK = Outbound.json({"msg": "success"})  # what lark-oapi answers; Feishu only needs the 200
URL_CHECK = "url_verification"
MESSAGE_EVENT = "im.message.receive_v1"
# lark-oapi checks no freshness. Eight hours admit Feishu's last re-push (6 h after the first, should it keep the
# first timestamp) and stay far shorter than the retry guard's memory (24 h), so a captured request can never be
# replayed once its message id is forgotten.
WINDOW_S = 8 * 3600.0
TIMEOUT_S = 5.0  # per Open API call: the bot-info lookup runs inside Feishu's 3 s, so fail fast rather than hang
MENTION = re.compile(r"@_user_\d+|@_all")  # Feishu's placeholders for @-mentions in a text message's content
BOT_INFO = "/open-apis/bot/v3/info"
UUID_MAX = 50  # im.v1.message.reply: the idempotency uuid is at most 50 characters
LOOPBACK = ("127.0.0.1", "localhost", "::1")
TOKEN, KEY = settings.FEISHU_VERIFICATION_TOKEN, settings.FEISHU_ENCRYPT_KEY


def _origin(domain: str) -> str:
    """The Open API origin as lark-oapi accepts it (https, or http on loopback; no path), checked at start-up."""
    value = domain.strip().rstrip("/")
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
    except ValueError:
        parts, host = None, ""
    ok = (
        parts is not None
        and (parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK))
        and bool(host)
        and "@" not in parts.netloc
        and not (parts.path or parts.query or parts.fragment)
    )
    if not ok:
        raise PlatformConfigError(
            f"{settings.FEISHU_DOMAIN.env} must be an https origin such as https://open.feishu.cn (got {domain!r})"
        )
    return value


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _token(event: Mapping[str, Any]) -> str:
    """The Verification Token an event carries: top-level for the URL check (and schema 1.0), in header for 2.0."""
    if event.get("type") == URL_CHECK or "schema" not in event:
        given = event.get("token")
    else:
        given = _dict(event.get("header")).get("token")
    return given if isinstance(given, str) else ""


class Feishu(Platform):
    name = "feishu"
    title = "Feishu"
    required = (settings.FEISHU_APP_ID, settings.FEISHU_APP_SECRET)  # replies need the API; see missing()

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.app_id = str(config[settings.FEISHU_APP_ID.key]).strip()
        self.app_secret = str(config[settings.FEISHU_APP_SECRET.key]).strip()
        self.token = str(config.get(TOKEN.key) or "").strip()
        self.encrypt_key = str(config.get(KEY.key) or "").strip()
        self.domain = _origin(str(config.get(settings.FEISHU_DOMAIN.key) or settings.FEISHU_DOMAIN.default))
        self._client: Client | None = None
        self._cipher: AESCipher | None = None
        self._bot_open_id: str | None = None
        self._client_lock = threading.Lock()
        self._bot_lock = threading.Lock()

    @classmethod
    def missing(cls, config: Mapping[str, Any]) -> list[str]:
        """App ID and secret, and a Verification Token or an Encrypt Key: without either the route would be open."""
        missing = super().missing(config)
        if not any(str(config.get(s.key) or "").strip() for s in (TOKEN, KEY)):
            missing.append(f"{TOKEN.env} or {KEY.env}")
        return missing

    def warm(self) -> None:
        """Import lark-oapi (about 4 s: it loads every API module) and build the client, once, before the fork."""
        self._api()
        self._aes()

    # ── lark-oapi, imported on first use ─────────────────────────────────────────────────────
    def _api(self) -> Client:
        with self._client_lock:
            if self._client is None:
                import lark_oapi as lark

                # The tenant token is fetched and cached (until 10 min before it expires) by the client itself.
                self._client = (
                    lark.Client.builder()
                    .app_id(self.app_id)
                    .app_secret(self.app_secret)
                    .domain(self.domain)
                    .timeout(TIMEOUT_S)
                    .build()
                )
            return self._client

    def _aes(self) -> AESCipher:
        if self._cipher is None:
            from lark_oapi.core.utils import AESCipher

            self._cipher = AESCipher(self.encrypt_key)  # key = sha256(encrypt_key); IV = the first 16 bytes
        return self._cipher

    # ── the steps ────────────────────────────────────────────────────────────────────────────
    def _event(self, req: Inbound) -> dict[str, Any]:
        """The event as JSON, decrypted when an Encrypt Key is set; 400 when it is not what Feishu sends."""
        body = req.json()
        if not isinstance(body, dict):
            raise Rejected(400, "the body is not a JSON object")
        if not self.encrypt_key:
            if "encrypt" in body:
                raise Rejected(401, f"the event is encrypted, but {KEY.env} is not set")
            return body
        encrypted = body.get("encrypt")
        if not isinstance(encrypted, str) or not encrypted:
            raise Rejected(400, 'expected an encrypted event {"encrypt": "…"}: an Encrypt Key is set')
        try:
            plain = self._aes().decrypt_str(encrypted)
        except (ValueError, UnicodeDecodeError):  # bad base64, length or padding (binascii.Error is a ValueError)
            raise Rejected(400, f"the event does not decrypt to JSON with {KEY.env}") from None
        event = parse_json(plain, "the decrypted event")
        if not isinstance(event, dict):
            raise Rejected(400, "the decrypted event is not a JSON object")
        return event

    def verify(self, req: Inbound) -> None:
        if not self.encrypt_key:  # the Verification Token travels in the body, so the body is read first
            if not self.token or not constant_time_equal(_token(self._event(req)), self.token):
                raise Rejected(401, "missing or wrong Feishu Verification Token")
            return
        signature = req.headers.get("X-Lark-Signature", "")
        if signature:
            timestamp = req.headers.get("X-Lark-Request-Timestamp", "")
            nonce = req.headers.get("X-Lark-Request-Nonce", "")
            expected = hashlib.sha256((timestamp + nonce + self.encrypt_key).encode("utf-8") + req.body).hexdigest()
            if not constant_time_equal(signature, expected):
                raise Rejected(401, "wrong X-Lark-Signature")
            check_window(timestamp, WINDOW_S, name="X-Lark-Request-Timestamp")
            event = self._event(req)
        else:
            # Feishu may send the URL check unsigned: then it must decrypt with the key and be nothing but that.
            try:
                event = self._event(req)
            except Rejected:
                raise Rejected(
                    401, "unsigned request (no X-Lark-Signature) that is not an encrypted URL check"
                ) from None
            if event.get("type") != URL_CHECK:
                raise Rejected(401, "missing X-Lark-Signature: only the URL check may come unsigned")
        if self.token:
            given = _token(event)
            # A signed event proves itself; like lark-oapi, its token is compared only when it carries one.
            if (given or not signature) and not constant_time_equal(given, self.token):
                raise Rejected(401, "wrong Feishu Verification Token")

    def parse(self, req: Inbound) -> Message | Outbound:
        event = self._event(req)
        if event.get("type") == URL_CHECK:
            challenge = event.get("challenge")
            if not isinstance(challenge, str):
                raise Rejected(400, "the URL check carries no challenge")
            return Outbound.json({"challenge": challenge})
        if _dict(event.get("header")).get("event_type") != MESSAGE_EVENT:
            return ACK  # another event this app subscribed to (or schema 1.0): acknowledged, not answered
        body = _dict(event.get("event"))
        message, sender = _dict(body.get("message")), _dict(body.get("sender"))
        message_id = message.get("message_id")
        if not isinstance(message_id, str) or not message_id:
            raise Rejected(400, "the message event has no event.message.message_id")
        if sender.get("sender_type") == "app":
            return ACK  # a bot's message: never answered, so two bots cannot talk to each other forever
        message_type = str(message.get("message_type") or "unknown")
        text = ""
        if message_type == "text":
            content = parse_json(str(message.get("content") or ""), "event.message.content")
            text = str(_dict(content).get("text") or "")
            text = " ".join(MENTION.sub(" ", text).split())
        group = message.get("chat_type") != "p2p"  # "group" (and any newer kind of chat: only when mentioned)
        mentions = [_dict(m) for m in message.get("mentions") or [] if isinstance(m, dict)]
        return Message(
            self.name, message_id, text, _dict(sender.get("sender_id")).get("open_id"), message.get("chat_id"),
            group=group, addressed=not group or self._mentions_me(mentions),
            kind="text" if message_type == "text" else message_type,
        )  # fmt: skip

    def _mentions_me(self, mentions: list[dict[str, Any]]) -> bool:
        """Whether the bot itself is among a message's @-mentions (not another user or bot, not @all)."""
        if not mentions:
            return False  # no lookup needed: nobody was mentioned
        me = self._bot_id()
        return any(_dict(m.get("id")).get("open_id") == me for m in mentions)

    def _bot_id(self) -> str:
        """The bot's own open_id, from GET /open-apis/bot/v3/info (tenant token); asked once per process."""
        with self._bot_lock:
            if self._bot_open_id:
                return self._bot_open_id
            import lark_oapi as lark

            request = (
                lark.BaseRequest.builder()
                .http_method(lark.HttpMethod.GET)
                .uri(BOT_INFO)
                .token_types({lark.AccessTokenType.TENANT})
                .build()
            )
            try:
                response = self._api().request(request)
                body = json.loads(response.raw.content)
                open_id = body["bot"]["open_id"] if body.get("code") == 0 else None
            except Exception as exc:  # network, token or a changed answer: any of them leaves the bot unsure
                log.error("feishu: asking %s for the bot's open_id failed: %s", BOT_INFO, exc)
                open_id = None
            if not isinstance(open_id, str) or not open_id:
                # Nothing was claimed yet: a non-200 makes Feishu push the message again later.
                raise Rejected(503, "could not learn the bot's open_id from the Feishu Open API (bot/v3/info)")
            self._bot_open_id = open_id
            return open_id

    def respond(self, msg: Message, reply: Reply | None, chat: Chat) -> Outbound:
        if reply is not None and msg.delivery_id:
            chat.later(self._reply, msg.delivery_id, reply)  # after the acknowledgement: Feishu waits only 3 s
        return ACK

    def _reply(self, message_id: str, reply: Reply) -> None:
        """Reply to the message (in its chat, quoting it) through im.v1.message.reply."""
        from lark_oapi.api.im.v1 import ReplyMessageRequest, ReplyMessageRequestBody

        msg_type, content = _content(reply)
        # Feishu carries out replies with the same uuid at most once an hour: a second guard against double replies.
        uuid = message_id if len(message_id) <= UUID_MAX else hashlib.sha256(message_id.encode()).hexdigest()[:UUID_MAX]
        body = ReplyMessageRequestBody.builder().msg_type(msg_type).content(content).uuid(uuid).build()
        request = ReplyMessageRequest.builder().message_id(message_id).request_body(body).build()
        response = self._api().im.v1.message.reply(request)
        if not response.success():
            log.error(
                "feishu: replying to %s failed: code %s, %s (log id %s)",
                message_id, response.code, response.msg, response.get_log_id(),
            )  # fmt: skip


def _content(reply: Reply) -> tuple[str, str]:
    """An interactive card for a comparison or series; a `post` (a title, then a paragraph per line) for a reply of
    several lines; a one-liner as plain text."""
    if reply.table is not None:
        return "interactive", json.dumps(card(reply.table), ensure_ascii=False)
    if sum(1 for line in reply.text.split("\n") if line.strip()) > 1:
        return "post", json.dumps(render.rich_text(reply), ensure_ascii=False)
    # A post would be a bare title with no paragraphs (EMPTY, NOT_TEXT …): plain text reads better.
    return "text", json.dumps({"text": render.feishu_text(reply)}, ensure_ascii=False)


def card(t: Table) -> dict[str, Any]:
    """A comparison or series as a Feishu message card (card JSON 2.0; lark-oapi has no card types): a header with
    the title, a table component whose cells are plain text (data_type "text": no lark_md, so no link, mention or
    format can form in a zone or metric name), and a note of the rows left out and the marks."""
    h = messages.TABLE_HEAD
    if t.kind == "series":
        keys = ("year", "amount", "metric", "verified")
        rows = [{"year": r.period_text, "amount": r.amount, "metric": r.metric, "verified": messages.MARKS[r.verified]}
                for r in t.rows]  # fmt: skip
    else:
        keys = ("rank", "zone", "amount", "metric", "period", "verified")
        rows = [
            {"rank": str(r.rank), "zone": r.zone, "amount": r.amount, "metric": r.metric, "period": r.period_text,
             "verified": messages.MARKS[r.verified]}
            for r in t.rows
        ]  # fmt: skip
    right = {"rank", "amount"}
    columns = [
        {"name": k, "display_name": h[k], "data_type": "text", "width": "auto",
         "horizontal_align": "right" if k in right else "left"}
        for k in keys
    ]  # fmt: skip
    return {
        "schema": "2.0",
        "config": {"update_multi": True},
        "header": {"title": {"tag": "plain_text", "content": _no_at(t.title)}, "template": "blue"},
        "body": {
            "elements": [
                {"tag": "table", "page_size": max(1, min(len(rows), 10)), "row_height": "auto", "freeze_first_column": True,
                 "header_style": {"bold": True, "background_style": "grey"}, "columns": columns,
                 "rows": [{k: _no_at(v) for k, v in row.items()} for row in rows]},
                {"tag": "markdown", "content": messages.more_rows(t) + messages.LEGEND, "text_size": "notation"},
            ]
        },
    }  # fmt: skip


def _no_at(text: str) -> str:
    """Feishu reads `<at …>` in some text as a mention: the bot writes none, and none in the data can form one."""
    return render.FEISHU_AT.sub("<" + markup.ZWSP, text)

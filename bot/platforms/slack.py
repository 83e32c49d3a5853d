"""Slack: the slash command /gaoxin (answered in the response body), and Events API mentions and direct messages
(acknowledged at once, answered through the Web API's chat.postMessage).

Slack signs every request: `X-Slack-Signature` = "v0=" + hex HMAC-SHA256(signing secret,
"v0:{X-Slack-Request-Timestamp}:{raw body}"), and a timestamp more than 5 minutes from now is a replay. The
Events API's first contact is a `url_verification` challenge, echoed back. Slack wants a 2xx within 3 s and
otherwise re-sends the event (`X-Slack-Retry-Num`, same `event_id`), so the `event_id` is the delivery id.
Replies are Slack mrkdwn (*bold*, escaped &<>), which renders no tables: a comparison or series comes as Block Kit
(a table block) with its mrkdwn text as the fallback.

slack_bolt does the Slack side (its own signature check again, the challenge, `auth.test` once to learn the
bot's own ids, dropping the bot's own events, the ack body). Our framework hands over a raw `Inbound`, not a
Flask request, so this module does what `slack_bolt.adapter.flask` does inside: raw body, query and headers in a
`BoltRequest`, `App.dispatch`, the `BoltResponse` back out. Bolt runs listeners before responding
(process_before_response): a command's answer goes in the ack; an event is acked at once and its answer is
posted from `Chat.later` (our pool: drained in tests, finished on a graceful exit), not from Bolt's own pool.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from typing import TYPE_CHECKING, Any

from .. import messages, render, settings
from .base import (
    Chat,
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
    from slack_bolt import Ack
    from slack_bolt.request import BoltRequest
    from slack_bolt.response import BoltResponse

    from ..answer import Reply

log = logging.getLogger("gaoxin.platforms.slack")

WINDOW_S = 300  # Slack's documented window, and slack_sdk's SignatureVerifier's
API_TIMEOUT_S = 10  # a Web API call; Slack's own deadline on us is 3 s, so a stuck call must not hang a worker
CHAT = "gaoxin.chat"  # where the listeners find our Chat in Bolt's per-request context
SIGNATURE = "gaoxin.signature"  # and the request's verified signature: a slash command's only id
# A user mention as Slack sends it: <@U123>, <@W123> (Enterprise Grid), optionally <@U123|name>.
MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
ANY = re.compile(r".*")


def _check_depth(body: str, content_type: str) -> None:
    """Bolt parses the body itself (JSON, or a form whose `payload` is JSON): refuse JSON too deep for it first."""
    if not body:
        return
    if content_type.startswith("application/json") or body.startswith("{"):  # as slack_bolt's parse_body decides
        parse_json(body)
        return
    from urllib.parse import parse_qs

    for payload in parse_qs(body).get("payload", []):
        parse_json(payload, "the payload")


def unescape(text: str) -> str:
    """Slack escapes &, < and > in message text (and only those): the question as the person typed it."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class Slack(Platform):
    name = "slack"
    title = "Slack"
    required = (settings.SLACK_SIGNING_SECRET, settings.SLACK_BOT_TOKEN)

    def __init__(self, config) -> None:
        super().__init__(config)
        self.secret = str(config[settings.SLACK_SIGNING_SECRET.key]).strip()
        token = str(config[settings.SLACK_BOT_TOKEN.key]).strip()
        if not token.startswith("xoxb-"):  # a user (xoxp-) or app-level (xapp-) token would post as someone else
            raise PlatformConfigError(
                f"{settings.SLACK_BOT_TOKEN.env} must be the Bot User OAuth Token (xoxb-…), "
                "from the Slack app's OAuth & Permissions page"
            )
        api_url = str(config.get(settings.SLACK_API_URL.key) or settings.SLACK_API_URL.default).strip()
        api_url = api_url.rstrip("/") + "/"  # WebClient joins method names with urljoin: without it, /api is lost

        from slack_bolt import App
        from slack_sdk import WebClient

        self.bolt = App(
            name="gaoxin",  # else Bolt inspects the call stack for a name
            logger=log,
            signing_secret=self.secret,
            client=WebClient(token=token, base_url=api_url, timeout=API_TIMEOUT_S, logger=log),
            token_verification_enabled=False,  # no auth.test at start-up: Bolt calls it on the first request, once
            process_before_response=True,  # listeners run inside dispatch; our own pool does the slow part
            attaching_conversation_kwargs_enabled=False,  # the assistant-thread helpers: unused
        )
        # Whatever name the command got in the Slack console, and every event type: an event nobody listened
        # to would get Bolt's 404, and Slack retries (and in the end disables) events it gets errors for.
        self.bolt.command(ANY)(self._command)
        self.bolt.event(ANY)(self._event)

    def handle(self, req: Inbound, chat: Chat) -> Outbound:
        """Verify, then let Bolt dispatch; its listeners (below) answer through `chat`."""
        self.verify(req)
        return self._outbound(self.bolt.dispatch(self._bolt_request(req, chat)))

    def verify(self, req: Inbound) -> None:
        # Bolt checks the signature too, but only inside dispatch: its BoltRequest parses the body when built.
        if req.method != "POST":
            raise Rejected(405, "Slack sends POST requests only")
        timestamp = req.headers.get("X-Slack-Request-Timestamp", "")
        if not (timestamp.isascii() and timestamp.isdigit()):  # slack_sdk's verifier calls int() on it
            raise Rejected(401, "missing or malformed X-Slack-Request-Timestamp")
        check_window(timestamp, WINDOW_S, name="X-Slack-Request-Timestamp")
        signed = b"v0:" + timestamp.encode() + b":" + req.body
        expected = "v0=" + hmac.new(self.secret.encode(), signed, hashlib.sha256).hexdigest()
        if not constant_time_equal(req.headers.get("X-Slack-Signature", ""), expected):
            raise Rejected(401, "missing or wrong X-Slack-Signature")

    # ── between our framework and Bolt (what slack_bolt.adapter.flask does with a Flask request) ──────────────
    def _bolt_request(self, req: Inbound, chat: Chat) -> BoltRequest:
        from slack_bolt.request import BoltRequest

        try:
            body = req.body.decode("utf-8")
        except UnicodeDecodeError:
            raise Rejected(400, "the body is not UTF-8") from None
        _check_depth(body, req.content_type)
        try:
            context = {CHAT: chat, SIGNATURE: req.headers.get("X-Slack-Signature", "")}
            return BoltRequest(body=body, query=dict(req.args), headers=dict(req.headers), context=context)
        except (ValueError, AttributeError, TypeError):  # bad JSON, or JSON that is not an object
            raise Rejected(400, "the body is neither a JSON object nor a Slack form") from None

    def _outbound(self, resp: BoltResponse) -> Outbound:
        if resp.status == 401:  # Bolt's own signature check: refuse in our words and JSON shape
            raise Rejected(401, "missing or wrong X-Slack-Signature")
        if resp.status >= 500:  # auth.test unreachable, or the store failed in a listener; Bolt logged it
            raise Rejected(503, "Slack's Web API or the fact store is unavailable; try again shortly")
        headers = resp.first_headers_without_set_cookie()
        content_type = headers.pop("content-type", "text/plain;charset=utf-8")
        return Outbound(resp.status, resp.body.encode("utf-8"), content_type, headers)

    # ── Bolt listeners ───────────────────────────────────────────────────────────────────────────────────────
    def _command(self, ack: Ack, command: dict[str, Any], context: dict[str, Any]) -> None:
        """A slash command: the answer is the acknowledgement's body, shown to the whole channel."""
        chat: Chat = context[CHAT]
        # Commands are never retried and carry no id, but a captured one could be replayed within the 5-minute
        # window: its signature (over timestamp and body) is unique to it, so it is the delivery id.
        delivery = f"command:{context[SIGNATURE]}" if context.get(SIGNATURE) else None
        msg = Message(
            self.name, delivery, str(command.get("text") or ""), command.get("user_id"), command.get("channel_id")
        )
        reply = chat.answer(msg)
        if reply is None:
            ack()
            return
        # Slack's default is "only visible to you"; a comparison or series comes as blocks, the text as its fallback
        ack(response_type="in_channel", text=render.slack_mrkdwn(reply), blocks=blocks(reply))

    def _event(self, ack: Ack, body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]) -> None:
        """An Events API event: acknowledged now; a mention or direct message is answered after the response."""
        ack()  # within Slack's 3 s, before anything slow (the first answer loads the bot)
        found = self._message(body, event)
        if found is not None:
            context[CHAT].later(self._deliver, context[CHAT], *found)

    def _message(self, body: dict[str, Any], event: dict[str, Any]) -> tuple[Message, str | None] | None:
        """The message to answer and the thread to answer in, or None for an event the bot leaves alone."""
        kind, channel = event.get("type"), str(event.get("channel") or "")
        if kind == "app_mention" and not channel.startswith("D"):  # in a DM the message.im event is answered
            thread_ts = event.get("thread_ts") or event.get("ts")  # answer in the thread the mention started
            group = True
        elif kind == "message" and event.get("channel_type") == "im":
            # Other bots' posts and edits, deletions, joins… carry bot_id or a subtype; a file is still a person.
            if event.get("bot_id") or event.get("subtype") not in (None, "file_share"):
                return None
            thread_ts, group = event.get("thread_ts"), False
        else:  # channel messages: a mention there arrives as app_mention too, and is answered once, from that
            return None
        text = unescape(MENTION.sub(" ", str(event.get("text") or ""))).strip()
        msg = Message(
            self.name, body.get("event_id"), text, event.get("user"), channel, group=group, addressed=True,
            kind="file" if event.get("files") and not text else "text",
        )  # fmt: skip
        return msg, thread_ts

    def _deliver(self, chat: Chat, msg: Message, thread_ts: str | None) -> None:
        """Answer (the retry guard claims the event id here) and post the reply with chat.postMessage."""
        reply = chat.answer(msg)
        if reply is None:  # a retried event already answered
            return
        self.bolt.client.chat_postMessage(
            channel=msg.conversation, thread_ts=thread_ts, text=render.slack_mrkdwn(reply), blocks=blocks(reply)
        )


HEADER_CHARS = 150  # Block Kit's limit on a header's text


def blocks(reply: Reply) -> list[dict[str, Any]] | None:
    """A comparison or series in Block Kit (slack_sdk's block types, validated): a header, a table block of raw_text
    cells (shown as written: no mrkdwn, link or mention can form in them), and a context line saying how many rows
    were left out and what the marks mean. None for other replies: their mrkdwn text is the message."""
    if reply.table is None:
        return None
    from slack_sdk.models.blocks import (
        ContextBlock,
        HeaderBlock,
        PlainTextObject,
        RawTextObject,
        TableBlock,
        TableBlockColumnSettings,
    )

    t, h = reply.table, messages.TABLE_HEAD
    title = t.title if len(t.title) <= HEADER_CHARS else t.title[: HEADER_CHARS - 1] + "…"
    if t.kind == "series":
        head = [h["year"], h["amount"], h["metric"], h["verified"]]
        cells = [[r.period_text, r.amount, r.metric, messages.MARKS[r.verified]] for r in t.rows]
        align = ["left", "right", "left", "center"]
    else:
        head = [h["rank"], h["zone"], h["amount"], h["metric"], h["period"], h["verified"]]
        cells = [[str(r.rank), r.zone, r.amount, r.metric, r.period_text, messages.MARKS[r.verified]] for r in t.rows]
        align = ["right", "left", "right", "left", "left", "center"]
    built = [
        HeaderBlock(text=PlainTextObject(text=title, emoji=True)),
        TableBlock(
            rows=[[RawTextObject(text=c) for c in row] for row in [head, *cells]],
            column_settings=[TableBlockColumnSettings(align=a, is_wrapped=True) for a in align],
        ),
        ContextBlock(elements=[PlainTextObject(text=messages.more_rows(t) + messages.LEGEND, emoji=True)]),
    ]
    for block in built:
        block.validate_json()  # slack_sdk's own checks (lengths, required fields): a bad block fails here, not at Slack
    return [block.to_dict() for block in built]

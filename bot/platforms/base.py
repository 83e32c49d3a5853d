"""What every chat platform adapter shares: the neutral request, message and response, and the chat core.

An adapter verifies a request on its raw bytes, parses it into a `Message` (mention stripped), lets
`Chat` answer it, renders the reply for its platform and delivers it — in the HTTP response, or
through the platform's API after a quick acknowledgement. Adapters never see Flask; the core never
sees a platform.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .. import messages, safejson
from ..settings import Setting

if TYPE_CHECKING:
    from store import Store

    from ..answer import Bot, Reply

log = logging.getLogger("gaoxin.platforms")


class Rejected(Exception):
    """A request the adapter refuses: the route answers `status` with `reason` (JSON), and nothing is answered."""

    def __init__(self, status: int, reason: str, code: str = "platform_rejected", **fields: object) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.code = code  # the key of its message in messages.HTTP_ERRORS
        self.fields = fields


class PlatformConfigError(Exception):
    """A platform setting that is set but unusable (a malformed key): the app refuses to start, naming it."""


@dataclass(frozen=True, slots=True)
class Inbound:
    """An HTTP request as an adapter sees it: the raw body, before anything parsed it."""

    method: str
    args: Mapping[str, str]
    headers: Mapping[str, str]  # case-insensitive (werkzeug's Headers)
    body: bytes
    content_type: str = ""

    def json(self) -> Any:
        """The body as JSON; a 400 when it is not (call only after verifying the raw bytes)."""
        return parse_json(self.body)


def parse_json(raw: bytes | str, what: str = "the body") -> Any:
    """JSON from a request (bot/safejson.py: depth cannot crash it); Rejected(400) when too deep or not JSON."""
    try:
        return safejson.loads(raw)
    except safejson.TooDeep as exc:
        raise Rejected(400, f"{what}: {exc}", code="too_deep", limit=exc.limit) from None
    except ValueError:
        raise Rejected(400, f"{what} is not valid JSON in UTF-8") from None


@dataclass(frozen=True, slots=True)
class Outbound:
    """The HTTP response an adapter gives back."""

    status: int = 200
    body: bytes | str = b""
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: object, status: int = 200) -> Outbound:
        return cls(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


@dataclass(frozen=True, slots=True)
class Message:
    """A chat message in no platform's terms."""

    platform: str
    delivery_id: str | None  # the platform's message or event id: a retry carries the same one
    text: str  # the mention (or trigger word) already stripped
    user: str | None = None
    conversation: str | None = None
    group: bool = False
    addressed: bool = True  # in a group: the bot was mentioned (only then does it answer)
    kind: str = "text"  # "text", or what else arrived (image, voice…): answered with a short note

    @property
    def chat_id(self) -> str | None:
        """Who a numbered option is picked by: the conversation (else the user) on this platform."""
        who = self.conversation or self.user
        return f"{self.platform}:{who}" if who else None


def constant_time_equal(given: str | bytes, expected: str | bytes) -> bool:
    a = given.encode() if isinstance(given, str) else given
    b = expected.encode() if isinstance(expected, str) else expected
    return hmac.compare_digest(a, b)


def check_window(timestamp: str | None, window_s: float, *, millis: bool = False, name: str = "timestamp") -> None:
    """A signed timestamp must be a number within `window_s` of now (either way): a stale request is a replay."""
    try:
        sent = float(timestamp or "") / (1000 if millis else 1)
    except ValueError:
        raise Rejected(401, f"missing or malformed {name}") from None
    if abs(time.time() - sent) > window_s:
        raise Rejected(401, f"stale request: the {name} is more than {window_s:.0f} s from now")


class Chat:
    """The platform-neutral core behind every adapter: group-chat rules, retry guard, the bot, late delivery."""

    def __init__(self, bot: Callable[[], Bot], store: Callable[[], Store], workers: int = 4) -> None:
        self._bot = bot
        self._store = store
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0
        self._pending: set[Future] = set()
        self._lock = threading.Lock()

    def answer(self, msg: Message) -> Reply | None:
        """The reply to a message, or None: not addressed to the bot, or a delivery already answered."""
        from ..answer import Reply

        if msg.group and not msg.addressed:
            return None
        bot = self._bot()
        if msg.delivery_id and not self._store().claim_delivery(msg.platform, msg.delivery_id):
            log.info("%s: delivery %s already answered; not answering again", msg.platform, msg.delivery_id)
            return None
        if msg.kind != "text":
            return Reply("unknown", messages.NOT_TEXT, messages.NOT_TEXT, intent="not_text")
        return bot.ask(msg.text.strip(), msg.chat_id)

    def later(self, fn: Callable[..., object], *args: object) -> Future:
        """Run `fn` after the response is sent (replies through a platform API); failures are logged, not raised."""

        def run() -> object:
            try:
                return fn(*args)
            except Exception:
                log.exception("delivering a reply failed")
                return None

        with self._lock:
            if self._pool is None or self._pool_pid != os.getpid():  # a pool's threads do not survive a fork
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="gaoxin-deliver")
                self._pool_pid = os.getpid()
            future = self._pool.submit(run)
            self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        return future

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait for the replies still being delivered; True when none is left (tests; at exit Python waits anyway)."""
        with self._lock:
            pending = set(self._pending)
        done, not_done = wait(pending, timeout=timeout)
        return not not_done


class Platform:
    """One chat platform: verify → parse → answer → render → deliver. Subclasses fill in the steps."""

    name: ClassVar[str]  # the route: /webhook/<name>
    title: ClassVar[str]  # as people call it
    required: ClassVar[tuple[Setting, ...]]  # every one must be set, or the platform is disabled

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def listed(self, setting: Setting) -> tuple[str, ...]:
        """A setting that may hold several values, comma-separated (one token per integration or team)."""
        return tuple(v.strip() for v in str(self.config.get(setting.key) or "").split(",") if v.strip())

    @classmethod
    def missing(cls, config: Mapping[str, Any]) -> list[str]:
        """The settings still to set before this platform is enabled (empty: enabled)."""
        return [s.env for s in cls.required if not str(config.get(s.key) or "").strip()]

    def warm(self) -> None:
        """Import or build anything slow before the first request (called once, when the app is preloaded)."""

    def handle(self, req: Inbound, chat: Chat) -> Outbound:
        self.verify(req)
        parsed = self.parse(req)
        if isinstance(parsed, Outbound):  # a handshake, or nothing to answer
            return parsed
        return self.respond(parsed, chat.answer(parsed), chat)

    # ── the steps ────────────────────────────────────────────────────────────────────────────
    def verify(self, req: Inbound) -> None:
        """Raise Rejected unless the raw request is the platform's own."""
        raise NotImplementedError

    def parse(self, req: Inbound) -> Message | Outbound:
        raise NotImplementedError

    def respond(self, msg: Message, reply: Reply | None, chat: Chat) -> Outbound:
        """The HTTP response: the rendered reply in the body, or an acknowledgement (and a delivery later)."""
        raise NotImplementedError

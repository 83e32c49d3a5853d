"""WeCom (企业微信) self-built app callback: encrypted XML in, an encrypted passive XML reply out.

WeCom checks the callback URL with a GET (`msg_signature, timestamp, nonce, echostr`): the bot answers
the decrypted echostr as plain text. Each message then comes as a POST of `<xml><Encrypt>…</Encrypt></xml>`
with `msg_signature, timestamp, nonce` in the query. msg_signature is SHA1 over the sorted token,
timestamp, nonce and Encrypt, so it is checked (in constant time) before anything is decrypted; the
AES-256-CBC plaintext ends with the CorpID it was encrypted for, which wechatpy checks. Text is answered
in the response body as a passive reply (plain text, encrypted the same way); events get an empty 200.
WeCom waits 5 s and retries 3 times, and an empty body also stops its retries; retries carry the same MsgId.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import struct
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from xml.parsers.expat import ExpatError

from .. import messages, render, settings
from .base import Inbound, Message, Outbound, Platform, PlatformConfigError, Rejected, check_window, constant_time_equal

if TYPE_CHECKING:
    from ..answer import Reply
    from .base import Chat

# WeCom documents no window for its timestamp. Its retries come within seconds, so an hour only absorbs clock
# skew; the retry guard remembers ids for 24 h, so a captured request is refused either way: by the guard
# inside the window, by the window after it.
WINDOW_S = 3600
REPLY_BYTES = 2048  # WeCom cuts text content beyond 2048 bytes (possibly mid-character): trim at a line instead
NOTHING = Outbound(200, b"", "text/plain; charset=utf-8")  # no reply, and WeCom does not retry
# What wechatpy's decryption raises on ciphertext it cannot decrypt (bad base64, length, padding or UTF-8).
UNDECRYPTABLE = (ValueError, TypeError, IndexError, struct.error)


def _fit(text: str, limit: int = REPLY_BYTES) -> str:
    """The text cut at a line boundary to at most `limit` UTF-8 bytes, "…" marking the cut."""
    if len(text.encode("utf-8")) <= limit:
        return text
    budget = limit - len("\n…".encode())
    kept: list[str] = []
    for line in text.split("\n"):
        if len("\n".join([*kept, line]).encode("utf-8")) > budget:
            break
        kept.append(line)
    head = "\n".join(kept) if kept else text.encode("utf-8")[:budget].decode("utf-8", "ignore")
    return head + "\n…"


def _text(reply: Reply, limit: int = REPLY_BYTES) -> str:
    """The reply as text; a comparison or series too long for WeCom loses rows (a ranking its last, a series its
    earliest), counted in its 还有N个园区 line, rather than being cut mid-list with the count and legend lost."""
    text = render.plain(reply)
    t = reply.table
    while t is not None and len(text.encode("utf-8")) > limit and len(t.rows) > 1:
        t = replace(t, rows=t.rows[1:] if t.kind == "series" else t.rows[:-1], more=t.more + 1)
        text = messages.table(t)[0]
    return text


def _cdata_safe(text: str) -> str:
    """wechatpy writes text into <![CDATA[…]]> as is: split any "]]>" so it cannot end the section early."""
    return text.replace("]]>", "]]]]><![CDATA[>")


class WeCom(Platform):
    name = "wecom"
    title = "WeCom"
    required = (settings.WECOM_TOKEN, settings.WECOM_AES_KEY, settings.WECOM_CORP_ID)

    def __init__(self, config) -> None:
        super().__init__(config)
        self.token = str(config[settings.WECOM_TOKEN.key]).strip()
        self.corp_id = str(config[settings.WECOM_CORP_ID.key]).strip()
        aes_key = str(config[settings.WECOM_AES_KEY.key]).strip()
        try:  # 43 base64 characters without the trailing "=": a 32-byte AES key
            key = base64.b64decode(aes_key + "=", validate=True)
        except binascii.Error:
            key = b""
        if len(aes_key) != 43 or len(key) != 32:
            raise PlatformConfigError(
                f"{settings.WECOM_AES_KEY.env} must be the 43-character EncodingAESKey from the WeCom console "
                f"(got {len(aes_key)} characters)"
            )
        from wechatpy.enterprise.crypto import WeChatCrypto

        self.crypto = WeChatCrypto(self.token, aes_key, self.corp_id)

    # ── verify: the query's signature, before anything is decrypted ──────────────────────────
    def _query(self, req: Inbound, *names: str) -> list[str]:
        """The named query parameters (Flask has URL-decoded them); a 400 naming any that is missing."""
        values = [str(req.args.get(n) or "") for n in names]
        if missing := [n for n, v in zip(names, values, strict=True) if not v]:
            raise Rejected(400, f"missing query parameter(s): {', '.join(missing)}")
        return values

    def _encrypted(self, req: Inbound) -> str:
        """The Encrypt field of the POST body, the part msg_signature covers."""
        import xmltodict

        try:  # xmltodict refuses entity declarations, so no entity expansion
            envelope = xmltodict.parse(req.body)["xml"]
            encrypted = envelope["Encrypt"]
        except (ValueError, KeyError, TypeError, ExpatError):
            raise Rejected(400, "the body is not WeCom's <xml><Encrypt>…</Encrypt></xml>") from None
        if not isinstance(encrypted, str) or not encrypted.strip():
            raise Rejected(400, "the body has no Encrypt text")
        return encrypted.strip()

    def _signed(self, signature: str, timestamp: str, nonce: str, payload: str) -> None:
        """msg_signature must be SHA1 of the sorted token, timestamp, nonce and payload (compared in constant time)."""
        from wechatpy.utils import WeChatSigner

        signer = WeChatSigner()
        signer.add_data(self.token, timestamp, nonce, payload)
        if not constant_time_equal(signature, signer.signature):
            raise Rejected(401, "wrong msg_signature: check GAOXIN_WECOM_TOKEN")

    def verify(self, req: Inbound) -> None:
        if req.method == "GET":  # the URL check when the callback is saved in the console
            signature, timestamp, nonce, echostr = self._query(req, "msg_signature", "timestamp", "nonce", "echostr")
            check_window(timestamp, WINDOW_S)
            self._signed(signature, timestamp, nonce, echostr)
            return
        signature, timestamp, nonce = self._query(req, "msg_signature", "timestamp", "nonce")
        check_window(timestamp, WINDOW_S)
        self._signed(signature, timestamp, nonce, self._encrypted(req))

    # ── parse: decrypt (the CorpID inside must be ours), then read the message ───────────────
    def _decrypt(self, req: Inbound) -> str:
        """The plaintext echostr (GET) or message XML (POST); wechatpy checks the CorpID it was encrypted for."""
        from wechatpy.enterprise.exceptions import InvalidCorpIdException
        from wechatpy.exceptions import InvalidSignatureException

        a = req.args
        try:
            if req.method == "GET":
                return self.crypto.check_signature(a["msg_signature"], a["timestamp"], a["nonce"], a["echostr"])
            envelope = {"Encrypt": self._encrypted(req)}  # a dict: wechatpy does not parse the body again
            return self.crypto.decrypt_message(envelope, a["msg_signature"], a["timestamp"], a["nonce"])
        except InvalidSignatureException:  # verify() passed, so this cannot happen; refuse all the same
            raise Rejected(401, "wrong msg_signature: check GAOXIN_WECOM_TOKEN") from None
        except InvalidCorpIdException:
            raise Rejected(403, "encrypted for another CorpID: check GAOXIN_WECOM_CORP_ID (and the AES key)") from None
        except UNDECRYPTABLE:
            raise Rejected(403, "cannot decrypt the message: check GAOXIN_WECOM_AES_KEY") from None

    def parse(self, req: Inbound) -> Message | Outbound:
        plain = self._decrypt(req)
        if req.method == "GET":
            return Outbound(200, plain.encode("utf-8"), "text/plain; charset=utf-8")
        import xmltodict

        # Read the XML here rather than with wechatpy's parse_message: that turns unknown types (file, and
        # events it does not list, such as change_contact) into one UnknownMessage, losing whether it was an event.
        try:
            data: dict[str, Any] = xmltodict.parse(plain)["xml"]
            kind = str(data.get("MsgType") or "").strip().lower()
        except (ValueError, KeyError, TypeError, AttributeError, ExpatError):
            raise Rejected(400, "the decrypted message is not WeCom XML") from None
        if not kind:
            raise Rejected(400, "the decrypted message has no MsgType")
        if kind == "event":  # subscribe, enter_agent, menu clicks…: nothing to answer
            return NOTHING

        def field(name: str) -> str:
            value = data.get(name)
            return value.strip() if isinstance(value, str) else ""

        user = field("FromUserName")
        # Every message type carries a MsgId, and a retry the same one. Without one, FromUserName + CreateTime
        # (WeCom's advice for deduplicating events) still tells a retry from a new message.
        delivery = field("MsgId") or (f"{user}:{field('CreateTime')}" if user and field("CreateTime") else None)
        text = data.get("Content") if isinstance(data.get("Content"), str) else ""
        # A self-built app's callback carries only the messages sent to the app itself: a one-to-one chat.
        return Message(self.name, delivery, text, user or None, field("AgentID") or None, kind=kind)

    # ── respond: an encrypted passive reply ──────────────────────────────────────────────────
    def respond(self, msg: Message, reply: Reply | None, chat: Chat) -> Outbound:
        if reply is None:  # a retry of a message already answered
            return NOTHING
        from wechatpy.enterprise.replies import TextReply

        agent = int(msg.conversation) if (msg.conversation or "").isdigit() else 0
        # From the CorpID (the ToUserName WeCom sent, which decryption proved is ours) to the asker.
        xml = TextReply(source=self.corp_id, target=msg.user or "", agent=agent,
                        content=_cdata_safe(_fit(_text(reply)))).render()  # fmt: skip
        # The reply carries its own nonce and signature, so a fresh nonce serves as well as the request's.
        body = self.crypto.encrypt_message(xml, secrets.token_hex(8))
        return Outbound(200, body.encode("utf-8"), "application/xml; charset=utf-8")

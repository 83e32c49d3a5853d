"""bot/platforms/feishu.py: signed and encrypted events, the URL check, tokens, mentions, replays, API replies."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import uuid

import pytest

from bot import messages
from bot.app import create_app
from bot.platforms import PlatformConfigError
from bot.platforms.feishu import Feishu

ENCRYPT_KEY = "feishu-test-encrypt-key"
TOKEN = "feishu-test-verification-token"
SECRET = "feishu-test-app-secret"
BOT_OPEN_ID = "ou_bot_gaoxin"
QUESTION = "青岛高新区 权力事项数量"
TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
BOT_INFO_PATH = "/open-apis/bot/v3/info"
REPLY_PATH = re.compile(r"^/open-apis/im/v1/messages/[^/]+/reply$")


# ── what Feishu sends: encrypted the way its servers do (lark-oapi has only the decrypting half) ────────────
def encrypt(plain: str, key: str = ENCRYPT_KEY) -> str:
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain.encode("utf-8")) + padder.finalize()
    encryptor = Cipher(algorithms.AES(hashlib.sha256(key.encode()).digest()), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(data) + encryptor.finalize()).decode()


def sign(body: bytes, timestamp: str | None = None, key: str = ENCRYPT_KEY) -> dict[str, str]:
    timestamp = timestamp or str(int(time.time()))
    nonce = uuid.uuid4().hex
    signature = hashlib.sha256((timestamp + nonce + key).encode() + body).hexdigest()
    return {"X-Lark-Request-Timestamp": timestamp, "X-Lark-Request-Nonce": nonce, "X-Lark-Signature": signature}


def sealed(event: dict, *, signed: bool = True, timestamp: str | None = None) -> dict:
    """Request kwargs for an encrypted event, signed like Feishu signs it."""
    body = json.dumps({"encrypt": encrypt(json.dumps(event, ensure_ascii=False))}).encode()
    return {"data": body, "content_type": "application/json", "headers": sign(body, timestamp) if signed else {}}


def plain(event: dict) -> dict:
    return {"data": json.dumps(event, ensure_ascii=False).encode(), "content_type": "application/json"}


def url_check(token: str = TOKEN) -> dict:
    return {"challenge": "ajls384kdjx98XX", "token": token, "type": "url_verification"}


def mention(open_id: str = BOT_OPEN_ID, n: int = 1, name: str = "高新助手") -> dict:
    return {
        "key": f"@_user_{n}",
        "id": {"open_id": open_id, "union_id": "on_x", "user_id": ""},
        "name": name,
        "tenant_key": "tk",
    }


def message(
    text: str = QUESTION,
    *,
    message_id: str = "om_1",
    chat_type: str = "p2p",
    mentions: list | None = None,
    message_type: str = "text",
    content: str | None = None,
    sender_type: str = "user",
    token: str = TOKEN,
    event_type: str = "im.message.receive_v1",
) -> dict:
    """A schema-2.0 im.message.receive_v1 event as Feishu documents it."""
    return {
        "schema": "2.0",
        "header": {
            "event_id": uuid.uuid4().hex,
            "event_type": event_type,
            "create_time": "1700000000000",
            "token": token,
            "app_id": "cli_x",
            "tenant_key": "tk",
        },
        "event": {
            "sender": {
                "sender_id": {"open_id": "ou_li", "union_id": "on_li", "user_id": "li"},
                "sender_type": sender_type,
                "tenant_key": "tk",
            },
            "message": {
                "message_id": message_id,
                "chat_id": "oc_1",
                "chat_type": chat_type,
                "message_type": message_type,
                "mentions": mentions or [],
                "content": content if content is not None else json.dumps({"text": text}, ensure_ascii=False),
            },
        },
    }


# ── the app, and the fake Open API ────────────────────────────────────────────────────────────────────
@pytest.fixture
def api(httpserver):
    """The Feishu Open API on loopback: tenant token, bot info, message reply."""
    httpserver.expect_request(TOKEN_PATH, method="POST").respond_with_json(
        {"code": 0, "msg": "ok", "tenant_access_token": "t-fake", "expire": 7200}
    )
    httpserver.expect_request(BOT_INFO_PATH, method="GET").respond_with_json(
        {"code": 0, "msg": "ok", "bot": {"activate_status": 2, "app_name": "高新助手", "open_id": BOT_OPEN_ID}}
    )
    httpserver.expect_request(REPLY_PATH, method="POST").respond_with_json(
        {"code": 0, "msg": "success", "data": {"message_id": "om_reply", "msg_type": "post"}}
    )
    return httpserver


class FeishuApp:
    """One app with Feishu enabled, and what reached the fake API."""

    def __init__(self, own_store, api, **settings):
        self.api = api
        # A fresh app id per app: lark-oapi caches tenant tokens per app id for the whole process.
        self.app_id = f"cli_{uuid.uuid4().hex[:16]}"
        config = {
            "DB": str(own_store),
            "TESTING": True,
            "FEISHU_APP_ID": self.app_id,
            "FEISHU_APP_SECRET": SECRET,
            "FEISHU_DOMAIN": api.url_for("/"),
            **settings,
        }
        self.app = create_app(config)
        self.client = self.app.test_client()

    def post(self, kwargs: dict):
        response = self.client.post("/webhook/feishu", **kwargs)
        assert self.app.extensions["gaoxin.chat"].drain()
        return response

    def calls(self, path: str | re.Pattern) -> list:
        match = path.match if isinstance(path, re.Pattern) else path.__eq__
        return [request for request, _ in self.api.log if match(request.path)]

    def replies(self) -> list[tuple[str, dict, dict]]:
        """(path, body, content) of every reply sent."""
        out = []
        for request in self.calls(REPLY_PATH):
            assert request.headers["Authorization"] == "Bearer t-fake"
            body = request.get_json()
            out.append((request.path, body, json.loads(body["content"])))
        return out


@pytest.fixture
def encrypted(own_store, api):
    """Feishu with an Encrypt Key and a Verification Token (the console's recommended setup)."""
    return FeishuApp(own_store, api, FEISHU_ENCRYPT_KEY=ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN=TOKEN)


@pytest.fixture
def tokened(own_store, api):
    """Feishu without an Encrypt Key: only the Verification Token in the body."""
    return FeishuApp(own_store, api, FEISHU_VERIFICATION_TOKEN=TOKEN)


def the_answer(content: dict) -> tuple[str, str]:
    post = content["zh_cn"]
    return post["title"], "\n".join(p[0]["text"] for p in post["content"])


# ── the URL check ─────────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
def test_an_encrypted_url_check_is_echoed(encrypted, signed):
    response = encrypted.post(sealed(url_check(), signed=signed))
    assert response.status_code == 200
    assert response.get_json() == {"challenge": "ajls384kdjx98XX"}
    assert not encrypted.api.log


def test_a_plain_url_check_is_echoed(tokened):
    response = tokened.post(plain(url_check()))
    assert response.status_code == 200 and response.get_json() == {"challenge": "ajls384kdjx98XX"}


@pytest.mark.parametrize("fixture", ["encrypted", "tokened"])
def test_a_url_check_with_the_wrong_token_is_401(request, fixture):
    app = request.getfixturevalue(fixture)
    event = url_check(token="wrong")
    response = app.post(sealed(event, signed=False) if fixture == "encrypted" else plain(event))
    assert response.status_code == 401 and "challenge" not in response.get_json()


def test_an_unsigned_url_check_must_decrypt_with_the_key(encrypted):
    body = json.dumps({"encrypt": encrypt(json.dumps(url_check()), key="another key")}).encode()
    response = encrypted.post({"data": body, "content_type": "application/json"})
    assert response.status_code == 401 and "challenge" not in response.get_json()


# ── messages ──────────────────────────────────────────────────────────────────────────────────────────
def test_a_signed_direct_message_is_acknowledged_and_answered_through_the_api(encrypted):
    response = encrypted.post(sealed(message()))
    assert response.status_code == 200 and response.get_json() == {"msg": "success"}
    token_calls = encrypted.calls(TOKEN_PATH)
    assert [r.get_json(force=True) for r in token_calls] == [{"app_id": encrypted.app_id, "app_secret": SECRET}]
    assert not encrypted.calls(BOT_INFO_PATH)  # a direct message needs no mention check
    [(path, body, content)] = encrypted.replies()
    assert path == "/open-apis/im/v1/messages/om_1/reply"
    assert body == {"msg_type": "post", "content": body["content"], "uuid": "om_1"}
    title, paragraphs = the_answer(content)
    assert "394项" in title
    assert "来源" in paragraphs and "未核实" in paragraphs and "原文" in paragraphs


def test_a_message_with_the_verification_token_is_answered_without_an_encrypt_key(tokened):
    assert tokened.post(plain(message(message_id="om_plain"))).get_json() == {"msg": "success"}
    [(path, _, content)] = tokened.replies()
    assert path.endswith("/om_plain/reply") and "394项" in the_answer(content)[0]


def test_a_group_message_is_answered_only_when_the_bot_itself_is_mentioned(encrypted):
    nobody = message(QUESTION, message_id="om_g1", chat_type="group")
    someone_else = message(
        f"@_user_1 {QUESTION}", message_id="om_g2", chat_type="group", mentions=[mention("ou_someone", name="张三")]
    )
    for event in (nobody, someone_else):
        assert encrypted.post(sealed(event)).get_json() == {"msg": "success"}
    assert not encrypted.replies()
    to_the_bot = message(f"@_user_1 {QUESTION}", message_id="om_g3", chat_type="group", mentions=[mention()])
    assert encrypted.post(sealed(to_the_bot)).get_json() == {"msg": "success"}
    both = message(
        f"@_user_2 @_user_1 {QUESTION}",
        message_id="om_g4",
        chat_type="group",
        mentions=[mention(), mention("ou_someone", 2, "张三")],
    )
    assert encrypted.post(sealed(both)).status_code == 200
    replies = encrypted.replies()
    assert [path for path, _, _ in replies] == [
        "/open-apis/im/v1/messages/om_g3/reply",
        "/open-apis/im/v1/messages/om_g4/reply",
    ]
    assert all("394项" in the_answer(content)[0] for _, _, content in replies)  # the placeholders were stripped
    assert len(encrypted.calls(BOT_INFO_PATH)) == 1  # the bot's open_id is asked once, and only once a mention came


def test_without_the_bots_open_id_a_group_mention_is_503_so_feishu_pushes_it_again(own_store, httpserver):
    httpserver.expect_request(TOKEN_PATH).respond_with_json(
        {"code": 0, "tenant_access_token": "t-fake", "expire": 7200}
    )
    httpserver.expect_request(BOT_INFO_PATH).respond_with_json({"code": 99991663, "msg": "no permission"})
    app = FeishuApp(own_store, httpserver, FEISHU_ENCRYPT_KEY=ENCRYPT_KEY)
    event = message(f"@_user_1 {QUESTION}", chat_type="group", mentions=[mention()])
    assert app.post(sealed(event)).status_code == 503
    assert not app.calls(REPLY_PATH)
    store = app.app.extensions["gaoxin"].bot.index.store
    assert store.deliveries("feishu") == 0  # not claimed: the re-push will be answered


def test_the_mention_is_stripped_and_an_empty_question_gets_the_prompt(encrypted):
    event = message("@_user_1", chat_type="group", mentions=[mention()])
    encrypted.post(sealed(event))
    [(_, body, content)] = encrypted.replies()
    assert body["msg_type"] == "text" and content == {"text": messages.EMPTY}


def test_a_non_text_message_gets_the_text_only_note(encrypted):
    event = message(message_type="image", content=json.dumps({"image_key": "img_v2_x"}))
    assert encrypted.post(sealed(event)).get_json() == {"msg": "success"}
    [(_, body, content)] = encrypted.replies()
    assert body["msg_type"] == "text" and content == {"text": messages.NOT_TEXT}


def test_a_redelivered_message_is_answered_once(encrypted):
    first = sealed(message(message_id="om_again"))
    assert encrypted.post(first).get_json() == {"msg": "success"}
    assert encrypted.post(first).get_json() == {"msg": "success"}  # the same request replayed
    again = sealed(message(message_id="om_again"))  # Feishu's re-push: new event_id, signature and timestamp
    assert encrypted.post(again).get_json() == {"msg": "success"}
    assert len(encrypted.calls(REPLY_PATH)) == 1


def test_comparisons_are_interactive_cards_with_a_table(encrypted):
    encrypted.post(sealed(message("高新技术企业 排名", message_id="om_rank")))
    [(_, body, card)] = encrypted.replies()
    assert body["msg_type"] == "interactive"
    assert card["schema"] == "2.0" and card["header"]["title"]["tag"] == "plain_text"
    assert card["header"]["title"]["content"].startswith("各园区按“高新技术企业”比较")
    table, note = card["body"]["elements"]
    assert table["tag"] == "table" and note["tag"] == "markdown" and messages.LEGEND in note["content"]
    assert [c["display_name"] for c in table["columns"]] == ["名次", "园区", "数值", "指标", "时间", "核实"]
    assert {c["data_type"] for c in table["columns"]} == {"text"}  # plain text: no lark_md in data
    assert table["rows"][0] == {"rank": "1", "zone": "佛山高新区", "amount": "2931家", "metric": "高企存量",
                                "period": "2020年", "verified": "⚠️"}  # fmt: skip
    assert len(table["rows"]) >= 3 and table["page_size"] == len(table["rows"])


def test_bot_messages_and_other_events_are_acknowledged_only(encrypted):
    for event in (
        message(sender_type="app", message_id="om_bot"),
        message(event_type="im.chat.member.bot.added_v1", message_id="om_added"),
    ):
        response = encrypted.post(sealed(event))
        assert response.status_code == 200 and response.get_json() == {"msg": "success"}
    assert not encrypted.api.log


# ── refusals ──────────────────────────────────────────────────────────────────────────────────────────
def forged_signature() -> dict:
    kwargs = sealed(message())
    kwargs["headers"]["X-Lark-Signature"] = hashlib.sha256(b"forged").hexdigest()
    return kwargs


def changed_after_signing() -> dict:
    kwargs = sealed(message("大连高新区 瞪羚企业"))
    kwargs["data"] = sealed(message())["data"]  # another body under the first one's signature
    return kwargs


def signed_by_another_key() -> dict:
    kwargs = sealed(message())
    kwargs["headers"] = sign(kwargs["data"], key="another key")
    return kwargs


def stale() -> dict:
    return sealed(message(), timestamp=str(int(time.time()) - 9 * 3600))


def unsigned_event() -> dict:
    return sealed(message(), signed=False)


def signed_with_the_wrong_token() -> dict:
    return sealed(message(token="wrong"))


@pytest.mark.parametrize(
    "make",
    [
        forged_signature,
        changed_after_signing,
        signed_by_another_key,
        stale,
        unsigned_event,
        signed_with_the_wrong_token,
    ],
)
def test_a_forged_changed_stale_or_unsigned_event_is_401_and_unanswered(encrypted, make):
    response = encrypted.post(make())
    assert response.status_code == 401 and response.get_json()["ok"] is False
    assert not encrypted.api.log  # no token, no reply
    assert encrypted.app.extensions["gaoxin"].bot.index.store.deliveries("feishu") == 0  # nothing answered


@pytest.mark.parametrize(
    "event",
    [message(token="wrong"), message(token=""), message(token=TOKEN[:-1] + "N"), sealed(message())["data"]],
    ids=["wrong", "empty", "near-miss", "encrypted-but-no-key"],
)
def test_a_wrong_or_missing_verification_token_is_401_and_unanswered(tokened, event):
    kwargs = {"data": event, "content_type": "application/json"} if isinstance(event, bytes) else plain(event)
    response = tokened.post(kwargs)
    assert response.status_code == 401
    assert not tokened.api.log


def signed_garbage() -> dict:
    body = b"{not json"
    return {"data": body, "content_type": "application/json", "headers": sign(body)}


def signed_undecryptable() -> dict:
    body = json.dumps({"encrypt": base64.b64encode(b"0123456789abcdef" * 3).decode()}).encode()
    return {"data": body, "content_type": "application/json", "headers": sign(body)}


def signed_bad_content() -> dict:
    return sealed(message(content="{not json"))


@pytest.mark.parametrize("make", [signed_garbage, signed_undecryptable, signed_bad_content])
def test_a_malformed_signed_event_is_400(encrypted, make):
    response = encrypted.post(make())
    assert response.status_code == 400
    assert not encrypted.api.log


def test_bad_json_is_400(tokened):
    response = tokened.post({"data": b"{not json", "content_type": "application/json"})
    assert response.status_code == 400


# ── settings ──────────────────────────────────────────────────────────────────────────────────────────
def test_without_a_token_or_an_encrypt_key_feishu_stays_disabled(own_store):
    config = {"FEISHU_APP_ID": "cli_x", "FEISHU_APP_SECRET": SECRET}
    assert Feishu.missing(config) == ["GAOXIN_FEISHU_VERIFICATION_TOKEN or GAOXIN_FEISHU_ENCRYPT_KEY"]
    assert Feishu.missing({**config, "FEISHU_ENCRYPT_KEY": ENCRYPT_KEY}) == []
    assert Feishu.missing({"FEISHU_VERIFICATION_TOKEN": TOKEN}) == ["GAOXIN_FEISHU_APP_ID", "GAOXIN_FEISHU_APP_SECRET"]
    client = create_app({"DB": str(own_store), "TESTING": True, **config}).test_client()
    response = client.post("/webhook/feishu", **plain(message(token="")))
    assert response.status_code == 404 and "GAOXIN_FEISHU_ENCRYPT_KEY" in response.get_json()["error"]


@pytest.mark.parametrize("domain", ["http://open.feishu.cn", "https://open.feishu.cn/open-apis", "open.feishu.cn"])
def test_a_malformed_domain_stops_the_start(domain):
    config = {
        "FEISHU_APP_ID": "cli_x",
        "FEISHU_APP_SECRET": SECRET,
        "FEISHU_ENCRYPT_KEY": ENCRYPT_KEY,
        "FEISHU_DOMAIN": domain,
    }
    with pytest.raises(PlatformConfigError, match="GAOXIN_FEISHU_DOMAIN"):
        Feishu(config)


def test_lark_oapi_is_not_imported_until_needed():
    code = "import sys, bot.platforms.feishu; assert 'lark_oapi' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.path.dirname(os.path.dirname(__file__)))


def test_a_one_line_reply_carrying_an_at_tag_pings_nobody():
    """Feishu's text messages turn <at user_id="all"></at> into an @all: text the bot did not write must not."""
    from bot.answer import Reply
    from bot.platforms.feishu import _content

    hostile = '文章里没有找到“<at user_id="all">所有人</at><AT user_id="ou_1"></at>”相关的数据。'
    msg_type, content = _content(Reply("unknown", hostile, hostile))
    text = json.loads(content)["text"]
    assert msg_type == "text" and not re.search(r"<at\b", text, re.IGNORECASE)
    assert 'user_id="all">所有人' in text  # still readable

"""bot/platforms/dingtalk.py: signed robot callbacks, answers in the body or late through the sessionWebhook, replays."""

from __future__ import annotations

import itertools
import json
import re
import time

import pytest

from bot import messages
from bot.app import create_app
from bot.platforms import Inbound
from bot.platforms.dingtalk import sign

SECRET = "gaoxin-test-AppSecret_0123456789-abcdefghijklmnopqrstuvwxyzABCD"
# Known-answer vector, computed once with the openssl CLI (OpenSSL 3.0), independently of the module:
#   ts=1577262236757; secret='gaoxin-test-AppSecret_0123456789-abcdefghijklmnopqrstuvwxyzABCD'
#   printf '%s\n%s' "$ts" "$secret" | openssl dgst -sha256 -hmac "$secret" -binary | base64
# DingTalk's docs give the formula but no complete vector; the timestamp is the one in their sample headers.
VECTOR_TS = "1577262236757"
VECTOR_SIGN = "DLMxbd050/kdv1qA3I8UONKCTtBxgOGT8bO9sevpVR4="
QUESTION = "青岛高新区 权力事项数量"
MSG_IDS = (f"msg{n:04d}" for n in itertools.count(1))
HOOK_PATH = "/robot/sendBySession"
ROUTE = "/webhook/dingtalk"


@pytest.fixture(scope="module")
def app(module_store, make_httpserver):
    """One app for the module (building the bot takes a second); every test's messages carry fresh msgIds."""
    db = module_store
    app = create_app(
        {
            "DB": str(db),
            "TESTING": True,
            "DINGTALK_APP_SECRET": SECRET,
            # The fake server stands in for DingTalk's hosts; a generous deadline keeps answers in the body.
            "DINGTALK_SESSION_WEBHOOK_PREFIXES": (make_httpserver.url_for("/"),),
            "DINGTALK_REPLY_SECONDS": 30,
        }
    )
    app.extensions["gaoxin"].bot  # noqa: B018 (built now, so no test's deadline includes building it)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def hook(httpserver):
    """A fake sessionWebhook, DingTalk's answer included."""
    httpserver.expect_request(HOOK_PATH, method="POST").respond_with_json({"errcode": 0, "errmsg": "ok"})
    return httpserver


@pytest.fixture
def late(app, monkeypatch):
    """No time to wait: every answer goes through the sessionWebhook."""
    monkeypatch.setitem(app.config, "DINGTALK_REPLY_SECONDS", 0)


def body(said: str = f" {QUESTION}", *, msg_id=None, group=False, at=True, webhook="", expires_in_s=5400.0, **extra):
    """A robot message as DingTalk sends it (the shape of its 机器人接收消息 sample); webhook=None leaves it out."""
    now_ms = int(time.time() * 1000)
    payload = {
        "conversationId": "cidGroup==" if group else "cidSingle==",
        "atUsers": [{"dingtalkId": "$:LWCP_v1:$bot"}] if group and at else [],
        "chatbotUserId": "$:LWCP_v1:$bot",
        "msgId": msg_id or next(MSG_IDS),
        "senderNick": "李伟",
        "isAdmin": False,
        "senderStaffId": "manager7675",
        "sessionWebhookExpiredTime": now_ms + int(expires_in_s * 1000),
        "createAt": now_ms,
        "conversationType": "2" if group else "1",
        "senderId": "$:LWCP_v1:$sender",
        "isInAtList": at,
        "robotCode": "dingrobot",
        "msgtype": "text",
        "text": {"content": said},
        **extra,
    }
    if webhook is not None:
        payload["sessionWebhook"] = webhook
    return payload


def post(
    client, payload: dict | bytes, *, ts: str | None = None, age_s: float = 0, secret: str = SECRET,
    signature: str | None = None,
):  # fmt: skip
    """POST a message signed the way DingTalk signs it (timestamp now, or `age_s` ago, unless given)."""
    ts = ts or str(int((time.time() - age_s) * 1000))
    data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    headers = {"timestamp": ts, "sign": signature if signature is not None else sign(ts, secret)}
    return client.post(ROUTE, data=data, headers=headers, content_type="application/json; charset=utf-8")


def webhook_url(httpserver) -> str:
    return httpserver.url_for(HOOK_PATH) + "?session=c1"


def posted(httpserver) -> list[dict]:
    return [json.loads(request.get_data()) for request, _ in httpserver.log]


# ── the signature ────────────────────────────────────────────────────────────────────────────
def test_sign_matches_the_openssl_vector():
    assert sign(VECTOR_TS, SECRET) == VECTOR_SIGN
    assert sign(VECTOR_TS, SECRET + "x") != VECTOR_SIGN


def test_the_vector_signs_a_real_request_but_it_is_long_stale(client):
    """The vector's own (2019) timestamp: the sign is right, so only the 1 h window turns it away."""
    response = post(client, body(), ts=VECTOR_TS, signature=VECTOR_SIGN)
    assert response.status_code == 401
    assert "stale" in response.get_json()["error"]


# ── answers ──────────────────────────────────────────────────────────────────────────────────
def test_a_signed_direct_message_is_answered_in_the_body(client, hook):
    response = post(client, body(webhook=webhook_url(hook)))
    assert response.status_code == 200
    reply = response.get_json()
    assert reply["msgtype"] == "markdown"
    text = reply["markdown"]["text"]
    assert "394项" in text and "来源" in text and "未核实" in text
    assert reply["markdown"]["title"] and "\n" not in reply["markdown"]["title"]
    assert "  \n" in text  # hard line breaks: DingTalk joins single newlines
    assert hook.log == []  # answered in time: nothing through the sessionWebhook


def test_a_late_answer_is_acknowledged_and_posted_to_the_session_webhook(app, client, hook, late):
    response = post(client, body(webhook=webhook_url(hook)))
    assert response.status_code == 200 and response.get_json() == {"msgtype": "empty"}
    assert app.extensions["gaoxin.chat"].drain()
    [payload] = posted(hook)
    assert payload["msgtype"] == "markdown"
    assert "394项" in payload["markdown"]["text"] and "未核实" in payload["markdown"]["text"]
    assert payload["markdown"]["title"]
    [(request, _)] = hook.log
    assert request.args["session"] == "c1"


@pytest.mark.parametrize(
    "webhook, expires_in_s",
    [
        ("expired", -60),
        ("https://oapi.dingtalk.com.attacker.example/robot/sendBySession?session=x", 5400),
        (None, 5400),
    ],
    ids=["expired", "not-a-dingtalk-host", "absent"],
)
def test_without_a_usable_session_webhook_the_answer_waits(app, client, hook, late, webhook, expires_in_s):
    """Expired, on another host (the body is unsigned: never post answers where it says), or absent."""
    url = webhook_url(hook) if webhook == "expired" else webhook
    response = post(client, body(webhook=url, expires_in_s=expires_in_s))
    assert "394项" in response.get_json()["markdown"]["text"]
    assert app.extensions["gaoxin.chat"].drain()
    assert hook.log == []


def test_a_replayed_message_gets_no_second_answer(app, client, hook, late):
    payload = body(webhook=webhook_url(hook))
    first, again = post(client, payload), post(client, payload)
    assert first.get_json() == again.get_json() == {"msgtype": "empty"}
    assert app.extensions["gaoxin.chat"].drain()
    assert len(hook.log) == 1  # one answer, through the sessionWebhook


def test_a_replay_answered_in_the_body_gets_an_empty_acknowledgement(client):
    payload = body()
    assert "394项" in post(client, payload).get_json()["markdown"]["text"]
    again = post(client, payload)
    assert again.status_code == 200 and again.get_json() == {"msgtype": "empty"}


# ── refusals ─────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "kwargs",
    [
        {"secret": "another-robots-secret"},
        {"signature": "DLMxbd050/kdv1qA3I8UONKCTtBxgOGT8bO9sevpVR5="},
        {"signature": ""},
        {"age_s": 3700},  # ages, not timestamps: a timestamp taken at collection would be minutes old by now
        {"age_s": -3700},
        {"ts": "yesterday"},
    ],
    ids=["wrong-secret", "forged-sign", "no-sign", "stale", "from-the-future", "malformed-timestamp"],
)
def test_a_bad_signature_or_timestamp_is_401_and_unanswered(app, client, hook, late, kwargs):
    response = post(client, body(webhook=webhook_url(hook)), **kwargs)
    assert response.status_code == 401
    assert "394" not in response.get_data(as_text=True)
    assert app.extensions["gaoxin.chat"].drain()
    assert hook.log == []  # no answer was computed, so none was sent


def test_no_headers_at_all_is_401(client):
    response = client.post(ROUTE, json=body())
    assert response.status_code == 401


def test_the_sign_does_not_cover_the_body(client):
    """Pinned, not wished away: DingTalk signs only timestamp + secret, so one valid header pair passes any body."""
    ts = str(int(time.time() * 1000))
    first = post(client, body(), ts=ts)
    other = post(client, body(" 高新技术企业 排名"), ts=ts)  # same headers, a different body
    assert first.status_code == other.status_code == 200
    assert "394项" in first.get_json()["markdown"]["text"]
    assert "394项" not in other.get_json()["markdown"]["text"]


def test_get_is_405(client):
    assert client.get(ROUTE).status_code == 405


@pytest.mark.parametrize(
    "data",
    [
        b"{not json",
        b"[1, 2]",
        json.dumps(body(text="not an object")).encode(),
        json.dumps({k: v for k, v in body().items() if k != "text"}).encode(),
        json.dumps(body(text={"content": 7})).encode(),
        json.dumps(body(sessionWebhookExpiredTime="soon")).encode(),
        json.dumps({k: v for k, v in body().items() if k != "msgtype"}).encode(),
    ],
    ids=[
        "bad-json",
        "not-an-object",
        "text-not-an-object",
        "no-text",
        "content-not-a-string",
        "bad-expiry",
        "no-msgtype",
    ],  # fmt: skip
)
def test_a_malformed_body_is_400(client, data):
    response = post(client, data)
    assert response.status_code == 400
    assert response.get_json()["ok"] is False


# ── parsing and rendering ────────────────────────────────────────────────────────────────────
def inbound(payload: dict) -> Inbound:
    return Inbound("POST", {}, {}, json.dumps(payload, ensure_ascii=False).encode(), "application/json")


@pytest.mark.parametrize(
    "said",
    [f" {QUESTION}", f"@高新小助手 {QUESTION}", f" @高新小助手\u2005{QUESTION}", f"@高新小助手 @李伟 {QUESTION}"],
    ids=["leading-space", "leftover-mention", "mention-with-u2005", "two-mentions"],
)
def test_the_mention_and_the_leading_space_are_stripped(app, said):
    adapter = app.extensions["gaoxin.platforms"].adapters["dingtalk"]
    msg = adapter.parse(inbound(body(said, msg_id="m-parse", group=True)))
    assert msg.text == QUESTION
    assert (msg.delivery_id, msg.user, msg.conversation) == ("m-parse", "manager7675", "cidGroup==")
    assert msg.group and msg.addressed and msg.kind == "text"


def test_a_group_message_at_the_robot_is_answered(client):
    reply = post(client, body(f"@高新小助手 {QUESTION}", group=True)).get_json()
    assert "394项" in reply["markdown"]["text"]


def test_a_group_message_not_at_the_robot_is_not_answered(client):
    response = post(client, body(f" {QUESTION}", group=True, at=False))
    assert response.status_code == 200 and response.get_json() == {"msgtype": "empty"}


def test_comparisons_are_markdown_lines_each_with_its_mark_and_period(client):
    reply = post(client, body(" 高新技术企业 排名")).get_json()
    assert reply["msgtype"] == "markdown" and reply["markdown"]["title"].startswith("各园区按“高新技术企业”比较")
    text = reply["markdown"]["text"]
    assert "|---|" not in text and "| " not in text  # DingTalk renders no tables
    lines = [line for line in text.split("\n") if re.match(r"\d+\. ", line)]
    assert len(lines) >= 3 and lines[0].startswith("1. 佛山高新区 **2931家**(高企存量,2020年)⚠️")
    assert all(line.endswith(("✅  ", "⚠️  ")) for line in lines)  # its mark, then a hard break
    assert messages.LEGEND in text


def test_a_picture_gets_the_not_text_note(client):
    payload = body(msgtype="picture", content={"downloadCode": "dl-code", "pictureDownloadCode": "p"})
    del payload["text"]
    reply = post(client, payload).get_json()
    assert reply["markdown"]["text"] == messages.NOT_TEXT


def test_an_empty_message_gets_a_polite_prompt(client):
    reply = post(client, body("@高新小助手 ")).get_json()
    assert reply["markdown"]["text"] == messages.EMPTY

"""bot/platforms/slack.py: signed slash commands and Events API deliveries through slack_bolt, replies on a fake Web API."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from bot import messages
from bot.app import create_app
from bot.platforms import PlatformConfigError

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-test-token"
QUESTION = "青岛高新区 权力事项数量"
EVENT_IDS = (f"Ev{n:04d}" for n in itertools.count(1))
AUTH_TEST = {"ok": True, "user_id": "UBOT", "bot_id": "B1", "team_id": "T1"}


@pytest.fixture
def slack_api(httpserver):
    """A fake Slack Web API: auth.test (Bolt asks who the bot is) and chat.postMessage."""
    httpserver.expect_request("/api/auth.test", method="POST").respond_with_json(AUTH_TEST)
    httpserver.expect_request("/api/chat.postMessage", method="POST").respond_with_json({"ok": True})
    return httpserver


@pytest.fixture(scope="module")
def app(module_store, make_httpserver):
    """One app for the module (building the bot takes a second); every test's events carry fresh event ids."""
    db = module_store
    return slack_app(db, make_httpserver.url_for("/api/"))


def slack_app(db, api_url: str, token: str = TOKEN):
    return create_app(
        {
            "DB": str(db),
            "TESTING": True,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_BOT_TOKEN": token,
            "SLACK_API_URL": api_url,
        }
    )


@pytest.fixture
def client(app, slack_api):
    return app.test_client()


def calls(server, method: str) -> list:
    return [request for request, _ in server.log if request.path == f"/api/{method}"]


def posts(app, server) -> list[dict]:
    """The chat.postMessage payloads, once every delivery still running has finished."""
    assert app.extensions["gaoxin.chat"].drain()
    return [request.get_json() for request in calls(server, "chat.postMessage")]


def signed(body: str, *, secret: str = SECRET, age: float = 0, content_type: str, **headers) -> dict:
    timestamp = str(int(time.time() - age))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {
        "data": body.encode("utf-8"),
        "content_type": content_type,
        "headers": {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature, **headers},
    }


TRIGGER_IDS = (f"1.{n}.3" for n in itertools.count(1))  # Slack gives every invocation its own trigger_id


def slash(text: str, **kw) -> dict:
    form = {"command": "/gaoxin", "text": text, "user_id": "U1", "channel_id": "C1", "team_id": "T1",
            "response_url": "https://hooks.slack.com/commands/T1/1/x", "trigger_id": next(TRIGGER_IDS),
            "token": "legacy"}  # fmt: skip
    return signed(urlencode(form), content_type="application/x-www-form-urlencoded", **kw)


def event(inner: dict, event_id: str | None = None, **kw) -> dict:
    event_id = event_id or next(EVENT_IDS)
    body = {"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": event_id,
            "event_time": 1700000000, "event": inner,
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}]}  # fmt: skip
    return signed(json.dumps(body, ensure_ascii=False), content_type="application/json", **kw)


def mention(text: str, ts: str = "1700000000.000100", **extra) -> dict:
    return {"type": "app_mention", "user": "U1", "text": text, "ts": ts, "channel": "C1", "event_ts": ts, **extra}


def dm(text: str, **extra) -> dict:
    return {"type": "message", "channel_type": "im", "user": "U1", "text": text, "ts": "1700000001.000200",
            "channel": "D1", "event_ts": "1700000001.000200", **extra}  # fmt: skip


def test_the_url_verification_challenge_is_echoed(client):
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})  # fmt: skip
    response = client.post("/webhook/slack", **signed(body, content_type="application/json"))
    assert response.status_code == 200
    assert response.get_json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_a_slash_command_is_answered_in_the_channel(app, client, slack_api):
    response = client.post("/webhook/slack", **slash(QUESTION))
    assert response.status_code == 200 and response.content_type.startswith("application/json")
    body = response.get_json()
    assert body["response_type"] == "in_channel"
    text = body["text"]
    assert "394项" in text and "来源" in text and "未核实" in text
    assert "*青岛高新区" in text and "**" not in text  # mrkdwn bold, not Markdown's
    assert posts(app, slack_api) == []  # the answer went in the body, not through the Web API


def test_a_mention_is_answered_once_in_its_thread(app, client, slack_api):
    response = client.post("/webhook/slack", **event(mention(f"<@UBOT> {QUESTION}")))
    assert response.status_code == 200 and response.get_data() == b""  # acknowledged at once
    [post] = posts(app, slack_api)
    assert post["channel"] == "C1" and post["thread_ts"] == "1700000000.000100"
    assert "394项" in post["text"] and "未核实" in post["text"] and "**" not in post["text"]
    assert "<@" not in post["text"] and "UBOT" not in post["text"]
    [request] = calls(slack_api, "chat.postMessage")
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_mention_inside_a_thread_is_answered_in_that_thread(app, client, slack_api):
    inner = mention(f"<@UBOT|gaoxin> {QUESTION} <@U2>", ts="1700000005.000300", thread_ts="1700000000.000100")
    client.post("/webhook/slack", **event(inner))
    [post] = posts(app, slack_api)
    assert post["thread_ts"] == "1700000000.000100" and "394项" in post["text"]


def test_a_retried_event_gets_an_ack_and_no_second_answer(app, client, slack_api):
    first = event(mention(f"<@UBOT> {QUESTION}"), event_id="EvRETRY")
    assert client.post("/webhook/slack", **first).status_code == 200
    assert len(posts(app, slack_api)) == 1
    retry_headers = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    retry = client.post("/webhook/slack", **event(mention(f"<@UBOT> {QUESTION}"), event_id="EvRETRY", **retry_headers))
    assert retry.status_code == 200 and retry.get_data() == b""
    assert len(posts(app, slack_api)) == 1


def test_bolt_asks_auth_test_once_and_keeps_the_answer(own_store, slack_api):
    client = slack_app(own_store, slack_api.url_for("/api/")).test_client()
    reaction = {"type": "reaction_added", "user": "U1", "reaction": "thumbsup", "item": {"type": "message"}}
    for _ in range(3):
        assert client.post("/webhook/slack", **event(reaction)).status_code == 200
    [request] = calls(slack_api, "auth.test")
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


def _tampered() -> dict:
    kwargs = event(mention(f"<@UBOT> {QUESTION}"))
    kwargs["data"] = kwargs["data"].replace("青岛".encode(), "大连".encode())
    return kwargs


def _no_signature() -> dict:
    kwargs = event(mention(f"<@UBOT> {QUESTION}"))
    del kwargs["headers"]["X-Slack-Signature"]
    return kwargs


@pytest.mark.parametrize(
    "make",
    [
        lambda: event(mention(f"<@UBOT> {QUESTION}"), secret="not-the-signing-secret"),
        lambda: event(mention(f"<@UBOT> {QUESTION}"), age=301),
        lambda: event(mention(f"<@UBOT> {QUESTION}"), age=-301),
        _tampered,
        _no_signature,
        lambda: {
            **event(mention(QUESTION)),
            "headers": {"X-Slack-Request-Timestamp": "1.7e9", "X-Slack-Signature": "v0=0"},
        },
        lambda: slash(QUESTION, secret="not-the-signing-secret"),
    ],
    ids=["forged", "stale", "from-the-future", "body-changed", "unsigned", "malformed-timestamp", "forged-command"],
)
def test_an_unverified_request_is_401_and_unanswered(app, client, slack_api, make):
    response = client.post("/webhook/slack", **make())
    assert response.status_code == 401
    assert response.get_json()["ok"] is False and "X-Slack" in response.get_json()["error"]
    assert "394" not in response.get_data(as_text=True)
    assert posts(app, slack_api) == []
    assert slack_api.log == []  # nothing reached Bolt: not even auth.test


def test_a_direct_message_is_answered_without_a_thread(app, client, slack_api):
    assert client.post("/webhook/slack", **event(dm(QUESTION))).status_code == 200
    [post] = posts(app, slack_api)
    assert post["channel"] == "D1" and "thread_ts" not in post
    assert "394项" in post["text"] and "**" not in post["text"]


@pytest.mark.parametrize(
    "inner",
    [
        dm(QUESTION, channel_type="channel", channel="C1"),  # a channel post: its mention comes as app_mention
        dm(f"<@UBOT> {QUESTION}", channel_type="channel", channel="C1"),
        dm(QUESTION, bot_id="B1", user="UBOT"),  # the bot's own reply in the DM
        dm(QUESTION, bot_id="B2", subtype="bot_message"),  # another bot
        dm(QUESTION, subtype="message_changed"),
        mention(f"<@UBOT> {QUESTION}", channel="D1"),  # answered from the DM's message event instead
        {"type": "reaction_added", "user": "U1", "reaction": "thumbsup", "item": {"type": "message", "channel": "C1"}},
    ],
    ids=["channel", "channel-mention", "own", "other-bot", "edit", "mention-in-dm", "reaction"],
)
def test_events_the_bot_leaves_alone_are_acked_and_not_answered(app, client, slack_api, inner):
    response = client.post("/webhook/slack", **event(inner))
    assert response.status_code == 200  # an error would make Slack retry it
    assert posts(app, slack_api) == []


def test_an_empty_mention_gets_a_polite_prompt(app, client, slack_api):
    client.post("/webhook/slack", **event(mention("<@UBOT>  ")))
    [post] = posts(app, slack_api)
    assert post["text"] == messages.EMPTY


def test_a_file_without_text_gets_the_text_only_note(app, client, slack_api):
    client.post("/webhook/slack", **event(dm("", subtype="file_share", files=[{"id": "F1", "name": "a.png"}])))
    [post] = posts(app, slack_api)
    assert post["text"] == messages.NOT_TEXT


def test_comparisons_are_block_kit_tables_with_an_mrkdwn_fallback(app, client, slack_api):
    body = client.post("/webhook/slack", **slash("高新技术企业 排名")).get_json()
    text = body["text"]  # the notification and fallback: numbered mrkdwn lines, each with its mark
    assert "|---|" not in text and "**" not in text
    assert "*高新技术企业*" in text and "\n1. " in text and "\n2. " in text and "⚠️" in text
    header, table, context = body["blocks"]
    assert header["type"] == "header" and header["text"]["text"].startswith("各园区按“高新技术企业”比较")
    assert table["type"] == "table" and context["type"] == "context"
    head, *rows = [[cell["text"] for cell in row] for row in table["rows"]]
    assert head == ["名次", "园区", "数值", "指标", "时间", "核实"]
    assert len(rows) == len(re.findall(r"^\d+\. ", text, re.MULTILINE)) >= 3  # one row per numbered line
    assert rows[0][:3] == ["1", "佛山高新区", "2931家"] and rows[0][4:] == ["2020年", "⚠️"]
    assert all(cell["type"] == "raw_text" for row in table["rows"] for cell in row)
    assert messages.LEGEND in context["elements"][0]["text"]
    client.post("/webhook/slack", **event(mention("<@UBOT> 高新技术企业 排名")))
    [post] = posts(app, slack_api)
    assert post["text"] == text and post["blocks"] == body["blocks"]


def test_a_fact_is_mrkdwn_text_without_blocks(client):
    body = client.post("/webhook/slack", **slash(QUESTION)).get_json()
    assert "394项" in body["text"] and "blocks" not in body


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ("payload=%7Bnot+json", "application/x-www-form-urlencoded"),
    ],
    ids=["bad-json", "json-array", "bad-form-payload"],
)
def test_a_signed_but_malformed_body_is_400(app, client, slack_api, body, content_type):
    response = client.post("/webhook/slack", **signed(body, content_type=content_type))
    assert response.status_code == 400 and response.get_json()["ok"] is False
    assert posts(app, slack_api) == []


def test_a_body_that_is_not_utf8_is_400(client):
    # slack_sdk signs text, so sign the raw bytes by hand: the signature is right, the encoding is not
    timestamp = str(int(time.time()))
    raw = b'{"type": "event_callback", "x": "\xff"}'
    signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{timestamp}:".encode() + raw, hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}
    response = client.post("/webhook/slack", data=raw, content_type="application/json", headers=headers)
    assert response.status_code == 400


def test_get_is_405(client):
    assert client.get("/webhook/slack").status_code == 405


def test_an_unreachable_web_api_is_503_not_500(own_store):
    client = slack_app(own_store, "http://127.0.0.1:9/api/").test_client()  # port 9: nothing listens
    response = client.post("/webhook/slack", **slash(QUESTION))
    assert response.status_code == 503 and "394" not in response.get_data(as_text=True)


@pytest.mark.parametrize("token", ["xapp-1-A1-123-abc", "xoxp-123-456"])
def test_a_token_that_is_not_a_bot_token_stops_the_start(own_store, token):
    with pytest.raises(PlatformConfigError, match="GAOXIN_SLACK_BOT_TOKEN"):
        slack_app(own_store, "http://127.0.0.1:9/api/", token=token)


def test_a_replayed_slash_command_is_acknowledged_and_not_answered_again(app, client, slack_api):
    captured = slash(QUESTION)  # a slash command carries no id: the signature over timestamp and body is its id
    first = client.post("/webhook/slack", **captured)
    assert "394项" in first.get_json()["text"]
    replayed = client.post("/webhook/slack", **captured)
    assert replayed.status_code == 200 and "394项" not in str((replayed.get_json(silent=True) or {}).get("text"))
    time.sleep(1.1)  # the same command sent again later is signed anew: answered
    assert "394项" in client.post("/webhook/slack", **slash(QUESTION)).get_json()["text"]

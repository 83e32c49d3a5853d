"""bot/platforms/mattermost.py: slash commands and outgoing webhooks, token checks, trigger words, replays."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from bot import messages
from bot.app import create_app

TOKEN = "mm-slash-token"
HOOK_TOKEN = "mm-hook-token"
QUESTION = "青岛高新区 权力事项数量"


@pytest.fixture
def client(own_store):
    app = create_app({"DB": str(own_store), "TESTING": True, "MATTERMOST_TOKEN": f"{TOKEN}, {HOOK_TOKEN}"})
    return app.test_client()


def slash(text: str, token: str = TOKEN, header: bool = True, **extra) -> dict:
    form = {"channel_id": "c1", "command": "/gaoxin", "text": text, "token": token, "user_name": "li", **extra}
    headers = {"Authorization": f"Token {token}"} if header else {}
    return {"data": urlencode(form), "content_type": "application/x-www-form-urlencoded", "headers": headers}


def outgoing(text: str, token: str = HOOK_TOKEN, trigger: str = "@gaoxin", post_id: str = "p1", as_json=True) -> dict:
    fields = {"token": token, "channel_id": "c1", "post_id": post_id, "text": text, "trigger_word": trigger,
              "user_name": "li"}  # fmt: skip
    if as_json:
        return {"data": json.dumps(fields, ensure_ascii=False), "content_type": "application/json"}
    return {"data": urlencode(fields), "content_type": "application/x-www-form-urlencoded"}


def test_a_slash_command_is_answered_in_the_channel(client):
    response = client.post("/webhook/mattermost", **slash(QUESTION))
    assert response.status_code == 200
    body = response.get_json()
    assert body["response_type"] == "in_channel"
    assert "394项" in body["text"] and "**" in body["text"] and "未核实" in body["text"]


def test_a_slash_command_set_to_get_is_answered_too(client):
    query = {"channel_id": "c1", "command": "/gaoxin", "text": QUESTION, "token": TOKEN, "user_name": "li"}
    response = client.get("/webhook/mattermost", query_string=query, headers={"Authorization": f"Token {TOKEN}"})
    assert response.status_code == 200 and "394项" in response.get_json()["text"]
    forged = client.get("/webhook/mattermost", query_string={**query, "token": "wrong"})
    assert forged.status_code == 401


def test_the_token_may_come_in_the_form_only(client):
    response = client.post("/webhook/mattermost", **slash(QUESTION, header=False))
    assert response.status_code == 200 and "394项" in response.get_json()["text"]


@pytest.mark.parametrize(
    "request_kwargs",
    [
        slash(QUESTION, token="wrong"),
        slash(QUESTION, token="", header=False),
        outgoing(f"@gaoxin {QUESTION}", token="mm-hook-tokeN"),
        {"data": urlencode({"text": QUESTION}), "content_type": "application/x-www-form-urlencoded"},
    ],
    ids=["wrong-token", "no-token", "near-miss-token", "no-token-field"],
)
def test_a_wrong_or_missing_token_is_401_and_unanswered(client, request_kwargs):
    response = client.post("/webhook/mattermost", **request_kwargs)
    assert response.status_code == 401
    assert "token" in response.get_json()["error"]
    assert "394" not in response.get_data(as_text=True)


def test_an_outgoing_webhook_strips_the_trigger_word_and_replies_in_the_thread(client):
    for kwargs in (outgoing(f"@gaoxin {QUESTION}"), outgoing(f"@gaoxin: {QUESTION}", post_id="p2", as_json=False)):
        body = client.post("/webhook/mattermost", **kwargs).get_json()
        assert body["response_type"] == "comment"
        assert "394项" in body["text"]


def test_a_redelivered_post_gets_no_second_answer(client):
    assert "394项" in client.post("/webhook/mattermost", **outgoing(f"@gaoxin {QUESTION}")).get_json()["text"]
    again = client.post("/webhook/mattermost", **outgoing(f"@gaoxin {QUESTION}"))
    assert again.status_code == 200 and again.get_json() == {}


def test_a_channel_post_without_the_trigger_word_is_not_answered(client):
    response = client.post("/webhook/mattermost", **outgoing(QUESTION, trigger=""))
    assert response.status_code == 200 and response.get_json() == {}


def test_comparisons_render_as_a_table(client):
    text = client.post("/webhook/mattermost", **slash("高新技术企业 排名")).get_json()["text"]
    lines = text.split("\n")
    assert lines[0].startswith("**各园区按“高新技术企业”比较")
    assert "| 名次 | 园区 | 数值 | 指标 | 时间 | 核实 |" in lines
    assert "| 1 | 佛山高新区 | 2931家 | 高企存量 | 2020年 | ⚠️ |" in lines
    assert lines[-1] == messages.LEGEND


def test_an_empty_command_gets_a_polite_prompt(client):
    from bot import messages

    body = client.post("/webhook/mattermost", **slash("")).get_json()
    assert body["text"] == messages.EMPTY


def test_bad_json_is_400(client):
    response = client.post("/webhook/mattermost", data=b"{not json", content_type="application/json")
    assert response.status_code == 400


def test_a_question_full_of_mentions_and_links_is_not_echoed_live(client):
    import re

    hostile = "@channel @all @here 火星高新区 [p](//evil.example/p.png) <b>x</b> 地区生产总值"
    for request in (slash(hostile), outgoing("@gaoxin " + hostile)):
        text = client.post("/webhook/mattermost", **request).get_json()["text"]
        assert "火星高新区" in text and "channel" in text  # echoed as words…
        assert not re.search(r"@(channel|all|here)|\]\(|(?<!\\)<b>", text)  # …that ping, link and tag nothing

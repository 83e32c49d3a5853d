"""bot/platforms/teams.py: HMAC-signed outgoing-webhook activities, <at> mentions, replays, the token's format."""

from __future__ import annotations

import base64
import itertools
import json

import pytest

from bot import messages
from bot.app import create_app
from bot.platforms import Inbound, PlatformConfigError
from bot.platforms.teams import question, sign

# The security token is the sample key from Microsoft's outgoing-webhook docs (add-outgoing-webhook.md). The docs
# give its header (HMAC 03TCao0i…) but not the body it signs, so the known-answer vector below was computed once
# with the openssl CLI (OpenSSL 3.0) over BODY, written byte for byte to a file, independently of the module:
#   printf '%s' "$body" | openssl dgst -sha256 -mac HMAC \
#     -macopt hexkey:bea174127f99d2e72e45333fd35a361ae84c1f784a2a4fcdd9b3a694cdf5cda0 -binary | base64
# (the hex key is `echo -n "$TOKEN" | base64 -d | xxd -p -c 64`).
TOKEN = "vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA="
BODY = (
    r'{"type":"message","id":"1485983408511","timestamp":"2024-05-20T08:30:00.000Z",'
    r'"serviceUrl":"https://smba.trafficmanager.net/amer/","channelId":"msteams",'
    r'"from":{"id":"29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85g","name":"Li Wei"},'
    r'"conversation":{"isGroup":true,"conversationType":"channel","id":"19:6f2b@thread.tacv2;messageid=1485983408511"},'
    r'"text":"<at>Gaoxin</at>&nbsp;青岛高新区 权力事项数量\n",'
    r'"entities":[{"type":"mention","text":"<at>Gaoxin</at>","mentioned":{"id":"28:gaoxin","name":"Gaoxin"}}]}'
).encode()
VECTOR = "FyDz4qc0p4IUFo+PWvPhq7fm6S/FpKsyNoHMIu1Yzuw="
KEY = base64.b64decode(TOKEN)
QUESTION = "青岛高新区 权力事项数量"
IDS = (f"act{n:04d}" for n in itertools.count(1))
ROUTE = "/webhook/teams"


@pytest.fixture(scope="module")
def app(module_store):
    """One app for the module (building the bot takes a second); every test's activities carry fresh ids."""
    db = module_store
    return create_app({"DB": str(db), "TESTING": True, "TEAMS_SECURITY_TOKEN": TOKEN})


@pytest.fixture
def client(app):
    return app.test_client()


def activity(text: str = f"<at>Gaoxin</at>&nbsp;{QUESTION}\n", *, activity_id: str | None = None, **extra) -> dict:
    """A channel message to the outgoing webhook, as Teams sends it (a Bot Framework activity)."""
    return {
        "type": "message",
        "id": activity_id or next(IDS),
        "timestamp": "2024-05-20T08:30:00.000Z",
        "serviceUrl": "https://smba.trafficmanager.net/amer/",
        "channelId": "msteams",
        "from": {"id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85g", "name": "Li Wei"},
        "conversation": {"isGroup": True, "conversationType": "channel", "id": "19:6f2b@thread.tacv2;messageid=1"},
        "text": text,
        "textFormat": "plain",
        "attachments": [{"contentType": "text/html", "content": f"<div>{text}</div>"}],
        "entities": [
            {"type": "mention", "text": "<at>Gaoxin</at>", "mentioned": {"id": "28:gaoxin", "name": "Gaoxin"}}
        ],
        **extra,
    }


def post(client, payload: dict | bytes, *, key: bytes = KEY, authorization: str | None = None):
    """POST an activity signed the way Teams signs it."""
    data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    headers = {"Authorization": authorization if authorization is not None else f"HMAC {sign(data, key)}"}
    return client.post(ROUTE, data=data, headers=headers, content_type="application/json; charset=utf-8")


# ── the signature ────────────────────────────────────────────────────────────────────────────
def test_sign_matches_the_openssl_vector():
    assert sign(BODY, KEY) == VECTOR
    assert sign(BODY + b" ", KEY) != VECTOR


def test_the_known_answer_request_is_accepted_and_answered(client):
    """No timestamp is signed, so the fixed vector is a complete, valid request."""
    response = post(client, BODY, authorization=f"HMAC {VECTOR}")
    assert response.status_code == 200
    reply = response.get_json()
    assert reply["type"] == "message"
    assert "394项" in reply["text"] and "来源" in reply["text"] and "未核实" in reply["text"]
    assert "  \n" in reply["text"]  # hard line breaks: Teams joins single newlines


@pytest.mark.parametrize(
    "kwargs",
    [
        {"key": base64.b64decode("c2VjcmV0LWtleS1vZi1hbm90aGVyLXdlYmhvb2stMTIzNDU=")},
        {"authorization": "HMAC FyDz4qc0p4IUFo+PWvPhq7fm6S/FpKsyNoHMIu1Yzuv="},
        {"authorization": ""},
        {"authorization": "HMAC "},
        {"authorization": f"Bearer {VECTOR}"},
    ],
    ids=["another-webhooks-token", "forged", "no-header", "empty-hmac", "wrong-scheme"],
)
def test_a_bad_signature_is_401_and_unanswered(client, kwargs):
    response = post(client, activity(), **kwargs)
    assert response.status_code == 401
    assert "394" not in response.get_data(as_text=True)


def test_a_body_changed_after_signing_is_401(client):
    changed = BODY.replace("李".encode(), b"X").replace(b"Li Wei", b"Mallory")
    assert changed != BODY
    response = post(client, changed, authorization=f"HMAC {VECTOR}")
    assert response.status_code == 401
    assert "394" not in response.get_data(as_text=True)


def test_get_is_405(client):
    assert client.get(ROUTE).status_code == 405


# ── answers ──────────────────────────────────────────────────────────────────────────────────
def test_a_replayed_activity_gets_no_second_answer(client):
    payload = activity()
    assert "394项" in post(client, payload).get_json()["text"]
    again = post(client, payload)
    assert again.status_code == 200
    assert again.get_json() == {"type": "message", "text": ""}


def test_a_message_without_an_at_tag_is_still_answered(client):
    """Teams only calls the webhook for an @-mention, and the HMAC proves Teams sent it: every request is addressed."""
    assert "394项" in post(client, activity(QUESTION)).get_json()["text"]


def test_comparisons_are_adaptive_cards_with_a_table(client):
    reply = post(client, activity("<at>Gaoxin</at> 高新技术企业 排名")).get_json()
    assert reply["type"] == "message" and "text" not in reply
    [attachment] = reply["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.5")
    title, table, note = card["body"]
    assert title["text"].startswith("各园区按“高新技术企业”比较") and messages.LEGEND in note["text"]
    assert table["type"] == "Table" and table["firstRowAsHeader"] is True
    head, *rows = [[cell["items"][0]["text"] for cell in row["cells"]] for row in table["rows"]]
    assert head == ["名次", "园区", "数值", "指标", "时间", "核实"]
    assert rows[0][:3] == ["1", "佛山高新区", "2931家"] and rows[0][4:] == ["2020年", "⚠️"]
    assert len(rows) >= 3 and all(len(row) == len(head) == len(table["columns"]) for row in rows)


def test_a_mention_alone_gets_a_polite_prompt(client):
    assert post(client, activity("<at>Gaoxin</at>&nbsp;\n")).get_json()["text"] == messages.EMPTY


def test_an_image_without_text_gets_the_not_text_note(client):
    image = {"contentType": "image/png", "contentUrl": "https://example.invalid/a.png", "name": "a.png"}
    payload = activity('<at>Gaoxin</at> <img src="https://example.invalid/a.png">', attachments=[image])
    assert post(client, payload).get_json()["text"] == messages.NOT_TEXT


def test_an_activity_that_is_not_a_message_is_acknowledged_unanswered(client):
    response = post(client, activity(type="conversationUpdate"))
    assert response.status_code == 200 and response.get_json() == {"type": "message", "text": ""}


@pytest.mark.parametrize(
    "data",
    [b"{not json", b'"a string"', json.dumps(activity(text=["a", "list"])).encode(),
     json.dumps(activity(**{"from": "Li Wei"})).encode(), json.dumps(activity(attachments={"a": 1})).encode()],
    ids=["bad-json", "not-an-object", "text-not-a-string", "from-not-an-object", "attachments-not-a-list"],
)  # fmt: skip
def test_a_malformed_body_is_400(client, data):
    response = post(client, data)
    assert response.status_code == 400
    assert response.get_json()["ok"] is False


# ── parsing ──────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "html, expected",
    [
        (f"<at>Gaoxin</at>&nbsp;{QUESTION}\n", QUESTION),
        ("<at>Gaoxin</at> <b>青岛高新区</b>&nbsp;权力事项数量", QUESTION),
        ("<p><at>Gaoxin</at> 青岛高新区</p><p>权力事项数量</p>", QUESTION),
        ("<at>Gaoxin</at> 楚雄&amp;大连 <br/>发明专利", "楚雄&大连 发明专利"),
        ("<at>Gaoxin</at> &lt;script&gt; 青岛", "<script> 青岛"),  # decoded after the tags are gone: text, not a tag
    ],
    ids=["nbsp", "inline-tags", "paragraphs", "entities-and-br", "escaped-angle-brackets"],
)
def test_the_mention_tags_and_entities_are_removed(html, expected):
    assert question(html) == expected


def test_a_parsed_activity_is_a_group_message_addressed_to_the_bot(app):
    adapter = app.extensions["gaoxin.platforms"].adapters["teams"]
    msg = adapter.parse(Inbound("POST", {}, {}, BODY, "application/json"))
    assert msg.text == QUESTION
    assert (msg.delivery_id, msg.user) == ("1485983408511", "Li Wei")
    assert msg.conversation == "19:6f2b@thread.tacv2;messageid=1485983408511"
    assert msg.group and msg.addressed and msg.kind == "text"


# ── the security token ───────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "token, complaint",
    [("not base64!", "not valid base64"), ("vqF0En+Z0ucuRTM/01o2Gu==", "bytes, not 32")],
    ids=["bad-base64", "too-short"],
)
def test_a_malformed_security_token_stops_the_app(seed_db_path, token, complaint):
    with pytest.raises(PlatformConfigError, match="GAOXIN_TEAMS_SECURITY_TOKEN") as caught:
        create_app({"DB": str(seed_db_path), "TESTING": True, "TEAMS_SECURITY_TOKEN": token})
    assert complaint in str(caught.value)


def test_several_teams_each_with_its_own_token(own_store):
    """One outgoing webhook per team: a request signed with either configured token is answered, others are not."""
    other = base64.b64encode(bytes(range(32))).decode()
    app = create_app({"DB": str(own_store), "TESTING": True, "TEAMS_SECURITY_TOKEN": f"{other}, {TOKEN}"})
    client = app.test_client()
    for token, status in ((TOKEN, 200), (other, 200), (base64.b64encode(b"x" * 32).decode(), 401)):
        body = json.dumps(activity(), ensure_ascii=False).encode()
        auth = "HMAC " + sign(body, base64.b64decode(token))
        response = client.post(
            "/webhook/teams", data=body, headers={"Authorization": auth}, content_type="application/json"
        )
        assert response.status_code == status, response.get_data(as_text=True)
        if status == 200:
            assert "394项" in response.get_json()["text"]

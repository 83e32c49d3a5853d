"""bot/safejson.py: JSON nested ~1000 deep (json.loads' RecursionError) is a 400 on every route that parses JSON."""

from __future__ import annotations

import base64
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier

from bot import safejson
from bot.app import create_app
from bot.platforms import dingtalk, teams

DEEP = ("[" * 2000 + "]" * 2000).encode()  # json.loads raises RecursionError from ~960 levels
DEEP_OBJECT = ('{"q": ' + "[" * 2000 + "]" * 2000 + "}").encode()
TEAMS_TOKEN = "vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA="
DINGTALK_SECRET = "gaoxin-test-AppSecret_0123456789-abcdefghijklmnopqrstuvwxyzABCD"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
LS_SECRET = "deep-json-secret"


@pytest.fixture(scope="module")
def client(module_store):
    app = create_app(
        {
            "DB": str(module_store),
            "TESTING": True,
            "API_TOKEN": "",
            "LS_WEBHOOK_SECRET": LS_SECRET,
            "MATTERMOST_TOKEN": "mm-token",
            "FEISHU_APP_ID": "cli_test",
            "FEISHU_APP_SECRET": "feishu-secret",
            "FEISHU_VERIFICATION_TOKEN": "feishu-token",
            "DINGTALK_APP_SECRET": DINGTALK_SECRET,
            "SLACK_SIGNING_SECRET": SLACK_SECRET,
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_API_URL": "http://127.0.0.1:9/api/",
            "TEAMS_SECURITY_TOKEN": TEAMS_TOKEN,
        }
    )
    return app.test_client()


def requests_for(body: bytes) -> dict[str, dict]:
    """The same body as each route receives it: unsigned where the route takes no signature, else signed."""
    ts_ms = str(int(time.time() * 1000))
    ts = str(int(time.time()))
    slack_sig = SignatureVerifier(SLACK_SECRET).generate_signature(timestamp=ts, body=body.decode("utf-8", "replace"))
    return {
        "/api/v1/ask": {"headers": {}},
        "/hooks/label-studio": {"headers": {"X-Gaoxin-Secret": LS_SECRET}},
        "/webhook/mattermost": {"headers": {}},  # no credentials at all
        "/webhook/feishu": {"headers": {}},  # unsigned: the token travels in the body
        "/webhook/dingtalk": {"headers": {"timestamp": ts_ms, "sign": dingtalk.sign(ts_ms, DINGTALK_SECRET)}},
        "/webhook/slack": {"headers": {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": slack_sig}},
        "/webhook/teams": {"headers": {"Authorization": f"HMAC {teams.sign(body, base64.b64decode(TEAMS_TOKEN))}"}},
    }


ROUTES = list(requests_for(b"{}"))


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "in-object"])
def test_json_nested_too_deep_is_400_not_500(client, route, body):
    response = client.post(route, data=body, content_type="application/json", **requests_for(body)[route])
    assert response.status_code == 400, response.get_data(as_text=True)
    reply = response.get_json()
    assert reply["ok"] is False and reply["code"] == "too_deep" and "64" in reply["error"]


def test_a_deep_slack_form_payload_is_400(client):
    body = "payload=" + "%5B" * 2000 + "%5D" * 2000
    ts = str(int(time.time()))
    sig = SignatureVerifier(SLACK_SECRET).generate_signature(timestamp=ts, body=body)
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}
    response = client.post(
        "/webhook/slack", data=body, content_type="application/x-www-form-urlencoded", headers=headers
    )
    assert response.status_code == 400 and response.get_json()["code"] == "too_deep"


def test_depth_counts_brackets_outside_strings_only():
    assert safejson.depth('{"a": [1, {"b": "[[[[\\"[["}]}') == 3
    assert safejson.depth('"' + "[" * 500 + '"') == 0
    assert safejson.loads('{"q": ' + "[" * 64 + "]" * 64 + "}", max_depth=65)
    with pytest.raises(safejson.TooDeep):
        safejson.loads("[" * 65 + "]" * 65)


# ── fuzz: any JSON-ish body gets a 2xx or 4xx (or Slack's documented 503: its API is unreachable here), never a 500 ────────────────────────────────────
_leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
_json = st.recursive(
    _leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


def _nest(value: object, depth: int) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return "[" * depth + text + "]" * depth


_bodies = st.one_of(
    _json.map(lambda v: json.dumps(v, ensure_ascii=False).encode()),
    st.builds(_nest, _json, st.integers(0, 3000)).map(str.encode),
    st.builds(lambda v, d: '{"q": ' + _nest(v, d) + "}", _json, st.integers(0, 3000)).map(str.encode),
    st.binary(max_size=200),
    st.text(alphabet='[]{}",:\\ 0aq', max_size=300).map(str.encode),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_bodies, route=st.sampled_from(ROUTES))
def test_fuzz_no_body_is_a_500(client, body, route):
    response = client.post(route, data=body, content_type="application/json", **requests_for(body)[route])
    assert response.status_code != 500, (route, body[:80], response.get_data(as_text=True))

"""bot/platforms/wecom.py: WeCom's URL check, encrypted messages and passive replies, with wechatpy playing WeCom."""

from __future__ import annotations

import base64
import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xmltodict
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from bot import messages
from bot.app import create_app
from bot.platforms import Message, PlatformConfigError
from bot.platforms.wecom import REPLY_BYTES, WeCom

TOKEN = "gaoxinCallbackToken"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")  # 43 characters, like the console's
CORP_ID = "ww0123456789abcdef"
AGENT = "1000002"
USER = "ZhangSan"
QUESTION = "青岛高新区 权力事项数量"
CONFIG = {"WECOM_TOKEN": TOKEN, "WECOM_AES_KEY": AES_KEY, "WECOM_CORP_ID": CORP_ID}
MSG_IDS = itertools.count(7_000_000_000_000_000_001)  # WeCom's MsgIds are 64-bit numbers
WECOM = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)  # WeCom's side of the callback: same token, key and CorpID


@pytest.fixture(scope="module")
def client(module_store):
    return create_app({"DB": str(module_store), "TESTING": True, **CONFIG}).test_client()


def text_xml(content: str, msg_id: str | None = None, msg_type: str = "text", extra: str = "") -> str:
    msg_id = msg_id or str(next(MSG_IDS))
    body = f"<Content><![CDATA[{content}]]></Content>" if msg_type == "text" else extra
    return (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{USER}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{body}"
        f"<MsgId>{msg_id}</MsgId><AgentID>{AGENT}</AgentID></xml>"
    )


def event_xml(event: str) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{USER}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event><AgentID>{AGENT}</AgentID></xml>"
    )


def sealed(plain: str, crypto: WeChatCrypto = WECOM, timestamp: str | None = None, nonce: str = "1372623149"):
    """What WeCom POSTs for a message: the query and the <xml><Encrypt> body."""
    timestamp = timestamp or str(int(time.time()))
    envelope = xmltodict.parse(crypto.encrypt_message(plain, nonce, timestamp))["xml"]
    query = {"msg_signature": envelope["MsgSignature"], "timestamp": timestamp, "nonce": nonce}
    body = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><AgentID><![CDATA[{AGENT}]]></AgentID>"
        f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
    )
    return query, body


def post(client, query: dict, body: str | bytes):
    return client.post("/webhook/wecom", query_string=query, data=body, content_type="text/xml")


def opened(response) -> dict:
    """The passive reply as WeCom reads it: its own signature checked, then decrypted."""
    assert response.status_code == 200
    assert response.content_type.startswith("application/xml")
    envelope = xmltodict.parse(response.data)["xml"]
    plain = WECOM.decrypt_message(envelope, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])
    return xmltodict.parse(plain)["xml"]


def url_check(echostr: str, timestamp: str | None = None, token: str = TOKEN, nonce: str = "5566") -> dict:
    timestamp = timestamp or str(int(time.time()))
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce, echostr)
    return {"msg_signature": signer.signature, "timestamp": timestamp, "nonce": nonce, "echostr": echostr}


def echostr(plain: str = "8207390183728592351") -> str:
    return xmltodict.parse(WECOM.encrypt_message(plain, "1"))["xml"]["Encrypt"]


# ── the URL check ────────────────────────────────────────────────────────────────────────────
def test_the_url_check_answers_the_decrypted_echostr(client):
    response = client.get("/webhook/wecom", query_string=url_check(echostr()))
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    assert response.get_data(as_text=True) == "8207390183728592351"


@pytest.mark.parametrize("how", ["wrong-token", "stale", "missing-echostr"])
def test_a_bad_url_check_is_refused(client, how):
    query = url_check(echostr(), token="another-token" if how == "wrong-token" else TOKEN,
                      timestamp=str(int(time.time()) - 7200) if how == "stale" else None)  # fmt: skip
    if how == "missing-echostr":
        del query["echostr"]
    response = client.get("/webhook/wecom", query_string=query)
    assert response.status_code == {"wrong-token": 401, "stale": 401, "missing-echostr": 400}[how]
    assert "8207390183728592351" not in response.get_data(as_text=True)


# ── messages ─────────────────────────────────────────────────────────────────────────────────
def test_a_text_message_gets_an_encrypted_passive_reply(client):
    reply = opened(post(client, *sealed(text_xml(QUESTION))))
    assert reply["MsgType"] == "text"
    assert reply["FromUserName"] == CORP_ID and reply["ToUserName"] == USER  # swapped
    assert reply["AgentID"] == AGENT
    content = reply["Content"]
    assert "394项" in content and "003_afa5e1f9941b0bd9.txt" in content and "未核实" in content
    assert "**" not in content  # plain text: WeCom shows Markdown marks literally


@pytest.mark.parametrize(
    "forge",
    ["forged-signature", "encrypt-changed", "wrong-token", "stale", "future"],
)
def test_forged_changed_or_stale_messages_are_401_and_unanswered(client, forge):
    now = int(time.time())
    timestamp = {"stale": str(now - 7200), "future": str(now + 7200)}.get(forge)
    message = text_xml(QUESTION)
    query, body = sealed(message, WeChatCrypto("another-token", AES_KEY, CORP_ID)
                         if forge == "wrong-token" else WECOM, timestamp=timestamp)  # fmt: skip
    if forge == "forged-signature":
        query["msg_signature"] = "0" * 40
    if forge == "encrypt-changed":  # the same message re-encrypted: a valid ciphertext, but not the one signed
        body = sealed(message)[1]
    response = post(client, query, body)
    assert response.status_code == 401
    assert "394" not in response.get_data(as_text=True)
    assert ("stale" if forge in ("stale", "future") else "msg_signature") in response.get_json()["error"]
    assert "394项" in opened(post(client, *sealed(message)))["Content"]  # the same MsgId was not claimed


def test_a_message_for_another_corp_id_is_403(module_store):
    app = create_app({"DB": str(module_store), "TESTING": True, **CONFIG, "WECOM_CORP_ID": "wwSomeOtherCorp"})
    response = post(app.test_client(), *sealed(text_xml(QUESTION)))  # encrypted for CORP_ID
    assert response.status_code == 403
    assert "GAOXIN_WECOM_CORP_ID" in response.get_json()["error"]


def test_a_message_under_another_aes_key_is_403_never_500(client):
    other_key = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    for _ in range(20):  # garbage plaintext fails in several places inside wechatpy; every one is a 403
        response = post(client, *sealed(text_xml(QUESTION), WeChatCrypto(TOKEN, other_key, CORP_ID)))
        assert response.status_code == 403, response.get_data(as_text=True)


def test_a_redelivered_message_gets_an_empty_200(client):
    message = text_xml(QUESTION)
    query, body = sealed(message)
    assert "394项" in opened(post(client, query, body))["Content"]
    replay = post(client, query, body)  # the same bytes again
    assert replay.status_code == 200 and replay.data == b""
    retry = post(client, *sealed(message, nonce="99"))  # WeCom's retry: the same message, re-encrypted and re-signed
    assert retry.status_code == 200 and retry.data == b""


@pytest.mark.parametrize("event", ["subscribe", "enter_agent", "change_contact"])
def test_events_get_an_empty_200(client, event):
    response = post(client, *sealed(event_xml(event)))
    assert response.status_code == 200 and response.data == b""


def test_an_image_gets_the_text_only_note(client):
    image = "<PicUrl><![CDATA[http://p.qpic.cn/x]]></PicUrl><MediaId><![CDATA[media-1]]></MediaId>"
    reply = opened(post(client, *sealed(text_xml("", msg_type="image", extra=image))))
    assert reply["Content"] == messages.NOT_TEXT


@pytest.mark.parametrize(
    "case",
    ["body-not-xml", "no-encrypt", "inner-not-xml", "missing-query"],
)
def test_malformed_requests_are_400(client, case):
    query, body = sealed(text_xml(QUESTION))
    if case == "body-not-xml":
        body = "<xml><Encrypt>"
    elif case == "no-encrypt":
        body = "<xml><ToUserName>x</ToUserName></xml>"
    elif case == "inner-not-xml":
        query, body = sealed("this is not xml <")
    else:
        del query["nonce"]
    response = post(client, query, body)
    assert response.status_code == 400
    assert response.get_json()["ok"] is False


def test_an_entity_declaration_is_refused_not_expanded(client):
    query, _ = sealed(text_xml(QUESTION))
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><xml><Encrypt>&a;</Encrypt></xml>'
    assert post(client, query, bomb).status_code == 400


def test_a_10000_character_message_gets_the_too_long_note(client):
    from bot.answer import MAX_QUESTION_CHARS

    reply = opened(post(client, *sealed(text_xml("园" * 10_000))))
    assert reply["Content"] == messages.TOO_LONG.format(limit=MAX_QUESTION_CHARS)


def test_an_empty_message_gets_the_prompt(client):
    assert opened(post(client, *sealed(text_xml(""))))["Content"] == messages.EMPTY


def test_comparisons_are_a_plain_numbered_list_each_line_with_its_mark_and_period(client):
    """A passive reply is text (WeCom's passive replies have no markdown): numbered lines, marks, periods, legend."""
    content = opened(post(client, *sealed(text_xml("高新技术企业 排名"))))["Content"]
    assert "|---|" not in content and "**" not in content
    lines = content.split("\n")
    assert lines[0].startswith("各园区按“高新技术企业”比较") and lines[1] == "1. 佛山高新区 2931家(高企存量,2020年)⚠️"
    assert lines[-1] == messages.LEGEND


# ── the reply itself, and the settings ───────────────────────────────────────────────────────
def test_a_long_reply_is_cut_at_a_line_and_cdata_breakers_survive():
    from bot.answer import Reply

    text = "a]]>b <Content> & c\n" + "\n".join(f"{i}. 某某高新区 某项指标 {i}家" for i in range(300))
    out = WeCom(CONFIG).respond(Message("wecom", "m", "q", USER, AGENT), Reply("answered", text, text), chat=None)
    envelope = xmltodict.parse(out.body)["xml"]
    content = xmltodict.parse(WECOM.decrypt_message(envelope, envelope["MsgSignature"], envelope["TimeStamp"],
                                                    envelope["Nonce"]))["xml"]["Content"]  # fmt: skip
    assert content.startswith("a]]>b <Content> & c\n0. ")
    assert content.endswith("家\n…") and len(content.encode()) <= REPLY_BYTES


@pytest.mark.parametrize(
    "aes_key",
    [AES_KEY[:-1], AES_KEY + "A", "!" + AES_KEY[1:], AES_KEY[:-1] + "="],
    ids=["42-chars", "44-chars", "not-base64", "padded"],
)
def test_a_malformed_aes_key_stops_the_start_naming_the_setting(aes_key):
    with pytest.raises(PlatformConfigError, match="GAOXIN_WECOM_AES_KEY"):
        WeCom({**CONFIG, "WECOM_AES_KEY": aes_key})


def test_wechatpy_is_not_imported_while_wecom_is_disabled():
    code = "import sys, bot.app; bot.app.create_app({'TESTING': True}); print('wechatpy' in sys.modules)"
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"


def test_a_ranking_too_long_for_wecom_loses_rows_not_its_count_and_legend(gazetteer):
    from bot.answer import Bot
    from bot.platforms.wecom import _text

    from .tables import ranking_rows, store_of

    # an article's wordy metric name, 59 characters
    long_name = "高新技术企业数量" + "按照国家统计口径认定并在有效期内的" * 3
    reply = Bot(store_of(ranking_rows(13, metric=long_name)), gazetteer).ask("高新技术企业 排名")
    assert len(reply.text.encode()) > REPLY_BYTES and len(reply.table.rows) == 10
    text = _text(reply)
    assert len(text.encode()) <= REPLY_BYTES
    shown = [line for line in text.split("\n") if line[:1].isdigit()]
    assert 1 <= len(shown) < 10 and shown[0].startswith("1. 西安高新区")
    assert f"还有{13 - len(shown)}个园区未列出。" + messages.LEGEND == text.split("\n")[-1]

"""bot/app.py: the HTTP API through Flask's test client — the ask API, its errors, the token, health and the page."""

from __future__ import annotations

import json
import os
import re

import pytest

from bot.app import create_app

HEADLINE = "青岛高新区 权力事项数量"
REPLY_KEYS = {"status", "text", "markdown", "facts"}
FACT_KEYS = {
    "zone",
    "entity",
    "metric",
    "value",
    "unit",
    "qualifier",
    "period",
    "kind",
    "status",
    "quote",
    "doc",
    "article",
    "score",
}  # fmt: skip  (the issue's list; `id` comes on top, for annotators)


@pytest.fixture(autouse=True)
def no_gaoxin_env(monkeypatch):
    """create_app reads GAOXIN_* settings; the developer's own must not leak in."""
    for name in [n for n in os.environ if n.startswith("GAOXIN_")]:
        monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def api(seed_db_path):
    """One app for the tests that get answers: its bot (gazetteer, dictionary) is built once, not per test."""
    return create_app({"DB": str(seed_db_path), "API_TOKEN": "", "VERIFIED_ONLY": False, "TESTING": True}).test_client()


def ask(client, body=None, **kwargs):
    return client.post("/api/v1/ask", json=body, **kwargs) if body is not None else client.post("/api/v1/ask", **kwargs)


def assert_json_error(response, status: int, *words: str, code: str | None = None) -> str:
    """The status, a JSON body {"ok": false, "error": "<Chinese>", "code": "<english_code>"} and nothing else —
    no HTML, no traceback, no English sentence for the person."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"ok", "error", "code"}
    assert body["ok"] is False
    error = body["error"]
    assert isinstance(error, str) and re.search(r"[\u4e00-\u9fff]", error), error
    assert re.fullmatch(r"[a-z_]+", body["code"]), body
    if code is not None:
        assert body["code"] == code, body
    raw = response.get_data(as_text=True)
    assert "Traceback" not in raw and "<html" not in raw.lower() and "<!doctype" not in raw.lower()
    for word in words:
        assert word in error, error
    return error


# ── POST /api/v1/ask ───────────────────────────────────────────────────────────────────────────
def test_ask_answers_with_the_documented_shape(api):
    response = ask(api, {"q": HEADLINE})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == REPLY_KEYS
    assert body["status"] == "answered"
    assert "394项" in body["text"] and "394项" in body["markdown"]
    assert body["facts"], body
    for fact in body["facts"]:
        assert set(fact) == FACT_KEYS | {"id"}
    best = body["facts"][0]
    assert (best["zone"], best["value"], best["unit"], best["status"]) == ("青岛高新区", 394, "项", "candidate")
    assert best["doc"] == "003_afa5e1f9941b0bd9.txt"
    assert best["article"] == "青岛高新区:盘活高质量发展“一盘棋”"
    assert body["facts"][1]["value"] == 306


def test_a_comparison_carries_its_table(api):
    """The page draws a comparison from "table", not from the text: rows in the text's order, with marks and periods."""
    body = ask(api, {"q": "高新技术企业 排名"}).get_json()
    assert set(body) == REPLY_KEYS | {"table"}
    table = body["table"]
    assert (table["kind"], table["order"], table["unit"], table["more"]) == ("ranking", "value", "家", 0)
    assert body["text"].startswith(table["title"] + ":")
    assert [r["fact"] for r in table["rows"]] == [f["id"] for f in body["facts"]]
    assert [r["rank"] for r in table["rows"]] == list(range(1, len(body["facts"]) + 1))
    first = table["rows"][0]
    assert (first["zone"], first["amount"], first["period_text"], first["verified"]) == ("佛山高新区", "2931家",
                                                                                         "2020年", False)  # fmt: skip
    assert "1. 佛山高新区 2931家(高企存量,2020年)⚠️" in body["text"].splitlines()


def test_ask_json_is_utf8_not_escaped(api):
    raw = ask(api, {"q": HEADLINE}).get_data(as_text=True)
    assert "青岛高新区" in raw
    assert json.loads(raw)["status"] == "answered"


@pytest.mark.parametrize(
    ("question", "status"), [("高企 有多少", "ambiguous"), ("青岛高新区 人口", "unknown"), ("帮助", "answered")]
)
def test_ask_every_outcome_has_the_same_keys(api, question, status):
    body = ask(api, {"q": question}).get_json()
    assert set(body) == REPLY_KEYS
    assert body["status"] == status
    assert all(set(f) == FACT_KEYS | {"id"} for f in body["facts"])


@pytest.mark.parametrize(
    "question", ["'; DROP TABLE facts; --", "\ud800", "😀" * 20, "\x00\x01\x02", "ＱＩＮＧＤＡＯ　权力事项"]
)
def test_ask_odd_but_valid_questions(api, question):
    body = json.dumps({"q": question})  # ASCII escapes: a lone surrogate can travel only as \\ud800
    response = ask(api, data=body, content_type="application/json")
    assert response.status_code == 200
    assert response.get_json()["status"] in ("answered", "ambiguous", "unknown")


def test_ask_ignores_extra_fields(api):
    assert ask(api, {"q": HEADLINE, "user": "x", "lang": "zh"}).get_json()["status"] == "answered"


# ── bad requests ───────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"q": ""}, "empty_question"),
        ({"q": "   \u3000\n"}, "empty_question"),
        ({}, "missing_question"),
        ({"question": HEADLINE}, "missing_question"),
        ({"q": None}, "missing_question"),
        ({"q": 42}, "missing_question"),
        ({"q": ["青岛"]}, "missing_question"),
        ({"q": {"text": "青岛"}}, "missing_question"),
        ([HEADLINE], "not_an_object"),
    ],
)
def test_ask_bad_json_is_400(client, body, word):
    assert_json_error(ask(client, body), 400, code=word)


def test_a_question_too_long_says_its_length_and_the_limit_in_chinese(client):
    error = assert_json_error(ask(client, {"q": "青" * 3003}), 400, "3003", "500", code="question_too_long")
    assert "问题太长" in error


@pytest.mark.parametrize("data", [b"{not json", b"", b'"q"', b"null", b"\xff\xfe"])
def test_ask_body_that_is_not_a_json_object_is_400(client, data):
    assert_json_error(ask(client, data=data, content_type="application/json"), 400)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": json.dumps({"q": HEADLINE}), "content_type": "text/plain"},
        {"data": {"q": HEADLINE}},  # a form
        {"data": json.dumps({"q": HEADLINE})},  # no content type at all
    ],
)
def test_ask_wrong_content_type_is_415(client, kwargs):
    assert_json_error(ask(client, **kwargs), 415, "application/json", code="not_json")


def test_ask_body_over_64_kb_is_413_with_the_limit_in_chinese(client):
    body = json.dumps({"q": "青" * 40_000})  # 120 KB of UTF-8
    error = assert_json_error(ask(client, data=body, content_type="application/json"), 413, code="body_too_large")
    assert "64 KB" in error and "请求太大" in error


def test_ask_body_just_under_the_limit_is_read(api):
    body = json.dumps({"q": HEADLINE, "pad": "x" * 60_000})
    assert ask(api, data=body, content_type="application/json").status_code == 200


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_ask_other_methods_are_405(client, method):
    assert_json_error(getattr(client, method)("/api/v1/ask"), 405)


@pytest.mark.parametrize("path", ["/nope", "/api/v1/asks", "/api/v2/ask", "/static/../bot/app.py"])
def test_unknown_route_is_404(client, path):
    assert_json_error(client.get(path), 404)


# ── the bearer token ───────────────────────────────────────────────────────────────────────────
@pytest.fixture(scope="module")
def locked(seed_db_path):
    return create_app(
        {"DB": str(seed_db_path), "API_TOKEN": "secret", "VERIFIED_ONLY": False, "TESTING": True}
    ).test_client()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer secret2"},
        {"Authorization": "Basic secret"},
        {"Authorization": "Token secret"},
        {"Authorization": "secret"},
        {"X-Api-Token": "secret"},
    ],
)
def test_token_missing_or_wrong_is_401(locked, headers):
    assert_json_error(ask(locked, {"q": HEADLINE}, headers=headers), 401, "Bearer", code="unauthorized")


@pytest.mark.parametrize("header", ["Bearer secret", "bearer secret"])
def test_token_right_is_200(locked, header):
    response = ask(locked, {"q": HEADLINE}, headers={"Authorization": header})
    assert response.status_code == 200
    assert response.get_json()["status"] == "answered"


def test_token_is_checked_before_the_body(locked):
    assert_json_error(ask(locked, data=b"{not json", content_type="application/json"), 401)


def test_token_from_the_environment(monkeypatch, seed_db_path):
    monkeypatch.setenv("GAOXIN_API_TOKEN", "from-env")
    client = create_app({"DB": str(seed_db_path)}).test_client()
    assert_json_error(ask(client, {"q": HEADLINE}), 401)
    assert ask(client, {"q": HEADLINE}, headers={"Authorization": "Bearer from-env"}).status_code == 200


# ── health, page, missing store ────────────────────────────────────────────────────────────────
def test_healthz_counts_the_answerable_facts(client, seed_store):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    counts = seed_store.counts()
    assert body["ok"] is True
    assert body["facts"] == counts.candidate + counts.verified
    assert body["facts"] > 0


def test_index_is_the_html_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "<html" in response.get_data(as_text=True).lower()


def test_missing_store_is_503_with_a_reason(tmp_path):
    missing = tmp_path / "none.db"
    client = create_app({"DB": str(missing), "TESTING": True}).test_client()
    error = assert_json_error(ask(client, {"q": HEADLINE}), 503, "数据库", code="store_unavailable")
    assert str(tmp_path) not in error  # the reason, not the server's file system
    assert_json_error(client.get("/healthz"), 503, "数据库", code="store_unavailable")
    assert not missing.exists()  # nothing was created


def test_store_that_appears_later_is_used(tmp_path, seed_db_path):
    path = tmp_path / "later.db"
    client = create_app({"DB": str(path), "TESTING": True}).test_client()
    assert_json_error(ask(client, {"q": HEADLINE}), 503)
    import shutil

    shutil.copy(seed_db_path, path)
    if os.path.exists(f"{seed_db_path}-wal"):
        shutil.copy(f"{seed_db_path}-wal", f"{path}-wal")
    assert ask(client, {"q": HEADLINE}).get_json()["status"] == "answered"

"""POST /hooks/label-studio: a payload not shaped as Label Studio's is a 400 naming the field (annotate/payloads.py)."""

from __future__ import annotations

import json

import pytest

from bot.app import create_app
from store import Store
from store.review import TaskRecord

SECRET = "hook-shape-secret"
TASK = 77


@pytest.fixture
def client(own_store):
    store = Store.open(own_store)
    fact = next(f for f in store.facts(zone="青岛高新区") if f.value == 394)
    store.record_task(TaskRecord(TASK, 1, fact.doc, fact.start - 10, fact.end + 10, (fact.id,), "h"))
    store.close()
    return create_app({"DB": str(own_store), "TESTING": True, "LS_WEBHOOK_SECRET": SECRET}).test_client()


def post(client, payload):
    return client.post("/hooks/label-studio", json=payload, headers={"X-Gaoxin-Secret": SECRET})


def event(task_id=TASK, result=None, value=None):
    region = {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels", "value": value or {}}
    ann = {"id": 5, "result": [region] if result is None else result, "updated_at": "2026-12-06T00:00:00Z"}
    return {"action": "ANNOTATION_UPDATED", "annotation": ann, "task": {"id": task_id}}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (event(task_id="abc"), "task.id"),
        (event(task_id="3"), "task.id"),
        (event(task_id=None), "task.id"),
        (event(task_id=2**70), "task.id"),
        (event(task_id=True), "task.id"),
        (event(result=5), "annotation.result"),
        (event(value={"labels": 5}), "labels"),
        (event(value={"choices": 7}), "choices"),
        (event(value={"choices": [["x"]]}), "choices"),
        (event(value={"text": {"a": 1}}), "text"),
        ({"action": "ANNOTATIONS_DELETED", "annotations": [{"id": "x"}]}, "annotations.0.id"),
        ({"action": "ANNOTATIONS_DELETED", "annotations": [{"id": 2**64}]}, "annotations.0.id"),
    ],
    ids=lambda v: None if isinstance(v, dict) else v,
)
def test_a_malformed_payload_is_400_with_the_reason(client, payload, field):
    response = post(client, payload)
    assert response.status_code == 400, response.get_data(as_text=True)
    reply = response.get_json()
    assert reply["ok"] is False and reply["code"] == "webhook_invalid" and field in reply["error"]


def test_a_well_formed_payload_is_still_applied(client):
    response = post(client, event(result=[]))
    assert response.status_code == 200 and response.get_json()["ok"] is True
    assert post(client, event(task_id=123456)).get_json()["outcome"] == "ignored"


def test_a_webhook_larger_than_a_question_may_be_is_read_once_the_secret_is_right(client):
    """Label Studio sends the whole project (its interface) with every annotation: a long paragraph's webhook is
    past the 64 KB a question may be. It is read when the secret is right; without it, 401 before the body."""
    big = {**event(result=[]), "project": {"label_config": "<View>" + "　" * 200_000 + "</View>"}}
    assert len(json.dumps(big, ensure_ascii=False).encode()) > 512 * 1024
    response = post(client, big)
    assert response.status_code == 200 and response.get_json()["ok"] is True
    wrong = client.post("/hooks/label-studio", json=big, headers={"X-Gaoxin-Secret": "wrong"})
    assert wrong.status_code == 401
    assert client.post("/api/v1/ask", json={"q": "青岛" * 40_000}).status_code == 413

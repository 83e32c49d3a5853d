"""The store file deleted or replaced under a running app (bot/app.py Service): 503 while it is gone, the new file
in every worker once it is back, and never a write reported as applied into the unlinked file."""

from __future__ import annotations

import shutil

import pytest

from bot.app import create_app
from store import Store
from store.review import TaskRecord
from tests.conftest import copy_store

SECRET = "replaced-secret"
QUESTION = "青岛高新区 权力事项数量"


@pytest.fixture
def task(own_store):
    store = Store.open(own_store)
    fact = next(f for f in store.facts(zone="青岛高新区") if f.value == 394)
    store.record_task(TaskRecord(77, 1, fact.doc, fact.start - 10, fact.end + 10, (fact.id,), "h"))
    store.close()
    return fact


def app_on(db):
    return create_app({"DB": str(db), "TESTING": True, "API_TOKEN": "", "LS_WEBHOOK_SECRET": SECRET})


def hook(client, ann_id: int = 5):
    ann = {"id": ann_id, "result": [], "updated_at": f"2026-12-06T00:00:0{ann_id % 10}Z"}
    payload = {"action": "ANNOTATION_UPDATED", "annotation": ann, "task": {"id": 77}}
    return client.post("/hooks/label-studio", json=payload, headers={"X-Gaoxin-Secret": SECRET})


def remove(db) -> None:
    for side in ("", "-wal", "-shm"):
        db.with_name(db.name + side).unlink(missing_ok=True)


def test_a_deleted_store_is_503_for_the_webhook_and_the_api(own_store, task):
    client = app_on(own_store).test_client()
    assert client.post("/api/v1/ask", json={"q": QUESTION}).status_code == 200
    remove(own_store)
    response = hook(client)
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.get_json()["code"] == "store_unavailable_webhook"
    assert client.post("/api/v1/ask", json={"q": QUESTION}).status_code == 503
    assert not own_store.exists()  # nobody re-created it empty


def test_a_replaced_store_is_read_by_every_worker(own_store, seed_db_path, tmp_path, task):
    workers = [app_on(own_store).test_client() for _ in range(2)]  # two processes' apps, each with its connection
    for client in workers:
        assert client.post("/api/v1/ask", json={"q": QUESTION}).get_json()["facts"][0]["value"] == 394
    (tmp_path / "new").mkdir()
    other = copy_store(seed_db_path, tmp_path / "new")
    new = Store.open(other)
    new.db.execute("UPDATE facts SET value = 395, value_text = '395' WHERE value = 394 AND zone = '青岛高新区'")
    new.db.conn.commit()
    new.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    new.close()
    remove(own_store)
    shutil.copy(other, own_store)  # a new file (inode) at the path, as `gaoxin ingest` into a fresh store makes
    for client in workers:
        assert client.post("/api/v1/ask", json={"q": QUESTION}).get_json()["facts"][0]["value"] == 395


def test_a_write_that_raced_the_unlink_is_not_reported_applied(own_store, task, monkeypatch):
    import annotate.labelstudio as labelstudio

    original = labelstudio.apply_webhook

    def applied_then_unlinked(store, payload):
        summary = original(store, payload)
        remove(own_store)  # the file is deleted while the write is finishing: it went to the old inode
        return summary

    monkeypatch.setattr(labelstudio, "apply_webhook", applied_then_unlinked)
    client = app_on(own_store).test_client()
    response = hook(client)
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.get_json()["ok"] is False

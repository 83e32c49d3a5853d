"""The annotation loop against a real Label Studio server, driven with label-studio-sdk.

The fixtures `ls_server` and `loop` live in tests/conftest.py (shared with tests/test_labelstudio_ui.py, so
one server serves the session): one server per test session, started from a migrated data directory
(built once, about a minute); the bot runs as a real HTTP server so Label Studio's webhook reaches it over loopback.
"""

from __future__ import annotations

import time

import pytest

from annotate.errors import AnnotateError
from annotate.labelstudio import SECRET_HEADER, LabelStudioError, LabelStudioLink, apply_webhook
from annotate.lsserver import free_port

from .conftest import LS_SECRET as SECRET

pytestmark = pytest.mark.labelstudio


def _gaz():
    from annotate.gazetteer import load_gazetteer

    return load_gazetteer()


def _region(result: list[dict], value_text: str) -> str:
    return next(
        i["id"]
        for i in result
        if i.get("from_name") == "label" and i["value"].get("text") == value_text and "数值" in i["value"]["labels"]
    )


def _set(result: list[dict], rid: str, name: str, **value) -> list[dict]:
    out = []
    for item in result:
        if item.get("id") == rid and item.get("from_name") == name:
            item = {**item, "value": {**item["value"], **value}}
        out.append(item)
    return out


def _wait_for(fn, timeout: float = 1.0):
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.02)


def test_push_makes_one_task_per_passage_with_candidates(loop):
    tasks = list(loop.link.ls.tasks.list(project=loop.project_id, fields="all"))
    assert tasks and all(t.total_predictions == 1 for t in tasks)
    task = loop.task_with("394项")
    result = loop.prediction(task)
    rid = _region(result, "394项")
    fields = {i["from_name"]: i["value"] for i in result if i.get("id") == rid}
    assert fields["metric"]["text"] == ["行政权力事项委托赋权数量"]
    assert fields["value"]["text"] == ["394"]
    assert task.data["text"][fields["label"]["start"] : fields["label"]["end"]] == "394项"


def test_accept_verifies_and_the_answer_says_so_within_a_second(loop):
    task = loop.task_with("394项")
    assert "未核实" in loop.ask()["text"]
    start = time.monotonic()
    loop.submit(task, loop.prediction(task))  # accept as is
    reply = _wait_for(lambda: "已核实" in loop.ask()["text"] and loop.ask())
    elapsed = time.monotonic() - start
    assert reply and reply["facts"][0]["value"] == 394 and reply["facts"][0]["status"] == "verified"
    assert elapsed <= 1.0, f"submit → changed answer took {elapsed:.2f} s"


def test_fix_changes_the_value_and_keeps_history(loop):
    task = loop.task_with("394项")
    result = loop.prediction(task)
    rid = _region(result, "394项")
    loop.submit(task, _set(result, rid, "value", text=["395"]))
    reply = _wait_for(lambda: (r := loop.ask()) and r["facts"] and r["facts"][0]["value"] == 395 and r)
    assert reply, loop.ask()
    fact = next(f for f in loop.store.facts(zone="青岛高新区") if f.value == 395)
    actions = [h["action"] for h in loop.store.history(fact.id)]
    assert actions[-1] == "corrected"


def test_reject_removes_the_fact_from_answers(loop):
    task = loop.task_with("394项")
    result = loop.prediction(task)
    rid = _region(result, "394项")
    loop.submit(task, _set(result, rid, "verdict", choices=["错误"]) + [
        {"id": rid, "from_name": "verdict", "to_name": "text", "type": "choices",
         "value": {"start": next(i["value"]["start"] for i in result if i.get("id") == rid),
                   "end": next(i["value"]["end"] for i in result if i.get("id") == rid), "choices": ["错误"]}}
    ])  # fmt: skip
    reply = _wait_for(lambda: (r := loop.ask()) and all(f["value"] != 394 for f in r["facts"]) and r)
    assert reply, loop.ask()
    assert [f.status for f in loop.store.facts(zone="青岛高新区") if f.value == 394] == ["rejected"]


def test_add_a_missed_fact(loop):
    task = loop.task_with("394项")
    text = task.data["text"]
    start = text.index("4级")
    added = {"id": "new1", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
             "value": {"start": start, "end": start + 2, "text": "4级", "labels": ["数值"]}}  # fmt: skip
    metric = {"id": "new1", "from_name": "metric", "to_name": "text", "type": "textarea", "origin": "manual",
              "value": {"start": start, "end": start + 2, "text": ["委托赋权行政层级数"]}}  # fmt: skip
    unit = {**metric, "from_name": "unit", "value": {**metric["value"], "text": ["级"]}}
    loop.submit(task, loop.prediction(task) + [added, metric, unit])
    reply = _wait_for(lambda: (r := loop.ask("青岛高新区 委托赋权行政层级数")) and r["status"] == "answered" and r)
    assert reply and reply["facts"][0]["value"] == 4 and reply["facts"][0]["status"] == "verified"


def test_deleting_the_annotation_reverts_the_fact(loop):
    task = loop.task_with("394项")
    ann = loop.submit(task, loop.prediction(task))
    assert _wait_for(lambda: "已核实" in loop.ask()["text"])
    loop.link.ls.annotations.delete(id=ann.id)
    assert _wait_for(lambda: "未核实" in loop.ask()["text"])
    fact = next(f for f in loop.store.facts(zone="青岛高新区") if f.value == 394)
    assert fact.status == "candidate"
    assert [h["action"] for h in loop.store.history(fact.id)][-1] == "reverted"


def test_offsets_that_do_not_match_are_refused(loop):
    task = loop.task_with("394项")
    result = loop.prediction(task)
    rid = _region(result, "394项")
    bad = [dict(i, value={**i["value"], "start": i["value"]["start"] + 1, "end": i["value"]["end"] + 1}) if i.get("id") == rid and i.get("from_name") == "label" else i for i in result]  # fmt: skip
    loop.submit(task, bad)
    status = _wait_for(lambda: loop.store.review_status().refusals and loop.store.review_status())
    assert status.refusals >= 1
    assert [f.status for f in loop.store.facts(zone="青岛高新区") if f.value == 394] == ["candidate"]


def test_repush_after_annotation_loses_nothing(loop):
    task = loop.task_with("394项")
    loop.submit(task, loop.prediction(task))
    assert _wait_for(lambda: "已核实" in loop.ask()["text"])
    again = loop.link.push(loop.store, _gaz())
    assert again.new == 0 and again.untouched >= 1
    assert len(list(loop.link.ls.annotations.list(id=task.id))) == 1
    assert "已核实" in loop.ask()["text"]


def test_pull_heals_a_missed_webhook_and_is_idempotent(loop):
    task = loop.task_with("394项")
    for hook in loop.link.ls.webhooks.list(project=str(loop.project_id)):
        loop.link.ls.webhooks.delete(id=hook.id)  # the bot is "down": nothing is delivered
    loop.submit(task, loop.prediction(task))
    time.sleep(0.3)
    assert "未核实" in loop.ask()["text"]
    first = loop.link.pull(loop.store)
    assert first.applied >= 1
    assert "已核实" in loop.ask()["text"]
    second = loop.link.pull(loop.store)
    assert second.applied == 0 and second.unchanged >= 1


def test_redelivered_webhook_changes_nothing_and_forged_is_refused(loop):
    task = loop.task_with("394项")
    ann = loop.submit(task, loop.prediction(task))
    assert _wait_for(lambda: "已核实" in loop.ask()["text"])
    full = loop.link.ls.annotations.get(id=ann.id)
    payload = {"action": "ANNOTATION_CREATED", "annotation": full.model_dump(mode="json"), "task": {"id": task.id}}
    revision = loop.store.revision()
    again = loop.client.post("/hooks/label-studio", json=payload, headers={SECRET_HEADER: SECRET})
    assert again.status_code == 200 and again.get_json()["outcome"] == "unchanged"
    assert loop.store.revision() == revision
    forged = loop.client.post("/hooks/label-studio", json={**payload, "annotation": {**payload["annotation"], "result": []}},
                              headers={SECRET_HEADER: "guess"})  # fmt: skip
    assert forged.status_code == 401 and loop.store.revision() == revision
    missing = loop.client.post("/hooks/label-studio", json=payload)
    assert missing.status_code == 401


def test_label_studio_down_gives_a_clear_error_and_the_bot_keeps_answering(loop, seed_store):
    down = LabelStudioLink(f"http://127.0.0.1:{free_port()}", "token")
    with pytest.raises(LabelStudioError, match="not reachable"):
        down.push(loop.store, _gaz())
    with pytest.raises(LabelStudioError, match="not reachable"):
        down.pull(loop.store)
    assert loop.ask()["status"] == "answered"


def test_wrong_token_is_a_clear_error(ls_server, seed_store):
    with pytest.raises(AnnotateError, match="refused the token"):
        LabelStudioLink(ls_server.url, "wrong-token").push(seed_store, _gaz())


def test_two_annotators_most_recent_wins_and_disagreement_is_listed(loop):
    task = loop.task_with("394项")
    result = loop.prediction(task)
    rid = _region(result, "394项")
    loop.submit(task, _set(result, rid, "value", text=["395"]))
    assert _wait_for(lambda: loop.ask()["facts"][0]["value"] == 395)
    loop.submit(task, result)  # a second opinion: the extractor was right
    assert _wait_for(lambda: loop.ask()["facts"][0]["value"] == 394)
    # both annotations are by the same admin user here, so they do not count as a disagreement between people
    assert loop.store.review_status().annotations == 2


def test_webhook_payload_for_unknown_task_is_ignored(loop):
    reply = apply_webhook(
        loop.store, {"action": "ANNOTATION_CREATED", "annotation": {"id": 999999, "result": []}, "task": {"id": 987654}}
    )
    assert reply["outcome"] == "ignored"


def test_annotate_commands(ls_server, own_store, monkeypatch):
    from click.testing import CliRunner

    from bot.cli import main

    db = own_store
    monkeypatch.setenv("GAOXIN_LS_URL", ls_server.url)
    monkeypatch.setenv("GAOXIN_LS_TOKEN", ls_server.credentials.token)
    monkeypatch.setenv("GAOXIN_LS_WEBHOOK_SECRET", "")
    runner = CliRunner()
    title = "gaoxin 事实校对"
    pushed = runner.invoke(main, ["annotate", "push", "--db", str(db)])
    assert pushed.exit_code == 0, pushed.output
    assert "new tasks" in pushed.output
    again = runner.invoke(main, ["annotate", "push", "--db", str(db)])
    assert again.exit_code == 0 and " 0 new tasks" in again.output
    pulled = runner.invoke(main, ["annotate", "pull", "--db", str(db)])
    assert pulled.exit_code == 0 and "annotations applied" in pulled.output, pulled.output
    status = runner.invoke(main, ["annotate", "status", "--db", str(db)])
    assert status.exit_code == 0 and status.output.startswith("tasks ")
    down = runner.invoke(main, ["annotate", "pull", "--db", str(db), "--url", f"http://127.0.0.1:{free_port()}"])
    assert down.exit_code == 1 and "not reachable" in down.output and "Traceback" not in down.output
    link = LabelStudioLink(ls_server.url, ls_server.credentials.token, title=title)
    link.ls.projects.delete(id=link.project_id(create=False))  # leave the shared server as the other tests expect


def test_resubmitting_the_same_rejection_after_another_verdict_wins(loop):
    task = loop.task_with("394项")
    result = loop.prediction(task)
    rid = _region(result, "394项")
    span = next(i["value"] for i in result if i.get("id") == rid and i.get("from_name") == "label")
    reject = result + [{"id": rid, "from_name": "verdict", "to_name": "text", "type": "choices",
                        "value": {"start": span["start"], "end": span["end"], "choices": ["错误"]}}]  # fmt: skip
    first = loop.submit(task, reject)
    assert _wait_for(lambda: all(f["value"] != 394 for f in loop.ask()["facts"]))
    loop.submit(task, result)  # a second annotation verifies it
    assert _wait_for(lambda: "已核实" in loop.ask()["text"])
    loop.link.ls.annotations.update(id=first.id, result=reject)  # the first one submitted again, unchanged
    assert _wait_for(lambda: all(f["value"] != 394 for f in loop.ask()["facts"]))
    assert loop.link.pull(loop.store).applied == 0  # the pull agrees with what the webhooks did
    assert [f.status for f in loop.store.facts(zone="青岛高新区") if f.value == 394] == ["rejected"]


def test_deleting_every_region_rejects_the_passage_candidates(loop):
    task = loop.task_with("394项")
    ann = loop.submit(task, loop.prediction(task))
    assert _wait_for(lambda: "已核实" in loop.ask()["text"])
    loop.link.ls.annotations.update(id=ann.id, result=[])  # every region deleted, then submitted
    assert _wait_for(lambda: all(f["value"] != 394 for f in loop.ask()["facts"]))
    assert [f.status for f in loop.store.facts(zone="青岛高新区") if f.value == 394] == ["rejected"]


def test_started_from_the_prediction_with_only_a_new_region_left_rejects_the_candidates(loop):
    task = loop.task_with("394项")
    text = task.data["text"]
    start = text.index("4级")
    added = [{"id": "new1", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
              "value": {"start": start, "end": start + 2, "text": "4级", "labels": ["数值"]}},
             {"id": "new1", "from_name": "metric", "to_name": "text", "type": "textarea", "origin": "manual",
              "value": {"start": start, "end": start + 2, "text": ["委托赋权行政层级数"]}}]  # fmt: skip
    prediction = next(iter(loop.link.ls.predictions.list(task=task.id)))
    loop.link.ls.annotations.create(id=task.id, result=added, parent_prediction=prediction.id, was_cancelled=False)
    assert _wait_for(lambda: all(f["value"] != 394 for f in loop.ask()["facts"]))
    assert [f.status for f in loop.store.facts(zone="青岛高新区") if f.value == 394] == ["rejected"]

"""The annotation loop against a real Label Studio server, driven with label-studio-sdk.

The fixtures `ls_server` and `loop` live in tests/conftest.py (shared with tests/test_labelstudio_ui.py, so
one server serves the session): one server per test session, started from a migrated data directory
(built once, about a minute); the bot runs as a real HTTP server so Label Studio's webhook reaches it over loopback.
"""

from __future__ import annotations

import re
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


# ── an article's zone corrected at the top of a task (issue 13) ───────────────────────────────
def _lanzhou(loop):
    """A task of the 兰州高新区 article holding a fact that inherits the article's zone, and that article's facts."""
    facts = [f for f in loop.store.facts() if f.zone == "兰州高新区" and f.source == "extractor"]
    inherited = [f for f in facts if f.zone_inherited]
    own = [f for f in facts if not f.zone_inherited]
    rec = next(r for r in loop.store.tasks(loop.project_id).values() if set(r.fact_ids) & {f.id for f in inherited})
    assert len(inherited) >= 5 and len(own) >= 5
    return loop.link.ls.tasks.get(id=rec.task_id), inherited, own


def _with_article_zone(result: list[dict], zone: str) -> list[dict]:
    assert any(i.get("from_name") == "article_zone" for i in result)  # the prediction fills the box at the top
    return [dict(i, value={"text": [zone]}) if i.get("from_name") == "article_zone" else i for i in result]


def _zones(loop, facts) -> set:
    return {f.zone for f in loop.store.facts_by_ids([f.id for f in facts])}


def _check_rezoned(loop, inherited, own, zone: str = "兰州新区") -> None:
    assert _zones(loop, inherited) == {zone}
    assert _zones(loop, own) == {"兰州高新区"}
    for fact in inherited:
        row = loop.store.history(fact.id)[-1]
        assert row["actor"].startswith("annotator:") and row["action"] in ("corrected", "verified")
        assert zone in row["after"] and "兰州高新区" in row["before"]


def test_a_corrected_article_zone_through_the_webhook_rezones_its_inherited_facts(loop):
    task, inherited, own = _lanzhou(loop)
    assert task.data["zone"] == "兰州高新区"
    loop.submit(task, _with_article_zone(loop.prediction(task), "兰州新区"))
    assert _wait_for(lambda: _zones(loop, inherited) == {"兰州新区"}), _zones(loop, inherited)
    _check_rezoned(loop, inherited, own)
    # a verified fact a person gave its own zone is never re-zoned by a later article zone
    mine = next(f for f in inherited if f.id in loop.store.task(task.id).fact_ids)
    result = loop.prediction(task)
    rid = f"f{mine.id}"
    loop.submit(task, [dict(i, value={**i["value"], "text": ["兰州市"]}) if i.get("id") == rid and i["from_name"] == "zone" else i for i in _with_article_zone(result, "兰州新区")])  # fmt: skip
    assert _wait_for(lambda: loop.store.facts_by_ids([mine.id])[0].zone == "兰州市")
    loop.submit(task, _with_article_zone(result, "兰州经开区"))  # another annotation, on another task's words
    others = [f for f in inherited if f.id != mine.id]
    assert _wait_for(lambda: _zones(loop, others) == {"兰州经开区"})
    # the latest annotation (the third) verifies `mine` with the zone shown: it takes the article's zone again
    assert loop.store.facts_by_ids([mine.id])[0].zone == "兰州经开区"


def test_a_corrected_article_zone_through_the_pull_and_a_reingest_keeps_it(loop, extractor):
    from annotate.ingest import ingest_source
    from annotate.text import decode_source

    from .conftest import SEEDS

    task, inherited, own = _lanzhou(loop)
    for hook in loop.link.ls.webhooks.list(project=str(loop.project_id)):
        loop.link.ls.webhooks.delete(id=hook.id)  # the bot is down: only the pull brings the annotation in
    loop.submit(task, _with_article_zone(loop.prediction(task), "兰州新区"))
    time.sleep(0.3)
    assert _zones(loop, inherited) == {"兰州高新区"}
    assert loop.link.pull(loop.store).applied == 1
    _check_rezoned(loop, inherited, own)
    assert loop.link.pull(loop.store).applied == 0
    # the file read again (changed, so read for real): the correction stays, the zone found does not come back
    doc = inherited[0].doc
    path = SEEDS / doc
    assert ingest_source(loop.store, decode_source(path, path.read_bytes() + "\n补充一段。\n".encode()), extractor).outcome == "updated"  # fmt: skip
    assert _zones(loop, inherited) == {"兰州新区"} and _zones(loop, own) == {"兰州高新区"}
    # the next push shows the corrected zone at the top of the article's tasks nobody has annotated yet
    loop.link.push(loop.store, _gaz())
    untouched = [t for t in loop.link.ls.tasks.list(project=loop.project_id, fields="all")
                 if t.data["doc"] == doc and t.data["zone"] and not t.total_annotations
                 and t.data["passage_start"] >= task.data["passage_start"]]  # fmt: skip
    assert untouched and all(t.data["zone"] == "兰州新区" and t.data["zone_found_in"] == "已更正" for t in untouched
                             if "兰州" in t.data["zone"])  # fmt: skip


def test_tasks_whose_zone_is_unknown_have_a_tab_and_the_least_sure_come_first_in_another(loop, extractor, tmp_path):
    from annotate.ingest import ingest_source
    from annotate.text import read_source

    page = tmp_path / "nozone.txt"
    page.write_text("全区经济稳中有进\n\n全区实现营业收入12.5亿元,同比增长8%。\n", encoding="utf-8")
    ingest_source(loop.store, read_source(page), extractor)
    assert loop.link.push(loop.store, _gaz()).new == 1
    tabs = {v.data["title"]: v.id for v in loop.link.ls.views.list(project=loop.project_id)}
    unknown = list(loop.link.ls.tasks.list(project=loop.project_id, view=tabs["园区未知"], fields="all"))
    assert [t.data["doc"] for t in unknown] == ["nozone.txt"] and unknown[0].data["zone"] == ""
    ranked = list(loop.link.ls.tasks.list(project=loop.project_id, view=tabs["最不确定的先"], fields="all"))
    scores = [
        t.predictions[0]["score"] if isinstance(t.predictions[0], dict) else t.predictions[0].score for t in ranked
    ]
    assert scores == sorted(scores) and len(set(scores)) >= 3 and 0.5 < scores[0] < scores[-1] <= 1.0
    assert loop.link.add_tabs(loop.project_id) == 0  # a push adds a tab once
    assert loop.link.update_config(loop.project_id) is False  # and sends the interface only when it changed


# ── the labeling interface on a project made with the first one ───────────────────────────────
def test_a_project_of_the_first_interface_is_updated_and_its_annotations_still_read(ls_server, own_store, tmp_path):
    from store import Store

    from .conftest import DATA

    first = (DATA / "labelstudio" / "first_view_labeling.xml").read_text(encoding="utf-8")
    link = LabelStudioLink(ls_server.url, ls_server.credentials.token, title=f"gaoxin first view {tmp_path.name}")
    project = link.ls.projects.create(title=link.title, label_config=first)
    store = Store.open(own_store)
    try:
        # a task as the first push made it, annotated with the first interface: a linked 指标 span gives the metric
        link.push(store, _gaz())
        assert link.ls.projects.get(id=project.id).label_config != first  # brought up to date
        link.ls.projects.update(id=project.id, label_config=first)  # back to the first, to annotate with it
        task = next(t for t in link.ls.tasks.list(project=project.id, fields="all") if "394项" in t.data["text"])
        text = task.data["text"]
        fact = next(f for f in store.facts(zone="青岛高新区") if f.value == 394)
        s, m = text.index("394项"), text.index("权力事项")
        span = {"start": s, "end": s + 4, "text": "394项"}
        old = [
            {"id": f"f{fact.id}", "from_name": "label", "to_name": "text", "type": "labels", "value": {**span, "labels": ["数值"]}},
            {"id": f"f{fact.id}m", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": m, "end": m + 4, "text": "权力事项", "labels": ["指标"]}},
            {"type": "relation", "from_id": f"f{fact.id}", "to_id": f"f{fact.id}m", "direction": "right", "labels": ["指标"]},
        ]  # fmt: skip
        link.ls.annotations.create(id=task.id, result=old, was_cancelled=False)
        # Label Studio now holds 指标 labels: the new interface keeps them (hidden), so the update is accepted
        assert link.update_config(project.id) is True
        assert "指标" in link.ls.projects.get(id=project.id).label_config
        assert link.pull(store).applied == 1
        assert next(f for f in store.facts() if f.id == fact.id).metric == "权力事项"
    finally:
        link.ls.projects.delete(id=project.id)
        store.close()


def test_an_interface_label_studio_refuses_is_one_clear_line(ls_server, own_store, tmp_path, monkeypatch):
    from annotate import labelstudio

    link = LabelStudioLink(ls_server.url, ls_server.credentials.token, title=f"gaoxin refused {tmp_path.name}")
    project = link.ls.projects.create(title=link.title, label_config=labelstudio.labeling_config())
    try:
        task = link.ls.projects.import_tasks(id=project.id, request=[{"data": {"text": "共394项", "about": "", "title": ""}}],
                                             return_task_ids=True).task_ids[0]  # fmt: skip
        link.ls.annotations.create(id=task, was_cancelled=False, result=[
            {"id": "x", "from_name": "verdict", "to_name": "text", "type": "choices",
             "value": {"start": 1, "end": 5, "choices": ["正确"]}}])  # fmt: skip
        without_verdict = re.sub(r'<Choices name="verdict".*?</Choices>', "", labelstudio.labeling_config(), flags=re.S)
        assert without_verdict != labelstudio.labeling_config()
        monkeypatch.setattr(labelstudio, "labeling_config", lambda: without_verdict)
        with pytest.raises(LabelStudioError, match="kept the old labeling interface of project"):
            link.update_config(project.id)
    finally:
        link.ls.projects.delete(id=project.id)


def test_the_largest_webhook_of_the_seeds_fits_what_the_bot_takes(loop):
    """Label Studio's webhook carries the project (its interface included), the task, the annotation and, for a
    submit in the UI, the prediction it started from: for the seeds' largest passage, under the bot's limit."""
    import json

    from bot.app import MAX_BODY_BYTES

    project = loop.link.ls.projects.get(id=loop.project_id).model_dump(mode="json")
    tasks = list(loop.link.ls.tasks.list(project=loop.project_id, fields="all"))
    largest = max(tasks, key=lambda t: len(json.dumps(loop.prediction(t))))
    result = loop.prediction(largest)
    task = {
        k: v for k, v in largest.model_dump(mode="json").items() if k not in ("predictions", "annotations", "drafts")
    }
    payload = {"action": "ANNOTATION_CREATED", "project": project, "task": task,  # a webhook's task has no annotations
               "annotation": {"id": 1, "result": result, "prediction": {"result": result}}}  # fmt: skip
    size = len(json.dumps(payload).encode())  # requests sends JSON with ASCII escapes: 6 bytes a Chinese character
    assert len(largest.data["fact_ids"]) >= 10 and size < MAX_BODY_BYTES, size

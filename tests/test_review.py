"""Reading annotations (annotate/review.py) and settling facts from them (store/review.py), without a server."""

from __future__ import annotations

import json

import pytest

from annotate.review import Passage, PassageFact, prediction_for, read_annotation, region_id, task_for
from store import Store
from store.review import Review, TaskRecord

TEXT = "😀𠮷据统计,苏州高新区新增企业300家,总数达到1200家。"


def passage() -> Passage:
    s = TEXT.index("300家")
    t = TEXT.index("1200家")
    facts = (
        PassageFact(1, 100 + s, 100 + s + 4, "300家", "新增企业数量", 300.0, "家", "exact", None, "level", "苏州高新区", None),
        PassageFact(2, 100 + t, 100 + t + 5, "1200家", "企业总数", 1200.0, "家", "exact", None, "level", "苏州高新区", None),
    )  # fmt: skip
    return Passage("p.txt", 100, 100 + len(TEXT), TEXT, "标题", "苏州高新区", facts)


def test_prediction_regions_are_code_point_offsets_into_the_passage():
    p = passage()
    task = task_for(p)
    assert task["data"]["text"] == TEXT and task["data"]["fact_ids"] == [1, 2]
    label = next(i for i in task["predictions"][0]["result"] if i["id"] == region_id(1) and i["from_name"] == "label")
    v = label["value"]
    assert TEXT[v["start"] : v["end"]] == v["text"] == "300家"  # after an emoji and 𠮷: code points, not UTF-16


def test_accepting_the_prediction_verifies_every_candidate():
    p = passage()
    decisions, refused = read_annotation(prediction_for(p)["result"], p)
    assert refused == []
    assert sorted((d.fact_id, d.action) for d in decisions) == [(1, "verified"), (2, "verified")]


def test_fix_reject_delete_and_add():
    p = passage()
    result = prediction_for(p)["result"]
    result = [
        dict(i, value={**i["value"], "text": ["301"]}) if i.get("id") == "f1" and i.get("from_name") == "value" else i
        for i in result
    ]
    result = [
        i for i in result if not str(i.get("id", "")).startswith("f2") and i.get("from_id") != "f2"
    ]  # region deleted
    start = TEXT.index("统计")
    result.append({"id": "x1", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
                   "value": {"start": start, "end": start + 2, "text": "统计", "labels": ["数值"]}})  # fmt: skip
    decisions, refused = read_annotation(result, p)
    by_fact = {d.fact_id: d for d in decisions}
    assert by_fact[1].action == "corrected" and by_fact[1].fields == {"value": 301.0}
    assert by_fact[2].action == "rejected"
    assert refused == ["region x1: no number in '统计' and no value given"]


def test_reject_by_choice():
    p = passage()
    result = prediction_for(p)["result"]
    s, e = TEXT.index("300家"), TEXT.index("300家") + 4
    result.append(
        {
            "id": "f1",
            "from_name": "verdict",
            "to_name": "text",
            "type": "choices",
            "value": {"start": s, "end": e, "choices": ["错误"]},
        }
    )
    decisions, _ = read_annotation(result, p)
    assert {d.fact_id: d.action for d in decisions}[1] == "rejected"


@pytest.mark.parametrize(
    "bad",
    [
        {"start": 0, "end": 4, "text": "300家"},  # UTF-16 or shifted offsets: the text is not there
        {"start": 50, "end": 400, "text": "300家"},  # outside the passage
        {"start": "a", "end": 4, "text": "300家"},
        {"start": 9, "end": 5, "text": "300家"},
    ],
)
def test_regions_whose_offsets_do_not_match_are_refused_and_change_nothing(bad):
    p = passage()
    result = [
        dict(i, value={**i["value"], **bad}) if i.get("id") == "f1" and i.get("from_name") == "label" else i
        for i in prediction_for(p)["result"]
    ]
    decisions, refused = read_annotation(result, p)
    assert refused and refused[0].startswith("region f1:")
    assert 1 not in {d.fact_id for d in decisions}  # neither verified nor taken as deleted


def test_malformed_results_do_not_raise():
    p = passage()
    for result in ([None, 3, "x"], [{"id": "f1"}], "not a list", [{"type": "relation"}]):
        decisions, refused = read_annotation(result, p)  # type: ignore[arg-type]
        assert isinstance(decisions, list) and isinstance(refused, list)


# ── settling in the store ────────────────────────────────────────────────────────────────────
@pytest.fixture
def reviewed(own_store):
    store = Store.open(own_store)
    fact = next(f for f in store.facts(zone="青岛高新区") if f.value == 394)
    store.record_task(TaskRecord(77, 1, fact.doc, fact.start - 10, fact.end + 10, (fact.id,), "h"))
    yield store, fact
    store.close()


def _apply(store, ann_id, who, when, reviews, digest=None):
    return store.apply_annotation(task_id=77, annotation_id=ann_id, annotator=who, updated_at=when,
                                  result_hash=digest or f"h{ann_id}{when}", reviews=reviews, refused=[])  # fmt: skip


def test_most_recent_submission_wins_and_the_disagreement_is_listed(reviewed):
    store, fact = reviewed
    _apply(store, 1, "ann@a", "2026-01-01T10:00:00Z", [Review(fact.id, "corrected", {"value": 395.0})])
    assert next(f for f in store.facts(zone="青岛高新区") if f.id == fact.id).value == 395
    _apply(store, 2, "bob@b", "2026-01-01T11:00:00Z", [Review(fact.id, "rejected", {})])
    assert next(f for f in store.facts(zone="青岛高新区") if f.id == fact.id).status == "rejected"
    status = store.review_status()
    assert [fid for fid, _ in status.disagreements] == [fact.id]
    assert status.annotations == 2


def test_redelivery_is_harmless_and_deletion_reverts(reviewed):
    store, fact = reviewed
    first = _apply(store, 1, "ann@a", "t1", [Review(fact.id, "verified", {})], digest="same")
    revision = store.revision()
    again = _apply(store, 1, "ann@a", "t1", [Review(fact.id, "verified", {})], digest="same")
    assert (first.outcome, again.outcome) == ("applied", "unchanged") and store.revision() == revision
    store.delete_annotations([1])
    after = next(f for f in store.facts(zone="青岛高新区") if f.id == fact.id)
    assert (after.status, after.value) == ("candidate", 394)
    actions = [h["action"] for h in store.history(fact.id)]
    assert actions[-2:] == ["verified", "reverted"]


def test_a_corrected_metric_is_learnt_and_history_keeps_before_and_after(reviewed):
    store, fact = reviewed
    _apply(store, 5, "ann@a", "t", [Review(fact.id, "corrected", {"metric": "权力事项委托数"})])
    assert store.learned_synonyms() == {"行政权力事项委托赋权数量": "权力事项委托数"}
    last = store.history(fact.id)[-1]
    assert (
        last["actor"] == "annotator:ann@a"
        and "行政权力事项委托赋权数量" in last["before"]
        and "权力事项委托数" in last["after"]
    )


def test_added_fact_is_verified_with_the_annotator_as_source_and_goes_when_its_annotation_goes(reviewed):
    store, fact = reviewed
    fields = {"metric": "委托层级数", "value": 4.0, "unit": "级", "qualifier": "exact", "period": None, "kind": "level",
              "zone": "青岛高新区", "entity": None, "start": fact.start - 8, "end": fact.start - 6, "value_text": "4级",
              "quote": "4级共394项", "quote_start": fact.start - 8, "quote_end": fact.end}  # fmt: skip
    _apply(store, 9, "ann@a", "t", [Review(None, "added", fields)])
    added = [f for f in store.facts(zone="青岛高新区") if f.source.startswith("annotator:")]
    assert [(f.metric, f.value, f.status) for f in added] == [("委托层级数", 4.0, "verified")]
    store.delete_annotations([9])
    assert [f.status for f in store.facts(zone="青岛高新区") if f.source.startswith("annotator:")] == ["rejected"]


def test_reingest_never_touches_a_reviewed_fact(reviewed, extractor):
    from annotate.ingest import ingest_source
    from annotate.text import decode_source
    from tests.conftest import SEEDS

    store, fact = reviewed
    _apply(store, 1, "ann@a", "t", [Review(fact.id, "corrected", {"value": 395.0})])
    path = SEEDS / fact.doc
    changed = decode_source(path, path.read_bytes() + "\n补充一段。\n".encode())
    ingest_source(store, changed, extractor)
    kept = next(f for f in store.facts(zone="青岛高新区") if f.id == fact.id)
    assert (kept.status, kept.value) == ("verified", 395)


# ── the latest submission wins, whatever order webhooks and pulls arrive in ────────────────────
def _passage_result(store, fact, verdict: str | None = None) -> list[dict]:
    """What Label Studio sends back for task 77: the prediction as shown, optionally with a verdict on the fact."""
    from annotate.labelstudio import passage_for_task

    p = passage_for_task(store, store.task(77))
    result = prediction_for(p)["result"]
    if verdict:
        label = next(i for i in result if i.get("id") == region_id(fact.id) and i["from_name"] == "label")
        span = {k: label["value"][k] for k in ("start", "end")}
        result.append({"id": region_id(fact.id), "from_name": "verdict", "to_name": "text", "type": "choices",
                       "value": {**span, "choices": [verdict]}})  # fmt: skip
    return result


def _annotation(ann_id: int, who: str, at: str, result: list[dict]) -> dict:
    return {"id": ann_id, "completed_by": {"id": ann_id, "email": who}, "updated_at": at, "result": result}


def _status(store, fact) -> str:
    return next(f for f in store.facts(zone="青岛高新区") if f.id == fact.id).status


def _a_rejects_b_verifies_a_resubmits(store, fact) -> dict[str, dict]:
    reject, accept = _passage_result(store, fact, "错误"), _passage_result(store, fact)
    return {
        "A10": _annotation(1, "a@x", "2026-01-01T10:00:00.000000Z", reject),
        "B11": _annotation(2, "b@x", "2026-01-01T11:00:00.000000Z", accept),
        "A12": _annotation(1, "a@x", "2026-01-01T12:00:00.000000Z", reject),  # the same rejection, submitted again
    }


def test_resubmitting_the_same_result_is_the_latest_decision(reviewed):
    from annotate.labelstudio import apply_webhook

    store, fact = reviewed
    events = _a_rejects_b_verifies_a_resubmits(store, fact)
    for name in ("A10", "B11"):
        apply_webhook(store, {"action": "ANNOTATION_UPDATED", "annotation": events[name], "task": {"id": 77}})
    assert _status(store, fact) == "verified"
    reply = apply_webhook(store, {"action": "ANNOTATION_UPDATED", "annotation": events["A12"], "task": {"id": 77}})
    assert reply["outcome"] == "applied"
    assert _status(store, fact) == "rejected"
    assert store.history(fact.id)[-1]["actor"] == "annotator:a@x"


@pytest.mark.parametrize("order", list(__import__("itertools").permutations(["A10", "B11", "A12"])))
def test_webhooks_in_any_order_end_on_the_latest_submission(reviewed, order):
    from annotate.labelstudio import apply_webhook

    store, fact = reviewed
    events = _a_rejects_b_verifies_a_resubmits(store, fact)
    for name in order:  # a late webhook of an older version must not undo a newer one
        apply_webhook(store, {"action": "ANNOTATION_UPDATED", "annotation": events[name], "task": {"id": 77}})
    assert _status(store, fact) == "rejected"


def test_webhook_then_pull_and_pull_then_webhook_agree(reviewed):
    from annotate.labelstudio import apply_annotation, apply_webhook

    store, fact = reviewed
    events = _a_rejects_b_verifies_a_resubmits(store, fact)
    rec = store.task(77)
    # webhook then pull: the pull sees what Label Studio holds now (A's resubmission and B's annotation)
    for name in ("A10", "B11", "A12"):
        apply_webhook(store, {"action": "ANNOTATION_UPDATED", "annotation": events[name], "task": {"id": 77}})
    outcomes = [apply_annotation(store, rec, events[name])[0] for name in ("A12", "B11")]
    assert outcomes == ["unchanged", "unchanged"] and _status(store, fact) == "rejected"
    # a pull taken before A resubmitted, arriving after the webhook, changes nothing
    assert apply_annotation(store, rec, events["A10"])[0] == "stale"
    assert _status(store, fact) == "rejected"


def test_pull_then_webhook(reviewed):
    from annotate.labelstudio import apply_annotation, apply_webhook

    store, fact = reviewed
    events = _a_rejects_b_verifies_a_resubmits(store, fact)
    rec = store.task(77)
    for name in ("A10", "B11"):  # a pull before A resubmits
        apply_annotation(store, rec, events[name])
    assert _status(store, fact) == "verified"
    apply_webhook(store, {"action": "ANNOTATION_UPDATED", "annotation": events["A12"], "task": {"id": 77}})
    assert _status(store, fact) == "rejected"


def test_label_studio_times_in_other_spellings_compare_as_times(reviewed):
    """The SDK hands a pull datetimes; webhooks carry ISO text: the same moment must compare equal."""
    from datetime import UTC, datetime

    from annotate.labelstudio import apply_annotation, apply_webhook

    store, fact = reviewed
    events = _a_rejects_b_verifies_a_resubmits(store, fact)
    rec = store.task(77)
    apply_webhook(store, {"action": "ANNOTATION_UPDATED", "annotation": events["A12"], "task": {"id": 77}})
    apply_webhook(store, {"action": "ANNOTATION_UPDATED", "annotation": events["B11"], "task": {"id": 77}})
    as_datetime = {**events["A12"], "updated_at": datetime(2026, 1, 1, 12, tzinfo=UTC)}
    assert apply_annotation(store, rec, as_datetime)[0] == "unchanged"
    as_offset = {**events["B11"], "updated_at": "2026-01-01T19:00:00+08:00"}
    assert apply_annotation(store, rec, as_offset)[0] == "unchanged"
    assert _status(store, fact) == "rejected"


# ── deleting every region of a passage ───────────────────────────────────────────────────────
def test_an_empty_result_rejects_every_candidate_of_the_passage():
    decisions, refused = read_annotation([], passage())
    assert refused == []
    assert sorted((d.fact_id, d.action) for d in decisions) == [(1, "rejected"), (2, "rejected")]


def test_deleting_every_region_after_verifying_rejects_and_a_skip_changes_nothing(reviewed):
    from annotate.labelstudio import apply_webhook

    store, fact = reviewed
    accept = _annotation(1, "a@x", "2026-01-01T10:00:00Z", _passage_result(store, fact))
    apply_webhook(store, {"action": "ANNOTATION_CREATED", "annotation": accept, "task": {"id": 77}})
    assert _status(store, fact) == "verified"
    emptied = {**accept, "updated_at": "2026-01-01T10:05:00Z", "result": []}
    apply_webhook(store, {"action": "ANNOTATION_UPDATED", "annotation": emptied, "task": {"id": 77}})
    assert _status(store, fact) == "rejected"  # not back to candidate
    assert store.history(fact.id)[-1]["action"] == "rejected"
    skipped = _annotation(2, "b@x", "2026-01-01T11:00:00Z", [])
    skipped["was_cancelled"] = True  # a skipped task is no verdict on its facts
    apply_webhook(store, {"action": "ANNOTATION_CREATED", "annotation": skipped, "task": {"id": 77}})
    assert _status(store, fact) == "rejected"
    assert store.history(fact.id)[-1]["actor"] == "annotator:a@x"


# ── accepting a prediction keeps its value exactly ───────────────────────────────────────────
@pytest.mark.parametrize("value", [1234.5678, 12345678.9, 0.1 + 0.2, 1e-7, 123456789.123456, 2.5e20, 0.25, 394.0])
def test_accepting_a_prediction_unchanged_keeps_the_value_exactly(value):
    text = "企业营收达到1234.5678亿元。"
    s = text.index("1234")
    fact = PassageFact(7, s, s + 11, "1234.5678亿元", "营收", value, "亿元", "exact", None, "level", None, None)
    p = Passage("v.txt", 0, len(text), text, "", None, (fact,))
    shown = next(i for i in prediction_for(p)["result"] if i["id"] == "f7" and i["from_name"] == "value")
    assert float(shown["value"]["text"][0]) == value and "e" not in shown["value"]["text"][0]
    decisions, _ = read_annotation(prediction_for(p)["result"], p)
    assert [(d.fact_id, d.action, d.fields) for d in decisions] == [(7, "verified", {})]


# ── a corrected value must be a finite number ─────────────────────────────────────────────────
@pytest.mark.parametrize("typed", ["inf", "nan", "1e999", "-Infinity", "NaN", "1_000", "三百", "12abc"])
def test_a_value_that_is_no_finite_number_is_refused_and_changes_nothing(typed):
    p = passage()
    result = [
        dict(i, value={**i["value"], "text": [typed]}) if i.get("id") == "f1" and i.get("from_name") == "value" else i
        for i in prediction_for(p)["result"]
    ]
    decisions, refused = read_annotation(result, p)
    assert refused == [f"region f1: the value {typed!r} is not a finite number"]
    assert {d.fact_id: d.action for d in decisions} == {2: "verified"}  # f1 neither corrected nor taken as deleted


def test_an_infinite_correction_never_reaches_the_store_or_the_answer(reviewed):
    from annotate.labelstudio import apply_webhook

    store, fact = reviewed
    result = [
        dict(i, value={**i["value"], "text": ["1e999"]})
        if i.get("id") == region_id(fact.id) and i.get("from_name") == "value"
        else i
        for i in _passage_result(store, fact)
    ]
    reply = apply_webhook(
        store, {"action": "ANNOTATION_CREATED", "annotation": _annotation(1, "a@x", "t", result), "task": {"id": 77}}
    )
    assert reply["refused"] == 1 and store.review_status().refusals == 1
    kept = next(f for f in store.facts(zone="青岛高新区") if f.id == fact.id)
    assert (kept.value, kept.status) == (394, "candidate")


def test_every_predicted_region_deleted_and_one_added_rejects_the_candidates_when_started_from_the_prediction():
    p = passage()
    start = TEXT.index("统计")
    added = [{"id": "x1", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
              "value": {"start": start, "end": start + 2, "text": "统计", "labels": ["数值"]}},
             {"id": "x1", "from_name": "value", "to_name": "text", "type": "textarea", "origin": "manual",
              "value": {"start": start, "end": start + 2, "text": ["2"]}},
             {"id": "x1", "from_name": "metric", "to_name": "text", "type": "textarea", "origin": "manual",
              "value": {"start": start, "end": start + 2, "text": ["统计次数"]}}]  # fmt: skip
    decisions, _ = read_annotation(added, p, from_prediction=True)  # the UI records the prediction it started from
    assert sorted((d.fact_id or 0, d.action) for d in decisions) == [(0, "added"), (1, "rejected"), (2, "rejected")]
    decisions, _ = read_annotation(added, p)  # started from scratch: judges no candidate
    assert [(d.fact_id, d.action) for d in decisions] == [(None, "added")]


def test_a_late_webhook_of_an_older_version_does_not_bring_a_deleted_annotation_back(reviewed):
    from annotate.labelstudio import apply_webhook

    store, fact = reviewed
    events = _a_rejects_b_verifies_a_resubmits(store, fact)
    apply_webhook(store, {"action": "ANNOTATION_UPDATED", "annotation": events["A12"], "task": {"id": 77}})
    apply_webhook(store, {"action": "ANNOTATIONS_DELETED", "annotations": [{"id": 1}]})
    assert _status(store, fact) == "candidate"
    late = apply_webhook(store, {"action": "ANNOTATION_UPDATED", "annotation": events["A10"], "task": {"id": 77}})
    assert late["outcome"] == "stale" and _status(store, fact) == "candidate"
    assert store.review_status().annotations == 0


def test_a_pull_does_not_delete_what_a_webhook_brought_in_after_the_pull_read_label_studio(reviewed):
    """A pull reads every task, then settles them one by one; a submit whose webhook lands in between is not in
    what the pull read, and must not be taken for deleted (the verified fact used to go back to candidate)."""
    from annotate.labelstudio import LabelStudioLink

    store, fact = reviewed

    class Task:
        id, annotations = 77, []  # what Label Studio said when the pull read it: nothing yet

    class Client:
        class projects:
            @staticmethod
            def list():
                return [type("P", (), {"title": "t", "id": 1})()]

        class tasks:
            @staticmethod
            def list(**kwargs):
                # the webhook lands while the pull is under way (after it read the clock and the tasks)
                _apply(store, 501, "a@x", "2026-12-06T10:00:00.000000Z", [Review(fact.id, "verified", {})])
                return [Task()]

    link = LabelStudioLink.__new__(LabelStudioLink)
    link.url, link.title, link.ls = "http://ls", "t", Client()
    result = link.pull(store)
    assert result.deleted == 0
    assert store.annotation_ids(77) == {501}
    assert _status(store, fact) == "verified"


# ── the first labeling view's results (relations) are still read ─────────────────────────────
def _first_view_prediction() -> list[dict]:
    """What prediction_for made before the view was redesigned: 指标/园区/时间 spans linked to the 数值 by relations."""
    from .conftest import DATA

    return json.loads((DATA / "labelstudio" / "first_view_prediction.json").read_text(encoding="utf-8"))


def test_a_first_view_result_accepted_as_is_verifies_every_candidate():
    result = _first_view_prediction()
    assert any(i.get("type") == "relation" for i in result)
    decisions, refused = read_annotation(result, passage())
    assert refused == []
    assert sorted((d.fact_id, d.action) for d in decisions) == [(1, "verified"), (2, "verified")]


def test_a_first_view_linked_span_fills_the_field_its_region_left_empty():
    result = [i for i in _first_view_prediction() if not (i.get("id") == "f1" and i.get("from_name") == "metric")]
    start = TEXT.index("企业300")
    result = [  # the annotator moved the linked 指标 span to 企业: the metric is what the span says
        dict(i, value={**i["value"], "start": start, "end": start + 2, "text": "企业"}) if i.get("id") == "f1m" else i
        for i in result
    ]
    decisions, refused = read_annotation(result, passage())
    by_fact = {d.fact_id: d for d in decisions}
    assert refused == [] and by_fact[1].action == "corrected" and by_fact[1].fields == {"metric": "企业"}


# ── the redesigned view: one region per number, article fields at the top, a real score ──────
def test_the_prediction_is_one_region_per_number_with_no_relations_and_scored_by_the_least_sure():
    from dataclasses import replace

    p = passage()
    p = replace(p, facts=(replace(p.facts[0], confidence=0.9), replace(p.facts[1], confidence=0.62)))
    prediction = prediction_for(p)
    result = prediction["result"]
    assert prediction["score"] == 0.62
    assert not any(i.get("type") == "relation" for i in result)
    labels = [i for i in result if i.get("from_name") == "label"]
    assert [(i["id"], i["value"]["labels"], i["score"]) for i in labels] == [
        ("f1", ["数值"], 0.9),
        ("f2", ["数值"], 0.62),
    ]
    top = {i["from_name"]: i["value"] for i in result if "start" not in i["value"]}
    assert top == {"article_zone": {"text": ["苏州高新区"]}}  # no date known: the box is left empty to fill


def test_the_indicator_is_shown_by_name_and_read_back_as_its_code():
    from dataclasses import replace

    p = passage()
    p = replace(p, facts=(replace(p.facts[0], indicator="hitech_firms"), p.facts[1]))
    result = prediction_for(p)["result"]
    shown = {i["id"]: i for i in result if i["from_name"] == "indicator"}
    assert (shown["f1"]["value"]["text"], shown["f2"]["value"]["text"]) == (["高新技术企业"], [""])
    assert [d.action for d in read_annotation(result, p)[0]] == ["verified", "verified"]

    def typed(text: str) -> list[dict]:
        return [dict(i, value={**i["value"], "text": [text]}) if i is shown["f1"] else i for i in result]

    for text in ("企业数", "FIRMS", " 企业数 "):  # a name, a code in capitals, spaces around
        decision = next(d for d in read_annotation(typed(text), p)[0] if d.fact_id == 1)
        assert (decision.action, decision.fields) == ("corrected", {"indicator": "firms"})
    decisions, refused = read_annotation(typed("企业数目"), p)
    assert [d.fact_id for d in decisions] == [2]  # refused, not deleted: fact 1 stays as it was
    assert refused == ["region f1: the indicator '企业数目' is not in config/indicators.toml (name, alias or code)"]


def test_the_article_zone_and_date_at_the_top_are_read_where_they_differ_from_what_was_found():
    from dataclasses import replace

    from annotate.review import ArticleDecision, read_article

    p = replace(passage(), article_idx=0, found_zone="苏州高新区", published="2024-12-05", found_published="2024-12-05")
    shown = prediction_for(p)["result"]
    assert read_article(shown, p) == (None, [])  # as found: says nothing
    top = [i for i in shown if i["from_name"] not in ("article_zone", "article_date")]

    def said(zone: str, date: str) -> list[dict]:
        return top + [
            {"id": "article_zone", "from_name": "article_zone", "to_name": "text", "type": "textarea",
             "value": {"text": [zone]}},
            {"id": "article_date", "from_name": "article_date", "to_name": "text", "type": "textarea",
             "value": {"text": [date]}},
        ]  # fmt: skip

    assert read_article(said("苏州工业园区", "2024年12月6日"), p) == (ArticleDecision("苏州工业园区", "2024-12-06"), [])
    assert read_article(said("汨罗高新技术产业开发区", "2024-12-05"), p) == (ArticleDecision("汨罗高新区"), [])
    assert read_article(said("苏州高新区", "下周"), p) == (
        None, ["article date '下周' is not a date (write it as 2024-12-05)"],
    )  # fmt: skip
    for typed in ("全国", "未知", "Suzhou", "苏州" * 16):  # never every inherited fact's zone
        decision, refused = read_article(said(typed, "2024-12-05"), p)
        assert decision is None and len(refused) == 1 and refused[0].startswith(f"article zone {typed!r} is not")


# ── an article's zone corrected in Label Studio re-zones the facts that inherited it ──────────
@pytest.fixture
def article(own_store, gazetteer):
    """A seed article with facts that inherit its zone and facts whose sentence names it, one task on it."""
    from annotate.labelstudio import passages

    store = Store.open(own_store)
    lanzhou = [p for p in passages(store, gazetteer) if p.doc.startswith("003") and p.zone == "兰州高新区"]
    facts = [f for f in store.facts(doc=lanzhou[0].doc) if f.zone == "兰州高新区" and f.source == "extractor"]
    inherited = [f for f in facts if f.zone_inherited]
    own = [f for f in facts if not f.zone_inherited]
    p = next(p for p in lanzhou if {f.id for f in p.facts} & {f.id for f in inherited})
    store.record_task(TaskRecord(88, 1, p.doc, p.start, p.end, tuple(f.id for f in p.facts), "h"))
    assert len(inherited) >= 5 and len(own) >= 5 and {f.id for f in inherited} - {f.id for f in p.facts}
    yield store, p, inherited, own
    store.close()


def _corrected(store, zone: str, ann_id: int = 1, who: str = "a@x", at: str = "2026-01-01T10:00:00Z", **changes):
    """An annotation of task 88: the prediction as shown, with the article's zone at the top changed."""
    from annotate.labelstudio import passage_for_task

    result = prediction_for(passage_for_task(store, store.task(88)))["result"]
    result = [dict(i, value={"text": [zone]}) if i["from_name"] == "article_zone" else i for i in result]
    return {**_annotation(ann_id, who, at, result), **changes}


def _zones(store, facts) -> set:
    return {f.zone for f in store.facts_by_ids([f.id for f in facts])}


def test_an_article_zone_correction_rezones_every_inherited_fact_and_keeps_own_zones(article):
    from annotate.labelstudio import apply_webhook

    store, p, inherited, own = article
    reply = apply_webhook(store, {"action": "ANNOTATION_CREATED", "annotation": _corrected(store, "兰州新区"),
                                  "task": {"id": 88}})  # fmt: skip
    assert reply["outcome"] == "applied"
    assert _zones(store, inherited) == {"兰州新区"}  # other passages' facts too: the whole article
    assert _zones(store, own) == {"兰州高新区"}
    elsewhere = next(f for f in inherited if f.id not in {x.id for x in p.facts})
    row = store.history(elsewhere.id)[-1]
    assert (row["actor"], row["action"]) == ("annotator:a@x", "corrected")
    before, after = json.loads(row["before"]), json.loads(row["after"])
    assert (before, after) == (
        {"status": "candidate", "zone": "兰州高新区"},
        {"status": "candidate", "zone": "兰州新区"},
    )
    assert store.facts_by_ids([elsewhere.id])[0].status == "candidate"  # re-zoned, not verified
    about = next(a for a in store.articles_of(p.doc) if a.idx == p.article_idx)
    assert (about.zone, about.found_zone, about.corrected_by) == ("兰州新区", "兰州高新区", "annotator:a@x")
    # deleting the annotation puts the zone found back, in history too
    store.delete_annotations([1])
    assert _zones(store, inherited) == {"兰州高新区"}
    assert store.history(elsewhere.id)[-1]["action"] == "reverted"


def test_a_fact_a_person_gave_its_own_zone_is_not_rezoned_and_a_verified_inherited_one_is(article):
    from annotate.labelstudio import apply_webhook

    store, p, inherited, _ = article
    mine, accepted = [f for f in inherited if f.id not in {x.id for x in p.facts}][:2]
    store.record_task(TaskRecord(89, 1, p.doc, mine.start, accepted.end if accepted.end > mine.end else mine.end,
                                 (mine.id, accepted.id), "h"))  # fmt: skip
    store.apply_annotation(task_id=89, annotation_id=5, annotator="b@x", updated_at="2026-01-01T09:00:00Z",
                           result_hash="x", refused=[],
                           reviews=[Review(mine.id, "corrected", {"zone": "兰州市"}), Review(accepted.id, "verified", {})])  # fmt: skip
    apply_webhook(
        store, {"action": "ANNOTATION_CREATED", "annotation": _corrected(store, "兰州新区"), "task": {"id": 88}}
    )
    got = {f.id: f for f in store.facts_by_ids([mine.id, accepted.id])}
    assert (got[mine.id].zone, got[mine.id].status) == ("兰州市", "verified")  # a person's own zone: untouched
    assert (got[accepted.id].zone, got[accepted.id].status) == ("兰州新区", "verified")
    assert store.history(mine.id)[-1]["actor"] == "annotator:b@x"


def test_the_latest_article_zone_wins_and_an_unchanged_zone_box_says_nothing(article):
    from annotate.labelstudio import apply_webhook

    store, p, inherited, _ = article
    hook = lambda ann: apply_webhook(store, {"action": "ANNOTATION_UPDATED", "annotation": ann, "task": {"id": 88}})  # noqa: E731
    hook(_corrected(store, "兰州新区", 1, "a@x", "2026-01-01T10:00:00Z"))
    hook(_corrected(store, "兰州经开区", 2, "b@x", "2026-01-01T11:00:00Z"))
    assert _zones(store, inherited) == {"兰州经开区"}
    hook(_corrected(store, "兰州高新区", 3, "c@x", "2026-01-01T12:00:00Z"))  # the zone found: no opinion
    assert _zones(store, inherited) == {"兰州经开区"}
    hook(_corrected(store, "兰州新区", 1, "a@x", "2026-01-01T09:00:00Z"))  # an older version: stale
    assert _zones(store, inherited) == {"兰州经开区"}


def test_a_corrected_article_zone_survives_reading_the_file_again(article, extractor):
    from annotate.ingest import ingest_source
    from annotate.labelstudio import apply_webhook, passage_for_task
    from annotate.text import decode_source
    from tests.conftest import SEEDS

    store, p, inherited, own = article
    apply_webhook(
        store, {"action": "ANNOTATION_CREATED", "annotation": _corrected(store, "兰州新区"), "task": {"id": 88}}
    )
    path = SEEDS / p.doc
    changed = decode_source(path, path.read_bytes() + "\n补充一段。\n".encode())
    assert ingest_source(store, changed, extractor).outcome == "updated"
    facts = [f for f in store.facts(doc=p.doc) if f.source == "extractor"]
    assert {f.zone for f in facts if f.id in {x.id for x in inherited}} == {"兰州新区"}
    assert {f.zone for f in facts if f.id in {x.id for x in own}} == {"兰州高新区"}
    assert "兰州高新区" not in {f.zone for f in facts if f.zone_inherited and f.article == inherited[0].article}
    shown = passage_for_task(store, store.task(88))
    assert (shown.zone, shown.found_zone) == ("兰州新区", "兰州高新区")
    assert {f.zone for f in shown.facts if f.id in {x.id for x in inherited}} == {"兰州新区"}


def test_a_corrected_page_date_is_the_date_the_file_is_read_with_next(article, extractor):
    from annotate.ingest import ingest_source
    from annotate.labelstudio import apply_webhook
    from annotate.text import decode_source
    from tests.conftest import SEEDS

    store, p, _, _ = article
    ann = _corrected(store, "兰州高新区")
    ann["result"].append({"id": "article_date", "from_name": "article_date", "to_name": "text", "type": "textarea",
                          "value": {"text": ["2024-05-01"]}})  # fmt: skip
    apply_webhook(store, {"action": "ANNOTATION_CREATED", "annotation": ann, "task": {"id": 88}})
    assert store.corrected_published(p.doc) == "2024-05-01"
    path = SEEDS / p.doc
    ingest_source(store, decode_source(path, path.read_bytes()), extractor)
    assert store.document_pages()[p.doc][1] == "2024-05-01"
    # the same annotation submitted again after that reading still says so: the date stays
    apply_webhook(store, {"action": "ANNOTATION_UPDATED", "annotation": {**ann, "updated_at": "2026-01-02T10:00:00Z"},
                          "task": {"id": 88}})  # fmt: skip
    assert store.corrected_published(p.doc) == "2024-05-01"
    assert ingest_source(store, decode_source(path, path.read_bytes()), extractor).outcome == "unchanged"

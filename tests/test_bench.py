"""bot/bench.py: the synthetic store holds what the generator claims, the harness measures a bot that answers right."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from bot.bench import (
    ENTITY_METRIC_BY_NAME,
    METRIC_BY_NAME,
    METRICS,
    SEED,
    STYLES,
    YEARS,
    ask_latencies,
    build_synthetic_store,
    cached_store,
    fact_value,
    hello_app,
    mix_weights,
    percentile,
    plan_zones,
    python_load,
    rapidfuzz_scan_seconds,
    run_bot_bench,
    running_server,
    synthetic_questions,
)
from store import NewArticle, NewDocument, NewFact, Store, StoreError

N_FACTS = 2000


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, gazetteer):
    store = build_synthetic_store(tmp_path_factory.mktemp("bench") / "synthetic.db", N_FACTS, gazetteer)
    yield store
    store.close()


@pytest.fixture(scope="module")
def plans(gazetteer):
    return plan_zones(N_FACTS, gazetteer)


@pytest.fixture(scope="module")
def synthetic_bot(synthetic, gazetteer):
    from bot.answer import Bot

    return Bot(synthetic, gazetteer)


def test_the_vocabulary_has_a_few_hundred_metrics_with_units():
    assert 200 <= len(METRICS) <= 400
    assert len({m.name for m in METRICS}) == len(METRICS)
    assert {"地区生产总值", "高新技术企业数量", "研发投入强度", "技术合同成交额"} <= {m.name for m in METRICS}
    assert METRIC_BY_NAME["研发投入强度"].unit == "%"
    assert all(m.unit and 0 < m.low <= m.high for m in METRICS)


def test_the_store_has_exactly_the_facts_asked_for(synthetic, plans):
    counts = synthetic.counts()
    assert counts.candidate + counts.verified == N_FACTS
    assert counts.rejected == 0
    assert 0.02 < counts.verified / N_FACTS < 0.2  # mostly candidates, some verified
    assert counts.documents == sum(1 for p in plans if p.facts)
    assert sum(p.facts for p in plans) == N_FACTS


def test_facts_are_in_gazetteer_zones_with_their_metrics_units_and_values(synthetic, gazetteer):
    facts = synthetic.facts()
    names = {z.name for z in gazetteer.zones}
    assert {f.zone for f in facts} <= names
    assert len({f.zone for f in facts}) > 300  # zones from all of config/zones.toml, not a handful
    for f in facts:
        spec = (ENTITY_METRIC_BY_NAME if f.entity else METRIC_BY_NAME)[f.metric]
        assert f.unit == spec.unit, f
        assert int(f.period) in YEARS
        assert f.value == fact_value(SEED, f.zone, spec, f.entity, int(f.period))
        assert f.value_text in f.quote and f.zone in (f.context or "")
    assert any(f.entity for f in facts) and Counter(f.entity is None for f in facts)[True] > N_FACTS * 0.8


def test_the_generator_is_deterministic(gazetteer, plans):
    assert plan_zones(N_FACTS, gazetteer) == plans
    assert synthetic_questions(plans, 50, gazetteer=gazetteer) == synthetic_questions(plans, 50, gazetteer=gazetteer)


def test_bulk_insert_keeps_the_store_consistent(synthetic):
    assert synthetic.revision() >= 1
    hits = synthetic.search("高新技术企业")
    assert hits and all("高新技术企业" in f.metric + f.quote for f in hits)
    before = synthetic.revision()
    assert synthetic.facts(doc="synthetic-000.txt")  # documents and facts joined
    assert synthetic.revision() == before


def test_bulk_insert_of_a_known_document_changes_nothing(tmp_path):
    store = Store.open(tmp_path / "s.db")
    doc = NewDocument("a.txt", "a.txt", "sha", "utf-8", 100)
    fact = NewFact(0, "标题", "青岛高新区", None, "地区生产总值", 1.0, "亿元", "exact", "2024", "level",
                   "地区生产总值1亿元", "1亿元", 6, 9, 0, 9, 0.9, "t")  # fmt: skip
    articles = [NewArticle(0, "标题", None, "青岛高新区", 0, 3, 100)]
    assert store.add_documents_bulk([(doc, articles, [(fact, "verified")])]) == 1
    with pytest.raises(StoreError):
        store.add_documents_bulk([(doc, articles, [(fact, "candidate")])])
    assert store.counts().verified == 1 and store.counts().candidate == 0
    store.ingest_document(NewDocument("b.txt", "b.txt", "sha2", "utf-8", 100), articles, [fact])
    assert len(store.search("地区生产总值")) == 2  # the FTS trigger is back after both calls


def test_questions_come_in_every_style(plans, gazetteer):
    questions = synthetic_questions(plans, 400, gazetteer=gazetteer)
    assert {q.style for q in questions} == {s for s, _ in STYLES}
    for q in questions:
        if q.answerable:
            plan = next(p for p in plans if p.zone.name == q.zone)
            assert q.metric in {m.name for m in plan.metrics}


def test_generated_card_and_period_questions_are_answered_right(synthetic_bot, plans, gazetteer):
    questions = [q for q in synthetic_questions(plans, 200, gazetteer=gazetteer) if q.style in ("card", "period")]
    timings = ask_latencies(synthetic_bot, questions[:30])
    wrong = [t.question.text for t in timings if not t.right]
    assert len(wrong) <= 1, wrong
    assert any(t.question.value is not None for t in timings)  # some name a year, and got that year's value


def test_unknown_zones_and_metrics_are_declined(synthetic_bot, plans, gazetteer):
    questions = [
        q for q in synthetic_questions(plans, 300, gazetteer=gazetteer) if q.style in ("unknown_zone", "unknown_metric")
    ]
    assert questions and all(t.right for t in ask_latencies(synthetic_bot, questions[:10]))


def test_the_latency_harness_returns_numbers(synthetic_bot, plans, gazetteer):
    timings = ask_latencies(synthetic_bot, synthetic_questions(plans, 40, gazetteer=gazetteer), budget_s=30)
    assert timings and all(t.seconds > 0 for t in timings)
    weights = mix_weights(timings)
    assert math.isclose(sum(weights), sum(w for s, w in STYLES if any(t.question.style == s for t in timings)))
    assert percentile([t.seconds for t in timings], 50, weights) <= percentile(
        [t.seconds for t in timings], 99, weights
    )
    assert rapidfuzz_scan_seconds(["地区生产总值", "高新技术企业数量"] * 100, ["地区生产总值"]) > 0


def test_percentile_is_nearest_rank_and_honours_weights():
    assert percentile([1, 2, 3, 4], 50) == 2
    assert percentile([1, 2, 3, 4], 99) == 4
    assert percentile([1, 100], 50, [9, 1]) == 1  # the slow one stands for a tenth of the mix
    assert percentile([1, 100], 95, [9, 1]) == 100


def test_the_hello_world_baseline_answers_on_the_ask_path():
    response = hello_app().test_client().post("/api/v1/ask", json={"q": "x"})
    assert response.status_code == 200 and response.data == b"Hello, World!"


@pytest.mark.slow
def test_python_load_generator_against_gunicorn(tmp_path):
    with running_server("hello", 1, str(tmp_path / "unused.db")) as (port, _pid):
        rate, errors = python_load(port, [b'{"q": "x"}'], 1.0, 2)
    assert rate > 0 and errors == 0


@pytest.mark.slow
def test_the_whole_report_on_a_tiny_store(tmp_path, gazetteer):
    cached_store(N_FACTS, gazetteer, cache_dir=tmp_path)
    lines = list(run_bot_bench(sizes=(N_FACTS,), questions=60, http_seconds=1, budget_s=10, cache_dir=tmp_path))
    text = "\n".join(lines)
    assert "ask latency 2k facts: p50" in text and "plain rapidfuzz scan of 2,000 metric strings" in text
    assert "HTTP /api/v1/ask" in text and "hello-world" in text and "memory per worker at 2k facts" in text
    assert "(cached)" in text


def test_the_reply_cache_never_outlives_a_change_to_the_store(tmp_path, gazetteer):
    from bot.answer import Bot

    store = build_synthetic_store(tmp_path / "cache.db", N_FACTS, gazetteer)
    try:
        bot = Bot(store, gazetteer)
        q = next(q for q in synthetic_questions(plan_zones(N_FACTS, gazetteer), 200, gazetteer=gazetteer)
                 if q.style == "card")  # fmt: skip
        first = bot.ask(q.text)
        assert first.status == "answered" and bot.ask(q.text) is first  # asked again: from the cache
        shown = first.facts[0].id
        before = store.revision()
        with store._write() as db:
            db.execute("UPDATE facts SET status = 'rejected' WHERE id = ?", [shown])
        assert store.revision() != before
        again = bot.ask(q.text)
        assert again is not first and shown not in {f.id for f in again.facts}
    finally:
        store.close()

"""bot/answer.py and bot/messages.py: what the bot answers — answered, ambiguous or unknown — and how it says it.

Most tests ask the session bot on the seed store (nothing annotated). Tests that verify or reject facts
work on a copy of that store; the bot notices the change through `store.revision()`.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from annotate.indicators import indicator_reader
from annotate.ingest import ingest_paths
from bot import messages
from bot.answer import AnswerFact, Bot, Reply
from bot.evaluate import score_queries
from store import Store

from .conftest import DATA

STATUSES = {"answered", "ambiguous", "unknown"}
HEADLINE = "青岛高新区 权力事项数量"
QINGDAO_ARTICLE = "《青岛高新区:盘活高质量发展“一盘棋”》"
QINGDAO_DOC = "003_afa5e1f9941b0bd9.txt"
SQL = "'; DROP TABLE facts; --"


@pytest.fixture
def seed_copy(tmp_path, seed_db_path):
    """A private copy of the seed store, free to annotate."""
    path = tmp_path / "copy.db"
    shutil.copy(seed_db_path, path)
    wal = Path(f"{seed_db_path}-wal")  # the seed store is open in WAL mode: its latest pages may be here
    if wal.exists():
        shutil.copy(wal, f"{path}-wal")
    store = Store.open(path)
    yield store
    store.close()


def fact_id(store: Store, zone: str, value: float) -> int:
    (fact,) = [f for f in store.facts(zone=zone) if f.value == value]
    return fact.id


def set_status(store: Store, fact_ids: int | list[int], status: str) -> None:
    for i in [fact_ids] if isinstance(fact_ids, int) else fact_ids:
        store.db.execute("UPDATE facts SET status=? WHERE id=?", [status, i])
    store.db.conn.commit()


def bot_on(store: Store, paths: list[Path], extractor, gazetteer) -> Bot:
    """A bot on `store` after ingesting `paths` (every file must ingest cleanly)."""
    for _, result in ingest_paths(store, paths, extractor):
        assert not isinstance(result, Exception), result
    return Bot(store, gazetteer)


def shown_values(reply: Reply) -> list[float]:
    return [f.value for f in reply.facts]


def numbered_options(text: str) -> list[str]:
    return re.findall(r"^(\d)\. ", text, re.MULTILINE)


def assert_declined(reply: Reply, *not_shown: str) -> None:
    """Unknown, and no fact presented as the answer (nothing to quote, no source line)."""
    assert reply.status == "unknown", reply.text
    assert reply.facts == ()
    assert "原文" not in reply.text and "来源" not in reply.text
    for value in not_shown:
        assert value not in reply.text and value not in reply.markdown


# ── the headline example ───────────────────────────────────────────────────────────────────────
def test_headline_answers_the_total_with_the_part_as_alternative(bot):
    reply = bot.ask(HEADLINE)
    assert reply.status == "answered"
    assert reply.intent == "fact"
    best, alternative = reply.facts[:2]
    assert (best.zone, best.value, best.unit) == ("青岛高新区", 394, "项")
    assert (alternative.zone, alternative.value, alternative.unit) == ("青岛高新区", 306, "项")
    assert best.score >= alternative.score


def test_headline_text_shows_value_quote_article_file_and_unverified(bot):
    reply = bot.ask(HEADLINE)
    best = reply.facts[0]
    first_line = reply.text.splitlines()[0]
    assert "394项" in first_line
    assert "306" not in first_line  # the part is listed as related, not as the answer
    assert best.quote in reply.text
    assert "394项行政权力事项委托赋权" in reply.text
    assert QINGDAO_ARTICLE in reply.text
    assert QINGDAO_DOC in reply.text
    assert "未核实" in reply.text and "已核实" not in reply.text
    assert "306项" in reply.text.splitlines()[-1]
    for part in ("394项", QINGDAO_ARTICLE, QINGDAO_DOC, "未核实"):
        assert part in reply.markdown


def test_answer_fact_json_shape(bot):
    best = bot.ask(HEADLINE).facts[0]
    data = best.as_json()
    assert set(data) == {
        "id", "zone", "entity", "metric", "value", "unit", "qualifier", "period", "kind", "status", "quote",
        "doc", "article", "score",
    }  # fmt: skip
    assert data["value"] == 394 and isinstance(data["value"], int)
    assert data["article"] == QINGDAO_ARTICLE.strip("《》")
    assert data["doc"] == QINGDAO_DOC
    assert data["status"] == "candidate"
    assert isinstance(data["score"], float)


# ── understanding, end to end ──────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("question", "zone", "value", "unit"),
    [
        ("青岛 权力事项", "青岛高新区", 394, "项"),
        ("青到高新区 权力事项数量", "青岛高新区", 394, "项"),
        ("Qingdao 权力事项", "青岛高新区", 394, "项"),
        ("qingdao gaoxinqu 权力事项数量", "青岛高新区", 394, "项"),
        ("ＱＩＮＧＤＡＯ　权力事项！", "青岛高新区", 394, "项"),
        ("大连高心区 发明专利拥有量", "大连高新区", 8000, "件"),
        ("大連高新區 發明專利擁有量", "大连高新区", 8000, "件"),
        ("Xi'an high-tech zone 研发投入强度", "西安高新区", 6.64, "%"),
        ("西安高新区 研发强度", "西安高新区", 6.64, "%"),
        ("楚雄高新区 GDP", "楚雄高新区", 299.54, "亿元"),
        ("大连高新区 技术合同额", "大连高新区", 145, "亿元"),
        ("大连高新区瞪羚企业有多少家?", "大连高新区", 60, "家"),
        ("大庆 高企总数", "大庆高新区", 248, "家"),
    ],
)
def test_answers_however_it_is_asked(bot, question, zone, value, unit):
    reply = bot.ask(question)
    assert reply.status == "answered", reply.text
    best = reply.facts[0]
    assert (best.zone, best.value, best.unit) == (zone, value, unit)


def test_no_zone_searches_every_zone(bot):
    reply = bot.ask("技术合同成交额")
    assert reply.status in ("answered", "ambiguous")
    assert {"大连高新区", "沈阳高新区"} <= {f.zone for f in reply.facts}


# ── the three outcomes ─────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("question", ["高企 有多少", "GDP", "技术合同额"])
def test_ambiguous_lists_two_or_three_numbered_options(bot, question):
    reply = bot.ask(question)
    assert reply.status == "ambiguous"
    assert 2 <= len(reply.facts) <= 3
    assert numbered_options(reply.text) == [str(i) for i in range(1, len(reply.facts) + 1)]
    assert numbered_options(reply.markdown) == numbered_options(reply.text)
    for f in reply.facts:
        assert f.zone in reply.text
        assert f.metric in reply.text


@pytest.mark.parametrize(("question", "zone"), [("深圳高新区 GDP", "深圳高新区"), ("火星高新区 GDP", "火星高新区")])
def test_unknown_zone_says_so_and_suggests_zones_that_have_the_metric(bot, question, zone):
    reply = bot.ask(question)
    assert_declined(reply, "299.54", "350.4")
    assert zone in reply.text
    assert "楚雄高新区" in reply.text and "兰州高新区" in reply.text  # they have a GDP


def test_unknown_zone_with_a_metric_nobody_has(bot):
    reply = bot.ask("火星高新区 人口")
    assert_declined(reply)
    assert "火星高新区" in reply.text


def test_unknown_metric_shows_no_number_of_another_fact(bot):
    reply = bot.ask("青岛高新区 人口")
    assert_declined(reply, "394", "306")
    assert "青岛高新区" in reply.text and "人口" in reply.text


@pytest.mark.parametrize("question", ["海口高新区 GDP是多少?", "大连高新区 地区生产总值"])
def test_metric_the_zone_lacks_suggests_zones_that_have_it(bot, question):
    reply = bot.ask(question)
    assert_declined(reply, "299.54", "350.4")
    assert "楚雄高新区" in reply.text


def test_overview_lists_what_a_zone_has(bot):
    reply = bot.ask("青岛高新区 有哪些数据")
    assert reply.status == "answered"
    assert reply.intent == "overview"
    assert {f.zone for f in reply.facts} == {"青岛高新区"}
    assert sorted(shown_values(reply)) == [306, 394]
    assert "394项" in reply.text and "306项" in reply.text


def test_compare_ranks_zones_by_value(bot):
    reply = bot.ask("高新技术企业 排名")
    assert reply.status == "answered"
    assert reply.intent == "compare"
    zones = [f.zone for f in reply.facts]
    assert len(zones) >= 3 and len(set(zones)) == len(zones)
    assert shown_values(reply) == sorted(shown_values(reply), reverse=True)
    assert len({f.unit for f in reply.facts}) == 1
    assert numbered_options(reply.text) == [str(i) for i in range(1, len(zones) + 1)]


def test_compare_leaves_out_growth_and_targets_unless_asked(bot):
    ranked = bot.ask("高新技术企业 排名")
    assert ranked.facts and all(f.kind not in ("growth", "target") for f in ranked.facts)
    assert "海口高新区" not in [f.zone for f in ranked.facts]  # it has only 高企增长 (超过40家), a flow
    grown = bot.ask("高企增长 排名")
    assert grown.intent == "compare" and grown.facts
    assert all(f.kind == "growth" or "增" in f.metric for f in grown.facts)  # and no totals among the increases


def test_compare_leaves_out_a_companys_figures(bot):
    reply = bot.ask("哪个高新区营业收入最高")
    assert reply.intent == "compare" and reply.facts
    assert all(f.entity is None for f in reply.facts)  # 潍柴集团's 3000亿元 is the company's, not 潍坊高新区's


def test_compare_each_zone_on_a_metric(bot):
    reply = bot.ask("各高新区 研发投入强度")
    assert reply.status == "answered"
    assert reply.intent == "compare"
    assert ("西安高新区", 6.64) in [(f.zone, f.value) for f in reply.facts]


def test_compare_one_indicator_and_name_it(bot):
    """研发投入强度 排名 compares R&D intensity (全社会研发投入强度), not a share of business R&D in GDP (企业研发投入占
    GDP比重, another indicator), and says which indicator it ranks by."""
    for question in ("研发投入强度 排名", "各高新区 研发强度"):
        reply = bot.ask(question)
        assert reply.intent == "compare" and reply.text.startswith("各园区按“研发投入强度”比较"), reply.text
        assert ("西安高新区", 6.64) in [(f.zone, f.value) for f in reply.facts]
        assert "企业研发投入占GDP比重" not in [f.metric for f in reply.facts]


def test_compare_an_indicator_keeps_its_variant_apart(bot):
    levels = bot.ask("地区生产总值 排名")
    assert levels.text.startswith("各园区按“地区生产总值”比较") and {f.kind for f in levels.facts} == {"level"}
    growth = bot.ask("地区生产总值增长 排名")
    assert growth.text.startswith("各园区按“地区生产总值增长”比较") and {f.kind for f in growth.facts} == {"growth"}


def test_compare_exports_is_not_trade(bot):
    reply = bot.ask("出口总额 排名")
    assert all("进出口" not in f.metric for f in reply.facts)


def test_a_question_names_its_indicator_and_plain_questions_are_scored_as_before(bot):
    q = bot.parser.parse("大连 高企总数")
    assert q.indicator == "hitech_firms"
    assert bot.parser.parse("青岛高新区 权力事项数量").indicator == "delegated_powers"
    assert bot.parser.parse("大连高新区 党小组数量").indicator is None
    reply = bot.ask("西安 研发强度")
    assert reply.status == "answered" and reply.facts[0].value == 6.64


def test_compare_a_ranking_indicator_lists_zones_by_place(gazetteer):
    """国家高新区综合评价排名 across zones: first place first, and only facts of that ranking (not a provincial one)."""
    from store import NewArticle, NewDocument, NewFact

    store = Store.memory()
    rows = [("杭州高新区", "国家高新区综合评价排名", 3), ("株洲高新区", "国家高新区综合评价排名", 29),
            ("洛阳高新区", "国家高新区综合评价排名", 41), ("宜昌高新区", "全省国家高新区综合评价排名", 3)]  # fmt: skip
    facts = [
        NewFact(0, "t", zone, None, metric, value, "位", "exact", "2023", "rank", f"{zone}{metric}第{value}位",
                f"第{value}位", i * 10, i * 10 + 3, i * 10, i * 10 + 3, 0.9, "x",
                indicator=indicator_reader().code(metric, "rank", "位"))
        for i, (zone, metric, value) in enumerate(rows)
    ]  # fmt: skip
    store.ingest_document(
        NewDocument("a.txt", "a.txt", "s", "utf-8", 99), [NewArticle(0, "t", None, None, 0, 1, 99)], facts
    )
    reply = Bot(store, gazetteer).ask("各高新区 国家高新区综合评价排名")
    assert reply.text.startswith("各园区按“国家高新区综合评价排名”比较(按名次排列"), reply.text
    assert [(f.zone, f.value) for f in reply.facts] == [("杭州高新区", 3), ("株洲高新区", 29), ("洛阳高新区", 41)]


def test_help(bot):
    reply = bot.ask("帮助")
    assert (reply.status, reply.intent, reply.text) == ("answered", "help", messages.HELP)
    assert reply.facts == ()


@pytest.mark.parametrize("question", ["", "   ", "？！"])
def test_empty_question(bot, question):
    reply = bot.ask(question)
    assert (reply.status, reply.text) == ("unknown", messages.EMPTY)


def test_too_long_question(bot):
    reply = bot.ask("青岛高新区 权力事项数量" * 1000)
    assert reply.status == "unknown"
    assert reply.facts == ()
    assert str(500) in reply.text


# ── periods ────────────────────────────────────────────────────────────────────────────────────
@pytest.fixture
def years_bot(store, write, extractor, gazetteer):
    """A store with one metric over three years: 青岛高新区 瞪羚企业 40 (2019), 50 (2020), 60 (2021)."""
    article = write(
        "years.txt",
        "青岛高新区瞪羚企业逐年增长\n\n"
        "　　2019年,青岛高新区瞪羚企业数量为40家。2020年,青岛高新区瞪羚企业数量增至50家。"
        "2021年,青岛高新区瞪羚企业数量达到60家。\n",
    )
    bot = bot_on(store, [article], extractor, gazetteer)
    assert sorted((f.period, f.value) for f in store.facts()) == [("2019", 40), ("2020", 50), ("2021", 60)]
    return bot


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("2019年 青岛高新区 瞪羚企业", 40),
        ("2020年 青岛高新区 瞪羚企业", 50),
        ("青岛高新区2021年瞪羚企业有多少家", 60),
        ("今年 青岛高新区 瞪羚企业", 60),  # the newest year the facts have
        ("去年 青岛高新区 瞪羚企业", 60),  # also the newest: the latest figures (shared/gold/README.md)
        ("前年 青岛高新区 瞪羚企业", 50),  # the year before the newest
    ],
)
def test_the_year_asked_picks_the_fact(years_bot, question, value):
    reply = years_bot.ask(question)
    assert reply.status == "answered", reply.text
    assert reply.facts[0].value == value
    assert f"{value}家" in reply.text.splitlines()[0]


@pytest.mark.parametrize(
    ("question", "value"), [("今年 青岛高新区 营业收入", 1200), ("去年 青岛高新区 营业收入", 2300)]
)
def test_last_year_is_the_latest_full_year(store, write, extractor, gazetteer, question, value):
    """去年 asks for the latest full-year figure, 今年 for the latest of any period (a first half counts), both counted
    from the zone's own figures, not from another metric's newer year."""
    article = write(
        "half.txt",
        "青岛高新区经济运行稳中有进\n\n"
        "　　2023年,青岛高新区实现营业收入2300亿元。2024年上半年,青岛高新区实现营业收入1200亿元。"
        "2025年,青岛高新区计划新增瞪羚企业20家。\n",
    )
    bot = bot_on(store, [article], extractor, gazetteer)
    reply = bot.ask(question)
    assert reply.status == "answered", reply.text
    assert reply.facts[0].value == value


@pytest.mark.parametrize(
    ("question", "value"),
    [("青岛高新区上半年营业收入", 1200), ("青岛高新区前三季度营业收入", 1900), ("青岛高新区2023年营业收入", 2300)],
)
def test_the_part_of_the_year_asked_picks_the_fact(store, write, extractor, gazetteer, question, value):
    article = write(
        "parts.txt",
        "青岛高新区经济运行稳中有进\n\n"
        "　　2023年,青岛高新区实现营业收入2300亿元。2024年上半年,青岛高新区实现营业收入1200亿元。"
        "2024年前三季度,青岛高新区实现营业收入1900亿元。\n",
    )
    reply = bot_on(store, [article], extractor, gazetteer).ask(question)
    assert reply.status == "answered", reply.text
    assert reply.facts[0].value == value


def test_this_years_target_is_asked_of_the_plans(store, write, extractor, gazetteer):
    """今年的目标 counts from the latest plan's year, not from the latest result's."""
    article = write(
        "plan.txt",
        "青岛高新区经济运行稳中有进\n\n"
        "　　2023年,青岛高新区地区生产总值增长5.8%。2024年,青岛高新区地区生产总值预期增长6%。\n",
    )
    reply = bot_on(store, [article], extractor, gazetteer).ask("青岛高新区今年GDP增长目标是多少")
    assert reply.status == "answered" and reply.facts[0].value == 6, reply.text


def test_an_ordinal_tells_siblings_apart(store, write, extractor, gazetteer):
    """第一产业 asked: 第二产业's figure is no answer, however alike their words (一产 is 第一产业)."""
    article = write(
        "sectors.txt",
        "青岛高新区经济运行稳中有进\n\n　　2024年,青岛高新区第二产业增加值436.2亿元,第三产业增加值375.8亿元。\n",
    )
    bot = bot_on(store, [article], extractor, gazetteer)
    assert bot.ask("青岛高新区 第一产业增加值").status == "unknown"
    assert bot.ask("青岛高新区 二产增加值").facts[0].value == 436.2


# ── when nothing answers by the limits: a fitting fact that leads, or the fitting ones to choose from ─────────────
@pytest.fixture
def ranks_bot(store, write, extractor, gazetteer):
    article = write(
        "ranks.txt",
        "青岛高新区综合实力稳步提升\n\n"
        "　　在最新一轮国家高新区综合评价中，青岛高新区位列第12位。2023年，青岛高新区实现营业收入2300亿元。\n",
    )
    return bot_on(store, [article], extractor, gazetteer)


def test_one_fitting_fact_that_leads_is_answered_saying_how_the_question_was_read(ranks_bot):
    reply = ranks_bot.ask("青岛高新区在全国考核里排老几")
    assert (reply.status, reply.rule) == ("answered", "lead"), reply.text
    assert reply.facts[0].value == 12
    assert "理解您问的" in reply.text


def test_fitting_facts_with_no_leader_are_offered_as_choices_never_as_nearest_under_not_mentioned(
    store, write, extractor, gazetteer
):
    article = write(
        "two_ranks.txt",
        "青岛高新区综合实力稳步提升\n\n"
        "　　在全省开发区考核中青岛高新区排名第3位，在全国国家高新区综合评价中青岛高新区排名第12位。\n",
    )
    bot = bot_on(store, [article], extractor, gazetteer)
    reply = bot.ask("青岛高新区 考评 排第几", chat="c1")
    assert (reply.status, reply.rule) == ("unknown", "maybe"), reply.text
    assert "没有提到" not in reply.text
    assert numbered_options(reply.text) == ["1", "2"]
    picked = bot.ask("2", chat="c1")
    assert reply.facts == () and len(reply.choices) == 2  # an unknown reply asserts no figure
    assert picked.status == "answered" and picked.facts[0].value == reply.choices[1].value


def test_a_fact_of_another_kind_is_no_lead(ranks_bot):
    """Asked for a growth, a level of the same words does not lead (growth_missing is a conflict)."""
    reply = ranks_bot.ask("青岛高新区 营业收入增速")
    assert reply.status == "unknown" and reply.rule != "lead", reply.text


def test_options_offered_by_one_worker_are_picked_on_another(own_store, gazetteer):
    """Two workers: two bots, each with its own connection to one store file. The options live in the store."""
    first, second = Store.open(own_store), Store.open(own_store)
    try:
        asking, picking = Bot(first, gazetteer), Bot(second, gazetteer)
        offered = asking.ask("GDP", chat="room-7")
        assert offered.status == "ambiguous" and len(offered.facts) >= 2
        picked = picking.ask("2", chat="room-7")
        assert (picked.status, picked.rule) == ("answered", "pick")
        assert picked.facts[0].id == offered.facts[1].id
        assert picking.ask("2", chat="room-7").rule != "pick"  # each choice is picked once
        assert asking.ask("1", chat="room-8").rule != "pick"  # another chat has none
    finally:
        first.close()
        second.close()


# ── verified, rejected, verified-only ──────────────────────────────────────────────────────────
def test_a_verified_fact_outranks_candidates(seed_copy, gazetteer):
    bot = Bot(seed_copy, gazetteer)
    assert bot.ask(HEADLINE).facts[0].value == 394
    set_status(seed_copy, fact_id(seed_copy, "青岛高新区", 306), "verified")
    reply = bot.ask(HEADLINE)  # the same bot: it sees the change through the store's revision
    assert reply.status == "answered"
    assert (reply.facts[0].value, reply.facts[0].status) == (306, "verified")
    assert "306项" in reply.text.splitlines()[0]
    assert "已核实" in reply.text and "未核实" not in reply.text


def test_a_verified_best_answer_shows_verified(seed_copy, gazetteer):
    bot = Bot(seed_copy, gazetteer)
    set_status(seed_copy, fact_id(seed_copy, "青岛高新区", 394), "verified")
    reply = bot.ask(HEADLINE)
    assert (reply.facts[0].value, reply.facts[0].status) == (394, "verified")
    assert messages.VERIFIED in reply.text and messages.VERIFIED in reply.markdown
    assert "未核实" not in reply.text


@pytest.mark.parametrize("question", [HEADLINE, "青岛高新区 有哪些数据", "Qingdao 权力事项"])
def test_a_rejected_fact_is_never_shown(seed_copy, gazetteer, question):
    bot = Bot(seed_copy, gazetteer)
    assert "394" in bot.ask(question).text
    set_status(seed_copy, fact_id(seed_copy, "青岛高新区", 394), "rejected")
    reply = bot.ask(question)
    assert "394" not in reply.text and "394" not in reply.markdown
    assert 394 not in shown_values(reply)
    assert reply.status == "answered"
    assert 306 in shown_values(reply)


def test_a_zone_with_every_fact_rejected_is_unknown(seed_copy, gazetteer):
    bot = Bot(seed_copy, gazetteer)
    set_status(seed_copy, [fact_id(seed_copy, "青岛高新区", v) for v in (394, 306)], "rejected")
    assert_declined(bot.ask(HEADLINE), "394", "306")


def test_verified_only_answers_from_verified_facts_only(seed_copy, gazetteer):
    bot = Bot(seed_copy, gazetteer, verified_only=True)
    assert_declined(bot.ask(HEADLINE), "394", "306")
    set_status(seed_copy, fact_id(seed_copy, "青岛高新区", 306), "verified")
    reply = bot.ask(HEADLINE)
    assert reply.status == "answered"
    assert shown_values(reply) == [306]  # the 394 candidate is not even an alternative
    assert "394" not in reply.text
    assert messages.VERIFIED in reply.text
    assert_declined(bot.ask("楚雄高新区 GDP"), "299.54")  # a candidate only


# ── question scoring on the dev gold ───────────────────────────────────────────────────────────
def test_dev_questions_score(bot):
    score = score_queries(bot, DATA / "gold" / "dev_queries.jsonl")
    failures = [(g["q"], r.status, r.text[:60]) for g, r in score.failures]
    assert score.answerable >= 60 and score.unanswerable >= 5
    assert score.top1 >= 0.97, failures
    assert score.decline_rate >= 0.93, failures
    rates = score.style_rates()
    assert {"card", "natural", "short", "typo", "period", "traditional", "pinyin", "unknown"} <= set(rates)
    assert all(rate >= 0.93 for rate in rates.values()), rates


def test_held_out_questions_score(bot):
    """Questions on seeds 003–004 (tests/data/heldout), to the same bar as the dev gold."""
    score = score_queries(bot, DATA / "heldout" / "dev_queries.jsonl")
    failures = [(g["q"], r.status, r.text[:60]) for g, r in score.failures]
    assert score.answerable >= 40 and score.unanswerable >= 5
    assert score.top1 >= 0.97 and score.decline_rate >= 0.93, failures


@pytest.mark.parametrize(
    ("name", "bar"),
    [("othersources", 0.97), ("blind", 0.97), ("blind2", 0.9), ("blind3", 0.85)],  # blind2, blind3: where they stand
)
def test_other_sources_questions_score(tmp_path, extractor, gazetteer, name, bar):
    """Questions on documents in other sources' styles (tests/data/<name>), to the dev gold's bar."""
    store = Store.open(tmp_path / "gaoxin.db")
    bot = bot_on(store, sorted((DATA / name / "docs").glob("*.txt")), extractor, gazetteer)
    score = score_queries(bot, DATA / name / "dev_queries.jsonl")
    store.close()
    failures = [(g["q"], r.status, r.text[:60]) for g, r in score.failures]
    assert score.answerable >= 40 and score.unanswerable >= 5
    assert score.top1 >= bar and score.decline_rate >= 0.93, failures


# ── bad input, property-based ──────────────────────────────────────────────────────────────────
QUESTIONS = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec=None, categories=["Cs", "Cc", "Zs", "So", "Lo"])),
    st.lists(
        st.sampled_from([SQL, "青岛高新区", "权力事项", "GDP", "排名", "各高新区", "有哪些数据", "去年", "\x00", "😀"])
        | st.text(max_size=3),
        max_size=10,
    ).map("".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(QUESTIONS)
@example(SQL)
@example(SQL + " 青岛高新区 权力事项")
@example("\x00" * 100)
@example("\ud800")
@example("😀🇨🇳" * 50)
@example("ＱＩＮＧＤＡＯ　ＧＤＰ")
@example("a" * 10_000)
@example("abcdefghijklmnopqrstuvwxyz1")
def test_ask_never_raises_and_returns_one_of_three(bot, text):
    reply = bot.ask(text)
    assert isinstance(reply, Reply)
    assert reply.status in STATUSES
    assert isinstance(reply.text, str) and reply.text
    assert all(isinstance(f, AnswerFact) for f in reply.facts)
    if reply.status == "unknown":
        assert reply.facts == ()


def test_sql_looking_text_changes_nothing(bot, seed_store):
    before = (seed_store.counts(), seed_store.revision(), len(seed_store.facts()))

    @settings(max_examples=40, deadline=None)
    @given(st.sampled_from([SQL, "1; DELETE FROM facts", "' OR 1=1 --", '"; UPDATE facts SET value=0; --']), st.text())
    def ask(sql: str, text: str) -> None:
        assert bot.ask(sql + text).status in STATUSES

    ask()
    assert (seed_store.counts(), seed_store.revision(), len(seed_store.facts())) == before


def test_a_long_latin_run_is_parsed_quickly(bot):
    """A nested quantifier made Latin letters then a digit backtrack exponentially: 26 letters took seconds."""
    for text in ("abcdefghijklmnopqrstuvwxyz1", "abcdefghijklmnopqrstuvwxyzé"):
        start = time.perf_counter()
        reply = bot.ask(text)
        assert time.perf_counter() - start < 0.5, text
        assert reply.status in STATUSES


# ── a statistical communiqué (another source's style: full-width punctuation, 年末, 其中, 净增) ─────────────
@pytest.fixture
def communique_bot(store, write, extractor, gazetteer):
    article = write(
        "gongbao.txt",
        "苏州工业园区2023年国民经济和社会发展统计公报\n\n"
        "　　年末全区拥有有效高新技术企业2615家，比上年净增312家。全社会研发投入占地区生产总值比重为3.96%。"
        "全年实现进出口总额6326亿元，其中出口3707亿元。\n",
    )
    return bot_on(store, [article], extractor, gazetteer)


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("苏州工业园区 高企数量", 2615),  # the stock, not the flow
        ("苏州工业园区 高新技术企业净增", 312),  # the flow, when asked for
        ("苏州工业园区出口额是多少", 3707),  # the part by its own name, not the whole that contains it
        ("苏州工业园区 进出口", 6326),
        ("苏州工业园区 研发强度", 3.96),  # R&D intensity, spelt out as a share of GDP
        ("苏州工业园区 研发投入占GDP比重", 3.96),
    ],
)
def test_a_communique_answers_by_name(communique_bot, question, value):
    reply = communique_bot.ask(question)
    assert reply.status == "answered", reply.text
    assert reply.facts[0].value == value


def test_a_flow_question_is_not_answered_with_a_stock(communique_bot):
    reply = communique_bot.ask("苏州工业园区 新增高企")
    assert reply.facts[0].value == 312, reply.text


def test_fillers_of_time_do_not_count_against_the_metric(communique_bot):
    reply = communique_bot.ask("苏州工业园区这次的出口总额一共有多少？")
    assert reply.status == "answered" and reply.facts[0].value == 3707, reply.text


@pytest.fixture
def structure_bot(store, write, extractor, gazetteer):
    """Only shares, counts and growth around an amount: the amount itself is never printed."""
    article = write(
        "structure.txt",
        "宁波高新区产业结构持续优化\n\n"
        "　　高端装备产业产值占规模以上工业总产值的比重为32.0%。规模以上工业企业中营收超亿元企业达到156家。"
        "全区数字经济核心产业增加值增长14.2%。\n",
    )
    return bot_on(store, [article], extractor, gazetteer)


@pytest.mark.parametrize(
    ("question", "nearest"),
    [
        ("宁波高新区 规模以上工业总产值", "32.0%"),  # a share of it is not the amount
        ("宁波 营收", "156家"),  # a count of companies is not an amount
        ("宁波高新区 数字经济核心产业增加值", "14.2%"),  # its growth is not the amount (增加值 is no growth)
    ],
)
def test_an_amount_is_answered_only_with_an_amount(structure_bot, question, nearest):
    reply = structure_bot.ask(question)
    assert reply.status == "unknown", reply.text
    assert nearest in reply.text  # offered as the nearest thing known, not as the answer


def test_a_share_or_growth_of_an_amount_is_answered_when_asked(structure_bot):
    assert structure_bot.ask("宁波高新区 数字经济核心产业增加值增长").facts[0].value == 14.2
    assert structure_bot.ask("宁波高新区 高端装备产业产值占比").facts[0].value == 32.0


def test_a_target_question_takes_the_target(store, write, extractor, gazetteer):
    article = write(
        "target.txt",
        "厦门火炬高新区经济稳中有进\n\n　　1—9月，厦门火炬高新区营业总收入超2600亿元。到2025年，营业总收入力争突破4000亿元。\n",
    )
    bot = bot_on(store, [article], extractor, gazetteer)
    assert bot.ask("2025年 厦门火炬高新区 营业总收入目标").facts[0].value == 4000
    assert bot.ask("厦门火炬高新区 营业总收入").facts[0].value == 2600


def test_a_name_that_means_two_zones_is_asked_back(store, write, extractor, gazetteer):
    fuzhou = write("fz.txt", "福州高新区研发人员增多\n\n　　2020年，福州高新区研发人员达到11万人。\n")
    fuzhou2 = write("fz2.txt", "抚州高新区研发人员增多\n\n　　2020年，抚州高新区研发人员达到6003人。\n")
    bot = bot_on(store, [fuzhou, fuzhou2], extractor, gazetteer)
    set_status(store, store.facts(zone="抚州高新区")[0].id, "verified")  # a checked fact does not pick the zone
    reply = bot.ask("Fuzhou gaoxinqu 研发人员")
    assert reply.status == "ambiguous", reply.text
    assert {f.zone for f in reply.facts} == {"福州高新区", "抚州高新区"}
    assert bot.ask("福州高新区 研发人员").facts[0].zone == "福州高新区"


def test_a_per_head_figure_is_not_the_total(bot):
    reply = bot.ask("潍坊高新区 GDP")  # the texts give 人均GDP 2万美元 and shares, never the total
    assert reply.status == "unknown", reply.text
    assert "人均" in reply.text  # offered as the nearest thing known


def test_a_year_the_texts_do_not_give_is_declined(bot):
    reply = bot.ask("2019年大连高新区技术合同成交额")
    assert reply.status == "unknown", reply.text
    assert "145" in reply.text and "2021年" in reply.text  # the year the articles do give
    assert "没有大连高新区2019年的" in reply.text  # not "the articles do not mention it"


@pytest.mark.parametrize(("name", "bar"), [("phrasing", 0.95), ("phrasing2", 0.9)])
def test_phrasing_questions_score(bot, name, bar):
    """Questions on the seeds in the many ways people type them (tests/data/phrasing*, written blind): phrasing 0.83
    of the answerable right at first, phrasing2 0.66; they are kept where the fixes they led to brought them."""
    score = score_queries(bot, DATA / name / "dev_queries.jsonl")
    failures = [(g["q"], r.status, r.text[:60]) for g, r in score.failures]
    assert score.answerable >= 60 and score.unanswerable >= 10
    assert score.top1 >= bar and score.decline_rate >= 0.93, failures


def test_last_year_counts_back_from_results_not_plans(store, write, extractor, gazetteer):
    article = write(
        "plan.txt",
        "济南高新区生物医药产业发展提速\n\n　　2023年，济南高新区生物医药产业实现营业收入786亿元。"
        "到2026年，生物医药产业营业收入力争达到1000亿元。\n",
    )
    bot = bot_on(store, [article], extractor, gazetteer)
    assert bot.ask("济南高新区 生物医药产业营业收入").facts[0].value == 786  # the result, not the plan
    assert bot.ask("今年 济南高新区 生物医药产业营业收入").facts[0].value == 786  # the newest result's year, not 2026


def test_a_head_word_typed_by_sound(bot):
    reply = bot.ask("佛山高新区 进出口宗额")  # 宗额 for 总额: the same pinyin
    assert reply.status == "answered" and reply.facts[0].value == 895.88, reply.text


def test_a_level_named_in_a_fact_only_is_a_part(store, write, extractor, gazetteer):
    article = write(
        "plat.txt", "包头稀土高新区创新平台建设\n\n　　园区拥有国家级研发平台14个、省级以上研发平台110个。\n"
    )
    bot = bot_on(store, [article], extractor, gazetteer)
    assert bot.ask("包头稀土高新区 研发平台").facts[0].value == 110  # the wider count, not its 国家级 part
    assert bot.ask("包头稀土高新区 国家级研发平台").facts[0].value == 14

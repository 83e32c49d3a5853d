"""Comparisons and series as one Table (bot/answer.py): built once, said in every line with its mark and period, cut
at TABLE_ROWS with the rest counted, and exposed to the API as "table"."""

from __future__ import annotations

import re

import pytest

from bot import messages
from bot.answer import TABLE_ROWS, Bot

from .tables import SERIES_ROWS, ZONES, Row, ranking_rows, store_of

URL = "https://www.example.gov.cn/news/2024/1205/123.html"


@pytest.fixture(scope="module")
def ranked(gazetteer) -> Bot:
    return Bot(store_of(ranking_rows(), url=URL), gazetteer)


@pytest.fixture(scope="module")
def yearly(gazetteer) -> Bot:
    return Bot(store_of(SERIES_ROWS), gazetteer)


def test_a_ranking_is_a_table_of_its_facts(ranked):
    reply = ranked.ask("高新技术企业 排名")
    t = reply.table
    assert reply.intent == "compare" and t is not None and t.kind == "ranking" and t.order == "value"
    assert t.measure == "高新技术企业" and t.unit == "家"
    assert [r.rank for r in t.rows] == list(range(1, TABLE_ROWS + 1))
    assert [r.zone for r in t.rows] == list(ZONES[:TABLE_ROWS])  # largest first
    assert [r.fact for r in t.rows] == [f.id for f in reply.facts]  # the facts are the rows, in the same order
    assert [r.verified for r in t.rows[:3]] == [True, True, False]
    first = t.rows[0]
    assert (first.amount, first.value, first.period, first.period_text, first.year) == ("1000家", 1000, "2020",
                                                                                        "2020年", 2020)  # fmt: skip
    assert (first.doc, first.url, first.metric) == ("a.txt", URL, "高新技术企业数量")


def test_a_long_ranking_shows_ten_and_says_how_many_more(ranked):
    reply = ranked.ask("高新技术企业 排名")
    assert len(reply.table.rows) == TABLE_ROWS and reply.table.more == len(ZONES) - TABLE_ROWS == 3
    for text in (reply.text, reply.markdown):
        assert "还有3个园区未列出" in text
        assert messages.LEGEND in text
        assert "杭州高新区" not in text  # the 13th is counted, not shown


def test_every_line_of_a_ranking_keeps_its_mark_and_period(ranked):
    reply = ranked.ask("高新技术企业 排名")
    lines = [line for line in reply.text.splitlines() if re.match(r"\d+\. ", line)]
    assert len(lines) == TABLE_ROWS
    for line, row in zip(lines, reply.table.rows, strict=True):
        assert line.startswith(f"{row.rank}. {row.zone} {row.amount}(")
        assert row.period_text in line
        assert line.endswith("✅" if row.verified else "⚠️")
    assert reply.text.splitlines()[0] == reply.table.title + ":"


def test_a_short_ranking_says_nothing_was_cut(gazetteer):
    bot = Bot(store_of(ranking_rows(3)), gazetteer)
    reply = bot.ask("高新技术企业 排名")
    assert reply.table.more == 0 and len(reply.table.rows) == 3
    assert "未列出" not in reply.text and reply.text.endswith(messages.LEGEND)


def test_a_ranking_by_place_is_ordered_by_place(gazetteer):
    rows = [Row("杭州高新区", "国家高新区综合评价排名", 3, "位", kind="rank"),
            Row("株洲高新区", "国家高新区综合评价排名", 29, "位", kind="rank"),
            Row("洛阳高新区", "国家高新区综合评价排名", 41, "位", kind="rank")]  # fmt: skip
    reply = Bot(store_of(rows), gazetteer).ask("各高新区 国家高新区综合评价排名")
    assert reply.table.order == "place" and [r.value for r in reply.table.rows] == [3, 29, 41]
    assert reply.text.startswith("各园区按“国家高新区综合评价排名”比较(按名次排列")


def test_the_api_carries_the_table_only_for_comparisons_and_series(ranked, yearly):
    body = ranked.ask("高新技术企业 排名").as_json()
    assert body["table"]["kind"] == "ranking" and len(body["table"]["rows"]) == TABLE_ROWS
    assert body["table"]["note"] == "还有3个园区未列出。" + messages.LEGEND
    assert set(body["table"]["rows"][0]) == {"rank", "zone", "metric", "amount", "value", "unit", "period",
                                             "period_text", "year", "verified", "doc", "article", "url", "fact"}  # fmt: skip
    assert "table" not in ranked.ask("西安高新区 高新技术企业数量").as_json()  # a fact keeps its shape
    assert yearly.ask("苏州工业园区 地区生产总值 历年").as_json()["table"]["kind"] == "series"


# ── series: one zone, one measure, over the years ──────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "question",
    ["苏州工业园区 地区生产总值 历年", "苏州工业园区 GDP 历年来", "苏州工业园区每年的GDP", "苏州工业园区 地区生产总值 近几年",
     "苏州工业园区地区生产总值逐年变化", "苏州工业园区 GDP 趋势"],
)  # fmt: skip
def test_a_series_is_one_zones_measure_over_the_years_in_time_order(yearly, question):
    reply = yearly.ask(question)
    t = reply.table
    assert reply.intent == "series" and t is not None and t.kind == "series", reply.text
    assert (t.zone, t.measure, t.order, t.unit) == ("苏州工业园区", "地区生产总值", "time", "亿元")
    # whole years only (not 2025-1~6), the zone's own (not 无锡's), the level (not its growth)
    assert [(r.year, r.value) for r in t.rows] == [(2022, 3515.6), (2023, 3686.5), (2024, 3812.6)]
    assert [r.verified for r in t.rows] == [False, True, False]
    assert reply.text.splitlines()[0] == "苏州工业园区“地区生产总值”历年(按年份排列,口径以原文为准):"
    assert reply.text.splitlines()[1:4] == ["· 2022年 3515.6亿元(地区生产总值)⚠️", "· 2023年 3686.5亿元(地区生产总值)✅",
                                           "· 2024年 3812.6亿元(地区生产总值)⚠️"]  # fmt: skip


def test_a_series_leaves_out_flows_beside_a_stock(gazetteer):
    rows = [Row("苏州工业园区", "高新技术企业总数", 2843, "家", "2023"), Row("苏州工业园区", "高新技术企业总数", 3264, "家", "2024"),
            Row("苏州工业园区", "新增高新技术企业数量", 512, "家", "2023"),
            Row("苏州工业园区", "新增高新技术企业数量", 1028, "家", "2024")]  # fmt: skip
    reply = Bot(store_of(rows), gazetteer).ask("苏州工业园区 高新技术企业总数 历年")
    assert [r.value for r in reply.table.rows] == [2843, 3264]


def test_a_series_of_one_year_is_answered_as_the_fact(yearly):
    """Its growth has one year only: the trend word asks for nothing more than the fact."""
    reply = yearly.ask("苏州工业园区 地区生产总值增长 历年")
    assert (reply.status, reply.intent, reply.table) == ("answered", "fact", None)
    plain = yearly.ask("苏州工业园区 地区生产总值增长")
    assert reply.text == plain.text and reply.facts[0].value == 5.9


def test_a_trend_word_without_a_zone_is_a_plain_question(yearly):
    q = yearly.parser.parse("地区生产总值 历年")
    assert q.intent == "fact" and yearly.parser.parse("苏州工业园区 地区生产总值 历年").intent == "series"
    assert yearly.parser.parse("苏州工业园区 地区生产总值 历年").metric == "地区生产总值"


def test_a_series_keeps_the_latest_years(gazetteer):
    from bot.answer import SERIES_ROWS as KEPT

    rows = [Row("苏州工业园区", "地区生产总值", 1000 + y, "亿元", str(y)) for y in range(2000, 2000 + KEPT + 2)]
    reply = Bot(store_of(rows), gazetteer).ask("苏州工业园区 地区生产总值 历年")
    assert len(reply.table.rows) == KEPT and reply.table.more == 2
    assert reply.table.rows[0].year == 2002 and reply.table.rows[-1].year == 2000 + KEPT + 1
    assert "更早的2个年份未列出" in reply.text


def test_a_series_of_growth_says_so_in_its_title(gazetteer):
    rows = [Row("苏州工业园区", "地区生产总值增长", 5.1, "%", "2023", kind="growth"),
            Row("苏州工业园区", "地区生产总值增长", 5.9, "%", "2024", kind="growth"),
            Row("苏州工业园区", "地区生产总值", 3812.6, "亿元", "2024")]  # fmt: skip
    reply = Bot(store_of(rows), gazetteer).ask("苏州工业园区 地区生产总值增长 历年")
    assert reply.table.measure == "地区生产总值增长" and [r.value for r in reply.table.rows] == [5.1, 5.9]
    assert reply.text.startswith("苏州工业园区“地区生产总值增长”历年")


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,<b>x</b>", "//evil.example"]
)
def test_only_a_web_address_reaches_a_table(gazetteer, url):
    reply = Bot(store_of(ranking_rows(3), url=url), gazetteer).ask("高新技术企业 排名")
    assert [r.url for r in reply.table.rows] == [None] * 3 and reply.table.links() == []


def test_a_tables_links_are_its_sources_once_each(ranked):
    assert ranked.ask("高新技术企业 排名").table.links() == [("数据", URL)]  # ten rows, one article

"""bot/question.py and bot/normalize.py: how a chat question is understood — zone, metric, period, intent.

The parser is the session bot's (it knows the seed store's zones), so these are the parses the bot acts on.
Bad input is tried property-based at the end: parsing never raises, and what it returns keeps its invariants.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.normalize import Normalizer, Vocabulary
from bot.question import MAX_QUESTION_CHARS, Question, QuestionParser

INTENTS = {"fact", "overview", "compare", "help", "empty"}
# The filler words the issue names; config/synonyms.toml has more.
FILLERS = ("多少", "是多少", "有几个", "数量", "情况")
SQL = "'; DROP TABLE facts; --"


@pytest.fixture(scope="module")
def parser(bot) -> QuestionParser:
    return bot.parser


@pytest.fixture(scope="module")
def norm(bot) -> Normalizer:
    return bot.norm


# ── normalisation ──────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("ＧＤＰ１２３", "gdp123"),  # full width → half width (NFKC)
        ("GDP", "gdp"),  # case
        ("Qingdao", "qingdao"),
        ("青岛高新区，权力事项？", "青岛高新区 权力事项"),  # punctuation → single spaces, trimmed
        ("《青岛高新区》：“权力事项”！！", "青岛高新区 权力事项"),
        ("青岛高新区\u3000\u3000权力事项", "青岛高新区 权力事项"),  # ideographic spaces
        ("大連高新區 發明專利擁有量", "大连高新区 发明专利拥有量"),  # traditional → simplified (OpenCC)
        ("青岛\x00高新区\u200b", "青岛高新区"),  # control and zero-width characters out
        ("  ", ""),
    ],
)
def test_fold(norm, raw, folded):
    assert norm.fold(raw) == folded


@pytest.mark.parametrize(
    ("term", "canonical"),
    [
        ("高企", "高新技术企业"),
        ("gdp", "地区生产总值"),
        ("研发强度", "研发投入强度"),
        ("技术合同额", "技术合同成交额"),
        ("权力事项", "行政权力事项"),
    ],
)
def test_synonyms_from_config(norm, term, canonical):
    assert norm.canonical(term) == canonical
    assert Vocabulary.load().synonyms[term] == canonical  # they come from config/synonyms.toml


def test_canonical_term_is_not_expanded_again(norm):
    assert norm.canonical("行政权力事项") == "行政权力事项"
    assert norm.canonical("地区生产总值") == "地区生产总值"


# ── zones ──────────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("question", "zone"),
    [
        ("青岛高新区 权力事项数量", "青岛高新区"),
        ("青岛 权力事项数量", "青岛高新区"),  # alias: the bare city
        ("青到高新区 权力事项数量", "青岛高新区"),  # typo, by sound
        ("大连高心区 发明专利拥有量", "大连高新区"),  # typo, by spelling
        ("西按高新区 国家级双创载体", "西安高新区"),
        ("Qingdao 权力事项", "青岛高新区"),  # pinyin
        ("qingdao gaoxinqu 权力事项", "青岛高新区"),
        ("QINGDAO 权力事项", "青岛高新区"),
        ("Xi'an high-tech zone 研发投入强度", "西安高新区"),
        ("大連高新區 發明專利擁有量", "大连高新区"),  # traditional
        ("ＱＩＮＧＤＡＯ　权力事项！", "青岛高新区"),  # full width
    ],
)
def test_zone_is_found(parser, question, zone):
    q = parser.parse(question)
    assert q.intent == "fact"
    assert q.zones[0] == zone
    assert q.unknown_zone is None


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("青岛 权力事项数量", "行政权力事项"),
        ("Qingdao 权力事项", "行政权力事项"),
        ("qingdao gaoxinqu 权力事项", "行政权力事项"),
        ("Xi'an high-tech zone 研发投入强度", "研发投入强度"),
        ("大連高新區 發明專利擁有量", "发明专利拥有量"),
        ("大连高心区 发明专利拥有量", "发明专利拥有量"),
    ],
)
def test_zone_words_do_not_leak_into_the_metric(parser, question, metric):
    assert parser.parse(question).metric == metric


@pytest.mark.parametrize("question", ["高企 有多少", "技术合同成交额", "GDP"])
def test_no_zone_means_all_zones(parser, question):
    q = parser.parse(question)
    assert q.zones == ()
    assert q.unknown_zone is None
    assert q.metric


@pytest.mark.parametrize(("question", "name"), [("火星高新区 GDP", "火星高新区"), ("月球开发区 人口", "月球开发区")])
def test_a_zone_we_do_not_know_is_named_as_unknown(parser, question, name):
    q = parser.parse(question)
    assert q.zones == ()
    assert q.unknown_zone == name
    assert name not in q.metric


def test_a_known_zone_without_facts_is_still_recognised(parser):
    q = parser.parse("深圳高新区 GDP")
    assert q.zones[0] == "深圳高新区"
    assert q.metric == "地区生产总值"


# ── metric: synonyms and fillers ───────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("西安高新区 高企", "高新技术企业"),
        ("楚雄高新区 GDP", "地区生产总值"),
        ("楚雄高新区 ｇｄｐ", "地区生产总值"),
        ("西安高新区 研发强度", "研发投入强度"),
        ("大连高新区 技术合同额", "技术合同成交额"),
        ("青岛高新区 权力事项", "行政权力事项"),
    ],
)
def test_metric_synonyms(parser, question, metric):
    assert parser.parse(question).metric == metric


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("青岛高新区 权力事项数量", "行政权力事项"),
        ("青岛高新区 权力事项是多少", "行政权力事项"),
        ("青岛高新区 权力事项有多少", "行政权力事项"),
        ("青岛高新区 权力事项情况", "行政权力事项"),
        ("大连高新区 瞪羚企业有几个", "瞪羚企业"),
        ("大连高新区瞪羚企业有多少家?", "瞪羚企业"),
        ("请问大连高新区的瞪羚企业数量是多少?", "瞪羚企业"),
    ],
)
def test_filler_words_are_removed(parser, question, metric):
    assert parser.parse(question).metric == metric


@pytest.mark.parametrize("filler", FILLERS)
def test_each_filler_the_issue_names(parser, filler):
    assert parser.parse(f"青岛高新区 权力事项{filler}").metric == "行政权力事项"
    assert parser.parse(f"青岛高新区 {filler} 权力事项").metric == "行政权力事项"


def test_how_many_hints_at_the_unit(parser):
    assert parser.parse("大连高新区瞪羚企业有多少家?").unit_hint == "家"
    assert parser.parse("大连高新区 瞪羚企业有几个").unit_hint == "个"
    assert parser.parse("大连高新区 瞪羚企业").unit_hint is None


@pytest.mark.parametrize("question", ["多 少", "数,量", "是 多 少", "多多少少", "情，况", "青岛高新区 多 少"])
def test_fillers_split_by_punctuation_are_removed_too(parser, question):
    assert parser.parse(question).metric == ""


# ── period ─────────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("2020年 楚雄高新区 GDP", (2020,)),
        ("楚雄高新区2021年GDP", (2021,)),
        ("２０２１年 楚雄高新区 GDP", (2021,)),  # full-width digits
        ("2021年度 楚雄高新区 GDP", (2021,)),
        ("2019-2021年 楚雄高新区 GDP", (2019, 2020, 2021)),
        ("2019～2021年 楚雄高新区 GDP", (2019, 2020, 2021)),
        ("2019年至2021年 楚雄高新区 GDP", (2019, 2020, 2021)),
        ("2021到2019年 楚雄高新区 GDP", (2019, 2020, 2021)),
        ("楚雄高新区 GDP", ()),
    ],
)
def test_years_and_ranges(parser, question, years):
    q = parser.parse(question)
    assert q.years == years
    assert q.zones[0] == "楚雄高新区"
    assert q.metric == "地区生产总值"  # the year is not part of the metric


@pytest.mark.parametrize(
    ("question", "months", "metric"),
    [
        ("青岛高新区上半年营收多少", "1~6", "营业收入"),
        ("青岛高新区前三季度营业收入", "1~9", "营业收入"),
        ("青岛高新区2024年1—9月营业收入", "1~9", "营业收入"),
        ("青岛高新区一季度技术合同成交额", "1~3", "技术合同成交额"),
        ("青岛高新区营业收入", None, "营业收入"),
    ],
)
def test_the_part_of_a_year_asked_is_read_apart_from_the_metric(parser, question, months, metric):
    q = parser.parse(question)
    assert (q.months, q.metric) == (months, metric)


@pytest.mark.parametrize("word", ["今年", "去年", "前年"])
def test_relative_years_are_kept_for_the_answer(parser, word):
    q = parser.parse(f"{word} 兰州高新区 地区生产总值")
    assert q.relative == word
    assert q.years == ()  # resolved against the facts when answering
    assert q.metric == "地区生产总值"
    assert q.zones[0] == "兰州高新区"


def test_a_number_is_not_a_year(parser):
    assert parser.parse("青岛高新区 394项").years == ()


# ── intents ────────────────────────────────────────────────────────────────────────────────────
def test_overview(parser):
    q = parser.parse("青岛高新区 有哪些数据")
    assert q.intent == "overview"
    assert q.zones[0] == "青岛高新区"
    assert q.metric == ""


@pytest.mark.parametrize(
    ("question", "metric"), [("高新技术企业 排名", "高新技术企业"), ("各高新区 研发投入强度", "研发投入强度")]
)
def test_compare(parser, question, metric):
    q = parser.parse(question)
    assert q.intent == "compare"
    assert q.zones == ()
    assert q.unknown_zone is None
    assert q.metric == metric


def test_rank_of_one_zone_is_a_fact_that_wants_a_rank(parser):
    q = parser.parse("潍坊高新区 综合考核排名")
    assert q.intent == "fact"
    assert q.wants_rank
    assert q.zones[0] == "潍坊高新区"


@pytest.mark.parametrize("question", ["帮助", "help", "HELP", "怎么用?", "你能做什么"])
def test_help(parser, question):
    assert parser.parse(question).intent == "help"


@pytest.mark.parametrize("question", ["", "   ", "\u3000", "?!。，", "\x00\x01"])
def test_empty(parser, question):
    q = parser.parse(question)
    assert q.intent == "empty"
    assert q.metric == ""
    assert q.zones == ()


def test_only_the_first_characters_are_read(parser):
    q = parser.parse("青岛高新区 权力事项" + "啊" * 10_000 + " 2020年")
    assert q.zones[0] == "青岛高新区"
    assert q.years == ()  # beyond MAX_QUESTION_CHARS
    assert len(q.metric) <= MAX_QUESTION_CHARS


# ── bad input, property-based ──────────────────────────────────────────────────────────────────
NASTY = st.sampled_from(
    [
        SQL,
        "\x00",
        "\ud800",  # a lone surrogate: JSON can carry one
        "😀🇨🇳",
        "ＱＩＮＧＤＡＯ",
        "青岛高新区",
        "权力事项",
        "2020年",
        "2019-2021",
        "去年",
        "多 少",
        "数量",
        "\u202e",
        "\t\n\r",
        "1" * 30,
    ]
)
QUESTIONS = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec=None, categories=["Cs", "Cc", "Zs", "So", "Lo"])),
    st.lists(NASTY | st.text(max_size=3), max_size=10).map("".join),
)


def check_invariants(parser: QuestionParser, text: str) -> None:
    q = parser.parse(text)
    assert isinstance(q, Question)
    assert q.intent in INTENTS
    assert all(isinstance(y, int) and 1900 <= y <= 2100 for y in q.years), q.years
    assert not re.search(r"\s", q.metric), q.metric
    fillers = set(parser.norm.vocabulary.fillers)
    tokens = parser._words(q.metric) if q.metric else []
    assert not [t for t in tokens if t in fillers], (q.metric, tokens)
    assert q.relative in (None, "今年", "去年", "前年", "上年", "上一年")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(QUESTIONS)
@example(SQL)
@example("\x00" * 50)
@example("\ud800青岛\udfff高新区")
@example("😀" * 100)
@example("青" * 10_000)
@example("ＱＩＮＧＤＡＯ　ＧＤＰ　２０２１")
@example("9999年 0000年 1899-2101年")
def test_parse_never_raises_and_keeps_its_invariants(parser, text):
    check_invariants(parser, text)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("城都高新区 常住人口", "成都高新区"),  # 都 read dou in 城都: its other reading du matches
        ("合肥高薪区 上市企业", "合肥高新区"),  # 薪 for 新
    ],
)
def test_more_typed_zone_names(parser, text, zone):
    q = parser.parse(text)
    assert q.zones[0] == zone
    assert "高薪" not in q.metric


def test_how_many_people_is_not_how_many_talents(parser):
    q = parser.parse("成都高新区一共聚集了多少人才?")
    assert q.metric == "聚集人才" and q.unit_hint is None
    assert parser.parse("合肥高新区有多少家高企").unit_hint == "家"


def test_how_long_asks_for_a_time(parser):
    q = parser.parse("合肥高新区开办一家企业要多长时间?")
    assert q.metric == "开办企业时间"


def test_a_city_names_its_national_high_tech_zone_alone(bot):
    parser = bot.parser.with_store_zones({"徐州高新区", "徐州经开区", "合肥高新区", "合肥经开区"})
    assert parser.parse("合肥 营业收入").zones == ("合肥高新区",)
    assert parser.parse("徐州高新区 营业收入").zones == ("徐州高新区",)  # not 徐州经开区 as well
    assert parser.parse("徐州经开区 营业收入").zones == ("徐州经开区",)
    assert parser.with_store_zones({"合肥经开区"}).parse("合肥 营业收入").zones[0] == "合肥经开区"


def test_pinyin_says_which_kind_of_zone(bot):
    parser = bot.parser.with_store_zones({"合肥高新区", "合肥经开区", "合肥新站高新区"})
    assert parser.parse("Hefei gaoxinqu 上市企业数量").zones == ("合肥高新区",)
    assert parser.parse("hefei jingkaiqu 上市企业数量").zones == ("合肥经开区",)


@pytest.mark.parametrize(
    ("text", "years", "metric"),
    [
        ("21年大连高新区发明专利拥有量", (2021,), "发明专利拥有量"),
        ("二〇二一年大连高新区发明专利拥有量", (2021,), "发明专利拥有量"),
        ("大连高新区近10年发明专利拥有量", (), "发明专利拥有量"),  # a span of time, not the year 2010
    ],
)
def test_years_written_short_or_in_chinese(parser, text, years, metric):
    q = parser.parse(text)
    assert q.years == years and q.metric.endswith(metric)


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("兰州高新区科技进步贡献率是多少来着？", "科技进步贡献率"),
        ("大连高新区授信额度多少亿？", "授信额度"),
        ("沈阳高新区减征税费多少👀", "减征税费"),
        ("Weifang 瞪羚企业 how many", "瞪羚企业"),
    ],
)
def test_chat_words_are_not_the_metric(parser, text, metric):
    assert parser.parse(text).metric == metric


def test_latin_words_after_the_place_stay_in_the_question(parser):
    q = parser.parse("Chuxiong high-tech zone GDP 2021")
    assert q.zones[0] == "楚雄高新区" and q.metric == "地区生产总值" and q.years == (2021,)


def test_nicknames(parser):
    assert parser.parse("西高新 研发强度").zones[0] == "西安高新区"


@pytest.mark.parametrize(
    ("text", "zone", "metric"),
    [
        (
            "大连高新区的发明专利拥有量是不是已经过8000件了？",
            "大连高新区",
            "发明专利拥有量",
        ),  # the user's guess is no metric
        ("我们在写季度简报，需要核实一下大庆高新区2021年高企总量，麻烦给个数", "大庆高新区", "高新技术企业总量"),
        ("What's the GDP of Chuxiong high-tech zone in 2021?", "楚雄高新区", "地区生产总值"),  # the place need not lead
        ("Lanzhou高新区 GDP growth rate 2021?", "兰州高新区", "地区生产总值增长"),
        ("pls check 沈阳高新区 技术合同成交额 for 2020", "沈阳高新区", "技术合同成交额"),
        ("亦庄这次集中签约了多少个项目", "北京经开区", "集中签约项目"),
    ],
)
def test_the_words_around_a_question(parser, text, zone, metric):
    q = parser.parse(text)
    assert q.zones[0] == zone and q.metric == metric


def test_how_much_money_asks_for_an_amount(parser):
    assert parser.parse("佛山高新区第一批高层次人才团队项目扶持了多少钱").unit_hint == "元"
    assert parser.parse("世界500强企业").metric == "世界500强企业"  # digits of a name stay

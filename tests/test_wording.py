"""bot/wording.py: a question's words read as the catalogue spells them — colloquial verbs, English, toneless
pinyin and typos (issue 14, step 5). The parser is the session bot's, as in tests/test_question.py."""

from __future__ import annotations

import pytest

from annotate.indicators import indicators
from annotate.vocab import vocab
from bot.question import QuestionParser
from bot.wording import Wording


@pytest.fixture(scope="module")
def parser(bot) -> QuestionParser:
    return bot.parser


@pytest.fixture(scope="module")
def wording(parser) -> Wording:
    return parser.wording


# ── colloquial verbs and measure words ([colloquial] of config/vocab.toml) ─────────────────────────
@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("兰州高新区2021年GDP涨了几个点", "地区生产总值增长"),
        ("洛阳高新区固投掉了几个点", "固定资产投资增长"),  # declines are signed growth
        ("长沙经开区税收掉了多少", "税收增长"),
        ("大庆高新区2021年一年营收干了多少", "营业收入"),
        ("保定高新区2021年在科技创新上砸了多少钱", "科技创新上投入"),
        ("楚雄高新区招商签了几个项目", "招商签约项目"),
        ("烟台开发区上半年招了多少人才", "新引进人才"),  # 人才 are counted, not jobs (上半年 is the period asked)
    ],
)
def test_colloquial_verbs_are_the_catalogue_words(parser, question, metric):
    assert parser.parse(question).metric == metric


def test_a_colloquial_rank_is_a_rank_asked(parser):
    q = parser.parse("潍坊高新区在山东全省开发区里排老几")
    assert q.wants_rank and q.zones[0] == "潍坊高新区"


def test_a_guess_in_words_is_no_part_of_the_metric(parser):
    assert parser.parse("洛阳高新区科小入库是不是过千家了").metric == "科技型中小企业入库"
    assert parser.parse("无锡高新区研发强度到没到4%").metric == "研发投入强度"


def test_every_colloquial_phrase_is_rewritten(wording):
    for said, meant in vocab().wording.colloquial.items():
        assert wording.colloquial(said) == meant, said


# ── English words ([english], and each indicator's English name) ───────────────────────────────────
@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("青岛高新区 listed companies 有几家", "上市企业"),  # 上市公司 and 上市企业 are one synonym
        ("Nanning hi-tech zone 这批开工的6个项目 total investment 多少", "这批开工项目总投资"),
        ("Yantai ETDZ actual FDI in H1 2023?", "实际使用外资"),  # H1 is the period asked: months 1~6
        ("Weihai hi-tech zone 上半年 exports", "出口总额"),  # 出口额 is 出口总额 (synonyms)
        ("青岛高新区 retail sales 多少", "社会消费品零售总额"),
    ],
)
def test_english_words_are_the_catalogue_words(parser, question, metric):
    assert parser.parse(question).metric == metric


def test_an_english_part_of_the_year_is_the_period_asked(parser):
    assert parser.parse("Yantai ETDZ actual FDI in H1 2023?").months == "1~6"
    assert parser.parse("青岛高新区 first three quarters revenue").months == "1~9"


def test_an_indicators_english_name_is_its_name(wording):
    overridden = set(vocab().wording.english)
    for i in indicators().indicators:
        folded = wording.norm.fold(i.english)
        if folded and folded not in overridden:
            assert wording.english(folded).strip() == i.name, i.english


# ── toneless pinyin ─────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("question", "zone", "metric", "unit"),
    [
        ("dalian gaoxinqu gaoqi you duoshao jia", "大连高新区", "高新技术企业", "家"),
        ("weifang gaoxinqu dengling qiye duoshao jia", "潍坊高新区", "瞪羚企业", "家"),
        ("dalian gaoxinqu jishu hetong chengjiaoe duoshao", "大连高新区", "技术合同成交额", None),
        ("Zhongguancun 高新技术企业", "中关村", "高新技术企业", None),  # zones.toml's curated pinyin
        ("zhongguancun gaoqi you duoshao jia", "中关村", "高新技术企业", "家"),
    ],
)
def test_a_question_in_pinyin(parser, question, zone, metric, unit):
    q = parser.parse(question)
    assert (q.zones[0], q.metric, q.unit_hint) == (zone, metric, unit)


def test_latin_that_spells_no_word_is_left_alone(wording):
    assert wording.pinyin("研发投入占gdp比重") == "研发投入占gdp比重"  # one synonym, spaces and all
    assert wording.pinyin("how many") == "how many"


def test_a_zone_spelt_out_beats_a_region_named_as_context(parser):
    q = parser.parse("Luoyang hi-tech zone 在全国国家高新区 ranking 第几")
    assert q.zones[0] == "洛阳高新区" and q.wants_rank


# ── typos in the metric word, by sound and by shape ─────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("研发头入", "研发投入"),  # sound
        ("发明专力", "发明专利"),
        ("高心技术企业", "高新技术企业"),
        ("孵化栽体", "孵化载体"),
        ("工业总产至", "工业总产值"),
        ("营业收人", "营业收入"),  # shape
    ],
)
def test_a_typo_is_read_as_the_word(wording, typed, meant):
    assert wording.typos(typed) == meant


@pytest.mark.parametrize("right", ["规模以上工业总产值", "其他县市区", "是否", "新引进人才", "研发投入强度"])
def test_words_are_not_corrected(wording, right):
    assert wording.typos(right) == right


def test_typos_in_traditional_characters(parser):
    q = parser.parse("大連高新區研發頭入是多少")
    assert (q.zones[0], q.metric) == ("大连高新区", "研发投入")


def test_shape_groups_name_each_character_once():
    chars = "".join(vocab().wording.shapes)
    assert len(chars) == len(set(chars))


# ── a zone's clipped name (某某经开, 某某高新) ─────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("question", "zone"),
    [("长沙经开 营收", "长沙经开区"), ("合肥经开 GDP", "合肥经开区"), ("大连高新 GDP", "大连高新区")],
)
def test_a_clipped_zone_name(parser, question, zone):
    assert parser.parse(question).zones[0] == zone


def test_a_clipped_store_zone_name(bot):
    from bot.question import QuestionParser

    q = QuestionParser(bot.parser.gaz, bot.norm, {"烟台开发区"}).parse("烟台开发 GDP")
    assert (q.zones[0], q.metric) == ("烟台开发区", "地区生产总值")


def test_the_wording_is_read_once_for_every_store_revision(parser):
    assert parser.with_store_zones({"烟台开发区"}).wording is parser.wording

"""Fact shapes real pages print (issue "Real pages"): ranks in words, moves, 成, 个亿, lists sharing a unit, tables.

Each sentence is written for its test and names the shape it stands for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotate.numbers import find_quantities
from annotate.tables import read_table

from .test_extract import by_value, facts


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("综合评价排名全省第三。", 3, "位"),
        ("总量居全市第一。", 1, "位"),
        ("位居全国第九名。", 9, "名"),
        ("增速居全市各园区第一。", 1, "位"),
    ],
)
def test_a_bare_ordinal_after_a_rank_verb_is_a_rank(text, value, unit):
    (q,) = find_quantities(text)
    assert (q.value, q.unit, q.rank) == (value, unit, True)


@pytest.mark.parametrize("text", ["第二批专精特新企业", "第三届博览会开幕", "这是第一次", "第一，要稳增长"])
def test_other_ordinals_are_not_ranks(text):
    assert find_quantities(text) == []


def test_a_move_in_the_ranking_is_a_fact_of_its_own_kind(extractor):
    found = by_value(facts(extractor, "高新区综合排名较上年上升12个位次。"))
    assert found["12个位次"].unit == "个位次" and found["12个位次"].kind == "other"


@pytest.mark.parametrize(("text", "value"), [("工业投资占全部投资的七成。", 7), ("订单同比增长近四成。", 4)])
def test_tenths_in_words(text, value):
    (q,) = find_quantities(text)
    assert (q.value, q.unit) == (value, "成")


def test_an_idiom_is_no_tenth():
    assert find_quantities("政策一成不变。") == []


def test_hundreds_of_millions_said_as_ge_yi():
    (q,) = find_quantities("力争规上工业总产值突破600个亿。")
    assert (q.value, q.unit, q.qualifier) == (600, "亿", "more_than")


def test_an_amount_in_words_with_its_scale():
    (q,) = find_quantities("最高补贴三千万元。")
    assert (q.value, q.unit) == (3000, "万元")


def test_the_numbers_of_a_list_share_the_unit_printed_last():
    qs = find_quantities("增速较全国、全省、全市分别高4.1、2.7、1.9个百分点。")
    assert [(q.value, q.unit) for q in qs] == [(4.1, "个百分点"), (2.7, "个百分点"), (1.9, "个百分点")]


def test_a_bare_number_outside_a_list_stays_no_fact():
    assert find_quantities("项目编号2024、文号3号") == [] or all(q.unit for q in find_quantities("项目编号2024"))


def test_a_table_row_is_read_with_its_header_and_the_headings_units():
    heading = "三、主要指标完成情况（单位：亿元、%）"
    rows = [
        "指标名称 | 1—9月 | 同比增长 | 占全年目标",
        "税收收入 | 17.92 | 4.1 | 74.5",
        "实际使用外资（亿美元） | 1.84 | -3.6 | 83.6",
    ]
    lines, off = [], 0
    for row in rows:
        lines.append((off, row))
        off += len(row) + 1
    got = {(v.metric, v.value, v.unit, v.kind, v.period) for v in read_table(lines, heading, "2024")}
    assert got == {
        ("税收收入", 17.92, "亿元", "level", "2024-1~9"),
        ("税收收入同比增长", 4.1, "%", "growth", "2024-1~9"),
        ("税收收入完成全年目标比例", 74.5, "%", "share", "2024-1~9"),
        ("实际使用外资", 1.84, "亿美元", "level", "2024-1~9"),
        ("实际使用外资同比增长", -3.6, "%", "growth", "2024-1~9"),
        ("实际使用外资完成全年目标比例", 83.6, "%", "share", "2024-1~9"),
    }


def test_a_unit_column_gives_each_row_its_unit(extractor):
    page = "| 指标 | 单位 | 2024年 | 比上年增长（%） |\n| 地区生产总值 | 亿元 | 3812.6 | 5.9 |\n| 进出口总额 | 亿美元 | 1089.3 | -2.8 |"
    found = by_value(facts(extractor, page))
    gdp = found["3812.6"]
    assert (gdp.metric, gdp.unit, gdp.period) == ("地区生产总值", "亿元", "2024")
    assert (found["-2.8"].kind, found["-2.8"].unit, found["-2.8"].quote) == (
        "growth",
        "%",
        "| 进出口总额 | 亿美元 | 1089.3 | -2.8 |",
    )


@pytest.mark.parametrize(
    ("text", "value_text"), [("进出口总额264.5亿元，同比下降3.7%。", "3.7%"), ("出口总额下降3.1%。", "3.1%")]
)
def test_a_fall_is_a_growth_with_a_minus_sign(extractor, text, value_text):
    fall = by_value(facts(extractor, text))[value_text]
    assert (fall.value, fall.kind, fall.unit) == (-float(value_text[:-1]), "growth", "%")
    assert fall.metric.endswith("增长") and "下降" not in fall.metric


def test_a_fall_reads_as_a_fall():
    from bot.messages import amount

    class F:
        value, value_text, unit, qualifier = -3.7, "3.7%", "%", "exact"

    assert amount(F()) == "下降3.7%"


def test_one_files_reading_does_not_leak_into_the_next(extractor, gazetteer):
    """The extractor keeps no reading state: a rank subject, a section's period or a list's zones of one file
    never reach another (they used to, through _last_rank_subject on the instance)."""
    from annotate.extract import Extractor

    first = "苏州高新区综合考核结果在江苏省开发区中居第4位。"
    second = "无锡高新区在全国排名第12位。"
    from annotate.text import decode_source

    extractor.extract(decode_source(Path("a.txt"), first.encode()))
    shared = facts(extractor, second)
    fresh = facts(Extractor(gazetteer), second)
    assert [c.metric for c in shared] == [c.metric for c in fresh]


def test_a_citys_several_zones_are_no_zone(gazetteer):
    assert [m.name for m in gazetteer.mentions("在孝感市各开发区中排名第一") if not m.is_region] == []


def test_a_page_without_line_breaks_or_full_stops_still_gives_its_facts(extractor):
    """Read in bounded stretches (no sentence longer than 600 characters is looked back over as one): the same
    facts as the page in paragraphs, whatever its layout."""
    from annotate.text import decode_source

    paragraph = "2023年，苏州高新区实现营业收入1234.5亿元，同比增长8.1%，新增高新技术企业156家。"
    paragraphs = "\n\n".join([paragraph] * 40)
    one_line = "".join([paragraph] * 40).replace("。", "，")
    read = lambda text: {(c.value, c.unit) for c in extractor.extract(decode_source(Path("x.txt"), text.encode()))}  # noqa: E731
    assert read("标题\n\n" + one_line) == read("标题\n\n" + paragraphs) == {(1234.5, "亿元"), (8.1, "%"), (156, "家")}


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("该园区成功跻身全国智能制造园区百强。", 100, "强"),
        ("电子信息产业集群跻身全国先进产业集群前二十名。", 20, "名"),
        ("连续三年进入全市前五。", 5, "位"),
    ],
)
def test_a_list_entered_is_a_rank(text, value, unit):
    (q,) = find_quantities(text)
    assert (q.value, q.unit, q.rank) == (value, unit, True)


@pytest.mark.parametrize("text", ["表彰百强企业名单", "入选中国百强企业榜单", "前3名企业给予奖励", "前三季度,"])
def test_list_names_and_periods_are_no_ranks(text):
    assert find_quantities(text) == []


@pytest.mark.parametrize(
    ("body", "metric"),
    [
        # the ranking the sentence names is the rank's name; the nation is its scope, not its zone
        ("在工信部最新公布的2023年国家级园区考核评价中,苏州高新区排名全国第7位。", "国家级园区考核评价排名"),
        ("在商务部2023年综合发展水平考核中,我区位居全国第十二名。", "综合发展水平考核排名"),
        # the measure ranked and the scope after the verb
        ("全区研发投入强度排名全省第五。", "研发投入强度全省排名"),
        ("专利授权量1200件,位居全省第二。", "专利授权量全省排名"),
        ("规上工业增加值增长7.1%,增速居全市第二。", "规上工业增加值增速全市排名"),
        ("该区跻身全国智能制造园区百强。", "全国智能制造园区排名"),
    ],
)
def test_a_rank_belongs_to_the_zone_and_names_its_scope(extractor, body, metric):
    (rank,) = [c for c in facts(extractor, body) if c.kind == "rank"]
    assert (rank.zone, rank.metric) == ("苏州高新区", metric)


def test_the_nation_ranked_is_the_nation(extractor):
    (rank,) = facts(extractor, "我国高新技术企业数量位居全球第二。")
    assert rank.zone == "全国"


def test_a_top_n_bracket_the_next_clause_places_exactly_is_dropped(extractor):
    found = facts(extractor, "在全国绿色园区评价中,园区进入前三十,位列第21位。")
    assert [c.value_text for c in found] == ["第21位"]


@pytest.mark.parametrize(
    "body",
    [
        "全区实现营业收入2,318亿元（约合2,530亿港元），增长6.1%。",
        "全区实现营业收入2318亿元(折合约2530亿港元),增长6.1%。",
        "全区实现营业收入2318亿元（约2530亿港元），增长6.1%。",
    ],
)
def test_the_same_amount_in_another_unit_is_no_fact(extractor, body):
    found = facts(extractor, body)
    assert [(c.value, c.unit) for c in found] == [(2318, "亿元"), (6.1, "%")]
    assert "2530" in found[0].context.replace(",", "")  # the conversion stays in the sentence the store keeps


def test_a_bracketed_change_is_still_a_fact(extractor):
    found = facts(extractor, "地区生产总值1,108.6亿元（+7.2%）。")
    assert [(c.value, c.kind) for c in found] == [(1108.6, "level"), (7.2, "growth")]


@pytest.mark.parametrize(
    ("body", "value_text"),
    [
        ("全年力争引进亿元以上项目20~25个。", "20~25个"),
        ("预期目标是规上工业增加值增长6%~7%。", "6%~7%"),
    ],
)
def test_a_plans_range_is_one_target_at_least_its_floor(extractor, body, value_text):
    (c,) = facts(extractor, body)
    assert (c.value_text, c.qualifier, c.kind) == (value_text, "at_least", "target")
    assert c.value == float(value_text.split("~")[0].rstrip("%"))


def test_a_price_band_is_a_fact_at_each_end(extractor):
    found = facts(extractor, "工业用地出让价格为每亩15万元至20万元。")
    assert [(c.value, c.unit, c.qualifier) for c in found] == [(15, "万元", "exact"), (20, "万元", "exact")]


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("对新落户项目,设备投资额3亿元~8亿元的,按设备投资额的4%给予奖励", ["4%"]),  # a band that sets who qualifies
        ("设备投资额8亿元以上的,一事一议", []),  # a threshold that does
        ("发布时间:2023/11/20", []),  # a date
        ("2024—2026年", []),
    ],
)
def test_conditions_and_dates_are_no_quantities(text, left):
    assert [text[q.start : q.end] for q in find_quantities(text)] == left


def test_a_shared_unit_after_and_is_the_points_not_a_count():
    (a, b) = find_quantities("分别高于全省平均水平1.6个和4.8个百分点")
    assert (a.value, a.unit, b.value, b.unit) == (1.6, "个百分点", 4.8, "个百分点")
    assert [q.unit for q in find_quantities("新建5个和在建3个项目")] == ["个", "个"]


def test_a_respective_list_without_subjects_compares_the_figures_before_it(extractor):
    found = facts(
        extractor, "全区规上工业增加值同比增长8.2%,高技术制造业增加值增长15.6%,分别高于全省平均水平2.1个和6.3个百分点。"
    )
    points = [(c.metric, c.value, c.unit, c.kind) for c in found if c.unit == "个百分点"]
    assert points == [
        ("规上工业增加值增速高于全省平均水平", 2.1, "个百分点", "other"),
        ("高技术制造业增加值增速高于全省平均水平", 6.3, "个百分点", "other"),
    ]


def test_a_respective_change_of_two_parts_names_each_part(extractor):
    found = by_value(
        facts(extractor, "全区外贸进出口120.5亿元;其中出口80.2亿元、进口40.3亿元,分别增长4.4%和下降7.1%。")
    )
    assert found["80.2亿元"].metric == "出口" and found["40.3亿元"].metric == "进口"
    assert (found["4.4%"].metric, found["7.1%"].metric, found["7.1%"].value) == ("出口增长", "进口增长", -7.1)


_CELL_A_LINE = """【主要经济指标】
指标
单位
2024年
比上年增长（%）
地区生产总值
亿元
1,306.2
5.9
进出口总额
亿元
—
-3.1
规上工业企业
家
412
"""


def test_a_table_printed_a_cell_a_line_is_read_as_a_table(extractor):
    found = facts(extractor, _CELL_A_LINE + "\n\n全区上下齐心协力。")
    got = {(c.metric, c.value, c.unit, c.kind, c.period) for c in found}
    assert got == {
        ("地区生产总值", 1306.2, "亿元", "level", "2024"),
        ("地区生产总值增长", 5.9, "%", "growth", "2024"),
        ("进出口总额增长", -3.1, "%", "growth", "2024"),
    }  # the last row is short of a cell: the grid holds the rows that fill it


def test_short_lines_of_prose_are_no_table(extractor):
    found = facts(extractor, "重点项目\n新开工\n38个\n竣工投产\n26个\n")
    assert all(c.value_text in ("38个", "26个") for c in found)


@pytest.mark.parametrize(
    ("body", "metric"),
    [
        ("对引进的博士给予每月5000元生活补贴,期限3年。", "生活补贴期限"),
        ("入驻孵化器的企业,给予2年租金全免优惠。", "租金全免期限"),
        ("为高层次人才提供最长3年免租人才公寓。", "免租人才公寓最长年限"),
    ],
)
def test_a_policys_term_in_years_is_a_fact(extractor, body, metric):
    (term,) = [c for c in facts(extractor, body) if c.unit == "年"]
    assert (term.metric, term.kind) == (metric, "other")


@pytest.mark.parametrize("text", ["实施3年行动计划", "近5年来", "成立于1992年", "为期两年的试点"])
def test_durations_and_periods_stay_no_facts(text):
    assert find_quantities(text) == []


def test_a_rankings_name_says_a_kind_of_zone_the_short_way(extractor):
    (rank,) = facts(extractor, "在商务部公布的国家级经济技术开发区综合发展水平考核评价中,苏州高新区位列第8位。")
    assert rank.metric == "国家级经开区综合发展水平考核评价排名"

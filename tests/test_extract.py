"""Candidate facts: the hard cases of notes/extraction.md on made-up sentences, and provenance on the seeds."""

from pathlib import Path

import pytest

from annotate.text import decode_source

from .conftest import SEEDS


def facts(extractor, body: str, title: str = "苏州高新区:创新发展谱新篇"):
    page = f"\n\n{title}\n\n▶ 本报记者 王五\n\n{body}\n"
    source = decode_source(Path("page.txt"), page.encode("utf-8"))
    return extractor.extract(source)


def by_value(cands):
    return {c.value_text: c for c in cands}


def test_a_plain_sentence(extractor):
    (c,) = facts(extractor, "截至目前,苏州高新区累计创建各类创新平台181个。")
    assert (c.zone, c.value, c.unit, c.qualifier, c.period, c.kind) == (
        "苏州高新区",
        181,
        "个",
        "exact",
        "截至目前",
        "level",
    )
    assert "创新平台" in c.metric and c.metric.endswith("数量")
    assert c.quote in "截至目前,苏州高新区累计创建各类创新平台181个。" and "181个" in c.quote


def test_qualifiers(extractor):
    got = by_value(facts(extractor, "高新技术企业申报超1700家,经济效益近2.11亿元,入库1500余家企业,专项资金1亿元以上。"))
    assert got["超1700家"].qualifier == "more_than"
    assert got["近2.11亿元"].qualifier == "about"
    assert got["1500余家"].qualifier == "about"
    assert got["1亿元以上"].qualifier == "more_than"


def test_distributive_list_pairs_subjects_with_values(extractor):
    got = facts(extractor, "2021年1-9月,园区三大重点产业、四大创新产业分别实现同比增长25.9%、47.8%。")
    pairs = {c.value: c.metric for c in got}
    assert "三大重点产业" in pairs[25.9] and "同比增长" in pairs[25.9]
    assert "四大创新产业" in pairs[47.8]
    assert {c.period for c in got} == {"2021-1~9"}
    assert {c.kind for c in got} == {"growth"}


def test_share_list_with_predicate_before_the_values(extractor):
    got = facts(extractor, "高技术制造业、战略性新兴产业企业产值占全区工业总产值的比重分别达81.1%、82.2%。")
    pairs = {c.value: c.metric for c in got}
    assert pairs[81.1].startswith("高技术制造业") and "比重" in pairs[81.1]
    assert pairs[82.2].startswith("战略性新兴产业") and "比重" in pairs[82.2]


def test_growth_and_share_refer_back_to_their_subject(extractor):
    got = by_value(facts(extractor, "2021年,入库科技型中小企业185家、同比增长26.7%,占苏州市的83%。"))
    assert got["185家"].metric == "入库科技型中小企业数量"
    assert got["26.7%"].metric == "入库科技型中小企业同比增长" and got["26.7%"].kind == "growth"
    assert got["83%"].metric == "入库科技型中小企业占苏州市比重" and got["83%"].kind == "share"
    assert got["83%"].zone == "苏州高新区"  # a share of the city is still the zone's fact


def test_both_subjects_of_jun(extractor):
    got = facts(extractor, "完成科技型中小企业入库3223家,高新技术企业申报超1600家,增速均超过30%。")
    growth = [c for c in got if c.value == 30]
    assert len(growth) == 2
    assert {c.start for c in growth} == {growth[0].start}  # both point at the one printed figure
    assert any("科技型中小企业" in c.metric for c in growth) and any("高新技术企业" in c.metric for c in growth)


def test_fractions_and_detached_qualifier(extractor):
    got = by_value(
        facts(extractor, "2021年,苏州高新区以不足苏州市1%的土地,贡献了该市1/4的高新技术产值、1/6的进出口总额。")
    )
    assert got["1%"].qualifier == "less_than"
    assert (got["1/4"].value, got["1/4"].unit) == (0.25, "比例")
    assert "高新技术产值" in got["1/4"].metric
    assert got["1/6"].value == pytest.approx(0.1667)


def test_percentage_points_and_multiples(extractor):
    got = by_value(facts(extractor, "人均GDP达2万美元,是苏州市平均水平的2倍以上;研发强度提高4个百分点。"))
    assert got["2万美元"].unit == "万美元" and got["2万美元"].metric == "人均GDP"
    assert got["2倍以上"].unit == "倍" and got["2倍以上"].metric.startswith("人均GDP")
    assert got["4个百分点"].unit == "个百分点"


def test_counted_noun_after_the_number(extractor):
    got = by_value(facts(extractor, "工信部网站发布了名单,涉及673家绿色工厂、125种绿色设计产品。"))
    assert got["673家"].metric == "绿色工厂数量"
    assert got["125种"].metric == "绿色设计产品数量"
    assert got["673家"].zone == "全国"  # a ministry's national list is not the zone's


def test_zone_attribution(extractor):
    got = by_value(
        facts(
            extractor,
            "苏州高新区的综合考核结果在江苏省160个开发区中居第4位。江苏省6家市值过千亿元的企业,苏州高新区占有2家。"
            "无锡高新区新增企业300家。",
        )
    )
    assert got["160个"].zone == "江苏省"
    assert got["第4位"].zone == "苏州高新区" and got["第4位"].kind == "rank"
    assert got["6家"].zone == "江苏省"
    assert got["2家"].zone == "苏州高新区"
    assert got["300家"].zone == "无锡高新区"  # a zone named in the sentence overrides the article's


def test_targets_and_periods(extractor):
    got = by_value(
        facts(
            extractor, "力争全年完成工业总产值90亿元。2020年,园区高企增长超过40家。近5年科技经费投入保持年10%以上增长。"
        )
    )
    assert got["90亿元"].kind == "target"
    assert got["超过40家"].period == "2020" and got["超过40家"].kind == "growth"
    assert got["10%以上"].period == "近5年" and got["10%以上"].kind == "growth"


def test_slogans_codes_and_dates_are_not_facts(extractor):
    got = facts(
        extractor,
        "2021年以来,苏州高新区深化“1+3”服务体系,构建“3+X”产业体系,实施3年行动计划,推进5G建设,"
        "引进K30MW机组和“两个更新”工程,1月16日召开会议,发布20强企业榜单,建设千亿级产业园区。",
    )
    assert got == []


def test_repeated_fact_is_kept_once_at_first_occurrence(extractor):
    body = "2021年,苏州高新区发明专利拥有量超过8000件。\n\n其他内容。\n\n2021年,苏州高新区发明专利拥有量超过8000件。"
    got = facts(extractor, body)
    assert len(got) == 1
    assert got[0].start < 60


def test_same_sentence_same_value_is_not_a_repeat(extractor):
    got = facts(extractor, "其中国家级科技企业孵化器3个、科技部备案众创空间3个。")
    assert len(got) == 2


def test_full_width_text_offsets_point_at_the_original(extractor):
    body = "２０２１年，苏州高新区营业收入突破１７００亿元，同比增长１３．６％。"
    got = facts(extractor, body)
    values = sorted(c.value for c in got)
    assert values == [13.6, 1700]
    page = f"\n\n苏州高新区:创新发展谱新篇\n\n▶ 本报记者 王五\n\n{body}\n"
    for c in got:
        assert page[c.start : c.end] == c.value_text
        assert page[c.quote_start : c.quote_end] == c.quote


def test_astral_characters_before_a_fact_keep_offsets_exact(extractor):
    body = "𠮷祥物😀亮相,苏州高新区新增企业300家。"
    (c,) = facts(extractor, body)
    page = f"\n\n苏州高新区:创新发展谱新篇\n\n▶ 本报记者 王五\n\n{body}\n"
    assert page[c.start : c.end] == "300家"


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_seed_provenance_is_exact(extractor, name):
    source = decode_source(SEEDS / name, (SEEDS / name).read_bytes())
    cands = extractor.extract(source)
    assert cands
    for c in cands:
        assert source.text[c.start : c.end] == c.value_text
        assert source.text[c.quote_start : c.quote_end] == c.quote
        assert c.quote_start <= c.start and c.end <= c.quote_end
        assert c.zone and c.metric
        assert c.qualifier in ("exact", "more_than", "about", "at_least", "less_than")
        assert c.kind in ("level", "growth", "share", "rank", "target", "other")
        assert 0 < c.confidence <= 1


def test_as_json_has_the_evaluation_fields(extractor):
    (c,) = facts(extractor, "苏州高新区新增企业300家。")
    assert set(c.as_json()) == {
        "doc", "article", "zone", "entity", "metric", "value", "unit", "qualifier", "period", "kind",
        "quote", "value_text", "start", "end", "confidence", "extractor_version",
    }  # fmt: skip
    assert c.as_json()["value"] == 300 and isinstance(c.as_json()["value"], int)


def test_a_plain_web_article_without_byline_still_yields_facts(extractor):
    text = "成都高新区经济稳步增长\n\n2021年,成都高新区实现地区生产总值2800亿元,同比增长9.5%。\n"
    got = extractor.extract(decode_source(Path("web.txt"), text.encode("utf-8")))
    assert [(c.zone, c.value, c.unit, c.period) for c in got] == [
        ("成都高新区", 2800, "亿元", "2021"),
        ("成都高新区", 9.5, "%", "2021"),
    ]


def test_a_percentage_after_wancheng_is_the_share_of_the_target(extractor):
    got = by_value(facts(extractor, "全年苏州高新区研发投入12.5亿元、完成108%,新开工项目36个、完成了90%。"))
    assert got["108%"].metric == "研发投入目标完成率" and got["108%"].kind == "share"
    assert got["90%"].metric == "新开工项目目标完成率"
    assert got["12.5亿元"].metric == "研发投入"  # the amount itself keeps its own name


def test_wancheng_touzi_is_its_own_statistic(extractor):
    got = by_value(facts(extractor, "苏州高新区签约项目89个、协议投资570亿元,完成投资98亿元,其中工业投资65亿元。"))
    assert got["98亿元"].metric == "完成投资"  # not the 协议投资 named earlier in the sentence
    assert got["570亿元"].metric == "协议投资" and got["65亿元"].metric == "工业投资"


# ── other sources: statistical communiqués and reports (full-width punctuation, 年末, 其中, 净增) ───────────
COMMUNIQUE = "苏州工业园区2023年国民经济和社会发展统计公报"


def test_year_end_takes_the_headline_year_and_leaves_the_metric(extractor):
    got = by_value(facts(extractor, "年末全区拥有有效高新技术企业2615家，比上年净增312家。", COMMUNIQUE))
    stock, flow = got["2615家"], got["312家"]
    assert stock.metric == "有效高新技术企业数量" and stock.period == "2023年末"
    assert flow.metric == "净增有效高新技术企业数量" and flow.period == "2023年末"


def test_year_end_without_a_year_is_the_phrase(extractor):
    (c,) = facts(extractor, "年末全区拥有有效高新技术企业2615家。")
    assert c.period == "年末" and c.metric == "有效高新技术企业数量"


def test_a_part_inside_the_whole_name_takes_its_tail(extractor):
    got = by_value(facts(extractor, "全年实现进出口总额6326亿元，其中出口3707亿元。", COMMUNIQUE))
    assert got["6326亿元"].metric == "进出口总额"
    assert got["3707亿元"].metric == "出口总额"
    assert got["3707亿元"].period == "2023"  # 全年 in a headline's year


def test_a_ranking_list_name_keeps_its_digits(extractor):
    got = by_value(facts(extractor, "累计有156家世界500强企业在园区投资。"))
    assert got["156家"].metric == "世界500强企业数量"
    assert "500" not in {str(int(c.value)) for c in got.values()}


def test_an_estimate_of_a_result_is_no_target(extractor):
    got = by_value(facts(extractor, "2020年,园区预计实现工业总产值4191.83亿元。预计到2025年工业总产值达到6000亿元。"))
    assert got["4191.83亿元"].kind == "level"
    assert got["6000亿元"].kind == "target"


def test_the_share_of_a_plan_done_is_a_share(extractor):
    got = by_value(facts(extractor, "其中省外资金到位50.53亿元,完成年度计划的101%。"))
    assert got["101%"].kind == "share"


def test_a_year_naming_a_reference_is_not_the_period(extractor):
    got = by_value(facts(extractor, "2022年,苏州高新区将衔接“十四五”规划和2021年发展情况,预期地区生产总值增长13%。"))
    assert got["13%"].period == "2022" and got["13%"].kind == "target"


def test_a_named_list_gives_its_year(extractor):
    got = by_value(facts(extractor, "工信部网站发布了《2021年度绿色制造名单公示》,涉及673家绿色工厂。"))
    assert got["673家"].period == "2021"


def test_sessions_are_a_unit(extractor):
    got = by_value(facts(extractor, "园区每月举办对接活动4场次以上。"))
    assert got["4场次以上"].qualifier == "more_than" and got["4场次以上"].unit == "场次"


def test_a_table_of_labelled_lines(extractor):
    body = "地区生产总值：412.6亿元，增长6.8%\n固定资产投资：增长12.4%\n高新技术企业：1352家（累计）\n"
    got = by_value(facts(extractor, body, "宁波高新区主要经济指标完成情况"))
    assert got["412.6亿元"].metric == "地区生产总值"
    assert got["6.8%"].metric == "地区生产总值增长" and got["6.8%"].kind == "growth"
    assert got["12.4%"].metric == "固定资产投资增长"
    assert got["1352家"].metric == "高新技术企业数量"


def test_a_headline_period_holds_for_the_body(extractor):
    got = by_value(facts(extractor, "营业收入：2864.7亿元。", "宁波高新区2023年1—11月主要经济指标完成情况"))
    assert got["2864.7亿元"].period == "2023-1~11"
    got = by_value(facts(extractor, "高新技术企业总数达 2,615 家。", "长沙高新区2023年“成绩单”出炉"))
    assert got["2,615 家"].period == "2023"
    got = by_value(facts(extractor, "全年营业收入增长8%。", "苏州高新区2024年政府工作报告"))
    assert got["8%"].period == "全年"  # a work report looks back on the year before its own


def test_a_baseline_time_leaves_the_metric_alone(extractor):
    got = by_value(facts(extractor, "年末规模以上工业企业1086家，比上年末增加37家。", COMMUNIQUE))
    assert got["37家"].metric == "规模以上工业企业增加数量"
    assert got["37家"].period == "2023年末"


def test_a_running_total_after_newcomers_is_the_total(extractor):
    got = by_value(facts(extractor, "全年新增上市企业5家，累计达到47家。"))
    assert got["5家"].metric == "新增上市企业数量"
    assert got["47家"].metric == "上市企业总数"


def test_a_range_bound_measures_what_the_other_does(extractor):
    # a band of a level is a fact at each end (a plan's range is one target: tests/test_shapes.py)
    got = by_value(facts(extractor, "工业用地出让价格为每亩20万元至26万元。"))
    assert got["20万元"].metric == got["26万元"].metric
    assert "出让价格" in got["26万元"].metric


def test_the_entity_is_not_repeated_in_the_metric(extractor):
    got = by_value(facts(extractor, "天印健康创新园项目总建筑面积约57万平方米。"))
    c = got["约57万平方米"]
    assert c.entity and "天印健康创新园" in c.entity
    assert c.metric == "总建筑面积"


def test_a_table_with_pipes(extractor):
    got = by_value(facts(extractor, "研发投入强度 | 3.6%\n一般公共预算收入 | 86.37亿元\n", "郑州经开区数说"))
    assert got["3.6%"].metric == "研发投入强度"
    assert got["86.37亿元"].metric == "一般公共预算收入"


def test_an_amount_describing_a_class_of_projects_is_no_fact(extractor):
    got = by_value(facts(extractor, "全年实施重点项目211个，其中投资10亿元以上项目18个。"))
    assert set(got) == {"211个", "18个"}


def test_signed_changes_after_a_value_are_its_growth(extractor):
    body = "【经济运行】\n▪ 地区生产总值 1,108.6亿元（+7.2%）\n▪ 固定资产投资 503.2亿元（-1.8%）\n"
    got = by_value(facts(extractor, body, "数说2023｜郑州经开区这一年，数据亮眼！"))
    assert got["1,108.6亿元"].metric == "地区生产总值"
    assert (got["+7.2%"].metric, got["+7.2%"].value, got["+7.2%"].kind) == ("地区生产总值增长", 7.2, "growth")
    assert (got["-1.8%"].metric, got["-1.8%"].value) == ("固定资产投资增长", -1.8)


def test_an_area_is_named_an_area(extractor):
    got = by_value(facts(extractor, "已建成标准化厂房超过180万平方米，另有在建厂房40万平方米。"))
    assert got["40万平方米"].metric == "在建厂房面积"
    assert got["超过180万平方米"].metric.endswith("面积")


def test_a_bare_measure_after_a_figure_takes_its_subject(extractor):
    got = by_value(facts(extractor, "2021年,园区生物医药产业实现产值105亿元,增加值达24.8亿元。"))
    assert got["24.8亿元"].metric == "生物医药产业增加值"
    got = by_value(facts(extractor, "全年计划实施重大产业项目32个,总投资388.6亿元。"))
    assert got["388.6亿元"].metric == "重大产业项目总投资"
    got = by_value(facts(extractor, "一般公共预算收入40亿元,增长5%,税收占比近78%。"))
    assert "增长" not in got["近78%"].metric


def test_a_score_before_its_name_is_a_fact(extractor):
    got = by_value(facts(extractor, "杭州高新区以92.6分的综合得分位列第1位。"))
    assert "92.6分" in got


def test_rising_to_a_level_is_a_level(extractor):
    got = by_value(facts(extractor, "园区营业收入由1800亿元提升至2500亿元。"))
    assert got["2500亿元"].kind != "growth"


def test_a_list_of_zones_gives_each_value_its_zone(extractor):
    got = by_value(facts(extractor, "嘉兴经开区、绍兴高新区、温州经开区分别位列第4位、第7位和第9位。"))
    assert [got[v].zone for v in ("第4位", "第7位", "第9位")] == ["嘉兴经开区", "绍兴高新区", "温州经开区"]
    assert all(got[v].metric.endswith("排名") for v in got)


def test_a_province_as_the_subject(extractor):
    got = by_value(facts(extractor, "浙江共有省级以上开发区117个。", "杭州高新区再夺榜首"))
    assert got["117个"].zone == "浙江省"
    got = by_value(
        facts(extractor, "杭州高新区营收增长9%，全省开发区以约占全省6%的土地贡献了三成税收。", "杭州高新区再夺榜首")
    )
    assert got["9%"].zone == "杭州高新区" and got["6%"].zone == "浙江省"
    got = by_value(facts(extractor, "浙江大学在园区建有研究院3个。", "杭州高新区再夺榜首"))
    assert got["3个"].zone == "杭州高新区"  # 浙江大学 is no province


def test_quarters_and_signs_after_a_year_on_year(extractor):
    got = by_value(
        facts(extractor, "2024年一季度，全区规上工业增加值同比+5.9%，固定资产投资同比-3.2%，服务企业560家次。")
    )
    assert got["+5.9%"].period == "2024-1~3" and got["+5.9%"].kind == "growth"
    assert got["-3.2%"].value == -3.2
    assert got["560家次"].unit == "家次"
    got = by_value(facts(extractor, "工业增加值增长5.9%。", "常州高新区2024年一季度经济运行简况"))
    assert got["5.9%"].period == "2024-1~3"


def test_a_verb_between_subject_and_measure_leaves_the_name(extractor):
    got = by_value(facts(extractor, "2023年，生物医药产业实现营业收入786亿元。"))
    assert got["786亿元"].metric == "生物医药产业营业收入"


def test_a_month_range_takes_the_year_stated_before_it(extractor):
    got = by_value(facts(extractor, "2023年，园区经济稳中有进。1—9月，园区营业总收入超2600亿元。"))
    assert got["超2600亿元"].period == "2023-1~9"
    (c,) = facts(extractor, "1—9月，园区营业总收入超2600亿元。")
    assert c.period == "1—9月"  # no year anywhere: as printed


def test_a_headline_year_without_nian(extractor):
    got = by_value(facts(extractor, "高新技术企业 1,248家。", "数说2023｜郑州经开区这一年，数据亮眼！"))
    assert got["1,248家"].period == "2023"
    got = by_value(facts(extractor, "园区现有规模以上工业企业412家。", "宜昌高新区投资指南（2024版）"))
    assert got["412家"].period is None  # an edition, not the figures' year


def test_a_section_heading_gives_its_year(extractor):
    body = (
        "附件\n\n2023年主要经济指标\n\n全区实现地区生产总值1108.6亿元。\n\n二、工作安排\n\n新建标准厂房20万平方米。\n"
    )
    got = by_value(facts(extractor, body, "关于印发贵阳高新区工作要点的通知"))
    assert got["1108.6亿元"].period == "2023"
    assert got["20万平方米"].period is None  # the next heading ends the section


def test_companies_counted_by_what_they_won(extractor):
    got = by_value(facts(extractor, "2020年,九州光电子、安和精密等6家企业成功入围第三批专精特新“小巨人”企业。"))
    assert got["6家"].metric == "入围第三批专精特新小巨人企业数量"


def test_a_paragraph_is_scanned_for_its_years_once_not_once_per_sentence(extractor, monkeypatch, tmp_path):
    """Issue 15 item 9: the year a sentence carries was found by rescanning the paragraph up to it (quadratic)."""
    import annotate.extract as extract_module
    from annotate.text import read_source

    rescans = []
    real = extract_module._year_in
    monkeypatch.setattr(extract_module, "_year_in", lambda text: rescans.append(len(text)) or real(text))
    sentence = "2023年,青岛高新区实现营业收入1200亿元,同比增长8.5%。"
    text = "青岛高新区经济运行情况\n" + sentence * 50 + "\n"
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    facts = extractor.extract(read_source(path))
    assert facts  # (the same fact 50 times is one candidate)
    assert rescans == []

"""Number parsing and the hard cases of notes/extraction.md: what is a quantity, and what is not."""

import pytest

from annotate.numbers import bare_scale_unit, find_quantities, parse_chinese_number


def read(text: str) -> list[tuple[str, float, str, str]]:
    return [(text[q.start : q.end], q.value, q.unit, q.qualifier) for q in find_quantities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("百", 100), ("十", 10), ("十五", 15), ("三千四百", 3400), ("两", 2), ("一万二千", 12000),
        ("二〇二一", 2021), ("三亿五千万", 350_000_000),
    ],
)  # fmt: skip
def test_chinese_numerals(text, expected):
    assert parse_chinese_number(text) == expected


def test_not_a_chinese_numeral():
    assert parse_chinese_number("高新") is None
    assert parse_chinese_number("") is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("高新技术企业申报超1700家", ("超1700家", 1700, "家", "more_than")),
        ("超过30%", ("超过30%", 30, "%", "more_than")),
        ("营业总收入突破1700亿元", ("突破1700亿元", 1700, "亿元", "more_than")),
        ("专项资金1亿元以上", ("1亿元以上", 1, "亿元", "more_than")),
        ("700多户优质企业", ("700多户", 700, "户", "more_than")),
        ("逾百家", None),  # a bare Chinese magnitude with a qualifier still needs a measure word: 百家 has one
        ("经济效益近2.11亿元", ("近2.11亿元", 2.11, "亿元", "about")),
        ("走访挖掘近百项科技成果", ("近百项", 100, "项", "about")),
        ("推进1500余家企业入库", ("1500余家", 1500, "家", "about")),
        ("引进十余家企业", ("十余家", 10, "家", "about")),
        ("融资成本降至2%左右", ("2%左右", 2, "%", "about")),
        ("高于全省平均水平8.73个百分点", ("8.73个百分点", 8.73, "个百分点", "exact")),
        ("发明专利拥有量超过8,000件", ("超过8,000件", 8000, "件", "more_than")),
        ("共３５家", ("３５家", 35, "家", "exact")),
    ],
)
def test_quantities_with_qualifiers(text, found):
    got = read(text)
    if found is None:
        assert all(q[3] for q in got)  # whatever it finds carries a qualifier
        return
    value_text, value, unit, qualifier = found
    assert got[0] == (value_text, value, unit, qualifier)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("贡献了该市1/4的高新技术产值", 0.25, "比例"),
        ("1/6的进出口总额", 0.1667, "比例"),
        ("占全省五分之二", 0.4, "比例"),
        ("占比近6成", 6, "成"),
        ("百分之九点二", 9.2, "%"),
        ("年产6GWH电池", 6, "GWH"),
        ("装机40GW", 40, "GW"),
        ("建筑面积26万平方米", 26, "万平方米"),
        ("发展70余万亩", 70, "万亩"),
        ("缩减至一个工作日", 1, "个工作日"),
        ("居第4位", 4, "位"),
        ("争取进入前30强", 30, "强"),
        ("以165.6的得分", 165.6, "分"),
        ("固定资产投资108.8亿", 108.8, "亿"),
    ],
)
def test_values_and_units(text, value, unit):
    (q,) = find_quantities(text)
    assert (q.value, q.unit) == (value, unit)


@pytest.mark.parametrize(
    "text",
    [
        "2021年以来",  # a year is a period
        "1月16日上午",  # a date
        "2021年1-9月",  # a month range is a period
        "深化“1+3”特色服务体系",  # formula slogans
        "“3+X”产业体系",
        "“2主3辅”产业体系",
        "聚焦“3060”",  # a code without a unit
        "5G、大数据",  # 5G is a technology
        "工业4.0",
        "K30MW机组",  # a model name: a letter before the digits
        "股票代码603999",
        "实施电谷产业更新3年行动计划",  # a plan's name
        "近5年科技经费投入",  # a period
        "“两个更新”和“三个再造”",  # quoted slogans
        "三大主导产业",
        "打造百亿级产业集群",  # a size class
        "市值过千亿元的企业",  # a class of company
        "20强企业榜单",  # a list's name
        "第二批雏鹰企业",  # an ordinal
        "建成24小时无人值守审批服务",
        "两辆集装箱卡车",  # a one-digit Chinese numeral is narration, not a statistic
        "短短一个月",
        "出台产业促进政策20条",  # a policy document's name
        "降低实体经济成本22条措施",
    ],
)
def test_not_facts(text):
    assert read(text) == []


def test_spaces_inside_a_printed_number():
    assert read("高新技术企业总数达 2,615 家") == [("2,615 家", 2615, "家", "exact")]
    assert read("技工贸总收入 4,128.6 亿元") == [("4,128.6 亿元", 4128.6, "亿元", "exact")]
    assert read("创新平台超 500 个") == [("超 500 个", 500, "个", "more_than")]
    assert read("增长15% 左右") == [("15% 左右", 15, "%", "about")]
    assert read("2023 年") == []  # still a year


def test_signed_changes_in_brackets():
    got = find_quantities("1,108.6亿元(+7.2%) 503.2亿元(-1.8%)")
    assert [(q.value, q.unit, q.signed) for q in got] == [(1108.6, "亿元", False), (7.2, "%", True),
                                                         (503.2, "亿元", False), (-1.8, "%", True)]  # fmt: skip
    assert read("型号(+12件)") == []  # a signed count is no change


def test_counted_lines_are_still_facts():
    assert read("针对33条重点产业链") == [("33条", 33, "条", "exact")]


def test_several_in_a_row():
    text = "技术创新指标37分,成长经营指标42分,总得分116分"
    assert [v for _, v, _, _ in read(text)] == [37, 42, 116]


def test_bare_scale_becomes_money_only_for_money_metrics():
    assert bare_scale_unit("亿", "规模以上固定资产投资") == "亿元"
    assert bare_scale_unit("万", "常住人口") == "万"
    assert bare_scale_unit("亿元", "投资") == "亿元"

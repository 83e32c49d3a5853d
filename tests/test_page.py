"""Real pages: the zone named only by context, the page's metadata, and the furniture that holds no fact.

The sentences here are written for these tests (not taken from any set); each names the pattern it stands for.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from annotate.errors import InputError
from annotate.meta import PageMeta, front_matter, parse_date
from annotate.page import article_zone, is_furniture, page_date, short_form
from annotate.segment import segment
from annotate.text import to_simplified


def zone_of(gazetteer, page: str, meta_zone: str | None = None):
    (article,) = segment(page, gazetteer, meta_zone)
    return article.zone, article.zone_signal.source


# ── where the zone is named ────────────────────────────────────────────────────────────────────
def test_dateline_place_and_the_pages_word_name_a_listed_zone(gazetteer):
    page = "高新区上半年成绩单出炉\n\n新华社柳州7月3日电 今年上半年，高新区实现营业收入512.3亿元，同比增长8.1%。\n"
    assert zone_of(gazetteer, page) == ("柳州高新区", "dateline place")


def test_a_zone_the_gazetteer_does_not_list_is_kept_from_the_dateline(gazetteer):
    page = "园区产值再创新高\n\n本报浏阳讯（记者 李明）今年1—10月，高新区完成规模工业总产值512.6亿元，增长9.1%。\n"
    assert zone_of(gazetteer, page) == ("浏阳高新区", "dateline place")


def test_the_source_line_names_the_zone_in_its_full_official_form(gazetteer):
    page = (
        "我区前三季度主要经济指标稳中有进\n\n发布时间：2024-10-22　来源：沭阳经济开发区管委会\n\n"
        "前三季度，全区实现规上工业总产值301.5亿元，同比增长7.2%。\n"
    )
    assert zone_of(gazetteer, page) == ("沭阳经开区", "source line")


def test_an_unlisted_zone_in_the_source_line_is_kept_in_short_form(gazetteer):
    page = "全区经济稳中向好\n\n来源：桃源高新技术产业开发区管委会　2024-03-01\n\n1—2月，全区完成工业总产值41.2亿元。\n"
    assert zone_of(gazetteer, page) == ("桃源高新区", "source line")


def test_the_last_step_of_the_menu_gives_the_place(gazetteer):
    page = "新闻网 > 县市区 > 醴陵\n\n开发区一季度签约项目12个\n\n一季度，开发区新签约项目12个，总投资86.5亿元。\n"
    assert zone_of(gazetteer, page) == ("醴陵经开区", "menu place")


def test_an_english_name_is_read_through_the_curated_pinyin(gazetteer):
    page = (
        "Xiangtan National Hi-tech Industrial Development Zone posts strong first half\n\n"
        "The zone's industrial output reached 68.2 billion yuan, up 9.4 percent year-on-year.\n"
    )
    assert zone_of(gazetteer, page)[0] == "湘潭高新区"


def test_a_traditional_page_names_its_zone_in_simplified_form(gazetteer):
    page = "南沙新區去年經濟穩步增長\n\n南沙新區去年實現地區生產總值2,168億元，增長4.1%。\n"
    assert zone_of(gazetteer, page) == ("南沙新区", "headline")


def test_an_unlisted_zone_named_officially_in_the_headline_and_body_is_kept(gazetteer):
    page = (
        "赣榆经济开发区出台人才新政\n\n发布时间：2024-06-03\n\n"
        "赣榆经济开发区是经省政府批准设立的省级经济开发区。今年以来，开发区新引进博士12名。\n"
    )
    assert zone_of(gazetteer, page) == ("赣榆经开区", "headline")


def test_an_unlisted_zone_named_officially_only_in_the_body_is_kept(gazetteer):
    page = "前三季度经济数据出炉\n\n记者从滨江粤港深度合作区统计局获悉，前三季度合作区营业收入增长9.6%。\n"
    assert zone_of(gazetteer, page) == ("滨江粤港深度合作区", "body")


@pytest.mark.parametrize(
    "page",
    [
        "一季度高新区营收增长12%\n\n一季度，高新区营业收入增长12%。\n",  # no place before the word
        "全省经济开发区工作会议召开\n\n全省经济开发区营业收入增长8%。\n",  # the province's zones, no one zone
        "省级经济开发区扩区方案获批\n\n与会企业投资额增长8%。\n",
    ],
)
def test_a_zone_word_without_a_place_names_no_zone(gazetteer, page):
    assert zone_of(gazetteer, page) == (None, None)


def test_a_source_line_closing_the_article_names_the_zone_the_body_never_names(gazetteer):
    page = (
        "上半年成绩单来了\n\n上半年，全区实现地区生产总值256.8亿元，同比增长4.1%。\n\n"
        "来源 | 滨海区发展和改革局（沭阳经济开发区发展和改革局）\n编辑 | 小王\n"
    )
    assert zone_of(gazetteer, page) == ("沭阳经开区", "source line")


def test_metadata_wins_over_everything_the_text_suggests(gazetteer):
    page = "宜昌高新区一季度开门红\n\n一季度，高新区实现营业收入300亿元。\n"
    assert zone_of(gazetteer, page, meta_zone="汨罗高新技术产业开发区") == ("汨罗高新区", "metadata")


def test_with_no_signal_the_zone_stays_empty_and_the_nation_is_never_an_articles_zone(gazetteer):
    page = "经济运行稳中向好\n\n一季度全区实现营业收入300亿元，增速较全国高2.1个百分点。\n"
    assert zone_of(gazetteer, page) == (None, None)


def test_the_signal_carries_a_confidence(gazetteer):
    signal = article_zone(gazetteer, title="", head=["来源：沭阳经济开发区管委会"], body="全区营收12亿元。")
    assert signal.zone == "沭阳经开区" and 0 < signal.confidence < 1


@pytest.mark.parametrize(
    ("full", "short"),
    [("汨罗高新技术产业开发区", "汨罗高新区"), ("汉川经济开发区", "汉川经开区"), ("某某综合保税区", "某某综保区")],
)
def test_official_names_become_short_forms(full, short):
    assert short_form(full) == short


# ── furniture: never an article's text ─────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "line",
    [
        "首页 > 新闻中心 > 园区动态",
        "您当前的位置：首页 > 政务公开 > 统计数据",
        "https://www.example.gov.cn/art/2024/3/12/art_1.html",
        "分享到：微信 微博 QQ空间",
        "版权所有 © 2024　京ICP备12345678号-1　　举报电话：010-12345678",
        "地址：某某市某某路88号　邮编：414000　联系电话：0730-1234567",
        "【字号 大 中 小】　打印本页",
        "阅读 10万+　　在看 386",
        "网站标识码：3202140001",
        "—— END ——",
    ],
)
def test_page_furniture_is_recognised(line):
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "光谷2023年经济运行情况新闻发布会答记者问",  # 行情 inside 运行情况
        "全区实现地区生产总值412.6亿元，联系电话等服务热线接通率100%。",  # a sentence
        "高新区一季度“开门红”：规上工业产值增长11.2%",
    ],
)
def test_article_text_is_not_furniture(line):
    assert not is_furniture(line)


def test_no_fact_from_furniture_related_lists_or_captions(gazetteer, extractor, write):
    page = (
        "首页 > 园区动态\n\n桃源高新区前三季度营收增长\n\n发布时间：2024-10-09　浏览次数：1863\n\n"
        "前三季度，桃源高新区实现营业收入128.6亿元，同比增长9.2%。\n\n"
        "IMG_20241009.jpg\n▲园区一角（资料图）\n\n"
        "相关阅读：\n· 桃源高新区上半年营收86.2亿元\n· 园区举办招商会签约项目总投资12\n\n"
        "地址：桃源县某某路1号　邮编：415700　电话：0736-6621234\n湘ICP备12345678号\n"
    )
    from annotate.text import read_source

    values = {c.value for c in extractor.extract(read_source(write("p.txt", page)))}
    assert values == {128.6, 9.2}


@pytest.mark.parametrize("header", ["往期推荐", "相關新聞", "■相關閱讀"])
def test_a_related_list_is_no_article_however_it_is_headed(extractor, write, header):
    page = (
        "桃源高新区前三季度营收增长\n\n发布时间：2024-10-09\n\n前三季度，桃源高新区实现营业收入128.6亿元。\n\n"
        f"{header}\n．桃源高新区上半年营收86.2亿元\n．园区单日客流突破5万人次\n"
    )
    from annotate.text import read_source

    assert {c.value for c in extractor.extract(read_source(write("r.txt", page)))} == {128.6}


# ── the page's date and its metadata ─────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("lines", "date"),
    [
        (["发布时间：2024-12-05 08:30:12　作者：易湘平"], "2024-12-05"),
        (["2024-04-15 16:32:08　来源：新华网"], "2024-04-15"),
        (["来源：某某日报　日期：2024年3月9日"], "2024-03-09"),
        (["首页 > 新闻"], None),
        (["宜兴高新发布  2024年7月18日 18:05  江苏"], "2024-07-18"),  # a WeChat post's byline
        (["来源：某某日报    作者：李明    2024年1月30日 08:20"], "2024-01-30"),
        (["2023年，全区实现营业收入128亿元，2024年1月起执行新政。"], None),  # a sentence, not a byline
    ],
)
def test_the_pages_date_from_its_header_lines(lines, date):
    assert page_date(lines) == date


def test_front_matter_is_read_and_masked_keeping_every_offset():
    text = "---\nurl: https://example.cn/a.html\nsource: 某某日报\npublished: 2024/12/5\nzone: 汨罗高新区\n---\n标题\n"
    meta, masked = front_matter(text)
    assert meta == PageMeta("https://example.cn/a.html", "某某日报", "2024-12-05", "汨罗高新区")
    assert len(masked) == len(text) and masked.endswith("\n标题\n") and "url" not in masked
    assert masked.index("标题") == text.index("标题")


@pytest.mark.parametrize("bad", ["---\ncolour: red\n---\n正文\n", "---\npublished: 昨天\n---\n正文\n"])
def test_a_broken_front_matter_is_a_clear_error(bad):
    with pytest.raises(InputError, match="front matter line 2"):
        front_matter(bad, "x.txt: ")


def test_dates_are_read_in_the_usual_spellings():
    assert parse_date("2024年12月5日 08:30") == "2024-12-05"
    with pytest.raises(InputError, match="2024-12-05"):
        parse_date("2024-13-01")


def test_to_simplified_keeps_the_length():
    text = "南沙新區實現地區生產總值1,512億元"
    assert len(to_simplified(text)) == len(text) and to_simplified(text).startswith("南沙新区实现地区生产总值")


# ── through `gaoxin ingest`, with metadata ───────────────────────────────────────────────────
def test_ingest_keeps_the_metadata_and_facts_inherit_the_pages_zone(tmp_path, write):
    from bot.cli import main

    page = write(
        "p1.txt",
        "---\nurl: https://example.cn/p1.html\nsource: 某某日报\npublished: 2024-12-05\n---\n"
        "园区产值再创新高\n\n本报浏阳讯 今年1—11月，高新区完成规模工业总产值912.7亿元，同比增长9.4%。\n",
    )
    plain = write("p2.txt", "全区经济稳中向好\n\n1—2月，全区完成工业总产值41.2亿元。\n")
    db = tmp_path / "m.db"
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(page), "--db", str(db)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        main, ["ingest", str(plain), "--zone", "桃源高新区", "--published", "2024-03-01", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(db)
    docs = {r[0]: r[1:] for r in con.execute("SELECT name, url, publisher, published, meta_zone FROM documents")}
    assert docs == {
        "p1.txt": ("https://example.cn/p1.html", "某某日报", "2024-12-05", None),
        "p2.txt": (None, None, "2024-03-01", "桃源高新区"),
    }
    articles = dict(con.execute("SELECT zone, zone_source FROM articles"))
    assert articles == {"浏阳高新区": "dateline place", "桃源高新区": "metadata"}
    zones = {r[0] for r in con.execute("SELECT DISTINCT zone FROM facts")}
    assert zones == {"浏阳高新区", "桃源高新区"}
    again = runner.invoke(
        main, ["ingest", str(plain), "--zone", "桃源高新区", "--published", "2024-03-01", "--db", str(db)]
    )
    assert "unchanged" in again.output
    changed = runner.invoke(main, ["ingest", str(plain), "--zone", "汨罗高新区", "--db", str(db)])
    assert "updated" in changed.output  # new metadata is a new reading of the page
    bad = runner.invoke(main, ["ingest", str(plain), "--published", "yesterday", "--db", str(db)])
    assert bad.exit_code == 1 and bad.output.startswith("Error: ") and "Traceback" not in bad.output
    con.close()
    json.dumps(docs)  # plain values, as people query them


def test_a_traditional_page_is_read_in_simplified_and_quoted_as_printed(extractor, write):
    from annotate.text import read_source

    page = "南沙新區經濟穩步增長\n\n去年南沙新區實現地區生產總值2536.8億元，增長4.1%。\n"
    (gdp,) = [c for c in extractor.extract(read_source(write("t.txt", page))) if c.value == 2536.8]
    assert gdp.unit == "亿元" and gdp.zone == "南沙新区" and "地区生产总值" in gdp.metric
    assert gdp.value_text == "2536.8億元" and "億元" in gdp.quote


@pytest.mark.parametrize(
    ("sentence", "period"),
    [
        ("今年上半年，高新区实现营业收入512.3亿元。", "2024-1~6"),
        ("前三季度，高新区完成固定资产投资176.5亿元。", "2024-1~9"),
        ("去年，高新区实现地区生产总值1156.8亿元。", "2023"),
        ("今年以来，高新区新签约项目47个。", "2024"),
        ("1—11月，高新区完成规模工业总产值912.7亿元。", "2024-1~11"),
        ("去年新签约项目47个，全年地区生产总值增长5.8%。", "2023"),  # 全年 after 去年: last year's
        ("首季，高新区實現營業收入512.3億元。", "2024-1~3"),  # 首季: Hong Kong papers' 一季度
    ],
)
def test_the_pages_date_anchors_relative_periods(extractor, write, sentence, period):
    from annotate.text import read_source

    dated = f"高新区经济运行稳中向好\n\n发布时间：2024-12-05 08:30　来源：某某日报\n\n本报宜昌讯 {sentence}\n"
    (fact,) = [c for c in extractor.extract(read_source(write("d.txt", dated))) if c.unit.endswith(("元", "个"))]
    assert fact.period == period
    undated = f"高新区经济运行稳中向好\n\n{sentence}\n"
    (plain,) = [c for c in extractor.extract(read_source(write("u.txt", undated))) if c.unit.endswith(("元", "个"))]
    assert plain.period != period or period == "2024-1~11" and plain.period is None  # no date: as printed


def test_metadata_dates_the_page_too(extractor, write):
    from annotate.text import read_source

    page = "---\npublished: 2023-07-21\n---\n园区上半年成绩单\n\n上半年，全区实现地区生产总值681.3亿元。\n"
    (gdp,) = extractor.extract(read_source(write("m.txt", page)))
    assert gdp.period == "2023-1~6"


def test_periods_written_two_ways_agree():
    from annotate.evaluate import same_period

    assert same_period("2024H1", "2024-1~6") and same_period("目前", "截至目前") and not same_period("2024", "2023")


def test_an_english_page_gives_its_figures_in_chinese_units(extractor, write):
    from annotate.text import read_source

    page = (
        "Xiangtan National Hi-tech Industrial Development Zone posts strong first half\n\n"
        "The zone generated operating revenue of 186.4 billion yuan, up 8.5 percent year-on-year. "
        "Exports from the zone hit 11.8 billion yuan, a decrease of 2.7 percent. "
        "The zone is home to over 1,200 high-tech enterprises and ranked 29th among 178 national high-tech zones.\n"
    )
    got = {c.value_text: c for c in extractor.extract(read_source(write("en.txt", page)))}
    revenue = got["186.4 billion yuan"]
    assert (revenue.value, revenue.unit, revenue.metric, revenue.zone) == (1864, "亿元", "营业收入", "湘潭高新区")
    assert (got["8.5 percent"].kind, got["8.5 percent"].metric) == ("growth", "营业收入增长")
    fall = got["a decrease of 2.7 percent"]
    assert (fall.value, fall.kind) == (-2.7, "growth")
    assert (got["over 1,200 high-tech enterprises"].value, got["over 1,200 high-tech enterprises"].qualifier) == (
        1200,
        "more_than",
    )
    assert (got["29th"].value, got["29th"].kind) == (29, "rank")


def test_a_task_says_where_its_zone_was_found_and_filters_unknown_ones():
    from annotate.review import Passage, task_for

    known = task_for(
        Passage("a.txt", 0, 10, "全区营收12亿元。", "标题", "汨罗高新区", (), "dateline place", "2024-12-05")
    )
    assert known["data"]["zone"] == "汨罗高新区" and known["data"]["zone_found_in"] == "电头地名"
    assert "园区据电头地名找到" in known["data"]["about"] and known["data"]["published"] == "2024-12-05"
    top = {i["from_name"]: i["value"]["text"] for i in known["predictions"][0]["result"] if "start" not in i["value"]}
    assert top == {"article_zone": ["汨罗高新区"], "article_date": ["2024-12-05"]}  # editable, at the top of the task
    unknown = task_for(Passage("b.txt", 0, 10, "全区营收12亿元。", "标题", None, ()))
    assert unknown["data"]["zone"] == "" and unknown["data"]["zone_found_in"] == "未知"
    assert "园区未知" in unknown["data"]["about"]
    assert not [i for i in unknown["predictions"][0]["result"] if "start" not in i["value"]]  # an empty box to fill

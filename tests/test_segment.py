"""Splitting pages into articles: the seed pages, and the page shapes the segmenter must handle in general."""

import json

import pytest

from annotate.segment import segment

from .conftest import DATA, SEEDS

SEED_COUNTS = {"000": 4, "001": 3, "002": 5, "003": 6, "004": 6}


@pytest.fixture(scope="module")
def seed_articles(gazetteer):
    return {p.name: segment(p.read_text(encoding="utf-8"), gazetteer) for p in sorted(SEEDS.glob("*.txt"))}


def test_seed_pages_hold_24_articles(seed_articles):
    assert {name[:3]: len(arts) for name, arts in seed_articles.items()} == SEED_COUNTS
    assert sum(len(a) for a in seed_articles.values()) == 24


def test_titles_and_zones_match_the_gold(seed_articles):
    gold = {}
    for line in (DATA / "gold" / "dev_facts.jsonl").read_text(encoding="utf-8").splitlines():
        fact = json.loads(line)
        gold.setdefault((fact["doc"], fact["article"]), set()).add(fact["zone"])
    for (doc, title), zones in gold.items():
        article = next((a for a in seed_articles[doc] if a.title == title), None)
        assert article is not None, f"{doc}: no article titled {title}"
        assert article.zone in zones, (title, article.zone, zones)


def test_every_seed_article_has_a_zone_and_sane_spans(seed_articles):
    for name, articles in seed_articles.items():
        text = (SEEDS / name).read_text(encoding="utf-8")
        for a in articles:
            assert a.zone, a.title
            assert a.start < a.body_start <= a.end <= len(text)
            assert text[a.start : a.start + 2] == a.title[:2]
        for before, after in zip(articles, articles[1:]):
            assert before.end <= after.start


def test_multi_line_headlines_are_joined(seed_articles):
    titles = [a.title for arts in seed_articles.values() for a in arts]
    assert "探寻西安高新区高质量发展的创新密码" in titles  # two printed lines
    assert "北京经开区129个项目签约落地总投资额近4000亿元" in titles
    assert "国家高新区高质量发展 在行动" not in "".join(titles)  # a page's column header is not a title


PAGE = """

专栏名称

合肥高新区:科创引领
新高地

▶ 本报记者 张三

合肥高新区2021年实现营业收入超1000亿元,同比增长15%,这一段故意写得很长以便测试断行拼接的逻辑是否可

靠地把两段拼成一段。

图片来源:合肥高新区

产业篇

合肥高新区新增高新技术企业300家。

武汉东湖高新区推出新政

本报讯(记者 李四)近日,东湖高新区发布新政,新增企业1200家。

芜湖高新区
加快转型升级

芜湖高新区今年以来签约项目45个,总投资超过200亿元。
"""


def test_a_page_of_three_byline_shapes(gazetteer):
    articles = segment(PAGE, gazetteer)
    assert [a.title for a in articles] == [
        "合肥高新区:科创引领新高地",
        "武汉东湖高新区推出新政",
        "芜湖高新区加快转型升级",
    ]
    assert [a.byline for a in articles] == ["本报记者 张三", "本报讯(记者 李四)", None]
    assert [a.zone for a in articles] == ["合肥高新区", "武汉东湖高新区", "芜湖高新区"]


def test_section_headings_captions_and_broken_lines(gazetteer):
    first = segment(PAGE, gazetteer)[0]
    paragraphs = ["".join(PAGE[s:e] for s, e in p) for p in first.paragraphs]
    assert paragraphs[0] == "合肥高新区:科创引领新高地"
    # the sentence cut by the layout is one paragraph; the photo credit is not a paragraph
    assert any(p.endswith("是否可靠地把两段拼成一段。") and p.startswith("合肥高新区2021年") for p in paragraphs)
    assert not any("图片来源" in p for p in paragraphs)
    assert "产业篇" in paragraphs  # a section heading stays inside its article


def test_pull_quote_before_the_first_headline_belongs_to_that_article(gazetteer):
    page = "\n\n8000件\n\n2021年,大连高新区发明专利拥有量超过8000件。\n\n大连高新区创新积分\n\n◎本报记者 郝晓明\n\n正文。\n"
    (article,) = segment(page, gazetteer)
    texts = ["".join(page[s:e] for s, e in p) for p in article.paragraphs]
    assert "2021年,大连高新区发明专利拥有量超过8000件。" in texts
    assert "8000件" not in texts  # the bare pull quote is not a paragraph


def test_a_file_without_page_structure_is_one_article(gazetteer):
    text = "成都高新区去年经济稳步增长\n\n2021年,成都高新区实现地区生产总值2800亿元,同比增长9.5%。\n\n另一段文字。\n"
    (article,) = segment(text, gazetteer)
    assert article.title == "成都高新区去年经济稳步增长"
    assert article.zone == "成都高新区"
    assert len(article.paragraphs) == 3
    (untitled,) = segment("只是一段没有标题的文字,说的是武汉东湖高新区,没有署名,也没有导语。\n", gazetteer)
    assert untitled.title == "" and untitled.zone == "武汉东湖高新区"


def test_agency_dateline_and_source_lines(gazetteer):
    page = (
        "\n\n长沙高新区新增企业\n\n新华社长沙1月5日电(记者 赵六)长沙高新区新增企业500家。\n\n"
        "西安高新区发布报告\n\n来源:西安日报\n\n西安高新区营业收入超2000亿元。\n"
    )
    articles = segment(page, gazetteer)
    assert [a.zone for a in articles] == ["长沙高新区", "西安高新区"]
    assert articles[1].byline == "来源:西安日报"


def test_a_web_article_may_exclaim_in_its_title(gazetteer):
    text = "数说2023｜郑州经开区这一年，数据亮眼！\n\n2023年，郑州经开区地区生产总值1108.6亿元。\n"
    (article,) = segment(text, gazetteer)
    assert article.title == "数说2023｜郑州经开区这一年，数据亮眼！"
    assert article.zone == "郑州经开区"


def test_a_publishing_line_is_a_byline_not_a_title(gazetteer):
    text = (
        "光谷2023年经济运行情况新闻发布会答记者问\n\n发布时间：2024-01-19　来源：武汉东湖高新区管委会\n\n"
        "2023年，东湖高新区地区生产总值增长8.1%。\n"
    )
    (article,) = segment(text, gazetteer)
    assert article.title == "光谷2023年经济运行情况新闻发布会答记者问"
    assert article.byline and article.byline.startswith("发布时间")

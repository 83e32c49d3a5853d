"""annotate/indicators.py and config/indicators.toml: a metric is read into a standard indicator, by named rules."""

from __future__ import annotations

import pytest

from annotate.errors import AnnotateError
from annotate.indicators import IndicatorReader, fold, indicator_reader, unit_family
from annotate.vocab import INDICATOR_FAMILIES, indicators


def code(metric: str, kind: str | None = None, unit: str | None = None) -> str | None:
    return indicator_reader().code(metric, kind, unit)


# ── the catalogue ──────────────────────────────────────────────────────────────────────────────────
def test_the_catalogue_has_the_standard_indicators():
    catalogue = indicators()
    assert len(catalogue.indicators) >= 150
    for wanted in ("revenue", "gdp", "hitech_firms", "rd_intensity", "exports", "trade", "fdi", "little_giants",
                   "pct_applications", "tech_contract_turnover", "incubators", "planned_area",
                   "national_hitech_zone_rank"):  # fmt: skip
        assert catalogue.by_code(wanted), wanted
    assert catalogue.by_code("revenue").name == "营业收入" and "营收" in catalogue.by_code("revenue").aliases
    assert {i.family for i in catalogue.indicators} <= set(INDICATOR_FAMILIES)


def test_no_name_means_two_indicators():
    seen: dict[str, str] = {}
    twice = []
    for indicator in indicators().indicators:
        for name in {fold(n) for n in (indicator.name, *indicator.aliases)}:
            if name in seen:
                twice.append(f"{name}: {seen[name]} and {indicator.code}")
            seen[name] = indicator.code
    assert not twice, twice


def test_every_name_reads_as_its_own_indicator():
    for indicator in indicators().indicators:
        for name in (indicator.name, *indicator.aliases):
            assert code(name) == indicator.code, name


def test_a_broken_catalogue_names_its_file(tmp_path, monkeypatch):
    import annotate.vocab as module

    (tmp_path / "indicators.toml").write_text(
        "[defaults]\nvariants = []\n[match]\nqualifiers = []\nsuffixes = []\nvariant_starts = []\n"
        '[[indicator]]\ncode = "Revenue"\nname = "营业收入"\nenglish = "r"\nfamily = "money"\naliases = []\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(module, "CONFIG_DIR", tmp_path)
    module.indicators.cache_clear()
    try:
        with pytest.raises(AnnotateError, match="indicators.toml"):
            module.indicators()
    finally:
        monkeypatch.undo()
        module.indicators.cache_clear()
    assert module.indicators().indicators


# ── rule `name`: the whole metric is a name or an alias ────────────────────────────────────────────
@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("营业收入", "revenue"),
        ("营收", "revenue"),
        ("技工贸总收入", "revenue"),
        ("地区生产总值(GDP)", "gdp"),  # a bracketed note is no part of the name
        ("GDP", "gdp"),
        ("全社会R&D投入强度", "rd_intensity"),
        ("研究与试验发展(R&D)经费支出占地区生产总值的比重", "rd_intensity"),
        ("专精特新“小巨人”企业", "little_giants"),  # quotes are emphasis
        ("实际使用外资", "fdi"),
        ("ＰＣＴ国际专利申请量", "pct_applications"),  # full width
    ],
)
def test_names_and_aliases(metric, expected):
    found = indicator_reader().match(metric)
    assert found and found.code == expected and found.rule == "name"


# ── rule `qualified`: qualifiers before, suffixes or a variant after ───────────────────────────────
@pytest.mark.parametrize(
    ("metric", "kind", "unit", "expected"),
    [
        ("高新技术企业总数", "level", "家", "hitech_firms"),
        ("新增高新技术企业数量", "level", "家", "hitech_firms"),
        ("国家级专精特新小巨人企业累计数量", "level", "家", "little_giants"),
        ("营业收入同比增长", "growth", "%", "revenue"),  # the variant is the fact's kind, not the code
        ("营业总收入目标", "target", "亿元", "revenue"),
        ("一般公共预算收入完成全年目标比例", "share", "%", "budget_revenue"),
        ("进出口总额占潍坊市比重", "share", "%", "trade"),
        ("地区生产总值增速全市排名", "rank", "位", "gdp"),
        ("园区营业收入", "level", "亿元", "revenue"),
        ("山东省开发区综合考核排名", "rank", "位", "provincial_zone_rank"),  # a place qualifies too
        ("规模以上固定资产投资", "level", "亿元", "fixed_asset_investment"),
    ],
)
def test_qualified_names(metric, kind, unit, expected):
    found = indicator_reader().match(metric, kind, unit)
    assert found and found.code == expected and found.rule == "qualified", found


# ── guards: what looks like an indicator but is another, or none ───────────────────────────────────
@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("出口总额", "exports"),
        ("进出口总额", "trade"),
        ("外贸进出口总额增长", "trade"),  # holds 出口总额, but the longer name wins
        ("进口额同比增长", "imports"),
        ("全社会研发投入强度", "rd_intensity"),
        ("企业研发投入占GDP比重", "business_rd_intensity"),  # not the same indicator as R&D intensity
        ("研发投入占营业收入比重", "rd_to_revenue"),
        ("万人发明专利拥有量", "invention_patents_per_10k"),  # per head is its own indicator
        ("发明专利拥有量", "invention_patents_held"),
        ("发明专利授权量", "invention_patents_granted"),
        ("规上工业总产值", "above_scale_industrial_output"),
        ("工业总产值", "industrial_output"),
        ("人均GDP", "gdp_per_capita"),
        ("集成电路产业营业收入", None),  # an industry's revenue is not the zone's
        ("TOP10企业合计营收", None),
        ("集成电路企业研发投入强度", None),
        ("高新技术企业申报数量", None),  # applications are not enterprises
        ("生物医药相关企业数量", None),
        ("党小组数量", None),
    ],
)
def test_guards(metric, expected):
    assert code(metric) == expected


def test_a_unit_of_another_family_gives_no_code():
    assert code("营收超亿元企业数量", "level", "家") == "firms_over_100m_revenue"
    assert code("营业收入", "level", "家") is None  # a count is not revenue
    assert code("高新技术企业数量", "level", "亿元") is None
    assert code("营业收入", "growth", "%") == "revenue"  # a share unit is a variant of anything
    assert code("国家高新区综合评价排名", "rank", "位") == "national_hitech_zone_rank"


def test_unit_families():
    assert [unit_family(u) for u in ("亿元", "亿美元", "万家", "个", "万平方米", "平方公里", "%", "个百分点", "GWH", None)] == [
        "money", "money", "count", "count", "area", "area", "share", "share", None, None,
    ]  # fmt: skip


# ── rule `learned`: an annotator's corrected name is an alias of its indicator ──────────────────────
def test_learned_names_are_aliases_of_the_indicator_they_were_corrected_to():
    reader = indicator_reader().with_learned({"技工贸收入总额": "营业收入", "研发强度指标": "研究院数量"})
    found = reader.match("技工贸收入总额", "level", "亿元")
    assert found and (found.code, found.rule) == ("revenue", "learned")
    assert reader.code("研发强度指标") is None  # corrected to a name that is no indicator
    assert indicator_reader().code("技工贸收入总额") is None  # not without the learned names


def test_a_catalogue_name_wins_over_a_learned_one():
    reader = IndicatorReader(indicators(), {"研发投入强度": "企业研发投入占GDP比重"})
    assert reader.code("研发投入强度") == "rd_intensity"


def test_every_match_explains_itself():
    found = indicator_reader().match("新增高新技术企业数量", "level", "家")
    assert found.explain() == "hitech_firms (高新技术企业) by qualified: “高新技术企业”"


# ── ingest: each candidate gets its indicator; the store keeps the catalogue ─────────────────────────
def test_ingest_gives_facts_their_indicator_and_fills_the_catalogue(tmp_path):
    from annotate.extract import Extractor
    from annotate.ingest import ingest_paths
    from store import Store

    article = tmp_path / "a.txt"
    article.write_text(
        "西安高新区营业收入突破万亿\n\n▶ 本报记者 叶伟\n\n2021年，西安高新区实现营业收入2.4万亿元，同比增长15.6%，"
        "高新技术企业总数达3300家，全社会研发投入强度达6.64%。\n",
        encoding="utf-8",
    )
    store = Store.memory()
    for _, result in ingest_paths(store, [article], Extractor()):
        assert result.added
    coded = {(f.metric, f.kind): f.indicator for f in store.facts()}
    assert coded[("营业收入", "level")] == "revenue"
    assert coded[("营业收入同比增长", "growth")] == "revenue"
    assert coded[("全社会研发投入强度", "share")] == "rd_intensity"
    assert len(store.indicator_catalogue()) == len(indicators().indicators)


def test_ingest_codes_facts_stored_before_the_catalogue_and_learned_names(tmp_path):
    from annotate.ingest import store_indicators
    from store import NewArticle, NewDocument, NewFact, Store

    store = Store.memory()
    facts = [
        NewFact(0, "t", "青岛高新区", None, metric, 1.0, "亿元", "exact", None, "level", "q", "1亿元", i, i + 3, i, i + 3,
                0.9, "x")
        for i, metric in enumerate(["技工贸总收入", "营收合计数", "集成电路营收"])
    ]  # fmt: skip
    store.ingest_document(
        NewDocument("a.txt", "a.txt", "s", "utf-8", 9), [NewArticle(0, "t", None, "青岛高新区", 0, 1, 9)], facts
    )
    store.db.execute("INSERT INTO learned_synonyms (term, canonical) VALUES ('集成电路营收', '营业收入')")
    store_indicators(store)
    assert [f.indicator for f in store.facts()] == ["revenue", "revenue", "revenue"]

"""The bot's benchmark: ask latency, HTTP throughput and memory on synthetic stores of 100k and 1M facts.

Each figure is printed next to a baseline measured in the same run: a plain rapidfuzz scan of the
same metric strings for latency, a hello-world Flask route under the same gunicorn settings for
throughput. Synthetic stores are generated from config/zones.toml and a metric vocabulary with a
fixed seed, and cached under data/bench/ (git-ignored) so a second run reuses them.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import math
import random
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import zlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path

from annotate.gazetteer import Gazetteer, Zone, load_gazetteer
from annotate.vocab import vocab
from store import NewArticle, NewDocument, NewFact, Store

from . import settings

GENERATOR_VERSION = 1  # bump when the generator changes: cached stores are named after it
SEED = 20240601
YEARS = tuple(range(2015, 2025))
CACHE_DIR = settings.PROJECT_ROOT / "data" / "bench"
ASK_PATH = "/api/v1/ask"

# ── the metric vocabulary ────────────────────────────────────────────────────────────────────
# name, unit, low, high (a zone's level is drawn log-uniformly in between), decimals, kind


@dataclass(frozen=True, slots=True)
class MetricSpec:
    name: str
    unit: str
    low: float
    high: float
    digits: int
    kind: str = "level"


_BASE_METRICS = """
地区生产总值 亿元 30 3500 2
高新技术企业数量 家 30 12000 0
营业收入 亿元 100 30000 1
研发投入强度 % 1 12 2 share
技术合同成交额 亿元 1 800 2
规模以上工业增加值 亿元 10 1500 2
科技型中小企业数量 家 50 15000 0
固定资产投资 亿元 20 1500 2
发明专利拥有量 件 200 80000 0
进出口总额 亿元 10 8000 2
专精特新小巨人企业数量 家 1 150 0
上市企业数量 家 2 200 0
规模以上工业总产值 亿元 50 6000 2
一般公共预算收入 亿元 5 500 2
实际使用外资 亿美元 0.5 60 2
瞪羚企业数量 家 5 800 0
工业总产值 亿元 50 6000 2
高新技术产业产值 亿元 30 5000 2
战略性新兴产业产值 亿元 20 3000 2
税收收入 亿元 5 800 2
研发投入 亿元 2 600 2
省级以上研发平台数量 个 20 1500 0
独角兽企业数量 家 1 60 0
专精特新中小企业数量 家 10 1500 0
科技企业孵化器数量 家 2 150 0
众创空间数量 家 3 200 0
新型研发机构数量 家 2 120 0
高层次人才数量 名 50 8000 0
从业人员数量 万人 1 100 1
规划面积 平方公里 5 500 2
企业总收入 亿元 100 30000 1
高技术制造业增加值 亿元 5 800 2
数字经济核心产业增加值 亿元 5 1000 2
服务业增加值 亿元 10 1500 2
现代服务业营业收入 亿元 10 3000 1
软件和信息服务业收入 亿元 5 3000 1
集成电路产业规模 亿元 5 2000 1
生物医药产业规模 亿元 5 1500 1
新能源汽车产业产值 亿元 5 1500 1
工业投资 亿元 10 800 2
技改投资 亿元 5 300 2
重点项目完成投资 亿元 10 1000 2
新签约项目总投资 亿元 20 2000 1
招商引资到位资金 亿元 10 1500 2
出口总额 亿元 5 5000 2
上缴税费 亿元 5 800 2
企业利润总额 亿元 5 2000 2
社会消费品零售总额 亿元 10 1500 2
企业研发经费支出 亿元 2 500 2
财政科技支出 亿元 0.5 80 2
产业基金规模 亿元 5 1000 1
创业投资管理资金规模 亿元 5 1500 1
风险投资金额 亿元 1 500 1
科技信贷余额 亿元 5 800 1
知识产权质押融资金额 亿元 0.5 100 2
企业上市融资额 亿元 1 300 1
跨境电商交易额 亿元 1 500 1
保税物流货值 亿元 10 3000 1
金融机构存款余额 亿元 100 8000 1
人均地区生产总值 万元 5 40 2
亩均税收 万元 5 200 1
亩均营业收入 万元 100 3000 0
人均营业收入 万元 50 500 1
研发人员人均经费 万元 10 80 1
企业研发投入占营业收入比重 % 1 10 2 share
高新技术产业产值占规上工业产值比重 % 30 90 1 share
战略性新兴产业产值占比 % 20 80 1 share
数字经济核心产业增加值占比 % 5 40 1 share
规上工业企业研发活动覆盖率 % 30 95 1 share
建成区绿化覆盖率 % 25 50 1 share
土地开发率 % 40 95 1 share
政务服务事项网上可办率 % 80 100 1 share
单位地区生产总值能耗下降率 % 1 8 1 other
外贸依存度 % 10 120 1 share
孵化器毕业企业存活率 % 50 95 1 share
雏鹰企业数量 家 10 1000 0
新三板挂牌企业数量 家 2 300 0
规模以上工业企业数量 家 30 2000 0
外商投资企业数量 家 20 3000 0
世界500强企业数量 家 1 150 0
科技领军企业数量 家 1 50 0
国家级科技企业孵化器数量 家 1 40 0
国家备案众创空间数量 家 1 60 0
企业技术中心数量 家 5 300 0
创业投资机构数量 家 5 500 0
金融机构数量 家 10 600 0
规上服务业企业数量 家 20 1500 0
市场主体数量 户 5000 400000 0
新登记市场主体数量 户 1000 60000 0
个体工商户数量 户 1000 150000 0
国家级研发平台数量 个 2 200 0
重点实验室数量 个 2 200 0
国家重点实验室数量 个 1 30 0
工程技术研究中心数量 个 5 400 0
院士工作站数量 个 1 80 0
博士后科研工作站数量 个 1 100 0
产业技术创新战略联盟数量 个 1 60 0
创新联合体数量 个 1 40 0
产业集群数量 个 1 20 0
千亿级产业集群数量 个 1 6 0
重点项目数量 个 20 600 0
新签约项目数量 个 10 500 0
亿元以上产业项目数量 个 5 300 0
新开工项目数量 个 5 300 0
竣工投产项目数量 个 5 200 0
5G基站数量 个 100 8000 0
公共服务平台数量 个 3 120 0
充电桩数量 个 100 20000 0
人才公寓数量 套 100 20000 0
发明专利授权量 件 50 15000 0
专利授权量 件 200 50000 0
PCT国际专利申请量 件 5 3000 0
万人发明专利拥有量 件 10 400 1
商标注册量 件 100 40000 0
技术合同登记数量 项 100 20000 0
科技成果转化项目数量 项 10 2000 0
国家科技奖励数量 项 1 40 0
主导制定标准数量 项 5 800 0
承担国家级科技项目数量 项 5 600 0
政务服务事项数量 项 100 2000 0
行政权力事项数量 项 100 3000 0
两院院士数量 名 1 80 0
博士数量 名 50 10000 0
研发人员数量 人 1000 200000 0
新引进人才数量 人 500 60000 0
国家级人才计划入选者数量 名 5 600 0
海外高层次人才数量 名 10 3000 0
高校毕业生留区就业人数 人 500 40000 0
建成区面积 平方公里 5 300 2
标准厂房面积 万平方米 10 1500 1
孵化载体面积 万平方米 5 800 1
新增建设用地面积 亩 100 20000 0
绿地面积 万平方米 20 3000 1
全国高新区综合排名 位 1 178 0 rank
国家级经开区综合发展水平排名 位 1 230 0 rank
营商环境评价得分 分 60 100 1 other
工业用电量 亿千瓦时 1 300 2
污水处理能力 万吨/日 1 100 1
单位地区生产总值能耗 吨标准煤/万元 0.1 1 3
审批办理时限 个工作日 1 30 0 other
新建道路里程 公里 5 200 1
集装箱吞吐量 万标箱 1 500 1
跨境电商单量 万单 10 50000 0
"""

# What companies and projects report, for the facts that carry an entity.
ENTITY_METRICS = (
    MetricSpec("营业收入", "亿元", 0.5, 300, 2),
    MetricSpec("总投资", "亿元", 1, 200, 1),
    MetricSpec("研发投入", "亿元", 0.1, 30, 2),
    MetricSpec("产值", "亿元", 0.5, 300, 2),
    MetricSpec("纳税额", "万元", 100, 50000, 0),
    MetricSpec("员工人数", "人", 50, 20000, 0),
    MetricSpec("发明专利拥有量", "件", 5, 3000, 0),
    MetricSpec("市场估值", "亿元", 10, 2000, 1),
)
_ENTITY_HEADS = (
    "华芯 中科 海创 智联 博远 天工 瑞康 鼎新 恒通 启明 联影 思源 万润 卓越 金石 星河 云途 长风 汇智 科达".split()
)
_ENTITY_TRADES = "科技 生物医药 新材料 半导体 智能装备 新能源 信息技术 精密仪器 光电 机器人".split()
_ENTITY_TAILS = ("有限公司", "股份有限公司", "集团", "产业化项目", "研发中心项目")
_HEADLINES = (
    "以创新驱动高质量发展", "跑出发展加速度", "经济运行稳中向好", "打造科技创新高地", "产业集群加速成势",
    "营商环境持续优化", "新动能加快集聚", "奋力推进“二次创业”",
)  # fmt: skip
_QUOTES = (
    "{year}年，{subject}{said}达到{value}",
    "{subject}实现{said}{value}",
    "截至{year}年底，{subject}{said}{value}",
    "{subject}{said}为{value}",
    "{subject}{said}{value}，同比增长明显",
)
_LEADS = (
    "坚持创新驱动发展战略", "持续优化营商环境", "聚焦主导产业招大引强", "加快建设世界一流高科技园区",
    "深入实施科技企业培育工程", "推动产业链创新链深度融合",
)  # fmt: skip


def _derived(base: list[MetricSpec]) -> list[MetricSpec]:
    """新增/增速/占比/目标 forms of the base metrics, as articles print them."""
    out: list[MetricSpec] = []
    counts = [
        m for m in base if m.unit in vocab().units.count and m.name.endswith("数量") and not m.name.startswith("新")
    ]
    money = [m for m in base if m.unit == "亿元" and m.kind == "level"]
    out += [MetricSpec("新增" + m.name, m.unit, max(1, m.low / 10), max(2, m.high / 8), 0) for m in counts[:45]]
    out += [MetricSpec(m.name + "增速", "%", 1, 30, 1, "growth") for m in money[:40]]
    out += [MetricSpec(m.name.removesuffix("数量") + "增速", "%", 2, 40, 1, "growth") for m in counts[:10]]
    out += [MetricSpec(m.name + "占全市比重", "%", 5, 80, 1, "share") for m in money[:20]]
    out += [MetricSpec(m.name + "目标", m.unit, m.low * 1.2, m.high * 1.2, 0, "target") for m in money[:15]]
    return out


def _metric_vocabulary() -> tuple[MetricSpec, ...]:
    base = []
    for line in _BASE_METRICS.strip().splitlines():
        name, unit, low, high, digits, *kind = line.split()
        base.append(MetricSpec(name, unit, float(low), float(high), int(digits), *kind))
    return tuple(base + _derived(base))


METRICS = _metric_vocabulary()
METRIC_BY_NAME = {m.name: m for m in METRICS}
ENTITY_METRIC_BY_NAME = {m.name: m for m in ENTITY_METRICS}


# ── the synthetic store ──────────────────────────────────────────────────────────────────────
@dataclass(frozen=True, slots=True)
class ZonePlan:
    """What the generator writes about one zone: its metrics (by popularity), entities and fact count."""

    zone: Zone
    facts: int
    metrics: tuple[MetricSpec, ...]
    entities: tuple[str, ...]
    entity_facts: int

    @property
    def regular_facts(self) -> int:
        return self.facts - self.entity_facts

    def cell(self, j: int) -> tuple[MetricSpec, int, int]:
        """The j-th regular fact: (metric, year, repeat): metrics cycle fastest, then years back from 2024."""
        k = len(self.metrics)
        rep = j // k
        return self.metrics[j % k], YEARS[-1 - rep % len(YEARS)], rep // len(YEARS)

    def years_of(self, metric: MetricSpec) -> tuple[int, ...]:
        """The periods this zone has a fact for the metric in, latest first."""
        k, m = len(self.metrics), self.metrics.index(metric)
        reps = self.regular_facts // k + (1 if m < self.regular_facts % k else 0)
        return tuple(YEARS[-1 - r] for r in range(min(reps, len(YEARS))))


def _unit_interval(*parts: object) -> float:
    """A stable pseudo-random number in [0, 1) for a key (str hashes differ between processes)."""
    return zlib.crc32("|".join(map(str, parts)).encode()) / 2**32


def fact_value(seed: int, zone: str, metric: MetricSpec, entity: str | None, year: int) -> float:
    """The value a zone (or entity) has for a metric in a year: a stable level with yearly growth."""
    return _value_in(_series(seed, zone, metric, entity), metric, year)


@lru_cache(maxsize=4096)
def _series(seed: int, zone: str, metric: MetricSpec, entity: str | None) -> tuple[float, float, int]:
    """(level in the latest year, yearly growth, a per-series key for the yearly jitter of rates)."""
    u = _unit_interval(seed, zone, metric.name, entity)
    return (
        metric.low * (metric.high / metric.low) ** u,
        0.03 + 0.15 * _unit_interval(seed, metric.name, zone),
        int(u * 2**32),
    )


def _value_in(series: tuple[float, float, int], metric: MetricSpec, year: int) -> float:
    level, growth, key = series
    if metric.unit in _RATE_UNITS:
        value = min(metric.high, level * (0.9 + 0.2 * (((key ^ (year * 2654435761)) % 1000) / 1000)))
    else:
        value = level * (1 + growth) ** (year - YEARS[-1])
    value = round(value, metric.digits)
    return max(1.0, value) if metric.digits == 0 else float(value)


_RATE_UNITS = frozenset(("%", "位", "分", "个工作日"))


def plan_zones(n_facts: int, gazetteer: Gazetteer, seed: int = SEED) -> list[ZonePlan]:
    """Share `n_facts` among the gazetteer's zones (national high-tech zones in the news most) and plan each."""
    rng = random.Random(seed)
    kind_weight = {"high_tech": 3.0, "new_area": 2.0, "econ_dev": 1.5, "bonded": 0.5}
    weights = [
        kind_weight.get(z.kind, 1.0) * (1.0 if z.level == "national" else 0.4) * rng.lognormvariate(0, 0.6)
        for z in gazetteer.zones
    ]
    total = sum(weights)
    shares = [n_facts * w / total for w in weights]
    counts = [math.floor(s) for s in shares]
    for i in sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])[: n_facts - sum(counts)]:
        counts[i] += 1  # largest remainders: the total is exactly n_facts
    popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(METRICS))]
    plans = []
    for zone, n in zip(gazetteer.zones, counts):
        zrng = random.Random(f"{seed}:{zone.name}")
        entity_facts = n // 12
        regular = n - entity_facts
        k = min(len(METRICS), max(1, math.ceil(regular / 7)))
        # weighted sampling without replacement (Efraimidis–Spirakis): common metrics in most zones
        order = sorted(range(len(METRICS)), key=lambda m: -(zrng.random() ** (1 / popularity[m])))
        metrics = tuple(METRICS[m] for m in order[:k])
        entities = tuple(
            f"{zone.city_short}{zrng.choice(_ENTITY_HEADS)}{zrng.choice(_ENTITY_TRADES)}{zrng.choice(_ENTITY_TAILS)}"
            for _ in range(max(1, entity_facts // 6))
        )
        plans.append(ZonePlan(zone, n, metrics, tuple(dict.fromkeys(entities)), entity_facts))
    return plans


def _value_text(value: float, metric: MetricSpec, qualifier: str) -> str:
    number = f"{value:.{metric.digits}f}" if metric.digits else f"{value:.0f}"
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    text = number + metric.unit
    return {"more_than": "超" + text, "about": "近" + text, "at_least": text + "以上"}.get(qualifier, text)


def _zone_document(plan: ZonePlan, index: int, seed: int) -> tuple[NewDocument, list[NewArticle], list]:
    """One document per zone: its facts in articles of about ten, each with a quote and a sentence around it."""
    rng = random.Random(f"{seed}:{plan.zone.name}:facts")
    zone = plan.zone.name
    facts: list[tuple[NewFact, str]] = []
    articles: list[NewArticle] = []
    offset = 0
    cells: list[tuple[MetricSpec, int, str | None]] = []
    for j in range(plan.regular_facts):
        metric, year, _ = plan.cell(j)
        cells.append((metric, year, None))
    n_ent = len(plan.entities)
    for j in range(plan.entity_facts):
        metric = ENTITY_METRICS[(j // n_ent) % len(ENTITY_METRICS)]
        year = YEARS[-1 - (j // (n_ent * len(ENTITY_METRICS))) % len(YEARS)]
        cells.append((metric, year, plan.entities[j % n_ent]))
    for a in range(0, len(cells), 10):
        year = cells[a][1]
        title = f"{zone}{year}年{rng.choice(_HEADLINES)}"
        article_start = offset
        offset += len(title) + 1
        body_start = offset
        for metric, year, entity in cells[a : a + 10]:
            value = _value_in(_series(seed, zone, metric, entity), metric, year)
            roll = rng.random()
            qualifier = "more_than" if roll < 0.08 else "about" if roll < 0.12 else "exact"
            value_text = _value_text(value, metric, qualifier)
            quote = _QUOTES[int(roll * 100) % len(_QUOTES)].format(
                year=year, subject=entity or zone, said=metric.name.removesuffix("数量"), value=value_text
            )
            vstart = quote.index(value_text)
            fact = NewFact(
                a // 10, title, zone, entity, metric.name, value, metric.unit, qualifier, str(year), metric.kind,
                quote, value_text, offset + vstart, offset + vstart + len(value_text), offset, offset + len(quote),
                round(0.6 + 0.35 * roll, 2), "synthetic-1", f"{zone}{_LEADS[a % len(_LEADS)]}，{quote}。",
            )  # fmt: skip
            facts.append((fact, "verified" if rng.random() < 0.08 else "candidate"))
            offset += len(quote) + 1
        articles.append(NewArticle(a // 10, title, "本报记者", zone, article_start, body_start, offset))
    name = f"synthetic-{index:03d}.txt"
    sha = hashlib.sha256(f"{seed}:{name}:{plan.facts}".encode()).hexdigest()
    return NewDocument(name, f"synthetic/{name}", sha, "utf-8", offset), articles, facts


def build_synthetic_store(path: Path, n_facts: int, gazetteer: Gazetteer, seed: int = SEED) -> Store:
    """Generate a store of exactly `n_facts` facts at `path` (which must not exist yet)."""
    store = Store.open(path)
    plans = plan_zones(n_facts, gazetteer, seed)
    store.add_documents_bulk(_zone_document(p, i, seed) for i, p in enumerate(plans) if p.facts)
    return store


def store_path(n_facts: int, seed: int = SEED, cache_dir: Path = CACHE_DIR) -> Path:
    return cache_dir / f"synthetic-{n_facts}-seed{seed}-v{GENERATOR_VERSION}.db"


def cached_store(n_facts: int, gazetteer: Gazetteer, seed: int = SEED, cache_dir: Path = CACHE_DIR) -> Path:
    """The path of a synthetic store, generated on first use; built under a temporary name so a break leaves none."""
    path = store_path(n_facts, seed, cache_dir)
    if path.exists():
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in cache_dir.glob(partial.name + "*"):
        leftover.unlink()
    build_synthetic_store(partial, n_facts, gazetteer, seed).close()
    partial.rename(path)
    return path


# ── questions ────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True, slots=True)
class BenchQuestion:
    """A generated question and what a right answer has (zone, metric, and for a period the value)."""

    text: str
    style: str
    zone: str | None = None
    metric: str | None = None
    value: float | None = None  # set when the question names a year

    @property
    def answerable(self) -> bool:
        return self.zone is not None and self.metric is not None


STYLES = (
    ("card", 22), ("natural", 18), ("period", 12), ("short", 8), ("typo", 6), ("traditional", 6), ("pinyin", 5),
    ("unknown_metric", 6), ("unknown_zone", 5), ("no_zone", 8), ("compare", 4),
)  # fmt: skip
_UNKNOWN_METRICS = (
    "火箭发射次数", "大熊猫数量", "咖啡馆数量", "马拉松参赛人数", "冰川面积", "电竞战队数量", "米其林餐厅数量",
    "滑雪场数量", "动物园游客量", "博物馆藏品数量",
)  # fmt: skip
_UNKNOWN_PLACES = ("火星", "桃花源", "乌托邦", "蓬蒿", "月光湾", "云梦泽", "白鹿原上", "霍格沃茨")


def _short_city_zones(gazetteer: Gazetteer) -> dict[str, Zone]:
    """National high-tech zones named <city>高新区 whose city names no other national high-tech zone."""
    by_city: dict[str, list[Zone]] = defaultdict(list)
    for z in gazetteer.zones:
        if z.kind == "high_tech" and z.level == "national":
            by_city[z.city_short].append(z)
    return {
        z.name: z
        for city, zones in by_city.items()
        for z in zones
        if len(zones) == 1 and len(city) >= 2 and z.name == city + "高新区"
    }


def synthetic_questions(
    plans: Sequence[ZonePlan], n: int, seed: int = SEED, gazetteer: Gazetteer | None = None
) -> list[BenchQuestion]:
    """`n` questions in the mix of STYLES, about what the plans put in the store (and some it does not hold)."""
    import opencc
    from pypinyin import lazy_pinyin

    rng = random.Random(f"{seed}:questions")
    to_traditional = opencc.OpenCC("s2t")
    zoned = [p for p in plans if p.regular_facts >= len(p.metrics) > 0]
    short = _short_city_zones(gazetteer) if gazetteer else {}
    short_plans = [p for p in zoned if p.zone.name in short] or zoned
    styles, weights = zip(*STYLES)
    out: list[BenchQuestion] = []
    for style in rng.choices(styles, weights, k=n):
        plan = rng.choice(short_plans if style in ("short", "typo", "pinyin") else zoned)
        zone = plan.zone.name
        metric = rng.choice(plan.metrics)
        m = metric.name
        city = plan.zone.city_short
        if style == "card":
            out.append(BenchQuestion(f"{zone} {m}", style, zone, m))
        elif style == "natural":
            said = m.removesuffix("数量")
            if metric.unit in vocab().bench_asked_count_units and m.endswith("数量"):
                text = rng.choice((f"{zone}有多少{metric.unit}{said}？", f"{zone}的{said}有多少{metric.unit}"))
            else:
                text = rng.choice((f"{zone}{m}是多少？", f"请问{zone}的{m}", f"{zone}的{m}有多少"))
            out.append(BenchQuestion(text, style, zone, m))
        elif style == "period":
            year = rng.choice(plan.years_of(metric))
            value = fact_value(seed, zone, metric, None, year)
            text = rng.choice((f"{zone} {year}年 {m}", f"{year}年{zone}{m}是多少", f"{zone}{year}年的{m}"))
            out.append(BenchQuestion(text, style, zone, m, value))
        elif style == "short":
            out.append(BenchQuestion(f"{city} {m}", style, zone, m))
        elif style == "typo":
            out.append(BenchQuestion(f"{zone.replace('高新区', '高心区')} {m}", style, zone, m))
        elif style == "traditional":
            out.append(BenchQuestion(to_traditional.convert(f"{zone}{m}是多少"), style, zone, m))
        elif style == "pinyin":
            out.append(BenchQuestion(f"{''.join(lazy_pinyin(city)).capitalize()} gaoxinqu {m}", style, zone, m))
        elif style == "unknown_metric":
            out.append(BenchQuestion(f"{zone} {rng.choice(_UNKNOWN_METRICS)}", style))
        elif style == "unknown_zone":
            out.append(BenchQuestion(f"{rng.choice(_UNKNOWN_PLACES)}高新区 {m}", style))
        elif style == "no_zone":
            out.append(BenchQuestion(rng.choice((f"{m}是多少", f"{m}")), style))
        else:
            out.append(BenchQuestion(rng.choice((f"哪个高新区{m}最高", f"各高新区{m}排名")), style))
    return out


def is_right(q: BenchQuestion, reply) -> bool | None:
    """Whether the bot got an answerable question right (or declined an unanswerable one); None when not judged."""
    if q.answerable:
        if reply.status != "answered" or not reply.facts:
            return False
        best = reply.facts[0]
        if (best.zone, best.metric) != (q.zone, q.metric):
            return False
        return q.value is None or math.isclose(float(best.value), q.value, rel_tol=1e-6)
    if q.style in ("unknown_metric", "unknown_zone"):
        return reply.status == "unknown"
    return None


# ── latency, in process ──────────────────────────────────────────────────────────────────────
def percentile(values: Sequence[float], p: float, weights: Sequence[float] | None = None) -> float:
    """The p-th percentile (nearest rank) of some values, each counted with its weight (default 1)."""
    pairs = sorted(zip(values, weights or [1.0] * len(values)))
    goal = p / 100 * sum(w for _, w in pairs)
    seen = 0.0
    for value, weight in pairs:
        seen += weight
        if seen >= goal - 1e-12:
            return value
    return pairs[-1][0]


@dataclass(frozen=True, slots=True)
class Timing:
    question: BenchQuestion
    seconds: float
    right: bool | None


def ask_latencies(bot, questions: Sequence[BenchQuestion], budget_s: float | None = None) -> list[Timing]:
    """Ask each question once and time it. With a budget, a style stops being asked once it has spent its
    share of the budget (by its weight in STYLES), after at least three questions: slow styles get fewer."""
    shares = dict(STYLES)
    total = sum(shares.values())
    spent: dict[str, float] = defaultdict(float)
    asked: dict[str, int] = defaultdict(int)
    out = []
    for q in questions:
        if budget_s is not None and asked[q.style] >= 3 and spent[q.style] > budget_s * shares[q.style] / total:
            continue
        t0 = time.perf_counter()
        reply = bot.ask(q.text)
        seconds = time.perf_counter() - t0
        spent[q.style] += seconds
        asked[q.style] += 1
        out.append(Timing(q, seconds, is_right(q, reply)))
    return out


def mix_weights(timings: Sequence[Timing]) -> list[float]:
    """Weights that give each style its share of the STYLES mix, however many of it were timed."""
    shares = dict(STYLES)
    counts: dict[str, int] = defaultdict(int)
    for t in timings:
        counts[t.question.style] += 1
    return [shares[t.question.style] / counts[t.question.style] for t in timings]


def rapidfuzz_scan_seconds(strings: Sequence[str], queries: Sequence[str]) -> float:
    """The baseline: a plain rapidfuzz scan (extractOne, WRatio) of all strings per query; the median seconds."""
    from rapidfuzz import fuzz, process

    times = []
    for query in queries:
        t0 = time.perf_counter()
        process.extractOne(query, strings, scorer=fuzz.WRatio, processor=None, score_cutoff=None)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure_store(path: str, n_facts: int, n_questions: int, budget_s: float | None, seed: int = SEED) -> dict:
    """In a fresh process: build the Bot, time the questions, take the RSS, then time the baseline scan."""
    import psutil

    from . import app  # noqa: F401 - what a gunicorn worker has imported too
    from .answer import Bot

    gazetteer = load_gazetteer()
    rss_start = psutil.Process().memory_info().rss
    t0 = time.perf_counter()
    store = Store.open(path, create=False)
    bot = Bot(store, gazetteer)
    build = time.perf_counter() - t0
    import gc

    gc.collect()
    gc.freeze()  # as Service.preload does before gunicorn forks its workers: the index is never traversed by the GC
    plans = plan_zones(n_facts, gazetteer, seed)
    warm = [q for q in synthetic_questions(plans, 60, seed + 1, gazetteer) if q.answerable]
    ask_latencies(bot, warm)  # dictionaries and regexes loaded: what a worker that has answered once looks like
    timings = ask_latencies(bot, synthetic_questions(plans, n_questions, seed, gazetteer), budget_s)
    rss = psutil.Process().memory_info().rss
    strings = [key.metric for key in store.metric_keys() for _ in range(key.facts)]
    baseline = rapidfuzz_scan_seconds(strings, [t.question.text for t in timings[:5]])
    return {
        "facts": n_facts,
        "strings": len(strings),
        "build_s": build,
        "timings": timings,
        "rss_mb": rss / 2**20,
        "rss_start_mb": rss_start / 2**20,
        "baseline_s": baseline,
    }


# ── HTTP throughput ──────────────────────────────────────────────────────────────────────────
def server_options(port: int, workers: int) -> dict[str, object]:
    """The gunicorn settings of `gaoxin serve` (bot/serve.py), on loopback, for both apps alike."""
    return {
        "bind": f"127.0.0.1:{port}", "workers": workers, "worker_class": "sync", "timeout": 30,
        "accesslog": None, "loglevel": "warning", "preload_app": True,
    }  # fmt: skip


def hello_app():
    """The baseline: a hello-world Flask route at the ask path."""
    from flask import Flask

    app = Flask("hello")

    @app.post(ASK_PATH)
    def hello():
        return "Hello, World!"

    return app


def _run_server(kind: str, port: int, workers: int, db: str) -> None:
    """Run gunicorn in this (child) process until it is terminated."""
    from .serve import GaoxinServer

    class HelloServer(GaoxinServer):
        def load(self):
            return hello_app()

    cls = HelloServer if kind == "hello" else GaoxinServer
    cls(server_options(port, workers), db=db).run()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(kind: str, workers: int, db: str) -> Iterator[tuple[int, int]]:
    """A gunicorn server for `kind` ("hello" or "gaoxin") on a free loopback port: (port, master pid); stopped on exit."""
    port = _free_port()
    proc = get_context("spawn").Process(target=_run_server, args=(kind, port, workers, db), daemon=False)
    proc.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline or not proc.is_alive():
                raise RuntimeError(f"the {kind} server did not start on port {port}")
            time.sleep(0.1)
        yield port, proc.pid
    finally:
        proc.terminate()  # gunicorn's master stops its workers on SIGTERM
        proc.join(20)
        if proc.is_alive():
            proc.kill()
            proc.join()


def _python_load(
    port: int, bodies: list[bytes], seconds: float, offset: int, stride: int = 1
) -> tuple[int, int, float]:
    """One client of the Python load generator: requests back to back until time is up; (ok, errors, seconds).

    Client k of n sends bodies k, k + n, k + 2n…: no two clients send the same body before the list wraps."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
    ok = errors = 0
    i = offset
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        try:
            conn.request("POST", ASK_PATH, bodies[i % len(bodies)], headers)
            response = conn.getresponse()
            response.read()
            ok += response.status == 200
            errors += response.status != 200
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
        i += stride
    elapsed = time.perf_counter() - t0
    conn.close()
    return ok, errors, elapsed


def _warm_up(port: int, bodies: list[bytes], concurrent: int) -> None:
    """Send requests at once, twice, and wait for the answers: every sync worker gets one and builds its bot."""
    from concurrent.futures import ThreadPoolExecutor

    def one(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        try:
            conn.request("POST", ASK_PATH, bodies[i % len(bodies)], {"Content-Type": "application/json"})
            conn.getresponse().read()
        finally:
            conn.close()

    with ThreadPoolExecutor(concurrent) as pool:
        for _ in range(2):
            list(pool.map(one, range(concurrent)))


def python_load(port: int, bodies: list[bytes], seconds: float, clients: int) -> tuple[float, int]:
    """Requests per second with `clients` processes (keep-alive where the server allows); (rate, errors)."""
    with ProcessPoolExecutor(clients, mp_context=get_context("spawn")) as pool:
        results = list(
            pool.map(
                _python_load,
                [port] * clients,
                [bodies] * clients,
                [seconds] * clients,
                range(clients),
                [clients] * clients,
            )
        )
    return sum(ok / elapsed for ok, _, elapsed in results), sum(errors for _, errors, _ in results)


def wrk_load(port: int, bodies: list[bytes], seconds: float, clients: int) -> tuple[float, int]:
    """Requests per second measured by wrk (two threads), rotating through the bodies; (rate, errors).

    Thread 1 sends bodies 1, 3, 5…, thread 2 bodies 2, 4, 6…: no body is sent twice before the list wraps."""
    lines = ",\n".join(f"[==[{b.decode('ascii')}]==]" for b in bodies)
    script = (
        f"local bodies = {{\n{lines}\n}}\n"
        "local threads = 0\n"
        "function setup(thread)\n  thread:set('first', threads)\n  threads = threads + 1\nend\n"
        "function init(args)\n  i = first\nend\n"
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        "request = function()\n  local body = bodies[i % #bodies + 1]\n  i = i + 2\n"
        f'  return wrk.format(nil, "{ASK_PATH}", nil, body)\nend\n'
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", f.name,
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        ).stdout  # fmt: skip
    finally:
        Path(f.name).unlink()
    rate = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return rate, errors


@dataclass(frozen=True, slots=True)
class Throughput:
    name: str
    rate: float  # requests per second
    errors: int


@dataclass(frozen=True, slots=True)
class WorkerMemory:
    """One gunicorn worker's memory (MB): RSS counts pages shared with the master and the other workers,
    USS only the pages this worker alone holds, PSS its own pages plus its share of the shared ones."""

    rss: float
    uss: float
    pss: float


def workers_memory(master_pid: int) -> list[WorkerMemory]:
    import psutil

    out = []
    for child in psutil.Process(master_pid).children(recursive=True):
        info = child.memory_full_info()
        out.append(WorkerMemory(info.rss / 2**20, info.uss / 2**20, getattr(info, "pss", float("nan")) / 2**20))
    return out


def measure_worker_memory(
    db: str, bodies: list[bytes], seconds: float, workers: int, clients: int
) -> list[WorkerMemory]:
    """Start `gaoxin serve`'s gunicorn (preload) on a store, answer `bodies` for a while, and take each worker's memory."""
    load = wrk_load if shutil.which("wrk") else python_load
    with running_server("gaoxin", workers, db) as (port, pid):
        _warm_up(port, bodies, 2 * workers)
        load(port, bodies, seconds, clients)
        return workers_memory(pid)


def measure_http(
    db: str, mixes: dict[str, list[bytes]], seconds: float, workers: int, clients: int
) -> tuple[str, list[Throughput], list[WorkerMemory]]:
    """Hello world, then POST /api/v1/ask with each mix of bodies, under the same gunicorn settings.

    Returns the load generator used, the throughputs, and the memory of the gaoxin workers afterwards.
    """
    load = wrk_load if shutil.which("wrk") else python_load
    first = next(iter(mixes.values()))
    out: list[Throughput] = []
    worker_rss: list[WorkerMemory] = []
    for kind in ("hello", "gaoxin"):
        with running_server(kind, workers, db) as (port, pid):
            _warm_up(port, first, 2 * workers)
            load(port, first, min(seconds, 3.0), clients)
            for name, bodies in mixes.items() if kind == "gaoxin" else [("hello-world", first)]:
                rate, errors = load(port, bodies, seconds, clients)
                out.append(Throughput(name, rate, errors))
            if kind == "gaoxin":
                worker_rss = workers_memory(pid)
    return ("wrk" if load is wrk_load else "a Python client"), out, worker_rss


# ── the report ───────────────────────────────────────────────────────────────────────────────
def _measure_in_fresh_process(path: Path, n_facts: int, n_questions: int, budget_s: float | None) -> dict:
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(measure_store, str(path), n_facts, n_questions, budget_s).result()


def _ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:,.0f} ms" if ms >= 100 else f"{ms:.1f} ms" if ms >= 0.95 else f"{ms:.2f} ms"


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


P99_TARGET_MS = {100_000: 5.0, 1_000_000: 20.0}
ZONED_STYLES = ("card", "natural", "period", "short", "typo", "traditional", "pinyin", "unknown_metric")


def run_bot_bench(
    quick: bool = False,
    questions: int = 1000,
    sizes: Sequence[int] | None = None,
    http_seconds: float | None = None,
    budget_s: float | None = None,
    cache_dir: Path = CACHE_DIR,
) -> Iterator[str]:
    """Yield report lines: ask latency per store size, HTTP throughput against hello world, memory per worker."""
    gazetteer = load_gazetteer()
    sizes = tuple(sizes or ((100_000,) if quick else (100_000, 1_000_000)))
    http_seconds = http_seconds or (3.0 if quick else 10.0)
    measured = {}
    for n in sizes:
        t0 = time.perf_counter()
        existed = store_path(n, cache_dir=cache_dir).exists()
        path = cached_store(n, gazetteer, cache_dir=cache_dir)
        how = "cached" if existed else f"generated in {time.perf_counter() - t0:.0f} s"
        yield f"synthetic store, {_label(n)} facts: {path.name} in {path.parent} ({how})"
        budget = budget_s or (60.0 if quick else 120.0 if n <= 100_000 else 240.0)
        r = measured[n] = _measure_in_fresh_process(path, n, questions, budget)
        timings: list[Timing] = r["timings"]
        seconds = [t.seconds for t in timings]
        weights = mix_weights(timings)
        p50, p99, base = percentile(seconds, 50, weights), percentile(seconds, 99, weights), r["baseline_s"]
        target = f"; target p99 ≤ {P99_TARGET_MS[n]:.0f} ms" if n in P99_TARGET_MS else ""
        yield (
            f"ask latency {_label(n)} facts: p50 {_ms(p50)}, p99 {_ms(p99)} over the question mix "
            f"(plain rapidfuzz scan of {r['strings']:,} metric strings: {_ms(base)}; p50 is {p50 / base:.3f}× "
            f"and p99 {p99 / base:.3f}× of it{target})"
        )
        zoned = [t for t in timings if t.question.style in ZONED_STYLES]
        if zoned:
            zs = [t.seconds for t in zoned]
            zw = mix_weights(zoned)
            zp50, zp99 = percentile(zs, 50, zw), percentile(zs, 99, zw)
            yield (
                f"  questions that name a zone: p50 {_ms(zp50)}, p99 {_ms(zp99)} "
                f"({zp50 / base:.3f}× and {zp99 / base:.3f}× of the scan)"
            )
        by_style: dict[str, list[Timing]] = defaultdict(list)
        for t in timings:
            by_style[t.question.style].append(t)
        parts = []
        for style, _ in STYLES:
            ts = by_style.get(style, [])
            if ts:
                xs = [t.seconds for t in ts]
                judged = [t.right for t in ts if t.right is not None]
                right = f", {sum(judged)}/{len(judged)} right" if judged else ""
                parts.append(f"{style} {_ms(percentile(xs, 50))}/{_ms(percentile(xs, 99))} (n={len(ts)}{right})")
        yield "  p50/p99 by style: " + "; ".join(parts)
        slowest = sorted(timings, key=lambda t: -t.seconds)[:5]
        yield "  slowest: " + "; ".join(f"{_ms(t.seconds)} {t.question.style} {t.question.text}" for t in slowest)
        yield (
            f"  {len(timings)} questions timed in a {budget:.0f} s budget (a style stops after its share of it; "
            f"p50/p99 weigh styles by their share of the mix); index built in {r['build_s']:.1f} s"
        )
    workers = int(settings.WORKERS.get())
    for n in sizes:
        yield (
            f"in-process RSS at {_label(n)} facts (the latency process, not a gunicorn worker): "
            f"{measured[n]['rss_mb']:.0f} MB after building the bot and answering the timed questions "
            f"({measured[n]['rss_start_mb']:.0f} MB before the store was opened)"
        )
    http_size = min(sizes)
    plans = plan_zones(http_size, gazetteer)
    asked = synthetic_questions(plans, 400, SEED + 2, gazetteer)
    repeating = [_body(q) for q in asked if q.style in ZONED_STYLES][:200]
    distinct = distinct_bodies(plans, gazetteer, exclude=set(repeating))
    mixes = {"repeating: 200 zone questions over and over, reply-cache hits": repeating}
    if not quick:
        mixes["repeating: 200 questions of the whole mix, reply-cache hits"] = [_body(q) for q in asked[:200]]
    mixes[f"all distinct: {len(distinct):,} questions of the whole mix, reply-cache misses"] = distinct
    db = str(cached_store(http_size, gazetteer, cache_dir=cache_dir))
    tool, results, worker_mem = measure_http(db, mixes, http_seconds, workers, 8)
    hello = results[0]
    for r in results[1:]:
        wrapped = ""
        if r.name.startswith("all distinct") and r.rate * http_seconds > len(distinct):
            wrapped = f" — the list wrapped: {r.rate * http_seconds:,.0f} requests > {len(distinct):,} questions"
        yield (
            f"HTTP {ASK_PATH} ({_label(http_size)} facts, {r.name}): {r.rate:,.1f} req/s vs hello-world "
            f"{hello.rate:,.0f} req/s = {r.rate / hello.rate if hello.rate else 0:.2f}× (target ≥ 0.8×){wrapped}"
        )
    errors = sum(r.errors for r in results)
    yield (
        f"  gunicorn: {workers} sync workers with preload_app for both apps, loopback, load by {tool} with 8 "
        f"connections, {http_seconds:.0f} s per run after a warm-up; {errors} errors"
    )
    memory = {http_size: worker_mem}
    if not quick and max(sizes) != http_size:
        big = max(sizes)
        big_plans = plan_zones(big, gazetteer)
        memory[big] = measure_worker_memory(
            str(cached_store(big, gazetteer, cache_dir=cache_dir)),
            distinct_bodies(big_plans, gazetteer, exclude=set()),
            http_seconds,
            workers,
            8,
        )
    for n, mem in memory.items():
        if not mem:
            continue
        yield (
            f"memory per worker at {_label(n)} facts (gunicorn, {workers} sync workers, preload_app, after answering "
            f"distinct questions): PSS {_mbs(m.pss for m in mem)} MB (own pages + a share of the shared ones; "
            f"target ≤ 200 MB), USS {_mbs(m.uss for m in mem)} MB (pages no other process has), "
            f"RSS {_mbs(m.rss for m in mem)} MB (counts every shared page in full)"
        )


def _mbs(values) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


def distinct_bodies(
    plans: Sequence[ZonePlan], gazetteer: Gazetteer, exclude: set[bytes], n: int = 12_000
) -> list[bytes]:
    """Request bodies of questions in the whole mix, each once (none of `exclude`): every one a reply-cache miss."""
    out = dict.fromkeys(_body(q) for q in synthetic_questions(plans, n, SEED + 3, gazetteer))
    return [b for b in out if b not in exclude]


def _body(q: BenchQuestion) -> bytes:
    return json.dumps({"q": q.text}).encode("ascii")

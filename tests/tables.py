"""Stores made of a few facts, for comparisons and series (rankings of many zones, one zone over the years)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from annotate.indicators import indicator_reader
from store import NewArticle, NewDocument, NewFact, Store


class Row(NamedTuple):
    zone: str
    metric: str
    value: float
    unit: str
    period: str | None = "2023"
    kind: str = "level"
    status: str = "candidate"
    value_text: str | None = None


# Thirteen national high-tech zones the gazetteer knows, for a ranking longer than a chat shows.
ZONES = ("西安高新区", "大连高新区", "沈阳高新区", "大庆高新区", "绵阳高新区", "青岛高新区", "潍坊高新区", "佛山高新区",
         "兰州高新区", "洛阳高新区", "宜昌高新区", "株洲高新区", "杭州高新区")  # fmt: skip


def store_of(rows: list[Row], path: Path | None = None, *, url: str | None = None, title: str = "数据") -> Store:
    """A store holding `rows` as facts of one document (with `url` in its metadata); verified rows are verified."""
    store = Store.open(path) if path else Store.memory()
    facts, text = [], ""
    for r in rows:
        printed = r.value_text or f"{r.value:g}{r.unit}"
        quote = f"{r.zone}{r.metric}{printed}。"
        start = len(text) + len(quote) - 1 - len(printed)
        facts.append(
            NewFact(0, title, r.zone, None, r.metric, r.value, r.unit, "exact", r.period, r.kind, quote, printed,
                    start, start + len(printed), len(text), len(text) + len(quote), 0.9, "test",
                    indicator=indicator_reader().code(r.metric, r.kind, r.unit))
        )  # fmt: skip
        text += quote
    doc = NewDocument("a.txt", "a.txt", "sha-" + str(len(text)), "utf-8", len(text), text, url=url)
    store.ingest_document(doc, [NewArticle(0, title, None, None, 0, 0, len(text))], facts)
    verified = [f.id for f in store.facts() if any((f.zone, f.value) == (r.zone, r.value) and r.status == "verified"
                                                   for r in rows)]  # fmt: skip
    for fact_id in verified:
        store.db.execute("UPDATE facts SET status='verified' WHERE id=?", [fact_id])
    store.db.conn.commit()
    return store


def ranking_rows(n: int = 13, metric: str = "高新技术企业数量", verified: int = 2) -> list[Row]:
    """`n` zones' counts of high-tech firms (the first `verified` of them checked), largest first."""
    return [
        Row(zone, metric, 1000 - 50 * i, "家", str(2020 + i % 4), status="verified" if i < verified else "candidate")
        for i, zone in enumerate(ZONES[:n])
    ]


SERIES_ROWS = [
    Row("苏州工业园区", "地区生产总值", 3515.6, "亿元", "2022"),
    Row("苏州工业园区", "地区生产总值", 3686.5, "亿元", "2023", status="verified"),
    Row("苏州工业园区", "地区生产总值", 3812.6, "亿元", "2024"),
    Row("苏州工业园区", "地区生产总值", 1890.2, "亿元", "2025-1~6"),  # half a year: no point of a yearly series
    Row("苏州工业园区", "地区生产总值增长", 5.9, "%", "2024", kind="growth"),  # its growth: another measure
    Row("苏州工业园区", "新增高新技术企业数量", 512, "家", "2023"),  # a flow
    Row("苏州工业园区", "高新技术企业总数", 2843, "家", "2023"),
    Row("无锡高新区", "地区生产总值", 2500.0, "亿元", "2021"),  # another zone
    Row("无锡高新区", "地区生产总值", 2600.0, "亿元", "2022"),
]

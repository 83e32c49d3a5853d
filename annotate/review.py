"""Facts ⇄ Label Studio tasks: passages with pre-annotations out, annotators' decisions back.

Pure: no SDK, no SQL. Offsets in a task are code points into the passage; the passage's start in
the file turns them into file offsets. Label Studio checks none of them, so every region that
comes back is checked against the passage text, and refused (with a reason) when it does not match.

The labeling view (config/labeling.xml): the article's title, zone, date and source once at the top, the zone and
date editable there (task-level `article_zone`, `article_date`); each candidate one 数值 region whose fields are
per-region controls. Results made with the first view (指标/园区/时间/主体 spans linked to the 数值 by relations) are
still read: a linked span fills a field the region left empty.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import AnnotateError
from .extract import EXTRACTOR_VERSION
from .indicators import fold
from .meta import parse_date
from .numbers import find_quantities, parse_chinese_number
from .page import short_form
from .vocab import indicators

VALUE, METRIC, ZONE, PERIOD, ENTITY = "数值", "指标", "园区", "时间", "主体"
QUALIFIERS = {"exact": "精确", "more_than": "超过", "about": "约", "at_least": "至少", "less_than": "不足"}
KINDS = {"level": "水平", "growth": "增长", "share": "占比", "rank": "排名", "target": "目标", "other": "其他"}
ACCEPT, REJECT = "正确", "错误"
# Where an article's zone was found, as the task says it (annotate/page.py's sources).
ZONE_SOURCES = {"metadata": "元数据", "headline": "标题", "source line": "来源行", "dateline": "电头",
                "body": "正文", "english": "英文名称", "dateline place": "电头地名", "menu place": "导航地名"}  # fmt: skip
EDITABLE = ("metric", "value", "unit", "qualifier", "period", "kind", "zone", "indicator")
ARTICLE_ZONE, ARTICLE_DATE = "article_zone", "article_date"  # the task-level fields (no region)


@dataclass(frozen=True, slots=True)
class PassageFact:
    id: int
    start: int  # file offsets of the value
    end: int
    value_text: str
    metric: str
    value: float
    unit: str
    qualifier: str
    period: str | None
    kind: str
    zone: str | None
    entity: str | None
    confidence: float | None = None  # the extractor's: the prediction's score
    indicator: str | None = None  # code of config/indicators.toml


@dataclass(frozen=True, slots=True)
class Passage:
    """A stretch of one article (a paragraph) holding candidate facts: one Label Studio task."""

    doc: str
    start: int  # file offsets
    end: int
    text: str
    title: str
    zone: str | None
    facts: tuple[PassageFact, ...]
    zone_source: str | None = None  # where the article's zone was found (annotate/page.py), None: not found
    published: str | None = None  # the page's date: an annotator's correction, else its metadata
    article_idx: int | None = None  # which article of the file (None: not known, the article fields are not read)
    found_zone: str | None = None  # the zone ingest found (`zone` may be an annotator's correction)
    source: str | None = None  # the page's publisher or address
    found_published: str | None = None  # the metadata's date (`published` may be an annotator's correction)
    published_corrected: bool = False  # `published` is an annotator's (the file may have been read with it since)

    @property
    def key(self) -> str:
        return f"{self.doc}:{self.start}-{self.end}"


@dataclass(frozen=True, slots=True)
class Decision:
    """What one annotation says about one fact (fact_id None: a fact the annotator added)."""

    fact_id: int | None
    action: str  # verified | corrected | rejected | added
    fields: dict[str, object] = field(default_factory=dict)  # corrected or added fields, file offsets included


@dataclass(frozen=True, slots=True)
class ArticleDecision:
    """What one annotation says about its task's article: a zone or date other than the one found (None: as found)."""

    zone: str | None = None
    published: str | None = None


def region_id(fact_id: int, part: str = "") -> str:
    return f"f{fact_id}{part}"


def task_for(passage: Passage) -> dict:
    """A task with the passage, its article's title, zone, date and source, and the candidates as one prediction."""
    found = ZONE_SOURCES.get(passage.zone_source or "", passage.zone_source or "")
    corrected = passage.article_idx is not None and passage.found_zone != passage.zone
    if corrected:
        where = f"园区已更正(原为{passage.found_zone or '未知'})"
    elif passage.zone:
        where = f"园区据{found}找到" if found else "园区已知"
    else:
        where = "园区未知(没有找到,请在下方填写)"
    # the zone and date themselves are the editable boxes under this line (config/labeling.xml)
    about = f"{where}  ·  来源:{passage.source or '未知'}  ·  文件:{passage.doc}  ·  位置:{passage.start}-{passage.end}"
    return {
        "data": {
            "text": passage.text,
            "title": passage.title,
            "about": about,
            "zone": passage.zone or "",
            "zone_found_in": "已更正" if corrected else found or "未知",  # Data Manager: filter the unknown zones
            "published": passage.published or "",
            "source": passage.source or "",
            "doc": passage.doc,
            "passage_start": passage.start,
            "passage_end": passage.end,
            "fact_ids": [f.id for f in passage.facts],
        },
        "predictions": [prediction_for(passage)],
    }


def prediction_for(passage: Passage) -> dict:
    """Every candidate as one 数值 region with its fields, the article's zone and date; scored by the least sure
    candidate (the extractor's confidence), so that annotators can take the least certain tasks first."""
    result: list[dict] = []
    for name, text in ((ARTICLE_ZONE, passage.zone), (ARTICLE_DATE, passage.published)):
        if text:
            result.append({"id": name, "from_name": name, "to_name": "text", "type": "textarea",
                           "value": {"text": [text]}})  # fmt: skip
    names = {i.code: i.name for i in indicators().indicators}
    for f in passage.facts:
        s, e = f.start - passage.start, f.end - passage.start
        rid = region_id(f.id)
        span = {"start": s, "end": e, "text": passage.text[s:e]}
        score = {"score": f.confidence} if f.confidence is not None else {}
        result.append({**_item(rid, "label", "labels", {**span, "labels": [VALUE]}), **score})
        for name, text in (
            ("metric", f.metric), ("value", _number(f.value)), ("unit", f.unit),
            ("period", f.period or ""), ("zone", f.zone or ""),
        ):  # fmt: skip
            result.append(_item(rid, name, "textarea", {**span, "text": [text]}))
        result.append(_item(rid, "qualifier", "choices", {**span, "choices": [QUALIFIERS.get(f.qualifier, "精确")]}))
        result.append(_item(rid, "kind", "choices", {**span, "choices": [KINDS.get(f.kind, "其他")]}))
        result.append(_item(rid, "indicator", "textarea", {**span, "text": [names.get(f.indicator or "", "")]}))
    scores = [f.confidence for f in passage.facts if f.confidence is not None]
    return {"model_version": EXTRACTOR_VERSION, "score": round(min(scores), 4) if scores else 0.0, "result": result}


def prediction_hash(passage: Passage) -> str:
    return hashlib.sha256(json.dumps(task_for(passage), ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def _item(rid: str, from_name: str, kind: str, value: dict) -> dict:
    return {"id": rid, "from_name": from_name, "to_name": "text", "type": kind, "value": value}


def _number(value: float) -> str:
    """The value in plain digits that read back as exactly the same float: accepting it as shown changes nothing.

    Not `:g`, which rounds to six digits (1234.5678 → 1234.57, 12345678.9 → 1.23457e+07).
    """
    if float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(float(value))), "f")  # repr: the shortest text of the float; "f": no exponent


# ── reading annotations ──────────────────────────────────────────────────────────────────────
def result_hash(result: list[dict]) -> str:
    return hashlib.sha256(json.dumps(result, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def read_annotation(
    result: list[dict], passage: Passage, *, from_prediction: bool = False
) -> tuple[list[Decision], list[str]]:
    """Turn an annotation's result into decisions about the passage's facts, and reasons for what was refused.

    `from_prediction`: Label Studio says the annotation was started from the prediction (`parent_prediction`),
    so a candidate without its region in the result was deleted, even if no predicted region is left.
    """
    regions: dict[str, dict[str, dict]] = {}
    relations: dict[str, list[str]] = {}
    refused: list[str] = []
    for item in result if isinstance(result, list) else []:
        if not isinstance(item, dict):
            refused.append("an item of the result is not an object")
            continue
        if item.get("type") == "relation":
            relations.setdefault(str(item.get("from_id")), []).append(str(item.get("to_id")))
            continue
        rid, name, value = item.get("id"), item.get("from_name"), item.get("value")
        if not isinstance(rid, str) or not isinstance(value, dict):
            refused.append(f"region {rid!r}: no id or no value")
            continue
        regions.setdefault(rid, {})[str(name)] = value
    by_id = {region_id(f.id): f for f in passage.facts}
    decisions: list[Decision] = []
    seen: set[int] = set()
    # An empty result is every predicted region deleted ("deleting a predicted region rejects its candidate",
    # all of them included); a result made only of new regions, not started from the prediction, judges none.
    kept_a_predicted_region = any(
        (it.get("origin") == "prediction") or str(it.get("id", "")) in by_id for it in result if isinstance(it, dict)
    )
    based_on_prediction = from_prediction or result == [] or kept_a_predicted_region
    for rid, parts in regions.items():
        label = parts.get("label", {})
        if VALUE not in (label.get("labels") or []):
            continue
        span = _checked_span(label, passage)
        if isinstance(span, str):
            refused.append(f"region {rid}: {span}")
            if rid in by_id:
                seen.add(by_id[rid].id)  # refused, not deleted: the fact stays as it was
            continue
        start, end = span
        fact = by_id.get(rid) or next((f for f in passage.facts if (f.start, f.end) == (start, end)), None)
        if fact is not None:
            seen.add(fact.id)
        verdict = (parts.get("verdict", {}).get("choices") or [None])[0]
        if verdict == REJECT:
            if fact is not None:
                decisions.append(Decision(fact.id, "rejected"))
            continue
        fields = _fields(parts, regions, relations.get(rid, []), passage)
        if isinstance(fields, str):  # refused, not deleted: the fact stays as it was
            refused.append(f"region {rid}: {fields}")
            continue
        if fact is not None:
            changed = {k: v for k, v in fields.items() if _differs(getattr(fact, k), v)}
            decisions.append(Decision(fact.id, "corrected" if changed else "verified", changed))
            continue
        added = _added(fields, start, end, passage)
        if isinstance(added, str):
            refused.append(f"region {rid}: {added}")
        else:
            decisions.append(Decision(None, "added", added))
    if based_on_prediction:  # a predicted value the annotator deleted is a rejected candidate
        decisions += [Decision(f.id, "rejected") for f in passage.facts if f.id not in seen]
    return decisions, refused


def _checked_span(value: dict, passage: Passage) -> tuple[int, int] | str:
    start, end, text = value.get("start"), value.get("end"), value.get("text")
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
        return "start/end are not whole numbers"
    if not 0 <= start < end <= len(passage.text):
        return f"span {start}-{end} is outside the passage (0-{len(passage.text)})"
    if text is not None and passage.text[start:end] != text:
        return f"text {text!r} is not what the passage has at {start}-{end} ({passage.text[start:end]!r})"
    return passage.start + start, passage.start + end


def _fields(
    parts: dict[str, dict], regions: dict[str, dict[str, dict]], related: list[str], passage: Passage
) -> dict | str:
    """The fields the annotator set on a region, or why they cannot be taken (a value that is no finite number)."""
    out: dict[str, object] = {}
    for name in ("metric", "value", "unit", "period", "zone", "indicator"):
        texts = parts.get(name, {}).get("text")
        if isinstance(texts, list) and texts and isinstance(texts[0], str) and texts[0].strip():
            out[name] = texts[0].strip()
        elif isinstance(texts, str) and texts.strip():
            out[name] = texts.strip()
    for name, table in (("qualifier", QUALIFIERS), ("kind", KINDS)):
        choice = (parts.get(name, {}).get("choices") or [None])[0]
        back = {v: k for k, v in table.items()}
        if choice in back:
            out[name] = back[choice]
    if "indicator" in out:  # a name, alias or code of the catalogue
        code = _indicator_code(str(out["indicator"]))
        if code is None:
            return f"the indicator {out['indicator']!r} is not in config/indicators.toml (name, alias or code)"
        out["indicator"] = code
    if "value" in out:
        value = _finite(str(out["value"]))
        if value is None:  # inf, nan, 1e999 would be answered as "inf万元 ✅已核实"
            return f"the value {out['value']!r} is not a finite number"
        out["value"] = value
    for rid in related:  # a linked span fills a field the annotator left to it
        label = regions.get(rid, {}).get("label", {})
        labels = label.get("labels") or []
        text = label.get("text")
        if not isinstance(text, str):
            continue
        for tag, name in ((METRIC, "metric"), (ZONE, "zone"), (PERIOD, "period"), (ENTITY, "entity")):
            if tag in labels and name not in out:
                out[name] = text
    return out


def _indicator_code(text: str) -> str | None:
    """An indicator as typed in the view (its name, an alias or its code; width, case and spaces aside) → its code."""
    typed = fold(text)
    for indicator in indicators().indicators:
        if typed == indicator.code.lower() or typed in {fold(n) for n in (indicator.name, *indicator.aliases)}:
            return indicator.code
    return None


def read_article(result: list[dict], passage: Passage) -> tuple[ArticleDecision | None, list[str]]:
    """The article's zone and date as the annotator left them at the top of the task, where they differ from what
    ingest found; and reasons for what was refused (a date that is no date).

    A zone equal to the one found says nothing, even where another annotator has corrected it since (a task
    opened before that correction shows the zone found): to undo a correction, delete its annotation or correct
    it again."""
    texts: dict[str, str] = {}
    for item in result if isinstance(result, list) else []:
        if isinstance(item, dict) and item.get("from_name") in (ARTICLE_ZONE, ARTICLE_DATE):
            value = item.get("value")
            text = value.get("text") if isinstance(value, dict) else None
            text = text[0] if isinstance(text, list) and text else text
            if isinstance(text, str) and text.strip():
                texts[str(item["from_name"])] = text.strip()
    refused: list[str] = []
    zone = short_form(texts[ARTICLE_ZONE]) if ARTICLE_ZONE in texts else None
    if zone is not None and (why := _not_a_zone(zone)):
        refused.append(f"article zone {zone!r} {why}")
        zone = None
    from_store = passage.article_idx is not None  # then found_zone and found_published are what ingest found
    found_zone = passage.found_zone if from_store else passage.zone
    published = None
    if ARTICLE_DATE in texts:
        try:
            published = parse_date(texts[ARTICLE_DATE])
        except AnnotateError:
            refused.append(f"article date {texts[ARTICLE_DATE]!r} is not a date (write it as 2024-12-05)")
    found_date = passage.found_published if from_store else passage.published
    # Once the file is read with a corrected date that date is the one found; typed again, it still says so.
    restated = passage.published_corrected and published == passage.published
    decision = ArticleDecision(
        zone if zone and zone != found_zone else None,
        published if published and (published != found_date or restated) else None,
    )
    return (decision if decision.zone or decision.published else None), refused


def _not_a_zone(zone: str) -> str | None:
    """Why a typed article zone cannot be one (it would become the zone of every fact that inherits it), or None."""
    if len(zone) > 30 or not re.search(r"[\u4e00-\u9fff]", zone):
        return "is not a zone name (Chinese, at most 30 characters)"
    if zone in ("全国", "未知"):  # 全国 is never an article's zone (README); 未知 is what the empty box says
        return "is not a zone: leave the box as it was, or type the zone"
    return None


_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _finite(text: str) -> float | None:
    """A typed value as a float: digits (thousands commas allowed) and nothing else, finite."""
    plain = text.replace(",", "").replace("，", "").strip()
    if not _DECIMAL.fullmatch(plain):
        return None
    value = float(plain)
    return value if math.isfinite(value) else None


def _differs(old: object, new: object) -> bool:
    if isinstance(old, float) or isinstance(new, float):
        try:
            return abs(float(old) - float(new)) > 1e-9  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return True
    return (old or "") != (new or "")


def _added(fields: dict, start: int, end: int, passage: Passage) -> dict | str:
    printed = passage.text[start - passage.start : end - passage.start]
    if "value" not in fields or "unit" not in fields:
        found = find_quantities(printed)
        if found:
            fields.setdefault("value", found[0].value)
            fields.setdefault("unit", found[0].unit)
            fields.setdefault("qualifier", found[0].qualifier)
    if "value" not in fields:  # a unit the extractor does not know (4级): the annotator's span still holds the number
        plain = re.search(r"\d+(?:\.\d+)?", printed.replace(",", ""))
        if plain:
            fields["value"] = float(plain.group())
        elif (cn := re.match(r"[零一二两三四五六七八九十百千万]+", printed)) and (
            n := parse_chinese_number(cn.group())
        ) is not None:
            fields["value"] = n
    if "value" not in fields:
        return f"no number in {printed!r} and no value given"
    if not fields.get("metric"):
        return "a new fact needs a metric name"
    sentence = _sentence(passage.text, start - passage.start, end - passage.start)
    return {
        "metric": fields["metric"], "value": fields["value"], "unit": fields.get("unit", ""),
        "qualifier": fields.get("qualifier", "exact"), "period": fields.get("period"), "kind": fields.get("kind", "level"),
        "zone": fields.get("zone") or passage.zone, "entity": fields.get("entity"), "indicator": fields.get("indicator"),
        "start": start, "end": end, "value_text": printed,
        "quote": sentence[0], "quote_start": passage.start + sentence[1], "quote_end": passage.start + sentence[2],
    }  # fmt: skip


def _sentence(text: str, start: int, end: int) -> tuple[str, int, int]:
    left = max((m.end() for m in re.finditer(r"[。!?;!?；\n]", text[:start])), default=0)
    right = next((m.start() + 1 for m in re.finditer(r"[。!?;!?；\n]", text[end:])), len(text) - end) + end
    return text[left:right].strip(), left, right

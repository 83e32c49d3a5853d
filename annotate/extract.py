"""Extracting candidate numeric facts from articles: zone, metric, value, unit, qualifier, period, kind.

Each quantity found on the raw characters (numbers.py) becomes a fact when its clause names what
it measures. The metric is the noun phrase before the number (cut on jieba word boundaries and
stripped of times, zone names and verbs), the noun after it (涉及673家绿色工厂), or, for a bare
predicate (同比增长26.7%, 占楚雄市的87.9%, 分别达81.1%、82.2%), built from the subject it refers to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import jieba
from rapidfuzz import fuzz

from .gazetteer import Gazetteer, Mention, load_gazetteer
from .numbers import COUNT_UNITS, Quantity, bare_scale_unit, find_quantities
from .segment import Article, segment
from .text import Folded, SourceText, fold

EXTRACTOR_VERSION = "gaoxin-extract-1"

_SENTENCE_END = "。!?"
_CLAUSE_END = ",;:" + _SENTENCE_END
_PERIOD = re.compile(
    r"(?P<range>(?P<y1>\d{4})年(?P<m1>\d{1,2})\s*[-~—–至到]\s*(?P<m2>\d{1,2})月)"
    r"|(?P<yend>(?P<y2>\d{4})年(?:年)?(?:底|末))"
    r"|(?P<ypart>(?P<y3>\d{4})年(?:前三季度|上半年|下半年|第?[一二三四]季度))"
    r"|(?P<since>\d{4}年以来)"
    r"|(?P<year>(?P<y4>\d{4})年(?:度)?)"
    r"|(?P<mrange>(?P<m3>\d{1,2})\s*[-~—–至到]\s*(?P<m4>\d{1,2})月)"
    r"|(?P<word>截至目前|目前|当前|今年|去年|上年|全年|每年|近\d+年|近[一二两三四五六七八九十]年|“?十[三四五]五”?期间|“十[三四五]五”)"
)
_NATIONAL_SUBJECT = re.compile(r"工信部|工业和信息化部|科技部|国务院|发改委|商务部|财政部|全国|我国|火炬中心")
_GROWTH = re.compile(r"(同比)?(增长|增速|增幅|提高|提升|下降|减少|回落|降低|净增|增加(?!值))")
_TARGET = re.compile(r"力争|目标|计划|预计|预期|争取|确保|有望|拟")
_SHARE_PRED = re.compile(r"占.{0,12}?(?:的)?(?:比重|比例)?$")

# Word lists for trimming a metric phrase (jieba tokens).
_LEAD_STOP = {
    "其中", "同时", "此外", "另外", "并", "并且", "和", "及", "以及", "与", "共", "全区", "园区", "该区", "区内",
    "高新区", "全市", "今年", "去年", "全年", "目前", "截至", "当前", "已", "已经", "还", "也", "都", "通过",
    "而", "且", "则", "其", "在", "从", "对", "将", "由", "把", "为", "这", "该", "一年", "年内", "期间",
    "上年", "年", "以来", "来", "是", "有", "成功", "进一步", "这家", "企业", "这些",
}
_LEAD_KEEP_BEFORE_NOUN = {"企业"}  # 企业 leads a phrase only when nothing else follows it
_TRAIL_STOP = {
    "达到", "达", "为", "是", "实现", "完成", "共计", "共", "总计", "合计", "有", "拥有", "已", "了", "的",
    "约", "均", "高达", "达成", "增至", "降至", "升至", "提升至", "提高到", "缩减", "缩减至", "压缩", "压缩至",
    "缩短", "缩短至", "至", "到", "在", "仅", "就", "也", "都", "再", "又", "已达", "累计达", "突破", "超过",
    "年均", "占", "保持", "大幅", "最短", "分别", "将", "由", "涉及", "包括", "新", "共有", "均为", "等",
    "较", "比", "同比", "由原来", "从", "达到了", "实现了", "完成了", "以", "获得", "拿出", "引进", "设立",
    "投入", "带动", "吸引", "累计", "合计达", "总", "总计达", "当年", "共有", "全部", "各类", "高居",
}
_MODIFIERS = {"首批", "新增", "累计", "共", "全部", "其中", "新", "净增", "新认定", "引进", "签约", "新建"}
_GENERIC = {"总数", "总量", "总额", "总计", "总规模", "规模", "数量", "增长", "同比增长", "增速", "增幅", "占比", "比重"}
_RIGHT_STOP = re.compile(r"[的,;:。!?、()“”\"《》]|进行|获得|成功|正式|通过|入区|落户|参加|实现|完成|签约|落地|投入|被|在|到|与|和|及|是|为|共|累计")
_COUNT_SUFFIX = ("数", "量", "数量", "总数", "总量", "个数", "家数", "户数", "人数")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A machine-extracted fact, with exact provenance in the source file."""

    doc: str
    article: str
    article_index: int
    zone: str | None
    entity: str | None
    metric: str
    value: float
    unit: str
    qualifier: str
    period: str | None
    kind: str
    quote: str
    value_text: str
    start: int
    end: int
    quote_start: int
    quote_end: int
    confidence: float
    extractor_version: str = EXTRACTOR_VERSION

    def as_json(self) -> dict[str, object]:
        """The evaluation interface's fields (gaoxin extract --json)."""
        value: float | int = int(self.value) if self.value.is_integer() else self.value
        return {
            "doc": self.doc, "article": self.article, "zone": self.zone, "entity": self.entity,
            "metric": self.metric, "value": value, "unit": self.unit, "qualifier": self.qualifier,
            "period": self.period, "kind": self.kind, "quote": self.quote, "value_text": self.value_text,
            "start": self.start, "end": self.end, "confidence": self.confidence,
            "extractor_version": self.extractor_version,
        }


@dataclass(frozen=True, slots=True)
class _Found:
    q: Quantity
    metric: str
    base: str  # subject later predicates in the sentence refer to
    zone: str | None
    period: str | None
    kind: str
    quote: tuple[int, int]  # folded offsets
    confidence: float


class Extractor:
    """Turns a source text into articles and candidate facts; holds the gazetteer and the tokenizer."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gaz = gazetteer or load_gazetteer()

    @cached_property
    def tokenizer(self) -> jieba.Tokenizer:
        """One jieba tokenizer with every zone name as a word (jieba reads 高新区 as a person's name)."""
        tok = jieba.Tokenizer()
        tok.initialize()
        for z in self.gaz.zones:
            for form in self.gaz.text_forms(z):
                tok.add_word(form, freq=2000, tag="ns")
        for word in ("高新技术企业", "科技型中小企业", "专精特新", "研发投入强度", "技术合同成交额", "瞪羚企业",
                     "雏鹰企业", "独角兽企业", "隐形冠军", "规模以上", "地区生产总值", "营业总收入"):
            tok.add_word(word, freq=2000)
        return tok

    def words(self, text: str) -> list[str]:
        return [w for w in self.tokenizer.cut(text, HMM=False) if w.strip()]

    def articles(self, source: SourceText) -> list[Article]:
        return segment(source.text, self.gaz)

    def extract(self, source: SourceText, articles: list[Article] | None = None) -> list[Candidate]:
        """Every candidate fact in the file, repeated facts kept once (at their first occurrence)."""
        articles = articles if articles is not None else self.articles(source)
        out: list[Candidate] = []
        for article in articles:
            for pieces in article.paragraphs:
                folded = fold(source.text, list(pieces))
                for f in self._paragraph(folded, article):
                    out.append(self._candidate(source, article, folded, f))
        return _dedupe(out)

    def _candidate(self, source: SourceText, article: Article, folded: Folded, f: _Found) -> Candidate:
        start, end = folded.span(f.q.start, f.q.end)
        qs, qe = folded.span(*f.quote)
        unit = bare_scale_unit(f.q.unit, f.metric)
        return Candidate(
            doc=source.path.name, article=article.title, article_index=article.index, zone=f.zone,
            entity=None, metric=f.metric, value=f.q.value, unit=unit, qualifier=f.q.qualifier,
            period=f.period, kind=f.kind, quote=source.text[qs:qe], value_text=source.text[start:end],
            start=start, end=end, quote_start=qs, quote_end=qe, confidence=round(f.confidence, 2),
        )

    # ── one paragraph ─────────────────────────────────────────────────────────────────────────
    def _paragraph(self, folded: Folded, article: Article) -> list[_Found]:
        text = folded.text
        quantities = find_quantities(text)
        if not quantities:
            return []
        mentions = self.gaz.mentions(text)
        found: list[_Found] = []
        sentence_start = 0
        for end in [i for i, ch in enumerate(text) if ch in _SENTENCE_END] + [len(text)]:
            in_sentence = [q for q in quantities if sentence_start <= q.start < end + 1]
            if in_sentence:
                found += self._sentence(text, sentence_start, end + 1, in_sentence, mentions, article)
            sentence_start = end + 1
        return found

    def _sentence(
        self, text: str, s0: int, s1: int, qs: list[Quantity], mentions: list[Mention], article: Article
    ) -> list[_Found]:
        found: list[_Found] = []
        base = ""
        lists = self._distributive(text, s0, s1, qs)
        milestones = _milestones(text, qs)
        for i, q in enumerate(qs):
            if q in milestones:
                continue
            clause_start = _last_of(text, _CLAUSE_END, s0, q.start)
            clause_end = _next_of(text, _CLAUSE_END, q.end, s1)
            prev_end = max((p.end for p in qs[:i] if p.end <= q.start and p.start >= clause_start), default=clause_start)
            item_start = max(clause_start, prev_end, _last_of(text, "、", s0, q.start))
            left = text[item_start : q.start]
            right = text[q.end : clause_end]
            quote_start = clause_start
            confidence = 0.9
            if q in lists:
                metric, quote_start = lists[q]
                confidence = 0.75
            else:
                metric = self._left_metric(left)
                head = self._right_noun(right)
                if _is_modifier_only(metric) and head:
                    metric = metric + head
                    confidence = 0.7
                elif not metric and head and not _SHARE_PRED.search(left):
                    metric = head
                    confidence = 0.7
                elif (not metric or metric in _GENERIC or _GROWTH.fullmatch(metric)) and base:
                    metric = _join_base(base, metric or self._predicate(left))
                    confidence = 0.7
                elif _SHARE_PRED.search(left) and base and metric.startswith("占"):
                    metric = _join_base(base, metric)
                    confidence = 0.7
            if not metric or len(metric) < 2:
                continue
            if q.unit in COUNT_UNITS or q.unit.endswith(tuple(COUNT_UNITS)) and not q.unit.endswith("元"):
                if not metric.endswith(_COUNT_SUFFIX) and not _GROWTH.search(metric):
                    metric += "数量"
            kind = _kind(text[s0 : q.start], left, right, q, metric)
            if q not in lists and not _GROWTH.search(metric[-4:]) and not metric.startswith("占"):
                base = _strip_count(metric)
            found.append(
                _Found(
                    q=q,
                    metric=metric,
                    base=base,
                    zone=self._zone(text, s0, q, left, mentions, article),
                    period=_period(text[s0 : q.start]),
                    kind=kind,
                    quote=(quote_start, clause_end),
                    confidence=confidence - (0.1 if q.chinese else 0),
                )
            )
        return found

    def _left_metric(self, left: str) -> str:
        """The noun phrase before a number, without times, zone names, connectives and verbs."""
        left = _PERIOD.sub(" ", left)
        for m in sorted(self.gaz.mentions(left), key=lambda m: -m.start):
            left = left[: m.start] + " " + left[m.end :]
        left = re.sub(r"[“”\"《》()()]", "", left)
        left = left.split(" ")[-1] if " " in left.strip() else left.strip()
        words = self.words(left)
        while words and (words[0] in _LEAD_STOP and len(words) > 1 or not _has_han(words[0])):
            words.pop(0)
        while words and (words[-1] in _TRAIL_STOP or not _has_han(words[-1])):
            words.pop()
        return "".join(words)

    def _right_noun(self, right: str) -> str:
        """The noun a number counts (涉及673家绿色工厂 → 绿色工厂), up to the first verb or particle."""
        m = _RIGHT_STOP.search(right)
        head = right[: m.start()] if m else right
        head = head[:10]
        words = self.words(head)
        while words and words[-1] in _TRAIL_STOP:
            words.pop()
        return "".join(words) if words and _has_han(words[0]) else ""

    def _predicate(self, left: str) -> str:
        words = self.words(re.sub(r"[“”\"]", "", left))
        while words and words[-1] in _TRAIL_STOP - {"占"}:
            words.pop()
        return "".join(words)

    def _distributive(self, text: str, s0: int, s1: int, qs: list[Quantity]) -> dict[Quantity, tuple[str, int]]:
        """Pair 'A、B分别(为)x、y' lists: the n-th subject with the n-th value."""
        out: dict[Quantity, tuple[str, int]] = {}
        for m in re.finditer("分别", text[s0:s1]):
            pos = s0 + m.start()
            values = [q for q in qs if q.start > pos]
            if not values:
                continue
            run = [values[0]]
            for q in values[1:]:
                gap = text[run[-1].end : q.start]
                if re.fullmatch(r"[、和及与]|,?(?:和|及)", gap):
                    run.append(q)
                else:
                    break
            clause_start = _last_of(text, ",;:。!?", s0, pos)
            subjects_text = text[clause_start:pos]
            pred = text[m.end() : run[0].start]
            share = re.search(r"占.*$", subjects_text.split("、")[-1])
            if share:
                pred = share.group() + pred
                subjects_text = subjects_text[: len(subjects_text) - len(share.group())]
            subjects = [s for s in re.split(r"、|和|及", subjects_text) if s]
            if len(subjects) != len(run) or len(run) < 2:
                continue
            predicate = self._predicate(pred)
            for subject, q in zip(subjects, run):
                metric = self._left_metric(subject)
                if metric:
                    out[q] = (_join_base(metric, predicate), clause_start)
        return out

    def _zone(self, text: str, s0: int, q: Quantity, left: str, mentions: list[Mention], article: Article) -> str | None:
        before = [m for m in mentions if s0 <= m.start and m.end <= q.start]
        if before:
            last = before[-1]
            gap = text[last.end : q.num_start]
            if last.is_region:
                # 山东省160个开发区 names the region's own figure; 占楚雄市的87.9% does not.
                if len(gap) <= 2 and not text[last.start - 1 : last.start] in ("占", "在", "的"):
                    return last.name
                zones = [m for m in before if not m.is_region]
                if zones:
                    return zones[-1].name
            else:
                return last.name
        if _NATIONAL_SUBJECT.search(text[s0 : q.start]) and not before:
            return "全国"
        if re.search(r"\d+个(?:试点)?(?:国家)?高新区", text[q.start : q.end + 8]):
            return "全国"
        return article.zone


def _has_han(s: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in s) or s in ("GDP", "R&D")


def _is_modifier_only(metric: str) -> bool:
    return bool(metric) and all(part in _MODIFIERS for part in re.findall("首批|新增|累计|共|全部|其中|新|净增|新认定|引进|签约|新建", metric)) and re.fullmatch("(首批|新增|累计|共|全部|其中|新|净增|新认定|引进|签约|新建)+", metric) is not None


def _strip_count(metric: str) -> str:
    for suffix in ("数量", "总数"):
        if metric.endswith(suffix) and len(metric) > len(suffix) + 1:
            return metric[: -len(suffix)]
    return metric


def _join_base(base: str, predicate: str) -> str:
    """Join a subject and a bare predicate: 入库科技型中小企业 + 同比增长; X + 占楚雄市比重."""
    base = re.sub(r"^(新增|净增|新认定)", "", base) if predicate in ("总数", "总量") else base
    predicate = predicate.replace("的", "")
    if predicate.startswith("占") and not predicate.endswith(("比重", "比例")):
        predicate += "比重"
    return base + predicate


def _last_of(text: str, chars: str, lo: int, hi: int) -> int:
    for i in range(hi - 1, lo - 1, -1):
        if text[i] in chars:
            return i + 1
    return lo


def _next_of(text: str, chars: str, lo: int, hi: int) -> int:
    for i in range(lo, min(hi, len(text))):
        if text[i] in chars:
            return i
    return min(hi, len(text))


def _milestones(text: str, qs: list[Quantity]) -> set[Quantity]:
    """超过2000亿元、3000亿元大关: only the last milestone is the current figure."""
    out: set[Quantity] = set()
    for a, b in zip(qs, qs[1:]):
        if text[a.end : b.start] == "、" and text[b.end : b.end + 2] == "大关":
            out.add(a)
    return out


def _period(before: str) -> str | None:
    """The last time expression before the number in its sentence, in the gold's notation."""
    last = None
    for m in _PERIOD.finditer(before):
        last = m
    if last is None:
        return None
    g = last.groupdict()
    if g["range"]:
        return f"{g['y1']}-{int(g['m1'])}~{int(g['m2'])}"
    if g["yend"]:
        return last.group().replace("年年", "年")
    if g["year"]:
        # a month range after the year: 2021年1-9月
        return g["y4"]
    if g["word"]:
        word = last.group().strip("“”")
        return "截至目前" if word in ("目前", "当前") else word
    return last.group()


def _kind(sentence_left: str, left: str, right: str, q: Quantity, metric: str) -> str:
    if _TARGET.search(sentence_left):
        return "target"
    if q.rank:
        return "rank"
    if q.unit in ("倍",):
        return "other"
    if _GROWTH.search(left[-6:]) or _GROWTH.search(metric[-4:]) or re.match(r"(的)?增长", right):
        return "growth"
    if q.unit in ("%", "比例", "成", "‰", "个百分点") :
        return "share"
    if q.unit in ("个工作日", "天", "个月", "小时", "分钟", "年") or re.search(r"由$|压缩至$|缩减至$|缩短至$|降至$", left):
        return "other"
    return "level"


def _dedupe(cands: list[Candidate]) -> list[Candidate]:
    """A fact printed twice in a file (pull quotes, repeated paragraphs, headlines) is kept once."""
    kept: list[Candidate] = []
    for c in cands:
        duplicate = any(
            k.value == c.value and k.unit == c.unit and k.zone == c.zone
            and (fuzz.partial_ratio(k.metric, c.metric) >= 60 or fuzz.partial_ratio(k.quote, c.quote) >= 80)
            for k in kept
            if k.doc == c.doc and (k.start, k.end) != (c.start, c.end)
        )
        if not duplicate:
            kept.append(c)
    return kept


def extract_file(path: Path, extractor: Extractor | None = None) -> list[Candidate]:
    """Read a file and extract its candidates (convenience for scripts and tests)."""
    from .text import read_source

    return (extractor or Extractor()).extract(read_source(path))

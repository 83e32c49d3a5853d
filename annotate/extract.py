"""Extracting candidate numeric facts from articles: zone, metric, value, unit, qualifier, period, kind.

Each quantity found on the raw characters (numbers.py) becomes a fact when its clause names what
it measures. The metric is the noun phrase before the number (cut on jieba word boundaries and
stripped of times, zone names and verbs), the noun after it (涉及673家绿色工厂), or, for a bare
predicate (同比增长26.7%, 占楚雄市的87.9%, 分别达81.1%、82.2%), built from the subject it refers to.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

import jieba
import jieba.posseg
from rapidfuzz import fuzz

from .english import EnglishFact, english_period, is_english, read_english
from .gazetteer import Gazetteer, Mention, load_gazetteer
from .numbers import COUNT_UNITS, PREFIX_QUALIFIERS, Quantity, bare_scale_unit, find_quantities
from .page import page_date
from .segment import Article, segment
from .tables import TableValue, cell_tables, is_row, read_cell_table, read_table
from .text import Folded, SourceText, fold
from .vocab import alternation, page_words, vocab
from .words import pos_tokenizer_for, tokenizer_for

EXTRACTOR_VERSION = "gaoxin-extract-4"  # bump when the candidates change: stores re-read their files

_V = vocab()
_SCALE_CHARS = _V.units.scale_chars  # 万家 counts as 家 does
_SHARE_UNITS = _V.units.share
_PERIOD = re.compile(
    r"(?P<range>(?P<y1>\d{4})年(?P<m1>\d{1,2})\s*[-~—–至到]\s*(?P<m2>\d{1,2})月)"
    r"|(?P<yend>(?P<y2>\d{4})年(?:年)?(?:底|末))"
    rf"|(?P<ypart>(?P<y3>\d{{4}})年(?:{alternation(_V.part_months)}))"
    r"|(?P<since>\d{4}年以来)"
    r"|(?P<year>(?P<y4>\d{4})年(?:度)?)"
    r"|(?P<mrange>(?P<m3>\d{1,2})\s*[-~—–至到]\s*(?P<m4>\d{1,2})月)"
    rf"|(?P<part>(?:今年)?(?:{alternation(_V.part_months)}))"
    rf"|(?P<word>{alternation(_V.period_words, unless_ending=_V.not_periods)}"
    r"|近\d+年|近[一二两三四五六七八九十]年|“?十[三四五]五”?期间|“十[三四五]五”)"
)

# 今年, 去年, 上年: years counted back from the page's date where it is known; else kept as printed.
_RELATIVE_YEARS = {w: n for w, n in _V.relative_years.items() if w in _V.period_words}

_SENTENCE_END = "。!?"
_CLAUSE_END = ",;:|" + _SENTENCE_END  # | separates a table's label and value (研发投入强度 | 3.6%)
_BASELINE_BEFORE = re.compile(f"({alternation(_V.baseline_words)})$")  # 较2012年: a baseline
_RANK_VERB = re.compile(f"(分别)?({alternation(_V.rank_verbs)})$")
_DETACHED_QUALIFIER = re.compile(
    rf"({alternation(_V.qualifiers.detached)})(?:占)?(?:该|全)?[\u4e00-\u9fff]{{0,5}}?(?:市|省|州|县|区)(?:的)?$"
)
_NATIONAL_SUBJECT = re.compile(
    f"(?:{alternation(_V.national_bodies)})(?:网站|官网)?.{{0,4}}(?:{alternation(_V.national_acts)})|全国|我国"
)
_GROWTH_WORDS = (*_V.growth.changes, *_V.growth.increases)
_GROWTH = re.compile(f"(同比)?({alternation(_GROWTH_WORDS, unless=_V.growth.not_growth)})")
_CHANGE_AT_END = re.compile(f"(同比)?({alternation(_V.growth.changes)})$")
_REACHING = re.compile(f"(?:{alternation(_V.growth.reaching)})(?:至|到)$")
_OFF_SUBJECT = re.compile(rf"(连续\S{{1,3}}年)?(同比)?({alternation(_V.growth.off_subject)})$")
# 预计 alone is an estimate of a result (2020年…预计实现工业总产值4191.83亿元), a target only when it looks ahead.
_TARGET = re.compile(
    f"{alternation(_V.target.markers)}|{re.escape(_V.target.estimate)}(?:{alternation(_V.target.estimate_ahead)})"
)
_SHARE_PRED = re.compile(r"占.{0,12}?(?:的)?(?:比重|比例)?$")

# Word lists for trimming a metric phrase (jieba tokens).
_LEAD_STOP = set(_V.metric_words.lead_stop)
_TRAIL_STOP = set(_V.metric_words.trail_stop)
# A left context that is only one of these has no subject of its own: the number counts the noun after it.
_VERB_ONLY = re.compile(f"^(?:{alternation(_V.metric_words.verbs_only)})+$")
_MODIFIERS = set(_V.newcomers.modifiers)
_MODIFIER = re.compile(alternation(_V.newcomers.modifiers))
_KEPT_MODIFIERS = re.compile(f"({alternation(_V.newcomers.kept)})*$")
_GENERIC = set(_V.metric_words.generic)
_ADVERBS = set(_V.metric_words.adverbs)
_NOUN_SUFFIX = set(_V.metric_words.noun_suffixes)
_COUNT_SUFFIX = _V.metric_words.count_suffixes
_SUBJECT_TAIL = re.compile(rf"(?<=[\u4e00-\u9fff]{{2}})({alternation(_V.metric_words.subject_tails)})$")
_COUNT_WORD_AT_END = re.compile(f"({alternation(_V.metric_words.count_words)})$")


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
    context: str = ""  # the sentence (and the one before it): what a question may also refer to

    def as_json(self) -> dict[str, object]:
        """The evaluation interface's fields (gaoxin extract --json)."""
        value: float | int = int(self.value) if self.value.is_integer() else self.value
        return {
            "doc": self.doc,
            "article": self.article,
            "zone": self.zone,
            "entity": self.entity,
            "metric": self.metric,
            "value": value,
            "unit": self.unit,
            "qualifier": self.qualifier,
            "period": self.period,
            "kind": self.kind,
            "quote": self.quote,
            "value_text": self.value_text,
            "start": self.start,
            "end": self.end,
            "confidence": self.confidence,
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
    entity: str | None = None
    context: tuple[int, int] = (0, 0)  # folded offsets: previous sentence start → sentence end


_SUBJECT = re.compile(
    r"^(?:其中|此外|同时|另外|目前)?,?(?:由)?"
    r"([\u4e00-\u9fffA-Za-z()]{2,24}?(?:集团|股份|有限公司|公司|银行[\u4e00-\u9fff]{0,4}?分行|银行|项目|基金|基地|功能区|创业园))"
    r"(?![\u4e00-\u9fff]{0,2}等)"
)
_OWNED = re.compile(r"的([\u4e00-\u9fffA-Za-z]{2,24}?(?:项目|基金|基地(?:及研发中心)?|功能区|创业园|产业园))")
_NOT_A_NAME = re.compile(
    r"^(?:\d|[一二三四五六七八九十]|首批|新建|续建|签约|年|全年|计划|推动|推进|此次|围绕|积极|大力|加快)"
)


def _entity(sentence_left: str, right: str) -> str | None:
    """The company, project or fund a figure belongs to: the sentence's named subject, or 'N的<名称>'."""
    owned = _OWNED.match(right)
    if owned:  # 设立总规模3亿元的海口高新区科技创新基金
        return owned.group(1)
    subject = _SUBJECT.match(sentence_left)
    name = subject.group(1) if subject else ""
    if len(name) >= 4 and not _NOT_A_NAME.match(name) and not re.search("坚持|把|成立|推出|完成|引进|实施|将", name):
        return name  # 潍柴集团汇总营业收入…; 南宁中关村机械制造厂房二期工程项目位于…
    return None


@dataclass(slots=True)
class _Reading:
    """What one article's reading remembers from sentence to sentence: passed down, never kept on the extractor
    (so one file's state cannot leak into the next, and one Extractor may serve several threads)."""

    section_period: str | None = None  # the period a section heading names (附件:2023年主要经济指标)
    last_rank_subject: str = ""  # 、山东省高新区中居第2位: the subject of the rank before it
    list_zones: dict[Quantity, str] = field(default_factory=dict)  # the zones a 分别 list gives its values
    anchor: int | None = None  # the page's year (metadata, or its date line): what 今年, 去年, 上半年 are counted from
    years: _PlainYears | None = None  # the paragraph's plain years, found once (not once per sentence: quadratic)


class Extractor:
    """Turns a source text into articles and candidate facts; holds the gazetteer and the tokenizer (no reading
    state: that is a _Reading per article)."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gaz = gazetteer or load_gazetteer()
        page_words()  # a broken config/page.toml is reported now, not in the middle of a file

    @property
    def tokenizer(self) -> jieba.Tokenizer:
        return tokenizer_for(self.gaz)

    def words(self, text: str) -> list[str]:
        return [w for w in self.tokenizer.cut(text, HMM=False) if w.strip()]

    def articles(self, source: SourceText) -> list[Article]:
        return segment(source.text, self.gaz, source.meta.zone)

    def extract(self, source: SourceText, articles: list[Article] | None = None) -> list[Candidate]:
        """Every candidate fact in the file, repeated facts kept once (at their first occurrence)."""
        articles = articles if articles is not None else self.articles(source)
        out: list[Candidate] = []
        for article in articles:
            published = source.meta.published or page_date(list(article.head))
            ctx = _Reading(anchor=int(published[:4]) if published else None)
            year = (source.meta.year and str(source.meta.year)) or _headline_year(article.title)
            heading = ""
            english_period_now: str | None = None  # In the first three quarters of 2024, … holds for later paragraphs
            grids = []
            raw = _raw_lines(source.text, article.body_start, article.end)
            for first, end, width in cell_tables(raw):
                # 指标 / 单位 / 2023年 / 比上年增长（%）/ 一般公共预算收入 / 亿元 / 235.9 / 4.1 …: a cell a line
                before = raw[first - 1][1] if first else ""
                out += [
                    self._table_candidate(source, article, v)
                    for v in read_cell_table(raw[first:end], width, before, year)
                ]
                grids.append((raw[first][0], raw[end - 1][0] + len(raw[end - 1][1])))
            for pieces in article.paragraphs:
                lines = [(s, source.text[s:e]) for s, e in pieces]
                rows = [(s, line) for s, line in lines if is_row(line)]
                if len(rows) >= 2:  # a table printed as text: its cells are read with their header's meaning
                    before = " ".join(line for s, line in lines if s < rows[0][0]) or heading
                    out += [self._table_candidate(source, article, v) for v in read_table(rows, before, year)]
                    pieces = tuple((s, e) for s, e in pieces if not is_row(source.text[s:e]))
                    if not pieces:
                        continue
                pieces = tuple(p for p in pieces if not any(a <= p[0] < b for a, b in grids))
                if not pieces:
                    continue  # a cell of a table printed a cell a line, read above
                heading = source.text[pieces[-1][0] : pieces[-1][1]]
                english = [(s, e) for s, e in pieces if is_english(source.text[s:e])]
                for s, e in english:  # an English page's paragraph: its own reader (annotate/english.py)
                    read = read_english(source.text[s:e], english_period_now)
                    out += [self._english_candidate(source, article, s, f) for f in read]
                    english_period_now = english_period(source.text[s:e], english_period_now)
                pieces = tuple(p for p in pieces if p not in english)
                if not pieces:
                    continue
                folded = fold(source.text, list(pieces))
                if _is_heading(folded.text):  # 附件:2023年主要经济指标 — its year holds until the next heading
                    ctx.section_period = _headline_period(folded.text)
                for f in self._paragraph(folded, article, ctx):
                    out.append(self._candidate(source, article, folded, f))
        return _dedupe(out)

    def _english_candidate(self, source: SourceText, article: Article, offset: int, f: EnglishFact) -> Candidate:
        qs, qe = offset + f.quote[0], offset + f.quote[1]
        return Candidate(
            doc=source.path.name, article=article.title, article_index=article.index, zone=f.zone or article.zone,
            entity=None, metric=f.metric, value=f.value, unit=f.unit, qualifier=f.qualifier, period=f.period,
            kind=f.kind,
            quote=source.text[qs:qe].strip(), value_text=source.text[offset + f.start : offset + f.end],
            start=offset + f.start, end=offset + f.end, quote_start=qs, quote_end=qe, confidence=0.6,
            context=source.text[qs:qe],
        )  # fmt: skip

    def _table_candidate(self, source: SourceText, article: Article, v: TableValue) -> Candidate:
        return Candidate(
            doc=source.path.name, article=article.title, article_index=article.index, zone=article.zone, entity=None,
            metric=v.metric, value=v.value, unit=v.unit, qualifier="exact", period=v.period, kind=v.kind,
            quote=source.text[v.row[0] : v.row[1]], value_text=source.text[v.start : v.end], start=v.start,
            end=v.end, quote_start=v.row[0], quote_end=v.row[1], confidence=0.8,
            context=source.text[v.row[0] : v.row[1]],
        )  # fmt: skip

    def _candidate(self, source: SourceText, article: Article, folded: Folded, f: _Found) -> Candidate:
        start, end = folded.span(f.q.start, f.q.end)
        qs, qe = folded.span(*f.quote)
        cs, ce = folded.span(*f.context)
        unit = bare_scale_unit(f.q.unit, f.metric)
        qualifier = f.q.qualifier
        detached = _DETACHED_QUALIFIER.search(folded.text[max(0, f.q.start - 12) : f.q.start])
        if qualifier == "exact" and detached:
            qualifier = PREFIX_QUALIFIERS[detached.group(1)]  # 以不足潍坊市1%的土地
        metric = f.metric
        # 生物医药产业实现营业收入 names 生物医药产业营业收入: the verb between a subject and its measure goes
        metric = _VERB_BEFORE_MEASURE.sub("", metric)
        if f.kind == "rank":  # 分别位列 (第4位), 综合得分位列 (第1位): a rank's name ends in 排名, not in its verb
            metric = _RANK_VERB.sub("", metric) + ("排名" if not metric.endswith("排名") else "")
        if f.entity and metric.startswith(f.entity) and len(metric) - len(f.entity) >= 3:
            metric = metric[len(f.entity) :]  # the entity is its own field: 天印健康创新园项目 + 总建筑面积
        value = f.q.value
        fall = _DECLINE_END.search(metric)
        if f.kind == "growth" and fall and value > 0 and unit == "%":
            value, metric = -value, metric[: fall.start()] + "增长"  # 同比下降4.3%: growth −4.3 (the gold's sign)
        return Candidate(
            doc=source.path.name,
            article=article.title,
            article_index=article.index,
            zone=f.zone,
            entity=f.entity,
            metric=metric,
            value=value,
            unit=unit,
            qualifier=qualifier,
            period=f.period,
            kind=f.kind,
            quote=source.text[qs:qe],
            value_text=source.text[start:end],
            start=start,
            end=end,
            quote_start=qs,
            quote_end=qe,
            confidence=round(f.confidence, 2),
            context=source.text[cs:ce],
        )

    # ── one paragraph ─────────────────────────────────────────────────────────────────────────
    def _paragraph(self, folded: Folded, article: Article, ctx: _Reading) -> list[_Found]:
        text = folded.text
        quantities = find_quantities(text)
        if not quantities:
            return []
        mentions = self.gaz.mentions(text)
        ctx.years = _PlainYears.of(text)
        found: list[_Found] = []
        sentence_start, previous_start = 0, 0
        # Sentences end at 。!?, and in posts at emoji and bullets (✅ 高企2615家 ✅ 上市企业35家) and before a 【header】.
        ends = {  # (a Han character is never a symbol: most characters skip the category lookup)
            i
            for i, ch in enumerate(text)
            if ch in _SENTENCE_END or (not "\u4e00" <= ch <= "\u9fff" and unicodedata.category(ch) == "So")
        }
        ends |= {i - 1 for i, ch in enumerate(text) if ch == "【" and i}
        origin = folded.origin
        ends |= {  # a printed line that opens with a label (地区生产总值:412.6亿元) starts a sentence of its own
            i - 1 for i in range(1, len(text)) if origin[i] - origin[i - 1] > 1 and _LABEL_LINE.match(text, i)
        }
        qi = mi = 0  # quantities and mentions are in text order: each sentence takes the next run of each
        for end in _bounded(sorted(ends), text):
            first_q = qi
            while qi < len(quantities) and quantities[qi].start < end + 1:
                qi += 1
            in_sentence = [q for q in quantities[first_q:qi] if q.start >= sentence_start]
            while mi < len(mentions) and mentions[mi].start < sentence_start:
                mi += 1
            if in_sentence:
                last_m = mi
                while last_m < len(mentions) and mentions[last_m].start < end + 1:
                    last_m += 1
                context = (max(previous_start, sentence_start - 120), min(end + 1, len(text)))
                found += [
                    _with_context(f, context)
                    for f in self._sentence(
                        text, sentence_start, end + 1, in_sentence, mentions[mi:last_m], article, ctx
                    )
                ]
            previous_start, sentence_start = sentence_start, end + 1
        return found

    def _sentence(
        self,
        text: str,
        s0: int,
        s1: int,
        qs: list[Quantity],
        mentions: list[Mention],
        article: Article,
        ctx: _Reading,
    ) -> list[_Found]:
        carried = (
            (ctx.years.before(s0) if ctx.years else _year_in(text[:s0]))
            or _headline_year(article.title)
            or (ctx.anchor and str(ctx.anchor))
        )
        headline_period = ctx.section_period or _headline_period(article.title)
        found: list[_Found] = []
        base = ""
        ctx.list_zones = {}
        lists = self._distributive(text, s0, s1, qs, ctx)
        # 计划新开工项目30~35个, 增长8%~10%: a plan's range is one target (its floor, at least); a price band
        # (每亩12万元至18万元) is a fact at each end (numbers.py reads it both ways)
        qs = [q for q in qs if not q.bound or (q.bound == "range") == bool(_TARGET.search(text, s0, q.start))]
        milestones = _milestones(text, qs)
        kept = [q for q in qs if q not in milestones]
        consumed = s0  # where the previous value's phrase ends (its counted noun included)
        base_unit = ""
        for i, q in enumerate(kept):
            nxt = kept[i + 1] if i + 1 < len(kept) else None
            if i and _CONVERSION.fullmatch(text, kept[i - 1].end, q.num_start) and text.startswith(")", q.end):
                consumed = q.end + 1
                continue  # 398.7亿元(约合435亿港元): the amount before, in another unit; the context keeps it
            if (
                nxt
                and text.startswith("的", q.end)
                and nxt.start - q.end <= 12
                and not re.search("[,;、]", text[q.end : nxt.start])
                and q.unit != "分"  # 以92.6分的综合得分位列第1位: a score is a fact of its own
                and nxt.unit not in ("%", "成")  # 以约占全省6%的土地贡献了三成税收: two shares, not one described
            ):
                consumed = q.end + 1
                continue  # 超10亿元的重点产业项目14个: the first number only describes what is counted
            if (
                q.unit.endswith("元")
                and q.qualifier in ("more_than", "at_least")
                and re.match(r"的?[\u4e00-\u9fff]{0,6}?(?:项目|企业|公司|工程)", text[q.end :])
            ):
                consumed = q.end
                continue  # 投资10亿元以上项目18个, 5亿元以上的重大产业项目: a class of projects, not an amount
            clause_start = _last_of(text, _CLAUSE_END, s0, q.start)
            clause_end = _next_of(text, _CLAUSE_END, q.end, s1)
            earlier = [p for p in kept[:i] if p.start >= clause_start]
            # In 'A 800万元、B 1334万元' each value has its own phrase; a lone value owns its whole clause
            # (累计建成孵化器、加速器、放大室11家).
            item_start = max(clause_start, consumed, _last_of(text, "、", s0, q.start)) if earlier else clause_start
            left = text[item_start : q.start]
            bare = left.strip()
            if (
                clause_start > s0
                and text[clause_start - 1] in ":|"
                and (not bare or _GROWTH.fullmatch(bare) or _VERB_ONLY.match(bare))
            ):
                # 地区生产总值:412.6亿元, 固定资产投资:增长12.4% (a table's lines): the label names the value
                label_start = _last_of(text, _CLAUSE_END, s0, clause_start - 1)
                left = text[label_start : clause_start - 1] + bare
                item_start = clause_start = label_start
            right = text[q.end : clause_end]
            clause_left = _without(text, clause_start, q.start, kept)
            quote_start = clause_start
            confidence = 0.9
            if q in lists:
                metric, quote_start = lists[q]
                confidence = 0.75
            else:
                metric, confidence = self._metric(q, left, right, clause_left, base, base_unit, ctx, text[s0 : q.start])
                prev = found[-1] if found and earlier and found[-1].q is earlier[-1] else None
                before = found[-1] if found else None
                if (
                    before
                    and metric in _BARE_MEASURES
                    and text[before.q.end : q.start].startswith(",")
                    and before.kind != "growth"
                    and _unit_family(q.unit) in ("money", _unit_family(before.q.unit))
                    and _unit_family(q.unit) != "share"
                ):
                    # 实施重大产业项目32个,总投资388.6亿元; 生物医药产业实现产值105亿元,增加值达24.8亿元:
                    # a bare measure right after another figure is of the same subject
                    subject = _subject_of(before.metric)
                    if len(subject) >= 2:
                        metric = subject + metric
                if prev and q.signed and re.fullmatch(r"\s*\(", text[prev.q.end : q.start]):
                    metric = _join_base(prev.base, "增长")  # 地区生产总值 1,108.6亿元(+7.2%): its change
                elif prev and re.fullmatch(r"\s*[-~～—–至到]\s*", text[prev.q.end : q.start]):
                    metric = prev.metric  # 增长7%—8%: a range's upper bound measures what its lower one does
                elif prev and 2 <= len(metric) <= 3 and prev.q.unit == q.unit and len(prev.metric) > len(metric) + 2:
                    # 平均每亩投资800万元、产值1334万元: the second item shares the first one's head
                    head = self.words(prev.metric)
                    if len(head) > 1:
                        metric = "".join(head[:-1]) + metric
                elif (
                    before
                    and text[clause_start : q.start].startswith("其中")
                    and before.q.unit == q.unit
                    and len(metric) <= 3
                    and not prev  # 其中出口62.7亿元、进口23.7亿元: the second part is no part of the first
                ):
                    whole = _strip_count(before.metric)
                    at = whole.find(metric)
                    if at >= 0:  # 进出口总额6326亿元,其中出口3707亿元: the part takes the whole's tail (出口总额)
                        metric = whole[at:]
                    else:  # 企业研发平台80家,其中“国”字号10家: the part names the whole's noun
                        metric = metric + "".join(self.words(whole)[-3:])
                elif 1 <= len(metric) <= 2 and re.search("完成" + re.escape(metric) + "(?:了|达|达到|为)?$", left):
                    metric = "完成" + metric  # 完成投资98亿元 is the statistic 完成投资, not an earlier 协议投资
                elif 1 <= len(metric) <= 2 and not right.startswith(metric):
                    # 专利获得融资4.4亿元 after 开展知识产权质押融资: a bare word refers to its fuller mention
                    fuller = re.findall(
                        r"[\u4e00-\u9fff]{2,8}" + re.escape(metric), text[max(0, s0 - 120) : clause_start]
                    )
                    if fuller and _PART.match(text, clause_start) and self.words(fuller[-1])[-1] != metric:
                        fuller = []  # 外贸进出口86.4亿元…其中出口62.7亿元: a part is no 进出口, a word ending like it
                    if fuller:
                        metric = self._left_metric(fuller[-1]) or metric
            if not metric or len(metric) < 2:
                continue
            unit_word = q.unit.lstrip(_SCALE_CHARS)
            if (
                unit_word in COUNT_UNITS
                and not q.rank
                and not metric.endswith(_COUNT_SUFFIX)
                and not _CHANGE_AT_END.search(metric)
            ):
                metric += "数量"
            elif _measure_word(q.unit) == "面积" and not metric.endswith(_V.units.area_words):
                metric += "面积"  # 在建厂房40万平方米: an area, as 厂房数量 is a count
            kind = _kind(text[s0 : q.start], left, right, q, metric)
            if q not in lists and "占" not in metric and q.unit != "倍":
                # 高新技术企业连续两年净增…,总数达到786家: the subject survives a growth figure
                base = _OFF_SUBJECT.sub("", _strip_count(metric)) or base
                base_unit = q.unit
            f = _Found(
                q=q,
                metric=metric,
                base=base,
                zone=ctx.list_zones.get(q) or self._zone(text, s0, q, left, mentions, article, clause_start),
                period=_period(text[s0 : q.start], clause_start - s0, carried, ctx.anchor)
                or (headline_period if kind != "target" else None),  # a plan looks past its report's year
                kind=kind,
                quote=(quote_start, _quote_end(text, q, clause_end)),
                confidence=confidence - (0.1 if q.chinese else 0),
                entity=_entity(text[s0 : q.start], right),
            )
            found.append(f)
            consumed = q.end + (
                len(right) - len(right.lstrip('“"')) + len(metric.removesuffix("数量"))
                if right.lstrip('“"').startswith(metric.removesuffix("数量")[:2])
                else 0
            )
            if re.search(r"(?<![平人年])均(?:为|达|达到|在)?$", left) and q not in lists:
                # 增速均超过30%: the predicate holds for each subject named before it in the sentence
                predicate = self._predicate(left)
                subjects = dict.fromkeys(x.base for x in found[:-1] if x.base and x.kind != "growth")
                if len(subjects) > 1:
                    found.pop()
                    for subject in subjects:
                        found.append(_replace(f, _join_base(subject, predicate), 0.6))
        found = self._respective(text, found) if "分别" in text[s0:s1] else found
        return [f for i, f in enumerate(found) if not _refined(text, f, found[i + 1 : i + 2])]

    def _respective(self, text: str, found: list[_Found]) -> list[_Found]:
        """固定资产投资增长9.3%,工业投资增幅达26.1%,分别高于全市平均水平5.2个和11.4个百分点: a 分别 list that names
        no subjects of its own compares, one by one, the figures just given (固定资产投资增速高于全市平均水平, …)."""
        for i, f in enumerate(found):
            at = text.rfind("分别", 0, f.q.start)
            clause = _last_of(text, _CLAUSE_END, 0, f.q.start)
            if at < clause or text[clause:at].strip() or (i and found[i - 1].q.start > at):
                continue  # no 分别 opening this value's clause, or it has subjects, or this is not its first value
            run = [g for g in found[i:] if g.q.start > at and not re.search("[,;。]", text[at : g.q.start])]
            before = [g for g in found[:i] if g.kind != "rank"][-len(run) :]
            if len(run) < 2 or len(before) != len(run) or len({g.q.unit for g in run}) != 1:
                continue
            predicate = self._predicate(text[at + 2 : run[0].q.start])
            for g, subject in zip(run, before):
                name = _OFF_SUBJECT.sub("", _strip_count(subject.metric))
                if g.q.unit == "%" and (g.kind == "growth" or _GROWTH.search(text, at, run[0].q.start)):
                    # 出口62.7亿元、进口23.7亿元,分别增长3.5%和下降14.6%: each its own change
                    metric, kind = name + ("下降" if _DECLINE_END.search(g.metric) else "增长"), "growth"
                else:  # …增长9.3%,…增幅达26.1%,分别高于全市平均水平5.2个和11.4个百分点: a comparison
                    metric, kind = name + ("增速" if subject.kind == "growth" else "") + predicate, "other"
                found[found.index(g)] = _Found(
                    g.q, metric, g.base, g.zone, g.period, kind, g.quote, 0.7, g.entity, g.context
                )
            break
        return found

    def _metric(
        self,
        q: Quantity,
        left: str,
        right: str,
        clause_left: str,
        base: str,
        base_unit: str,
        ctx: _Reading,
        sentence_left: str = "",
    ) -> tuple[str, float]:
        """Name what the number measures, and how sure that name is."""
        metric = self._left_metric(left)
        unit_word = q.unit.lstrip(_SCALE_CHARS)
        head = self._right_noun(right) if unit_word in COUNT_UNITS else ""
        if head:
            # 涉及673家绿色工厂, 组建5个产业招商组, 经纬达科技等3家企业: the number counts the noun after it
            prefix = _KEPT_MODIFIERS.search(metric).group() if metric else ""
            won = _WON.match(right, len(head)) if head in ("企业", "项目", "家企业", "单位") else None
            if won:  # 6家企业成功入围第三批专精特新“小巨人”企业: what they won is what is counted
                return prefix + won.group(1) + re.sub(r"[“”\"]", "", won.group(2)), 0.75
            return prefix + head, 0.75
        scored = (
            re.match(r"的([\u4e00-\u9fff]{2,8}?)(?:位列|位居|排名|排在|居|[,;。]|$)", right) if q.unit == "分" else None
        )
        if scored:  # 以92.6分的综合得分位列第1位
            return scored.group(1), 0.7
        if right.startswith("的") and (not metric or metric in _GENERIC or self._ends_with_verb(left)):
            owner = self._right_noun(right[1:], limit=24)
            if owner:  # 提供了8亿元的授信额度; 6.4万平方米的中小企业创业园; 总规模3亿元的…基金
                return owner + (metric if metric in _GENERIC else _measure_word(q.unit)), 0.7
        if (
            q.unit in ("%", "比例", "成")
            and right.startswith("的")
            and (not metric or "该市" in left or "不足" in left)
        ):
            owner = self._right_noun(right[1:])
            if owner:  # 贡献了该市1/4的高新技术产值
                return owner + "占比", 0.7
        if q.unit.endswith(("元", "平方米", "亩")) and left.endswith("的") and not right.startswith("的"):
            owner = self._right_noun(right, limit=10)
            if len(owner) >= 2:  # 因历史原因形成的87.6亿元企业账款: the noun after the amount is what it measures
                return owner, 0.7
        done = re.match(r"(?:做到|实现)([\u4e00-\u9fff\d]{2,8})(?=$|[,;。])", right) if q.unit == "%" else None
        if done and not re.search(r"(增长|增速|占|比重|率|比例)[^,;。]{0,4}$", left):
            return done.group(1) + "比例", 0.7  # 申请人100%做到1日内办结: the share is of what was done
        share_at = clause_left.rfind("占")
        if q.unit in ("%", "比例") and share_at >= 0 and re.fullmatch(r"占(?!比)[^,;。]{0,14}", clause_left[share_at:]):
            share = self._predicate(clause_left[share_at:])
            subject = self._left_metric(clause_left[:share_at])
            return _join_base(subject or base, share), 0.75 if subject else 0.65
        if q.rank:
            tail = clause_left.rsplit("、", 1)[-1]
            ranked = self._rank_metric(tail if "在" not in tail else clause_left, base, ctx)
            if ranked:
                return ranked, 0.8
            ranked = self._ranking_name(sentence_left, clause_left, left, base if base_unit not in _RANK_UNITS else "")
            if ranked:
                return ranked, 0.75
        if q.unit == "年" and not left.endswith("连续"):
            # 最长5年免租人才公寓 → 免租人才公寓最长年限; 给予3年租金全免优惠 → 租金全免期限; …生活补贴,期限3年 → 生活补贴期限
            term = "最长年限" if left.endswith("最长") else "期限"
            what = re.sub(r"(?:优惠|政策|待遇)$", "", "".join(re.findall(r"[\u4e00-\u9fff]+", right)))
            if len(what) >= 2:
                return what + term, 0.7
            before = re.split(r"[\d.,]+[万亿]?元?", sentence_left.rsplit(",", 1)[0])[-1] if "," in sentence_left else ""
            if left.strip() in _V.units.term_before and len(before) >= 2:
                return self._left_metric(before) + term, 0.65  # the noun the clause before ends on
        multiple = re.search(r"是(.{1,12}?)的?$", left)
        if q.unit == "倍" and multiple and base:  # 人均GDP…是潍坊市平均水平的2倍
            return base + "相当于" + self._clean(multiple.group(1)).replace("的", "") + "倍数", 0.7
        if (not metric or metric in _GENERIC or _VERB_ONLY.match(metric) or _GROWTH.fullmatch(metric)) and base:
            if (
                re.fullmatch(r"(?:累计|总计|共计|合计)(?:达到|达|为|有)?", left.strip())
                and q.unit.lstrip(_SCALE_CHARS) in COUNT_UNITS
                and _unit_family(q.unit) == _unit_family(base_unit)
            ):
                return _join_base(base, "总数"), 0.7  # 新增上市企业5家,累计达到47家: the total, not the newcomers
            if metric in _V.newcomers.predicates and _unit_family(q.unit) == _unit_family(base_unit):
                return metric + _FLOW_PREFIX.sub("", base), 0.7  # 拥有高企2615家,比上年净增312家
            predicate = "" if metric and _VERB_ONLY.match(metric) else (metric or self._predicate(left))
            if q.unit == "%" and re.search(r"完成了?$", left):
                predicate = "目标完成率"  # 研发投入10.7亿元、完成194%: the share of its target reached
            if not _GROWTH.search(predicate) and _unit_family(q.unit) not in ("share", _unit_family(base_unit)):
                return "", 0.0  # 总投资额近4000亿元,2家…银行: a count does not take over a sum's name
            return _join_base(base, predicate), 0.7
        if metric.startswith("占") and base:
            return _join_base(base, metric), 0.7
        if not metric and head:
            return head, 0.6
        return metric, 0.9

    def _rank_metric(self, text: str, base: str, ctx: _Reading) -> str:
        """综合考核结果在山东省160个开发区中居第4位 → 山东省开发区综合考核排名; 、山东省高新区中居第2位 → 山东省高新区综合考核排名."""
        m = re.search(r"(?:(.*?)(?:结果)?在)?(.+?)中?(?:居|位列|位居|排名|排|列)$", text)
        if not m:
            return ""
        scope = re.sub(r"[\d.,]+[个家所]?", "", m.group(2)).removesuffix("中")
        if m.group(1):
            subject = self._left_metric(m.group(1))
        else:  # the second of a list: the subject of the rank before it
            subject = ctx.last_rank_subject
        subject = re.sub(r"(结果|的)$", "", subject).removeprefix(scope)
        if not subject:
            return ""
        ctx.last_rank_subject = subject
        return f"{scope}{subject}排名"

    def _ranking_name(self, sentence_left: str, clause_left: str, left: str, base: str) -> str:
        """A rank's name: the ranking its sentence names (在科技部发布的国家高新区综合评价结果中,我区排名第41位 →
        国家高新区综合评价排名), else the measure ranked and the scope printed after the verb (研发投入强度排名全省第三
        → 研发投入强度全省排名; 每万人口…拥有量58.3件,位居全省第一 → the figure before it; 跻身全国…园区百强 →
        全国…园区排名). The zone ranked is no part of it (我区, 昆山开发区): it is the fact's zone."""
        named = list(_RANKING_NAMED.finditer(sentence_left))
        scope = ""
        if named:
            name = named[-1].group(1)
            name = name.rsplit("的", 1)[-1] if len(name.rsplit("的", 1)[-1]) >= 4 else name
            name = re.sub(r"[\d.,]+[个家所]?|各", "", _PERIOD.sub(" ", name)).strip().split(" ")[-1]
            name = re.sub(r"(?:结果|排行榜|排行|榜单|名单)$", "", name)
            name = _short_kinds(name)  # 国家级经济技术开发区综合发展水平考核评价 → 国家级经开区…
            if name.endswith("区"):
                scope = name  # 在全省高新区中排名第3位: a set of zones, the scope of what is ranked
            elif len(name) >= 4:
                return name + "排名"
        clause = left if _RANK_VERB_IN.search(left) else clause_left  # 以92.6分的综合得分位列: the item's own words
        verb = _RANK_VERB_IN.search(clause)
        if not verb:
            return ""
        scope = scope or "".join(
            re.findall(r"[\u4e00-\u9fff]+", re.sub(r"各|中$|[\d.,]+[个家所]?", "", clause[verb.end() :]))
        )
        before = re.sub(r"^中|连续.{1,2}年|在[^在,;。]*中", "", clause[: verb.start()])
        if verb.group() in _V.rank_entry_verbs:
            before = ""  # 装备制造产业集群跻身…前二十名: what entered the list, not a measure
        for word in _V.rank_not_measures:
            before = before.replace(word, "")
        measure = self._left_metric(before) if re.search(r"[\u4e00-\u9fff]", before) else ""
        if measure.endswith("区") or len(measure) < 2 or not re.fullmatch(r"[\u4e00-\u9fffA-Za-z&]*", measure):
            measure = ""  # 高新区继续位列全国第3名: the zone ranked, not a measure
        if base in clause_left:
            base = ""  # 在全国178家国家高新区中排名第3位: a count in the rank's clause is its scope, not its measure
        if not re.search(r"[\u4e00-\u9fff]", before) and base and verb.group() not in _V.rank_entry_verbs:
            measure = base  # 每万人口高价值发明专利拥有量58.3件,位居全省第一: the figure just given is ranked
        elif measure in _V.rank_of_figure_kept and base:
            measure = base + measure  # 规上工业增加值增长6.8%,增速居全市第一
        elif measure in _V.rank_of_figure_dropped and base:
            measure = base  # 实际使用外资15.8亿美元,总量居全市第一
        if not (measure or scope):
            return ""
        return f"{measure}{scope}排名"

    def _clean(self, text: str) -> str:
        """Drop times, zone names (not 省级), quotes and brackets from a phrase."""
        text = _PERIOD.sub(" ", text)
        for m in sorted(self.gaz.mentions(text), key=lambda m: -m.start):
            if m.is_region and text[m.end : m.end + 1] == "级":
                continue  # 云南省级重点实验室 keeps its level
            text = text[: m.start] + " " + text[m.end :]
        text = re.sub(r"[“”\"《》()()]", "", text)
        return text.split(" ")[-1] if " " in text.strip() else text.strip()

    def _left_metric(self, left: str) -> str:
        """The noun phrase before a number, without times, zone names, connectives and verbs."""
        words = self.words(self._clean(left))
        while words and (words[0] in _LEAD_STOP and len(words) > 1 or not _has_han(words[0])):
            words.pop(0)
        while words and (words[-1] in _TRAIL_STOP or not _has_han(words[-1])):
            words.pop()
        return _SUBJECT_TAIL.sub("", "".join(words).strip("、"))

    @property
    def _pos(self) -> jieba.posseg.POSTokenizer:
        return pos_tokenizer_for(self.gaz)

    def _ends_with_verb(self, left: str) -> bool:
        words = [w for w in self._pos.cut(self._clean(left)[-6:], HMM=False) if w.word.strip()]
        while words and words[-1].word in _V.metric_words.before_verb:
            words.pop()
        return bool(words) and words[-1].flag.startswith("v") and words[-1].flag != "vn"

    def _right_noun(self, right: str, limit: int = 14) -> str:
        """The noun a number counts (涉及673家绿色工厂 → 绿色工厂), up to the first verb or particle."""
        quoted = re.match(r"[“\"]([^”\"]{2,16})[”\"]", right)
        if quoted:
            return quoted.group(1)
        ranked = re.match(r"(?:世界|全球|中国|全国|国内|行业)\d+强(?:企业|公司)?", right)
        if ranked:  # 156家世界500强企业: a ranking list's name is a noun, digits and all
            return ranked.group()
        words = []
        for w in self._pos.cut(right[:limit], HMM=False):
            acronym = (
                w.flag == "eng" and w.word.isupper() or w.flag == "x" and _has_han(w.word)
            )  # GDP; words jieba does not know
            if w.word in _ADVERBS or not (
                w.flag[0] in "nabjl" or w.flag in ("vn", "zg", "ng") or w.word in _NOUN_SUFFIX or acronym
            ):
                break
            words.append(w)
        while words and not (
            words[-1].flag[0] == "n"
            or words[-1].flag in ("zg", "ng", "j", "l", "eng")
            or words[-1].word in _NOUN_SUFFIX
        ):
            words.pop()
        return "".join(w.word for w in words)

    def _predicate(self, left: str) -> str:
        words = self.words(self._clean(left))
        while words and words[-1] in _TRAIL_STOP - {"占"}:
            words.pop()
        while words and words[0] in _V.metric_words.predicate_leads:
            words.pop(0)
        return "".join(words)

    def _distributive(
        self, text: str, s0: int, s1: int, qs: list[Quantity], ctx: _Reading
    ) -> dict[Quantity, tuple[str, int]]:
        """Pair 'A、B分别(为)x、y' lists: the n-th subject with the n-th value."""
        out: dict[Quantity, tuple[str, int]] = {}
        for m in re.finditer("分别", text[s0:s1]):
            pos = s0 + m.start()
            values = [q for q in qs if q.start > pos]
            if not values or re.search("[,;。]", text[pos : values[0].start]) or values[0].start - pos > 20:
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
            pred = text[s0 + m.end() : run[0].start]
            share = re.search(r"占.*$", subjects_text.split("、")[-1])
            if share:
                pred = share.group() + pred
                subjects_text = subjects_text[: len(subjects_text) - len(share.group())]
            subjects = [x for x in re.split(r"、|和|及", subjects_text) if x]
            if len(subjects) != len(run) or len(run) < 2:
                continue
            predicate = self._predicate(pred)
            for subject, q in zip(subjects, run):
                zones = [m for m in self.gaz.mentions(subject) if not m.is_region]
                if len(zones) == 1:
                    ctx.list_zones[q] = zones[0].name  # 嘉兴经开区、绍兴高新区分别位列第4位、第7位: each its own
                metric = self._left_metric(subject)
                if metric:
                    out[q] = (_join_base(metric, predicate), clause_start)
        return out

    def _zone(
        self, text: str, s0: int, q: Quantity, left: str, mentions: list[Mention], article: Article, clause: int = 0
    ) -> str | None:
        clause = max(s0, clause)
        if _PROVINCE_SUBJECT.match(text, clause) and not any(clause <= m.start < q.start for m in mentions):
            zone = self.gaz.zone(article.zone) if article.zone else None
            if zone and zone.province:
                return zone.province  # (2023年,)全省营收超千亿元的开发区12个: the article's province
        before = [m for m in mentions if s0 <= m.start and m.end <= q.start and text[m.end : m.end + 1] != "等"]
        if before:
            last = before[-1]
            gap = text[last.end : q.num_start]
            if last.is_region:
                # 山东省160个开发区 names the region's own figure; 占楚雄市的87.9% does not.
                ranked_in = q.rank and _RANK_VERB_IN.search(text[max(s0, last.start - 2) : last.start])
                if len(gap) <= 2 and text[last.start - 1 : last.start] not in ("占", "的") and not ranked_in:
                    return last.name  # (排名全国第7位: the nation is the rank's scope)
                zones = [m for m in before if not m.is_region]
                if zones:
                    return zones[-1].name
                if len(before) == 1 and _LEADING_TIME.fullmatch(text[s0 : last.start]):
                    return last.name  # 浙江共有省级以上开发区117个: the province is the sentence's subject
            else:
                return last.name
        if (
            _NATIONAL_SUBJECT.search(text[s0 : q.start])
            and not before
            and not (q.rank and not _OWN_RANK.match(text, s0))
        ):
            # 在科技部发布的…评价中,我区排名第41位; 位居全国第九名: the nation is a rank's scope, the zone is ranked
            return "全国"
        if re.search(r"\d+个(?:试点)?(?:国家)?高新区", text[q.start : q.end + 8]):
            return "全国"
        return article.zone


def _refined(text: str, f: _Found, after: list[_Found]) -> bool:
    """园区进入前二十,位列第17位: a top-N bracket the next clause's exact place falls in says nothing more."""
    return (
        f.q.rank
        and text[f.q.num_start - 1 : f.q.num_start] == "前"
        and bool(after)
        and after[0].q.rank
        and text[after[0].q.num_start - 1 : after[0].q.num_start] == "第"
        and after[0].q.value <= f.q.value
        and len(text[f.q.end : after[0].q.start]) <= 8
    )


# A kind of zone's full forms → its short name, as questions say it (国家级经济技术开发区 → 国家级经开区); 国家高新区
# and the like stay as printed (the short name is in them already).
_FULL_KINDS = sorted(
    (
        (full.removeprefix("国家级").removeprefix("国家"), short)
        for short, fulls in _V.zones.full_forms.items()
        for full in fulls
        if short not in full
    ),
    key=lambda p: -len(p[0]),
)


def _short_kinds(name: str) -> str:
    for full, short in _FULL_KINDS:
        if full in name and len(full) > len(short):
            return name.replace(full, short)
    return name


def _raw_lines(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """The printed lines of text[start:end] that hold anything, with their offsets (blank lines dropped)."""
    out, pos = [], start
    for line in text[start:end].split("\n"):
        if line.strip():
            out.append((pos, line.rstrip("\r")))
        pos += len(line) + 1
    return out


def _replace(f: _Found, metric: str, confidence: float) -> _Found:
    return _Found(f.q, metric, f.base, f.zone, f.period, f.kind, f.quote, confidence, f.entity, f.context)


def _with_context(f: _Found, context: tuple[int, int]) -> _Found:
    return _Found(f.q, f.metric, f.base, f.zone, f.period, f.kind, f.quote, f.confidence, f.entity, context)


def _quote_end(text: str, q: Quantity, clause_end: int) -> int:
    """A quote runs to the value, or on to the clause end when the value qualifies a noun after it."""
    rest = text[q.end : clause_end]
    if not rest or rest[0] in "、和及" or re.match(r"、|和|及|\d", rest):
        return q.end
    nxt = re.search(r"、\S{0,12}?\d", rest)
    return q.end + nxt.start() if nxt else clause_end


def _without(text: str, start: int, end: int, qs: list[Quantity]) -> str:
    """text[start:end] with the other quantities in it cut out (占全部2807家企业的 → 占全部企业的)."""
    out, pos = [], start
    for q in qs:
        if start <= q.start and q.end <= end:
            out.append(text[pos : q.start])
            pos = q.end
    out.append(text[pos:end])
    return "".join(out)


def _measure_word(unit: str) -> str:
    if unit.endswith(_V.units.area):
        return "面积"
    if unit.endswith("元"):
        return "" if unit else ""
    return ""


def _unit_family(unit: str) -> str:
    if unit.endswith("元"):
        return "money"
    if unit in _SHARE_UNITS:
        return "share"
    if unit.lstrip(_SCALE_CHARS) in COUNT_UNITS:
        return "count"
    return unit


def _has_han(s: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in s) or s in ("GDP", "R&D")


def _is_modifier_only(metric: str) -> bool:
    return (
        bool(metric)
        and all(part in _MODIFIERS for part in _MODIFIER.findall(metric))
        and re.fullmatch(f"({_MODIFIER.pattern})+", metric) is not None
    )


def _strip_count(metric: str) -> str:
    for suffix in ("数量", "总数"):
        if metric.endswith(suffix) and len(metric) > len(suffix) + 1:
            return metric[: -len(suffix)]
    return metric


_BARE_MEASURES = frozenset(
    "增加值 产值 总产值 营业收入 营收 收入 利润 税收 销售额 总投资 总投资额 计划投资 年度计划投资 总建筑面积 建筑面积".split()
)


def _subject_of(metric: str) -> str:
    """What a metric is about, without its measure and the verbs before it: 计划实施重大产业项目数量 → 重大产业项目,
    生物医药产业实现产值 → 生物医药产业."""
    subject = re.sub(
        r"(实现|完成|达到)?(总产值|产值|增加值|营业收入|营收|收入|利润|税收|销售额)$", "", _strip_count(metric)
    )
    return re.sub(
        r"^(计划|全年|年度)?(实施|推进|新开工|开工|签约|引进|落地|建设|新建|在建|续建|实现|完成)+", "", subject
    )


_FLOW_PREFIX = re.compile(f"^({alternation(_V.newcomers.prefixes)})")  # newcomers, not the stock


def _join_base(base: str, predicate: str) -> str:
    """Join a subject and a bare predicate: 入库科技型中小企业 + 同比增长; X + 占楚雄市比重."""
    base = _FLOW_PREFIX.sub("", base) if predicate in ("总数", "总量") else base
    predicate = predicate.replace("的", "")
    if predicate.startswith("占") and not predicate.endswith(("比重", "比例")):
        predicate += "比重"
    return base + predicate


def _is_break(text: str, i: int, chars: str) -> bool:
    """Whether text[i] is one of `chars`, and not the thousands separator of a number (1,108.6)."""
    return text[i] in chars and not (text[i] == "," and _THOUSANDS.match(text, i - 1))


_THOUSANDS = re.compile(r"\d,\d{3}(?!\d)")


def _last_of(text: str, chars: str, lo: int, hi: int) -> int:
    for i in range(hi - 1, lo - 1, -1):
        if _is_break(text, i, chars):
            return i + 1
    return lo


def _next_of(text: str, chars: str, lo: int, hi: int) -> int:
    for i in range(lo, min(hi, len(text))):
        if _is_break(text, i, chars):
            return i
    return min(hi, len(text))


_LONGEST_SENTENCE = 600  # no sentence of prose is longer; a text without 。 is cut at its clauses instead
_CLAUSE_BREAKS = ",;，；"


def _bounded(ends: list[int], text: str) -> list[int]:
    """The sentence ends, with a run longer than _LONGEST_SENTENCE cut at its clauses (a page printed without 。):
    every number then looks back over its own stretch only, and reading stays linear in the text's length."""
    out: list[int] = []
    start = 0
    for end in [*ends, len(text)]:
        if end - start > _LONGEST_SENTENCE:
            out += [i for i in range(start, end) if text[i] in _CLAUSE_BREAKS]
        out.append(end)
        start = end + 1
    return out


def _milestones(text: str, qs: list[Quantity]) -> set[Quantity]:
    """超过2000亿元、3000亿元大关: only the last milestone is the current figure."""
    out: set[Quantity] = set()
    for a, b in zip(qs, qs[1:]):
        if text[a.end : b.start] == "、" and text[b.end : b.end + 2] == "大关":
            out.add(a)
    return out


_DECLINE_END = re.compile(f"(?:{alternation(_V.growth.declines)})$")
_VERB_BEFORE_MEASURE = re.compile(
    r"(?<=[\u4e00-\u9fff]{2})(?:实现|完成)(?=营业收入|营收|收入|总产值|产值|增加值|利润|税收|销售额|地区生产总值|进出口总额)"
)
_WON = re.compile(r"(?:成功|首批|均)?(入围|入选|获评|获批|荣获|被认定为|认定为)([^,;。]{2,20}?)(?=$|[,;。])")
_LEADING_TIME = re.compile(r"[\s\d年月底末,:]*|(?:截至|截止)?[\s\d年月底末,:]*")
_PART = re.compile(r"其中")
_CONVERSION = re.compile(rf"\s*\(\s*(?:{alternation(_V.conversion_words)})+\s*")
# A rank or a move in one (较上年上升12个位次): no measure a later rank could be of.
_RANK_UNITS = ("位", "名", "强", "个位次", "位次")
# 在科技部发布的国家高新区综合评价结果中, 在2023年度全省开发区综合考核中: the ranking a rank is in.
_RANKING_NAMED = re.compile(r"在([^在,;。]{4,60}?)中(?=[^中]*$)")
_RANK_VERB_IN = re.compile(f"(?:{alternation((*_V.rank_ordinal_verbs, *_V.rank_entry_verbs))})")
# 我国…位居全球第二: the nation ranked (its own rank); any other rank in a zone's article is the zone's.
_OWN_RANK = re.compile(r"[\s\d年月底末,:]*(?:我国|全国)(?!第|前|排|各|的|范围|同类|[^,;。]{0,30}?中)")
_PROVINCE_SUBJECT = re.compile(r"[\s\d年月底末,:]*全省(?!的|第|前|排)")
_LABEL_LINE = re.compile(r"[^,;:|。!?]{1,24}[:|]")
_NAMED_BY_YEAR = re.compile(r"[\u4e00-\u9fff“”]{0,8}?(?:发展情况|完成情况|规划)")
_CLAUSE_SCOPED = re.compile(r"^(近.+年|每年|“?十[三四五]五”?(期间)?)$")


def _period(before: str, clause_start: int, carried: str | None, anchor: int | None = None) -> str | None:
    """The time a figure is for, in the gold's notation.

    The last time expression before the number in its sentence wins; 近5年, 每年 and 十四五 hold
    only in their own clause; a baseline (较2012年) is not a period. 全年 becomes the year stated
    before it (in the sentence, else earlier in the paragraph), a relative one too (去年 on a page of 2024).
    """
    chosen = None
    year = carried
    for m in _PERIOD.finditer(before):
        if m.start() < clause_start and _CLAUSE_SCOPED.match(m.group()):
            continue
        if _BASELINE_BEFORE.search(before[: m.start()]):
            continue  # 较2012年翻了两番: a baseline, not the figure's period
        if m.group("year") and _NAMED_BY_YEAR.match(before, m.end()):
            continue  # 衔接2021年发展情况: a year naming a reference, not the figure's time (a list's year is: 2021年度名单)
        chosen = m
        if m.group("year") or m.group("range"):
            year = m.group("y4") or m.group("y1")
        elif anchor and m.group("word") and (word := m.group().strip("“”")) in _RELATIVE_YEARS:
            year = str(anchor - _RELATIVE_YEARS[word])  # 去年…，全年地区生产总值增长5.8%: 全年 is last year's
    if chosen is None:
        return None
    g = chosen.groupdict()
    if g["range"]:
        return f"{g['y1']}-{int(g['m1'])}~{int(g['m2'])}"
    if g["ypart"]:
        return _quarter_months(g["y3"], chosen.group()[5:])
    if g["part"]:  # 上半年, 前三季度 with no year: the page's (今年上半年 on a page of 2024-07-30 → 2024-1~6)
        return _quarter_months(str(anchor), chosen.group().removeprefix("今年")) if anchor else None
    if g["mrange"] and year:
        return f"{year}-{int(g['m3'])}~{int(g['m4'])}"  # 1—9月 after 2023年 (or under a 2023 headline)
    if g["yend"]:
        return chosen.group()
    if g["year"]:
        return g["y4"]
    if g["word"]:
        word = chosen.group().strip("“”")
        if anchor and word in _RELATIVE_YEARS:
            return str(anchor - _RELATIVE_YEARS[word])  # 去年 on a page of 2024 → 2023
        if word == "全年" and year:
            return year
        if word in ("年末", "年底") and year:
            return year + word  # 2023年…年末全区拥有…: as 2023年末 would read
        return "截至目前" if word in ("目前", "当前") else word
    return chosen.group()


def _is_heading(text: str) -> bool:
    """A short line that ends no sentence and holds no figure of its own: a section's heading."""
    text = text.strip()
    return 0 < len(text) <= 30 and not re.search(r"[。!?;,]", text) and not find_quantities(text)


def _headline_year(title: str) -> str | None:
    """The one year a headline is about (2023年统计公报): what 全年 and 年末 in its body refer to.

    Not a work report's: 2024年政府工作报告 looks back on 2023 and ahead to 2024."""
    years = set(re.findall(r"(?<!\d)((?:19|20)\d{2})(?:年(?!版)|(?![\d版.\-/年]))", title or ""))  # 2023年, 数说2023
    return years.pop() if len(years) == 1 and "工作报告" not in title else None


_PART_MONTHS = _V.part_months  # 一季度 → 1~3


def _quarter_months(year: str, part: str) -> str:
    """2024年一季度 → 2024-1~3, 前三季度 → 1~9, 上半年 → 1~6: the gold's month-range notation."""
    return f"{year}-{_PART_MONTHS[part]}" if part in _PART_MONTHS else f"{year}年{part}"


def _headline_period(title: str) -> str | None:
    """The period a headline names (2023年1—11月主要经济指标, 长沙高新区2023年成绩单): its body's figures are for it
    unless they say otherwise."""
    year = _headline_year(title)
    if not year:
        return None
    title = unicodedata.normalize("NFKC", title)
    m = re.search(year + r"年(\d{1,2})\s*[-~—–至到]\s*(\d{1,2})月", title)
    if m:
        return f"{year}-{int(m.group(1))}~{int(m.group(2))}"
    part = re.search(f"{year}年({alternation(_PART_MONTHS)})", title)
    return _quarter_months(year, part.group(1)) if part else year


@dataclass(frozen=True, slots=True)
class _PlainYears:
    """A paragraph's plain years in one scan: what `_year_in(text[:at])` finds, for every sentence start `at`.

    A sentence starts after its end mark (。!?…), which no time expression spans, so the matches ending by `at`
    are the ones the scan of text[:at] finds (checked byte-identical on every document folder)."""

    ends: list[int]
    values: list[str]

    @classmethod
    def of(cls, text: str) -> _PlainYears:
        years = [m for m in _PERIOD.finditer(text) if m.group("year") or m.group("range")]
        return cls([m.end() for m in years], [m.group("y4") or m.group("y1") for m in years])

    def before(self, at: int) -> str | None:
        i = bisect.bisect_right(self.ends, at)
        return self.values[i - 1] if i else None


def _year_in(text: str) -> str | None:
    """The last plain year (2021年, 2021年1-9月) a paragraph has stated, to carry into later sentences."""
    years = [m for m in _PERIOD.finditer(text) if m.group("year") or m.group("range")]
    return years[-1].group("y4") or years[-1].group("y1") if years else None


def _kind(sentence_left: str, left: str, right: str, q: Quantity, metric: str) -> str:
    if q.unit in ("%", "成") and re.search(r"完成(?:了)?[^,;。]{0,8}(?:计划|目标|任务)的?$", left):
        return "share"  # 完成年度计划的101%: how much of a plan was done, not a plan
    if _TARGET.search(sentence_left):
        return "target"
    if q.rank:
        return "rank"
    if q.signed:
        return "growth"
    if q.unit in ("倍", "个位次", "位次"):
        return "other"  # 1.3倍, 较上年上升12个位次: a multiple or a move, not a level
    growth = _GROWTH.search(left[-6:]) or _GROWTH.search(metric[-4:]) or re.match(r"(的)?增长", right)
    if growth and _REACHING.search(left) and q.unit not in ("%", "个百分点"):
        growth = None  # 提升至2500亿元: the level it reaches, not a change
    if growth and not (growth.group() == "净增" and q.unit.lstrip(_SCALE_CHARS) in COUNT_UNITS):
        return "growth"  # (净增695家 is a count of newcomers, a level, as 新增 is)
    if q.unit in _SHARE_UNITS:  # (倍 is "other", above)
        return "share"
    if q.unit in _V.units.time or re.search(r"由$|压缩至$|缩减至$|缩短至$|降至$", left):
        return "other"
    return "level"


def _core(metric: str) -> str:
    return _COUNT_WORD_AT_END.sub("", metric)


def _same_fact(a: Candidate, b: Candidate) -> bool:
    if (a.value, a.unit, a.zone, a.doc) != (b.value, b.unit, b.zone, b.doc):
        return False
    if a.quote_start < b.quote_end and b.quote_start < a.quote_end:
        return False  # one sentence states different facts; a repeat stands somewhere else
    ca, cb = _core(a.metric), _core(b.metric)
    if ca == cb or (min(len(ca), len(cb)) >= 2 and (ca in cb or cb in ca)):
        return True
    if a.article_index == b.article_index and (a.value >= 10 or not a.value.is_integer()) and fuzz.ratio(ca, cb) >= 50:
        return True  # 首批30家企业… / 首批签约的企业共有30家: an uncommon number told twice in one article
    return len(_common_suffix(ca, cb)) >= 3 or fuzz.ratio(ca, cb) >= 80 or fuzz.ratio(a.quote, b.quote) >= 90


def _common_suffix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return a[len(a) - n :]


def _dedupe(cands: list[Candidate]) -> list[Candidate]:
    """A fact printed twice in a file (pull quotes, repeated paragraphs, headlines) is kept once, at
    its first occurrence; the words right around the repeat join the kept fact's context."""
    kept: list[Candidate] = []
    for c in cands:
        twin = next((i for i, k in enumerate(kept) if _same_fact(k, c)), None)
        if twin is None:
            kept.append(c)
        else:
            said = c.quote[: c.end - c.quote_start + 10]  # the repeat's own words around the value
            if said not in kept[twin].context:
                kept[twin] = replace(kept[twin], context=f"{kept[twin].context} … {said}")
    return kept


def extract_file(path: Path, extractor: Extractor | None = None) -> list[Candidate]:
    """Read a file and extract its candidates (convenience for scripts and tests)."""
    from .text import read_source

    return (extractor or Extractor()).extract(read_source(path))

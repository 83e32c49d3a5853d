"""The domain's words: the one reader of config/ (vocab.toml, zones.toml, synonyms.toml, page.toml, indicators.toml).

Extraction, question parsing, scoring and the benchmark ask this module for units, qualifiers, markers,
stop words, zone suffixes and intents, so that a word is listed once and every user reads the same list.
config/ ships as the package `gaoxin_config` (see pyproject.toml), so the files are found installed too.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import AnnotateError

CONFIG_DIR = Path(str(files("gaoxin_config")))


def read_config(name: str | Path) -> dict[str, Any]:
    """A TOML file of config/ (or any path), parsed; OSError and TOMLDecodeError are the caller's to word."""
    path = name if isinstance(name, Path) else CONFIG_DIR / name
    return tomllib.loads(path.read_text(encoding="utf-8"))


def alternation(words: Iterable[str], unless: Iterable[str] = (), unless_ending: Iterable[str] = ()) -> str:
    """A regex alternation of the words in their order. A word is not matched where it begins one of `unless`
    (增加 but not 增加值), nor where it ends one of `unless_ending` (目前 but not 项目前)."""
    unless, unless_ending = tuple(unless), tuple(unless_ending)
    out = []
    for w in words:
        heads = "".join(f"(?<!{re.escape(u[: -len(w)])})" for u in unless_ending if u.endswith(w) and u != w)
        tails = [u[len(w) :] for u in unless if u.startswith(w) and u != w]
        out.append(heads + re.escape(w) + (f"(?!{'|'.join(map(re.escape, tails))})" if tails else ""))
    return "|".join(out)


@dataclass(frozen=True, slots=True)
class Units:
    """[units]: what is printed after a number."""

    measure: tuple[str, ...]
    count: frozenset[str]
    time: frozenset[str]
    share: tuple[str, ...]
    area: tuple[str, ...]
    area_words: tuple[str, ...]
    policy_before: tuple[str, ...]
    term_before: tuple[str, ...]
    term_after: tuple[str, ...]
    policy_after: tuple[str, ...]
    slogan_counts: frozenset[str]
    scales: tuple[str, ...]
    scale_chars: str
    money_scales: tuple[str, ...]
    money_words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Qualifiers:
    """[qualifiers]: word → more_than | about | less_than | at_least, before or after the number."""

    before: Mapping[str, str]
    after: Mapping[str, str]
    detached: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QuestionWords:
    """[question]: units and numbers in questions, and the units an asked-for head word wants."""

    how_many_units: tuple[str, ...]
    how_many_not: tuple[str, ...]
    scales_only: tuple[str, ...]
    guess_before: tuple[str, ...]
    guess_scales: tuple[str, ...]
    guess_units: tuple[str, ...]
    head_units: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class Growth:
    """[growth]: changes and increases, as articles print them and as questions ask for them."""

    changes: tuple[str, ...]
    declines: tuple[str, ...]
    increases: tuple[str, ...]
    not_growth: tuple[str, ...]
    reaching: tuple[str, ...]
    off_subject: tuple[str, ...]
    in_questions: tuple[str, ...]
    newcomers_in_questions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Newcomers:
    """[newcomers]: what makes a count one of newcomers, and words that only qualify a count."""

    prefixes: tuple[str, ...]
    modifiers: tuple[str, ...]
    predicates: tuple[str, ...]
    kept: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Target:
    """[target]: plans, as articles print them and as questions ask for them."""

    markers: tuple[str, ...]
    estimate: str
    estimate_ahead: tuple[str, ...]
    in_questions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Intents:
    """[intents]: help, overview, comparison, rank and series, and the particles that end a question."""

    help_exact: tuple[str, ...]
    help: tuple[str, ...]
    overview: tuple[str, ...]
    compare: tuple[str, ...]
    rank: tuple[str, ...]
    series: tuple[str, ...]
    particles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MetricWords:
    """[metric_words]: jieba words trimmed off a metric phrase or kept whole."""

    lead_stop: frozenset[str]
    trail_stop: frozenset[str]
    verbs_only: tuple[str, ...]
    generic: frozenset[str]
    adverbs: frozenset[str]
    noun_suffixes: frozenset[str]
    count_suffixes: tuple[str, ...]
    count_words: tuple[str, ...]
    subject_tails: tuple[str, ...]
    before_verb: frozenset[str]
    predicate_leads: frozenset[str]
    domain_words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ZoneWords:
    """[zones]: zone suffixes and the words around zone names (the gazetteer builds the names' forms from them)."""

    generic_suffixes: tuple[str, ...]
    question_suffixes: tuple[str, ...]
    after_pinyin: tuple[str, ...]
    not_a_place: tuple[str, ...]
    not_inside_a_name: tuple[str, ...]
    city_suffixes: tuple[str, ...]
    peoples: tuple[str, ...]
    region_follows: tuple[str, ...]
    full_forms: Mapping[str, tuple[str, ...]]  # 高新区 → 高新技术产业开发区, …
    pinyin_kinds: tuple[tuple[str, str], ...]  # (gaoxin, 高新), in order


@dataclass(frozen=True, slots=True)
class EnglishPage:
    """[english_page]: the words of an English page's facts and furniture (annotate/english.py)."""

    related: tuple[str, ...]  # Related: …, Read more: … open a list of other pages
    counts: Mapping[str, str]  # businesses → 家
    vehicle_words: tuple[str, ...]  # what makes `units` 辆
    ordinals: Mapping[str, int]  # third → 3
    fractions: Mapping[str, float]  # one third → 0.3333
    periods: Mapping[str, str]  # first three quarters → 1~9


@dataclass(frozen=True, slots=True)
class Wording:
    """[colloquial], [english], [typos]: how people type a question, read as the catalogue's words."""

    colloquial: Mapping[str, str]  # 涨了几个点 → 增长, 排老几 → 排第几
    english: Mapping[str, str]  # listed companies → 上市公司
    shapes: tuple[str, ...]  # groups of characters mistyped for each other by shape (人入)


@dataclass(frozen=True, slots=True)
class Vocab:
    """config/vocab.toml, typed: word lists are tuples, sets frozensets, tables read-only mappings."""

    units: Units
    qualifiers: Qualifiers
    question: QuestionWords
    total_units: tuple[str, ...]
    total_unit_endings: tuple[str, ...]
    bench_asked_count_units: tuple[str, ...]
    growth: Growth
    newcomers: Newcomers
    target: Target
    share_in_questions: tuple[str, ...]
    part_markers: tuple[str, ...]
    per_unit: tuple[str, ...]
    relative_years: Mapping[str, int]  # in a text: 去年 → 1 year back from the page's date
    asked_years: Mapping[str, tuple[int, bool]]  # in a question: 去年 → (0 years back from the latest full year,
    # not counting partial years); 今年 → (0, partial years count)
    period_words: tuple[str, ...]
    not_periods: tuple[str, ...]
    baseline_words: tuple[str, ...]
    part_months: Mapping[str, str]  # 一季度 → 1~3
    rank_verbs: tuple[str, ...]
    rank_ordinal_verbs: tuple[str, ...]
    rank_entry_verbs: tuple[str, ...]
    rank_not_measures: tuple[str, ...]
    conversion_words: tuple[str, ...]
    rank_of_figure_kept: tuple[str, ...]
    rank_of_figure_dropped: tuple[str, ...]
    national_bodies: tuple[str, ...]
    national_acts: tuple[str, ...]
    intents: Intents
    metric_words: MetricWords
    zones: ZoneWords
    wording: Wording
    english_page: EnglishPage


def _words(table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    words = table[key]
    if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
        raise TypeError(f"{key} must be a list of words")
    return tuple(words)


def _table(table: Mapping[str, Any], key: str) -> Mapping[str, str]:
    return MappingProxyType({str(k): str(v) for k, v in table[key].items()})


@cache
def vocab() -> Vocab:
    """config/vocab.toml, read once; AnnotateError naming the file if it is broken."""
    path = CONFIG_DIR / "vocab.toml"
    try:
        data = read_config(path)
        u, q, qw = data["units"], data["qualifiers"], data["question"]
        return Vocab(
            units=Units(
                measure=_words(u, "measure"),
                count=frozenset(_words(u, "count")),
                time=frozenset(_words(u, "time")),
                share=_words(u, "share"),
                area=_words(u, "area"),
                area_words=_words(u, "area_words"),
                policy_before=_words(u["policy"], "before"),
                term_before=_words(u["term"], "before"),
                term_after=_words(u["term"], "after"),
                policy_after=_words(u["policy"], "after"),
                slogan_counts=frozenset(_words(u, "slogan_counts")),
                scales=_words(u, "scales"),
                scale_chars=str(u["scale_chars"]),
                money_scales=_words(u, "money_scales"),
                money_words=_words(u, "money_words"),
            ),
            qualifiers=Qualifiers(
                before=_table(q, "before"), after=_table(q, "after"), detached=_words(q["detached"], "words")
            ),
            question=QuestionWords(
                how_many_units=_words(qw, "how_many_units"),
                how_many_not=_words(qw, "how_many_not"),
                scales_only=_words(qw, "scales_only"),
                guess_before=_words(qw, "guess_before"),
                guess_scales=_words(qw, "guess_scales"),
                guess_units=_words(qw, "guess_units"),
                head_units=tuple((_words(h, "heads"), _words(h, "units")) for h in qw["head_units"]),
            ),
            total_units=_words(data["scoring"], "total_units"),
            total_unit_endings=_words(data["scoring"], "total_unit_endings"),
            bench_asked_count_units=_words(data["bench"], "asked_count_units"),
            growth=Growth(**{k: _words(data["growth"], k) for k in Growth.__slots__}),
            newcomers=Newcomers(**{k: _words(data["newcomers"], k) for k in Newcomers.__slots__}),
            target=Target(
                markers=_words(data["target"], "markers"),
                estimate=str(data["target"]["estimate"]),
                estimate_ahead=_words(data["target"], "estimate_ahead"),
                in_questions=_words(data["target"], "in_questions"),
            ),
            share_in_questions=_words(data["share"], "in_questions"),
            part_markers=_words(data["parts"], "markers"),
            per_unit=_words(data["parts"], "per_unit"),
            period_words=_words(data["periods"], "words"),
            not_periods=_words(data["periods"], "not_periods"),
            baseline_words=_words(data["periods"], "baseline_words"),
            part_months=_table(data["periods"], "part_months"),
            rank_verbs=_words(data["rank"], "verbs"),
            rank_ordinal_verbs=_words(data["rank"], "ordinal_verbs"),
            rank_entry_verbs=_words(data["rank"], "entry_verbs"),
            rank_not_measures=_words(data["rank"], "not_measures"),
            conversion_words=_words(data["conversion"], "words"),
            rank_of_figure_kept=_words(data["rank"], "of_figure_kept"),
            rank_of_figure_dropped=_words(data["rank"], "of_figure_dropped"),
            national_bodies=_words(data["zones"], "national_bodies"),
            national_acts=_words(data["zones"], "national_acts"),
            relative_years=MappingProxyType({str(k): int(v["text"]) for k, v in data["periods"]["relative"].items()}),
            asked_years=MappingProxyType(
                {str(k): (int(v["asked"]), bool(v.get("partial"))) for k, v in data["periods"]["relative"].items()}
            ),
            intents=Intents(**{k: _words(data["intents"], k) for k in Intents.__slots__}),
            zones=ZoneWords(
                **{k: _words(data["zones"], k) for k in ZoneWords.__slots__ if k not in ("full_forms", "pinyin_kinds")},
                full_forms=MappingProxyType(
                    {str(k): _words(data["zones"]["full_forms"], k) for k in data["zones"]["full_forms"]}
                ),
                pinyin_kinds=tuple((str(k), str(v)) for k, v in data["zones"]["pinyin_kinds"].items()),
            ),
            english_page=EnglishPage(
                related=_words(data["english_page"], "related"),
                counts=_table(data["english_page"], "counts"),
                vehicle_words=_words(data["english_page"], "vehicle_words"),
                ordinals=MappingProxyType({str(k): int(v) for k, v in data["english_page"]["ordinals"].items()}),
                fractions=MappingProxyType({str(k): float(v) for k, v in data["english_page"]["fractions"].items()}),
                periods=_table(data["english_page"], "periods"),
            ),
            wording=Wording(
                colloquial=_table(data, "colloquial"),
                english=_table(data, "english"),
                shapes=_words(data["typos"], "shapes"),
            ),
            metric_words=MetricWords(
                **{
                    k: (
                        tuple
                        if k in ("verbs_only", "count_suffixes", "count_words", "subject_tails", "domain_words")
                        else frozenset
                    )(_words(data["metric_words"], k))
                    for k in MetricWords.__slots__
                }
            ),
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise AnnotateError(f"{path}: cannot load the vocabulary ({exc})") from exc


@dataclass(frozen=True, slots=True)
class PageWords:
    """config/page.toml: how a web page frames its article (dateline, source and date lines, furniture)."""

    agencies: tuple[str, ...]
    source_labels: tuple[str, ...]
    date_labels: tuple[str, ...]
    breadcrumb_starts: tuple[str, ...]
    breadcrumb_separators: tuple[str, ...]
    furniture: tuple[str, ...]
    furniture_labels: tuple[str, ...]
    related_headers: tuple[str, ...]
    zone_words: Mapping[str, str]  # what a page calls its zone → the suffix it stands for
    short_forms: Mapping[str, str]  # 高新技术产业开发区 → 高新区
    english_kinds: tuple[tuple[str, str], ...]  # ("hi-tech", "高新区")
    official_words: tuple[str, ...]  # 经济开发区, 合作区: an unlisted zone is kept when named with one of these
    not_places: tuple[str, ...]  # 全省, 省级: words before a zone word that are no zone's place


@cache
def page_words() -> PageWords:
    """config/page.toml, read once; AnnotateError naming the file if it is broken."""
    path = CONFIG_DIR / "page.toml"
    try:
        data = read_config(path)
        lines = data["lines"]
        return PageWords(
            agencies=_words(data["dateline"], "agencies"),
            **{k: _words(lines, k) for k in ("source_labels", "date_labels", "breadcrumb_starts",
                                              "breadcrumb_separators", "furniture", "furniture_labels",
                                              "related_headers")},
            zone_words=_table(data, "zone_words"),
            short_forms=_table(data, "short_forms"),
            english_kinds=tuple((str(k["words"]), str(k["zone"])) for k in data["english"]["kinds"]),
            official_words=_words(data["places"], "official_words"),
            not_places=_words(data["places"], "not_places"),
        )  # fmt: skip
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise AnnotateError(f"{path}: cannot load the page vocabulary ({exc})") from exc


# What an indicator's level is measured in, and the variants a fact of it may take besides a level.
INDICATOR_FAMILIES = ("money", "count", "people", "share", "area", "rank", "score", "quantity", "time")
INDICATOR_VARIANTS = ("growth", "share", "rank", "target", "per_head", "cumulative")
_CODE = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True, slots=True)
class Indicator:
    """One standard indicator of config/indicators.toml: 营业收入 is `revenue`, measured in money."""

    code: str
    name: str
    english: str
    family: str
    variants: tuple[str, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IndicatorCatalogue:
    """config/indicators.toml, typed: the indicators in file order, and the words around their names in a metric."""

    indicators: tuple[Indicator, ...]
    qualifiers: tuple[str, ...]  # may stand before a name (园区, 新增, 国家级 …)
    suffixes: tuple[str, ...]  # may follow it and measure it (数量, 总数 …)
    variant_starts: tuple[str, ...]  # begin a variant after it (增长, 占, 目标, 排名 …)

    def by_code(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)


def _indicator(entry: Mapping[str, Any], default_variants: tuple[str, ...]) -> Indicator:
    code = str(entry["code"])
    if not _CODE.fullmatch(code):
        raise TypeError(f"indicator code {code!r} must be lower-case ASCII words joined by _")
    family = str(entry["family"])
    if family not in INDICATOR_FAMILIES:
        raise TypeError(f"{code}: family {family!r} is none of {', '.join(INDICATOR_FAMILIES)}")
    variants = _words(entry, "variants") if "variants" in entry else default_variants
    if unknown := set(variants) - set(INDICATOR_VARIANTS):
        raise TypeError(f"{code}: unknown variants {sorted(unknown)}")
    return Indicator(code, str(entry["name"]), str(entry["english"]), family, variants, _words(entry, "aliases"))


@cache
def indicators() -> IndicatorCatalogue:
    """config/indicators.toml, read once; AnnotateError naming the file if it is broken (or a code is repeated)."""
    path = CONFIG_DIR / "indicators.toml"
    try:
        data = read_config(path)
        defaults = _words(data["defaults"], "variants")
        found = tuple(_indicator(entry, defaults) for entry in data["indicator"])
        codes = [i.code for i in found]
        if len(set(codes)) != len(codes):
            raise TypeError(f"codes repeated: {sorted({c for c in codes if codes.count(c) > 1})}")
        match = data["match"]
        return IndicatorCatalogue(
            found, _words(match, "qualifiers"), _words(match, "suffixes"), _words(match, "variant_starts")
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise AnnotateError(f"{path}: cannot load the indicator catalogue ({exc})") from exc


@dataclass(frozen=True, slots=True)
class Scoring:
    """config/weights.toml: the weight of each named feature of a (question, fact) pair, and the decision's limits."""

    weights: Mapping[str, float]
    scale: str  # "linear" | "logistic"
    answer_min: float
    cover_min: float
    tie: float
    alternative: float
    verified_edge: float
    nearest_min: float
    header: str
    # When nothing answers and the zone is known: the best fact of a fitting kind (none of `conflicts`) is answered
    # when it scores at least lead_min and leads the next fitting fact by lead_gap ([lead] in weights.toml).
    lead_min: float = 0.3
    lead_gap: float = 0.2
    conflicts: tuple[str, ...] = ()  # the file's leading comment (how and on what the weights were fitted)


@cache
def scoring(path: Path | None = None) -> Scoring:
    """config/weights.toml (or another weights file), read once; AnnotateError naming the file if it is broken."""
    path = path or CONFIG_DIR / "weights.toml"
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
        d = data["decision"]
        scale = str(d["scale"])
        if scale not in ("linear", "logistic"):
            raise TypeError(f"scale {scale!r} is neither linear nor logistic")
        weights = MappingProxyType({str(k): float(v) for k, v in data["weights"].items()})
        header = "\n".join(itertools.takewhile(lambda line: line.startswith("#"), text.splitlines()))
        lead = data["lead"]
        return Scoring(
            weights, scale, *(float(d[k]) for k in ("answer_min", "cover_min", "tie", "alternative", "verified_edge", "nearest_min")),
            header, float(lead["lead_min"]), float(lead["lead_gap"]), tuple(str(n) for n in lead["conflicts"]),
        )  # fmt: skip
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise AnnotateError(f"{path}: cannot load the scoring weights ({exc})") from exc

"""Understanding a chat question: which zone, which metric, which period, and what kind of answer.

Pure: no Flask, no SQL. Zones resolve against the gazetteer and the zones the store has facts for,
by alias (青岛 = 青岛高新区), by sound (西按 → 西安, Qingdao → 青岛) and by spelling (大连高心区).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from pypinyin import Style, lazy_pinyin, pinyin
from rapidfuzz import fuzz, process

from annotate.gazetteer import QUESTION_ZONE_SUFFIX, Gazetteer, QuestionZone
from annotate.indicators import indicator_reader
from annotate.vocab import alternation, vocab

from .normalize import Normalizer, fold_width
from .wording import Wording

MAX_QUESTION_CHARS = 500
_V = vocab()

_ZONE_SUFFIX = QUESTION_ZONE_SUFFIX
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年度?)?(?:\s*(?:[-~至到])\s*((?:19|20)\d{2})\s*年?)?")
# Ranges are read before punctuation is folded away (2019-2021 would otherwise be two separate years).
_YEAR_RANGE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年度?)?\s*[-~～至到—–]\s*((?:19|20)\d{2})(?!\d)")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # lone halves (JSON can carry them) cannot be encoded for OpenCC
_RELATIVE = re.compile(alternation(_V.asked_years))
# A part of the year asked for: 上半年, 前三季度, 一季度 (config/vocab.toml [periods.part_months]), or 1—9月 (the
# dash may be folded to a space).
_PART = re.compile(
    f"(?P<word>{alternation(_V.part_months)})|(?<!\\d)(?P<a>1)(?:\\s*[-—–~至到]\\s*|\\s+)(?P<b>1[0-2]|[2-9])\\s*月(?:份)?"
)
_HELP = re.compile(f"^(?:{alternation(_V.intents.help_exact)})$|{alternation(_V.intents.help)}")
_OVERVIEW = re.compile(alternation(_V.intents.overview))
_COMPARE = re.compile(alternation(_V.intents.compare))
_PINYIN_KINDS = _V.zones.pinyin_kinds  # (gaoxin, 高新): Hefei gaoxinqu is 合肥高新区
_RANK_WORDS = re.compile(alternation(_V.intents.rank))
_SERIES = re.compile(alternation(_V.intents.series))
# 多少家 asks for a count of 家; not 多少人才 (人才 is the thing counted) nor 多少个人 (a person).
_MEASURE_AFTER_HOW_MANY = re.compile(
    f"(多少|几)({alternation(_V.question.how_many_units, unless=_V.question.how_many_not)})"
)
_ASKED_NUMBER = re.compile(
    rf"(?:{alternation(_V.question.guess_before)})?(?<![a-z\d])\d+(?:\.\d+)?\s*(?:{alternation(_V.question.guess_scales)})?"
    rf"(?:{alternation(_V.question.guess_units)})?(?![\d强a-z.])"
)
_ASKED_WORD_NUMBER = re.compile(
    rf"(?:{alternation(_V.question.guess_before)})[一二两三四五六七八九十百千万亿]+"
    rf"(?:{alternation(_V.question.guess_units)})?"
)
_PARTICLES = re.compile(f"(?:{alternation(_V.intents.particles)})+$")
_NOT_A_PLACE = re.compile(f"^({alternation(_V.zones.not_a_place)})")  # 各高新区, 哪个开发区
# Zhongguancun高新区 but not Zhongguancun 高新技术企业: a zone word that begins a domain word is the metric's
_AFTER_PINYIN = re.compile(rf"(^|\s)(?:{alternation(_V.zones.after_pinyin, unless=_V.metric_words.domain_words)})")
_SCALES_ONLY = _V.question.scales_only  # 多少亿 asks for an amount, but names no unit to prefer


@dataclass(frozen=True, slots=True)
class Question:
    """A question as the bot understood it."""

    text: str
    intent: str  # "fact" | "overview" | "compare" | "series" | "help" | "empty"
    zones: tuple[str, ...]  # candidate zone names, best first (several when a name is ambiguous: 重庆)
    zone_surface: str | None  # what in the question named the zone
    unknown_zone: str | None  # looked like a zone's name but is none we know
    metric: str  # canonical, fillers out
    years: tuple[int, ...]
    relative: str | None  # 今年 / 去年 / 前年
    wants_rank: bool
    unit_hint: str | None = None  # 有多少家 → 家
    indicator: str | None = None  # the standard indicator the metric names (config/indicators.toml), if any
    months: str | None = None  # the part of a year asked for: 上半年 → 1~6, 前三季度 → 1~9 (as facts' periods write it)


class QuestionParser:
    """Parses questions; knows the zone names (gazetteer and store) and the vocabulary."""

    def __init__(self, gazetteer: Gazetteer, normalizer: Normalizer, store_zones: set[str] | None = None) -> None:
        self.gaz = gazetteer
        self.norm = normalizer
        self.store_zones = set(store_zones or ())

    def with_store_zones(self, zones: set[str]) -> QuestionParser:
        parser = QuestionParser(self.gaz, self.norm, zones)
        parser.__dict__["wording"] = self.wording  # its vocabulary is the config's, not the store's: read it once
        return parser

    # ── the zone vocabulary (the gazetteer builds every surface form) ────────────────────────────
    @cached_property
    def _zones(self) -> list[QuestionZone]:
        return self.gaz.question_zones(self.store_zones)

    @cached_property
    def _forms(self) -> dict[str, list[str]]:
        """Folded surface form → zone names, most likely first."""
        forms: dict[str, list[str]] = {}
        for form, name in self.gaz.question_forms(self.store_zones, self._zones):
            form = self.norm.fold(form).replace(" ", "")
            if len(form) >= 2 and name not in forms.setdefault(form, []):
                forms[form].append(name)
        return forms

    @cached_property
    def _regions(self) -> frozenset[str]:
        return frozenset(r.name for r in self.gaz.regions)

    @cached_property
    def _prefixes(self) -> frozenset[str]:
        return frozenset(f[:i] for f in self._forms for i in range(1, len(f) + 1))

    @cached_property
    def _pinyin_keys(self) -> list[str]:
        return sorted(self._by_pinyin, key=len, reverse=True)

    @cached_property
    def _by_pinyin(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for z in self._zones:
            if len(z.pinyin) >= 4 and (z.national_high_tech or z.name in self.store_zones or z.name == z.city):
                out.setdefault(z.pinyin, []).append(z.name)
        return out

    @cached_property
    def _by_curated(self) -> list[tuple[str, list[str]]]:
        """zones.toml's pinyin of a zone's distinctive part (Zhongguancun), longest first: read in Latin only, and
        only where no city's pinyin is (chengdu gaoxinqu is 成都高新区, not the bonded zone spelt chengdugaoxin)."""
        out: dict[str, list[str]] = {}
        for z in self._zones:
            if len(z.curated) >= 4:
                out.setdefault(z.curated, []).append(z.name)
        return sorted(out.items(), key=lambda kv: len(kv[0]), reverse=True)

    # ── parsing ──────────────────────────────────────────────────────────────────────────────
    def parse(self, text: str) -> Question:
        clipped = _written_years(_SURROGATE.sub("", text[:MAX_QUESTION_CHARS]))
        folded = self.norm.fold(clipped)
        if not folded:
            return Question(text, "empty", (), None, None, "", (), None, False)
        compact = folded.replace(" ", "")
        if _HELP.search(compact):
            return Question(text, "help", (), None, None, "", (), None, False)
        years = tuple(sorted({int(y) for m in _YEAR.finditer(folded) for y in m.groups() if y} | _spanned(clipped)))
        rest = _YEAR.sub(" ", folded)
        relative = m.group() if (m := _RELATIVE.search(rest)) else None
        rest = _RELATIVE.sub(" ", rest)
        zones, surface, rest = self._find_zone(rest)
        unknown_zone = None
        if not zones:
            m = re.search(r"([\u4e00-\u9fff]{2,8}?" + _ZONE_SUFFIX + ")", rest.replace(" ", ""))
            if m and not _NOT_A_PLACE.match(m.group(1)):
                unknown_zone = m.group(1)
                rest = rest.replace(m.group(1), " ")
        rest = self.wording.read(rest)  # 涨了几个点, listed companies, gaoqi, 研发头入: the catalogue's words
        months = None
        if m := _PART.search(rest):  # 上半年, 前三季度, 1—9月 (H1, first quarter: read into Chinese just above)
            months = _V.part_months[m.group("word")] if m.group("word") else f"{m.group('a')}~{m.group('b')}"
            rest = rest[: m.start()] + " " + rest[m.end() :]
        compact_rest = rest.replace(" ", "")
        intent = "fact"
        if _OVERVIEW.search(compact_rest) and zones:
            intent = "overview"
        elif _COMPARE.search(compact_rest) and not zones:
            intent = "compare"
        elif zones and _SERIES.search(compact_rest):
            intent = "series"
            rest = _SERIES.sub(" ", rest)
        wants_rank = bool(_RANK_WORDS.search(compact_rest)) and intent == "fact"
        for pattern in (_OVERVIEW, _COMPARE, _RANK_WORDS):
            rest = pattern.sub(" ", rest)
        hint = m.group(2) if (m := _MEASURE_AFTER_HOW_MANY.search(rest.replace(" ", ""))) else None
        hint = "元" if hint == "钱" else None if hint in _SCALES_ONLY else hint  # 扶持了多少钱: an amount of 元
        metric = self._metric_text(rest)
        # Read with the same names as the facts (the metric is already canonical: 营收 → 营业收入, 研发强度 → 研发投入强度)
        indicator = indicator_reader().code(metric) if metric else None
        return Question(
            text, intent, tuple(zones), surface, unknown_zone, metric, years, relative, wants_rank, hint, indicator,
            months,
        )  # fmt: skip

    def _metric_text(self, rest: str) -> str:
        rest = _PARTICLES.sub("", rest.rstrip())  # …是多少来着, …呢, …啊
        rest = _ASKED_WORD_NUMBER.sub(" ", rest)  # 是不是过千家了: a guess in words
        rest = _ASKED_NUMBER.sub(" ", rest)  # 是不是已经过8000件了, 有没有超过400亿: the number is the user's guess
        for word in self.norm.vocabulary.zone_words:
            rest = rest.replace(word, " ")
        rest = _MEASURE_AFTER_HOW_MANY.sub(" ", rest)
        fillers = set(self.norm.vocabulary.fillers)
        for filler in sorted((f for f in fillers if len(f) >= 3 or f.startswith(("多", "几"))), key=len, reverse=True):
            rest = rest.replace(filler, " ")
        rest = self.norm.canonical(rest)
        text = rest
        for _ in range(4):  # joining the words left can form a filler again (多 少 → 多少)
            kept = "".join(w for w in self._words(text) if w.strip() and w not in fillers)
            if kept == text:
                break
            text = kept
        if not re.search(r"[\u4e00-\u9fff]|gdp|r&d", text) and re.fullmatch(r"[a-z'\s]*", text):
            return ""  # Latin words alone are no metric (one character class: a nested `+` backtracks for ever)
        return text

    @cached_property
    def _tokenizer(self):
        from annotate.words import tokenizer_for

        return tokenizer_for(self.gaz)

    @cached_property
    def wording(self) -> Wording:
        return Wording(self.norm, self._tokenizer)

    def _words(self, text: str) -> list[str]:
        return list(self._tokenizer.cut(text, HMM=False))

    def _find_zone(self, text: str) -> tuple[list[str], str | None, str]:
        """Zones named in the text: exact forms first, then by sound, then by spelling."""
        compact = text.replace(" ", "")
        exact = self._exact(compact)
        by_sound = None
        if exact and all(n in self._regions for n in exact[1]):
            by_sound = self._by_sound(text)
            if by_sound and by_sound[0].isascii():  # Luoyang hi-tech zone 在全国国家高新区 ranking 第几
                exact = None  # the zone spelt out, the region its context
        if exact:
            surface, names = exact
            return names, surface, _remove(text, surface)
        by_sound = by_sound or self._by_sound(text)
        if by_sound:
            surface, names = by_sound
            rest = _remove_loose(text, surface)
            if surface.isascii():  # Lanzhou高新区 GDP: the zone word after a pinyin place is part of its name
                rest = _AFTER_PINYIN.sub(" ", rest, count=1)
            return names, surface, rest
        fuzzy = self._by_spelling(compact)
        if fuzzy:
            surface, names = fuzzy
            return names, surface, _remove(text, surface)
        return [], None, text

    def _exact(self, compact: str) -> tuple[str, list[str]] | None:
        best: tuple[str, list[str]] | None = None
        for i in range(len(compact)):
            j = i + 1
            while j <= len(compact) and compact[i:j] in self._prefixes:
                form = compact[i:j]
                if form in self._forms and (best is None or len(form) > len(best[0])):
                    best = (form, self._forms[form])
                j += 1
        if best is None:
            return None
        surface, names = best
        # 大连高新区 written out: let the suffix that follows a bare city stay part of the surface
        tail = re.match(_ZONE_SUFFIX, compact[compact.index(surface) + len(surface) :])
        if tail and not re.search(_ZONE_SUFFIX + "$", surface) and surface + tail.group() not in self._forms:
            surface += tail.group()
        return surface, self._prefer_store(names)

    def _by_sound(self, text: str) -> tuple[str, list[str]] | None:
        """Latin pinyin (Qingdao, qingdao gaoxinqu, Xi'an) or Chinese homophones (西按, 楚熊, 潍访)."""
        latin = re.findall(r"[a-z']+", text)
        for at in range(len(latin)):  # What's the GDP of Chuxiong high-tech zone: the place need not come first
            joined = "".join(latin[at:]).replace("'", "")
            for key in self._pinyin_keys:
                if joined.startswith(key):
                    names = self._by_pinyin[key]
                    kind = next((k for spelt, k in _PINYIN_KINDS if joined[len(key) :].startswith(spelt)), None)
                    # Hefei gaoxinqu is 合肥高新区, not 合肥经开区 nor 合肥新站高新区 (the city's own is the shortest name)
                    kinds = [n for n in names if kind and kind in n]
                    names = [n for n in kinds if len(n) == min(map(len, kinds))] or names
                    return _spelling_words(latin[at:], key), self._prefer_store(names)
        for at in range(len(latin)):
            joined = "".join(latin[at:]).replace("'", "")
            for key, names in self._by_curated:
                if joined.startswith(key):
                    return _spelling_words(latin[at:], key), self._prefer_store(names)
        han = re.findall(r"[\u4e00-\u9fff]+", text)
        for run in han:
            for start in range(len(run)):
                for length in (4, 3, 2):
                    piece = run[start : start + length]
                    if len(piece) < length:
                        continue
                    follows = run[start + length : start + length + 3]
                    if start > 0 and not re.match(_ZONE_SUFFIX, follows):
                        continue  # only a name at the start, or one followed by 高新区
                    key = next((k for k in _readings(piece) if k in self._by_pinyin), None)
                    if key:
                        return piece + (
                            m.group() if (m := re.match(_ZONE_SUFFIX, follows)) else ""
                        ), self._prefer_store(self._by_pinyin[key])
        return None

    def _by_spelling(self, compact: str) -> tuple[str, list[str]] | None:
        """大连高心区: a name one character off, found with rapidfuzz."""
        m = re.match(r"[\u4e00-\u9fff]{3,10}", compact)
        if not m:
            return None
        head = m.group()
        hit = self._spelling_hit(head)
        if not hit:
            return None  # the place name itself must be right (大连高心区), not a near miss (火星 ≠ 火炬)
        form = hit
        aligned = fuzz.partial_ratio_alignment(form, head)
        surface = head[aligned.dest_start : aligned.dest_end] if aligned else head[: len(form)]
        return surface, self._prefer_store(self._forms[form])

    @cached_property
    def _spelling_forms(self) -> list[str]:
        return [f for f in self._forms if len(f) >= 4]

    @cached_property
    def _spelling_by_start(self) -> dict[str, list[int]]:
        """A form's first two characters → its positions in `_spelling_forms`."""
        out: dict[str, list[int]] = {}
        for i, form in enumerate(self._spelling_forms):
            out.setdefault(form[:2], []).append(i)
        return out

    def _spelling_hit(self, head: str) -> str | None:
        """The form rapidfuzz's extractOne picks over all forms, when its first two characters are in the head.

        Only forms starting with a bigram of the head can pass, so they are scanned first; the rest are
        scanned only to confirm that none of them would have scored higher (or as high, earlier)."""
        forms = self._spelling_forms
        starts = {head[i : i + 2] for i in range(len(head) - 1)}
        near = sorted(i for b in starts for i in self._spelling_by_start.get(b, ()))
        hit = process.extractOne(head, [forms[i] for i in near], scorer=fuzz.partial_ratio, score_cutoff=80)
        if not hit:
            return None  # the best form overall, if any, does not start with a bigram of the head
        _, score, k = hit
        position = near[k]
        taken = set(near)
        rest = [i for i in range(len(forms)) if i not in taken]
        rival = process.extractOne(head, [forms[i] for i in rest], scorer=fuzz.partial_ratio, score_cutoff=score)
        if rival and (rival[1] > score or rest[rival[2]] < position):
            return None
        return forms[position]

    def _prefer_store(self, names: list[str]) -> list[str]:
        """Of several zones a name may mean, those the store has facts for come first."""
        return sorted(names, key=lambda n: n not in self.store_zones)


def _readings(piece: str, limit: int = 16) -> Iterator[str]:
    """The usual pinyin of a few characters first, then (only if asked for) their other readings (城都: chengdou,
    and chengdu)."""
    usual = "".join(lazy_pinyin(piece))
    yield usual
    if len(piece) <= 4:
        combos = itertools.islice(itertools.product(*pinyin(piece, style=Style.NORMAL, heteronym=True)), limit)
        yield from (key for c in combos if (key := "".join(c)) != usual)


_CN_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})年")
_SHORT_YEAR = re.compile(r"(?<![\d近前后过去连续最])([12]\d)年(?![来以内间期代])")
_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}


def _written_years(text: str) -> str:
    """二〇二一年 and 21年 as 2021年 (not 近10年, 12年来: spans of time)."""
    text = _CN_YEAR.sub(lambda m: "".join(_CN_DIGIT[c] for c in m.group(1)) + "年", text)
    return _SHORT_YEAR.sub(lambda m: "20" + m.group(1) + "年", text)


def _spanned(text: str) -> set[int]:
    """Every year of the ranges in the text (2019-2021年 → 2019, 2020, 2021), at most 30 years each."""
    years: set[int] = set()
    for m in _YEAR_RANGE.finditer(fold_width(text)):
        first, last = sorted((int(m.group(1)), int(m.group(2))))
        if last - first <= 30:
            years.update(range(first, last + 1))
    return years


def _spelling_words(latin: list[str], key: str) -> str:
    """The Latin words that spell a place's pinyin (Chuxiong in "Chuxiong high-tech zone GDP"), not the rest."""
    used, spelt = [], ""
    for word in latin:
        if len(spelt) >= len(key):
            break
        used.append(word)
        spelt += word.replace("'", "")
    return " ".join(used)


def _remove(text: str, surface: str) -> str:
    """Remove a surface found in the text with its spaces squeezed out."""
    pattern = r"\s*".join(re.escape(ch) for ch in surface)
    return re.sub(pattern, " ", text, count=1)


def _remove_loose(text: str, surface: str) -> str:
    for word in surface.split(" "):
        text = text.replace(word, " ", 1)
    return text

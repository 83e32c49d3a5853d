"""Reading a question's words as the catalogue spells them: colloquial verbs, English, toneless pinyin, typos.

Question side only (the articles' own synonyms are bot/normalize.py's). The words come from config/ through
annotate/vocab.py: [colloquial] and [english] of vocab.toml, the indicators' names, aliases and English names
(indicators.toml), the synonyms and fillers (synonyms.toml) and the domain words. Pure: no Flask, no SQL.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache

import jieba
from pypinyin import lazy_pinyin

from annotate.indicators import indicators
from annotate.vocab import vocab

from .normalize import Normalizer

_V = vocab()
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_LATIN_RUN = re.compile(r"[a-z]+(?: +[a-z]+)*")
_LONGEST_WORD = 8  # a typo is looked for in windows of the question up to this long


def _phrases(table: dict[str, str]) -> re.Pattern[str] | None:
    """One pattern of the table's phrases, longest first."""
    if not table:
        return None
    return re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))


class Wording:
    """Rewrites a folded question into the catalogue's words; built once per normalizer and tokenizer."""

    def __init__(self, normalizer: Normalizer, tokenizer: jieba.Tokenizer) -> None:
        self.norm = normalizer
        self.tok = tokenizer

    # ── the vocabularies, read lazily (the first question that needs one pays for it) ─────────────
    @cached_property
    def _colloquial(self) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        table = {self.norm.fold(k).replace(" ", ""): v for k, v in _V.wording.colloquial.items()}
        return _phrases(table), table

    @cached_property
    def _english(self) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        table = {self.norm.fold(i.english): i.name for i in indicators().indicators if i.english}
        table |= {self.norm.fold(k): v for k, v in _V.wording.english.items()}
        table = {k: v for k, v in table.items() if k}
        if not table:
            return None, table
        words = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
        return re.compile(rf"(?<![a-z])(?:{words})(?![a-z])"), table

    @cached_property
    def lexicon(self) -> frozenset[str]:
        """The metric vocabulary: catalogue names, aliases, synonyms and domain words, whole and cut into words."""
        catalogue = indicators()
        entries = [w for i in catalogue.indicators for w in (i.name, *i.aliases)]
        entries += [*catalogue.qualifiers, *catalogue.suffixes, *catalogue.variant_starts]
        entries += [*self.norm.vocabulary.synonyms, *self.norm.vocabulary.synonyms.values()]
        entries += [*_V.metric_words.domain_words, *_V.wording.colloquial.values()]
        words: set[str] = set()
        for entry in entries:
            entry = self.norm.fold(entry).replace(" ", "")
            if not re.fullmatch(r"[\u4e00-\u9fff]{2,}", entry):
                continue
            words.add(entry)
            words.update(w for w in self.tok.cut(entry, HMM=False) if len(w) >= 2)
        return frozenset(words)

    @cached_property
    def _by_sound(self) -> dict[tuple[str, ...], str]:
        """The syllables of a lexicon word (each character's usual reading) → the word, up to _LONGEST_WORD long."""
        out: dict[tuple[str, ...], str] = {}
        for word in sorted(self.lexicon):
            if len(word) <= _LONGEST_WORD:
                out.setdefault(tuple(map(_sound, word)), word)
        return out

    @cached_property
    def _starts(self) -> tuple[frozenset[str], frozenset[tuple[str, ...]]]:
        """Every beginning of a lexicon word, by characters and by syllables: a window no word begins is skipped."""
        chars = frozenset(w[:k] for w in self.lexicon for k in range(1, min(len(w), _LONGEST_WORD) + 1))
        sounds = frozenset(key[:k] for key in self._by_sound for k in range(1, len(key) + 1))
        return chars, sounds

    @cached_property
    def _shapes(self) -> dict[str, str]:
        """A character → the characters mistyped for it by shape."""
        return {c: group.replace(c, "") for group in _V.wording.shapes for c in group}

    @cached_property
    def _pinyin_words(self) -> dict[str, str]:
        """Toneless pinyin → the word it spells: the units and fillers a question asks with, then the lexicon."""
        out: dict[str, str] = {}
        fillers = [w for w in self.norm.vocabulary.fillers if re.fullmatch(r"[\u4e00-\u9fff]+", w)]
        for word in [*_V.question.how_many_units, *fillers, *sorted(self.lexicon, key=lambda w: (-len(w), w))]:
            if re.fullmatch(r"[\u4e00-\u9fff]+", word):
                out.setdefault("".join(lazy_pinyin(word)), word)
        return out

    @cached_property
    def _zone_tokens(self) -> frozenset[str]:
        return frozenset(t for w in self.norm.vocabulary.zone_words for t in self.norm.fold(w).split())

    # ── reading ─────────────────────────────────────────────────────────────────────────────────
    def read(self, text: str) -> str:
        """A folded question (its zone and years taken out) in the catalogue's words."""
        text = self.english(text)
        text = self.pinyin(text)
        text = self.colloquial(text)
        return self.typos(text)

    def colloquial(self, text: str) -> str:
        """干了多少, 涨了几个点, 排老几 → 多少, 增长, 排第几 ([colloquial] of config/vocab.toml)."""
        pattern, table = self._colloquial
        if pattern is None:
            return text
        return pattern.sub(lambda m: table[m.group()], text)

    def english(self, text: str) -> str:
        """listed companies 有几家 → 上市公司 有几家; an indicator's English name → its name."""
        if not re.search(r"[a-z]", text):
            return text
        pattern, table = self._english
        if pattern is None:
            return text
        return pattern.sub(lambda m: f" {table[m.group()]} ", text)

    def pinyin(self, text: str) -> str:
        """dengling qiye you duoshao jia → 瞪羚企业有多少家: runs of toneless pinyin read word by word, the longest
        word first; a token no word spells stays as it is."""
        if not re.search(r"[a-z]", text):
            return text
        return _LATIN_RUN.sub(lambda m: self._pinyin_run(m.group()), text)

    def _pinyin_run(self, run: str) -> str:
        """The run with every token some word spells as that word; the run as it was when none is."""
        tokens = run.split()
        words, zone_words = self._pinyin_words, self._zone_tokens
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for j in range(len(tokens), i, -1) if tokens[i] not in zone_words else ():  # gaoxinqu stays a zone word
                word = words.get("".join(tokens[i:j]))
                if word:
                    out.append(word)
                    i = j
                    break
            else:
                out.append(f" {tokens[i]} ")
                i += 1
        if all(piece.startswith(" ") for piece in out):
            return run  # no pinyin (研发投入占gdp比重 stays one synonym)
        return re.sub(" +", " ", "".join(out))

    def typos(self, text: str) -> str:
        """研发头入, 发明专力, 营业收人 → 研发投入, 发明专利, 营业收入: a run of characters that is no word of the
        lexicon but sounds like one (pypinyin), or is one with a character of like shape changed, differing in one
        character, and is no word of jieba's dictionary either."""
        return _HAN_RUN.sub(lambda m: self._typos_in(m.group()), text)

    def _typos_in(self, run: str) -> str:
        lexicon, by_sound, shapes = self.lexicon, self._by_sound, self._shapes
        char_starts, sound_starts = self._starts
        sounds = [_sound(c) for c in run]
        out: list[str] = []
        i = 0
        while i < len(run):
            # the longest window some word could be: its characters, or its syllables, or all but one character
            end = i + 1
            while (
                end < len(run)
                and end - i < _LONGEST_WORD
                and (tuple(sounds[i : end + 1]) in sound_starts or run[i:end] in char_starts)
            ):
                end += 1
            word = None
            for length in range(end - i, 1, -1):
                window = run[i : i + length]
                if window in lexicon:
                    word = window
                    break
                if self.tok.FREQ.get(window):
                    continue  # a word (其他, 是否): no typo
                word = by_sound.get(tuple(sounds[i : i + length]))
                if word is not None and _differences(word, window) == 1:
                    break
                word = next(
                    (
                        w
                        for k, c in enumerate(window)
                        if run[i : i + k] in char_starts
                        for other in shapes.get(c, "")
                        if (w := window[:k] + other + window[k + 1 :]) in lexicon
                    ),
                    None,
                )
                if word is not None:
                    break
            if word is None:
                out.append(run[i])
                i += 1
            else:
                out.append(word)
                i += len(word)
        return "".join(out)


@lru_cache(maxsize=20_000)
def _sound(char: str) -> str:
    """A character's usual toneless reading (cached: pypinyin costs ~0.1 ms a call)."""
    return lazy_pinyin(char)[0]


def _differences(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=True))

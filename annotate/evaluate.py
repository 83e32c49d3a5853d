"""Scoring extraction against hand-checked gold facts (shared/gold/dev_facts.jsonl).

A candidate matches a gold fact when it comes from the same file, its value span overlaps the gold
span (the gold `value_text` inside the first occurrence of the gold `quote`), and value and unit
agree. Matching is one-to-one. Zone accuracy and metric similarity are measured on the matches.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from .errors import GoldError
from .extract import Candidate


@dataclass(frozen=True, slots=True)
class GoldFact:
    doc: str
    zone: str | None
    metric: str
    value: float
    unit: str
    start: int
    end: int
    raw: dict


@dataclass(slots=True)
class FactScore:
    gold: int
    extracted: int
    matched: int
    zone_correct: int
    metric_similarity: float
    agreement: dict[str, float] = field(default_factory=dict)  # qualifier/period/kind/entity on matches
    missed: list[GoldFact] = field(default_factory=list)
    spurious: list[Candidate] = field(default_factory=list)
    wrong_zone: list[tuple[GoldFact, Candidate]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else 0.0

    @property
    def zone_accuracy(self) -> float:
        return self.zone_correct / self.matched if self.matched else 0.0


def load_gold_facts(path: Path, texts: dict[str, str]) -> list[GoldFact]:
    """Read gold facts and locate each value span in its document."""
    facts = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldError(f"{path}: cannot read gold facts ({exc.strerror})") from exc
    taken: set[tuple[str, int]] = set()  # value spans already given to a gold fact
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            text = texts[d["doc"]]
        except json.JSONDecodeError as exc:
            raise GoldError(f"{path}:{n}: not JSON ({exc.msg})") from exc
        except KeyError as exc:
            raise GoldError(f"{path}:{n}: document {exc} not found next to the gold") from exc
        q = text.find(d["quote"])
        v = text.find(d["value_text"], q) if q >= 0 else -1
        if v < 0:
            raise GoldError(f"{path}:{n}: quote or value_text not found in {d['doc']}")
        while (d["doc"], v) in taken:  # 分别达到100%、100%: the second gold fact is the second 100% of the quote
            later = text.find(d["value_text"], v + 1, q + len(d["quote"]))
            if later < 0:
                break
            v = later
        taken.add((d["doc"], v))
        facts.append(
            GoldFact(d["doc"], d.get("zone"), d["metric"], float(d["value"]), d["unit"], v, v + len(d["value_text"]), d)
        )
    return facts


# 第三 and 前十 print no unit: the sets were written with 位 and with 名 for them, one place either way.
_RANK_UNITS = {"位", "名"}


def _same_unit(a: str, b: str) -> bool:
    a, b = unicodedata.normalize("NFKC", a).lower(), unicodedata.normalize("NFKC", b).lower()
    return a == b or {a, b} <= _RANK_UNITS


def _in_percent(value: float, unit: str) -> tuple[float, str]:
    """七成 is 7 成, 70 % or 0.7 比例: one notation for comparing (sets were written all three ways; the extractor
    writes 7 成, and 1/4 as 0.25 比例)."""
    if unit == "成":
        return value * 10, "%"
    return (value * 100, "%") if unit == "比例" else (value, unit)


def _matches(g: GoldFact, c: Candidate) -> bool:
    (gv, gu), (cv, cu) = _in_percent(g.value, g.unit), _in_percent(c.value, c.unit)
    return (
        g.doc == c.doc
        and c.start < g.end
        and g.start < c.end
        and math.isclose(gv, cv, rel_tol=1e-3, abs_tol=1e-4)
        and _same_unit(gu, cu)
    )


_HALF = {"H1": "-1~6", "H2": "-7~12"}


def same_period(a: str | None, b: str | None) -> bool:
    """2024H1 and 2024-1~6 are one period written two ways; 目前 and 截至目前 too."""

    def norm(p: str | None) -> str | None:
        if not p:
            return p
        m = re.fullmatch(r"(\d{4})(H[12])", p)
        return m.group(1) + _HALF[m.group(2)] if m else {"目前": "截至目前"}.get(p, p)

    return norm(a) == norm(b)


def score_facts(
    gold: list[GoldFact], candidates: list[Candidate], canonical: Callable[[str | None], str | None] | None = None
) -> FactScore:
    """Compare candidates (only those from documents the gold covers) with the gold.

    `canonical` names a zone one way (the gold README: 天津开发区 and 天津经开区 are one zone; a system may print
    the gazetteer's name for the article's own)."""
    canonical = canonical or (lambda zone: zone)
    docs = {g.doc for g in gold}
    cands = [c for c in candidates if c.doc in docs]
    used: set[int] = set()
    matched, zone_ok, sims = 0, 0, []
    agree = {"qualifier": 0, "period": 0, "kind": 0, "entity": 0}
    missed, wrong_zone = [], []
    for g in gold:
        hit = next((i for i, c in enumerate(cands) if i not in used and _matches(g, c)), None)
        if hit is None:
            missed.append(g)
            continue
        used.add(hit)
        c = cands[hit]
        matched += 1
        if canonical(c.zone) == canonical(g.zone):
            zone_ok += 1
        else:
            wrong_zone.append((g, c))
        sims.append(fuzz.ratio(g.metric, c.metric) / 100)
        for key in agree:
            agree[key] += (
                same_period(g.raw.get(key), c.period) if key == "period" else g.raw.get(key) == getattr(c, key)
            )
    spurious = [c for i, c in enumerate(cands) if i not in used]
    return FactScore(
        gold=len(gold),
        extracted=len(cands),
        matched=matched,
        zone_correct=zone_ok,
        metric_similarity=sum(sims) / len(sims) if sims else 0.0,
        agreement={k: v / matched if matched else 0.0 for k, v in agree.items()},
        missed=missed,
        spurious=spurious,
        wrong_zone=wrong_zone,
    )


def zone_namer(gaz) -> Callable[[str | None], str | None]:
    """One name per zone: the gazetteer's for a listed zone in any of its printed forms, else the short form."""
    from .page import short_form

    def canonical(zone: str | None) -> str | None:
        if not zone:
            return zone
        for name in (zone, short_form(zone)):
            whole = [m.name for m in gaz.mentions(name) if m.start == 0 and m.end == len(name)]
            if whole and whole[0] != name or name != zone:
                return whole[0] if whole else name
        return zone

    return canonical

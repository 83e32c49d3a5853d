"""Scoring the bot against gold questions (dev_queries.jsonl): top-1 on answerable, declines on the rest."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .answer import Bot, Reply


@dataclass(slots=True)
class QueryScore:
    answerable: int = 0
    correct: int = 0
    unanswerable: int = 0
    declined: int = 0
    by_style: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    failures: list[tuple[dict, Reply]] = field(default_factory=list)

    @property
    def top1(self) -> float:
        return self.correct / self.answerable if self.answerable else 0.0

    @property
    def decline_rate(self) -> float:
        return self.declined / self.unanswerable if self.unanswerable else 0.0

    def style_rates(self) -> dict[str, float]:
        return {style: ok / n for style, (ok, n) in sorted(self.by_style.items()) if n}


def is_right(gold: dict, reply: Reply) -> bool:
    """Answered, and the first fact has the expected value and unit (or declined, when nothing is expected)."""
    if gold.get("expect_value") is None:
        return reply.status == "unknown"
    if reply.status != "answered" or not reply.facts:
        return False
    best = reply.facts[0]
    return (
        math.isclose(float(best.value), float(gold["expect_value"]), rel_tol=1e-3) and best.unit == gold["expect_unit"]
    )


def score_queries(bot: Bot, path: Path) -> QueryScore:
    score = QueryScore()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        gold = json.loads(line)
        reply = bot.ask(gold["q"])
        ok = is_right(gold, reply)
        if gold.get("expect_value") is None:
            score.unanswerable += 1
            score.declined += ok
        else:
            score.answerable += 1
            score.correct += ok
        score.by_style[gold.get("style", "?")][0] += ok
        score.by_style[gold.get("style", "?")][1] += 1
        if not ok:
            score.failures.append((gold, reply))
    return score

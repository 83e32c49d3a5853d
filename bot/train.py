"""Fitting the scorer's weights on the gold question sets (`gaoxin train`), and the honest figure for them.

Each question's candidate facts (retrieved as the bot retrieves them) are labelled: a fact is positive when its
value and unit are the ones expected (bot/evaluate.py's tolerance), negative otherwise, and every candidate of a
question the articles do not answer is negative (they teach where to decline). A logistic regression over the
named features (bot/features.py), fitted per question as a choice among its compatible candidates and "none of
them", gives each pair its log-odds against declining: a fact is answered when it beats declining. The figure to trust is leave-one-set-out: fit on all sets but one, run the bot on that one.
Developer tooling: numpy is imported here only, never by the answering bot.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType

from annotate.vocab import Scoring, scoring
from store import Store

from .answer import Bot
from .evaluate import QueryScore, score_queries
from .features import NAMES

L2 = 100.0  # ridge penalty pulling every weight towards the prior (best left-one-set-out of 0.1, 1, 10, 30, 100)
PRIOR_SCALE = 15.0  # the hand-set weights × this are the prior log-odds weights (their 0.62 limit is log-odds 0)
TIE = 0.02 * PRIOR_SCALE  # the hand-set gaps, in log-odds: two facts this close are ambiguous
ALTERNATIVE = 0.12 * PRIOR_SCALE  # runners-up this close are listed with an answer


@dataclass(frozen=True, slots=True)
class QuestionSet:
    """A gold question set: its name, dev_queries.jsonl and the documents its questions are asked of."""

    name: str
    queries: Path
    docs: Path


@dataclass(frozen=True, slots=True)
class Pair:
    """One (question, candidate fact) of a set, as a feature vector and a label."""

    question: int
    vector: tuple[float, ...]
    positive: bool
    compatible: bool
    answer: tuple[float, str]  # the fact's (value, unit): candidates with the same answer are no rivals


def question_sets(root: Path, seeds: Path) -> list[QuestionSet]:
    """Every folder of `root` with a dev_queries.jsonl; its documents are its own docs/, else the seeds."""
    out = []
    for folder in sorted(p for p in root.iterdir() if (p / "dev_queries.jsonl").exists()):
        docs = folder / "docs" if (folder / "docs").is_dir() else seeds
        out.append(QuestionSet(folder.name, folder / "dev_queries.jsonl", docs))
    return out


def _gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _matches(gold: dict, value: float, unit: str) -> bool:
    expected = gold.get("expect_value")
    return (
        expected is not None
        and math.isclose(float(value), float(expected), rel_tol=1e-3)
        and unit == gold["expect_unit"]
    )


def candidate_pairs(bot: Bot, golds: Sequence[dict]) -> list[Pair]:
    """The labelled candidates of each fact question (as the bot retrieves and scores them)."""
    pairs = []
    for i, gold in enumerate(golds):
        q = bot.parser.parse(gold["q"])
        if q.intent != "fact" or not q.metric or q.unknown_zone:
            continue
        zones = [z for z in q.zones if z in bot.index.zones] or None
        for s in bot._apply_period(q, bot._score(q, bot._candidates(q, zones))):
            f = s.fact
            pairs.append(
                Pair(
                    i,
                    tuple(s.features.vector()),
                    _matches(gold, f.value, f.unit),
                    s.cover >= bot.scoring.cover_min,
                    (float(f.value), f.unit),
                )
            )
    return pairs


def fit(
    pairs: Sequence[Pair], l2: float = L2, prior: dict[str, float] | None = None, steps: int = 300
) -> dict[str, float]:
    """Weights by feature name, fitted as the bot uses them: per question, a choice among its compatible candidates
    and "none of them" (log-odds 0), so that the answer is the one chosen and a score above 0 beats declining.
    The expected choice is the positive candidates (any of them), or none when there is no positive one. Adam
    steps on the penalised log-likelihood (every weight pulled towards `prior`)."""
    import numpy as np

    by_question: dict[int, list[Pair]] = {}
    for p in pairs:
        by_question.setdefault(p.question, []).append(p)
    groups = [
        (np.array([p.vector for p in ps], dtype=float), np.array([p.positive for p in ps], dtype=bool))
        for ps in by_question.values()
    ]
    x = np.vstack([g[0] for g in groups])
    positive = np.concatenate([g[1] for g in groups])
    owner = np.concatenate([np.full(len(g[0]), i) for i, g in enumerate(groups)])
    has_positive = np.array([g[1].any() for g in groups])
    centre = np.array([(prior or {}).get(n, 0.0) for n in NAMES])
    w, m, v = centre.copy(), np.zeros_like(centre), np.zeros_like(centre)
    for t in range(1, steps + 1):
        e = np.exp(np.clip(x @ w, -30, 30))
        total = np.bincount(owner, e, len(groups)) + 1.0  # + exp(0): none of them
        chosen = np.bincount(owner, e * positive, len(groups))
        p_all = e / total[owner]
        p_pos = np.where(positive & has_positive[owner], e / np.maximum(chosen[owner], 1e-300), 0.0)
        gradient = x.T @ (p_all - p_pos) + l2 * (w - centre)
        m = 0.9 * m + 0.1 * gradient
        v = 0.999 * v + 0.001 * gradient**2
        w -= 0.05 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return {name: round(float(value), 4) for name, value in zip(NAMES, w)}


def hand_prior(base: Scoring) -> dict[str, float] | None:
    """The hand-set (linear) weights as log-odds weights, where a fit starts and is pulled back to."""
    if base.scale != "linear":
        return None
    prior = {name: PRIOR_SCALE * w for name, w in base.weights.items()}
    prior["bias"] = prior.get("bias", 0.0) - PRIOR_SCALE * base.answer_min
    return prior


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def fitted_scoring(weights: dict[str, float], answer_p: float, base: Scoring) -> Scoring:
    """A logistic scorer: scores are log-odds (against declining), the limits are log-odds too."""
    lead_min = round(PRIOR_SCALE * (base.lead_min - base.answer_min), 4)  # the hand-set lead limits, in log-odds
    return Scoring(
        MappingProxyType(dict(weights)), "logistic", round(_logit(answer_p), 4), base.cover_min, TIE, ALTERNATIVE,
        ALTERNATIVE, round(_logit(answer_p / 2), 4), base.header, lead_min, PRIOR_SCALE * base.lead_gap,
        base.conflicts,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class SetResult:
    name: str
    baseline: QueryScore
    held_out: QueryScore  # fitted on the other sets
    all_sets: QueryScore  # fitted on every set


def _figure(s: QueryScore) -> str:
    return f"{s.correct}/{s.answerable} {s.declined}/{s.unanswerable}"


def train(
    sets: Sequence[QuestionSet], extractor, gazetteer, progress=lambda _: None
) -> tuple[Scoring, list[SetResult]]:
    """Fit on every set and leave each out in turn; the fitted scorer, and per set the three figures."""
    from annotate.ingest import article_files, ingest_paths

    base = scoring()
    with tempfile.TemporaryDirectory() as tmp:
        stores: dict[str, Store] = {}
        data: dict[str, tuple[list[Pair], list[dict]]] = {}
        for qs in sets:
            progress(f"building a store from {qs.docs} for {qs.name}")
            store = stores[qs.name] = Store.open(Path(tmp) / f"{qs.name}.db")
            for _ in ingest_paths(store, article_files([qs.docs]), extractor):
                pass
            golds = _gold(qs.queries)
            data[qs.name] = (candidate_pairs(Bot(store, gazetteer, weights=base), golds), golds)

        prior = hand_prior(base)

        def fitted(names: Sequence[str]) -> Scoring:
            pairs = [p for n in names for p in data[n][0] if p.compatible]  # only compatible facts are ever chosen
            return fitted_scoring(fit(pairs, prior=prior), 0.5, base)  # answered when it beats "none of them"

        results = []
        final = fitted([qs.name for qs in sets])
        for qs in sets:
            progress(f"leaving out {qs.name}")
            held = fitted([other.name for other in sets if other.name != qs.name])
            store = stores[qs.name]
            results.append(
                SetResult(
                    qs.name,
                    score_queries(Bot(store, gazetteer, weights=base), qs.queries),
                    score_queries(Bot(store, gazetteer, weights=held), qs.queries),
                    score_queries(Bot(store, gazetteer, weights=final), qs.queries),
                )
            )
        for store in stores.values():
            store.close()
    return final, results


def weights_file(s: Scoring, results: Sequence[SetResult], today: date | None = None) -> str:
    """config/weights.toml as `gaoxin train` writes it: the figures in the header, then the limits and weights."""
    today = today or date.today()
    lines = [
        "# How the bot scores a (question, fact) pair and decides: answered, ambiguous or unknown.",
        "# A pair's score is Σ weight × feature over the named features of bot/features.py: the log-odds that the",
        "# fact answers the question. Written by `gaoxin train` (a logistic regression on the gold question sets).",
        f"# Trained {today.isoformat()} on {len(results)} sets: {', '.join(r.name for r in results)}.",
        "# Per set, answerable right / unanswerable declined:  hand-set weights | left out of the fit | all sets fit",
    ]
    lines += [
        f"#   {r.name:13} {_figure(r.baseline):>12} | {_figure(r.held_out):>12} | {_figure(r.all_sets):>12}"
        for r in results
    ]
    lines += [
        "",
        "[decision]",
        f'scale = "{s.scale}"',
        f"answer_min = {s.answer_min}  # log-odds below which the best fact is not an answer",
        f"cover_min = {s.cover_min}  # share of the question's bigrams a fact must contain to be compatible",
        f"tie = {s.tie}  # two different facts this close are ambiguous",
        f"alternative = {s.alternative}  # runners-up this close are listed with an answer",
        f"verified_edge = {s.verified_edge}  # a verified answer outranks candidates scoring up to this much higher",
        f"nearest_min = {s.nearest_min}  # when nothing answers, facts scoring this much are offered as the nearest",
        "",
        "[lead]",
        f"lead_min = {s.lead_min}  # the best fact of a fitting kind in the zone asked is answered from this score",
        f"lead_gap = {s.lead_gap}  # when it leads the next fitting fact by this much",
        "conflicts = [" + ", ".join(f'"{n}"' for n in s.conflicts) + "]",
        "",
        "[weights]",
    ]
    lines += [f"{name} = {s.weights.get(name, 0.0)}" for name in NAMES]
    return "\n".join(lines) + "\n"

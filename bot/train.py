"""Fitting the scorer's weights on the gold question sets (`gaoxin train`), and the honest figure for them.

Each question's candidate facts (retrieved as the bot retrieves them) are labelled: a fact is positive when its
value and unit are the ones expected (bot/evaluate.py's tolerance), negative otherwise, and every candidate of a
question the articles do not answer is negative (they teach where to decline). A logistic regression over the
named features (bot/features.py) gives each pair the log-odds that it answers; the decision limits are chosen on
the same sets. The figure to trust is leave-one-set-out: fit on all sets but one, run the bot on that one.
Developer tooling: numpy is imported here only, never by the answering bot.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType

from annotate.vocab import Scoring, scoring
from store import Store

from .answer import Bot
from .evaluate import QueryScore, score_queries
from .features import NAMES

L2 = 10.0  # ridge penalty pulling the weights (not the bias) towards the prior: few changes, each earned by the data
PRIOR_SCALE = 15.0  # the hand-set weights × this are the prior log-odds weights (their 0.62 limit is log-odds 0)
TIE = 0.02 * PRIOR_SCALE  # the hand-set gaps, in log-odds: two facts this close are ambiguous
ALTERNATIVE = 0.12 * PRIOR_SCALE  # runners-up this close are listed with an answer
CHOICES = tuple(p / 100 for p in range(20, 85, 5))  # the answer limits (probabilities) tried


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


def fit(pairs: Sequence[Pair], l2: float = L2, prior: dict[str, float] | None = None) -> dict[str, float]:
    """Weights by feature name: a logistic regression fitted by damped Newton steps (30 features), every weight
    held by an L2 penalty towards `prior` (zero when none is given)."""
    import numpy as np

    x = np.array([p.vector for p in pairs], dtype=float)
    y = np.array([p.positive for p in pairs], dtype=float)
    centre = np.array([(prior or {}).get(n, 0.0) for n in NAMES])
    penalty = np.full(x.shape[1], l2)

    def loss(w):  # penalised negative log-likelihood
        z = x @ w
        return float(np.logaddexp(0, z).sum() - y @ z + 0.5 * (penalty * (w - centre) ** 2).sum())

    w = centre.copy()
    current = loss(w)
    for _ in range(100):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (p - y) + penalty * (w - centre)
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        t = 1.0
        while t > 1e-4 and loss(w - t * step) > current:
            t /= 2  # damped Newton: never a step that makes the fit worse
        w, previous = w - t * step, current
        current = loss(w)
        if previous - current < 1e-9:
            break
    return {name: round(float(v), 4) for name, v in zip(NAMES, w)}


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
    """A logistic scorer: scores are log-odds, the limits are log-odds too."""
    return Scoring(
        MappingProxyType(dict(weights)), "logistic", round(_logit(answer_p), 4), base.cover_min, TIE, ALTERNATIVE,
        ALTERNATIVE, round(_logit(answer_p / 2), 4), base.header,
    )  # fmt: skip


def _offline_right(pairs: Sequence[Pair], golds: Sequence[dict], weights: dict[str, float], answer_p: float) -> int:
    """Questions a scorer gets right by the rule alone (best compatible fact over the limit, no close rival)."""
    limit = _logit(answer_p)
    by_question: dict[int, list[tuple[float, Pair]]] = {}
    for p in pairs:
        if p.compatible:
            s = sum(weights[n] * v for n, v in zip(NAMES, p.vector))
            by_question.setdefault(p.question, []).append((s, p))
    right = 0
    for i, gold in enumerate(golds):
        ranked = sorted(by_question.get(i, []), key=lambda t: -t[0])
        answered = bool(ranked) and ranked[0][0] >= limit
        if answered:
            rival = next((s for s, p in ranked[1:] if p.answer != ranked[0][1].answer), None)
            answered = rival is None or ranked[0][0] - rival >= TIE
        if gold.get("expect_value") is None:
            right += not answered
        else:
            right += answered and ranked[0][1].positive
    return right


def choose_limit(data: Iterable[tuple[list[Pair], list[dict]]], weights: dict[str, float]) -> float:
    """The answer limit (a probability) that gets the most training questions right, the higher on a tie."""
    data = list(data)
    return max(CHOICES, key=lambda p: (sum(_offline_right(pairs, golds, weights, p) for pairs, golds in data), p))


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
            weights = fit(pairs, prior=prior)
            return fitted_scoring(weights, choose_limit((data[n] for n in names), weights), base)

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
        "[weights]",
    ]
    lines += [f"{name} = {s.weights.get(name, 0.0)}" for name in NAMES]
    return "\n".join(lines) + "\n"

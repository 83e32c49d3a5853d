"""bot/features.py and config/weights.toml: named features of a (question, fact) pair, the weights that score
them, the decision rule each reply names, `gaoxin ask --explain` and the fit behind `gaoxin train`."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate.vocab import CONFIG_DIR, scoring
from bot.answer import RULES
from bot.cli import main
from bot.evaluate import QueryScore
from bot.features import FEATURES, NAMES, Features
from bot.train import Pair, SetResult, fit, fitted_scoring, weights_file


# ── features and weights ──────────────────────────────────────────────────────────────────────
def test_every_weight_in_the_file_names_a_feature_and_every_feature_has_one():
    weights = scoring().weights
    assert set(weights) == set(NAMES)
    assert all(FEATURES[n] for n in NAMES)  # each says what it measures


def test_a_score_is_the_sum_of_weight_times_value():
    x = Features({"cover": 1.0, "fuzzy": 0.5, "head_missing": 1.0})
    w = {"cover": 0.5, "fuzzy": 0.2, "head_missing": -0.2}
    assert x.score(w) == pytest.approx(0.5 + 0.1 - 0.2)
    assert [name for name, _, _ in x.contributions(w)] == ["cover", "head_missing", "fuzzy"]


def test_the_head_word_by_sound_is_a_feature(bot):
    """A head word typed by sound that the question's wording layer did not mend (it mends 宗额 itself) still scores
    as the same head: the feature is computed on the parsed metric."""
    from dataclasses import replace

    q = bot.parser.parse("无锡高新区进出口总额多少")
    typed = replace(q, metric=q.metric.replace("总额", "宗额"))
    assert "宗额" in typed.metric
    zones = [z for z in typed.zones if z in bot.index.zones] or None
    scored = bot._score(typed, bot._candidates(typed, zones))
    assert scored and any(s.features.get("head_sound") for s in scored)


def test_a_year_asked_is_a_feature_of_every_candidate(bot):
    e = bot.explain("2021年 楚雄高新区 规模以上工业产值")
    assert e.scored
    for s in e.scored:
        assert sum(s.features.get(n) for n in ("year_match", "year_other", "year_unknown")) == 1


def test_another_years_figure_is_never_compatible(bot):
    e = bot.explain("1999年 楚雄高新区 规模以上工业产值")
    assert all(s.cover < bot.scoring.cover_min for s in e.scored if s.features.get("year_other"))
    assert e.reply.status == "unknown"


# ── decisions name their rule ─────────────────────────────────────────────────────────────────
def test_an_answer_names_the_answer_rule(bot):
    reply = bot.ask("青岛高新区 权力事项数量")
    assert (reply.status, reply.rule) == ("answered", "answer")


@pytest.mark.parametrize("question", ["高企 有多少", "GDP", "技术合同额"])
def test_an_ambiguous_reply_names_its_rule(bot, question):
    reply = bot.ask(question)
    assert reply.status == "ambiguous"
    assert reply.rule in ("tie", "zones")


def test_a_decline_names_its_rule(bot):
    reply = bot.ask("青岛高新区 人口")
    assert reply.status == "unknown"
    assert reply.rule in ("not_covered", "no_metric", "other_years")
    assert all(rule in RULES for rule in ("answer", "tie", "zones", "other_years", "not_covered", "no_metric"))


# ── --explain ─────────────────────────────────────────────────────────────────────────────────
def test_ask_explain_prints_question_features_and_rule(seed_db_path):
    result = CliRunner().invoke(main, ["ask", "--explain", "青岛高新区 权力事项数量", "--db", str(seed_db_path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "metric='行政权力事项数量'" in out or "metric=" in out
    assert "1. +" in out and "cover = " in out
    assert "decision  answered (answer)" in out
    assert "394项" in out


# ── fitting ───────────────────────────────────────────────────────────────────────────────────
def _pair(question: int, positive: bool, **values: float) -> Pair:
    return Pair(question, tuple(Features({"bias": 1.0, **values}).vector()), positive, True, (float(question), "个"))


def test_fit_learns_that_a_feature_of_the_answers_counts_for_them():
    pairs = [_pair(i, True, cover=1.0) for i in range(20)] + [_pair(i, False, head_missing=1.0) for i in range(20)]
    pairs += [_pair(i, False, cover=1.0, head_missing=1.0) for i in range(20, 30)]  # no answer: decline
    w = fit(pairs, l2=0.1)
    assert w["cover"] > 0 > w["head_missing"]
    assert w["said_in_quote"] == 0  # a feature no pair has keeps its prior (none)
    assert fit(pairs, l2=0.1, prior={"said_in_quote": 0.7})["said_in_quote"] == 0.7


def test_train_writes_a_weights_file_the_bot_reads(tmp_path):
    weights = {n: 0.0 for n in NAMES} | {"cover": 3.0, "bias": -1.0}
    fitted = fitted_scoring(weights, 0.5, scoring())
    result = SetResult("gold", QueryScore(64, 64, 7, 7), QueryScore(64, 60, 7, 7), QueryScore(64, 61, 7, 7))
    text = weights_file(fitted, [result, result], date(2026, 12, 6))
    path = tmp_path / "weights.toml"
    path.write_text(text, encoding="utf-8")
    read = scoring(path)
    assert read.scale == "logistic"
    assert read.answer_min == 0.0  # log-odds of one half
    assert read.weights["cover"] == 3.0
    assert "Trained 2026-12-06 on 2 sets" in read.header
    assert [line.split("|") for line in read.header.splitlines() if line.startswith("#   gold")][0][
        1
    ].strip() == "60/64 7/7"
    tomllib.loads(text)


def test_shipped_weights_file_parses_with_its_limits():
    data = tomllib.loads(Path(CONFIG_DIR / "weights.toml").read_text(encoding="utf-8"))
    assert set(data["decision"]) >= {"answer_min", "cover_min", "tie", "alternative", "verified_edge", "nearest_min"}


# ── ask back: a numbered option picked by its number, per chat ───────────────────────────────────
def test_a_chat_picks_an_option_by_its_number(seed_store, gazetteer):
    from bot.answer import Bot

    b = Bot(seed_store, gazetteer)
    asked = b.ask("GDP", chat="slack:C1")
    assert asked.status == "ambiguous"
    assert "回复序号" in asked.text
    picked = b.ask("2", chat="slack:C1")
    assert (picked.status, picked.rule) == ("answered", "pick")
    assert picked.facts[0].id == asked.facts[1].id
    assert b.ask("2", chat="slack:C1").rule != "pick"  # once picked, the options are gone


def test_a_number_picks_nothing_in_another_chat_or_without_one(seed_store, gazetteer):
    from bot.answer import Bot

    b = Bot(seed_store, gazetteer)
    b.ask("GDP", chat="slack:C1")
    assert b.ask("1", chat="slack:C2").rule != "pick"
    assert b.ask("1").rule != "pick"
    assert b.ask("1", chat="slack:C1").rule == "pick"


def test_a_new_question_drops_the_options(seed_store, gazetteer):
    from bot.answer import Bot

    b = Bot(seed_store, gazetteer)
    b.ask("GDP", chat="web:x")
    b.ask("青岛高新区 权力事项数量", chat="web:x")
    assert b.ask("1", chat="web:x").rule != "pick"


def test_options_expire(seed_store, gazetteer, monkeypatch):
    import bot.answer
    import store.db
    from bot.answer import Bot

    b = Bot(seed_store, gazetteer)
    b.ask("GDP", chat="web:x")
    later = store.db.time.time() + bot.answer.PICK_TTL + 1  # the options live in the store, on the wall clock
    monkeypatch.setattr(store.db.time, "time", lambda: later)
    assert b.ask("1", chat="web:x").rule != "pick"


def test_api_chat_field_lets_a_number_pick(client):
    first = client.post("/api/v1/ask", json={"q": "GDP", "chat": "s1"}).get_json()
    assert first["status"] == "ambiguous"
    second = client.post("/api/v1/ask", json={"q": "1", "chat": "s1"}).get_json()
    assert second["status"] == "answered"
    assert second["facts"][0]["id"] == first["facts"][0]["id"]
    bad = client.post("/api/v1/ask", json={"q": "1", "chat": 5})
    assert bad.status_code == 400 and bad.get_json()["code"] == "bad_chat"


def test_a_platform_message_names_its_chat():
    from bot.platforms.base import Message

    assert Message("slack", None, "1", user="U1", conversation="C1").chat_id == "slack:C1"
    assert Message("wecom", None, "1", user="U1").chat_id == "wecom:U1"
    assert Message("wecom", None, "1").chat_id is None


# ── an answer says how the question was read ─────────────────────────────────────────────────────
def test_an_answer_under_another_name_says_how_it_was_read(bot):
    reply = bot.ask("青岛高新区 权力事项数量")
    assert reply.status == "answered"
    lines = reply.text.splitlines()
    assert "394项" in lines[0]
    assert lines[1] == f"按“{reply.facts[0].metric}”理解您问的“{bot.parser.parse('青岛高新区 权力事项数量').metric}”。"
    assert "理解您问的" in reply.markdown


def test_an_answer_under_the_name_asked_says_nothing_more():
    from bot import messages
    from bot.answer import AnswerFact

    f = AnswerFact(1, "无锡高新区", None, "进出口总额", 1935.4, "亿元", "exact", "2022", "level", "candidate",
                   "全年完成进出口总额1935.4亿元", "a.txt", None, "1935.4亿元", 1.0)  # fmt: skip
    assert "理解" not in messages.answer(f, ())[0]
    assert messages.answer(f, (), "进出口宗额")[0].splitlines()[1] == "按“进出口总额”理解您问的“进出口宗额”。"

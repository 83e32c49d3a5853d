"""bot/cli.py, the bot's commands: `gaoxin ask` (argument, stdin, --json), question scoring in `gaoxin eval`, `serve`."""

from __future__ import annotations

import json
import os
import re

import pytest
from click.testing import CliRunner, Result

import annotate.extract
import annotate.gazetteer
import bot.serve
from bot import messages
from bot.cli import main

from .conftest import DATA

HEADLINE = "青岛高新区 权力事项数量"
REPLY_KEYS = {"status", "text", "markdown", "facts"}
FACT_KEYS = {
    "id", "zone", "entity", "metric", "value", "unit", "qualifier", "period", "kind", "status", "quote", "doc",
    "article", "score",
}  # fmt: skip


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch, extractor, gazetteer):
    """An empty working folder, no GAOXIN_* settings, and the session's gazetteer and extractor (built once)."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("GAOXIN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setattr(annotate.extract, "Extractor", lambda *a, **kw: extractor)
    monkeypatch.setattr(annotate.gazetteer, "load_gazetteer", lambda *a, **kw: gazetteer)


def run(*args, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], input=input, env=env)


def assert_clean_error(result: Result, *needles) -> None:
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    assert all(str(n) in errors[0] for n in needles), errors[0]


# ── ask ────────────────────────────────────────────────────────────────────────────────────────
def test_ask_prints_the_answer(seed_db_path):
    result = run("ask", HEADLINE, "--db", seed_db_path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "394项" in lines[0]
    assert any(line.startswith("原文:") and "394项" in line for line in lines)
    assert any(line.startswith("来源:") and "003_afa5e1f9941b0bd9.txt" in line and "未核实" in line for line in lines)
    assert "306项" in lines[-1]


def test_ask_json_prints_the_api_shape(seed_db_path):
    result = run("ask", "--json", HEADLINE, "--db", seed_db_path)
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1
    body = json.loads(result.stdout)
    assert set(body) == REPLY_KEYS
    assert body["status"] == "answered"
    assert all(set(f) == FACT_KEYS for f in body["facts"])
    assert (body["facts"][0]["value"], body["facts"][0]["unit"]) == (394, "项")
    assert "青岛高新区" in result.stdout  # UTF-8, not \\u escapes


def test_ask_reads_stdin_one_answer_per_line(seed_db_path):
    questions = [HEADLINE, "", "帮助", "火星高新区 GDP", "大連高新區 發明專利擁有量"]
    result = run("ask", "--db", seed_db_path, input="\n".join(questions) + "\n")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(questions)
    assert "394项" in lines[0] and " | " in lines[0]  # a multi-line reply on one line
    assert lines[1] == messages.EMPTY
    assert lines[2] == messages.HELP.replace("\n", " | ")
    assert "火星高新区" in lines[3]
    assert "8000件" in lines[4]


def test_ask_stdin_json_lines(seed_db_path):
    result = run("ask", "--json", "--db", seed_db_path, input=f"{HEADLINE}\n\n青岛高新区 人口\n")
    assert result.exit_code == 0, result.output
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in replies] == ["answered", "unknown", "unknown"]
    assert all(set(r) == REPLY_KEYS for r in replies)


def test_ask_empty_stdin_prints_nothing(seed_db_path):
    result = run("ask", "--db", seed_db_path, input="")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_ask_missing_db_is_a_one_line_error(tmp_path):
    missing = tmp_path / "none.db"
    assert_clean_error(run("ask", HEADLINE, "--db", missing), missing)
    assert not missing.exists()


def test_ask_garbage_db_is_a_one_line_error(tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"garbage" * 100)
    assert_clean_error(run("ask", HEADLINE, "--db", garbage), garbage)


def test_ask_uses_gaoxin_db(seed_db_path):
    result = run("ask", HEADLINE, env={"GAOXIN_DB": str(seed_db_path)})
    assert result.exit_code == 0, result.output
    assert "394项" in result.stdout


@pytest.mark.parametrize(("args", "env"), [(["--verified-only"], None), ([], {"GAOXIN_VERIFIED_ONLY": "1"})])
def test_ask_verified_only_on_an_unannotated_store_knows_nothing(seed_db_path, args, env):
    result = run("ask", "--json", *args, HEADLINE, "--db", seed_db_path, env=env)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["status"] == "unknown"
    assert body["facts"] == []
    assert "394" not in body["text"]


# ── eval: the questions section ────────────────────────────────────────────────────────────────
def test_eval_prints_the_questions_section():
    result = run("eval", "--gold", DATA / "gold")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert re.search(r"^questions \(.*dev_queries\.jsonl", out, re.MULTILINE)
    top1 = re.search(r"^  top-1 answerable +([01]\.\d{3})  \((\d+)/(\d+)\)", out, re.MULTILINE)
    declined = re.search(r"^  declined +([01]\.\d{3})  \((\d+)/(\d+) unanswerable\)", out, re.MULTILINE)
    styles = re.search(r"^  by style +(.+)$", out, re.MULTILINE)
    assert top1 and declined and styles, out
    assert float(top1.group(1)) == pytest.approx(int(top1.group(2)) / int(top1.group(3)), abs=1e-3)
    assert int(top1.group(3)) + int(declined.group(3)) == 71  # every question in the gold file
    by_style = dict(re.findall(r"(\w+) ([01]\.\d\d)", styles.group(1)))
    assert {"card", "natural", "short", "typo", "period", "traditional", "pinyin", "unknown"} <= set(by_style)


def test_eval_json_has_the_question_scores():
    result = run("eval", "--gold", DATA / "gold", "--json")
    assert result.exit_code == 0, result.output
    queries = json.loads(result.stdout)["queries"]
    assert {"answerable", "top1", "unanswerable", "declined", "by_style"} <= set(queries)
    assert queries["answerable"] + queries["unanswerable"] == 71
    assert all(0 <= v <= 1 for v in [queries["top1"], queries["declined"], *queries["by_style"].values()])


# ── serve (never started here) ─────────────────────────────────────────────────────────────────
def test_serve_help():
    result = run("serve", "--help")
    assert result.exit_code == 0, result.output
    for option in ("--host", "--port", "--workers", "--db"):
        assert option in result.stdout


@pytest.fixture
def started(monkeypatch):
    """Record what `gaoxin serve` would start instead of starting gunicorn."""
    calls: list[tuple] = []
    monkeypatch.setattr(bot.serve, "serve", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


def test_serve_missing_db_fails_before_starting(tmp_path, started):
    missing = tmp_path / "none.db"
    assert_clean_error(run("serve", "--db", missing), missing)
    assert started == []
    assert not missing.exists()


def test_serve_passes_its_options_on(seed_db_path, started):
    result = run("serve", "--db", seed_db_path, "--host", "0.0.0.0", "--port", "8123", "--workers", "3")
    assert result.exit_code == 0, result.output
    assert started == [(("0.0.0.0", 8123, 3), {"db": str(seed_db_path)})]
    assert "http://0.0.0.0:8123/" in result.stdout


def test_serve_lists_the_chat_platforms_and_what_each_needs(seed_db_path, started):
    result = run("serve", "--db", seed_db_path, "--port", "8123", env={"GAOXIN_MATTERMOST_TOKEN": "t"})
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if "/webhook/" in line}
    assert set(lines) == {"DingTalk", "WeCom", "Feishu", "Slack", "Mattermost", "Microsoft"}
    assert "http://127.0.0.1:8123/webhook/mattermost" in lines["Mattermost"] and "enabled" in lines["Mattermost"]
    assert "disabled (set GAOXIN_DINGTALK_APP_SECRET)" in lines["DingTalk"]
    assert "GAOXIN_FEISHU_VERIFICATION_TOKEN or GAOXIN_FEISHU_ENCRYPT_KEY" in lines["Feishu"]


def test_serve_refuses_a_malformed_platform_secret_naming_it(seed_db_path, started):
    result = run("serve", "--db", seed_db_path, env={"GAOXIN_TEAMS_SECURITY_TOKEN": "not base64!"})
    assert_clean_error(result, "GAOXIN_TEAMS_SECURITY_TOKEN")
    assert started == []

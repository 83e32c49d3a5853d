"""bot/platforms: the registry, disabled platforms, the chat core (group rule, retry guard) and rendering."""

from __future__ import annotations

import re

import pytest

from bot import markup, render
from bot.app import create_app
from bot.platforms import PLATFORMS, Chat, Message, Platforms
from store import Store

QUESTION = "青岛高新区 权力事项数量"


def test_every_platform_is_registered_with_its_route():
    assert set(PLATFORMS) == {"dingtalk", "wecom", "feishu", "slack", "mattermost", "teams"}
    for name, cls in PLATFORMS.items():
        assert cls.name == name and cls.title and cls.required


def test_no_secrets_means_every_platform_is_disabled():
    platforms = Platforms({})
    assert platforms.adapters == {}
    for status in platforms.status.values():
        assert not status.enabled and status.missing
        assert all(m.startswith("GAOXIN_") for m in status.missing)


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_a_disabled_platform_answers_404_with_what_to_set(seed_db_path, name):
    client = create_app({"DB": str(seed_db_path), "TESTING": True, **{s.key: "" for s in PLATFORMS[name].required}})
    response = client.test_client().post(f"/webhook/{name}", data=b"{}", content_type="application/json")
    assert response.status_code == 404
    body = response.get_json()
    assert body["code"] == "platform_disabled" and "未启用" in body["error"]
    assert PLATFORMS[name].required[0].env in body["error"]


def test_an_unknown_platform_is_404(client):
    response = client.post("/webhook/icq", data=b"{}")
    assert response.status_code == 404
    assert response.get_json()["code"] == "unknown_platform" and "icq" in response.get_json()["error"]


def test_healthz_lists_which_platforms_are_enabled(seed_db_path):
    app = create_app({"DB": str(seed_db_path), "TESTING": True, "MATTERMOST_TOKEN": "t"})
    body = app.test_client().get("/healthz").get_json()
    assert body["platforms"]["mattermost"] is True
    assert body["platforms"]["dingtalk"] is False


# ── the chat core ────────────────────────────────────────────────────────────────────────────
def _chat(db) -> tuple[Chat, object]:
    from annotate.gazetteer import load_gazetteer
    from bot.answer import Bot

    bot = Bot(Store.open(db), load_gazetteer())
    return Chat(lambda: bot, lambda: bot.index.store), bot


def test_the_same_delivery_is_answered_once(own_store):
    chat, bot = _chat(own_store)
    first = chat.answer(Message("x", "m-1", QUESTION))
    assert first is not None and "394项" in first.text
    assert chat.answer(Message("x", "m-1", QUESTION)) is None
    assert chat.answer(Message("y", "m-1", QUESTION)) is not None  # ids are per platform
    assert bot.index.store.deliveries("x") == 1


def test_the_retry_guard_survives_a_restart(own_store):
    chat, _ = _chat(own_store)
    assert chat.answer(Message("x", "m-2", QUESTION)) is not None
    again, _ = _chat(own_store)  # another worker, or the bot restarted
    assert again.answer(Message("x", "m-2", QUESTION)) is None


def test_group_messages_need_a_mention(own_store):
    chat, _ = _chat(own_store)
    assert chat.answer(Message("x", None, QUESTION, group=True, addressed=False)) is None
    assert chat.answer(Message("x", None, QUESTION, group=True, addressed=True)) is not None


def test_empty_huge_and_non_text_messages_get_a_polite_reply(own_store):
    from bot import messages

    chat, _ = _chat(own_store)
    assert chat.answer(Message("x", None, "   ")).text == messages.EMPTY
    assert "太长" in chat.answer(Message("x", None, "园" * 10_000)).text
    assert chat.answer(Message("x", None, "", kind="image")).text == messages.NOT_TEXT


def test_later_runs_after_and_drain_waits(own_store):
    import threading

    chat, _ = _chat(own_store)
    seen = []
    gate = threading.Event()
    chat.later(lambda: (gate.wait(5), seen.append(1)))
    chat.later(lambda: 1 / 0)  # a failing delivery is logged, not raised
    assert seen == []
    gate.set()
    assert chat.drain(5)
    assert seen == [1]


# ── rendering ────────────────────────────────────────────────────────────────────────────────
def test_renderings_keep_the_value_quote_source_and_mark(bot):
    reply = bot.ask(QUESTION)
    for text in (render.plain(reply), render.markdown(reply), render.hard_breaks(reply), render.slack_mrkdwn(reply)):
        assert (
            "394项" in text
            and "行政权力事项委托赋权" in text
            and "未核实" in text
            and "003_afa5e1f9941b0bd9.txt" in text
        )
    assert "**" not in render.slack_mrkdwn(reply) and "*青岛高新区" in render.slack_mrkdwn(reply)
    post = render.rich_text(reply)["zh_cn"]
    assert "394项" in post["title"]
    assert any("原文" in p[0]["text"] for p in post["content"])
    assert "  \n" in render.hard_breaks(reply)
    assert len(render.title(reply)) <= render.TITLE_CHARS


def test_comparisons_are_tables_only_where_tables_render(bot):
    reply = bot.ask("高新技术企业 排名")
    assert reply.intent == "compare" and reply.facts
    assert "|---|" in render.markdown(reply)
    for text in (render.plain(reply), render.hard_breaks(reply), render.slack_mrkdwn(reply)):
        assert "|---|" not in text and "1. " in text


def test_slack_escapes_angle_brackets_and_ampersands():
    from bot.answer import Reply

    reply = Reply("answered", "a<b & c", "**a<b** & c\n> q>r")
    assert render.slack_mrkdwn(reply) == "*a&lt;b* &amp; c\n> q&gt;r"


# ── hostile text in quotes, metric names and questions ───────────────────────────────────────
HOSTILE = (
    "[p](//evil.example/p.png) ![x](https://evil.example/x.png) <b>粗</b><script>alert(1)</script> "
    "@all @channel @here <!channel> <at>Gaoxin</at> **粗** `c` a|b www.evil.example"
)


def _hostile_fact(**fields):
    from dataclasses import dataclass

    @dataclass
    class Shown:
        zone: str | None = "青岛高新区"
        entity: str | None = None
        metric: str = HOSTILE
        value: float = 394.0
        unit: str = "项"
        qualifier: str = "exact"
        period: str | None = "2021"
        status: str = "verified"
        quote: str = "共394项 " + HOSTILE
        doc: str = "003_afa5e1f9941b0bd9.txt"
        article: str | None = HOSTILE
        value_text: str = "394项"

    return Shown(**fields)


def _hostile_replies():
    from bot import messages
    from bot.answer import Reply

    f, g = _hostile_fact(), _hostile_fact(zone="大连高新区@all", value=8000.0, value_text="8000项")
    for status, intent, (text, md) in [
        ("answered", "answer", messages.answer(f, [g])),
        ("ambiguous", "answer", messages.ambiguous([f, g])),
        ("unknown", "answer", messages.unknown_zone("@channel @all " + HOSTILE, HOSTILE, ["青岛高新区"])),
        ("unknown", "answer", messages.not_covered("青岛高新区", HOSTILE, [f], ["大连高新区"])),
        ("unknown", "answer", messages.not_in_years("青岛高新区", HOSTILE, [2020], [f])),
        ("unknown", "answer", messages.no_metric("@channel " + HOSTILE, [f])),
        ("answered", "overview", messages.overview("青岛高新区", [f, g], 5)),
    ]:
        yield Reply(status, text, md, (f, g), intent)  # type: ignore[arg-type]
    for table in (hostile_table("ranking"), hostile_table("series")):
        yield Reply("answered", *messages.table(table), (f, g), "compare", table=table)  # type: ignore[arg-type]


def hostile_table(kind: str = "ranking", rows: int = 2, more: int = 0, verified: int = 1):
    """A comparison (or series) whose zone, metric, amount and article names are all hostile text."""
    from bot import messages
    from bot.answer import Table, TableRow

    made = tuple(
        TableRow(i, f"青岛高新区{i}@all " + HOSTILE, HOSTILE, f"{400 - i}项 " + HOSTILE, 400 - i, "项", "2021",
                 "2021年", 2021, i <= verified, "003.txt", HOSTILE, None, i)
        for i in range(1, rows + 1)
    )  # fmt: skip
    order = "time" if kind == "series" else "value"
    title = messages.table_title(kind, HOSTILE, order, "青岛高新区@all" if kind == "series" else None)
    return Table(kind, title, HOSTILE, order, "项", made, more, "青岛高新区@all" if kind == "series" else None)


def _assert_defanged(out: str, *, slack: bool = False) -> None:
    assert "](" not in out  # no link and no image the bot did not make
    assert not re.search(r"https?://|www\.", out)  # no bare link to autolink
    assert not re.search(r"@(all|channel|here)", out)  # no mention that pings everyone
    assert not re.search(r"(?<!\\)<[!a-z/@#]", out)  # no tag, no <at>, no Slack <!channel> or <@U…> (\< is text)
    assert "\\*\\*粗" in out or slack  # the data's own ** is text, not bold
    assert "evil.example" in out and "粗" in out  # the words are still there to read


@pytest.mark.parametrize(
    ("platform", "rendering"),
    [
        ("mattermost", render.markdown),
        ("dingtalk", render.hard_breaks),
        ("teams", render.hard_breaks),
        ("slack", render.slack_mrkdwn),
    ],
)
def test_hostile_text_reaches_no_platform_as_markup(platform, rendering):
    for reply in _hostile_replies():
        out = rendering(reply)
        _assert_defanged(out, slack=platform == "slack")
        if platform != "mattermost":  # the table only goes to Mattermost
            continue
        if reply.table is not None:
            columns = 5 if reply.table.kind == "series" else 7
            rows = [line for line in out.split("\n") if line.startswith("| ")]
            assert len(rows) == len(reply.table.rows) + 1  # a header and one line per row
            for row in rows:
                assert row.count("|") - row.count("\\|") == columns  # the data's | does not add a column


def test_the_bot_keeps_its_own_markup():
    reply = next(_hostile_replies())
    assert render.markdown(reply).startswith("**青岛高新区 ")
    assert "\n> 共394项" in render.markdown(reply)
    assert render.slack_mrkdwn(reply).startswith("*青岛高新区 ") and "\n> 共394项" in render.slack_mrkdwn(reply)


def test_a_question_full_of_mentions_is_not_echoed_as_mentions(bot):
    reply = bot.ask("@channel @all @here 火星高新区 [p](//evil.example/p.png) 地区生产总值")
    assert reply.status == "unknown"
    for rendering in (render.markdown, render.hard_breaks, render.slack_mrkdwn):
        assert not re.search(r"@(all|channel|here)", rendering(reply)) and "channel" in rendering(reply)


# ── comparisons and series in every channel's own format ─────────────────────────────────────────────────────
def _channels() -> dict[str, object]:
    """Every rendering a comparison gets, as one string to search: the text channels and the native formats."""
    import json

    from bot.platforms import feishu, slack, teams

    dump = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731
    return {
        "wecom (plain)": render.plain,
        "mattermost (table)": render.markdown,
        "dingtalk (markdown)": render.hard_breaks,
        "slack (mrkdwn fallback)": render.slack_mrkdwn,
        "slack (block kit)": lambda reply: dump(slack.blocks(reply)),
        "feishu (card)": lambda reply: dump(feishu.card(reply.table)),
        "teams (adaptive card)": lambda reply: dump(teams.card(reply.table)),
    }


@pytest.fixture(scope="module")
def long_ranking(gazetteer):
    from bot.answer import Bot

    from .tables import ranking_rows, store_of

    reply = Bot(store_of(ranking_rows(13, verified=2)), gazetteer).ask("高新技术企业 排名")
    assert len(reply.table.rows) == 10 and reply.table.more == 3
    return reply


@pytest.mark.parametrize("channel", list(_channels()))
def test_every_channel_keeps_each_rows_mark_and_period_and_says_how_many_more(long_ranking, channel):
    out = _channels()[channel](long_ranking)
    assert "还有3个园区未列出" in out and "已核实" in out and "未核实" in out  # the cut, and what the marks mean
    for row in long_ranking.table.rows:
        assert row.zone in out and row.amount in out and row.period_text in out
    assert "杭州高新区" not in out  # the 13th zone is counted, not shown
    assert out.count("✅") >= 2 + 1 and out.count("⚠️") >= 8 + 1  # each row's mark, and the legend's


def test_slack_blocks_are_valid_block_kit_and_show_data_as_raw_text():
    from slack_sdk.models.blocks import Block

    from bot.platforms import slack

    for reply in list(_hostile_replies())[-2:]:  # a hostile ranking and a hostile series
        blocks = slack.blocks(reply)
        assert [b["type"] for b in blocks] == ["header", "table", "context"]
        for b in blocks:
            Block.parse(b).validate_json()  # slack_sdk reads them back as valid blocks
        assert len(blocks[0]["text"]["text"]) <= slack.HEADER_CHARS
        cells = [cell for row in blocks[1]["rows"] for cell in row]
        assert {c["type"] for c in cells} == {"raw_text"}  # shown as written: no mrkdwn, link or mention forms
        assert HOSTILE in {c["text"] for c in cells}
        assert "mrkdwn" not in str(blocks) and blocks[2]["elements"][0]["type"] == "plain_text"


def test_feishu_cards_show_data_as_plain_text_and_mention_nobody():
    import json

    from bot.platforms import feishu

    for reply in list(_hostile_replies())[-2:]:
        card = feishu.card(reply.table)
        out = json.dumps(card, ensure_ascii=False)
        assert not re.search(r"<at\b", out, re.IGNORECASE)  # <at user_id="all"> would mention everyone
        assert card["header"]["title"]["tag"] == "plain_text"
        table = card["body"]["elements"][0]
        assert {c["data_type"] for c in table["columns"]} == {"text"}
        assert len(table["rows"]) == len(reply.table.rows) and "evil.example" in out
        assert card["body"]["elements"][1]["content"] == messages_note(reply)  # the bot's own words only


def messages_note(reply) -> str:
    from bot import messages

    return messages.more_rows(reply.table) + messages.LEGEND


def test_teams_cards_format_link_and_mention_nothing_from_the_data():
    from bot.platforms import teams

    for reply in list(_hostile_replies())[-2:]:
        card = teams.card(reply.table)
        texts = [card["body"][0]["text"], card["body"][2]["text"]] + [
            cell["items"][0]["text"] for row in card["body"][1]["rows"] for cell in row["cells"]
        ]
        for text in texts:
            assert "](" not in text and not re.search(r"https?://|www\.", text)
            assert not re.search(r"@(all|channel|here)", text)
            assert not re.search(f"[*_\\[\\]`~](?!{markup.ZWSP})", text)  # no character can start a format
        assert any("evil.example" in t and "粗" in t for t in texts)  # the words are still there to read
        assert len(card["body"][1]["rows"]) == len(reply.table.rows) + 1


def test_dingtalk_gives_a_comparison_with_addressed_sources_an_action_card(gazetteer):
    from bot.answer import Bot
    from bot.platforms.dingtalk import BUTTON_CHARS, DingTalk

    from .tables import ranking_rows, store_of

    url = "https://www.example.gov.cn/news/1.html"
    linked = Bot(store_of(ranking_rows(3), url=url, title="一篇标题很长很长很长很长很长很长的文章"), gazetteer)
    payload = DingTalk._payload(linked.ask("高新技术企业 排名"))
    assert payload["msgtype"] == "actionCard"
    card = payload["actionCard"]
    assert card["text"] == render.hard_breaks(linked.ask("高新技术企业 排名")) and "⚠️" in card["text"]
    [button] = card["btns"]
    assert button["actionURL"] == url and len(button["title"]) <= BUTTON_CHARS and button["title"].startswith("原文:")
    plain = Bot(store_of(ranking_rows(3)), gazetteer).ask("高新技术企业 排名")  # no address: nothing to open
    assert DingTalk._payload(plain)["msgtype"] == "markdown"


def test_teams_cards_open_the_sources_that_have_addresses(gazetteer):
    from bot.answer import Bot
    from bot.platforms import teams

    from .tables import ranking_rows, store_of

    url = "https://www.example.gov.cn/news/1.html"
    reply = Bot(store_of(ranking_rows(3), url=url), gazetteer).ask("高新技术企业 排名")
    assert teams.card(reply.table)["actions"] == [{"type": "Action.OpenUrl", "title": "数据", "url": url}]
    assert "actions" not in teams.card(list(_hostile_replies())[-1].table)  # no address, no button

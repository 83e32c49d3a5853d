"""The web chat page end to end: the real app on a loopback port, driven in Debian's headless Chromium."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from bot.app import create_app

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
# No internet here: everything that phones home stays off.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
QINGDAO = "青岛高新区 权力事项数量"
QINGDAO_TITLE = "《青岛高新区:盘活高质量发展“一盘棋”》"


class LiveServer:
    """The app served by werkzeug on a free loopback port, in a background thread."""

    def __init__(self, app: Flask) -> None:
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="gaoxin-live", daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the web tests need Debian's chromium. "
            "`make test` (or `make browser`) installs it with apt-get.",
            pytrace=False,
        )
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(seed_db_path) -> Iterator[LiveServer]:
    with LiveServer(create_app({"DB": str(seed_db_path), "API_TOKEN": ""})) as server:
        yield server


@pytest.fixture(scope="module")
def locked_site(seed_db_path) -> Iterator[LiveServer]:
    with LiveServer(create_app({"DB": str(seed_db_path), "API_TOKEN": "secret"})) as server:
        yield server


class Chat:
    """One browser tab on the chat page, with the API requests it sent and the script errors it met."""

    def __init__(self, page, url: str) -> None:
        self.page = page
        self.requests: list = []
        self.errors: list[str] = []
        page.set_default_timeout(TIMEOUT_MS)
        page.on("request", self._on_request)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("dialog", self._on_dialog)
        page.goto(url + "/")
        self.input = page.get_by_label("问题", exact=True)

    def _on_request(self, request) -> None:
        if request.url.endswith("/api/v1/ask"):
            self.requests.append(request)

    def _on_console(self, message) -> None:
        # Chromium logs every 4xx/5xx response itself; any other error (a CSP violation, a JS error) is the page's
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def _on_dialog(self, dialog) -> None:
        self.errors.append(f"dialog: {dialog.message}")  # an alert() would mean injected script ran
        dialog.dismiss()

    @property
    def bot_messages(self):
        return self.page.locator(".msg.bot:not(.intro)")

    def last_reply(self, states: str = "done|error|needs-token"):
        reply = self.bot_messages.last
        expect(reply).to_have_attribute("data-state", re.compile(f"^({states})$"))
        return reply

    def ask(self, question: str, states: str = "done|error|needs-token"):
        """Type the question, press Enter, and return the reply once it has arrived."""
        before = self.bot_messages.count()
        self.input.fill(question)
        self.input.press("Enter")
        expect(self.bot_messages).to_have_count(before + 1)
        return self.last_reply(states)


@pytest.fixture
def open_chat(browser):
    """Open the chat page of a live server in a fresh browser context (its own localStorage)."""
    contexts = []
    chats: list[Chat] = []

    def _open(server: LiveServer, **context_options) -> Chat:
        context = browser.new_context(locale="zh-CN", **context_options)
        contexts.append(context)
        chats.append(Chat(context.new_page(), server.url))
        return chats[-1]

    yield _open
    for context in contexts:
        context.close()
    assert [e for chat in chats for e in chat.errors] == []


@pytest.fixture
def chat(open_chat, site) -> Chat:
    return open_chat(site)


def test_a_question_shows_the_fact_its_quote_source_and_badge(chat):
    expect(chat.page).to_have_title(re.compile("高新区数据问答"))
    reply = chat.ask(QINGDAO)

    expect(chat.page.locator(".msg.user").last).to_have_text(QINGDAO)
    assert reply.get_attribute("data-status") == "answered"
    expect(reply.locator(".fact-who")).to_contain_text("青岛高新区")
    expect(reply.locator(".fact-value .value")).to_have_text("394项")
    expect(reply.locator("blockquote")).to_contain_text("行政权力事项")
    expect(reply.locator(".source")).to_contain_text(QINGDAO_TITLE)
    expect(reply.locator(".source")).to_contain_text(".txt")
    expect(reply.locator(".fact-value .badge")).to_have_text("⚠️未核实")
    expect(reply.locator(".alternatives")).to_contain_text("306项")  # the runner-up the reply text lists
    assert "394" in reply.get_attribute("data-text")  # the plain text stays available
    expect(chat.input).to_be_focused()
    expect(chat.input).to_have_value("")
    assert len(chat.requests) == 1
    sent = chat.requests[0].post_data_json
    assert set(sent) == {"q", "chat"} and sent["q"] == QINGDAO
    assert re.fullmatch(r"web-[0-9a-z-]{8,}", sent["chat"])  # this tab's conversation, for replies by number
    assert chat.requests[0].headers.get("authorization") is None


def test_an_example_chip_asks_its_question(chat):
    chat.page.get_by_role("button", name="大连高新区瞪羚企业有多少家?").click()
    reply = chat.last_reply()
    expect(chat.page.locator(".msg.user").last).to_have_text("大连高新区瞪羚企业有多少家?")
    expect(reply.locator(".fact-value .value")).to_have_text("60家")
    expect(chat.input).to_be_focused()

    chat.page.get_by_role("button", name="帮助", exact=True).click()
    expect(chat.bot_messages).to_have_count(2)
    expect(chat.last_reply()).to_contain_text("试试这样问")


def test_a_ranking_lists_every_zone_with_its_source(chat):
    reply = chat.ask("高新技术企业 排名")
    assert reply.get_attribute("data-status") == "answered"
    rows = reply.locator("table.data tbody tr")
    assert rows.count() >= 5
    for i in range(rows.count()):
        expect(rows.nth(i).locator(".name")).to_contain_text("高新区")
        expect(rows.nth(i).locator(".src")).to_contain_text("《")  # the article it comes from
    assert reply.get_attribute("data-text").startswith("各园区按“高新技术企业”比较")  # what 复制 copies


def test_an_ambiguous_question_offers_options_that_ask_again(chat):
    reply = chat.ask("企业数量")
    assert reply.get_attribute("data-status") == "ambiguous"
    options = reply.locator("ol.options button")
    assert options.count() >= 2
    first = options.first.text_content()
    options.first.click()
    expect(chat.bot_messages).to_have_count(2)
    answer = chat.last_reply()
    assert answer.get_attribute("data-status") == "answered"
    expect(answer.locator(".fact-who")).to_contain_text(first.split()[0])


def test_a_number_typed_after_options_picks_that_option(chat):
    offered = chat.ask("企业数量")
    assert offered.get_attribute("data-status") == "ambiguous"
    second = offered.locator("ol.options button").nth(1).text_content()
    answer = chat.ask("2")
    assert answer.get_attribute("data-status") == "answered"
    expect(answer.locator(".fact-who")).to_contain_text(second.split()[0])
    assert chat.requests[0].post_data_json["chat"] == chat.requests[1].post_data_json["chat"]


def test_an_unknown_zone_gets_the_unknown_text_and_no_number(chat):
    reply = chat.ask("火星高新区 GDP")
    assert reply.get_attribute("data-status") == "unknown"
    expect(reply).to_contain_text("没有“火星高新区”的数据")
    expect(reply.locator(".fact-value")).to_have_count(0)
    assert not re.search(r"\d", reply.locator(".bubble").inner_text())


def test_an_empty_question_is_not_sent_and_a_hint_is_shown(chat):
    chat.input.fill("   ")
    chat.input.press("Enter")
    expect(chat.page.locator("#hint")).to_contain_text("请先输入问题")
    chat.page.get_by_role("button", name="发送").click()
    expect(chat.page.locator("#hint")).to_contain_text("请先输入问题")
    expect(chat.page.locator(".msg.user")).to_have_count(0)
    chat.page.wait_for_timeout(200)  # a request, had one been sent, would have started by now
    assert chat.requests == []
    expect(chat.input).to_be_focused()

    chat.ask(QINGDAO)
    expect(chat.page.locator("#hint")).to_have_text("")


def test_markup_in_a_question_is_shown_as_text(chat):
    question = "<img src=x onerror=alert(1)> 青岛高新区"
    chat.ask(question)
    expect(chat.page.locator(".msg.user").last).to_have_text(question)
    assert chat.page.locator("img").count() == 0
    assert chat.page.evaluate("document.querySelectorAll('.messages img, .messages script').length") == 0


def test_server_errors_and_network_failures_are_shown_politely(chat):
    reply = chat.ask("青" * 501)  # over the server's length limit: a 400 with a reason
    expect(reply).to_have_class(re.compile(r"\berror\b"))
    expect(reply).to_contain_text("HTTP 400")
    expect(reply).to_contain_text("问题太长了")

    chat.page.route("**/api/v1/ask", lambda route: route.abort("internetdisconnected"))
    reply = chat.ask(QINGDAO)
    expect(reply).to_have_attribute("data-state", "error")
    expect(reply).to_contain_text("连接服务器失败")


def test_the_page_fits_a_phone(open_chat, site):
    chat = open_chat(site, viewport={"width": 375, "height": 720}, is_mobile=True, has_touch=True)
    reply = chat.ask(QINGDAO)
    expect(reply.locator(".fact-value .value")).to_have_text("394项")
    expect(chat.input).to_be_in_viewport()
    assert chat.page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_token_is_asked_for_after_a_401_and_kept(open_chat, locked_site):
    chat = open_chat(locked_site)
    token_field = chat.page.get_by_label("访问令牌")
    expect(token_field).to_be_hidden()

    reply = chat.ask(QINGDAO)
    expect(reply).to_have_attribute("data-state", "needs-token")
    expect(token_field).to_be_visible()
    expect(token_field).to_be_focused()

    token_field.fill("wrong")
    token_field.press("Enter")
    expect(chat.last_reply()).to_contain_text("访问令牌不正确")
    expect(token_field).to_be_visible()

    token_field.fill("secret")
    chat.page.get_by_role("button", name="保存并重试").click()
    reply = chat.last_reply("done")
    expect(reply.locator(".fact-value .value")).to_have_text("394项")
    expect(token_field).to_be_hidden()
    assert chat.requests[-1].headers["authorization"] == "Bearer secret"
    assert chat.page.evaluate("localStorage.getItem('gaoxin.apiToken')") == "secret"

    chat.page.reload()  # the token is remembered
    reply = chat.ask("大连高新区瞪羚企业有多少家?", states="done")
    expect(reply.locator(".fact-value .value")).to_have_text("60家")
    expect(token_field).to_be_hidden()


# ── what the screenshots show: Chinese and emoji drawn with real glyphs, not boxes ─────────────────
# Each character is drawn alone on a canvas in the page's own font stack. Without a font that has it, Chromium
# draws the same missing-glyph box for every character: distinct characters give identical pixels, equal to the
# drawing of a code point no font has (U+10FFFD, private use). `make install` installs the fonts (Makefile `fonts`).
DRAW = """(chars) => {
  const font = `40px ${getComputedStyle(document.body).fontFamily}`;
  return chars.map((ch) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 64;
    const ctx = canvas.getContext("2d");
    ctx.font = font;
    ctx.textBaseline = "top";
    ctx.fillStyle = "#000";
    ctx.fillText(ch, 8, 8);
    const px = ctx.getImageData(0, 0, 64, 64).data;
    let inked = 0, coloured = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] > 0) inked++;
      if (px[i + 3] > 0 && Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) > 40) coloured++;
    }
    return {ch, image: canvas.toDataURL(), inked, coloured};
  });
}"""
NO_GLYPH = "\U0010fffd"


def _drawn(chat: Chat, glyphs: list[str]) -> list[dict]:
    return chat.page.evaluate(DRAW, [*glyphs, NO_GLYPH])


def test_chinese_is_drawn_with_cjk_glyphs_not_boxes(chat):
    *drawn, box = _drawn(chat, list("高新区数据问答"))
    assert all(d["inked"] > 20 for d in drawn), [(d["ch"], d["inked"]) for d in drawn]
    tofu = [d["ch"] for d in drawn if d["image"] == box["image"]]
    assert not tofu, f"drawn as the missing-glyph box (no CJK font; `make fonts` installs fonts-noto-cjk): {tofu}"
    assert len({d["image"] for d in drawn}) == len(drawn), "distinct characters drawn alike: boxes, not glyphs"


def test_emoji_are_drawn_in_colour_not_boxes(chat):
    *drawn, box = _drawn(chat, ["✅", "⚠️", "📈"])  # the bot's badges (👀 would do for shape, not colour: it is grey)
    for d in drawn:
        assert d["image"] != box["image"], f"{d['ch']} drawn as the missing-glyph box"
        assert d["coloured"] > 20, f"{d['ch']} drawn without colour (no colour emoji font; `make fonts` installs one)"


# ── comparisons and series: a table and a chart the page draws from the reply's data ──────────────────────────────
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
RANKING = "高新技术企业 排名"


def _fits(chat: Chat, selector: str) -> None:
    """Every element matching `selector` lies within the page's width, and nothing scrolls sideways."""
    page = chat.page
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    width = page.viewport_size["width"]
    boxes = page.locator(selector).evaluate_all("els => els.map(e => e.getBoundingClientRect().toJSON())")
    assert boxes, selector
    for box in boxes:
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (selector, box)


def test_a_ranking_is_a_table_under_a_bar_chart_at_phone_width(open_chat, site):
    chat = open_chat(site, **PHONE)
    reply = chat.ask(RANKING)
    expect(reply.locator(".table-title")).to_have_text(re.compile("^各园区按“高新技术企业”比较"))
    rows = reply.locator("table.data tbody tr")
    bars = reply.locator("svg.chart.bars .bar-row")
    n = rows.count()
    assert n >= 5 and bars.count() == n
    expect(rows.first.locator(".rank")).to_have_text("1")
    expect(rows.first.locator(".name")).to_have_text("佛山高新区")
    expect(rows.first.locator(".num strong")).to_have_text("2931家")
    expect(rows.first.locator(".num .sub")).to_have_text("2020年")
    expect(rows.first.locator(".mark")).to_have_text("⚠️")
    expect(rows.first.locator(".zone .sub")).to_contain_text("高企存量")
    expect(rows.first.locator(".zone .src")).to_contain_text("《佛山高新区")
    expect(reply.locator(".table-note")).to_have_text(re.compile("✅已核实 ⚠️未核实"))
    # bars drawn in proportion, largest first, each with its zone and amount readable inside the screen
    widths = [b["width"] for b in reply.locator("svg.chart .bar").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().toJSON())")]  # fmt: skip
    assert widths == sorted(widths, reverse=True) and widths[-1] > 1
    assert abs(widths[1] / widths[0] - 1000 / 2931) < 0.05  # 突破1000家 against 2931家
    expect(reply.locator("svg.chart .bar-value").first).to_have_text("2931家")
    heights = reply.locator("svg.chart text").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert all(h >= 10 for h in heights)  # readable, not shrunk away
    _fits(chat, "svg.chart text")
    _fits(chat, "table.data")
    assert reply.locator(".table-wrap").evaluate("e => e.scrollWidth <= e.clientWidth")  # the table does not scroll
    expect(reply.locator("svg.chart")).to_have_attribute("role", "img")


def test_the_chat_page_ranking_screenshot(open_chat, site, tmp_path):
    """docs/chat-ranking.png (README): the page at 390 px answering a ranking. `make screenshots` writes it to docs/;
    the suite writes it to a temporary folder and checks it is a picture of that size."""
    out = Path(os.environ.get("GAOXIN_SCREENSHOT_DIR") or tmp_path) / "chat-ranking.png"
    chat = open_chat(site, **{**PHONE, "viewport": {"width": 390, "height": 1180}})
    reply = chat.ask(RANKING)
    expect(reply.locator("svg.chart.bars")).to_be_visible()
    expect(reply.locator(".table-note")).to_be_in_viewport()
    chat.input.blur()
    chat.page.screenshot(path=str(out))
    png = out.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == 390 * 2  # its width in pixels, at the phone's scale


@pytest.fixture(scope="module")
def series_site(tmp_path_factory) -> Iterator[LiveServer]:
    from .tables import SERIES_ROWS, store_of

    path = tmp_path_factory.mktemp("series") / "gaoxin.db"
    store_of(SERIES_ROWS, path, url="https://www.example.gov.cn/sip/2024.html").close()
    with LiveServer(create_app({"DB": str(path), "API_TOKEN": ""})) as server:
        yield server


def test_a_series_is_a_table_under_a_line_chart_in_time_order(open_chat, series_site):
    chat = open_chat(series_site, **PHONE)
    reply = chat.ask("苏州工业园区 地区生产总值 历年")
    expect(reply.locator(".table-title")).to_have_text(re.compile("^苏州工业园区“地区生产总值”历年"))
    expect(reply.locator("table.data tbody tr .name")).to_have_text(["2022年", "2023年", "2024年"])
    expect(reply.locator("table.data tbody tr .num strong")).to_have_text(["3515.6亿元", "3686.5亿元", "3812.6亿元"])
    expect(reply.locator("table.data tbody tr .mark")).to_have_text(["⚠️", "✅", "⚠️"])
    link = reply.locator("table.data a.src").first
    expect(link).to_have_attribute("href", "https://www.example.gov.cn/sip/2024.html")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    dots = reply.locator("svg.chart.line .dot").evaluate_all("els => els.map(e => e.getBoundingClientRect().toJSON())")
    xs, ys = [d["x"] for d in dots], [d["y"] for d in dots]
    assert len(dots) == 3 and xs == sorted(xs) and ys == sorted(ys, reverse=True)  # later years right, higher up
    expect(reply.locator("svg.chart .point-year")).to_have_text(["2022年", "2023年", "2024年"])
    _fits(chat, "svg.chart text")
    _fits(chat, "table.data")


def test_text_in_a_table_is_text_and_only_web_addresses_are_links(chat):
    """The page draws whatever the API sends as text: a zone, metric or title full of markup adds no element, and
    an address that is not http(s) is no link."""
    hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>"><svg onload=alert(3)>'
    row = {"rank": 1, "zone": "青岛高新区" + hostile, "metric": hostile, "amount": "394项" + hostile, "value": 394,
           "unit": "项", "period": "2021", "period_text": "2021年" + hostile, "year": 2021, "verified": True,
           "doc": "a.txt", "article": hostile, "url": "javascript:alert(4)", "fact": 1}  # fmt: skip
    table = {"kind": "ranking", "title": hostile, "measure": hostile, "order": "value", "unit": "项", "rows": [row],
             "more": 0, "zone": None, "note": hostile}  # fmt: skip
    body = {"status": "answered", "text": hostile, "markdown": hostile, "facts": [], "table": table}
    chat.page.route("**/api/v1/ask", lambda route: route.fulfill(json=body))
    reply = chat.ask(RANKING)
    expect(reply.locator(".table-title")).to_have_text(hostile)
    expect(reply.locator("table.data .name")).to_have_text("青岛高新区" + hostile)
    assert reply.locator("img, script, table svg, a").count() == 0  # no element from the data, no javascript: link
    assert chat.page.evaluate("document.querySelectorAll('.messages img, .messages script').length") == 0
    expect(reply.locator("svg.chart .bar-label")).to_have_text("1. 青岛高新区" + hostile)

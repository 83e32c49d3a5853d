"""Every sentence the bot says, in one place: plain text and Markdown for each kind of reply."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from . import markup

VERIFIED = "✅已核实"
UNVERIFIED = "⚠️未核实(机器抽取)"

HELP = (
    "我可以回答国家高新区等园区的数据问题,答案都来自新闻原文,并注明出处和是否经人工核实。\n"
    "试试这样问:\n"
    "· 青岛高新区 权力事项数量\n"
    "· 大连高新区瞪羚企业有多少家?\n"
    "· 2021年 楚雄高新区 规模以上工业产值\n"
    "· 青岛高新区 有哪些数据\n"
    "· 高新技术企业 排名"
)
EMPTY = "请告诉我想查的园区和指标,例如:青岛高新区 权力事项数量。发送“帮助”查看更多问法。"
TOO_LONG = "问题太长了(最多 {limit} 个字),请只写园区和指标,例如:大连高新区 发明专利拥有量。"
NOT_TEXT = "我只能回答文字问题,请直接输入园区和指标,例如:青岛高新区 权力事项数量。"


class Shown(Protocol):
    zone: str | None
    entity: str | None
    metric: str
    value: float
    unit: str
    qualifier: str
    period: str | None
    status: str
    quote: str
    doc: str
    article: str | None
    value_text: str


_PREFIX = {"more_than": "超", "about": "约", "at_least": "至少", "less_than": "不足"}


def amount(f: Shown) -> str:
    """The value as a person would say it: 超1700家, 近2.11亿元, 1/4."""
    printed = "".join(f.value_text.split())
    number = f"{f.value:g}" if not float(f.value).is_integer() else str(int(f.value))
    if f.value < 0 and number[1:] in printed.replace(",", "") and not printed.startswith(("-", "−")):
        return f"下降{printed}" if not printed.startswith(("下降", "减少")) else printed  # growth −2.4: 下降2.4%
    if number in printed.replace(",", ""):
        return (
            printed if f.unit in printed or f.unit == "比例" else printed + f.unit[len(_shared_tail(printed, f.unit)) :]
        )
    return f"{_PREFIX.get(f.qualifier, '')}{number}{f.unit}"


def _shared_tail(printed: str, unit: str) -> str:
    for n in range(len(unit), 0, -1):
        if printed.endswith(unit[:n]):
            return unit[:n]
    return ""


def period(f: Shown) -> str:
    if not f.period:
        return "未注明时间"
    p = f.period
    if p.isdigit():
        return f"{p}年"
    if "-" in p and "~" in p:
        year, months = p.split("-", 1)
        return f"{year}年{months.replace('~', '-')}月"
    return p


def _mark(f: Shown) -> str:
    return VERIFIED if f.status == "verified" else UNVERIFIED


def _same(text: str) -> str:
    return text


# Every reply is said twice: as plain text (`_same`) and as Markdown, where every piece of text the bot did not
# write — quotes, metric and zone names, titles, the asker's words — goes through markup.escape (`_md`).
_md = markup.escape


def _who(f: Shown, e: Callable[[str], str] = _same) -> str:
    return e(f"{f.zone}{'·' + f.entity if f.entity else ''}")


def _brief(f: Shown, e: Callable[[str], str] = _same) -> str:
    """A fact in a few words: its metric, amount and period."""
    return f"{e(f.metric)} {e(amount(f))}({e(period(f))})"


def answer(best: Shown, alternatives: Sequence[Shown], read_as: str | None = None) -> tuple[str, str]:
    """An answer; with `read_as` (the metric as asked, when the fact names it otherwise), how it was understood."""
    head = f"{_who(best)} {best.metric}:{amount(best)}({period(best)})"
    source = f"《{best.article}》({best.doc})" if best.article else best.doc
    quote = " ".join(best.quote.split())
    reading = f"\n按“{best.metric}”理解您问的“{read_as}”。" if read_as else ""
    text = f"{head}{reading}\n原文:“{quote}”\n来源:{source} {_mark(best)}"
    md_reading = f"\n按“{_md(best.metric)}”理解您问的“{_md(read_as)}”。" if read_as else ""
    md = (
        f"**{_who(best, _md)} {_md(best.metric)}:{_md(amount(best))}**({_md(period(best))}){md_reading}\n"
        f"> {_md(quote)}\n\n来源:{_md(source)} {_mark(best)}"
    )
    if alternatives:
        others = ";".join(f"{a.metric} {amount(a)}({period(a)})" for a in alternatives)
        text += f"\n相关:{others}"
        md += "\n\n相关:" + ";".join(f"{_md(a.metric)} **{_md(amount(a))}**({_md(period(a))})" for a in alternatives)
    return text, md


PICK_HINT = "回复序号(如 1)选择,或补充园区、指标或年份再问一次。"


def ambiguous(options: Sequence[Shown]) -> tuple[str, str]:
    def lines(e: Callable[[str], str]) -> str:
        return "\n".join(
            f"{i}. {_who(o, e)} {e(o.metric)}:{e(amount(o))}({e(period(o))})" for i, o in enumerate(options, 1)
        )

    text = "找到几条相近的数据,您问的是哪一条?\n" + lines(_same) + "\n" + PICK_HINT
    md = "找到几条相近的数据,您问的是哪一条?\n\n" + lines(_md) + "\n\n" + PICK_HINT
    return text, md


def unknown_zone(name: str, metric: str, zones_with_metric: Sequence[str]) -> tuple[str, str]:
    def say(e: Callable[[str], str]) -> str:
        hint = "、".join(e(z) for z in zones_with_metric[:5])
        text = f"我的资料里没有“{e(name)}”的数据。"
        if hint and metric:
            text += f"有“{e(metric)}”数据的园区:{hint}。"
        elif hint:
            text += f"有数据的园区包括:{hint}等。"
        return text

    return say(_same), say(_md)


def not_covered(zone: str, metric: str, nearest: Sequence[Shown], elsewhere: Sequence[str]) -> tuple[str, str]:
    def say(e: Callable[[str], str]) -> str:
        asked = f"{e(zone)}的“{e(metric)}”" if metric else e(zone)
        text = f"文章里没有提到{asked}。"
        if elsewhere:
            text += f"有这项数据的园区:{'、'.join(e(z) for z in elsewhere[:5])}。"
        if nearest:
            text += "我知道的相近数据:" + ";".join(f"{_who(n, e)} {e(n.metric)} {e(amount(n))}" for n in nearest) + "。"
        return text

    return say(_same), say(_md)


def maybe(zone: str, metric: str, options: Sequence[Shown]) -> tuple[str, str]:
    """No figure is surely the one asked for, but these of the zone might be: numbered, to pick by replying."""

    def say(e: Callable[[str], str], sep: str) -> str:
        lines = "\n".join(
            f"{i}. {_who(o, e)} {e(o.metric)}:{e(amount(o))}({e(period(o))})" for i, o in enumerate(options, 1)
        )
        return (
            f"没有找到确切是{e(zone)}“{e(metric)}”的数据。可能相关的有:{sep}{lines}{sep}"
            "回复序号查看原文,或换个说法再问。"
        )

    return say(_same, "\n"), say(_md, "\n\n")


def not_in_years(zone: str, metric: str, years: Sequence[int], other_years: Sequence[Shown]) -> tuple[str, str]:
    """The zone has the figure, but for other years than the ones asked."""
    asked = "、".join(f"{y}年" for y in years)

    def say(e: Callable[[str], str]) -> str:
        return (
            f"文章里没有{e(zone)}{asked}的“{e(metric)}”。其他年份的有:"
            + ";".join(f"{_who(n, e)} {_brief(n, e)}" for n in other_years)
            + "。"
        )

    return say(_same), say(_md)


def no_metric(metric: str, nearest: Sequence[Shown]) -> tuple[str, str]:
    def say(e: Callable[[str], str]) -> str:
        text = f"文章里没有找到“{e(metric)}”相关的数据。"
        if nearest:
            text += "相近的有:" + ";".join(f"{_who(n, e)} {e(n.metric)} {e(amount(n))}" for n in nearest) + "。"
        return text

    return say(_same), say(_md)


def overview(zone: str, facts: Sequence[Shown], total: int) -> tuple[str, str]:
    def lines(e: Callable[[str], str]) -> str:
        return "\n".join(
            f"· {e(f.metric)}:{e(amount(f))}({e(period(f))}){'✅' if f.status == 'verified' else ''}" for f in facts
        )

    more = f"\n……共 {total} 条,可以直接问具体指标。" if total > len(facts) else ""
    text = f"{zone}的数据:\n" + lines(_same) + more
    md = f"**{_md(zone)}**的数据:\n\n" + lines(_md) + more
    return text, md


# ── comparisons and series: one table, said in plain text and in Markdown (platforms draw it natively too) ──────
MARKS = {True: "✅", False: "⚠️"}  # a row's short mark; LEGEND says what they mean
LEGEND = "✅已核实 ⚠️未核实(机器抽取)"
TABLE_HEAD = {  # the columns of a table, as every channel labels them
    "rank": "名次", "zone": "园区", "amount": "数值", "metric": "指标", "period": "时间", "verified": "核实",
    "source": "来源", "year": "年份",
}  # fmt: skip
# How a comparison names the variant of an indicator it ranks (the kinds of facts compared).
VARIANT_NAMES = {"growth": "增长", "target": "目标", "share": "占比"}
ORDER_NAMES = {"value": "按数值排列", "place": "按名次排列", "time": "按年份排列"}
SERIES_TREND = "历年"


class Row(Protocol):
    rank: int
    zone: str
    metric: str
    amount: str
    period_text: str
    verified: bool


class Tabled(Protocol):
    kind: str
    measure: str
    order: str
    rows: Sequence[Row]
    more: int
    zone: str | None


def table_title(kind: str, measure: str, order: str, zone: str | None = None, e: Callable[[str], str] = _same,
                bold: bool = False) -> str:  # fmt: skip
    """各园区按“研发投入强度”比较(按数值排列,口径以原文为准); 苏州工业园区“地区生产总值”历年(按年份排列,…)."""
    named = f"**{e(measure)}**" if bold else e(measure)
    how = f"({ORDER_NAMES[order]},口径以原文为准)"
    if kind == "series":
        return f"{e(zone or '')}“{named}”{SERIES_TREND}{how}"
    return f"各园区按“{named}”比较{how}"


def more_rows(t: Tabled) -> str:
    """What a cut table leaves out: 还有3个园区未列出 (a ranking), 更早的2个年份未列出 (a series)."""
    if not t.more:
        return ""
    return f"更早的{t.more}个年份未列出。" if t.kind == "series" else f"还有{t.more}个园区未列出。"


def row_line(r: Row, kind: str, e: Callable[[str], str] = _same, bold: bool = False) -> str:
    """1. 西安高新区 6.64%(全社会研发投入强度,2021年)⚠️ — or, in a series, · 2023年 3686.5亿元(地区生产总值)⚠️."""
    amount = f"**{e(r.amount)}**" if bold else e(r.amount)
    if kind == "series":
        return f"· {e(r.period_text)} {amount}({e(r.metric)}){MARKS[r.verified]}"
    return f"{r.rank}. {e(r.zone)} {amount}({e(r.metric)},{e(r.period_text)}){MARKS[r.verified]}"


def table(t: Tabled) -> tuple[str, str]:
    """A comparison or series as text and Markdown: the title, one line per row (each with its mark and period), and
    what was left out with the legend of the marks."""

    def say(e: Callable[[str], str], md: bool) -> str:
        head = table_title(t.kind, t.measure, t.order, t.zone, e, bold=md) + ":"
        lines = "\n".join(row_line(r, t.kind, e, bold=md) for r in t.rows)
        return head + ("\n\n" if md else "\n") + lines + "\n" + more_rows(t) + LEGEND

    return say(_same, False), say(_md, True)


def table_markdown(t: Tabled) -> str:
    """The table as a GitHub Markdown table (Mattermost renders them): every piece of text the bot did not write
    escaped, so a | in a name adds no column."""
    head = "**" + table_title(t.kind, t.measure, t.order, t.zone, _md) + "**\n\n"
    h = TABLE_HEAD
    if t.kind == "series":
        cols = f"| {h['year']} | {h['amount']} | {h['metric']} | {h['verified']} |\n|---|---:|---|:---:|"
        rows = [f"| {_md(r.period_text)} | {_md(r.amount)} | {_md(r.metric)} | {MARKS[r.verified]} |" for r in t.rows]
    else:
        cols = (
            f"| {h['rank']} | {h['zone']} | {h['amount']} | {h['metric']} | {h['period']} | {h['verified']} |\n"
            "|---:|---|---:|---|---|:---:|"
        )
        rows = [
            f"| {r.rank} | {_md(r.zone)} | {_md(r.amount)} | {_md(r.metric)} | {_md(r.period_text)} |"
            f" {MARKS[r.verified]} |"
            for r in t.rows
        ]
    return head + cols + "\n" + "\n".join(rows) + "\n\n" + more_rows(t) + LEGEND


# ── HTTP errors: what a person reads (the page shows `error`), beside a machine-readable English `code` ──
HTTP_ERRORS: dict[str, str] = {
    "unauthorized": "缺少或错误的访问令牌:请在请求头里写 Authorization: Bearer <令牌>。",
    "not_json": '请用 JSON 提问:请求头 Content-Type: application/json,正文例如 {{"q": "青岛高新区 权力事项数量"}}。',
    "not_an_object": '请求正文不是 JSON 对象,应当形如 {{"q": "青岛高新区 权力事项数量"}}。',
    "bad_chat": '字段 "chat" 须是不超过 200 个字的字符串(同一对话的标识,用来回复序号选择)。',
    "missing_question": '缺少字段 "q"(问题,一个字符串),例如 {{"q": "青岛高新区 权力事项数量"}}。',
    "empty_question": "问题是空的。请写上园区和指标,例如:青岛高新区 权力事项数量。",
    "question_too_long": "问题太长了:{length} 个字,最多 {limit} 个。请只写园区和指标,例如:大连高新区 发明专利拥有量。",
    "body_too_large": "请求太大了:最多 {limit} 字节({kb} KB)。问题本身最多 {chars} 个字。",
    "store_unavailable": "数据库暂时不可用,请稍后再试。",
    "store_unavailable_webhook": "数据库暂时不可用;这条标注稍后会从 Label Studio 重新同步。",
    "webhook_disabled": "Label Studio 回调未开启(没有设置 GAOXIN_LS_WEBHOOK_SECRET)。",
    "webhook_secret": "缺少或错误的 X-Gaoxin-Secret 请求头。",
    "webhook_invalid": "Label Studio 回调的内容不能用:{reason}",
    "too_deep": "请求的 JSON 嵌套太深:最多 {limit} 层。",
    "unknown_platform": "没有名为 {name} 的聊天平台(已知:{known})。",
    "platform_disabled": "{title} 未启用:请先设置 {missing}。",
    "platform_rejected": "{title} 的请求被拒绝:{reason}",
    "not_found": "没有这个地址。聊天页面在 /,提问接口是 POST /api/v1/ask。",
    "method_not_allowed": "这个地址不接受 {method} 请求。",
    "bad_request": "请求格式不对。",
    "http_error": "请求出错(HTTP {http_status})。",
    "internal": "服务器内部错误,详细信息在服务器日志里。",
}

HTTP_STATUS_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}

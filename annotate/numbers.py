"""Finding quantities in folded Chinese text: number, qualifier, unit, and whether it is a fact at all.

Works on raw characters (jieba splits 1/4, glues 约 to 比, and reads 余家 as one word), on a
NFKC-folded copy so full-width digits and punctuation match like half-width ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .vocab import alternation, vocab

_V = vocab()
# Qualifiers, as printed before or after the number (config/vocab.toml [qualifiers]).
PREFIX_QUALIFIERS = _V.qualifiers.before
SUFFIX_QUALIFIERS = _V.qualifiers.after
# Measure words and units, longest first so 个工作日 wins over 个.
BASE_UNITS = _V.units.measure
COUNT_UNITS = _V.units.count
SCALES = _V.units.scales
# 产业促进政策20条, 22条措施: 条 names a policy document.
_POLICY_BEFORE = re.compile(f"(?:{alternation(_V.units.policy_before)})$")
_POLICY_AFTER = re.compile(f"(?:{alternation(_V.units.policy_after)})")
# Words of a metric about money: a bare 亿/万 stands for 亿元/万元.
MONEY_WORDS = re.compile(alternation(_V.units.money_words))

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_MULT = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_CN = "零〇一二两三四五六七八九十百千"
_TIME_UNITS = _V.units.time

_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUMBER = rf"(?P<frac>\d+/\d+)|(?P<pct>百分之(?:[{_CN}点]+|\d+(?:\.\d+)?))|(?P<cnfrac>[{_CN}]+分之[{_CN}]+)|(?P<ar>{_ARABIC})|(?P<cn>[{_CN}]+)"
_PREFIX = "|".join(sorted(PREFIX_QUALIFIERS, key=len, reverse=True))
_UNIT = alternation(BASE_UNITS)
_SCALE = alternation(SCALES)
# A one-character qualifier after the number may stand before its scale (1500余家, 10多亿元); the others after the unit.
_MID = alternation(q for q in SUFFIX_QUALIFIERS if len(q) == 1)
_SUFFIX = alternation(q for q in SUFFIX_QUALIFIERS if len(q) > 1)
# One space may stand between the parts (超 500 个, 2,615 家, 4,128.6 亿元, 15% 左右), as posts and PDFs print them.
MENTION = re.compile(
    rf"(?:(?P<prefix>{_PREFIX}) ?)?(?:(?<=[(比长速])(?P<sign>[+\-−]))?(?P<ord>第|前)?(?:{_NUMBER})"
    rf"(?P<mid>{_MID})?(?: ?(?P<scale>{_SCALE}))?(?P<mid2>{_MID})?(?: ?(?P<unit>{_UNIT}))?"
    rf"(?: ?(?P<suffix>{_SUFFIX}))?",
    re.IGNORECASE,
)


# 计划新开工亿元以上项目30~35个, 增长8%~10%, 5亿元~10亿元: a range of one measure (the lower bound, at least).
_RANGE = re.compile(
    rf"(?P<lo>{_ARABIC})(?P<lounit>(?:{_SCALE})?(?:{_UNIT}))? ?[~～—–\-至到] ?(?P<hi>{_ARABIC}) ?(?P<scale>{_SCALE})?(?P<unit>{_UNIT})"
)
# 补贴期限3年, 最长5年免租人才公寓, 给予3年租金全免: a policy's term in years.
_TERM_BEFORE = re.compile(f"(?:{alternation(_V.units.term_before)})$")
_TERM_AFTER = re.compile(alternation(_V.units.term_after))
_RANGE_HINT = re.compile(r"\d[^\d\s,，。;；]{0,4} ?[~～—–\-至到] ?\d")
# 2024/5/8, 2024/05: a date printed with slashes, not a fraction.
_SLASH_DATE = re.compile(r"(?:19|20)\d{2}/\d{1,2}(?:/\d{1,2})?|\d{1,2}/\d{1,2}/(?:19|20)?\d{2}")
# 排名全省第三, 位居全国第九名, 居全市各园区第一: a bare ordinal after a rank verb in its clause is a rank.
_RANK_VERB = re.compile(f"(?:{alternation(_V.rank_ordinal_verbs)})[^,;。，；、]{{0,16}}$")
# 跻身全国先进制造业园区百强, 连续两年进入全省前十, 跻身全国…特色产业集群前二十名: a list entered is a rank too.
_RANK_ENTRY = re.compile(f"(?:{alternation((*_V.rank_ordinal_verbs, *_V.rank_entry_verbs))})[^,;。，；、]{{0,16}}$")
# 较全国、全省、全市分别高4.1、2.7、1.9个百分点: the numbers of a list take the unit its last one prints.
_LIST_NEXT = re.compile(r"(?:、|和|及|与)\s?")
# 分别高于全市5.2个和11.4个百分点: 个 before a list's 个百分点 is the shared unit cut short, not a count.
_SHARED_POINTS = re.compile(rf"(?:(?:、|和|及|与)\s?(?:{_ARABIC})个)*(?:、|和|及|与)\s?(?:{_ARABIC}) ?个百分点")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number as printed, read: offsets are into the folded text it was found in."""

    start: int  # of value_text (qualifier included)
    end: int
    num_start: int
    value: float
    unit: str
    qualifier: str
    rank: bool  # 第N位 / 前N强
    chinese: bool  # written in Chinese numerals
    signed: bool = False  # (+7.2%), (-1.8%): a change printed with its sign
    # 30~35个 is read three ways: "range" (the whole, value 30 at least: a plan's floor) and its "low" and "high"
    # ends (a price band's 最低 and 最高); annotate/extract.py keeps the whole in a target's sentence, else the ends.
    bound: str = ""


def parse_chinese_number(s: str) -> float | None:
    """Read 三千四百 / 十五 / 百 / 两 as a number; None when it is not one."""
    if not s or any(ch not in _CN_DIGITS and ch not in _CN_MULT for ch in s):
        return None
    if all(ch in _CN_DIGITS for ch in s):  # 一二三 as digits (二〇二一)
        return float(int("".join(str(_CN_DIGITS[ch]) for ch in s))) if len(s) > 1 else float(_CN_DIGITS[s])
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            mult = _CN_MULT[ch]
            if mult >= 10_000:
                section = (section + (digit or 0)) * mult
                total += section
                section = 0
            else:
                section += (1 if digit is None else digit) * mult
            digit = None
    return float(total + section + (digit or 0))


def _number_value(m: re.Match[str]) -> float | None:
    if m.group("frac"):
        a, b = m.group("frac").split("/")
        return round(int(a) / int(b), 4) if int(b) else None
    if m.group("cnfrac"):
        b, a = m.group("cnfrac").split("分之")
        na, nb = parse_chinese_number(a), parse_chinese_number(b)
        return round(na / nb, 4) if na is not None and nb else None
    if m.group("pct"):
        body = m.group("pct")[3:]
        if body[0].isdigit():
            return float(body)
        whole, _, frac = body.partition("点")
        w = parse_chinese_number(whole)
        if w is None:
            return None
        return float(f"{int(w)}.{''.join(str(_CN_DIGITS[c]) for c in frac)}") if frac else w
    if m.group("ar"):
        return float(m.group("ar").replace(",", ""))
    return parse_chinese_number(m.group("cn"))


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in `text` that could be a fact (years, dates, codes and slogans left out)."""
    found: list[Quantity] = []
    taken = [(r.start(), r.end()) for r in _SLASH_DATE.finditer(text)] if "/" in text else []  # dates: no facts
    if _RANGE_HINT.search(text):  # (the full range pattern only where a dash stands between two numbers)
        for r in _RANGE.finditer(text):
            if not any(s < r.end() and r.start() < e for s, e in taken) and _is_range(text, r):
                taken.append((r.start(), r.end()))
                found += _read_range(text, r)
    for m in MENTION.finditer(text):
        if taken and any(s < m.end() and m.start() < e for s, e in taken):
            continue
        q = _read(text, m)
        if q is not None:
            found.append(q)
    return sorted(found, key=lambda q: q.start) if taken else found


def _is_range(text: str, r: re.Match[str]) -> bool:
    """Two numbers of one measure around a dash (not 增长12.4%至356亿元, a code GB-2019-35, nor ranks)."""
    scale, unit = r.group("scale") or "", r.group("unit")
    before = text[r.start() - 1 : r.start()]
    return not (
        (r.group("lounit") and r.group("lounit") != scale + unit)
        or (before and before.isascii() and (before.isalnum() or before in "+-./×*"))
        or unit in ("位", "名", "强", "期", "批", "届")
    )


def _read_range(text: str, r: re.Match[str]) -> list[Quantity]:
    """30~35个 as the whole (value 30, at least; value_text 30~35个) and as its two ends (30个, 35个).

    Nothing when it is no fact: a band that sets who qualifies (设备投资额5亿元~10亿元的), years and durations
    (2023—2025年, 3-5年)."""
    scale, unit = r.group("scale") or "", r.group("unit")
    if unit in _TIME_UNITS or text.startswith("的", r.end()):
        return []
    lo, hi = float(r.group("lo").replace(",", "")), float(r.group("hi").replace(",", ""))
    low_end = r.end("lounit") if r.group("lounit") else r.end("lo")
    return [
        Quantity(r.start(), r.end(), r.start(), lo, scale + unit, "at_least", False, False, bound="range"),
        Quantity(r.start(), low_end, r.start(), lo, scale + unit, "exact", False, False, bound="low"),
        Quantity(r.start("hi"), r.end(), r.start("hi"), hi, scale + unit, "exact", False, False, bound="high"),
    ]


def _read(text: str, m: re.Match[str]) -> Quantity | None:
    value = _number_value(m)
    if value is None:
        return None
    unit = m.group("unit") or ""
    scale = m.group("scale") or ""
    prefix, suffix = m.group("prefix") or "", m.group("suffix") or ""
    mid = m.group("mid") or m.group("mid2") or ""
    ordinal = m.group("ord") or ""
    chinese = bool(m.group("cn") or m.group("cnfrac"))
    before = text[m.start() - 1] if m.start() > 0 else ""
    after = text[m.end() : m.end() + 4]
    num_start = (
        m.start("frac") if m.group("frac") else m.start(next(g for g in ("cnfrac", "pct", "ar", "cn") if m.group(g)))
    )

    if m.group("pct"):
        unit = "%"
    elif m.group("frac") or m.group("cnfrac"):
        unit = unit or "比例"
    if before and before.isascii() and (before.isalnum() or before in "+-./×*"):
        return None  # part of a code or model name (K30MW, T7S), a version (4.0), a formula (1+3)
    if after[:1] in ("+", "×") or (after[:1].isascii() and after[:1].isalpha() and unit not in BASE_UNITS):
        return None
    if unit == "个" and not scale and m.group("ar") and _SHARED_POINTS.match(text, m.end()):
        unit = "个百分点"
    if scale == "个亿":
        scale = "亿"  # 突破600个亿
    if not unit and not scale and text.startswith("的得分", m.end()):
        unit = "分"  # 以165.6的得分: a score printed without its unit
    elif not unit and not scale and ordinal == "第" and _bare_rank(text, m):
        unit = "位"  # 排名全省第三: the rank, in the gold's unit
    elif not unit and not scale and ordinal == "前" and _bare_rank(text, m, _RANK_ENTRY):
        unit = "位"  # 进入全省前十: the top ten entered, a rank as 第十 is
    elif not unit and not scale and m.group("ar") and not ordinal and (listed := _list_unit(text, m)):
        unit, scale = listed  # 分别高4.1、2.7、1.9个百分点: 4.1 and 2.7 are 个百分点 too
    elif not unit and not scale:
        return None  # a bare number is an id, a year, a code or a score without a unit
    if ordinal == "第" and unit not in ("位", "名"):
        return None  # 第二批, 第3届: ordinals, not quantities
    if unit in ("位", "名") and ordinal == "第" or unit == "强" or unit == "位" and ordinal == "前":
        if unit == "强" and ordinal != "前" and not _bare_rank(text, m, _RANK_ENTRY):
            return None  # 20强企业榜单, 百强企业: a list's name (跻身…百强, at its clause's end, is a rank)
        rank = True
    elif unit == "名" and ordinal == "前" and _bare_rank(text, m, _RANK_ENTRY):
        rank = True  # 跻身全国中小企业特色产业集群前二十名 (前3名企业 names a class)
    else:
        rank = False
    if ordinal == "前" and not rank:
        return None
    if unit == "年" and (value >= 1900 or (after[:1] and after[:1] in "度底初末前以来")):
        return None
    if (
        unit == "年"
        and not text[max(0, m.start() - 2) : m.start()].endswith("连续")
        and not _TERM_BEFORE.search(text[max(0, m.start() - 3) : m.start()])
        and not _TERM_AFTER.match(text, m.end())
    ):
        return None  # 3年行动计划, 近5年, 30年来: durations and periods, not facts (期限3年 is a policy's term)
    if before == "过" and chinese:
        return None  # 市值过千亿元的企业: a class of company
    if m.group("cn") and not _chinese_quantity(text, m, value, unit, prefix or mid):
        return None
    if re.match(r"(?:以上|以下)?的[,;:，；：]", text[m.end() : m.end() + 4]):
        return None  # 设备投资额10亿元以上的,一事一议: the condition a rule sets, not a figure
    if unit in ("小时",) and value == 24:
        return None  # 24小时 describes a service, it is not a measurement
    if after[:1] == "级" or (unit == "元" and after[:1] == "级"):
        return None  # 千亿级, 百亿元级: a size class
    if unit in ("分", "成") and after[:1] in ("之", "钟"):
        return None
    if unit == "期" or unit == "批" or unit == "届":
        return None  # phases and batches are ordinals in practice
    if unit == "条" and (
        _POLICY_BEFORE.search(text[max(0, m.start() - 4) : m.start()])
        or _POLICY_AFTER.match(text[m.end() : m.end() + 3])
    ):
        return None  # 产业促进政策20条, 降低实体经济成本22条措施: the name of a policy document
    if unit in _V.units.slogan_counts and _in_quotes(text, m.start()) and not re.match(r"\d", m.group()):
        return None
    qualifier = PREFIX_QUALIFIERS.get(prefix) or SUFFIX_QUALIFIERS.get(suffix) or SUFFIX_QUALIFIERS.get(mid) or "exact"
    full_unit = scale + unit
    sign = m.group("sign")
    if sign and full_unit not in ("%", "个百分点"):
        return None  # a signed count or amount is a formula or a code, not a change
    return Quantity(
        start=m.start(),
        end=m.end(),
        num_start=num_start,
        value=-value if sign in ("-", "−") else value,
        signed=bool(sign),
        unit=full_unit,
        qualifier=qualifier,
        rank=rank,
        chinese=chinese,
    )


def _bare_rank(text: str, m: re.Match[str], verbs: re.Pattern[str] = _RANK_VERB) -> bool:
    """第三 with no unit is a rank right after a rank verb (排名全省第三), at the end of its clause."""
    after = text[m.end() : m.end() + 1]
    return (
        bool(verbs.search(text[max(0, m.start() - 20) : m.start()]))
        and (not after or not ("\u4e00" <= after <= "\u9fff") or after in "的")
        and not text.startswith("的", m.end())
    )


def _list_unit(text: str, m: re.Match[str]) -> tuple[str, str] | None:
    """The unit and scale of the last number of a 、-list this bare number starts or is inside of."""
    pos = m.end()
    while (sep := _LIST_NEXT.match(text, pos)) is not None:
        nxt = MENTION.match(text, sep.end())
        if nxt is None or not nxt.group("ar"):
            return None
        if nxt.group("unit") or nxt.group("scale"):
            return nxt.group("unit") or "", nxt.group("scale") or ""
        pos = nxt.end()
    return None


def _chinese_quantity(text: str, m: re.Match[str], value: float, unit: str, qualifier: str) -> bool:
    """Chinese numerals count only where they measure something (近百项, 十余家, 一个工作日)."""
    digits = m.group("cn") or ""
    if _in_quotes(text, m.start()):
        return False  # “两个更新”, “十个一”: slogans
    if qualifier and unit:
        return True
    if unit == "成" and len(digits) == 1 and not text.startswith("不", m.end()):
        return True  # 占全部投资的七成 (一成不变 is an idiom)
    if unit in ("位", "名") and m.group("ord") in ("第", "前") or unit in ("个位次", "位次", "强"):
        return True  # 排名全省第三, 上升两个位次; 进入全省前十, 跻身…百强 (a rank, checked by _read)
    if value >= 10 and m.group("scale") and unit.endswith("元"):
        return True  # 最高补贴三千万元: an amount in words
    # 缩减至一个工作日 is a measurement; 短短一个月 is narration
    return (
        unit in _TIME_UNITS - {"年"}
        and len(digits) == 1
        and text[max(0, m.start() - 1) : m.start()] in ("至", "到", "为", "需")
    )


def _in_quotes(text: str, pos: int) -> bool:
    """Inside “…” or "…" on the same clause (slogans and names are quoted)."""
    left = text[max(0, pos - 20) : pos]
    opened = left.count("“") - left.count("”")
    straight = left.count('"') % 2
    return opened > 0 or straight == 1


def bare_scale_unit(unit: str, metric: str) -> str:
    """108.8亿 with no 元: money when the metric is about money, else as printed."""
    if unit in _V.units.money_scales and MONEY_WORDS.search(metric):
        return unit + "元"
    return unit

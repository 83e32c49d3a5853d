"""Tables printed as text (`指标 | 1—9月 | 同比增长`), read row by row with their header's meaning.

A cell holds a bare number (21.36, -3.6); what it measures comes from its row's label, its column's header
(同比增长 → a growth in %, 占全年目标 → a share of the plan, 2024年 → the period) and the table's unit
(a 单位 column, the label's own 实际使用外资（亿美元）, a heading's 单位：亿元、%).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPLIT = re.compile(r"\s*[|｜]\s*")
_NUMBER = re.compile(r"[+\-−]?\d+(?:,\d{3})*(?:\.\d+)?%?")
_UNIT_IN = re.compile(r"[（(]([^（）()]{1,6})[)）]")
_UNITS_HINT = re.compile(r"单位[:：]\s*([^）)\n]+)")
_GROWTH = re.compile(r"增长|增速|增幅|比上年|同比|±")
_SHARE = re.compile(r"(?:占|完成).{0,4}(?:目标|计划|任务)|完成率|进度")
_PERIOD = re.compile(r"(?:(?P<y>(?:19|20)\d{2})年?)?(?:(?P<m1>\d{1,2})\s*[-—–~至]\s*(?P<m2>\d{1,2})月)?")


@dataclass(frozen=True, slots=True)
class TableValue:
    """One number of a table: where it is, what it is (metric, unit, kind, period), and its row (the quote)."""

    start: int
    end: int
    value: float
    unit: str
    kind: str
    metric: str
    period: str | None
    row: tuple[int, int]


def _cells(line: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each cell of a `|` row, offsets into the line."""
    out, pos = [], 0
    for part in re.split(r"([|｜])", line):
        if part not in ("|", "｜"):
            stripped = part.strip()
            if stripped:
                lead = len(part) - len(part.lstrip())
                out.append((pos + lead, pos + lead + len(stripped), stripped))
        pos += len(part)
    return out


def is_row(line: str) -> bool:
    return line.count("|") + line.count("｜") >= 2 and len(_cells(line)) >= 3


# A cell printed on a line of its own (a yearbook's table flattened: 指标 / 单位 / 2023年 / 比上年增长（%）/ …):
# short, no sentence in it; — stands for an empty cell.
_CELL_LINE = re.compile(r"(?:[^。，,；;：:！？!?]|(?<=\d),(?=\d{3}))")  # 1,128.4 is one cell
_EMPTY = re.compile(r"[—–\-－/]+|…+")


def read_table(lines: list[tuple[int, str]], heading: str = "", year: str | None = None) -> list[TableValue]:
    """The values of a table given as (offset, line) pairs; `heading` is the text before it, `year` the page's."""
    rows = [(off, off + len(line), [(off + s, off + e, t) for s, e, t in _cells(line)]) for off, line in lines]
    return _read_rows([r for r, (_, line) in zip(rows, lines) if is_row(line)], heading, year)


def cell_tables(lines: list[tuple[int, str]]) -> list[tuple[int, int, int]]:
    """Where tables printed one cell per line sit among an article's lines: (first line, last line + 1, columns).

    The first row is the header (no number in it); every later row opens with its label and holds a number or an
    empty cell (—) in each column the others do; at least two rows of data. The widest such table wins."""
    cells = [0 < len(t := line.strip()) <= 16 and len(_CELL_LINE.findall(t)) == len(t) for _, line in lines]
    texts = [line.strip() for _, line in lines]
    found: list[tuple[int, int, int]] = []
    start = 0
    while start < len(lines):
        if not cells[start]:
            start += 1
            continue
        stop = start
        while stop < len(lines) and cells[stop]:
            stop += 1
        if any(_NUMBER.fullmatch(t) for t in texts[start:stop]):
            found += _grid_in(texts, start, stop)
        start = stop
    return found


def _grid_in(texts: list[str], start: int, stop: int) -> list[tuple[int, int, int]]:
    """The first grid in a run of cell lines, widest first; a caption may open it (【主要指标表】) and a note or a
    row short of cells close it."""
    for first in range(start, min(start + 3, stop)):
        for end in range(stop, max(first, stop - 6), -1):
            for width in range(6, 1, -1):
                if (end - first) % width == 0 and _is_grid(texts[first:end], width):
                    return [(first, end, width)]
    return []


def _is_grid(texts: list[str], width: int) -> bool:
    rows = [texts[i : i + width] for i in range(0, len(texts), width)]
    numeric = [[bool(_NUMBER.fullmatch(c)) or bool(_EMPTY.fullmatch(c)) for c in row] for row in rows]
    if any(numeric[0]) or len(rows) < 3:
        return False
    columns = [{row[i] for row in numeric[1:]} for i in range(width)]
    labels = [row[0] for row in rows[1:]]
    return (
        columns[0] == {False}
        and len(set(labels)) == len(labels)  # each row its own label (亿元, 亿元: the grid is misaligned)
        and all(len(c) == 1 for c in columns)
        and any(c == {True} for c in columns)
        and all(any(_NUMBER.fullmatch(c) for c in row) for row in rows[1:])
    )


def read_cell_table(
    lines: list[tuple[int, str]], width: int, heading: str = "", year: str | None = None
) -> list[TableValue]:
    """The values of a table printed one cell per line (`cell_table` found it), row by row as read_table reads."""
    rows = []
    for i in range(0, len(lines), width):
        group = lines[i : i + width]
        cells = []
        for off, line in group:
            lead = len(line) - len(line.lstrip())
            cells.append((off + lead, off + lead + len(line.strip()), line.strip()))
        rows.append((group[0][0], group[-1][0] + len(group[-1][1]), cells))
    return _read_rows(rows, heading, year)


def _read_rows(
    rows: list[tuple[int, int, list[tuple[int, int, str]]]], heading: str, year: str | None
) -> list[TableValue]:
    """The values of a table's rows: (row start, row end, cells as (start, end, text)), offsets into the file."""
    if len(rows) < 2:
        return []
    header = next((cells for _, _, cells in rows if not any(_NUMBER.fullmatch(c[2]) for c in cells[1:])), None)
    if header is None:
        return []
    hint = _UNITS_HINT.search(heading)
    hinted = [u.strip() for u in re.split(r"[、,，/]", hint.group(1))] if hint else []
    level_hint = next((u for u in hinted if u != "%"), None)
    names = [c[2] for c in header]
    table_period = next((p for n in names[1:] if (p := _period(n, year))), None)  # 1—9月, 2024年: the table's
    unit_col = next((i for i, n in enumerate(names) if n in ("单位", "计量单位")), None)
    out: list[TableValue] = []
    for row_start, row_end, cells in rows:
        if cells is header or len(cells) != len(header):
            continue
        label = cells[0][2]
        own = _UNIT_IN.search(label)
        name = _UNIT_IN.sub("", label).strip()
        row_unit = cells[unit_col][2] if unit_col is not None else None
        for i, (s, e, text) in enumerate(cells[1:], start=1):
            if i == unit_col or not _NUMBER.fullmatch(text):
                continue
            head = names[i]
            head_unit = _UNIT_IN.search(head)
            if _GROWTH.search(head):
                kind, unit = "growth", "%"
                metric = name + ("同比增长" if "同比" in head else "增长")
            elif _SHARE.search(head):
                kind, unit, metric = "share", "%", name + "完成全年目标比例"
            else:
                kind = "level"
                unit = (own and own.group(1)) or row_unit or (head_unit and head_unit.group(1)) or level_hint or ""
                metric = name
                if text.endswith("%"):
                    unit = "%"
            if not unit:
                continue
            value = float(text.rstrip("%").replace(",", "").replace("−", "-"))
            period = _period(head, year) or table_period or _period(heading, year) or year
            out.append(TableValue(s, e, value, unit, kind, metric, period, (row_start, row_end)))
    return out


def _period(text: str, year: str | None) -> str | None:
    """2024年 → 2024; 1—9月 → <year>-1~9 (with the page's year); None when the text names no time."""
    m = next((m for m in _PERIOD.finditer(text) if m.group(0)), None)
    if m is None:
        return None
    y = m.group("y") or year
    if m.group("m1"):
        return f"{y}-{int(m.group('m1'))}~{int(m.group('m2'))}" if y else None
    return m.group("y")

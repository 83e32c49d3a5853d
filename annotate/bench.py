"""Extraction throughput, measured against jieba.cut over the same texts in the same run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import jieba

from .extract import Extractor
from .text import read_source


def _median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run_extraction_bench(folder: Path, repeat: int = 5) -> Iterator[str]:
    """Yield report lines: chars/s of the baseline and of extraction, and their ratio."""
    sources = [read_source(p) for p in sorted(folder.glob("*.txt"))]
    chars = sum(len(s.text) for s in sources)
    extractor = Extractor()
    jieba.setLogLevel(60)
    jieba.initialize()
    for s in sources:  # warm both up: dictionaries loaded, regexes compiled, caches filled
        extractor.extract(s)
        list(jieba.cut(s.text))
    baseline = _median_seconds(lambda: [list(jieba.cut(s.text)) for s in sources], repeat)
    ours = _median_seconds(lambda: [extractor.extract(s) for s in sources], repeat)
    yield f"texts: {len(sources)} files, {chars:,} characters; median of {repeat} rounds"
    yield f"baseline jieba.cut        {chars / baseline:>12,.0f} chars/s"
    yield f"gaoxin extract            {chars / ours:>12,.0f} chars/s"
    yield f"extraction / jieba.cut    {baseline / ours:>12.2f}x"


def run_layout_bench(folder: Path, copies: int = 8, repeat: int = 3) -> Iterator[str]:
    """Yield report lines: seconds per MB of the same text in paragraphs, on one line, and on one line without 。
    (a page that lost its line breaks must not cost more than ~1.5× the same page in paragraphs)."""
    from .text import decode_source

    paragraphs = [
        line for p in sorted(folder.glob("*.txt")) for line in read_source(p).text.split("\n") if len(line) > 40
    ] * copies
    layouts = {
        "paragraphs": "\n\n".join(paragraphs),
        "one line": "".join(paragraphs),
        "one line, no 。": "".join(paragraphs).replace("。", "，"),
    }
    extractor = Extractor()
    timings = {}
    for name, text in layouts.items():
        source = decode_source(Path(f"{name}.txt"), ("标题\n\n" + text).encode("utf-8"))
        extractor.extract(source)
        timings[name] = _median_seconds(lambda source=source: extractor.extract(source), repeat)
    mb = len(layouts["paragraphs"].encode("utf-8")) / 1e6
    yield f"layouts: {mb:.2f} MB of the seeds' paragraphs ×{copies}; median of {repeat} rounds"
    for name, seconds in timings.items():
        ratio = seconds / timings["paragraphs"]
        yield f"{name:<18} {seconds / mb:>8.2f} s/MB  {ratio:>5.2f}× paragraphs"

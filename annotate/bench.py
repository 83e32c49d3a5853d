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

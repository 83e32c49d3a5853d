"""Ingesting article files: read, segment, extract, and hand the result to the store in one go."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path

from store import IndicatorRow, IngestResult, NewArticle, NewDocument, NewFact, Store

from .errors import InputError
from .extract import EXTRACTOR_VERSION, Candidate, Extractor
from .gazetteer import Gazetteer
from .indicators import IndicatorReader, indicator_reader
from .meta import PageMeta
from .segment import Article
from .text import SourceText, read_source, to_simplified

_SENTENCE_END = re.compile(r"[。！？!?；;\n]")

ARTICLE_SUFFIXES = (".txt", ".text", ".md")


def article_files(paths: list[Path]) -> list[Path]:
    """Expand directories into the article files they hold (sorted); keep files as given.

    A folder's entry named like an article but not a regular file (a FIFO, a link to a device) is listed
    too, so that reading it reports it (read_source refuses it) rather than skipping it in silence.
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if not p.is_dir() and p.suffix.lower() in ARTICLE_SUFFIXES)
        elif path.exists():
            out.append(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    return out


def ingest_source(
    store: Store, source: SourceText, extractor: Extractor, reader: IndicatorReader | None = None
) -> IngestResult:
    """Segment and extract one decoded file and store it (a no-op when its content and the extractor are unchanged).

    Each candidate gets the indicator its metric reads as (`reader`: the catalogue with the store's learned names),
    and says whether its zone is its article's. A page date an annotator corrected in Label Studio is the page's
    date from then on (it anchors 今年, 上半年 …): the file is read again with it."""
    if corrected := store.corrected_published(source.path.name):
        source = replace(source, meta=replace(source.meta, published=corrected))
    doc = NewDocument(
        name=source.path.name,
        path=str(source.path),
        sha256=source.sha256,
        encoding=source.encoding,
        chars=len(source.text),
        text=source.text,
        extractor_version=EXTRACTOR_VERSION,
        url=source.meta.url,
        publisher=source.meta.publisher,
        published=source.meta.published,
        meta_zone=source.meta.zone,
    )
    if store.document_unchanged(doc):
        return IngestResult(source.path.name, "unchanged")
    articles = extractor.articles(source)
    candidates = extractor.extract(source, articles)
    by_index = {a.index: a for a in articles}
    return store.ingest_document(
        doc,
        [
            NewArticle(
                a.index,
                a.title,
                a.byline,
                a.zone,
                a.start,
                a.body_start,
                a.end,
                a.zone_signal.source,
                a.zone_signal.confidence if a.zone else None,
            )  # fmt: skip
            for a in articles
        ],
        [
            replace(
                to_new_fact(c, reader or indicator_reader()),
                zone_inherited=inherits_zone(source.text, by_index.get(c.article_index), c, extractor.gaz),
            )
            for c in candidates
        ],
    )


def inherits_zone(text: str, article: Article | None, c: Candidate, gaz: Gazetteer) -> bool:
    """Whether a candidate's zone is its article's: the same zone, and no zone of that name in its sentence before
    the number. 西安高新区高新技术企业1700家 names its zone even in an article about 西安高新区, and keeps it when an
    annotator corrects the article's zone; 全区营收12亿元 inherits it (so does a fact of an article with no zone)."""
    if article is None or c.zone != article.zone:
        return False
    if c.zone is None:
        return True
    left = max((m.end() for m in _SENTENCE_END.finditer(text, article.start, c.start)), default=article.start)
    before = to_simplified(unicodedata.normalize("NFKC", text[left : c.start]))
    return not any(m.name == c.zone for m in gaz.mentions(before))


def to_new_fact(c: Candidate, reader: IndicatorReader | None = None) -> NewFact:
    """A candidate as the store takes it, with its indicator code (None where none fits, or without a reader)."""
    d = asdict(c)
    return NewFact(
        article_idx=c.article_index,
        **{k: d[k] for k in NewFact.__dataclass_fields__ if k not in ("article_idx", "indicator", "zone_inherited")},
        indicator=reader.code(c.metric, c.kind, c.unit) if reader else None,
    )


def store_indicators(store: Store) -> IndicatorReader:
    """Bring the store's indicators up to date: the catalogue table from config/indicators.toml, and a code for
    every fact that has none and now fits one (stored before the catalogue, or learned names since). Returns the
    reader to ingest with: the catalogue plus the store's learned names."""
    reader = indicator_reader().with_learned(store.learned_synonyms())
    store.set_indicator_catalogue(
        [IndicatorRow(i.code, i.name, i.english, i.family, i.variants, i.aliases) for i in reader.catalogue.indicators]
    )
    store.set_fact_indicators(
        {f.id: code for f in store.uncoded_facts() if (code := reader.code(f.metric, f.kind, f.unit))}
    )
    return reader


def ingest_paths(
    store: Store, paths: list[Path], extractor: Extractor, meta: PageMeta | None = None
) -> Iterator[tuple[Path, IngestResult | InputError]]:
    """Ingest each file in its own transaction; a bad file is reported and the rest go on.

    `meta` (the ingest options) fills or overrides each file's own front matter."""
    reader = store_indicators(store)
    for path in paths:
        try:
            source = read_source(path)
        except InputError as exc:
            yield path, exc
            continue
        if meta is not None:
            source = replace(source, meta=source.meta.merged(meta))
        yield path, ingest_source(store, source, extractor, reader)

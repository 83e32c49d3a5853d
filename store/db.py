"""The Store: every SQL statement of the project, behind methods that say what they do."""

from __future__ import annotations

import functools
import inspect
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from . import schema
from .deliveries import DeliveryStore
from .errors import CorruptStoreError, NotAStoreError, StoreError, StoreLockedError
from .review import ReviewStore

_FACT_FIELDS = (
    "zone", "entity", "metric", "value", "unit", "qualifier", "period", "kind", "quote", "value_text",
    "start", "end", "quote_start", "quote_end", "confidence", "extractor_version", "indicator",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class NewDocument:
    name: str
    path: str
    sha256: str
    encoding: str
    chars: int
    text: str | None = None
    extractor_version: str | None = None  # what extracted its candidates
    url: str | None = None  # the page's metadata (front matter or ingest options)
    publisher: str | None = None
    published: str | None = None  # ISO date: anchors 今年, 去年, 上半年 …
    meta_zone: str | None = None  # the zone the metadata names


@dataclass(frozen=True, slots=True)
class NewArticle:
    idx: int
    title: str
    byline: str | None
    zone: str | None
    start: int
    body_start: int
    end: int
    zone_source: str | None = None  # headline, dateline, source line, menu, body, english, metadata
    zone_confidence: float | None = None


@dataclass(frozen=True, slots=True)
class NewFact:
    """A candidate as the extractor hands it over (store/ does not import annotate/)."""

    article_idx: int
    article: str
    zone: str | None
    entity: str | None
    metric: str
    value: float
    unit: str
    qualifier: str
    period: str | None
    kind: str
    quote: str
    value_text: str
    start: int
    end: int
    quote_start: int
    quote_end: int
    confidence: float
    extractor_version: str
    context: str = ""
    indicator: str | None = None  # code of config/indicators.toml, where one fits
    zone_inherited: bool | None = None  # the zone is the article's (no zone named for it in its sentence)


@dataclass(frozen=True, slots=True)
class Fact:
    id: int
    doc: str
    article: str | None
    zone: str | None
    entity: str | None
    metric: str
    value: float
    unit: str
    qualifier: str
    period: str | None
    kind: str
    status: str
    source: str
    quote: str
    value_text: str
    start: int
    end: int
    confidence: float | None
    updated_at: str
    context: str | None = None
    indicator: str | None = None
    zone_inherited: bool | None = None  # the zone is the article's: an article zone correction re-zones it


@dataclass(frozen=True, slots=True)
class MetricKey:
    """One (zone, metric, entity) combination the store can answer about, and how many facts it has."""

    zone: str
    metric: str
    entity: str | None
    facts: int


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """One indicator of the catalogue as the store keeps it (table `indicators`)."""

    code: str
    name: str
    english: str
    family: str
    variants: tuple[str, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UncodedFact:
    """A fact with no indicator yet: what reading one needs."""

    id: int
    metric: str
    kind: str
    unit: str


@dataclass(frozen=True, slots=True)
class IngestResult:
    name: str
    outcome: str  # "new", "updated", "unchanged"
    added: int = 0
    superseded: int = 0
    kept: int = 0  # verified and rejected facts left as they were


@dataclass(frozen=True, slots=True)
class Counts:
    documents: int
    articles: int
    candidate: int
    verified: int
    rejected: int


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Store(ReviewStore, DeliveryStore):
    """A gaoxin SQLite database (WAL mode, migrated on open)."""

    def __init__(self, db: Database, path: Path | None) -> None:
        self.db = db
        self.path = path
        # One connection serves every thread of a process (the bot's request thread and its delivery threads):
        # writes take turns, or one thread's BEGIN would land inside another's transaction.
        self._write_lock = threading.RLock()

    @classmethod
    def open(cls, path: Path | str, *, create: bool = True, timeout: float = 5.0) -> Store:
        """Open (and migrate) a store; refuse a file that is not one, or is locked by another writer."""
        path = Path(path)
        if not path.exists():
            if not create:
                raise StoreError(f"{path}: no such database (run `gaoxin ingest` first)")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{path}: cannot create the folder {path.parent} ({exc.strerror})") from exc
        elif path.is_dir():
            raise NotAStoreError(f"{path}: is a directory, not a database")
        else:
            _check_length(path)
        try:
            conn = sqlite3.connect(str(path), timeout=timeout, check_same_thread=False)
            db = Database(conn)
            tables = set(db.table_names())
            if tables and "_sqlite_migrations" not in tables:
                raise NotAStoreError(
                    f"{path}: is a SQLite database but not a gaoxin store (tables: {', '.join(sorted(tables)[:5])})"
                )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            schema.apply(db)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            raise _translate(path, exc) from exc
        return cls(db, path)

    @classmethod
    def memory(cls) -> Store:
        db = Database(memory=True)
        schema.apply(db)
        return cls(db, None)

    def close(self) -> None:
        self.db.close()

    def check(self) -> None:
        """CorruptStoreError unless SQLite's quick_check finds the file sound (it reads every page once)."""
        rows = self.db.execute("PRAGMA quick_check(5)").fetchall()
        if [r[0] for r in rows] != ["ok"]:
            problems = "; ".join(" ".join(str(r[0]).split()) for r in rows)[:300]
            raise CorruptStoreError(
                f"{self.path or 'store'}: the database file is damaged ({problems}); restore it or rebuild it"
            )

    @contextmanager
    def _write(self) -> Iterator[Database]:
        """One write transaction; BEGIN IMMEDIATE so a second writer waits for the lock (up to the timeout)."""
        conn = self.db.conn
        with self._write_lock:
            try:
                if conn.in_transaction:
                    with self.db.atomic():
                        yield self.db
                    return
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.db
                except BaseException:
                    conn.rollback()
                    raise
                conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                if conn.in_transaction:
                    conn.rollback()
                raise _translate(self.path, exc) from exc

    # ── documents ────────────────────────────────────────────────────────────────────────────
    def document_sha256(self, name: str) -> str | None:
        row = self.db.execute("SELECT sha256 FROM documents WHERE name = ?", [name]).fetchone()
        return row[0] if row else None

    def document_urls(self, names: Iterable[str]) -> dict[str, str]:
        """The address of each named document whose metadata gives one (a reply links its sources with them)."""
        wanted = sorted(set(names))
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        rows = self.db.execute(
            f"SELECT name, url FROM documents WHERE url IS NOT NULL AND url != '' AND name IN ({marks})", wanted
        )
        return {name: url for name, url in rows}

    def document_unchanged(self, doc: NewDocument) -> bool:
        """Whether the store holds this content with this metadata, read by this extractor: then ingesting it
        again changes nothing."""
        row = self.db.execute(
            "SELECT sha256, extractor_version, url, publisher, published, meta_zone FROM documents WHERE name = ?",
            [doc.name],
        ).fetchone()
        return row is not None and tuple(row) == (
            doc.sha256, doc.extractor_version, doc.url, doc.publisher, doc.published, doc.meta_zone
        )  # fmt: skip

    def ingest_document(
        self, doc: NewDocument, articles: Iterable[NewArticle], candidates: Iterable[NewFact]
    ) -> IngestResult:
        """Store a document, its articles and candidates in one transaction.

        The same content read by the same extractor again changes nothing. Changed content (or a new
        extractor) replaces the articles and the machine candidates; verified and rejected facts are
        never touched, and a new candidate at the span of such a fact is not added twice.
        """
        if self.document_unchanged(doc):
            return IngestResult(doc.name, "unchanged")
        now = _now()
        articles = list(articles)
        with self._write() as db:
            row = db.execute("SELECT id FROM documents WHERE name = ?", [doc.name]).fetchone()
            if row:
                doc_id = row[0]
                db["documents"].update(doc_id, {**asdict(doc), "updated_at": now})
                outcome = "updated"
            else:
                doc_id = db["documents"].insert({**asdict(doc), "ingested_at": now, "updated_at": now}).last_pk
                outcome = "new"
            db.execute("DELETE FROM articles WHERE document_id = ?", [doc_id])
            db["articles"].insert_all({**asdict(a), "document_id": doc_id} for a in articles)
            # An annotator's zone for an article outlives a new reading of it: its inherited facts keep that zone.
            corrected = self._article_corrections(doc_id)
            # Several candidates may share a span (增速均超过30% gives one per subject): each key keeps them all.
            old: dict[tuple, list[tuple[int, str]]] = {}
            for r in db.execute(
                """SELECT id, start, "end", value, unit, metric FROM facts
                   WHERE document_id = ? AND status = 'candidate' AND source = 'extractor' ORDER BY id""",
                [doc_id],
            ).fetchall():
                old.setdefault((r[1], r[2], r[3], r[4]), []).append((r[0], r[5]))
            reviewed = {
                tuple(r)
                for r in db.execute(
                    """SELECT start, "end", value, unit FROM facts WHERE document_id = ? AND status != 'candidate'""",
                    [doc_id],
                ).fetchall()
            }
            added = 0
            for fact in candidates:
                key = (fact.start, fact.end, fact.value, fact.unit)
                if key in reviewed:
                    continue  # a person has decided on this one
                fields = {
                    **asdict(fact),
                    "updated_at": now,
                    "original": json.dumps(_fields(asdict(fact)), ensure_ascii=False),
                }
                fix = corrected.get(fact.article_idx) if fact.zone_inherited else None
                if fix is not None:
                    fields["zone"] = fix.zone
                if old.get(key):  # same candidate as before: keep its id (Label Studio refers to it)
                    same = old[key]
                    at = next((i for i, (_, metric) in enumerate(same) if metric == fact.metric), 0)
                    db["facts"].update(same.pop(at)[0], fields)
                    continue
                fact_id = (
                    db["facts"]
                    .insert(
                        {
                            **fields,
                            "document_id": doc_id,
                            "status": "candidate",
                            "source": "extractor",
                            "created_at": now,
                        }
                    )
                    .last_pk
                )
                self._history(fact_id, "extractor", "extracted", None, _fields(asdict(fact)), now)
                if fix is not None and fix.zone != fact.zone:
                    self._history(fact_id, fix.actor, "corrected", {"zone": fact.zone}, {"zone": fix.zone}, now)
                added += 1
            stale = [fact_id for same in old.values() for fact_id, _ in same]
            if stale:  # candidates the new text no longer yields; nobody reviewed them
                marks = ", ".join("?" * len(stale))
                db.execute(f"DELETE FROM fact_history WHERE fact_id IN ({marks})", stale)
                db.execute(f"DELETE FROM facts WHERE id IN ({marks})", stale)
        return IngestResult(doc.name, outcome, added=added, superseded=len(stale), kept=len(reviewed))

    def add_documents_bulk(
        self,
        documents: Iterable[tuple[NewDocument, Sequence[NewArticle], Iterable[tuple[NewFact, str]]]],
        *,
        source: str = "synthetic",
    ) -> int:
        """Add new documents with their articles and (fact, status) pairs in one transaction; return the facts added.

        For generated stores (the benchmark's million facts): one executemany per document, no
        per-fact history and no comparison with earlier versions of a document (a name already in
        the store fails). The full-text index is filled by one statement and the revision bumped
        once, instead of a trigger per row; both triggers are back in place when this returns.
        """
        now = _now()
        added = 0

        def fact_rows(doc_id: int, facts: Iterable[tuple[NewFact, str]]) -> Iterator[tuple]:
            nonlocal added
            for f, status in facts:
                added += 1
                yield (
                    doc_id, f.article_idx, f.article, f.zone, f.entity, f.metric, f.value, f.unit, f.qualifier,
                    f.period, f.kind, f.quote, f.value_text, f.start, f.end, f.quote_start, f.quote_end,
                    f.confidence, f.extractor_version, status, source, now, now, f.context or None,
                )  # fmt: skip

        with self._write() as db:
            conn = db.conn
            per_row = dict(
                conn.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'facts' "
                    "AND name IN ('facts_ai', 'facts_revision_insert')"
                ).fetchall()
            )
            for name in per_row:
                conn.execute(f'DROP TRIGGER "{name}"')
            first_new = conn.execute("SELECT coalesce(max(id), 0) FROM facts").fetchone()[0]
            for doc, articles, facts in documents:
                doc_id = conn.execute(
                    """INSERT INTO documents (name, path, sha256, encoding, chars, ingested_at, updated_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    [doc.name, doc.path, doc.sha256, doc.encoding, doc.chars, now, now],
                ).lastrowid
                conn.executemany(
                    """INSERT INTO articles (document_id, idx, title, byline, zone, start, body_start, "end")
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                    [(doc_id, a.idx, a.title, a.byline, a.zone, a.start, a.body_start, a.end) for a in articles],
                )
                conn.executemany(
                    """INSERT INTO facts (document_id, article_idx, article, zone, entity, metric, value, unit,
                           qualifier, period, kind, quote, value_text, start, "end", quote_start, quote_end,
                           confidence, extractor_version, status, source, created_at, updated_at, context)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    fact_rows(doc_id, facts),
                )
            if "facts_ai" in per_row:
                conn.execute(
                    "INSERT INTO facts_fts (rowid, metric, quote) SELECT id, metric, quote FROM facts WHERE id > ?",
                    [first_new],
                )
            conn.execute("UPDATE store_meta SET value = value + 1 WHERE key = 'revision'")
            for sql in per_row.values():
                conn.execute(sql)
        return added

    def _history(self, fact_id: int, actor: str, action: str, before: dict | None, after: dict | None, at: str) -> None:
        self.db["fact_history"].insert(
            {
                "fact_id": fact_id,
                "at": at,
                "actor": actor,
                "action": action,
                "before": json.dumps(before, ensure_ascii=False) if before is not None else None,
                "after": json.dumps(after, ensure_ascii=False) if after is not None else None,
            }
        )

    # ── reading ──────────────────────────────────────────────────────────────────────────────
    def facts(
        self,
        *,
        zone: str | None = None,
        metric: str | None = None,
        doc: str | None = None,
        statuses: tuple[str, ...] = ("candidate", "verified", "rejected"),
    ) -> list[Fact]:
        """Facts, optionally filtered by zone (substring), metric (substring) or document name."""
        where = [f"f.status IN ({', '.join('?' * len(statuses))})"]
        params: list[object] = list(statuses)
        if zone:
            where.append("f.zone LIKE ?")
            params.append(f"%{zone}%")
        if metric:
            where.append("f.metric LIKE ?")
            params.append(f"%{metric}%")
        if doc:
            where.append("d.name = ?")
            params.append(doc)
        sql = f"""{_FACT_SELECT} WHERE {" AND ".join(where)} ORDER BY d.name, f.start"""
        return [Fact(*row) for row in self.db.execute(sql, params).fetchall()]

    def search(self, text: str, limit: int = 20) -> list[Fact]:
        """Full-text search over metric names and quotes (three characters or more)."""
        ids = [
            r[0]
            for r in self.db.execute(
                "SELECT rowid FROM facts_fts WHERE facts_fts MATCH ? ORDER BY rank LIMIT ?", [_fts_phrase(text), limit]
            ).fetchall()
        ]
        by_id = {f.id: f for f in self.facts() if f.id in set(ids)}
        return [by_id[i] for i in ids if i in by_id]

    def revision(self) -> int:
        """Bumped by every change to facts; cheap enough to check before each answer."""
        return self.db.execute("SELECT value FROM store_meta WHERE key = 'revision'").fetchone()[0]

    def metric_keys(self, statuses: tuple[str, ...] = ("candidate", "verified")) -> Iterator[MetricKey]:
        """Every distinct (zone, metric, entity) among facts of the given statuses."""
        marks = ", ".join("?" * len(statuses))
        cursor = self.db.execute(
            f"""SELECT zone, metric, entity, count(*) FROM facts WHERE status IN ({marks}) AND zone IS NOT NULL
                GROUP BY zone, metric, entity""",
            list(statuses),
        )
        for zone, metric, entity, n in cursor:
            yield MetricKey(zone, metric, entity, n)

    def facts_for_keys(
        self, keys: Iterable[tuple[str, str]], statuses: tuple[str, ...] = ("candidate", "verified")
    ) -> list[Fact]:
        """The facts of some (zone, metric) pairs, of the given statuses."""
        out: list[Fact] = []
        marks = ", ".join("?" * len(statuses))
        for zone, metric in dict.fromkeys(keys):
            out += [
                Fact(*row)
                for row in self.db.execute(
                    f"""{_FACT_SELECT} WHERE f.zone = ? AND f.metric = ? AND f.status IN ({marks})""",
                    [zone, metric, *statuses],
                ).fetchall()
            ]
        return out

    def top_fact_ids_by_metric(
        self, statuses: tuple[str, ...] = ("candidate", "verified"), per_metric: int = 40
    ) -> Iterator[tuple[str, int]]:
        """(metric, fact id): for each metric, its zones' largest values (one fact per zone, a zone's own figure
        before its companies'), the `per_metric` largest first."""
        marks = ", ".join("?" * len(statuses))
        cursor = self.db.execute(
            f"""SELECT metric, id FROM (
                    SELECT metric, id, row_number() OVER (PARTITION BY metric ORDER BY value DESC, id) AS r FROM (
                        SELECT metric, id, value, row_number() OVER (
                            PARTITION BY metric, zone ORDER BY entity IS NOT NULL, value DESC, id) AS k
                        FROM facts WHERE status IN ({marks}) AND zone IS NOT NULL)
                    WHERE k = 1)
                WHERE r <= ? ORDER BY metric, r""",
            [*statuses, per_metric],
        )
        yield from cursor

    def facts_by_ids(self, ids: Iterable[int]) -> list[Fact]:
        """Facts by id, in the order asked (ids not found are left out)."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            return []
        rows = self.db.execute(f"{_FACT_SELECT} WHERE f.id IN ({', '.join('?' * len(ids))})", ids).fetchall()
        by_id = {row[0]: Fact(*row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    # ── ask-back: the options a chat was offered ────────────────────────────────────────────────
    def offer_choices(self, chat: str, choices: Sequence[tuple[int, float]], ttl: float, keep: int = 4096) -> None:
        """Keep a chat's numbered options ([fact id, score], in order) for `ttl` seconds, replacing earlier ones;
        expired rows go, and at most `keep` chats are kept (the ones expiring first dropped)."""
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO chat_choices (chat, choices, expires_at) VALUES (?, ?, ?)",
                [chat, json.dumps([[i, round(s, 3)] for i, s in choices]), now + ttl],
            )
            db.execute("DELETE FROM chat_choices WHERE expires_at <= ?", [now])
            db.execute(
                "DELETE FROM chat_choices WHERE chat IN "
                "(SELECT chat FROM chat_choices ORDER BY expires_at DESC LIMIT -1 OFFSET ?)",
                [keep],
            )

    def has_choices(self, chat: str) -> bool:
        """Whether a chat has options pending (a read: no write lock is taken to find out)."""
        return self.db.execute("SELECT 1 FROM chat_choices WHERE chat = ?", [chat]).fetchone() is not None

    def take_choices(self, chat: str) -> list[tuple[int, float]]:
        """A chat's pending options, removed (so each is picked once); [] when none or expired."""
        with self._write() as db:
            row = db.execute("SELECT choices, expires_at FROM chat_choices WHERE chat = ?", [chat]).fetchone()
            if row is None:
                return []
            db.execute("DELETE FROM chat_choices WHERE chat = ?", [chat])
        if row[1] <= time.time():
            return []
        return [(int(i), float(s)) for i, s in json.loads(row[0])]

    def facts_for_zone(
        self, zone: str, statuses: tuple[str, ...] = ("candidate", "verified"), limit: int = 5000
    ) -> list[Fact]:
        marks = ", ".join("?" * len(statuses))
        rows = self.db.execute(
            f"{_FACT_SELECT} WHERE f.zone = ? AND f.status IN ({marks}) LIMIT ?", [zone, *statuses, limit]
        ).fetchall()
        return [Fact(*row) for row in rows]

    def history(self, fact_id: int) -> list[dict]:
        return list(self.db["fact_history"].rows_where("fact_id = ?", [fact_id], order_by="id"))

    # ── indicators ───────────────────────────────────────────────────────────────────────────
    def indicator_catalogue(self) -> list[IndicatorRow]:
        rows = self.db.execute(
            "SELECT code, name, english, family, variants, aliases FROM indicators ORDER BY rowid"
        ).fetchall()
        return [IndicatorRow(*r[:4], tuple(json.loads(r[4])), tuple(json.loads(r[5]))) for r in rows]

    def set_indicator_catalogue(self, rows: Sequence[IndicatorRow]) -> bool:
        """Replace the table `indicators` with the catalogue, if it differs; True when it did."""
        rows = list(rows)
        if self.indicator_catalogue() == rows:
            return False
        with self._write() as db:
            db.execute("DELETE FROM indicators")
            db.conn.executemany(
                "INSERT INTO indicators (code, name, english, family, variants, aliases) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (r.code, r.name, r.english, r.family, json.dumps(list(r.variants)),
                     json.dumps(list(r.aliases), ensure_ascii=False))
                    for r in rows
                ],
            )  # fmt: skip
        return True

    def uncoded_facts(self) -> list[UncodedFact]:
        """Facts (not rejected) without an indicator: stored before the catalogue, or none fitted then."""
        rows = self.db.execute(
            "SELECT id, metric, kind, unit FROM facts WHERE indicator IS NULL AND status != 'rejected'"
        ).fetchall()
        return [UncodedFact(*r) for r in rows]

    def set_fact_indicators(self, codes: dict[int, str]) -> int:
        """Give facts their indicator codes (fact id → code); the number changed."""
        if not codes:
            return 0
        with self._write() as db:
            # the machine's reading: kept in `original` too, where a revert of an annotator's indicator finds it
            return db.conn.executemany(
                """UPDATE facts SET indicator = ?,
                       original = CASE WHEN json_valid(original) THEN json_set(original, '$.indicator', ?) END
                   WHERE id = ? AND indicator IS NOT ?""",
                [(code, code, fact_id, code) for fact_id, code in codes.items()],
            ).rowcount

    def facts_for_indicator(
        self, code: str, statuses: tuple[str, ...] = ("candidate", "verified"), per_zone: int = 20
    ) -> list[Fact]:
        """The facts of one indicator in every zone (at most `per_zone` a zone, verified first): a comparison's pool."""
        marks = ", ".join("?" * len(statuses))
        ids = [
            r[0]
            for r in self.db.execute(
                f"""SELECT id FROM (
                        SELECT id, row_number() OVER (
                            PARTITION BY zone ORDER BY status != 'verified', id) AS k
                        FROM facts WHERE indicator = ? AND status IN ({marks}) AND zone IS NOT NULL)
                    WHERE k <= ? ORDER BY id""",
                [code, *statuses, per_zone],
            ).fetchall()
        ]
        return self.facts_by_ids(ids)

    def counts(self) -> Counts:
        status = dict(self.db.execute("SELECT status, count(*) FROM facts GROUP BY status").fetchall())
        return Counts(
            documents=self.db["documents"].count,
            articles=self.db["articles"].count,
            candidate=status.get("candidate", 0),
            verified=status.get("verified", 0),
            rejected=status.get("rejected", 0),
        )

    def articles(self, doc: str) -> list[NewArticle]:
        rows = self.db.execute(
            """SELECT a.idx, a.title, a.byline, a.zone, a.start, a.body_start, a."end"
               FROM articles a JOIN documents d ON d.id = a.document_id WHERE d.name = ? ORDER BY a.idx""",
            [doc],
        ).fetchall()
        return [NewArticle(*r) for r in rows]


_FACT_SELECT = """
    SELECT f.id, d.name, f.article, f.zone, f.entity, f.metric, f.value, f.unit, f.qualifier, f.period,
           f.kind, f.status, f.source, f.quote, f.value_text, f.start, f."end", f.confidence, f.updated_at,
           f.context, f.indicator, f.zone_inherited
    FROM facts f JOIN documents d ON d.id = f.document_id"""


def _fields(d: dict) -> dict:
    return {k: d[k] for k in _FACT_FIELDS if k in d}


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _translate(path: Path | None, exc: sqlite3.DatabaseError | UnicodeDecodeError) -> StoreError:
    msg = str(exc)
    where = str(path) if path else "store"
    if isinstance(exc, UnicodeDecodeError) or "malformed" in msg:  # a file overwritten, truncated or scrambled
        why = "text that is not UTF-8" if isinstance(exc, UnicodeDecodeError) else msg
        return CorruptStoreError(f"{where}: the database file is damaged ({why}); restore it or rebuild it")
    if "locked" in msg or "busy" in msg:
        return StoreLockedError(f"{where}: database is locked by another process; try again when it is done")
    if "not a database" in msg or "file is encrypted" in msg:
        return NotAStoreError(f"{where}: not a SQLite database")
    return StoreError(f"{where}: {msg}")


def _check_length(path: Path) -> None:
    """CorruptStoreError when the file is shorter than its header says (truncated): SQLite would read it as empty.

    Only with no WAL beside it: a checkpoint writes page 1 (the new length) before the pages that extend the file."""
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return
    try:
        with open(path, "rb") as f:
            header = f.read(100)
            size = os.fstat(f.fileno()).st_size
    except OSError:
        return  # Store.open's own connect reports what is wrong
    if len(header) < 100 or not header.startswith(b"SQLite format 3\0"):
        return  # not SQLite: connect says so
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if (
        header[24:28] == header[92:96] and pages and size < pages * page_size
    ):  # the count is valid (sqlite.org/fileformat)
        raise CorruptStoreError(
            f"{path}: the database file is damaged (truncated: {size:,} of {pages * page_size:,} bytes); "
            "restore it or rebuild it"
        )


def _translating(fn):
    """`fn` with SQLite's errors (a file damaged while in use, a lock) raised as StoreError, as `_write` does."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(self, *args, **kwargs):
            try:
                yield from fn(self, *args, **kwargs)
            except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
                raise _translate(self.path, exc) from exc

        return generator

    @functools.wraps(fn)
    def method(self, *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            raise _translate(self.path, exc) from exc

    return method


# Every public method, reads included: callers (the app's 503, the CLI's one line) catch StoreError only.
for _cls in (Store, ReviewStore, DeliveryStore):
    for _name, _fn in list(vars(_cls).items()):
        if not _name.startswith("_") and inspect.isfunction(_fn) and _name != "close":
            setattr(_cls, _name, _translating(_fn))

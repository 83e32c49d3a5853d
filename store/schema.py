"""The store's schema, as migrations (sqlite-utils Migrations): the only place tables are created."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

MIGRATION_SET = "gaoxin"
migrations = Migrations(MIGRATION_SET)

STATUSES = ("candidate", "verified", "rejected")
QUALIFIERS = ("exact", "more_than", "about", "at_least", "less_than")
KINDS = ("level", "growth", "share", "rank", "target", "other")


@migrations()
def m001_documents_articles_facts(db: Database) -> None:
    db["documents"].create(
        {
            "id": int,
            "name": str,  # file name: the `doc` of every fact
            "path": str,  # as given when ingested
            "sha256": str,
            "encoding": str,
            "chars": int,
            "ingested_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"name", "path", "sha256"},
    )
    db["documents"].create_index(["name"], unique=True)
    db["articles"].create(
        {
            "id": int,
            "document_id": int,
            "idx": int,  # position in the file, from 0
            "title": str,
            "byline": str,
            "zone": str,
            "start": int,  # code-point offsets into the file: headline start
            "body_start": int,
            "end": int,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        not_null={"document_id", "idx", "title", "start", "end"},
    )
    db["articles"].create_index(["document_id", "idx"], unique=True)
    db.execute(
        f"""
        CREATE TABLE facts (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            article_idx INTEGER,
            article TEXT,
            zone TEXT,
            entity TEXT,
            metric TEXT NOT NULL,
            value REAL NOT NULL,
            unit TEXT NOT NULL,
            qualifier TEXT NOT NULL CHECK (qualifier IN {QUALIFIERS!r}),
            period TEXT,
            kind TEXT NOT NULL CHECK (kind IN {KINDS!r}),
            quote TEXT NOT NULL,
            value_text TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            quote_start INTEGER,
            quote_end INTEGER,
            confidence REAL,
            extractor_version TEXT,
            status TEXT NOT NULL DEFAULT 'candidate' CHECK (status IN {STATUSES!r}),
            source TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db["facts"].create_index(["document_id", "start", "end"])
    db["facts"].create_index(["zone"])
    db["facts"].create_index(["status"])
    db["fact_history"].create(
        {
            "id": int,
            "fact_id": int,
            "at": str,
            "actor": str,  # "extractor", "annotator:<email>", "ingest"
            "action": str,  # extracted, superseded, verified, rejected, corrected, added, reverted
            "before": str,  # JSON of the changed fields, or null
            "after": str,
        },
        pk="id",
        foreign_keys=[("fact_id", "facts", "id")],
        not_null={"fact_id", "at", "actor", "action"},
    )
    db["fact_history"].create_index(["fact_id"])
    # What the bot may answer from: never a rejected fact; verified before candidates.
    db.execute(
        """
        CREATE VIEW answerable_facts AS
        SELECT f.id, f.zone, f.entity, f.metric, f.value, f.unit, f.qualifier, f.period, f.kind,
               f.status, f.quote, f.value_text, d.name AS doc, f.article, f.confidence, f.source,
               f.start, f."end", f.updated_at
        FROM facts f JOIN documents d ON d.id = f.document_id
        WHERE f.status IN ('verified', 'candidate')
        ORDER BY CASE f.status WHEN 'verified' THEN 0 ELSE 1 END, f.zone, f.metric
        """
    )
    # Full-text search over metric names and quotes; trigram tokens work for Chinese without a segmenter.
    db["facts"].enable_fts(["metric", "quote"], create_triggers=True, tokenize="trigram")


@migrations()
def m002_revision(db: Database) -> None:
    """A counter every change to facts bumps, so readers (the bot's index) know when to reload."""
    db.execute("CREATE TABLE store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    db.execute("INSERT INTO store_meta (key, value) VALUES ('revision', 0)")
    for event in ("INSERT", "UPDATE", "DELETE"):
        db.execute(
            f"""CREATE TRIGGER facts_revision_{event.lower()} AFTER {event} ON facts
                BEGIN UPDATE store_meta SET value = value + 1 WHERE key = 'revision'; END"""
        )
    db["facts"].create_index(["zone", "metric"])
    db["facts"].create_index(["metric"])


@migrations()
def m003_fact_context(db: Database) -> None:
    """The sentence around a fact (and the one before), which questions may refer to."""
    db.execute("ALTER TABLE facts ADD COLUMN context TEXT")


@migrations()
def m004_annotation_loop(db: Database) -> None:
    """Label Studio tasks and annotations, every annotation's decisions, and the words annotators taught."""
    db.execute("ALTER TABLE documents ADD COLUMN text TEXT")  # tasks are cut from it
    db.execute("ALTER TABLE facts ADD COLUMN original TEXT")  # the extractor's fields, JSON: what a revert restores
    db.execute(
        """CREATE TABLE ls_tasks (
            task_id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            passage_start INTEGER NOT NULL, passage_end INTEGER NOT NULL,
            fact_ids TEXT NOT NULL, prediction_hash TEXT, pushed_at TEXT,
            UNIQUE (project_id, document_id, passage_start, passage_end))"""
    )
    db.execute(
        """CREATE TABLE ls_annotations (
            annotation_id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL, annotator TEXT,
            updated_at TEXT, result_hash TEXT, deleted INTEGER NOT NULL DEFAULT 0, received_at TEXT)"""
    )
    db.execute(
        """CREATE TABLE fact_reviews (
            annotation_id INTEGER NOT NULL, fact_id INTEGER NOT NULL REFERENCES facts(id),
            decision TEXT NOT NULL CHECK (decision IN ('verified', 'corrected', 'rejected', 'added')),
            fields TEXT, at TEXT, PRIMARY KEY (annotation_id, fact_id))"""
    )
    db.execute("CREATE INDEX fact_reviews_fact ON fact_reviews (fact_id)")
    db.execute(
        "CREATE TABLE learned_synonyms (term TEXT PRIMARY KEY, canonical TEXT NOT NULL, fact_id INTEGER, at TEXT)"
    )
    db.execute("CREATE TABLE review_refusals (annotation_id INTEGER, task_id INTEGER, reason TEXT, at TEXT)")


@migrations()
def m005_deliveries(db: Database) -> None:
    """Chat platforms' message and event ids already answered: a retried or replayed delivery gets no second answer."""
    db.execute(
        """CREATE TABLE deliveries (
            platform TEXT NOT NULL, delivery_id TEXT NOT NULL, received_at REAL NOT NULL,
            PRIMARY KEY (platform, delivery_id))"""
    )
    db.execute("CREATE INDEX deliveries_received ON deliveries (received_at)")


@migrations()
def m006_document_extractor(db: Database) -> None:
    """Which extractor read a document: a better extractor re-reads unchanged files on the next ingest."""
    db.execute("ALTER TABLE documents ADD COLUMN extractor_version TEXT")


@migrations()
def m007_label_studio_times(db: Database) -> None:
    """Annotation times in one spelling: the latest submission is found by comparing them as text."""
    from .review import label_studio_time

    rows = db.execute("SELECT annotation_id, updated_at FROM ls_annotations WHERE updated_at IS NOT NULL").fetchall()
    for annotation_id, updated_at in rows:
        db.execute(
            "UPDATE ls_annotations SET updated_at = ? WHERE annotation_id = ?",
            [label_studio_time(updated_at), annotation_id],
        )


@migrations()
def m008_page_metadata(db: Database) -> None:
    """A page's metadata (front matter or `gaoxin ingest --url/--source/--published/--zone`), and where each
    article's zone was found (headline, dateline, source line, body, metadata) with a confidence."""
    for column in ("url", "publisher", "published", "meta_zone"):
        db.execute(f"ALTER TABLE documents ADD COLUMN {column} TEXT")
    db.execute("ALTER TABLE articles ADD COLUMN zone_source TEXT")
    db.execute("ALTER TABLE articles ADD COLUMN zone_confidence REAL")


@migrations()
def m009_indicator(db: Database) -> None:
    """Each fact's standard indicator (config/indicators.toml, null where none fits; the printed metric stays), the
    catalogue itself as a table (refilled from the config at ingest), and a view of the facts with an indicator."""
    db.execute("ALTER TABLE facts ADD COLUMN indicator TEXT")
    db.execute("CREATE INDEX facts_indicator ON facts (indicator, zone)")
    db.execute(
        """CREATE TABLE indicators (
            code TEXT PRIMARY KEY, name TEXT NOT NULL, english TEXT NOT NULL, family TEXT NOT NULL,
            variants TEXT NOT NULL, aliases TEXT NOT NULL)"""  # variants and aliases: JSON lists
    )
    db.execute(
        """
        CREATE VIEW indicator_facts AS
        SELECT f.indicator, i.name AS indicator_name, i.family, f.id, f.zone, f.entity, f.metric, f.value, f.unit,
               f.qualifier, f.period, f.kind, f.status, f.quote, d.name AS doc, f.article
        FROM facts f JOIN indicators i ON i.code = f.indicator JOIN documents d ON d.id = f.document_id
        WHERE f.status IN ('verified', 'candidate')
        """
    )


@migrations()
def m010_article_zone_corrections(db: Database) -> None:
    """Whether a fact's zone is its article's (inherited) or named by its own sentence, and the zone and date
    annotators gave an article in Label Studio (per annotation, like fact_reviews: the latest live one counts).

    Facts stored before this get `zone_inherited` from what they hold: the zone of their article, not written in
    their clause (ingest decides it from the gazetteer's mentions in the sentence from now on)."""
    db.execute("ALTER TABLE facts ADD COLUMN zone_inherited INTEGER")
    db.execute(
        """UPDATE facts SET zone_inherited = (
               SELECT (a.zone IS facts.zone) AND (facts.zone IS NULL OR instr(facts.quote, facts.zone) = 0)
               FROM articles a WHERE a.document_id = facts.document_id AND a.idx = facts.article_idx)
           WHERE source = 'extractor'"""
    )
    db.execute(
        """CREATE TABLE article_reviews (
            annotation_id INTEGER NOT NULL, document_id INTEGER NOT NULL REFERENCES documents(id),
            article_idx INTEGER NOT NULL, title TEXT, zone TEXT, published TEXT, at TEXT,
            PRIMARY KEY (annotation_id, document_id, article_idx))"""
    )
    db.execute("CREATE INDEX article_reviews_article ON article_reviews (document_id, article_idx)")


@migrations()
def m011_original_indicator(db: Database) -> None:
    """The extractor's indicator kept with its other fields (`original`), so that an annotator's indicator can be
    reverted like any other field. No annotator could set one before this: every stored code is the machine's."""
    db.execute(
        """UPDATE facts SET original = json_set(original, '$.indicator', indicator)
           WHERE original IS NOT NULL AND json_valid(original)"""
    )


@migrations()
def m012_chat_choices(db: Database) -> None:
    """The numbered options a chat was just offered (ask-back), shared by every worker of the bot: a reply "1" may
    reach another worker than the one that asked. [fact id, score] pairs as JSON; expires_at is Unix time."""
    db.execute("CREATE TABLE chat_choices (chat TEXT PRIMARY KEY, choices TEXT NOT NULL, expires_at REAL NOT NULL)")


def apply(db: Database) -> None:
    migrations.apply(db)

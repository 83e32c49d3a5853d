"""store/: schema on open, idempotent and review-preserving ingest, reading, and refusing what is not a store."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import replace

import pytest

from store import (
    Counts,
    NewArticle,
    NewDocument,
    NewFact,
    NotAStoreError,
    Store,
    StoreError,
    StoreLockedError,
)


# ── helpers: build what the extractor would hand over ───────────────────────────────────────
def doc(sha: str = "sha-1", name: str = "a.txt") -> NewDocument:
    return NewDocument(name=name, path=f"seeds/{name}", sha256=sha, encoding="utf-8", chars=500)


def articles() -> list[NewArticle]:
    return [
        NewArticle(0, "青岛高新区发展纪实", "▶ 本报记者", "青岛高新区", 0, 12, 250),
        NewArticle(1, "西安高新区的创新密码", None, "西安高新区", 250, 262, 500),
    ]


def fact(
    start: int,
    value: float,
    *,
    unit: str = "家",
    metric: str = "高新技术企业数量",
    zone: str | None = "青岛高新区",
    qualifier: str = "exact",
    quote: str | None = None,
) -> NewFact:
    value_text = f"{value:g}{unit}"
    quote = quote or f"{zone}{metric}{value_text}"
    return NewFact(
        article_idx=0,
        article="青岛高新区发展纪实",
        zone=zone,
        entity=None,
        metric=metric,
        value=value,
        unit=unit,
        qualifier=qualifier,
        period="2021",
        kind="level",
        quote=quote,
        value_text=value_text,
        start=start,
        end=start + len(value_text),
        quote_start=start - 5,
        quote_end=start + len(value_text),
        confidence=0.9,
        extractor_version="test-1",
    )


def dump(store: Store) -> list[str]:
    return list(store.db.conn.iterdump())


def fact_row(store: Store, fact_id: int) -> tuple:
    return store.db.execute("SELECT * FROM facts WHERE id = ?", [fact_id]).fetchone()


def fact_id_at(store: Store, start: int) -> int:
    (fact_id,) = store.db.execute("SELECT id FROM facts WHERE start = ?", [start]).fetchone()
    return fact_id


def set_status(store: Store, fact_id: int, status: str) -> None:
    """Stand-in for the annotation API, which does not exist yet."""
    with store.db.atomic():
        store.db.execute("UPDATE facts SET status = ?, updated_at = ? WHERE id = ?", [status, "2024-01-01", fact_id])


# ── schema ────────────────────────────────────────────────────────────────────────────────────
def test_open_creates_the_schema_in_wal_mode(tmp_path):
    path = tmp_path / "sub" / "gaoxin.db"
    Store.open(path).close()
    assert path.is_file()
    with closing(sqlite3.connect(path)) as conn:
        names = {name: kind for name, kind in conn.execute("SELECT name, type FROM sqlite_master")}
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    for table in ("documents", "articles", "facts", "fact_history", "facts_fts"):
        assert names.get(table) == "table", table
    assert names.get("answerable_facts") == "view"


def test_reopening_keeps_the_data(tmp_path):
    path = tmp_path / "gaoxin.db"
    store = Store.open(path)
    store.ingest_document(doc(), articles(), [fact(20, 394)])
    before = dump(store)
    store.close()
    store = Store.open(path)
    assert dump(store) == before
    store.close()


def test_open_without_create_refuses_a_missing_file(tmp_path):
    path = tmp_path / "nope" / "gaoxin.db"
    with pytest.raises(StoreError, match="no such database") as info:
        Store.open(path, create=False)
    assert str(path) in str(info.value)
    assert not path.parent.exists()


def test_open_under_a_file_is_a_store_error(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    path = tmp_path / "notes.txt" / "gaoxin.db"
    with pytest.raises(StoreError, match="cannot create the folder") as info:
        Store.open(path)
    assert str(path) in str(info.value)
    assert (tmp_path / "notes.txt").read_text() == "mine"


# ── ingesting ─────────────────────────────────────────────────────────────────────────────────
def test_ingest_new_document(store):
    result = store.ingest_document(doc(), articles(), [fact(20, 394), fact(40, 35)])
    assert (result.outcome, result.added, result.superseded, result.kept) == ("new", 2, 0, 0)
    assert store.document_sha256("a.txt") == "sha-1"
    assert store.articles("a.txt") == articles()
    assert [(f.start, f.value, f.status, f.source) for f in store.facts()] == [
        (20, 394, "candidate", "extractor"),
        (40, 35, "candidate", "extractor"),
    ]


def test_ingest_same_sha_again_is_unchanged_and_changes_no_row(store):
    store.ingest_document(doc(), articles(), [fact(20, 394), fact(40, 35)])
    before = dump(store)
    result = store.ingest_document(doc(), articles(), [fact(20, 394), fact(60, 7)])
    assert result.outcome == "unchanged"
    assert result.added == 0
    assert dump(store) == before


def test_a_new_extractor_rereads_an_unchanged_document(store):
    store.ingest_document(replace(doc(), extractor_version="x-1"), articles(), [fact(20, 100)])
    again = store.ingest_document(replace(doc(), extractor_version="x-1"), articles(), [fact(20, 100)])
    assert again.outcome == "unchanged"
    reread = store.ingest_document(
        replace(doc(), extractor_version="x-2"), articles(), [fact(20, 100, metric="高新技术企业总数")]
    )
    assert reread.outcome == "updated"
    assert [f.metric for f in store.facts()] == ["高新技术企业总数"]


def test_candidates_sharing_a_span_are_replaced_not_piled_up(store):
    """增速均超过30%: one span, one candidate per subject. Re-reading keeps each id and adds no copy."""
    shared = [fact(20, 30, unit="%", metric="企业入库增速"), fact(20, 30, unit="%", metric="营业收入增速")]
    store.ingest_document(replace(doc(), extractor_version="x-1"), articles(), shared)
    ids = {f.metric: f.id for f in store.facts()}
    store.ingest_document(replace(doc(), extractor_version="x-2"), articles(), list(reversed(shared)))
    store.ingest_document(replace(doc(), extractor_version="x-3"), articles(), shared)
    assert {f.metric: f.id for f in store.facts()} == ids


def test_every_new_candidate_gets_an_extracted_history_row(store):
    store.ingest_document(doc(), articles(), [fact(20, 394), fact(40, 35)])
    for f in store.facts():
        history = store.history(f.id)
        assert [h["action"] for h in history] == ["extracted"]
        assert history[0]["actor"] == "extractor"
        assert json.loads(history[0]["after"])["value"] == f.value


def test_changed_document_replaces_candidates_and_never_touches_reviewed_facts(store):
    first = store.ingest_document(
        doc("sha-1"),
        articles(),
        [fact(20, 394), fact(40, 35), fact(60, 12), fact(80, 7), fact(100, 3)],
    )
    assert first.added == 5
    kept_id, gone_id, verified_id, rejected_id, verified_gone_id = (fact_id_at(store, s) for s in (20, 40, 60, 80, 100))
    set_status(store, verified_id, "verified")
    set_status(store, rejected_id, "rejected")
    set_status(store, verified_gone_id, "verified")
    reviewed = {i: fact_row(store, i) for i in (verified_id, rejected_id, verified_gone_id)}
    reviewed_history = {i: store.history(i) for i in reviewed}

    result = store.ingest_document(
        doc("sha-2"),
        articles(),
        [
            fact(20, 394, metric="高新技术企业总数"),  # same span, value, unit: the same candidate
            fact(60, 12, metric="另一个名字"),  # at a verified fact's span: not added twice
            fact(80, 7),  # at a rejected fact's span
            fact(120, 5, unit="项"),  # new
        ],
    )

    assert (result.outcome, result.added, result.superseded, result.kept) == ("updated", 1, 1, 3)
    for fact_id, row in reviewed.items():
        assert fact_row(store, fact_id) == row
        assert store.history(fact_id) == reviewed_history[fact_id]
    assert fact_row(store, gone_id) is None
    assert store.history(gone_id) == []
    kept = fact_row(store, kept_id)
    assert kept is not None
    assert [f.metric for f in store.facts() if f.id == kept_id] == ["高新技术企业总数"]
    by_start: dict[int, list[str]] = {}
    for f in store.facts():
        by_start.setdefault(f.start, []).append(f.status)
    assert by_start == {
        20: ["candidate"],
        60: ["verified"],
        80: ["rejected"],
        100: ["verified"],
        120: ["candidate"],
    }
    new_id = fact_id_at(store, 120)
    assert [h["action"] for h in store.history(new_id)] == ["extracted"]
    assert [h["action"] for h in store.history(kept_id)] == ["extracted"]
    assert store.document_sha256("a.txt") == "sha-2"
    assert store.counts() == Counts(documents=1, articles=2, candidate=2, verified=2, rejected=1)


def test_a_candidate_whose_value_changed_is_a_new_candidate(store):
    store.ingest_document(doc("sha-1"), articles(), [fact(20, 394)])
    old_id = fact_id_at(store, 20)
    result = store.ingest_document(doc("sha-2"), articles(), [fact(20, 395)])
    assert (result.added, result.superseded) == (1, 1)
    assert fact_row(store, old_id) is None
    assert [f.value for f in store.facts()] == [395]


def test_a_failing_transaction_leaves_the_store_as_it_was(store):
    before = dump(store)
    with pytest.raises(StoreError, match="CHECK constraint"):
        store.ingest_document(doc(), articles(), [fact(20, 394), fact(40, 35, qualifier="roughly")])
    assert dump(store) == before
    assert store.counts() == Counts(0, 0, 0, 0, 0)
    assert store.document_sha256("a.txt") is None
    # and the store still works afterwards
    assert store.ingest_document(doc(), articles(), [fact(20, 394)]).outcome == "new"


def test_a_failing_update_keeps_the_previous_version(store):
    store.ingest_document(doc("sha-1"), articles(), [fact(20, 394), fact(40, 35)])
    before = dump(store)
    with pytest.raises(StoreError):
        store.ingest_document(doc("sha-2"), articles(), [fact(60, 1), fact(80, 2, qualifier="roughly")])
    assert dump(store) == before
    assert store.document_sha256("a.txt") == "sha-1"


# ── reading ───────────────────────────────────────────────────────────────────────────────────
def test_answerable_facts_excludes_rejected_and_lists_verified_first(store):
    store.ingest_document(
        doc(),
        articles(),
        [
            fact(20, 1, zone="西安高新区"),
            fact(40, 2, zone="西安高新区"),
            fact(60, 3, zone="青岛高新区"),  # sorts after 西安 by zone
            fact(80, 4, zone="青岛高新区"),
        ],
    )
    verified, rejected = fact_id_at(store, 60), fact_id_at(store, 20)
    set_status(store, verified, "verified")
    set_status(store, rejected, "rejected")
    rows = store.db.execute("SELECT id, status FROM answerable_facts").fetchall()
    assert rows[0] == (verified, "verified")
    assert [s for _, s in rows[1:]] == ["candidate", "candidate"]
    assert rejected not in {i for i, _ in rows}


def test_search_finds_a_fact_by_a_chinese_substring(store):
    store.ingest_document(
        doc(),
        articles(),
        [
            fact(
                20, 394, metric="行政权力事项委托赋权数量", quote="青岛高新区承接行政权力事项委托赋权394项", unit="项"
            ),
            fact(60, 35, metric="瞪羚企业数量", quote="新增瞪羚企业35家"),
        ],
    )
    by_quote = store.search("委托赋权")
    assert [f.value for f in by_quote] == [394]
    assert [f.value for f in store.search("瞪羚企业")] == [35]
    assert [f.value for f in store.search("高新区承接")] == [394]
    assert store.search("独角兽企业") == []
    assert store.search('"引号"') == []  # quotes in the query are data, not FTS syntax


def test_search_follows_updates(store):
    store.ingest_document(doc("sha-1"), articles(), [fact(20, 394, metric="瞪羚企业数量")])
    store.ingest_document(doc("sha-2"), articles(), [fact(20, 394, metric="独角兽企业数量")])
    assert store.search("瞪羚企业") == []
    assert [f.metric for f in store.search("独角兽企业")] == ["独角兽企业数量"]


def test_facts_filters(store):
    store.ingest_document(
        doc("sha-1", "a.txt"), articles(), [fact(20, 1, zone="青岛高新区"), fact(40, 2, zone="西安高新区")]
    )
    store.ingest_document(doc("sha-2", "b.txt"), articles(), [fact(20, 3, zone="青岛高新区", metric="专利授权量")])
    assert [f.value for f in store.facts(zone="青岛")] == [1, 3]
    assert [f.value for f in store.facts(metric="专利")] == [3]
    assert [f.value for f in store.facts(doc="a.txt")] == [1, 2]
    set_status(store, fact_id_at(store, 40), "rejected")
    assert [f.value for f in store.facts(statuses=("rejected",))] == [2]


def test_counts(store):
    assert store.counts() == Counts(0, 0, 0, 0, 0)
    store.ingest_document(doc("sha-1", "a.txt"), articles(), [fact(20, 1), fact(40, 2), fact(60, 3)])
    store.ingest_document(doc("sha-2", "b.txt"), articles()[:1], [fact(20, 4)])
    set_status(store, fact_id_at(store, 40), "verified")
    set_status(store, fact_id_at(store, 60), "rejected")
    assert store.counts() == Counts(documents=2, articles=3, candidate=2, verified=1, rejected=1)


# ── refusing what is not a store ──────────────────────────────────────────────────────────────
def test_garbage_file_is_not_a_store_and_is_left_alone(tmp_path):
    path = tmp_path / "notes.db"
    garbage = b"these are my notes, not a database\x01\x02\xff" * 50
    path.write_bytes(garbage)
    with pytest.raises(NotAStoreError) as info:
        Store.open(path)
    assert str(path) in str(info.value)
    assert "not a SQLite database" in str(info.value)
    assert path.read_bytes() == garbage


def test_someone_elses_sqlite_database_is_not_a_store(tmp_path):
    path = tmp_path / "other.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE foo (x)")
        conn.execute("INSERT INTO foo VALUES (1)")
        conn.commit()
    before = path.read_bytes()
    with pytest.raises(NotAStoreError) as info:
        Store.open(path)
    assert str(path) in str(info.value)
    assert "foo" in str(info.value)
    assert path.read_bytes() == before
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("foo",)]


def test_directory_is_not_a_store(tmp_path):
    with pytest.raises(NotAStoreError, match="is a directory") as info:
        Store.open(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_locked_store_fails_quickly_and_keeps_its_data(tmp_path):
    path = tmp_path / "gaoxin.db"
    store = Store.open(path)
    store.ingest_document(doc("sha-1"), articles(), [fact(20, 394)])
    before = dump(store)
    store.close()

    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreLockedError) as info:
            locked = Store.open(path, timeout=0.2)
            try:
                locked.ingest_document(doc("sha-2"), articles(), [fact(40, 35)])
            finally:
                locked.close()
        other.execute("ROLLBACK")
    assert str(path) in str(info.value)
    assert "locked" in str(info.value)

    store = Store.open(path)
    assert dump(store) == before
    store.close()


def test_store_locked_while_being_created_fails_quickly(tmp_path):
    path = tmp_path / "gaoxin.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        other.execute("CREATE TABLE half_made (x)")
        with pytest.raises(StoreLockedError, match="locked"):
            Store.open(path, timeout=0.2)
        other.execute("ROLLBACK")


def test_threads_sharing_one_store_take_turns_to_write(store):
    """The bot's request thread and its delivery threads share a connection: no BEGIN may land in another's
    transaction (without the store's write lock, about one claim in six failed here)."""
    import threading

    errors: list[Exception] = []

    def claim(worker: int) -> None:
        for i in range(100):
            try:
                assert store.claim_delivery("test", f"{worker}-{i}")
            except Exception as exc:  # every failure is the finding
                errors.append(exc)

    threads = [threading.Thread(target=claim, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.deliveries("test") == 400


def test_migration_m007_spells_stored_label_studio_times_alike(tmp_path):
    from sqlite_utils import Database

    from store.schema import m007_label_studio_times

    db = Database(tmp_path / "old.db")
    db.execute("CREATE TABLE ls_annotations (annotation_id INTEGER PRIMARY KEY, updated_at TEXT)")
    db.execute("INSERT INTO ls_annotations VALUES (1, '2026-01-01T10:00:00.5Z'), (2, '2026-01-01 18:00:01+08:00')")
    db.execute("INSERT INTO ls_annotations VALUES (3, 'not a time'), (4, NULL)")
    m007_label_studio_times(db)
    assert [r[0] for r in db.execute("SELECT updated_at FROM ls_annotations ORDER BY annotation_id")] == [
        "2026-01-01T10:00:00.500000+00:00",
        "2026-01-01T10:00:01.000000+00:00",
        "not a time",
        None,
    ]


# ── indicators (m009) ───────────────────────────────────────────────────────────────────────────
def test_facts_carry_their_indicator_and_the_view_names_it(store):
    from store import IndicatorRow

    store.ingest_document(
        doc(), articles(), [replace(fact(100, 2931), indicator="hitech_firms"), fact(120, 5, metric="党小组数量")]
    )
    catalogue = [IndicatorRow("hitech_firms", "高新技术企业", "high-tech enterprises", "count", ("growth",), ("高企",))]
    assert store.set_indicator_catalogue(catalogue) is True
    assert store.set_indicator_catalogue(catalogue) is False  # unchanged: nothing written
    assert store.indicator_catalogue() == catalogue
    assert [f.indicator for f in store.facts()] == ["hitech_firms", None]
    rows = store.db.execute("SELECT indicator, indicator_name, metric, value FROM indicator_facts").fetchall()
    assert rows == [("hitech_firms", "高新技术企业", "高新技术企业数量", 2931.0)]
    assert [i[1] for i in store.db.execute("PRAGMA index_list(facts)") if "indicator" in i[1]] == ["facts_indicator"]


def test_uncoded_facts_get_their_indicator_later(store):
    store.ingest_document(doc(), articles(), [fact(100, 2931), fact(120, 5, metric="党小组数量")])
    uncoded = store.uncoded_facts()
    assert [(f.metric, f.kind, f.unit) for f in uncoded] == [
        ("高新技术企业数量", "level", "家"),
        ("党小组数量", "level", "家"),
    ]
    revision = store.revision()
    assert store.set_fact_indicators({uncoded[0].id: "hitech_firms"}) == 1
    assert store.set_fact_indicators({uncoded[0].id: "hitech_firms"}) == 0  # already so
    assert store.revision() > revision  # the bot's index reloads
    assert [f.metric for f in store.uncoded_facts()] == ["党小组数量"]


def test_facts_for_indicator_across_zones(store):
    store.ingest_document(
        doc(),
        articles(),
        [
            replace(fact(100, 2931), indicator="hitech_firms"),
            replace(fact(140, 1700, zone="西安高新区"), indicator="hitech_firms"),
            replace(fact(180, 9.1, unit="%", metric="研发投入强度"), indicator="rd_intensity"),
        ],
    )
    found = {(f.zone, f.value) for f in store.facts_for_indicator("hitech_firms")}
    assert found == {("青岛高新区", 2931.0), ("西安高新区", 1700.0)}
    assert store.facts_for_indicator("exports") == []

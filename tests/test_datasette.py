"""Datasette on the store (bot/datasette.py, config/datasette-metadata.yaml): described, queried, and never in the
bot's way.

The metadata and canned queries are checked on the store itself (every table, view and column described; every
query run on a store built from seeds/); then a real Datasette, started the way `gaoxin up` starts it, serves a table
page and a canned query's JSON, and the bot's webhook writes to the store while Datasette is in the middle of a slow
read.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from annotate.ingest import article_files, ingest_paths
from annotate.labelstudio import passage_for_task
from annotate.lsserver import free_port
from annotate.review import prediction_for
from bot import datasette
from bot.app import create_app
from store import Store
from store.review import Review, TaskRecord

METADATA = yaml.safe_load(datasette.METADATA.read_text(encoding="utf-8"))
DATABASE = METADATA["databases"]["gaoxin"]
QUERIES = DATABASE["queries"]
SECRET = "datasette-test-secret"
# A second article giving another value for a seed fact (沈阳高新区 净增高新技术企业 2020: 252家 in seed 004).
CONFLICTING = "沈阳高新区2020年成绩单\n\n本报讯 2020年，沈阳高新区净增高新技术企业260家。\n"


def _schema(db: Path) -> dict[str, list[str]]:
    """Every table and view people see in Datasette, with its columns (FTS5's shadow tables are hidden there)."""
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]
        shadow = {f"facts_fts_{part}" for part in ("data", "idx", "docsize", "config", "content")}
        return {
            name: [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
            for name in names
            if name not in shadow and not name.startswith("sqlite_")
        }
    finally:
        conn.close()


def test_every_table_view_and_column_of_the_store_is_described(tmp_path):
    Store.open(tmp_path / "gaoxin.db").close()  # every migration applied
    described = DATABASE["tables"]
    missing = [
        f"{name}.{column}" if column else name
        for name, columns in _schema(tmp_path / "gaoxin.db").items()
        for column in ([None] if name not in described else [c for c in columns if c not in described[name]["columns"]])
    ]
    assert missing == [], f"describe these in {datasette.METADATA.name}: {missing}"
    stale = [name for name in described if name not in _schema(tmp_path / "gaoxin.db")]
    assert stale == [], f"{datasette.METADATA.name} describes tables the store does not have: {stale}"
    assert all(described[name].get("description") for name in described)
    assert {"license", "source", "description_html"} <= set(METADATA)


def test_the_canned_queries_people_asked_for_are_there():
    assert set(QUERIES) == {"zone", "indicator", "corrections", "disagreements", "unverified", "conflicts"}
    for name, query in QUERIES.items():
        assert query.get("title") and query.get("description"), name
        assert "write" not in query, f"{name}: canned queries only read"


def _run(db: Path, name: str, **params: str) -> list[dict]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(QUERIES[name]["sql"], params)]
    finally:
        conn.close()


def test_zone_indicator_and_unverified_queries_on_the_seed_store(seed_db_path):
    qingdao = _run(seed_db_path, "zone", zone="青岛")
    assert {r["value_text"] for r in qingdao} >= {"394项"} and {r["zone"] for r in qingdao} == {"青岛高新区"}
    companies = _run(seed_db_path, "indicator", indicator="高企")  # an alias of hitech_firms
    assert len({r["zone"] for r in companies}) >= 4 and {r["indicator"] for r in companies} == {"hitech_firms"}
    for spelled in ("hitech_firms", "高新技术企业", "High-tech enterprises"):  # code, name, English name
        assert _run(seed_db_path, "indicator", indicator=spelled) == companies
    default = _run(seed_db_path, "unverified", min_confidence="")
    assert default and min(r["confidence"] for r in default) >= 0.9
    assert len(_run(seed_db_path, "unverified", min_confidence="0.7")) > len(default)
    assert _run(seed_db_path, "corrections") == [] and _run(seed_db_path, "disagreements") == []


def test_corrections_and_disagreements_say_who_and_when(own_store):
    store = Store.open(own_store)
    try:
        fact = next(f for f in store.facts(zone="青岛高新区") if f.value == 394)
        store.record_task(TaskRecord(77, 1, fact.doc, fact.start - 10, fact.end + 10, (fact.id,), "h"))
        for ann, who, when, review in [
            (1, "ann@a", "2026-01-01T10:00:00Z", Review(fact.id, "corrected", {"value": 395.0})),
            (2, "bob@b", "2026-01-01T11:00:00Z", Review(fact.id, "rejected", {})),
        ]:
            store.apply_annotation(task_id=77, annotation_id=ann, annotator=who, updated_at=when,
                                   result_hash=f"h{ann}", reviews=[review], refused=[])  # fmt: skip
        expected = [fid for fid, _ in store.review_status().disagreements]
    finally:
        store.close()
    corrections = _run(own_store, "corrections")
    assert [(r["actor"], r["action"]) for r in corrections] == [("annotator:bob@b", "rejected"),
                                                                 ("annotator:ann@a", "corrected")]  # fmt: skip
    assert all(r["at"] and r["fact_id"] == fact.id for r in corrections)
    disagreements = _run(own_store, "disagreements")
    assert [r["fact_id"] for r in disagreements] == expected == [fact.id]  # what `gaoxin annotate status` lists
    assert "ann@a: corrected" in disagreements[0]["said"] and "bob@b: rejected" in disagreements[0]["said"]
    assert disagreements[0]["standing"] == "rejected" and disagreements[0]["annotators"] == 2


def test_conflicts_are_the_same_fact_with_another_value_in_another_article(own_store, extractor, tmp_path):
    assert _run(own_store, "conflicts") == []
    extra = tmp_path / "extra" / "沈阳.txt"
    extra.parent.mkdir()
    extra.write_text(CONFLICTING, encoding="utf-8")
    store = Store.open(own_store)
    try:
        for _, result in ingest_paths(store, article_files([extra]), extractor):
            assert not isinstance(result, Exception), result
    finally:
        store.close()
    conflicts = _run(own_store, "conflicts")
    assert [(r["zone"], r["indicator_or_metric"], r["period"], r["articles"]) for r in conflicts] == [
        ("沈阳高新区", "hitech_firms", "2020", 2)
    ]
    assert "252家 净增高新技术企业数量" in conflicts[0]["what_each_says"] and "260家" in conflicts[0]["what_each_says"]


# ── a real Datasette, started as `gaoxin up` starts it ─────────────────────────────────────────────
def _get(url: str, timeout: float = 10) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode("utf-8")


@pytest.fixture
def served(own_store):
    """Datasette on a private copy of the seed store (a longer SQL time limit, for the slow read below)."""
    binary = datasette.executable()
    if binary is None:
        pytest.fail("datasette is not installed: `make install` installs it (pyproject.toml pins it)", pytrace=False)
    port = free_port()
    process = datasette.launch(
        binary, own_store, port, own_store.parent / "datasette.log", ("sql_time_limit_ms", "60000")
    )
    try:
        assert datasette.wait_until_healthy(process, port), (own_store.parent / "datasette.log").read_text()
        yield own_store, datasette.url(own_store, port)
    finally:
        process.terminate()
        process.wait(timeout=10)


SLOW_READ = "select count(*) as n from facts a, facts b, facts c, (select 1 from facts where id <= 8)"


@pytest.mark.slow
def test_datasette_serves_the_store_and_the_bot_writes_while_it_reads(served):
    db, base = served
    # a table page, with the description from the metadata
    status, page = _get(f"{base}/facts?zone={urllib.parse.quote('青岛高新区')}")
    assert status == 200 and "394项" in page and "Every numeric fact" in page
    # a canned query's JSON
    _, body = _get(f"{base}/zone.json?_shape=array&zone={urllib.parse.quote('青岛')}")
    rows = json.loads(body)
    fact_id = next(r["fact_id"] for r in rows if r["value_text"] == "394项")
    assert next(r for r in rows if r["fact_id"] == fact_id)["status"] == "candidate"

    # the task Label Studio would have (pushed before), and the bot
    store = Store.open(db)
    try:
        fact = next(f for f in store.facts(zone="青岛高新区") if f.id == fact_id)
        store.record_task(TaskRecord(77, 1, fact.doc, fact.start - 10, fact.end + 10, (fact.id,), "h"))
        result = prediction_for(passage_for_task(store, store.task(77)))["result"]
    finally:
        store.close()
    app = create_app({"DB": str(db), "TESTING": True, "API_TOKEN": "", "LS_WEBHOOK_SECRET": SECRET,
                      "LS_RECONCILE_SECONDS": 0})  # fmt: skip
    annotation = {"id": 1, "completed_by": {"id": 1, "email": "a@x"}, "updated_at": "2026-01-01T10:00:00Z",
                  "result": result}  # fmt: skip

    # Datasette in the middle of a slow read (seconds) …
    reading: dict = {}

    def slow_read() -> None:
        started = time.monotonic()
        reading["body"] = _get(f"{base}.json?_shape=array&sql={urllib.parse.quote(SLOW_READ)}", timeout=90)[1]
        reading["took"] = time.monotonic() - started

    reader = threading.Thread(target=slow_read)
    reader.start()
    time.sleep(1.0)
    assert reader.is_alive(), f"the slow read ended before the write: {reading}"

    # … and the bot's Label Studio webhook accepts 394项: written at once, not after the read
    began = time.monotonic()
    reply = app.test_client().post(
        "/hooks/label-studio",
        json={"action": "ANNOTATION_CREATED", "annotation": annotation, "task": {"id": 77}},
        headers={"X-Gaoxin-Secret": SECRET},
    )
    wrote_in = time.monotonic() - began
    assert wrote_in < 2.0, f"the write waited {wrote_in:.1f} s for Datasette's read: {reply.get_json()}"
    assert reply.status_code == 200, reply.get_json()
    assert reader.is_alive(), "the slow read was over before the write: the write proved nothing"

    reader.join(timeout=90)
    assert json.loads(reading["body"])[0]["n"] > 0, reading
    # Datasette sees the write (it reads the live file, not an immutable snapshot)
    _, body = _get(f"{base}/facts/{fact_id}.json?_shape=array")
    assert json.loads(body)[0]["status"] == "verified"
    _, body = _get(f"{base}/corrections.json?_shape=array")
    assert [(r["actor"], r["action"], r["fact_id"]) for r in json.loads(body)] == [
        ("annotator:a@x", "verified", fact_id)
    ]


def test_datasette_is_served_read_only_not_immutable(tmp_path):
    argv = datasette.command("datasette", tmp_path / "gaoxin.db", 8001)
    assert "--immutable" not in argv and "-i" not in argv and str(tmp_path / "gaoxin.db") in argv
    assert argv[argv.index("--host") + 1] == "127.0.0.1" and argv[argv.index("--metadata") + 1] == str(
        datasette.METADATA
    )


def test_gaoxin_up_goes_on_without_datasette_when_it_is_not_installed(monkeypatch, tmp_path, capsys):
    from bot import run

    monkeypatch.setattr(datasette, "executable", lambda: None)
    started: list = []
    assert run._start_datasette(tmp_path / "gaoxin.db", 8001, started) is None
    assert started == []
    err = capsys.readouterr().err
    assert err == "Datasette: not installed (`make install` installs it); going on without it\n"

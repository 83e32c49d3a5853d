"""bot/cli.py: the `gaoxin` commands through CliRunner, plus a few real runs of the installed script."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import annotate.extract
from annotate.text import MAX_BYTES, read_source
from bot.cli import main
from store import Counts, Store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = ROOT / "tests" / "data"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
SEED_000 = next(SEEDS.glob("000_*.txt"))
SEED_001 = next(SEEDS.glob("001_*.txt"))  # every character of it is in GBK
GAOXIN = Path(sys.executable).parent / "gaoxin"
JSON_FIELDS = [
    "doc", "article", "zone", "entity", "metric", "value", "unit", "qualifier", "period", "kind",
    "quote", "value_text", "start", "end", "confidence", "extractor_version",
]  # fmt: skip


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch, extractor):
    """Run every command in an empty folder with no GAOXIN_* settings, reusing the session's extractor.

    The extractor is the real one; building it (jieba's dictionary) takes a second, so it is built once.
    """
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("GAOXIN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setattr(annotate.extract, "Extractor", lambda *a, **kw: extractor)


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def dump(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.iterdump())


def counts(db: Path) -> Counts:
    store = Store.open(db, create=False)
    try:
        return store.counts()
    finally:
        store.close()


def assert_clean_error(result: Result, *needles: str | Path) -> str:
    """Non-zero exit, no traceback, and one `Error:` line that names everything in needles."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    matching = [line for line in lines if all(str(n) in line for n in needles)]
    assert matching, f"no Error: line with {needles} in:\n{result.output}"
    return matching[0]


def copy_seed(tmp_path: Path, seed: Path = SEED_000, folder: str = "in") -> Path:
    target = tmp_path / folder / seed.name
    target.parent.mkdir(exist_ok=True)
    shutil.copy(seed, target)
    return target


def gbk_copy(tmp_path: Path, seed: Path = SEED_001) -> Path:
    target = tmp_path / "gbk" / seed.name
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(seed.read_text(encoding="utf-8").encode("gbk"))
    return target


def huge_file(tmp_path: Path) -> Path:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: costs nothing on disk
    return path


# ── ingest ────────────────────────────────────────────────────────────────────────────────────
def test_ingest_seeds_then_again_is_unchanged(tmp_path):
    db = tmp_path / "store" / "gaoxin.db"
    first = run("ingest", SEEDS, "--db", db)
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [p.name for p in SEED_FILES]
    assert all(": new, " in line for line in lines[:-1])
    c = counts(db)
    assert c.documents == len(SEED_FILES)
    assert c.candidate > 0
    assert lines[-1] == (
        f"store {db}: {c.documents} documents, {c.articles} articles, "
        f"{c.candidate} candidate / {c.verified} verified / {c.rejected} rejected facts"
    )
    before = dump(db)

    second = run("ingest", SEEDS, "--db", db)
    assert second.exit_code == 0, second.output
    assert second.stdout.splitlines()[:-1] == [f"{p.name}: unchanged" for p in SEED_FILES]
    assert second.stdout.splitlines()[-1] == lines[-1]
    assert dump(db) == before


def test_ingest_defaults_to_seeds(tmp_path):
    db = tmp_path / "gaoxin.db"
    result = run("ingest", "--db", db)
    assert result.exit_code == 0, result.output
    assert counts(db).documents == len(SEED_FILES)


def test_gaoxin_db_is_honoured_without_db_option(tmp_path):
    db = tmp_path / "from-env.db"
    result = run("ingest", SEED_000, env={"GAOXIN_DB": str(db)})
    assert result.exit_code == 0, result.output
    assert f"store {db}:" in result.stdout
    assert counts(db).documents == 1
    assert not (tmp_path / "data").exists()  # the default location was not used

    listed = run("facts", "--json", env={"GAOXIN_DB": str(db)})
    assert listed.exit_code == 0, listed.output
    assert {json.loads(line)["doc"] for line in listed.stdout.splitlines()} == {SEED_000.name}


def test_db_option_wins_over_gaoxin_db(tmp_path):
    db, other = tmp_path / "option.db", tmp_path / "env.db"
    result = run("ingest", SEED_000, "--db", db, env={"GAOXIN_DB": str(other)})
    assert result.exit_code == 0, result.output
    assert db.exists()
    assert not other.exists()


def test_ingest_gbk_file_is_stored_as_gb18030(tmp_path, extractor):
    db = tmp_path / "gaoxin.db"
    utf8, gbk = copy_seed(tmp_path, SEED_001), gbk_copy(tmp_path)
    result = run("ingest", gbk, "--db", db)
    assert result.exit_code == 0, result.output
    store = Store.open(db)
    try:
        assert store.db.execute("SELECT name, encoding FROM documents").fetchall() == [(gbk.name, "gb18030")]
        stored = [(f.start, f.end, f.value, f.unit, f.metric) for f in store.facts()]
    finally:
        store.close()
    from_utf8 = [(c.start, c.end, c.value, c.unit, c.metric) for c in extractor.extract(read_source(utf8))]
    assert stored == from_utf8
    assert stored


def test_ingest_mixed_good_and_bad_files(tmp_path, extractor):
    db = tmp_path / "gaoxin.db"
    good = copy_seed(tmp_path)
    gbk = gbk_copy(tmp_path)
    empty = tmp_path / "in" / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "in" / "binary.txt"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" * 20)
    huge = huge_file(tmp_path)

    result = run("ingest", empty, good, binary, huge, gbk, "--db", db)

    assert_clean_error(result, empty, "empty file")
    assert_clean_error(result, binary, "binary file")
    assert_clean_error(result, huge, "too large")
    assert_clean_error(result, "3 of 5 files")
    assert f"{good.name}: new" in result.stdout
    assert f"{gbk.name}: new" in result.stdout
    expected = sum(len(extractor.extract(read_source(p))) for p in (good, gbk))
    assert counts(db) == Counts(
        documents=2,
        articles=len(extractor.articles(read_source(good))) + len(extractor.articles(read_source(gbk))),
        candidate=expected,
        verified=0,
        rejected=0,
    )
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        names = {n for (n,) in conn.execute("SELECT name FROM documents")}
    assert names == {good.name, gbk.name}


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n\t ", "empty file"),
        ("binary.txt", b"PK\x03\x04\x00\x00" * 30, "binary file"),
    ],
)
def test_ingest_bad_file(tmp_path, write, name, content, reason):
    db = tmp_path / "gaoxin.db"
    path = write(name, content)
    result = run("ingest", path, "--db", db)
    assert_clean_error(result, path, reason)
    assert counts(db) == Counts(0, 0, 0, 0, 0)


def test_ingest_huge_file(tmp_path):
    db = tmp_path / "gaoxin.db"
    huge = huge_file(tmp_path)
    result = run("ingest", huge, "--db", db)
    assert_clean_error(result, huge, "too large")
    assert counts(db).documents == 0


def test_ingest_missing_path_changes_nothing(tmp_path):
    db = tmp_path / "gaoxin.db"
    good = copy_seed(tmp_path)
    missing = tmp_path / "typo.txt"
    result = run("ingest", good, missing, "--db", db)
    assert_clean_error(result, missing, "no such file")
    assert not db.exists()  # a typo is caught before the store is touched


def test_ingest_empty_folder(tmp_path):
    folder = tmp_path / "nothing"
    folder.mkdir()
    result = run("ingest", folder, "--db", tmp_path / "gaoxin.db")
    assert_clean_error(result, folder, "no article files")


def test_ingest_db_is_a_directory(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    result = run("ingest", SEED_000, "--db", folder)
    assert_clean_error(result, folder, "is a directory")
    assert list(folder.iterdir()) == []


def test_ingest_db_under_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    db = tmp_path / "notes.txt" / "gaoxin.db"
    assert_clean_error(run("ingest", SEED_000, "--db", db), db, "cannot create the folder")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_gaoxin_db_is_a_directory(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    result = run("ingest", SEED_000, env={"GAOXIN_DB": str(folder)})
    assert_clean_error(result, folder, "is a directory")
    assert list(folder.iterdir()) == []


def test_ingest_db_is_a_garbage_file(tmp_path):
    db = tmp_path / "gaoxin.db"
    garbage = b"not a database, just some bytes\xff\xfe" * 100
    db.write_bytes(garbage)
    result = run("ingest", SEED_000, "--db", db)
    assert_clean_error(result, db, "not a SQLite database")
    assert db.read_bytes() == garbage
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gaoxin.db"]


def test_ingest_db_is_someone_elses_database(tmp_path):
    db = tmp_path / "other.db"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE foo (x)")
        conn.commit()
    before = db.read_bytes()
    result = run("ingest", SEED_000, "--db", db)
    assert_clean_error(result, db, "not a gaoxin store")
    assert db.read_bytes() == before


def test_ingest_db_locked_by_another_connection(tmp_path, monkeypatch):
    db = tmp_path / "gaoxin.db"
    assert run("ingest", SEED_000, "--db", db).exit_code == 0
    before = dump(db)
    open_store = Store.open.__func__
    monkeypatch.setattr(
        Store, "open", classmethod(lambda cls, path, **kw: open_store(cls, path, **{**kw, "timeout": 0.2}))
    )

    with closing(sqlite3.connect(db, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        result = run("ingest", SEED_000, SEED_001, "--db", db)
        other.execute("ROLLBACK")

    assert_clean_error(result, db, "locked")
    assert dump(db) == before


# ── extract ───────────────────────────────────────────────────────────────────────────────────
def test_extract_json_fields_and_offsets(tmp_path):
    result = run("extract", "--json", SEED_000)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines
    text = read_source(SEED_000).text
    for line in lines:
        row = json.loads(line)
        assert list(row) == JSON_FIELDS
        assert row["doc"] == SEED_000.name
        assert text[row["start"] : row["end"]] == row["value_text"]
        assert row["value_text"] in row["quote"]
        assert isinstance(row["value"], int | float)
    assert list(tmp_path.iterdir()) == []  # no store, no data/ folder


def test_extract_plain_output(tmp_path):
    result = run("extract", SEED_000)
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows
    assert all(len(r) == 6 and r[0] == SEED_000.name for r in rows)


def test_extract_gbk_file_says_so_on_stderr(tmp_path):
    utf8, gbk = copy_seed(tmp_path, SEED_001), gbk_copy(tmp_path)
    result = run("extract", "--json", gbk)
    assert result.exit_code == 0, result.output
    assert f"{gbk}: decoded as GB18030" in result.stderr
    assert "GB18030" not in result.stdout
    assert result.stdout == run("extract", "--json", utf8).stdout  # same name, same facts
    assert result.stdout


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("binary.txt", bytes(range(256)) * 4, "binary file"),
    ],
)
def test_extract_bad_file(write, name, content, reason):
    path = write(name, content)
    assert_clean_error(run("extract", "--json", path), path, reason)


def test_extract_huge_file(tmp_path):
    huge = huge_file(tmp_path)
    assert_clean_error(run("extract", huge), huge, "too large")


def test_extract_missing_path(tmp_path):
    missing = tmp_path / "typo.txt"
    assert_clean_error(run("extract", missing), missing, "no such file")


def test_extract_empty_folder(tmp_path):
    folder = tmp_path / "nothing"
    folder.mkdir()
    assert_clean_error(run("extract", folder), folder, "no article files")


def test_extract_mixed_prints_the_good_file(tmp_path, write):
    good = copy_seed(tmp_path)
    empty = write("empty.txt", b"")
    result = run("extract", "--json", empty, good)
    assert_clean_error(result, empty, "empty file")
    assert result.stdout == run("extract", "--json", good).stdout
    assert result.stdout


# ── facts ─────────────────────────────────────────────────────────────────────────────────────
def test_facts_by_zone(tmp_path):
    db = tmp_path / "gaoxin.db"
    assert run("ingest", SEEDS, "--db", db).exit_code == 0
    result = run("facts", "--zone", "青岛", "--json", "--db", db)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows
    assert all("青岛" in r["zone"] for r in rows)
    everything = run("facts", "--json", "--db", db).stdout.splitlines()
    assert len(everything) > len(rows)
    assert len(rows) == sum("青岛" in (json.loads(line)["zone"] or "") for line in everything)


def test_facts_plain_output_counts_on_stderr(tmp_path):
    db = tmp_path / "gaoxin.db"
    assert run("ingest", SEED_000, "--db", db).exit_code == 0
    result = run("facts", "--db", db)
    assert result.exit_code == 0, result.output
    n = counts(db).candidate
    assert len(result.stdout.splitlines()) == n
    assert result.stderr.strip() == f"{n} facts"


def test_facts_on_a_missing_db_creates_nothing(tmp_path):
    db = tmp_path / "nowhere" / "gaoxin.db"
    assert_clean_error(run("facts", "--db", db), db, "no such database")
    assert not db.parent.exists()
    assert list(tmp_path.iterdir()) == []


def test_facts_on_a_garbage_db(tmp_path):
    db = tmp_path / "gaoxin.db"
    db.write_bytes(b"\x00garbage" * 64)
    assert_clean_error(run("facts", "--db", db), db, "not a SQLite database")
    assert db.read_bytes() == b"\x00garbage" * 64


# ── eval ──────────────────────────────────────────────────────────────────────────────────────
def test_eval_prints_scores():
    result = run("eval", "--gold", DATA / "gold")
    assert result.exit_code == 0, result.output
    for label in ("recall", "precision", "zone accuracy", "metric similarity"):
        assert re.search(rf"^  {label} +[01]\.\d{{3}}\b", result.stdout, re.MULTILINE), label


def test_eval_json_gives_numbers():
    result = run("eval", "--gold", DATA / "gold", "--json")
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)["facts"]
    assert {"gold", "extracted", "matched", "recall", "precision", "zone_accuracy", "metric_similarity"} <= set(facts)
    for key in ("recall", "precision", "zone_accuracy", "metric_similarity"):
        assert isinstance(facts[key], float | int)
        assert 0 <= facts[key] <= 1
    assert facts["gold"] > 0
    assert facts["matched"] <= min(facts["gold"], facts["extracted"])
    assert facts["recall"] == round(facts["matched"] / facts["gold"], 4)


def test_eval_missing_gold_folder(tmp_path):
    missing = tmp_path / "gold"
    result = run("eval", "--gold", missing)
    assert_clean_error(result, missing)


# ── the installed script, for real ───────────────────────────────────────────────────────────
def gaoxin(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GAOXIN_")}
    return subprocess.run(
        [str(GAOXIN), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.slow
def test_script_ingest_twice(tmp_path):
    db = tmp_path / "gaoxin.db"
    first = gaoxin("ingest", "--db", db, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert len(first.stdout.splitlines()) == len(SEED_FILES) + 1
    before = dump(db)
    second = gaoxin("ingest", "--db", db, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[:-1] == [f"{p.name}: unchanged" for p in SEED_FILES]
    assert dump(db) == before


@pytest.mark.slow
def test_script_extract_json(tmp_path):
    result = gaoxin("extract", "--json", SEED_000, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = SEED_000.read_text(encoding="utf-8")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows
    assert all(list(r) == JSON_FIELDS and text[r["start"] : r["end"]] == r["value_text"] for r in rows)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_script_errors_are_one_line(tmp_path):
    garbage = tmp_path / "gaoxin.db"
    garbage.write_bytes(b"garbage" * 100)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for args in (("ingest", SEED_000, "--db", garbage), ("extract", empty), ("facts", "--db", tmp_path / "none.db")):
        result = gaoxin(*args, cwd=tmp_path)
        assert result.returncode != 0, args
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("Error: "), result.stderr
    assert garbage.read_bytes() == b"garbage" * 100
    assert not (tmp_path / "none.db").exists()

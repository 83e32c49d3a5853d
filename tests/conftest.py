"""Shared fixtures: the gazetteer and extractor built once, and a store built from seeds/ the way the CLI does."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotate.extract import Extractor
from annotate.gazetteer import load_gazetteer
from annotate.ingest import article_files, ingest_paths
from store import Store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def gazetteer():
    return load_gazetteer()


@pytest.fixture(scope="session")
def extractor(gazetteer):
    return Extractor(gazetteer)


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory, extractor):
    """A store built from seeds/ with the CLI's code path; read-only for tests."""
    path = tmp_path_factory.mktemp("seed-store") / "gaoxin.db"
    store = Store.open(path)
    for _, result in ingest_paths(store, article_files([SEEDS]), extractor):
        assert not isinstance(result, Exception), result
    return store


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "gaoxin.db")
    yield s
    s.close()


@pytest.fixture
def write(tmp_path):
    """Write an article file (str → UTF-8, bytes as given) and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return _write

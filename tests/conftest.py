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


@pytest.fixture(scope="session")
def seed_db_path(seed_store):
    """Path of the session's seed store (read-only for tests)."""
    return seed_store.path


@pytest.fixture(scope="session")
def bot(seed_store, gazetteer):
    """The question-answering core on the seed store, nothing annotated."""
    from bot.answer import Bot

    return Bot(seed_store, gazetteer)


@pytest.fixture
def app(seed_db_path):
    """The Flask app on the seed store; pass overrides with app_factory instead when needed."""
    from bot.app import create_app

    return create_app({"DB": str(seed_db_path), "TESTING": True, "API_TOKEN": ""})


@pytest.fixture
def client(app):
    return app.test_client()

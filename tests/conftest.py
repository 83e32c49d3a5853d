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


def copy_store(db: Path, folder: Path) -> Path:
    """A copy of a store (with its WAL files) in `folder`: for tests that write to it."""
    import shutil

    copy = folder / db.name
    for suffix in ("", "-wal", "-shm"):
        src = db.parent / (db.name + suffix)
        if src.exists():
            shutil.copy(src, folder / (db.name + suffix))
    return copy


@pytest.fixture
def own_store(seed_db_path, tmp_path):
    """Path of a private copy of the seed store, for tests that write (annotations, the platforms' retry guard)."""
    return copy_store(seed_db_path, tmp_path)


@pytest.fixture(scope="module")
def module_store(seed_db_path, tmp_path_factory):
    """One writable copy of the seed store per test module: its app and bot are built once (tests use fresh ids)."""
    return copy_store(seed_db_path, tmp_path_factory.mktemp("store"))


@pytest.fixture
def app(seed_db_path):
    """The Flask app on the seed store; pass overrides with app_factory instead when needed."""
    from bot.app import create_app

    return create_app({"DB": str(seed_db_path), "TESTING": True, "API_TOKEN": ""})


@pytest.fixture
def client(app):
    return app.test_client()


# ── Label Studio: one real server per session, and the annotation loop around it ──────────────
# Shared by tests/test_labelstudio.py (driven with the SDK) and tests/test_labelstudio_ui.py (driven in Chromium).
LS_SECRET = "test-webhook-secret"
LS_QUESTION = "青岛高新区 权力事项数量"


@pytest.fixture(scope="session")
def ls_server(tmp_path_factory):
    from annotate.lsserver import LabelStudioServer, copy_of_template

    data = copy_of_template(ROOT / "data" / "ls-cache", tmp_path_factory.mktemp("ls") / "data")
    server = LabelStudioServer(data).start()
    yield server
    server.stop()


@pytest.fixture
def loop(ls_server, own_store, gazetteer, tmp_path):
    """A private copy of the seed store, a fresh project, the bot served on loopback, the webhook registered."""
    import threading

    from werkzeug.serving import make_server

    from annotate.labelstudio import LabelStudioLink
    from annotate.lsserver import free_port
    from bot.app import create_app

    db = own_store
    app = create_app(
        {"DB": str(db), "TESTING": True, "API_TOKEN": "", "LS_WEBHOOK_SECRET": LS_SECRET, "LS_RECONCILE_SECONDS": 0}
    )
    port = free_port()
    http = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    link = LabelStudioLink(ls_server.url, ls_server.credentials.token, title=f"gaoxin test {tmp_path.name}")
    store = Store.open(db)
    pushed = link.push(store, gazetteer)
    link.connect(f"http://127.0.0.1:{port}/hooks/label-studio", LS_SECRET)
    client = app.test_client()
    yield Loop(link, store, client, pushed.project_id, port)
    http.shutdown()
    store.close()


class Loop:
    def __init__(self, link, store, client, project_id, port):
        self.link, self.store, self.client, self.project_id, self.port = link, store, client, project_id, port

    def ask(self, q: str = LS_QUESTION) -> dict:
        return self.client.post("/api/v1/ask", json={"q": q}).get_json()

    def task_with(self, text: str):
        for task in self.link.ls.tasks.list(project=self.project_id, fields="all"):
            if text in task.data["text"]:
                return task
        raise AssertionError(f"no task holds {text!r}")

    def prediction(self, task) -> list[dict]:
        preds = list(self.link.ls.predictions.list(task=task.id))
        return [dict(item) for item in preds[0].result]

    def submit(self, task, result: list[dict]):
        """Like the UI's submit (the prediction's regions, changed), but without the parent_prediction the UI sets."""
        return self.link.ls.annotations.create(
            id=task.id, result=result, lead_time=12.5, was_cancelled=False, ground_truth=False
        )

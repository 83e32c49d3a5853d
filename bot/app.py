"""The Flask app: the chat API, health check, and the web chat page. `create_app` is the only way in."""

from __future__ import annotations

import gc
import hmac
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, jsonify, request, send_from_directory
from werkzeug.exceptions import HTTPException

from annotate.gazetteer import load_gazetteer
from store import Store, StoreError

from . import messages, safejson, settings
from .answer import Bot
from .platforms import Chat, Inbound, Platforms, Rejected
from .question import MAX_QUESTION_CHARS

MAX_BODY_BYTES = 64 * 1024
# Label Studio's webhook carries the whole project (its labeling interface included) with the task, its prediction
# and the annotation: about 49 KB for the seeds' largest passage, more for a long real paragraph. Once the secret
# is checked, it may send this much.
HOOK_MAX_BODY_BYTES = 2 * 1024 * 1024

log = logging.getLogger("gaoxin.app")
STATIC = Path(__file__).resolve().parent / "static"


class Service:
    """What the app holds in each process: its own store connection and the bot on it.

    A connection never crosses a fork (gunicorn builds the bot in its master, then forks workers): each
    process opens its own on first use. It is also reopened when the file at the store's path is no longer
    the one it opened (replaced or deleted under a running server), so nobody writes to an unlinked file.
    """

    def __init__(self, db_path: str, verified_only: bool) -> None:
        self.db_path = db_path
        self.verified_only = verified_only
        self._store: Store | None = None
        self._opened: tuple[int, int] | None = None  # (device, inode) of the file the store was opened on
        self._bot: Bot | None = None
        self._bot_file: tuple[int, int] | None = None  # the file the bot's index was built from
        self._lock = threading.RLock()
        self._pid = os.getpid()

    def preload(self) -> None:
        """Build the bot now (in gunicorn's master): forked workers share its index copy-on-write.

        The master's connection is closed before any fork; each worker opens its own."""
        bot = self.bot
        _ = bot.parser._tokenizer  # jieba's dictionary, loaded once for all workers
        with self._lock:
            if self._store is not None:
                self._store.close()
            self._store, self._opened, self._pid = None, None, -1
        gc.collect()
        gc.freeze()  # objects made so far are never touched by the collector: their pages stay shared

    @property
    def store(self) -> Store:
        """This process's connection to the file now at the store's path (StoreError when there is none)."""
        current = _file_identity(self.db_path)
        if self._store is None or self._pid != os.getpid() or self._opened != current:
            with self._lock:
                current = _file_identity(self.db_path)
                if self._store is None or self._pid != os.getpid() or self._opened != current:
                    if self._store is not None and self._pid == os.getpid():
                        log.warning("%s was replaced or removed; reopening the store", self.db_path)
                        self._store.close()
                    store = Store.open(self.db_path, create=False)
                    self._store, self._opened, self._pid = store, _file_identity(self.db_path), os.getpid()
                    if self._bot is not None:  # a forked worker keeps the index its master built from this file
                        self._bot.use_store(store, same_file=self._opened == self._bot_file)
                        self._bot_file = self._opened
        return self._store

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """The store for a write that must not report success into a file no longer at the path: StoreError when
        the file was replaced or removed while the write ran (the write went to the old, unlinked file)."""
        store = self.store
        opened = self._opened
        yield store
        try:
            now = _file_identity(self.db_path)
        except StoreError:
            now = None
        if now != opened:
            raise StoreError(f"{self.db_path} was replaced or removed during a write: it went to the old file")

    @property
    def bot(self) -> Bot:
        store = self.store
        if self._bot is None:
            with self._lock:
                if self._bot is None:
                    self._bot = Bot(store, load_gazetteer(), verified_only=self.verified_only)
                    self._bot_file = self._opened
        return self._bot


def _file_identity(path: str) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except OSError as exc:
        raise StoreError(f"{path}: the store file is gone ({exc.strerror}); run `gaoxin ingest`") from exc
    return st.st_dev, st.st_ino


def _error(status: int, code: str, **fields: object) -> tuple[Response, int]:
    """An error reply: `error` in Chinese for the person (bot/messages.py), `code` in English for programs."""
    return jsonify({"ok": False, "error": messages.HTTP_ERRORS[code].format(**fields), "code": code}), status


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app. Settings come from the environment (bot/settings.py) unless `test_config` overrides them."""
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(
        DB=settings.DB.get(),
        API_TOKEN=settings.API_TOKEN.get(),
        VERIFIED_ONLY=settings.flag(settings.VERIFIED_ONLY),
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        JSON_AS_ASCII=False,
    )
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False
    app.config.setdefault("LS_WEBHOOK_SECRET", settings.LS_WEBHOOK_SECRET.get())
    app.config.setdefault("LS_URL", settings.LS_URL.get())
    app.config.setdefault("LS_TOKEN", settings.LS_TOKEN.get())
    app.config.setdefault("LS_RECONCILE_SECONDS", float(settings.LS_RECONCILE_SECONDS.get() or 0))
    for setting in settings.PLATFORM_SETTINGS:
        app.config.setdefault(setting.key, setting.get())
    service = app.extensions["gaoxin"] = Service(app.config["DB"], app.config["VERIFIED_ONLY"])
    app.extensions["gaoxin.platforms"] = Platforms(app.config)  # a malformed platform secret stops the start here
    app.extensions["gaoxin.chat"] = Chat(lambda: service.bot, lambda: service.store)
    reconciler = None
    if app.config["LS_URL"] and app.config["LS_TOKEN"] and app.config["LS_RECONCILE_SECONDS"] > 0:
        reconciler = Reconciler(
            app.config["DB"], app.config["LS_URL"], app.config["LS_TOKEN"], app.config["LS_RECONCILE_SECONDS"]
        )
    app.extensions["gaoxin.reconciler"] = reconciler

    @app.before_request
    def start_reconciler():
        if reconciler is not None:
            reconciler.ensure_started()  # in the process that serves, never in gunicorn's master

    @app.get("/healthz")
    def healthz():
        try:
            counts = _service().store.counts()
        except StoreError as exc:
            log.error("store error in /healthz: %s", exc)
            return _error(503, "store_unavailable")
        platforms: Platforms = current_app.extensions["gaoxin.platforms"]
        return jsonify(
            {
                "ok": True,
                "facts": counts.candidate + counts.verified,
                "verified": counts.verified,
                "platforms": {name: s.enabled for name, s in platforms.status.items()},
            }
        )

    @app.post("/api/v1/ask")
    def ask():
        token = current_app.config["API_TOKEN"]
        if token and not _bearer_ok(token):
            return _error(401, "unauthorized")
        if not request.is_json:
            return _error(415, "not_json")
        body = _json_body()
        if not isinstance(body, dict):
            return _error(400, "not_an_object")
        q = body.get("q")
        if not isinstance(q, str):
            return _error(400, "missing_question")
        if not q.strip():
            return _error(400, "empty_question")
        if len(q) > MAX_QUESTION_CHARS:
            return _error(400, "question_too_long", length=len(q), limit=MAX_QUESTION_CHARS)
        chat = body.get("chat")
        if chat is not None and (not isinstance(chat, str) or len(chat) > 200):
            return _error(400, "bad_chat")
        try:
            body = _service().bot.ask_json(q, f"api:{chat}" if chat else None)
        except StoreError as exc:
            log.error("store error while answering: %s", exc)
            return _error(503, "store_unavailable")
        return Response(body, mimetype="application/json")

    @app.post("/hooks/label-studio")
    def label_studio_hook():
        secret = current_app.config["LS_WEBHOOK_SECRET"]
        if not secret:
            return _error(404, "webhook_disabled")
        given = request.headers.get("X-Gaoxin-Secret", "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return _error(401, "webhook_secret")
        request.max_content_length = HOOK_MAX_BODY_BYTES  # (Flask ≥ 3.1: this request's own limit)
        payload = _json_body()
        if not isinstance(payload, dict):
            return _error(400, "webhook_invalid", reason="正文不是 JSON 对象")
        from annotate.labelstudio import LabelStudioError, apply_webhook
        from annotate.payloads import MalformedPayload

        try:
            with _service().writing() as store:
                summary = apply_webhook(store, payload)
        except MalformedPayload as exc:
            return _error(400, "webhook_invalid", reason=str(exc))
        except LabelStudioError as exc:
            return _error(422, "webhook_invalid", reason=str(exc))
        except StoreError as exc:
            log.error("store error in the Label Studio webhook: %s", exc)
            return _error(503, "store_unavailable_webhook")
        return jsonify({"ok": True, **summary})

    @app.route("/webhook/<name>", methods=["GET", "POST"])
    def webhook(name: str):
        platforms: Platforms = current_app.extensions["gaoxin.platforms"]
        status = platforms.status.get(name)
        if status is None:
            return _error(404, "unknown_platform", name=name, known=", ".join(platforms.status))
        adapter = platforms.adapters.get(name)
        if adapter is None:
            return _error(404, "platform_disabled", title=status.title, missing=", ".join(status.missing))
        inbound = Inbound(request.method, request.args, request.headers, request.get_data(), request.content_type or "")
        try:
            out = adapter.handle(inbound, current_app.extensions["gaoxin.chat"])
        except Rejected as exc:
            log.warning("%s: refused a request: %s", name, exc.reason)
            return _error(exc.status, exc.code, title=status.title, reason=exc.reason, **exc.fields)
        except StoreError as exc:
            log.error("store error in the %s webhook: %s", name, exc)
            return _error(503, "store_unavailable")
        return Response(out.body, status=out.status, content_type=out.content_type, headers=dict(out.headers))

    @app.get("/")
    def index():
        return send_from_directory(STATIC, "index.html")

    @app.get("/static/<path:name>")
    def static_file(name: str):
        return send_from_directory(STATIC, name)

    @app.errorhandler(safejson.TooDeep)
    def too_deep(exc: safejson.TooDeep):
        return _error(400, "too_deep", limit=exc.limit)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        code = messages.HTTP_STATUS_CODES.get(status, "http_error")
        return _error(
            status, code, http_status=status, method=request.method, limit=MAX_BODY_BYTES, kb=MAX_BODY_BYTES // 1024,
            chars=MAX_QUESTION_CHARS,
        )  # fmt: skip

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error")
        return _error(500, "internal")

    return app


class Reconciler:
    """Pulls every annotation from Label Studio at start and then every `every` seconds: heals missed webhooks.

    Its thread starts in a process that serves requests (a gunicorn worker), never in gunicorn's master: a
    thread there would hold a SQLite connection while workers are forked, and the copies would write to a WAL
    file that the master later deletes. Of the workers, one pulls at a time: the one holding an exclusive
    lock on `<store>.reconcile.lock`; when it exits, another takes over at its next try.
    """

    def __init__(self, db_path: str, url: str, token: str, every: float) -> None:
        self.db_path, self.url, self.token, self.every = db_path, url, token, every
        self._pid = 0
        self._lock = threading.Lock()

    def ensure_started(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                threading.Thread(target=self._loop, name="gaoxin-reconcile", daemon=True).start()

    def _loop(self) -> None:
        import fcntl
        import time

        from annotate.errors import AnnotateError
        from annotate.labelstudio import LabelStudioLink

        lock = open(f"{self.db_path}.reconcile.lock", "a")  # noqa: SIM115 - held for the life of the process
        leader = False
        while True:
            if not leader:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    leader = True
                except OSError:
                    pass  # another worker reconciles
            if leader:
                try:
                    store = Store.open(self.db_path, create=False)
                    try:
                        log.info("reconciled with Label Studio: %s", LabelStudioLink(self.url, self.token).pull(store))
                    finally:
                        store.close()
                except (AnnotateError, StoreError) as exc:
                    log.warning("reconcile with Label Studio failed: %s", exc)
            time.sleep(self.every)


def _json_body() -> object:
    """The request body as JSON, None when it is none (too deep raises safejson.TooDeep: a 400 of its own)."""
    try:
        return safejson.loads(request.get_data())
    except safejson.TooDeep:
        raise
    except ValueError:
        return None


def _service() -> Service:
    return current_app.extensions["gaoxin"]


def _bearer_ok(token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())

"""The Flask app: the chat API, health check, and the web chat page. `create_app` is the only way in."""

from __future__ import annotations

import gc
import hmac
import logging
import os
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, jsonify, request, send_from_directory
from werkzeug.exceptions import HTTPException

from annotate.gazetteer import load_gazetteer
from store import Store, StoreError

from . import settings
from .answer import Bot
from .platforms import Chat, Inbound, Platforms, Rejected
from .question import MAX_QUESTION_CHARS

log = logging.getLogger("gaoxin.app")
STATIC = Path(__file__).resolve().parent / "static"


class Service:
    """What the app holds: the store and the bot, built on first use in each worker process."""

    def __init__(self, db_path: str, verified_only: bool) -> None:
        self.db_path = db_path
        self.verified_only = verified_only
        self._bot: Bot | None = None
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def preload(self) -> None:
        """Build the bot now (in gunicorn's master): forked workers share its index copy-on-write.

        The SQLite connection is closed here; each worker opens its own on first use (a connection must
        not cross a fork)."""
        bot = self.bot
        _ = bot.parser._tokenizer  # jieba's dictionary, loaded once for all workers
        bot.index.store.close()
        self._pid = -1
        gc.collect()
        gc.freeze()  # objects made so far are never touched by the collector: their pages stay shared

    @property
    def bot(self) -> Bot:
        if self._pid != os.getpid() and self._bot is not None:
            with self._lock:
                if self._pid != os.getpid():
                    self._bot.index.store = Store.open(self.db_path, create=False)
                    self._pid = os.getpid()
        if self._bot is None:
            with self._lock:
                if self._bot is None:
                    store = Store.open(self.db_path, create=False)
                    self._bot = Bot(store, load_gazetteer(), verified_only=self.verified_only)
        return self._bot


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"ok": False, "error": message}), status


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app. Settings come from the environment (bot/settings.py) unless `test_config` overrides them."""
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(
        DB=settings.DB.get(),
        API_TOKEN=settings.API_TOKEN.get(),
        VERIFIED_ONLY=settings.flag(settings.VERIFIED_ONLY),
        MAX_CONTENT_LENGTH=64 * 1024,
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
    app.extensions["gaoxin.chat"] = Chat(lambda: service.bot)
    if app.config["LS_URL"] and app.config["LS_TOKEN"] and app.config["LS_RECONCILE_SECONDS"] > 0:
        start_reconciler(
            app.config["DB"], app.config["LS_URL"], app.config["LS_TOKEN"], app.config["LS_RECONCILE_SECONDS"]
        )

    @app.get("/healthz")
    def healthz():
        try:
            counts = _service().bot.index.store.counts()
        except StoreError as exc:
            return _error(503, f"store unavailable: {exc}")
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
            return _error(401, "missing or wrong bearer token (Authorization: Bearer …)")
        if not request.is_json:
            return _error(
                415, 'send JSON: Content-Type: application/json with a body like {"q": "青岛高新区 权力事项数量"}'
            )
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _error(400, "the body is not a JSON object")
        q = body.get("q")
        if not isinstance(q, str):
            return _error(400, 'missing field "q" (the question, a string)')
        if not q.strip():
            return _error(400, "the question is empty")
        if len(q) > MAX_QUESTION_CHARS:
            return _error(400, f"the question is too long ({len(q)} characters; at most {MAX_QUESTION_CHARS})")
        try:
            body = _service().bot.ask_json(q)
        except StoreError as exc:
            log.error("store error while answering: %s", exc)
            return _error(503, "the fact store is unavailable; try again shortly")
        return Response(body, mimetype="application/json")

    @app.post("/hooks/label-studio")
    def label_studio_hook():
        secret = current_app.config["LS_WEBHOOK_SECRET"]
        if not secret:
            return _error(404, "the Label Studio webhook is disabled (GAOXIN_LS_WEBHOOK_SECRET is not set)")
        given = request.headers.get("X-Gaoxin-Secret", "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return _error(401, "missing or wrong X-Gaoxin-Secret header")
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            return _error(400, "the webhook body is not a JSON object")
        from annotate.labelstudio import LabelStudioError, apply_webhook

        try:
            summary = apply_webhook(_service().bot.index.store, payload)
        except LabelStudioError as exc:
            return _error(422, str(exc))
        except StoreError as exc:
            log.error("store error in the Label Studio webhook: %s", exc)
            return _error(503, "the fact store is unavailable; the annotation will be reconciled later")
        return jsonify({"ok": True, **summary})

    @app.route("/webhook/<name>", methods=["GET", "POST"])
    def webhook(name: str):
        platforms: Platforms = current_app.extensions["gaoxin.platforms"]
        status = platforms.status.get(name)
        if status is None:
            return _error(404, f"no chat platform named {name!r} (known: {', '.join(platforms.status)})")
        adapter = platforms.adapters.get(name)
        if adapter is None:
            return _error(404, f"{status.title} is disabled: set {', '.join(status.missing)}")
        inbound = Inbound(request.method, request.args, request.headers, request.get_data(), request.content_type or "")
        try:
            out = adapter.handle(inbound, current_app.extensions["gaoxin.chat"])
        except Rejected as exc:
            log.warning("%s: refused a request: %s", name, exc.reason)
            return _error(exc.status, exc.reason)
        except StoreError as exc:
            log.error("store error in the %s webhook: %s", name, exc)
            return _error(503, "the fact store is unavailable; try again shortly")
        return Response(out.body, status=out.status, content_type=out.content_type, headers=dict(out.headers))

    @app.get("/")
    def index():
        return send_from_directory(STATIC, "index.html")

    @app.get("/static/<path:name>")
    def static_file(name: str):
        return send_from_directory(STATIC, name)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return _error(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error")
        return _error(500, "internal error; the details are in the server log")

    return app


_reconcilers: set[str] = set()


def start_reconciler(db_path: str, url: str, token: str, every: float) -> None:
    """Pull all annotations now and then every `every` seconds, in a daemon thread (one per process and store)."""
    if db_path in _reconcilers:
        return
    _reconcilers.add(db_path)

    def loop() -> None:
        import time

        from annotate.errors import AnnotateError
        from annotate.labelstudio import LabelStudioLink

        while True:
            try:
                store = Store.open(db_path, create=False)
                try:
                    result = LabelStudioLink(url, token).pull(store)
                    log.info("reconciled with Label Studio: %s", result)
                finally:
                    store.close()
            except (AnnotateError, StoreError) as exc:
                log.warning("reconcile with Label Studio failed: %s", exc)
            time.sleep(every)

    threading.Thread(target=loop, name="gaoxin-reconcile", daemon=True).start()


def _service() -> Service:
    return current_app.extensions["gaoxin"]


def _bearer_ok(token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())

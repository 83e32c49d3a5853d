"""Running the app under gunicorn (a production WSGI server), from `gaoxin serve`."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from .app import create_app


class GaoxinServer(BaseApplication):
    def __init__(self, options: dict[str, object], db: str | None = None) -> None:
        self.options = options
        self.db = db
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        app = create_app({"DB": self.db} if self.db else None)
        reconciler = app.extensions["gaoxin.reconciler"]
        if reconciler is not None:  # started in each worker as it boots: never a thread in the master
            self.cfg.set("post_worker_init", lambda worker: reconciler.ensure_started())
        if self.cfg.preload_app:
            app.extensions["gaoxin.platforms"].warm()  # e.g. lark-oapi's slow import, once for all workers
            app.extensions["gaoxin"].preload()  # the bot is built once, in the master, and shared by the workers
        return app


def serve(host: str, port: int, workers: int, db: str | None = None) -> None:
    GaoxinServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "sync",
            "timeout": 30,
            "accesslog": None,
            "preload_app": True,
        },
        db=db,
    ).run()

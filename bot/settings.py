"""Every setting, declared once: environment name, default, and what it is for.

The README's settings table is checked against this list by tests/test_docs.py.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Setting:
    env: str
    default: str
    help: str

    def get(self) -> str:
        return os.environ.get(self.env, self.default)


DB = Setting("GAOXIN_DB", "data/gaoxin.db", "Path of the SQLite store (created by `gaoxin ingest`).")
GOLD_DIR = Setting(
    "GAOXIN_GOLD_DIR",
    "",
    "Folder with dev_facts.jsonl and dev_queries.jsonl for `gaoxin eval`; empty means ../shared/gold "
    "next to the project, else the copy in tests/data/gold.",
)

API_TOKEN = Setting(
    "GAOXIN_API_TOKEN", "", "Bearer token required by POST /api/v1/ask (and the web page); empty means no token."
)
VERIFIED_ONLY = Setting(
    "GAOXIN_VERIFIED_ONLY", "0", "1 makes the bot answer only from facts a person has verified in Label Studio."
)
HOST = Setting("GAOXIN_HOST", "127.0.0.1", "Address `gaoxin serve` listens on.")
PORT = Setting("GAOXIN_PORT", "8000", "Port `gaoxin serve` listens on.")
WORKERS = Setting("GAOXIN_WORKERS", "2", "gunicorn worker processes for `gaoxin serve`.")

LS_URL = Setting("GAOXIN_LS_URL", "", "URL of the Label Studio server (empty: `gaoxin up` starts a local one).")
LS_TOKEN = Setting("GAOXIN_LS_TOKEN", "", "Label Studio API token (legacy token) for push, pull and status.")
LS_WEBHOOK_SECRET = Setting(
    "GAOXIN_LS_WEBHOOK_SECRET",
    "",
    "Shared secret Label Studio sends in X-Gaoxin-Secret; empty disables POST /hooks/label-studio.",
)
HOOK_URL = Setting(
    "GAOXIN_HOOK_URL",
    "",
    "URL Label Studio calls for annotations; empty means http://<GAOXIN_HOST>:<GAOXIN_PORT>/hooks/label-studio.",
)
LS_RECONCILE_SECONDS = Setting(
    "GAOXIN_LS_RECONCILE_SECONDS",
    "60",
    "How often the bot pulls all annotations to heal missed webhooks (0: never; also once at start).",
)

SETTINGS: tuple[Setting, ...] = (
    DB, GOLD_DIR, API_TOKEN, VERIFIED_ONLY, HOST, PORT, WORKERS,
    LS_URL, LS_TOKEN, LS_WEBHOOK_SECRET, HOOK_URL, LS_RECONCILE_SECONDS,
)  # fmt: skip


def hook_url() -> str:
    return HOOK_URL.get() or f"http://{HOST.get()}:{PORT.get()}/hooks/label-studio"


def flag(setting: Setting) -> bool:
    return setting.get().strip().lower() in ("1", "true", "yes", "on")


def gold_dir() -> Path:
    if GOLD_DIR.get():
        return Path(GOLD_DIR.get())
    shared = PROJECT_ROOT.parent / "shared" / "gold"
    return shared if (shared / "dev_facts.jsonl").exists() else PROJECT_ROOT / "tests" / "data" / "gold"

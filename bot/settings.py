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

SETTINGS: tuple[Setting, ...] = (DB, GOLD_DIR, API_TOKEN, VERIFIED_ONLY, HOST, PORT, WORKERS)


def flag(setting: Setting) -> bool:
    return setting.get().strip().lower() in ("1", "true", "yes", "on")


def gold_dir() -> Path:
    if GOLD_DIR.get():
        return Path(GOLD_DIR.get())
    shared = PROJECT_ROOT.parent / "shared" / "gold"
    return shared if (shared / "dev_facts.jsonl").exists() else PROJECT_ROOT / "tests" / "data" / "gold"

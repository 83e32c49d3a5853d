"""Datasette on the store, as `gaoxin up` serves it: read-only, with the project's metadata and canned queries.

Read-only is Datasette's default for a file given without `--immutable`: it reads through `mode=ro` connections
and writes nothing (no plugin here writes). The store is in WAL mode, so those reads never block the bot's writes,
and Datasette sees each write as soon as it is committed. `--immutable` would be wrong: the file changes while it runs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from annotate.lsserver import healthy
from annotate.vocab import CONFIG_DIR

METADATA = CONFIG_DIR / "datasette-metadata.yaml"  # read by Datasette itself (descriptions, licence, canned queries)
DATABASE = "gaoxin"  # the metadata's database name: Datasette names a database after its file (data/gaoxin.db)
HOST = "127.0.0.1"  # the store holds annotators' e-mails: never on another interface by default
DEFAULT_PORT = 8001
START_TIMEOUT = 30.0


def executable() -> str | None:
    """The datasette installed beside this Python (the project's venv), else one on PATH; None if there is none."""
    beside = Path(sys.executable).parent / "datasette"
    return str(beside) if beside.exists() else shutil.which("datasette")


def command(binary: str, db: Path, port: int, *settings: tuple[str, str]) -> list[str]:
    """The command line: the store (not --immutable), loopback, the metadata; `settings` are Datasette --setting pairs."""
    argv = [binary, "serve", str(db), "--host", HOST, "--port", str(port), "--metadata", str(METADATA)]
    for name, value in settings:
        argv += ["--setting", name, value]
    return argv


def url(db: Path, port: int) -> str:
    """The store's page: Datasette names a database after its file's stem."""
    return f"http://{HOST}:{port}/{db.stem}"


def launch(binary: str, db: Path, port: int, log: Path, *settings: tuple[str, str]) -> subprocess.Popen[bytes]:
    """Start it in its own session (stopped with its process group), its output (one line per request) in `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            command(binary, db, port, *settings),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_healthy(process: subprocess.Popen, port: int, timeout: float = START_TIMEOUT) -> bool:
    """Whether it answers /-/versions.json within `timeout` seconds (False at once if it exited)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if healthy(f"http://{HOST}:{port}", path="/-/versions.json"):
            return True
        time.sleep(0.2)
    return False

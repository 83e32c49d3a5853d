"""`gaoxin up` (and `make run`): Label Studio, the push, the bot and Datasette, started together and stopped together.

Stops on SIGINT (Ctrl-C) or SIGTERM sent to this process alone (systemd, `docker stop`, `kill <pid>`), at any
moment — while Label Studio is still starting, too — and stops everything it started, printing one line for each.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click

from annotate.gazetteer import load_gazetteer
from annotate.labelstudio import LabelStudioLink, default_cache
from annotate.lsserver import LabelStudioServer, healthy
from store import Store

from . import datasette, settings

LS_DATA = settings.PROJECT_ROOT / "data" / "label-studio"
SAMPLE_QUESTION = "青岛高新区 权力事项数量"
BOT_START_TIMEOUT = 120.0
STOP_GRACE = 8.0  # seconds each process gets to exit before it is killed; both are stopped at once


class Stop(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt, so the same clean-up runs."""


def run_all(db: Path, bot_port: int, ls_port: int, ls_data: Path = LS_DATA, datasette_port: int = 0) -> None:
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    started: list[tuple[str, subprocess.Popen, bool]] = []  # (what, process, its own process group)
    try:
        _run(db, bot_port, ls_port, ls_data, datasette_port, started)
    except KeyboardInterrupt:
        click.echo("\ngaoxin: stopping…")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut the clean-up short
            signal.signal(sig, signal.SIG_IGN)
        _stop_all(started)
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _run(db: Path, bot_port: int, ls_port: int, ls_data: Path, datasette_port: int, started: list) -> None:
    secret = settings.LS_WEBHOOK_SECRET.get() or _secret(ls_data)
    external = settings.LS_URL.get()
    login = ""
    if external:
        url, token = external, settings.LS_TOKEN.get()
        click.echo(f"Label Studio: using {url}")
    else:
        template = default_cache() / "label-studio-template"
        if not ls_data.exists() and (template / ".migrated").exists():
            shutil.copytree(template, ls_data)  # skips a minute of migrations
        server = LabelStudioServer(ls_data, port=ls_port)
        first = not (ls_data / "label_studio.sqlite3").exists()
        click.echo(
            f"Label Studio: starting on {server.url} (data in {ls_data}"
            + ("; the first start migrates for about a minute" if first else "")
            + ")…"
        )
        server.launch()
        started.append(("Label Studio", server.process, True))
        server.wait_until_healthy()
        url, token = server.url, server.credentials.token
        c = server.credentials
        login = f"user {c.username}  password {c.password}"
    bot_url = f"http://{settings.HOST.get()}:{bot_port}"
    store = Store.open(db, create=False)
    try:
        link = LabelStudioLink(url, token)
        pushed = link.push(store, load_gazetteer())
        link.connect(f"{bot_url}/hooks/label-studio", secret)
    finally:
        store.close()
    click.echo(
        f"Label Studio: project {pushed.project_id}: {pushed.new} new tasks, {pushed.refreshed} refreshed, "
        f"{pushed.untouched} annotated left alone; webhook → {bot_url}/hooks/label-studio"
    )
    browse = _start_datasette(db, datasette_port, started) if datasette_port else None
    env = {**os.environ, "GAOXIN_DB": str(db), "GAOXIN_LS_URL": url, "GAOXIN_LS_TOKEN": token,
           "GAOXIN_LS_WEBHOOK_SECRET": secret, "GAOXIN_PORT": str(bot_port)}  # fmt: skip
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(bot_port), "--db", str(db)], env=env
    )
    started.append(("the bot (gunicorn)", bot, False))
    _wait_for_bot(bot, bot_url)
    if browse and not datasette.wait_until_healthy(browse[1], datasette_port):
        click.echo(f"Datasette: did not start (see {db.parent / 'datasette.log'}); going on without it", err=True)
        browse = None
    _print_ready(bot_url, f"{url}/projects/{pushed.project_id}/data", login, browse[0] if browse else "")
    ls = started[0][1] if not external else None
    while bot.poll() is None and (ls is None or ls.poll() is None):
        time.sleep(0.5)
    for what, process, _ in started:
        if process.poll() is not None:
            click.echo(f"gaoxin: {what} exited with code {process.returncode}; stopping the rest", err=True)


def _wait_for_bot(bot: subprocess.Popen, bot_url: str) -> None:
    deadline = time.monotonic() + BOT_START_TIMEOUT
    while time.monotonic() < deadline:
        if bot.poll() is not None:
            raise click.ClickException(f"the bot exited with code {bot.returncode} while starting (see above)")
        if healthy(bot_url, path="/healthz"):
            return
        time.sleep(0.3)
    raise click.ClickException(f"the bot did not answer on {bot_url}/healthz within {BOT_START_TIMEOUT:.0f} s")


def _start_datasette(db: Path, port: int, started: list) -> tuple[str, subprocess.Popen] | None:
    """Datasette on the store, read-only (see bot/datasette.py); its URL and process, or None if not installed."""
    binary = datasette.executable()
    if binary is None:
        click.echo("Datasette: not installed (`make install` installs it); going on without it", err=True)
        return None
    if db.stem != datasette.DATABASE:
        click.echo(f"Datasette: {db.name} is not named {datasette.DATABASE}.db, so it is served without descriptions "
                   "and canned queries (Datasette names a database after its file)", err=True)  # fmt: skip
    process = datasette.launch(binary, db, port, db.parent / "datasette.log")
    started.append(("Datasette", process, True))
    return datasette.url(db, port), process


def _print_ready(bot_url: str, ls_url: str, login: str, datasette_url: str = "") -> None:
    body = json.dumps({"q": SAMPLE_QUESTION}, ensure_ascii=False)
    rule = "─" * 72
    browse = [f"  Datasette      {datasette_url}  (the store, read-only; queries under it)"] if datasette_url else []
    lines = [
        rule,
        "gaoxin is running.",
        f"  Chat page      {bot_url}/",
        f"  Label Studio   {ls_url}" + (f"\n                 {login}" if login else ""),
        *browse,
        f"  Ask by API     curl -s {bot_url}/api/v1/ask -H 'Content-Type: application/json' -d '{body}'",
        f"  Stop           Ctrl-C here, or kill {os.getpid()} (SIGINT or SIGTERM): everything started here stops.",
        rule,
    ]
    click.echo("\n".join(lines))


def _stop_all(started: list[tuple[str, subprocess.Popen, bool]]) -> None:
    """Signal every process at once, give them STOP_GRACE seconds together, kill what is left; a line each."""
    for what, p, _ in started:
        if p.poll() is not None:
            click.echo(f"gaoxin: {what} had already exited (code {p.returncode})")
    live = [(what, p, group) for what, p, group in reversed(started) if p.poll() is None]
    for _, p, group in live:
        _signal(p, signal.SIGTERM if group else signal.SIGINT, group)  # Label Studio's server ignores SIGINT for long
    deadline = time.monotonic() + STOP_GRACE
    for what, p, group in live:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
            how = "stopped"
        except subprocess.TimeoutExpired:
            _signal(p, signal.SIGKILL, group)
            p.wait(timeout=5)
            how = f"killed (no exit within {STOP_GRACE:.0f} s)"
        click.echo(f"gaoxin: {how}: {what} (pid {p.pid})")


def _signal(p: subprocess.Popen, sig: int, group: bool) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if group:
            os.killpg(p.pid, sig)  # Label Studio runs in its own session: its workers go with it
        else:
            p.send_signal(sig)


def _raise_stop(signum, frame) -> None:
    raise Stop()


def _secret(data: Path) -> str:
    path = data / "gaoxin-webhook-secret"
    if not path.exists():
        data.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(16), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


__all__ = ["run_all", "healthy"]

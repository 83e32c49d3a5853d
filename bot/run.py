"""`gaoxin up` (and `make run`): Label Studio, the push, and the bot, started together and stopped together."""

from __future__ import annotations

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

from . import settings

LS_DATA = settings.PROJECT_ROOT / "data" / "label-studio"


def run_all(db: Path, bot_port: int, ls_port: int) -> None:
    secret = settings.LS_WEBHOOK_SECRET.get() or _secret(LS_DATA)
    external = settings.LS_URL.get()
    server = None
    if external:
        url, token = external, settings.LS_TOKEN.get()
        click.echo(f"Label Studio: using {url}")
    else:
        if not LS_DATA.exists() and (default_cache() / "label-studio-template" / ".migrated").exists():
            shutil.copytree(default_cache() / "label-studio-template", LS_DATA)  # skips a minute of migrations
        server = LabelStudioServer(LS_DATA, port=ls_port)
        click.echo(
            f"Label Studio: starting on {server.url} (data in {LS_DATA}; the first start migrates for about a minute)…"
        )
        server.start()
        url, token = server.url, server.credentials.token
        c = server.credentials
        click.echo(f"Label Studio: {url}  user {c.username}  password {c.password}  API token {token}")
    bot_url = f"http://{settings.HOST.get()}:{bot_port}"
    env = {**os.environ, "GAOXIN_DB": str(db), "GAOXIN_LS_URL": url, "GAOXIN_LS_TOKEN": token,
           "GAOXIN_LS_WEBHOOK_SECRET": secret, "GAOXIN_PORT": str(bot_port)}  # fmt: skip
    bot = None
    try:
        store = Store.open(db, create=False)
        link = LabelStudioLink(url, token)
        pushed = link.push(store, load_gazetteer())
        link.connect(f"{bot_url}/hooks/label-studio", secret)
        store.close()
        click.echo(
            f"Label Studio: project {pushed.project_id}, {pushed.new} new tasks, {pushed.refreshed} refreshed; webhook → {bot_url}/hooks/label-studio"
        )
        click.echo(f"Annotate at {url}/projects/{pushed.project_id}/data — answers change as you submit.")
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(bot_port), "--db", str(db)], env=env
        )
        while bot.poll() is None and (server is None or server.process.poll() is None):
            time.sleep(0.5)
    except KeyboardInterrupt:
        click.echo("\nstopping…")
    finally:
        if bot is not None and bot.poll() is None:
            bot.send_signal(signal.SIGINT)
            try:
                bot.wait(timeout=10)
            except subprocess.TimeoutExpired:
                bot.kill()
        if server is not None:
            server.stop()


def _secret(data: Path) -> str:
    path = data / "gaoxin-webhook-secret"
    if not path.exists():
        data.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(16), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


__all__ = ["run_all", "healthy"]

"""A working day with `gaoxin up`: start, annotate, read the store file, stop with a signal, start again, ask.

These run the real thing (gunicorn workers, the real Label Studio, the CLI in a subprocess), because every
failure they guard against lived between processes: an SDK call made only on a restart, a signal that stopped
nothing, a store file the workers wrote while nobody else could see it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from annotate.labelstudio import LabelStudioLink
from annotate.lsserver import free_port, migrated_template

from .conftest import LS_QUESTION, ROOT

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]

READY = "gaoxin is running."
STOP_WITHIN = 15.0


class Up:
    """One `gaoxin up` in a subprocess, its output kept in a file."""

    def __init__(
        self, tmp: Path, db: Path, ls_data: Path, port: int, ls_port: int, run: int, datasette_port: int
    ) -> None:
        self.log = tmp / f"up-{run}.log"
        self.port, self.ls_port, self.ls_data = port, ls_port, ls_data
        env = {k: v for k, v in os.environ.items() if not k.startswith("GAOXIN_")}
        env["GAOXIN_WORKERS"] = "2"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "up", "--db", str(db), "--ls-data", str(ls_data),
                 "--port", str(port), "--ls-port", str(ls_port), "--datasette-port", str(datasette_port)],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = 240.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if READY in self.output:
                return
            assert self.process.poll() is None, f"gaoxin up exited ({self.process.returncode}):\n{self.output}"
            time.sleep(0.5)
        self.process.kill()
        raise AssertionError(f"gaoxin up was not ready within {timeout:.0f} s:\n{self.output}")

    def stop(self, sig: int) -> float:
        """Signal the `gaoxin up` process alone (not its group); the seconds it took to exit."""
        started = time.monotonic()
        os.kill(self.process.pid, sig)
        try:
            code = self.process.wait(timeout=STOP_WITHIN + 10)
        except subprocess.TimeoutExpired:
            os.killpg(os.getpgid(self.process.pid), signal.SIGKILL)
            raise AssertionError(f"gaoxin up did not exit after {sig!r}:\n{self.output}") from None
        took = time.monotonic() - started
        assert "Traceback" not in self.output, self.output
        assert code == 0, self.output
        return took

    def stopped_pids(self) -> dict[str, int]:
        return {
            m[1]: int(m[2]) for m in re.finditer(r"gaoxin: (?:stopped|killed[^:]*): (.+?) \(pid (\d+)\)", self.output)
        }


def get(url: str, data: dict | None = None) -> dict:
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"} if body else {})
    with urllib.request.urlopen(req, timeout=10) as response:
        return json.loads(response.read())


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is gone, only not yet reaped
        return f.read().split(")")[-1].split()[0] != "Z"


def children_of(pid: int) -> set[int]:
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.split(")")[-1].split()[1]) == pid:
                found.add(int(entry.name))
    return found | {g for c in found for g in children_of(c)}


@pytest.fixture
def ups():
    """Every `gaoxin up` a test starts; one still running at the end (the test failed) is stopped with its children."""
    started: list[Up] = []
    yield started
    for up in started:
        if up.process.poll() is None:
            up.process.send_signal(signal.SIGTERM)
            try:
                up.process.wait(timeout=STOP_WITHIN + 10)
            except subprocess.TimeoutExpired:
                up.process.kill()


def test_a_working_day_start_annotate_stop_restart(own_store, tmp_path, ups):
    db, ls_data = own_store, tmp_path / "label-studio"
    port, ls_port, datasette_port = free_port(), free_port(), free_port()
    migrated_template(ROOT / "data" / "ls-cache")  # `gaoxin up` copies it into a new data folder, as `make run` does

    # ── morning: the first start (Label Studio's data made from the migrated template, the push, the bot) ──
    first = Up(tmp_path, db, ls_data, port, ls_port, 1, datasette_port)
    ups.append(first)
    first.wait_ready()
    bot_url, ls_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{ls_port}"
    assert get(f"{bot_url}/healthz")["ok"] is True
    assert get(f"{ls_url}/health")
    version = get(f"{ls_url}/api/version")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    backend = json.dumps(version)
    assert "1.23.2" in backend, backend
    assert not head or head not in backend, "Label Studio reports the project's commit as its own version"
    browse = f"http://127.0.0.1:{datasette_port}/{db.stem}"
    assert f"Datasette      {browse}" in first.output, first.output
    assert get(f"{browse}/zone.json?_shape=array&zone=%E9%9D%92%E5%B2%9B")  # 青岛: the canned query answers
    spawned = children_of(first.process.pid)
    assert len(spawned) >= 4, spawned  # Label Studio, gunicorn's master and its workers, Datasette

    # ── an annotator accepts 394项 in Label Studio: the file people query shows it within a second ──
    creds = json.loads((ls_data / "gaoxin-credentials.json").read_text())
    link = LabelStudioLink(ls_url, creds["token"])
    pid = link.project_id(create=False)
    task = next(t for t in link.ls.tasks.list(project=pid, fields="all") if "共394项" in t.data["text"])
    prediction = [dict(r) for r in link.ls.predictions.list(task=task.id)[0].result]
    before = datetime.now(UTC)
    link.ls.annotations.create(id=task.id, result=prediction, lead_time=3.0, was_cancelled=False, ground_truth=False)
    submitted = time.monotonic()
    reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True)  # as `sqlite3 data/gaoxin.db` would
    row = None
    while time.monotonic() - submitted < 1.0:
        row = reader.execute(
            """SELECT h.at FROM fact_history h JOIN facts f ON f.id = h.fact_id
               WHERE f.value = 394 AND f.status = 'verified' AND h.action = 'verified'"""
        ).fetchone()
        if row:
            break
        time.sleep(0.05)
    assert row is not None, "the submit is not in the store file within 1 s"
    at = datetime.fromisoformat(row[0])
    assert before.timestamp() - 1 <= at.timestamp() <= before.timestamp() + 2, (before, at)  # dated at the submit
    received = reader.execute("SELECT max(received_at) FROM ls_annotations").fetchone()[0]
    assert abs(datetime.fromisoformat(received).timestamp() - at.timestamp()) < 1.0
    reader.close()
    assert get(f"{browse}/facts.json?_shape=array&value=394&status=verified"), "Datasette does not show it"
    assert "已核实" in get(f"{bot_url}/api/v1/ask", {"q": LS_QUESTION})["text"]

    # ── evening: SIGTERM to `gaoxin up` alone stops everything it started, a line each ──
    took = first.stop(signal.SIGTERM)
    assert took < STOP_WITHIN, f"stopping took {took:.1f} s"
    stopped = first.stopped_pids()
    assert {"Label Studio", "the bot (gunicorn)", "Datasette"} <= set(stopped), first.output
    time.sleep(0.5)
    assert [p for p in spawned if alive(p)] == [], f"left running: {[p for p in spawned if alive(p)]}"

    # ── next morning: the same data, started again (the webhook exists now and is updated) ──
    second = Up(tmp_path, db, ls_data, port, ls_port, 2, datasette_port)
    ups.append(second)
    second.wait_ready(timeout=120)
    assert "0 new tasks" in second.output, second.output
    reply = get(f"{bot_url}/api/v1/ask", {"q": LS_QUESTION})
    assert reply["status"] == "answered" and "394项" in reply["text"] and "已核实" in reply["text"], reply
    hooks = link.ls.webhooks.list(project=str(pid))
    assert len(hooks) == 1, hooks  # repaired in place, not a second one
    spawned = children_of(second.process.pid)
    took = second.stop(signal.SIGINT)
    assert took < STOP_WITHIN, f"stopping took {took:.1f} s"
    time.sleep(0.5)
    assert [p for p in spawned if alive(p)] == []
    for line in (first.output + second.output).splitlines():
        assert "Traceback" not in line


def test_push_and_connect_run_twice_from_the_cli(ls_server, own_store, tmp_path):
    """The second push and the second connect find the project and the webhook and update them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GAOXIN_")}
    env.update(GAOXIN_LS_URL=ls_server.url, GAOXIN_LS_TOKEN=ls_server.credentials.token,
               GAOXIN_LS_WEBHOOK_SECRET="s3cret", GAOXIN_HOOK_URL="http://127.0.0.1:9/hooks/label-studio")  # fmt: skip
    title = "gaoxin 事实校对"  # the CLI's own project title: this test owns the shared server's project of that name
    link = LabelStudioLink(ls_server.url, ls_server.credentials.token, title=title)

    def cli(*args: str) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=300)  # fmt: skip
        assert "Traceback" not in result.stdout + result.stderr, result.stderr
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    try:
        for _ in range(2):
            cli("annotate", "push", "--db", str(own_store))
            cli("annotate", "connect")
        second = cli("annotate", "push", "--db", str(own_store)).stdout
        assert " 0 new tasks" in second and "webhook registered" in second, second
        hooks = link.ls.webhooks.list(project=str(link.project_id(create=False)))
        assert [h.url for h in hooks] == ["http://127.0.0.1:9/hooks/label-studio"]
    finally:
        link.ls.projects.delete(id=link.project_id(create=False))

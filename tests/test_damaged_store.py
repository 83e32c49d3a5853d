"""A damaged store file (random bytes, truncated, pages scrambled): one `Error:` line from every command and from
`gaoxin serve`, and 503 from the running app, never a traceback or a 500."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate.lsserver import free_port
from bot.app import create_app
from bot.cli import main

QUESTION = "青岛高新区 权力事项数量"
PAGE = 4096


def scramble(path: Path, *, seed: int = 2) -> None:
    """Overwrite bytes in the second half of the file's pages, in place: it still opens, its reads fail."""
    with sqlite3.connect(path) as conn:  # every page in the main file first: the WAL would hide the damage
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    rng = random.Random(seed)
    data = bytearray(path.read_bytes())
    pages = len(data) // PAGE
    for page in range(pages // 2, pages):
        for i in range(page * PAGE + 100, (page + 1) * PAGE, 50):
            data[i] = rng.randrange(256)
    with open(path, "r+b") as f:  # the same file (inode), as a disk fault or a stray write would leave it
        f.write(data)


@pytest.fixture(params=["scrambled", "random", "truncated"])
def damaged(request, own_store) -> Path:
    with sqlite3.connect(own_store) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if request.param == "scrambled":
        scramble(own_store)
    elif request.param == "random":
        own_store.write_bytes(random.Random(1).randbytes(200_000))
    else:
        own_store.write_bytes(own_store.read_bytes()[:20_000])
    return own_store


def one_error_line(output: str) -> bool:
    return output.count("\n") == 1 and output.startswith("Error: ") and "Traceback" not in output


@pytest.mark.parametrize("args", [["facts"], ["ask", QUESTION]], ids=["facts", "ask"])
def test_commands_on_a_damaged_store_print_one_error_line(damaged, args):
    result = CliRunner().invoke(main, [*args, "--db", str(damaged)])
    assert result.exit_code == 1, result.output
    assert one_error_line(result.output), result.output


def test_serve_on_a_damaged_store_says_so_in_one_line(own_store):
    scramble(own_store)
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--db", str(own_store), "--port", str(free_port())],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and one_error_line(run.stderr), run.stderr
    assert "damaged" in run.stderr


@pytest.mark.parametrize("port", ["99999", "0", "-1", "http"])
def test_serve_refuses_a_port_that_is_none(own_store, port):
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--db", str(own_store), "--port", port],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2 and "Traceback" not in run.stderr and "--port" in run.stderr, run.stderr


def test_damaged_while_serving_is_503(own_store):
    client = create_app({"DB": str(own_store), "TESTING": True, "API_TOKEN": ""}).test_client()
    assert client.post("/api/v1/ask", json={"q": QUESTION}).status_code == 200
    scramble(own_store)
    response = client.post("/api/v1/ask", json={"q": "大连高新区 发明专利拥有量"})
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.get_json()["code"] == "store_unavailable"
    assert client.get("/healthz").status_code == 503

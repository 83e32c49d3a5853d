"""Running a local Label Studio headlessly: an admin user and API token from the environment, no prompts.

Label Studio migrates its database on the first start (about a minute here); a migrated data
directory copied to a new place starts in about 5 s, so tests keep one migrated template and copy it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import AnnotateError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BIN = PROJECT_ROOT / ".venv-ls" / "bin" / "label-studio"
CREDENTIALS = "gaoxin-credentials.json"


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    password: str
    token: str  # legacy API token (40 characters), enabled on the first start

    @classmethod
    def load_or_create(cls, data_dir: Path) -> Credentials:
        """The data directory's admin credentials, generated once and kept next to its database."""
        path = data_dir / CREDENTIALS
        if path.exists():
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        data_dir.mkdir(parents=True, exist_ok=True)
        creds = cls("admin@gaoxin.local", secrets.token_urlsafe(12), secrets.token_hex(20))
        path.write_text(json.dumps(asdict(creds)), encoding="utf-8")
        path.chmod(0o600)
        return creds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabelStudioServer:
    """One `label-studio start` process bound to 127.0.0.1, with its own data directory."""

    def __init__(self, data_dir: Path, port: int | None = None, binary: Path | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.binary = Path(os.environ.get("GAOXIN_LS_BIN", binary or DEFAULT_BIN))
        self.credentials = Credentials.load_or_create(data_dir)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("USERNAME", "PASSWORD", "PORT", "HOST")}
        env.update(
            LABEL_STUDIO_BASE_DATA_DIR=str(self.data_dir),
            LABEL_STUDIO_USERNAME=self.credentials.username,
            LABEL_STUDIO_PASSWORD=self.credentials.password,
            LABEL_STUDIO_USER_TOKEN=self.credentials.token,
            LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",  # only takes effect on the very first start
            LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK="true",
            SSRF_PROTECTION_ENABLED="false",  # lets Label Studio call the bot's webhook on 127.0.0.1
            LATEST_VERSION_CHECK="false",
            COLLECT_ANALYTICS="false",
            SENTRY_DSN="",
            FRONTEND_SENTRY_DSN="",
            # Label Studio names its version after `git describe` run in its own package folder; with its venv
            # inside our work tree, git would find our repository and report our commit as Label Studio's (and
            # write it into the package). Git may not climb above the venv: Label Studio keeps its own version.
            GIT_CEILING_DIRECTORIES=str(self.binary.resolve().parent.parent),
        )
        return env

    def start(self, timeout: float = 240.0) -> LabelStudioServer:
        self.launch()
        return self.wait_until_healthy(timeout)

    def launch(self) -> subprocess.Popen[bytes]:
        """Start the process (in its own session, so that stopping it stops its workers too)."""
        if not self.binary.exists():
            raise AnnotateError(f"{self.binary}: Label Studio is not installed (run `make install`)")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with (self.data_dir / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                [str(self.binary), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(self.port)],
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self.process

    def wait_until_healthy(self, timeout: float = 240.0) -> LabelStudioServer:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AnnotateError(
                    f"Label Studio exited with code {self.process.returncode}; see {self.data_dir / 'server.log'}"
                )
            if healthy(self.url):
                return self
            time.sleep(0.5)
        self.stop()
        raise AnnotateError(
            f"Label Studio did not answer on {self.url} within {timeout:.0f} s; see {self.data_dir / 'server.log'}"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGINT)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def __enter__(self) -> LabelStudioServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def healthy(url: str, path: str = "/health") -> bool:
    try:
        with urllib.request.urlopen(f"{url}{path}", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def migrated_template(cache: Path) -> Path:
    """A data directory Label Studio has already migrated (built once: about a minute)."""
    template = cache / "label-studio-template"
    marker = template / ".migrated"
    if marker.exists():
        return template
    if template.exists():
        shutil.rmtree(template)
    with LabelStudioServer(template):
        pass
    marker.write_text("ok", encoding="utf-8")
    return template


def copy_of_template(cache: Path, dest: Path) -> Path:
    """A fresh, already-migrated data directory at `dest` (its admin user and token included)."""
    shutil.copytree(migrated_template(cache), dest)
    return dest

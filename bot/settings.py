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

    @property
    def key(self) -> str:
        """The app.config key: the name without GAOXIN_ (tests set it through create_app's test_config)."""
        return self.env.removeprefix("GAOXIN_")


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

# ── chat platforms (bot/platforms/): a platform whose secrets are not all set is disabled, never open ──
DINGTALK_APP_SECRET = Setting(
    "GAOXIN_DINGTALK_APP_SECRET",
    "",
    "DingTalk enterprise robot's AppSecret (HTTP mode); enables POST /webhook/dingtalk.",
)
WECOM_TOKEN = Setting("GAOXIN_WECOM_TOKEN", "", "WeCom self-built app's callback Token (with the AES key and corp ID).")
WECOM_AES_KEY = Setting("GAOXIN_WECOM_AES_KEY", "", "WeCom callback EncodingAESKey (43 characters).")
WECOM_CORP_ID = Setting(
    "GAOXIN_WECOM_CORP_ID", "", "WeCom CorpID (企业ID); the three WeCom settings enable /webhook/wecom."
)
FEISHU_APP_ID = Setting("GAOXIN_FEISHU_APP_ID", "", "Feishu/Lark app ID (cli_…), for replies through the API.")
FEISHU_APP_SECRET = Setting("GAOXIN_FEISHU_APP_SECRET", "", "Feishu/Lark app secret.")
FEISHU_VERIFICATION_TOKEN = Setting(
    "GAOXIN_FEISHU_VERIFICATION_TOKEN", "", "Feishu event subscription Verification Token (checked in every event)."
)
FEISHU_ENCRYPT_KEY = Setting(
    "GAOXIN_FEISHU_ENCRYPT_KEY",
    "",
    "Feishu event Encrypt Key: events arrive encrypted and signed (X-Lark-Signature). With the app ID and "
    "secret, this or the verification token enables /webhook/feishu.",
)
FEISHU_DOMAIN = Setting(
    "GAOXIN_FEISHU_DOMAIN", "https://open.feishu.cn", "Feishu Open API address (Lark: https://open.larksuite.com)."
)
SLACK_SIGNING_SECRET = Setting("GAOXIN_SLACK_SIGNING_SECRET", "", "Slack app's Signing Secret.")
SLACK_BOT_TOKEN = Setting(
    "GAOXIN_SLACK_BOT_TOKEN", "", "Slack bot token (xoxb-…); with the signing secret, enables /webhook/slack."
)
SLACK_API_URL = Setting("GAOXIN_SLACK_API_URL", "https://slack.com/api/", "Slack Web API address.")
MATTERMOST_TOKEN = Setting(
    "GAOXIN_MATTERMOST_TOKEN",
    "",
    "Mattermost slash-command or outgoing-webhook token; several, comma-separated (each integration has its own). "
    "Enables /webhook/mattermost.",
)
TEAMS_SECURITY_TOKEN = Setting(
    "GAOXIN_TEAMS_SECURITY_TOKEN",
    "",
    "Microsoft Teams outgoing webhook's security token (base64, shown once when it is created); one per team, "
    "several comma-separated. Enables /webhook/teams.",
)

PLATFORM_SETTINGS: tuple[Setting, ...] = (
    DINGTALK_APP_SECRET, WECOM_TOKEN, WECOM_AES_KEY, WECOM_CORP_ID,
    FEISHU_APP_ID, FEISHU_APP_SECRET, FEISHU_VERIFICATION_TOKEN, FEISHU_ENCRYPT_KEY, FEISHU_DOMAIN,
    SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL, MATTERMOST_TOKEN, TEAMS_SECURITY_TOKEN,
)  # fmt: skip

SETTINGS: tuple[Setting, ...] = (
    DB, GOLD_DIR, API_TOKEN, VERIFIED_ONLY, HOST, PORT, WORKERS,
    LS_URL, LS_TOKEN, LS_WEBHOOK_SECRET, HOOK_URL, LS_RECONCILE_SECONDS,
    *PLATFORM_SETTINGS,
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

"""Slack adapter (to be written)."""

from __future__ import annotations

from .. import settings
from .base import Platform


class Slack(Platform):
    name = "slack"
    title = "Slack"
    required = (settings.SLACK_SIGNING_SECRET, settings.SLACK_BOT_TOKEN)

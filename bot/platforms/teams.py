"""Microsoft Teams adapter (to be written)."""

from __future__ import annotations

from .. import settings
from .base import Platform


class Teams(Platform):
    name = "teams"
    title = "Microsoft Teams"
    required = (settings.TEAMS_SECURITY_TOKEN,)

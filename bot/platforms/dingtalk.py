"""DingTalk adapter (to be written)."""

from __future__ import annotations

from .. import settings
from .base import Platform


class DingTalk(Platform):
    name = "dingtalk"
    title = "DingTalk"
    required = (settings.DINGTALK_APP_SECRET,)

"""Feishu adapter (to be written)."""

from __future__ import annotations

from .. import settings
from .base import Platform


class Feishu(Platform):
    name = "feishu"
    title = "Feishu"
    required = (settings.FEISHU_APP_ID, settings.FEISHU_APP_SECRET)

"""WeCom adapter (to be written)."""

from __future__ import annotations

from .. import settings
from .base import Platform


class WeCom(Platform):
    name = "wecom"
    title = "WeCom"
    required = (settings.WECOM_TOKEN, settings.WECOM_AES_KEY, settings.WECOM_CORP_ID)

"""Chat platforms: one small adapter module each, around the same question-answering core (base.Chat).

The registry is a plain dict, route name → adapter class. Adapter modules import their platform's
library lazily, so a disabled platform costs nothing at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .base import Chat, Inbound, Message, Outbound, Platform, PlatformConfigError, Rejected
from .dingtalk import DingTalk
from .feishu import Feishu
from .mattermost import Mattermost
from .slack import Slack
from .teams import Teams
from .wecom import WeCom

PLATFORMS: dict[str, type[Platform]] = {
    cls.name: cls for cls in (DingTalk, WeCom, Feishu, Slack, Mattermost, Teams)
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PlatformStatus:
    name: str
    title: str
    route: str
    missing: tuple[str, ...]  # settings still to set; empty when enabled

    @property
    def enabled(self) -> bool:
        return not self.missing


class Platforms:
    """The adapters of one app, built once from its config: enabled ones ready, disabled ones with what they lack."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.adapters: dict[str, Platform] = {}
        self.status: dict[str, PlatformStatus] = {}
        for name, cls in PLATFORMS.items():
            missing = tuple(cls.missing(config))
            if not missing:
                self.adapters[name] = cls(config)  # a malformed setting raises PlatformConfigError here
            self.status[name] = PlatformStatus(name, cls.title, f"/webhook/{name}", missing)

    def warm(self) -> None:
        """Load what the enabled adapters need (in gunicorn's master, before the workers fork)."""
        for adapter in self.adapters.values():
            adapter.warm()


__all__ = [
    "PLATFORMS", "Chat", "Inbound", "Message", "Outbound", "Platform", "PlatformConfigError", "PlatformStatus",
    "Platforms", "Rejected",
]  # fmt: skip

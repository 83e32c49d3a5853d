"""README.md documents every `gaoxin` command and every setting, as declared in the code."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from bot.cli import main
from bot.platforms import PLATFORMS
from bot.settings import SETTINGS

README = Path(__file__).resolve().parent.parent / "README.md"


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    names: list[str] = []
    for name, command in sorted(group.commands.items()):
        names.append(f"{prefix}{name}")
        if isinstance(command, click.Group):
            names += _commands(command, f"{prefix}{name} ")
    return names


COMMANDS = _commands(main)


@pytest.fixture(scope="module")
def readme() -> str:
    assert README.is_file(), f"{README} is missing"
    return README.read_text(encoding="utf-8")


def test_the_cli_has_commands():
    assert {"ingest", "extract", "facts", "eval"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_documented(readme, name):
    assert re.search(rf"\bgaoxin {re.escape(name)}\b", readme), f"README.md does not mention `gaoxin {name}`"


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.env for s in SETTINGS])
def test_every_setting_is_documented(readme, setting):
    assert re.search(rf"\b{re.escape(setting.env)}\b", readme), f"README.md does not mention {setting.env}"


@pytest.mark.parametrize("setting", [s for s in SETTINGS if s.default], ids=[s.env for s in SETTINGS if s.default])
def test_settings_table_gives_the_declared_default(readme, setting):
    rows = [line for line in readme.splitlines() if line.startswith("|") and f"`{setting.env}`" in line]
    assert rows, f"README.md has no settings table row for {setting.env}"
    assert any(setting.default in row for row in rows), f"README.md gives another default for {setting.env}"


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_every_chat_platform_has_a_readme_section(readme, name):
    """Its section names the webhook URL and every setting that enables it."""
    cls = PLATFORMS[name]
    heading = next((line for line in readme.splitlines() if line.startswith(f"### {cls.title}")), None)
    assert heading, f"README.md has no '### {cls.title}' section"
    section = readme.split(heading, 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    assert f"/webhook/{name}" in section
    for setting in cls.required:
        assert setting.env in section, f"the {cls.title} section does not name {setting.env}"

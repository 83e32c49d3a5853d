"""Every call into label-studio-sdk goes through one guard: whatever fails, the user gets one line, no traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from annotate.labelstudio import LabelStudioError, LabelStudioLink
from annotate.lsserver import free_port
from bot.cli import main


def test_a_wrong_keyword_to_the_sdk_is_a_labelstudio_error_not_a_typeerror():
    link = LabelStudioLink(f"http://127.0.0.1:{free_port()}", "token")
    with pytest.raises(LabelStudioError, match=r"webhooks\.update .*TypeError.*project"):
        link.ls.webhooks.update(id=1, project=2)  # the call that crashed every second `make run`


def test_a_pager_is_read_inside_the_guard():
    link = LabelStudioLink(f"http://127.0.0.1:{free_port()}", "token")
    with pytest.raises(LabelStudioError, match=r"not reachable .*tasks\.list"):
        link.ls.tasks.list(project=1)


def test_an_sdk_bug_reaches_the_cli_as_one_error_line(monkeypatch, store):
    import label_studio_sdk.users.client as users

    def broken(self, *args, **kwargs):
        raise TypeError("whoami() got an unexpected keyword argument 'x'")

    monkeypatch.setattr(users.UsersClient, "whoami", broken)
    monkeypatch.setattr(LabelStudioLink, "push", lambda self, store, gaz: self.check())
    monkeypatch.setenv("GAOXIN_LS_WEBHOOK_SECRET", "")
    result = CliRunner().invoke(
        main, ["annotate", "push", "--url", "http://127.0.0.1:1", "--token", "t", "--db", str(store.path)]
    )
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("Error: "), result.output
    assert "users.whoami" in result.output and "TypeError" in result.output

"""``naeringsbot doctor``: the go-live checklist with a complete and with an incomplete config."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import Config
from bot.doctor import BotApiError, run_checks
from tests.offline import config_for

STAFF_CHAT = -100200


def telegram(member_status: str = "administrator", fail: str | None = None) -> Any:
    """A stand-in Bot API answering what doctor asks."""
    def call(method: str, params: dict[str, Any]) -> Any:
        if method == fail:
            raise BotApiError("Bad Request: chat not found")
        return {"getMe": {"id": 99, "username": "naeringsbot"},
                "getChat": {"id": STAFF_CHAT, "title": "Næring", "is_forum": True},
                "getChatMember": {"status": member_status, "can_manage_topics": True}}[method]
    return call


@pytest.fixture
def complete(tmp_path: Path, shipped_config: Config, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:ABC")
    monkeypatch.setenv("NAERINGSBOT_SECRET", "from-the-vault")
    return config_for(tmp_path, shipped_config, staff__chat_id=STAFF_CHAT, staff__user_ids=[555])


def test_a_complete_installation_is_ready(complete: Config) -> None:
    checks = run_checks(complete, telegram(), now=dt.date(2026, 12, 1))
    assert all(check.ok for check in checks), [str(check) for check in checks if not check.ok]
    assert any("@naeringsbot" in check.what for check in checks)


@pytest.mark.parametrize(("change", "expected"), [
    ("no_token", "set TELEGRAM_BOT_TOKEN"),
    ("chat_not_found", "add the bot to the staff group"),
    ("no_post", "let the bot post"),
    ("no_staff", "staff.user_ids"),
    ("secret_in_file", "back that file up"),
    ("overdue", "past their review date"),
])
def test_each_gap_is_a_cross_with_what_to_do(
    complete: Config, monkeypatch: pytest.MonkeyPatch, change: str, expected: str
) -> None:
    config, call, today = complete, telegram(), dt.date(2026, 12, 1)
    if change == "no_token":
        monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    elif change == "chat_not_found":
        call = telegram(fail="getChat")
    elif change == "no_post":
        call = telegram(member_status="left")
    elif change == "no_staff":
        config = config.model_copy(update={"staff": config.staff.model_copy(update={"user_ids": []})})
    elif change == "secret_in_file":
        monkeypatch.delenv("NAERINGSBOT_SECRET")
    elif change == "overdue":
        today = dt.date(2099, 1, 1)
    failed = [str(check) for check in run_checks(config, call, now=today) if not check.ok]
    assert failed and all(line.startswith("✖") for line in failed)
    assert any(expected in line for line in failed), failed


def test_the_command_exits_1_with_the_checklist_when_not_ready(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"storage: {{database: {tmp_path / 'db.sqlite'}}}\n", "utf-8")
    result = CliRunner().invoke(cli, ["doctor", "--config", str(config)])
    assert result.exit_code == 1
    assert "✖ Bot token" in result.output and "Ikke klar" in result.output

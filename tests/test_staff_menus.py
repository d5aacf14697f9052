"""Staff get their own command menu and their own /help; everyone else keeps the public ones."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import CommandHandler

from bot.config import Config
from handlers.menus import PUBLIC, STAFF_CHAT, STAFF_PRIVATE
from tests.offline import config_for, harness_for, offline_application
from tests.test_handoff import STAFF, STAFFER

OTHER_STAFFER = 556


def staff_setup(tmp_path: Path, shipped_config: Config) -> Config:
    return config_for(tmp_path, shipped_config, profile__ask=False, staff__chat_id=STAFF["id"],
                      staff__user_ids=[STAFFER, OTHER_STAFFER], handoff={"forum_topics": False})


def as_json(value: Any) -> Any:
    return value if isinstance(value, (dict, list)) or value is None else json.loads(value.to_json())


def menus(calls: list[dict[str, Any]]) -> dict[tuple[str, int | None, str | None], list[str]]:
    """(scope type, chat id, language) → the commands, from the setMyCommands calls."""
    found = {}
    for call in calls:
        scope = as_json(call.get("scope")) or {"type": "default"}
        commands = [as_json(command)["command"] for command in call["commands"]]
        found[(scope["type"], scope.get("chat_id"), call.get("language_code"))] = commands
    return found


async def test_each_staff_member_and_the_staff_chat_get_the_staff_menu(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(staff_setup(tmp_path, shipped_config)):
        found = menus(harness.request.sent("setMyCommands"))
        staff_private = [name for name, _ in STAFF_PRIVATE]
        assert found == {
            ("default", None, "nb"): [name for name, _ in PUBLIC["nb"]],
            ("default", None, None): [name for name, _ in PUBLIC["en"]],
            ("chat", STAFFER, None): staff_private,
            ("chat", OTHER_STAFFER, None): staff_private,
            ("chat", STAFF["id"], None): [name for name, _ in STAFF_CHAT],
        }


async def test_a_refused_menu_is_logged_and_the_bot_starts_anyway(
    tmp_path: Path, shipped_config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="handlers.menus")
    application, request = offline_application(staff_setup(tmp_path, shipped_config))
    request.failing["setMyCommands"] = "Bad Request: chat not found"
    async with application:
        await application.post_init(application)  # type: ignore[misc]
        application_started = application.bot_data.services is not None
        await application.post_shutdown(application)  # type: ignore[misc]
    assert application_started
    assert "Could not set the command menu for staff member 1 of staff.user_ids" in caplog.text
    assert str(STAFFER) not in caplog.text  # never a raw user id in the log


async def test_every_command_in_the_staff_menus_exists(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(staff_setup(tmp_path, shipped_config)):
        registered = {command for group in harness.app.handlers.values() for handler in group
                      if isinstance(handler, CommandHandler) for command in handler.commands}
        assert {name for name, _ in STAFF_PRIVATE + STAFF_CHAT} <= registered


async def test_staff_help_in_a_private_chat_lists_the_staff_commands(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(staff_setup(tmp_path, shipped_config)):
        await harness.say("/help", user_id=STAFFER)
        lines = harness.request.last_text().splitlines()
        assert lines[0] == "Kommandoer for ansatte:"
        for command in ("stats", "unanswered", "review", "reload", "close", "block"):
            (line,) = [line for line in lines if line.startswith(f"/{command} – ")]
            assert len(line) > len(command) + 10
        assert "/close og /block virker i stabschatten." in lines


async def test_staff_help_in_the_staff_chat(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(staff_setup(tmp_path, shipped_config)):
        await harness.say("/help", user_id=STAFFER, chat=STAFF)
        help_post = harness.request.sent()[-1]
        assert help_post["chat_id"] == STAFF["id"] and "/block – Sperr brukeren" in help_post["text"]
        assert "virker i stabschatten" not in help_post["text"]


async def test_everyone_else_gets_the_public_help(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(staff_setup(tmp_path, shipped_config)):
        await harness.say("/help", user_id=42)
        assert "Kommandoer for ansatte" not in harness.request.last_text()
        assert "/topics – temaer" in harness.request.last_text()

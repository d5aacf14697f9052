"""Messages sent and edited without parsing the answer go out exactly as the library's methods send them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from telegram.error import BadRequest

from bot.config import Config
from bot.engine import Choice, Reply
from handlers import botapi, keyboards
from tests.offline import config_for, offline_application

ANSWER = Reply("answered", "nb", "Svar", "start-as", "Starte AS", 0.9,
               related=[Choice("kurs", "Kurs for gründere"), Choice("moms", "Moms og MVA")])


@pytest.fixture
async def app_and_request(tmp_path: Path, shipped_config: Config) -> Any:
    application, request = offline_application(config_for(tmp_path, shipped_config))
    async with application:
        yield application, request


@pytest.mark.parametrize(("keyboard", "options"), [
    (None, {}),
    (keyboards.language_buttons(), {}),
    (keyboards.answer_buttons(ANSWER, 17, 23), {}),
    (None, {"message_thread_id": 5, "reply_to_message_id": 9}),
])
async def test_a_sent_message_has_the_parameters_of_send_message(app_and_request: Any, keyboard: Any,
                                                                 options: dict[str, Any]) -> None:
    """The bot's keyboards go out as the library's own button objects would."""
    application, request = app_and_request
    await application.bot.send_message(42, "<b>Hei</b>", reply_markup=keyboard.markup() if keyboard else None,
                                       **options)
    message_id = await botapi.send_message(application.bot, 42, "<b>Hei</b>", keyboard,
                                           options.get("message_thread_id"), options.get("reply_to_message_id"))
    assert request.calls[-1] == request.calls[-2]
    assert request.calls[-1][1]["parse_mode"] == "HTML"  # the application's Defaults are applied
    assert message_id == request.results[-1]["message_id"]


async def test_an_edit_has_the_parameters_of_edit_message_text(app_and_request: Any) -> None:
    application, request = app_and_request
    keyboard = keyboards.forget_buttons("nb")
    await application.bot.edit_message_text("Ferdig", chat_id=42, message_id=7, reply_markup=keyboard.markup())
    await botapi.edit_message_text(application.bot, 42, 7, "Ferdig", keyboard)
    assert request.calls[-1] == request.calls[-2]
    assert request.calls[-1][0] == "editMessageText"


async def test_telegram_errors_are_raised_as_by_the_library(app_and_request: Any) -> None:
    application, request = app_and_request
    request.failing["sendMessage"] = "Bad Request: chat not found"
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await botapi.send_message(application.bot, 42, "Hei")

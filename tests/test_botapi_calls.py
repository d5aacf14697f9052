"""Messages sent and edited without parsing the answer go out exactly as the library's methods send them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from telegram.error import BadRequest

from bot.config import Config
from handlers import botapi, keyboards
from tests.offline import config_for, offline_application


@pytest.fixture
async def app_and_request(tmp_path: Path, shipped_config: Config) -> Any:
    application, request = offline_application(config_for(tmp_path, shipped_config))
    async with application:
        yield application, request


@pytest.mark.parametrize("options", [
    {},
    {"reply_markup": keyboards.language_buttons()},
    {"message_thread_id": 5, "reply_to_message_id": 9},
])
async def test_a_sent_message_has_the_parameters_of_send_message(app_and_request: Any,
                                                                 options: dict[str, Any]) -> None:
    application, request = app_and_request
    await application.bot.send_message(42, "<b>Hei</b>", **options)
    message_id = await botapi.send_message(application.bot, 42, "<b>Hei</b>", options.get("reply_markup"),
                                           options.get("message_thread_id"), options.get("reply_to_message_id"))
    assert request.calls[-1] == request.calls[-2]
    assert request.calls[-1][1]["parse_mode"] == "HTML"  # the application's Defaults are applied
    assert message_id == request.results[-1]["message_id"]


async def test_an_edit_has_the_parameters_of_edit_message_text(app_and_request: Any) -> None:
    application, request = app_and_request
    markup = keyboards.forget_buttons("nb")
    await application.bot.edit_message_text("Ferdig", chat_id=42, message_id=7, reply_markup=markup)
    await botapi.edit_message_text(application.bot, 42, 7, "Ferdig", markup)
    assert request.calls[-1] == request.calls[-2]
    assert request.calls[-1][0] == "editMessageText"


async def test_telegram_errors_are_raised_as_by_the_library(app_and_request: Any) -> None:
    application, request = app_and_request
    request.failing["sendMessage"] = "Bad Request: chat not found"
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await botapi.send_message(application.bot, 42, "Hei")

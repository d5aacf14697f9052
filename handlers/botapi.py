"""Sending and editing messages without reading Telegram's answer into a ``Message``.

python-telegram-bot parses every answer of ``sendMessage`` and ``editMessageText`` into a
``Message`` — on this bot about 80 µs of CPU per call, a tenth of an update — although the
adapter needs at most the new message's id. ``Bot.do_api_request`` is the library's public way to
call an endpoint and get the answer as Telegram sent it. It fills in no ``Defaults`` (HTML, no link
previews), so the parameters are built here as ``Bot.send_message`` and ``Bot.edit_message_text``
build them (a test compares both on the wire); the rate limiter and the errors are the same,
because both paths end in the same request.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Any

from telegram import ReplyParameters, TelegramObject
from telegram.ext import Defaults, ExtBot
from telegram.warnings import PTBUserWarning

from handlers.keyboards import Keyboard, Markup

# The library suggests its parsing methods for these endpoints; not parsing is the point here.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.(sendMessage|editMessageText)'",
                        category=PTBUserWarning)

# The settings of ``telegram.ext.Defaults`` that ``send_message`` and ``edit_message_text`` apply.
DEFAULTED = ("disable_notification", "link_preview_options", "parse_mode", "protect_content")


@lru_cache(maxsize=4)
def _wire_defaults(defaults: Defaults | None) -> dict[str, Any]:
    """The bot's defaults as request parameters, worked out once (``Defaults`` never change).

    Objects become their dicts here, as the library's request would make them, so no call
    rebuilds them (a ``LinkPreviewOptions`` is merged with the defaults and serialised per call).
    """
    if defaults is None:
        return {}
    return {key: value.to_dict() if isinstance(value, TelegramObject) else value
            for key, value in defaults.api_defaults.items() if key in DEFAULTED}


def _defaults(bot: ExtBot[Any]) -> dict[str, Any]:
    return _wire_defaults(bot.defaults)


def _wire(markup: Markup | None) -> Any:
    """The bot's own keyboards as the dict the library would make of them; its objects as they are."""
    return markup.to_dict() if isinstance(markup, Keyboard) else markup


def _given(parameters: dict[str, Any]) -> dict[str, Any]:
    """Without the parameters left out (None): the library drops them too, after checking each."""
    return {key: value for key, value in parameters.items() if value is not None}


async def send_message(bot: ExtBot[Any], chat_id: int | str, text: str, markup: Markup | None = None,
                       thread_id: int | None = None, reply_to: int | None = None) -> int:
    """``Bot.send_message`` with the bot's defaults; returns the id Telegram gave the message."""
    result = await bot.do_api_request("sendMessage", api_kwargs=_given({
        "chat_id": chat_id,
        "text": text,
        **_defaults(bot),
        "message_thread_id": thread_id,
        "reply_markup": _wire(markup),
        "reply_parameters": ReplyParameters(reply_to) if reply_to is not None else None,
    }))
    return int(result["message_id"])


async def edit_message_text(bot: ExtBot[Any], chat_id: int | str, message_id: int, text: str,
                            markup: Markup | None = None) -> None:
    """``Bot.edit_message_text`` of a message in a chat, with the bot's defaults."""
    await bot.do_api_request("editMessageText", api_kwargs=_given({
        "text": text,
        "chat_id": chat_id,
        "message_id": message_id,
        **_defaults(bot),
        "reply_markup": _wire(markup),
    }))

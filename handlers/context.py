"""Typed access to the bot's shared services from any handler."""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram import Update
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.assistant import Sender
from bot.config import Config
from bot.services import Services


class BotData:
    """``context.bot_data``: the config, and the services built from it in ``post_init``."""

    def __init__(self) -> None:
        self.config: Config | None = None
        self.services: Services | None = None


Context: TypeAlias = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
CONTEXT_TYPES = ContextTypes(bot_data=BotData)


def services(context: Context) -> Services:
    built = context.bot_data.services
    if built is None:
        raise RuntimeError("services are built in post_init; the application was not initialised")
    return built


def sender(update: Update, context: Context) -> Sender:
    """The core's view of who sent ``update``."""
    user = update.effective_user
    chat = update.effective_chat
    return Sender(
        channel="telegram",
        user_id=user.id if user else (chat.id if chat else 0),
        chat_type=chat.type if chat else None,
        language_code=user.language_code if user else None,
        is_staff=services(context).is_staff(user.id if user else None),
    )

"""The handlers' context: typed access to the running bot's services and to who sent the update.

As in python-telegram-bot's ``contexttypesbot.py`` example, a ``CallbackContext`` subclass gives
every handler ``context.services`` and ``context.sender`` instead of helpers called everywhere.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.assistant import Sender
from bot.config import Config
from bot.knowledge.reloader import EngineHolder
from bot.services import Services


class BotData:
    """``context.bot_data``: the config, and the services built from it in ``post_init``."""

    def __init__(self) -> None:
        self.config: Config | None = None
        self.engines: EngineHolder | None = None  # built before the application, so start-up builds it once
        self.services: Services | None = None


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler, job and the error handler receives."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], chat_id: int | None = None,
                 user_id: int | None = None) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self._update: Update | None = None
        self._sender: Sender | None = None

    @classmethod
    def from_update(cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]) -> Context:
        context = super().from_update(update, application)
        context._update = update if isinstance(update, Update) else None
        return context

    @property
    def services(self) -> Services:
        built = self.bot_data.services
        if built is None:
            raise RuntimeError("services are built in post_init; the application was not initialised")
        return built

    @property
    def sender(self) -> Sender:
        """The core's view of who sent the update being handled (one context per update: built once)."""
        if self._sender is None:
            update = self._update
            user = update.effective_user if update else None
            chat = update.effective_chat if update else None
            self._sender = Sender(
                channel="telegram",
                user_id=user.id if user else (chat.id if chat else 0),
                chat_type=chat.type if chat else None,
                language_code=user.language_code if user else None,
                is_staff=self.services.is_staff(user.id if user else None),
            )
        return self._sender


CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotData)

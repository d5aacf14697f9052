"""The one error handler: log with the update's id (never the token), tell the user."""

from __future__ import annotations

import logging

from telegram import Update

from bot.assistant import language_from_code
from bot.phrases import phrase
from handlers.context import Context
from handlers.formatting import plain
from handlers.replies import send

logger = logging.getLogger(__name__)


async def report_error(update: object, context: Context) -> None:
    """Log the exception and, when there is a chat, say that something went wrong."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("Error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    lang = language_from_code(user.language_code if user else None)
    try:
        await send(context, update.effective_chat.id, plain(phrase("error", lang)))
    except Exception:  # the Bot API itself may be what failed
        logger.warning("Could not tell the user about the error in update %s", update_id)

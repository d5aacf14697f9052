"""Checks that run before every handler: updates to ignore and per-user flood control."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.phrases import phrase
from handlers.context import Context
from handlers.formatting import plain
from handlers.replies import send

logger = logging.getLogger(__name__)


async def limit_flood(update: Update, context: Context) -> None:
    """More than N messages in M seconds: one "slow down", then drop until the window clears."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or (chat.type != "private" and update.callback_query is None):
        return
    service = context.services
    if service.is_staff(user.id):
        return
    verdict = service.flood.check(service.assistant.user_ref(context.sender))
    if verdict == "ok":
        return
    # Counted, not silently lost: a row without text that the report shows as dropped.
    who = context.sender
    service.assistant.note_dropped(who, update.update_id, via="button" if update.callback_query else "message")
    if update.callback_query is not None:
        await update.callback_query.answer()
    if verdict == "warn":
        lang = service.assistant.language(context.sender)
        await send(context, chat.id, plain(phrase("slow_down", lang)))
    logger.info("Flood control dropped update %s (%s)", update.update_id, verdict)
    raise ApplicationHandlerStop

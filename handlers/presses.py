"""What every button handler shares: stale or forged presses get a polite note, never an exception.

python-telegram-bot hands a press with empty callback data to the first button handler whatever
its pattern, so a handler runs only when its pattern really matched (``context.match``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from telegram import Update

from bot.phrases import phrase
from handlers.context import Context

ButtonHandler = Callable[[Update, Context], Coroutine[Any, Any, None]]


async def expired(update: Update, context: Context) -> None:
    """Unknown, stale or forged callback data: a polite note, never an exception."""
    query = update.callback_query
    if query is None:
        return
    assistant = context.services.assistant
    who = context.sender
    assistant.note_action(who, "expired", update.update_id)
    await query.answer(phrase("expired_button", assistant.language(who)), show_alert=False)


def button(handler: ButtonHandler) -> ButtonHandler:
    """Run ``handler`` only for a press whose data matched its pattern; anything else is stale."""

    @wraps(handler)
    async def checked(update: Update, context: Context) -> None:
        if not isinstance(context.match, re.Match):
            await expired(update, context)
            return
        await handler(update, context)

    return checked

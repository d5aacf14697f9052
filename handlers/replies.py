"""Sending the core's replies as Telegram messages with the right buttons."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from telegram.error import BadRequest, NetworkError

from bot.assistant import Answer
from bot.engine import Reply
from bot.phrases import phrase
from handlers import botapi, keyboards
from handlers.context import Context
from handlers.formatting import card, plain, shorten

logger = logging.getLogger(__name__)


SEND_ATTEMPTS = 4
FIRST_RETRY_SECONDS = 0.5


async def send(
    context: Context, chat_id: int, html: str, markup: keyboards.Markup | None = None,
    thread_id: int | None = None, reply_to: int | None = None,
) -> int:
    """Send with retries on network faults and 5xx answers, which Telegram has now and then.

    429 is already waited out by the rate limiter; a 400 or 403 is final and not retried. A retry
    after a dropped connection can, rarely, send the same reply twice: better than none. Returns
    the new message's id (``handlers.botapi``: Telegram's answer is not parsed into a ``Message``).
    """
    delay = FIRST_RETRY_SECONDS
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await botapi.send_message(context.bot, chat_id, shorten(html), markup, thread_id, reply_to)
        except NetworkError as error:
            if isinstance(error, BadRequest) or attempt == SEND_ATTEMPTS:
                raise
            logger.warning("sendMessage failed (%s); retry %d in %.1f s", error, attempt, delay)
            await asyncio.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


async def send_answer(context: Context, chat_id: int, answer: Answer, update_id: int | None,
                      thread_id: int | None = None) -> None:
    """An answer card, a "did you mean" list or an honest "I don't know", with buttons.

    A message that asked several things gets one message per part, in the order asked: a card for
    each answered part, "did you mean" buttons for an unsure one, one line for an unknown one. Its
    one vote counts for its first answered part's entry, so only that card has 👍/👎; no card offers
    another part's entry, whose card is already in the chat.
    """
    reply = answer.reply
    inquiry_id = answer.recorded.inquiry_id
    rated = reply.answered_parts[0] if reply.answered_parts else None
    shown = {part.entry_id for part in reply.answered_parts} if reply.parts else set()
    for part in reply.parts or [reply]:
        votes = update_id if part is rated else None
        offered = replace(part, related=[choice for choice in part.related if choice.entry_id not in shown]) \
            if shown else part
        markup = _buttons(context, offered, inquiry_id, votes, single=not reply.parts)
        await send(context, chat_id, card(part), markup, thread_id)
    if answer.ask_profile:
        roles = context.services.config.profile.roles
        if roles:
            await send(context, chat_id, plain(phrase("profile_role", reply.lang)),
                       keyboards.profile_buttons("role", roles, reply.lang), thread_id)


def _buttons(context: Context, reply: Reply, inquiry_id: int | None, update_id: int | None,
             single: bool) -> keyboards.Keyboard | None:
    """The usual buttons of a card; an unknown part of a split message is one line without any."""
    person = context.services.person_reachable  # offer a person only if one can be reached
    if reply.outcome in ("answered", "smalltalk"):
        return keyboards.answer_buttons(reply, inquiry_id, update_id, person)
    if reply.outcome == "ambiguous":
        return keyboards.suggestion_buttons(reply, inquiry_id)
    if not single:
        return None
    return keyboards.fallback_buttons(context.services.engines.engine.knowledge, reply.lang, inquiry_id, person)

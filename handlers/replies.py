"""Sending the core's replies as Telegram messages with the right buttons."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ParseMode

from bot.assistant import Answer
from bot.phrases import phrase
from handlers import keyboards
from handlers.context import Context, services
from handlers.formatting import card, plain, shorten


async def send(
    context: Context, chat_id: int, html: str, markup: InlineKeyboardMarkup | None = None,
    thread_id: int | None = None,
) -> Message:
    return await context.bot.send_message(
        chat_id,
        shorten(html),
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        message_thread_id=thread_id,
        disable_web_page_preview=True,
    )


async def send_answer(context: Context, chat_id: int, answer: Answer, update_id: int | None,
                      thread_id: int | None = None) -> None:
    """An answer card, a "did you mean" list or an honest "I don't know", with buttons."""
    reply = answer.reply
    inquiry_id = answer.recorded.inquiry_id
    knowledge = services(context).engines.engine.knowledge
    if reply.outcome in ("answered", "smalltalk"):
        markup = keyboards.answer_buttons(reply, inquiry_id, update_id)
    elif reply.outcome == "ambiguous":
        markup = keyboards.suggestion_buttons(reply, inquiry_id)
    else:
        markup = keyboards.fallback_buttons(knowledge, reply.lang, inquiry_id)
    await send(context, chat_id, card(reply), markup, thread_id)
    if answer.ask_profile:
        roles = services(context).config.profile.roles
        if roles:
            await send(context, chat_id, plain(phrase("profile_role", reply.lang)),
                       keyboards.profile_buttons("role", roles, reply.lang), thread_id)

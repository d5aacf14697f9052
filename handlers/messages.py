"""Free-text questions and messages the bot cannot read (photos, stickers, voice …)."""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType

from bot.knowledge.model import CONTACT_ENTRY
from bot.phrases import phrase
from handlers import handoff, keyboards
from handlers.context import Context
from handlers.formatting import plain
from handlers.replies import send, send_answer


def addressed_text(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The question in ``message``, or None when a group message is not meant for the bot.

    In groups the bot answers only when mentioned (the mention is removed before matching) or
    when someone replies to one of its messages; in private chats every text is a question.
    """
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text
    mention = f"@{bot_username}".lower()
    utf16 = text.encode("utf-16-le")  # entity offsets count UTF-16 code units
    for entity in message.entities:
        if entity.type != MessageEntity.MENTION:
            continue
        # Sliced here rather than by ``Message.parse_entities``, which raises when a (malformed)
        # entity cuts a character in half; such a piece is simply no mention of the bot.
        start, end = entity.offset * 2, (entity.offset + entity.length) * 2
        if utf16[start:end].decode("utf-16-le", errors="ignore").lower() == mention:
            stripped = (utf16[:start] + utf16[end:]).decode("utf-16-le", errors="ignore")
            return " ".join(stripped.split())
    return None


async def answer_question(update: Update, context: Context) -> None:
    """Match the question, log it, and reply with the answer card, suggestions or "I don't know"."""
    message = update.effective_message
    if message is None:
        return
    text = addressed_text(message, context.bot.username, context.bot.id)
    if text is None:
        return
    service = context.services
    answer = service.assistant.ask(context.sender, text, update.update_id)
    await send_answer(context, message.chat_id, answer, update.update_id, message.message_thread_id)
    asked_for_contact = any(part.entry_id == CONTACT_ENTRY for part in answer.reply.answered_parts)
    if asked_for_contact and message.chat.type == ChatType.PRIVATE:
        await handoff.offer_handoff(update, context)


async def not_text(update: Update, context: Context) -> None:
    """A photo, sticker, voice message, file, location or contact: say we read text, show the menu."""
    message = update.effective_message
    if message is None:
        return
    assistant = context.services.assistant
    who = context.sender
    assistant.note_non_text(who, update.update_id)
    lang = assistant.language(who)
    await send(context, message.chat_id, plain(phrase("non_text", lang)),
               keyboards.topic_menu(assistant.engine.knowledge, lang,
                                                   context.services.person_reachable))

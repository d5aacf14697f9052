"""A handoff's post in the staff chat: what it says, and its status line for the whole team.

The post is edited when the handoff is answered, closed or blocked, so anyone in the group sees
where it stands without reading the thread. The status is stored with the handoff, so the post is
rebuilt from the database when Telegram does not hand us its text (after a restart, in a topic).
"""

from __future__ import annotations

import logging

from telegram import Message
from telegram.error import BadRequest, TelegramError

from bot.store.handoffs import Handoff, staff_card, status_line, with_status
from handlers import botapi, keyboards
from handlers.context import Context
from handlers.formatting import MAX_MESSAGE_LENGTH, plain
from handlers.replies import send

logger = logging.getLogger(__name__)

RELAYED_REACTION = "👍"
RELAYED_NOTE = "Sendt til innbyggeren"
STAFF_LANGUAGE = "nb"


def guesses(context: Context, question: str | None) -> list[str]:
    """Titles of the entries the bot would have offered as "did you mean", best first; none when it would not."""
    if not question:
        return []
    engine = context.services.engines.engine
    settings = engine.settings
    match = engine.matcher.match(question)
    if match.outcome == "fallback":  # too far, not confident enough, or a known out-of-scope question
        return []
    titles = []
    for candidate in match.suggestions(settings.suggest_threshold, settings.max_suggestions):
        entry = engine.knowledge.get(candidate.entry_id)
        if entry is not None:
            titles.append(entry.title.get(STAFF_LANGUAGE))
    return titles


def pseudonym(handoff: Handoff) -> str:
    """A short pseudonym; after /forget there is none, and the post says so."""
    return f"bruker {handoff.user_ref[:8]}" if handoff.user_ref else "bruker (slettet)"


def post_text(context: Context, handoff: Handoff, shown_as: str | None = None) -> str:
    """The post as first sent: the redacted question, the user's profile and the bot's guesses."""
    profile = context.services.log.users.get(handoff.user_ref) if handoff.user_ref else None
    return staff_card(handoff, guesses(context, handoff.question), profile, shown_as or pseudonym(handoff))


def original_text(message: Message | None, handoff: Handoff) -> str | None:
    """The post's text as Telegram shows it, when ``message`` is the post itself."""
    if message is None or message.message_id != handoff.staff_message_id or not message.text:
        return None
    return message.text


async def show_status(context: Context, handoff_id: int, original: str | None = None) -> None:
    """Edit the post: its text with the current status line, buttons only while it is active."""
    service = context.services
    staff_chat = service.config.staff.chat_id
    handoff = service.handoffs.get(handoff_id)
    if handoff is None or staff_chat is None or handoff.staff_message_id is None:
        return
    text = with_status(original if original is not None else post_text(context, handoff), status_line(handoff),
                       limit=MAX_MESSAGE_LENGTH, closed=handoff.status not in ("open", "answered"))
    markup = keyboards.staff_buttons(handoff.id) if handoff.status in ("open", "answered") else None
    try:
        await botapi.edit_message_text(context.bot, staff_chat, handoff.staff_message_id, plain(text), markup)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            logger.info("The post of %s could not show its status (%s); it may be too old or deleted",
                        handoff.reference, error)
    except TelegramError as error:
        logger.warning("The post of %s could not show its status: %s", handoff.reference, error)


async def acknowledge_relayed(context: Context, message: Message) -> None:
    """A 👍 on the staff member's reply once it reached the user; a short note where reactions fail."""
    try:
        await context.bot.set_message_reaction(message.chat_id, message.message_id, RELAYED_REACTION)
        return
    except TelegramError as error:
        logger.info("No reaction on a relayed staff reply (%s); replying with a note instead", error)
    thread_id = message.message_thread_id if message.is_topic_message else None
    try:
        await send(context, message.chat_id, plain(RELAYED_NOTE), thread_id=thread_id, reply_to=message.message_id)
    except TelegramError as error:
        logger.warning("Could not confirm a relayed staff reply in the staff chat: %s", error)

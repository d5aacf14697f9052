"""The staff chat: staff replies reach the user signed, and staff close, block or mark handoffs.

Only the people listed in ``staff.user_ids`` act here; other members of the group are ignored.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import Forbidden, TelegramError

from bot.phrases import phrase
from bot.store.handoffs import ClosedBy, Handoff
from handlers import staff_posts
from handlers.context import Context
from handlers.formatting import MAX_MESSAGE_LENGTH, plain, split_text
from handlers.presses import button
from handlers.replies import send

logger = logging.getLogger(__name__)


async def relay_staff_reply(update: Update, context: Context) -> None:
    """A staff member's reply to a handoff message (or in its topic) reaches the user, signed."""
    message = update.effective_message
    if message is None or not message.text or not _from_staff(update, context, "reply"):
        return
    service = context.services
    replied = message.reply_to_message
    thread_id = message.message_thread_id if message.is_topic_message else None
    handoff = service.handoffs.for_staff_message(replied.message_id if replied else None, thread_id)
    if handoff is None or handoff.status not in ("open", "answered") or handoff.chat_id is None:
        if replied is not None and replied.from_user is not None and replied.from_user.id == context.bot.id:
            note = (f"#{handoff.reference} er lukket, så svaret ble ikke sendt." if handoff is not None
                    else "Denne meldingen hører ikke til noen åpen henvendelse, så svaret ble ikke sendt. "
                         "Svar på meldingen med #H-nummeret.")
            await send(context, message.chat_id, plain(note), thread_id=thread_id, reply_to=message.message_id)
        return
    signature = f"<b>{plain(service.config.handoff.signature)}</b>\n"
    try:
        for part in split_text(message.text, limit=MAX_MESSAGE_LENGTH - len(signature) - 16):
            await send(context, handoff.chat_id, signature + plain(part))
    except Forbidden:  # the user blocked the bot or deleted the chat: no reply can reach them any more
        note = (f"#{handoff.reference}: svaret kom ikke fram, fordi innbyggeren har blokkert boten eller slettet "
                "chatten. Henvendelsen er lukket.")
        await send(context, message.chat_id, plain(note), thread_id=thread_id, reply_to=message.message_id)
        await close_handoff(context, handoff, "unreachable", staff_posts.original_text(replied, handoff), notify=False)
        return
    staff_user = update.effective_user
    staff_ref = service.assistant.pseudonymise(f"staff:{staff_user.id if staff_user else 0}")
    first_answer = service.handoffs.mark_answered(handoff, staff_ref)
    service.handoffs.link_staff_message(handoff, message.message_id)
    await staff_posts.acknowledge_relayed(context, message)
    if first_answer:
        await staff_posts.show_status(context, handoff.id, staff_posts.original_text(replied, handoff))


def _from_staff(update: Update, context: Context, action: str) -> bool:
    """Only ``staff.user_ids`` act in the staff chat; other members of the group are ignored."""
    user = update.effective_user
    if context.services.is_staff(user.id if user else None):
        return True
    logger.info("Ignored a %s in the staff chat from a member who is not in staff.user_ids", action)
    return False


async def tell_staff_forgotten(context: Context, handoff_ids: list[int]) -> None:
    """/forget during a handoff closed it: say so in the staff chat, show it on the post, close the topic."""
    service = context.services
    staff_chat = service.config.staff.chat_id
    for handoff_id in handoff_ids:
        handoff = service.handoffs.get(handoff_id)
        if handoff is None or staff_chat is None:
            continue
        service.handoffs.mark_closed_by(handoff, "forgotten")
        try:
            await send(context, staff_chat, plain(f"#{handoff.reference}: brukeren har slettet dataene sine "
                                                  "(/forget). Henvendelsen er lukket, og svar kommer ikke fram."),
                       thread_id=handoff.thread_id)
            if handoff.thread_id is not None:
                await context.bot.close_forum_topic(staff_chat, handoff.thread_id)
        except TelegramError as error:
            logger.info("Could not tell the staff chat that %s was closed by /forget: %s", handoff.reference, error)
        await staff_posts.show_status(context, handoff.id)


async def close_from_staff(update: Update, context: Context) -> None:
    """/close in the staff chat, as a reply to a handoff message or inside its topic."""
    if not _from_staff(update, context, "/close"):
        return
    handoff = await _handoff_of_staff_command(update, context, "/close")
    if handoff is not None:
        await close_handoff(context, handoff, "staff", _replied_post(update, handoff))


async def block_from_staff(update: Update, context: Context) -> None:
    """/block in the staff chat: no more handoffs from this pseudonym; the handoff is closed."""
    if not _from_staff(update, context, "/block"):
        return
    handoff = await _handoff_of_staff_command(update, context, "/block")
    if handoff is None:
        return
    if not handoff.user_ref:
        await _answer_command(update, context, f"#{handoff.reference} kan ikke sperres: brukeren har slettet "
                                               "dataene sine (/forget).")
        return
    desk = context.services.handoffs
    desk.block(handoff.user_ref, f"#{handoff.reference}")
    await _answer_command(update, context, f"🚫 #{handoff.reference}: brukeren er sperret og kan ikke sende "
                                           "flere spørsmål til dere.")
    if not await close_handoff(context, handoff, "blocked", _replied_post(update, handoff)):
        desk.mark_closed_by(handoff, "blocked")  # already closed: the post still says it was blocked
        await staff_posts.show_status(context, handoff.id, _replied_post(update, handoff))


async def _handoff_of_staff_command(update: Update, context: Context, command: str) -> Handoff | None:
    """The handoff a command is about; when there is none, the staff member is told how to point at one."""
    message = update.effective_message
    if message is None:
        return None
    replied = message.reply_to_message
    thread_id = message.message_thread_id if message.is_topic_message else None
    handoff = context.services.handoffs.for_staff_message(replied.message_id if replied else None, thread_id)
    if handoff is None:
        await _answer_command(update, context, f"{command} virker som svar på meldingen med #H-nummeret, "
                                               "eller i emnet til henvendelsen.")
    return handoff


def _replied_post(update: Update, handoff: Handoff) -> str | None:
    message = update.effective_message
    return staff_posts.original_text(message.reply_to_message if message else None, handoff)


async def _answer_command(update: Update, context: Context, text: str) -> None:
    message = update.effective_message
    if message is None:
        return
    thread_id = message.message_thread_id if message.is_topic_message else None
    await send(context, message.chat_id, plain(text), thread_id=thread_id, reply_to=message.message_id)


@button
async def handoff_button(update: Update, context: Context) -> None:
    """✅ Besvart / ✖ Lukk in the staff chat, or "End the conversation" from the user."""
    query = update.callback_query
    assert query is not None
    assert context.match is not None
    service = context.services
    handoff = service.handoffs.get(int(context.match.group("handoff")))
    if handoff is None:
        await query.answer()
        return
    in_staff_chat = query.message is not None and query.message.chat.id == service.config.staff.chat_id
    if in_staff_chat and not _from_staff(update, context, "handoff button"):
        in_staff_chat = False  # only staff.user_ids may mark or close handoffs
    kind = context.match.group("action")
    post = staff_posts.original_text(query.message if isinstance(query.message, Message) else None, handoff)
    if kind == "end" and handoff.user_ref == service.assistant.user_ref(context.sender):
        await query.answer()
        service.assistant.note_action(context.sender, "handoff:end", update.update_id)
        await close_handoff(context, handoff, "user")
    elif kind == "answered" and in_staff_chat:
        service.handoffs.mark_answered(handoff, service.assistant.pseudonymise(f"staff:{query.from_user.id}"))
        await query.answer(f"#{handoff.reference}: besvart")
        await staff_posts.show_status(context, handoff.id, post)
    elif kind == "close" and in_staff_chat:
        await query.answer(f"#{handoff.reference}: lukket")
        await close_handoff(context, handoff, "staff", post)
    else:
        await query.answer()


async def close_handoff(context: Context, handoff: Handoff, by: ClosedBy, post: str | None = None,
                        notify: bool = True) -> bool:
    """Close it, tell the user and the staff chat, close its topic and show it on the post; False if not active.

    ``notify=False``: whoever closed it has already said so, and the user is not told.
    """
    service = context.services
    if not service.handoffs.close(handoff, by):
        return False
    if notify and handoff.chat_id is not None:
        try:
            await send(context, handoff.chat_id, plain(phrase("handoff_closed", handoff.lang or "nb")))
        except TelegramError as error:  # e.g. the user blocked the bot: the staff chat must still see it closed
            logger.info("Could not tell the user that %s was closed: %s", handoff.reference, error)
    staff_chat = service.config.staff.chat_id
    if staff_chat is not None:
        try:
            if notify:
                await send(context, staff_chat, plain(f"#{handoff.reference} er lukket."), thread_id=handoff.thread_id)
            if handoff.thread_id is not None:
                await context.bot.close_forum_topic(staff_chat, handoff.thread_id)
        except TelegramError as error:
            logger.info("Could not note the closing of %s in the staff chat: %s", handoff.reference, error)
        await staff_posts.show_status(context, handoff.id, post)
    return True

"""Talk to a person, from the user's side: questions and follow-ups go to the staff chat."""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.assistant import Via
from bot.knowledge.model import CONTACT_ENTRY
from bot.phrases import contact_details, phrase
from bot.store.handoffs import Handoff, staff_card
from bot.store.inquiries import InquiryKind, Recorded
from bot.store.redaction import redact
from handlers import keyboards, staff_posts
from handlers.context import Context
from handlers.formatting import plain, split_text
from handlers.presses import button
from handlers.replies import send

logger = logging.getLogger(__name__)

AWAITING = "awaiting_handoff"


async def contact(update: Update, context: Context) -> None:
    """/contact: ask for the question to pass on, or show how to reach staff."""
    await _request_person(update, context, None)


@button
async def talk_to_person(update: Update, context: Context) -> None:
    """The "Talk to a person" button: passes on the question it was shown under, if any."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    assert context.match is not None
    parent_value = context.match.group("parent")
    parent_id = int(parent_value) if parent_value != "0" else None
    service = context.services
    parent = service.log.inquiry(parent_id) if parent_id else None
    if parent is not None and parent.get("user_ref") != service.assistant.user_ref(context.sender):
        parent = None  # someone else's inquiry: never forward it, never link to it
    asked_for_person = parent is not None and parent.get("entry_id") == CONTACT_ENTRY
    question = parent.get("text") if parent and parent.get("kind") == "message" and not asked_for_person else None
    await _request_person(update, context, question, parent_id if parent is not None else None)  # forged: no link


async def _request_person(update: Update, context: Context, question: str | None,
                          parent_id: int | None = None) -> None:
    service = context.services
    chat = update.effective_chat
    if chat is None:
        return
    if question is None and service.config.staff.chat_id is not None:
        via: Via = "button" if update.callback_query else "command"
        service.assistant.note_action(context.sender, "person", update.update_id, via=via,
                                      parent_id=parent_id)
        await offer_handoff(update, context)
        return
    await forward_question(update, context, question, parent_id)


async def route_to_staff(update: Update, context: Context) -> None:
    """A private message within an open handoff, or the question the bot asked for, goes to staff."""
    message = update.effective_message
    if message is None or not message.text:
        return
    service = context.services
    active = service.handoffs.active_for(service.assistant.user_ref(context.sender))
    if active is not None:
        await relay_follow_up(update, context, active, message.text)
        raise ApplicationHandlerStop
    if context.user_data is not None and context.user_data.pop(AWAITING, False) and message.text.strip():
        await forward_question(update, context, message.text)
        raise ApplicationHandlerStop


async def offer_handoff(update: Update, context: Context) -> None:
    """After "can I talk to someone?": the next message goes to staff when there is a staff chat."""
    service = context.services
    if service.config.staff.chat_id is None or update.effective_chat is None:
        return
    context.user_data[AWAITING] = True  # type: ignore[index]
    lang = service.assistant.language(context.sender)
    await send(context, update.effective_chat.id, plain(phrase("handoff_ask_question", lang)))


async def forward_question(update: Update, context: Context, question: str | None,
                           parent_id: int | None = None) -> None:
    """Log the handoff and send it to the staff chat; without one, show the contact details."""
    service = context.services
    who = context.sender
    user_ref = service.assistant.user_ref(who)
    lang = service.assistant.language(who)
    chat = update.effective_chat
    assert chat is not None
    text = update.effective_message.text if update.effective_message and not update.callback_query else None
    via: InquiryKind = "button" if update.callback_query else ("command" if (text or "").startswith("/") else "message")
    staff_chat = service.config.staff.chat_id
    desk = service.handoffs
    if staff_chat is not None and (desk.is_blocked(user_ref)
                                   or desk.opened_today(user_ref) >= service.config.handoff.max_per_day):
        # A refused attempt is no handoff: an unanswered question (or a command), and the contact details.
        service.assistant.note_handoff(who, update.update_id, via=via, question=question, parent_id=parent_id,
                                       refused=True)
        await send(context, chat.id, plain(phrase("handoff_limit", lang) + "\n"
                                           + contact_details(service.config.staff.contact, lang)))
        return
    recorded = service.assistant.note_handoff(who, update.update_id, via=via, question=question, parent_id=parent_id)
    if recorded.duplicate:
        # Re-delivered after a crash: finish the steps the first delivery did not get to.
        if recorded.inquiry_id is None:
            return
        existing = desk.for_inquiry(recorded.inquiry_id)
        if existing is None and staff_chat is not None:
            existing = desk.open(user_ref, chat.id, lang, question, recorded.inquiry_id)
        if existing is not None and existing.status == "open" and existing.staff_message_id is None:
            await _route(update, context, existing)
        return
    if staff_chat is None:
        desk.open(user_ref, None, lang, question, recorded.inquiry_id, routed=False)
        await send(context, chat.id, plain(contact_details(service.config.staff.contact, lang)))
        return
    await _route(update, context, desk.open(user_ref, chat.id, lang, question, recorded.inquiry_id))


async def _route(update: Update, context: Context, handoff: Handoff) -> None:
    """Post to the staff chat and confirm to the user; an unreachable staff chat makes it ``unrouted``."""
    service = context.services
    chat = update.effective_chat
    assert chat is not None
    lang = handoff.lang or "nb"
    try:
        shown_as = _shown_as(update, context, handoff)
        await _post_to_staff(context, handoff, staff_posts.post_text(context, handoff, shown_as))
    except TelegramError as error:
        service.handoffs.mark_unrouted(handoff)
        logger.error("Handoff %s could not be posted to the staff chat (%s): add the bot to the staff group "
                     "set in staff.chat_id and let it post there (make it an admin for forum topics), or "
                     "correct staff.chat_id; the user was shown the contact details", handoff.reference, error)
        await send(context, chat.id, plain(phrase("handoff_unreachable", lang) + "\n"
                                           + contact_details(service.config.staff.contact, lang)))
        return
    await send(context, chat.id, plain(service.config.handoff.confirmation.get(lang)),
               keyboards.end_handoff_button(handoff.id, lang))


def _shown_as(update: Update, context: Context, handoff: Handoff) -> str:
    """A short pseudonym, or the first name only where ``staff.show_names`` allows it."""
    user = update.effective_user
    if context.services.config.staff.show_names and user is not None:
        return user.first_name
    return staff_posts.pseudonym(handoff)


async def _post_to_staff(context: Context, handoff: Handoff, text: str) -> None:
    """One forum topic per handoff where the staff chat is a forum; a plain message otherwise."""
    service = context.services
    staff_chat = service.config.staff.chat_id
    assert staff_chat is not None
    thread_id = None
    if service.config.handoff.forum_topics:
        try:
            topic = await context.bot.create_forum_topic(staff_chat, f"#{handoff.reference}")
            thread_id = topic.message_thread_id
        except TelegramError as error:
            logger.info("No forum topic for %s (%s); posting a plain message", handoff.reference, error)
    message_id = await send(context, staff_chat, plain(text), keyboards.staff_buttons(handoff.id), thread_id)
    service.handoffs.link_staff_message(handoff, message_id, thread_id)


async def relay_follow_up(update: Update, context: Context, handoff: Handoff, text: str) -> None:
    """A user's further message within an open handoff goes to the same staff thread."""
    service = context.services
    who = context.sender
    recorded: Recorded = service.assistant.note_handoff(who, update.update_id, via="message", question=text)
    if handoff.status == "open" and handoff.staff_message_id is None and service.config.staff.chat_id is not None:
        # Opened but never posted (the process died in between): post it now, then it is linked.
        await _route(update, context, handoff)
        return
    if recorded.duplicate or service.config.staff.chat_id is None:
        return
    follow_up = replace(handoff, question=redact(text))
    card = staff_card(follow_up, [], None, _shown_as(update, context, handoff), follow_up=True)
    for part in split_text(card):
        message_id = await send(context, service.config.staff.chat_id, plain(part), thread_id=handoff.thread_id,
                                reply_to=handoff.staff_message_id if handoff.thread_id is None else None)
        service.handoffs.link_staff_message(handoff, message_id)
    lang = service.assistant.language(who)
    await send(context, update.effective_chat.id, plain(phrase("handoff_followup_sent", lang)),  # type: ignore[union-attr]
               keyboards.end_handoff_button(handoff.id, lang))

"""Inline-button presses; every callback query is answered, whatever its data says."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.error import BadRequest

from bot.matching.language import Language
from bot.phrases import phrase
from handlers import botapi, keyboards, staff_chat
from handlers.context import Context
from handlers.formatting import plain
from handlers.presses import button, expired
from handlers.replies import send, send_answer


def _query(update: Update, context: Context) -> tuple[CallbackQuery, dict[str, str]]:
    """The pressed button and the named groups of the pattern its handler was registered with."""
    query = update.callback_query
    assert query is not None and context.match is not None
    return query, context.match.groupdict()


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    return chat.id if chat else update.effective_user.id  # type: ignore[union-attr]


def _parent(update: Update, context: Context, value: str | None) -> int | None:
    """An inquiry id from callback data, only if it exists and is the presser's own.

    Callback data can be forged and inquiry ids are sequential: a press must never link to, or
    copy the text of, another user's inquiry.
    """
    if not value or value == "0":
        return None
    inquiry_id = int(value)
    service = context.services
    parent = service.log.inquiry(inquiry_id)
    if parent is None or parent.get("user_ref") != service.assistant.user_ref(context.sender):
        return None
    return inquiry_id


@button
async def show_menu(update: Update, context: Context) -> None:
    """« Topics: the topic menu again."""
    query, _ = _query(update, context)
    await query.answer()
    assistant = context.services.assistant
    who = context.sender
    assistant.note_action(who, "menu", update.update_id)
    lang = assistant.language(who)
    text = phrase("choose_topic", lang)
    markup = keyboards.topic_menu(assistant.engine.knowledge, lang, context.services.person_reachable)
    if query.data and query.data.endswith(":new"):  # pressed under an answer card: never replace the answer
        await send(context, _chat_id(update), plain(text), markup)
    else:
        await _edit_or_send(update, context, text, markup)


@button
async def show_topic(update: Update, context: Context) -> None:
    """A topic: its entries as buttons."""
    query, values = _query(update, context)
    assistant = context.services.assistant
    knowledge = assistant.engine.knowledge
    topic_id = values["topic"]
    if topic_id not in knowledge.topics or not knowledge.in_topic(topic_id):
        await expired(update, context)
        return
    await query.answer()
    who = context.sender
    assistant.note_action(who, f"topic:{topic_id}", update.update_id)
    lang = assistant.language(who)
    await _edit_or_send(update, context, knowledge.topics[topic_id].title.get(lang),
                        keyboards.topic_entries(knowledge, topic_id, lang))


@button
async def show_entry(update: Update, context: Context) -> None:
    """An entry's answer card, from a menu, a suggestion or a related-topic button."""
    query, values = _query(update, context)
    answer = context.services.assistant.open_entry(
        context.sender, values["entry"], update.update_id,
        _parent(update, context, values["parent"]),
    )
    if answer is None:
        await expired(update, context)
        return
    await query.answer()
    await send_answer(context, _chat_id(update), answer, update.update_id)


@button
async def none_of_these(update: Update, context: Context) -> None:
    """"None of these": an honest "I don't know" with a way to a person."""
    query, values = _query(update, context)
    await query.answer()
    answer = context.services.assistant.none_of_these(
        context.sender, update.update_id, _parent(update, context, values["parent"])
    )
    await send_answer(context, _chat_id(update), answer, update.update_id)


@button
async def rate_answer(update: Update, context: Context) -> None:
    """👍/👎 on an answer; a second press changes the vote."""
    query, values = _query(update, context)
    assistant = context.services.assistant
    who = context.sender
    rated_update = int(values["update"])
    parent = context.services.log.inquiry_id_for_update(rated_update)
    assistant.note_vote(who, update.update_id, parent)
    stored = assistant.feedback(who, rated_update, 1 if values["value"] == "+" else -1)
    lang = assistant.language(who)
    await query.answer(phrase("feedback_thanks" if stored else "expired_button", lang))


@button
async def set_language(update: Update, context: Context) -> None:
    """Norwegian or English from now on."""
    query, values = _query(update, context)
    assistant = context.services.assistant
    who = context.sender
    lang: Language = {"nn": "nn", "en": "en"}.get(values["lang"], "nb")  # type: ignore[assignment]
    assistant.set_language(who, lang)
    assistant.note_action(who, f"language:{lang}", update.update_id)
    await query.answer()
    await _edit_or_send(update, context, phrase("language_set", lang), None)


@button
async def set_profile(update: Update, context: Context) -> None:
    """The optional profile: role, then municipality; skip ends it for good."""
    query, values = _query(update, context)
    service = context.services
    assistant = service.assistant
    who = context.sender
    lang = assistant.language(who)
    field, value = values["field"], values["value"]
    await query.answer()
    assistant.note_action(who, f"profile:{field}", update.update_id)
    allowed = {"role": service.config.profile.roles, "municipality": service.config.profile.municipalities}
    if field == "skip" or value not in {choice.id for choice in allowed.get(field, [])}:
        assistant.set_profile(who, profile_state="skipped")
        await _edit_or_send(update, context, phrase("profile_thanks", lang), None)
        return
    if field == "role":
        assistant.set_profile(who, role=value)
        if service.config.profile.municipalities:
            await _edit_or_send(update, context, phrase("profile_municipality", lang),
                                keyboards.profile_buttons("municipality",
                                                          service.config.profile.municipalities, lang))
            return
    else:
        assistant.set_profile(who, municipality=value)
    assistant.set_profile(who, profile_state="done")
    await _edit_or_send(update, context, phrase("profile_thanks", lang), None)


@button
async def confirm_forget(update: Update, context: Context) -> None:
    """Erase the user's texts and pseudonym after "Yes, delete"."""
    query, values = _query(update, context)
    assistant = context.services.assistant
    who = context.sender
    lang = assistant.language(who)
    await query.answer()
    if values["answer"] == "yes":
        erased = assistant.forget(who)
        await _edit_or_send(update, context, phrase("forgotten", lang), None)
        await staff_chat.tell_staff_forgotten(context, erased.closed_handoffs)
    else:
        await _edit_or_send(update, context, phrase("not_forgotten", lang), None)


async def _edit_or_send(update: Update, context: Context, text: str,
                        markup: keyboards.Keyboard | None) -> None:
    """Edit the message with the pressed button; send a new one if it cannot be edited."""
    query = update.callback_query
    if query is not None and query.message is not None and query.message.is_accessible:
        try:  # CallbackQuery.edit_message_text, without parsing the edited message Telegram sends back
            await botapi.edit_message_text(context.bot, query.message.chat.id, query.message.message_id,
                                           plain(text), markup)
            return
        except BadRequest:
            pass
    await send(context, _chat_id(update), plain(text), markup)

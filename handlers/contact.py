"""Talk to a person: /contact and the "Talk to a person" button."""

from __future__ import annotations

from telegram import Update

from bot.config import ContactFields
from bot.phrases import phrase
from handlers.context import Context, sender, services
from handlers.formatting import plain
from handlers.replies import send

_LABELS = {
    "name": {"nb": "", "en": ""},
    "email": {"nb": "E-post: ", "en": "E-mail: "},
    "phone": {"nb": "Telefon: ", "en": "Phone: "},
    "url": {"nb": "Nettside: ", "en": "Web: "},
    "address": {"nb": "Adresse: ", "en": "Address: "},
    "hours": {"nb": "Åpningstid: ", "en": "Hours: "},
}


def contact_text(fields: ContactFields, lang: str) -> str:
    """Only the contact fields the municipality filled in; none are invented."""
    lines = [
        f"{_LABELS[key][lang]}{value}"
        for key, value in fields.model_dump().items()
        if value
    ]
    if not any(key != "name" and value for key, value in fields.model_dump().items()):
        return phrase("contact_missing", lang) + (f"\n{fields.name}" if fields.name else "")
    return "\n".join([phrase("contact_intro", lang), *lines])


async def contact(update: Update, context: Context) -> None:
    """/contact: how to reach the business-development staff."""
    service = services(context)
    who = sender(update, context)
    service.assistant.note(who, "command", "command", update.update_id, "/contact")
    await _show_contact(update, context)


async def talk_to_person(update: Update, context: Context) -> None:
    """The "Talk to a person" button."""
    query = update.callback_query
    if query is not None:
        await query.answer()
    service = services(context)
    service.assistant.note(sender(update, context), "button", "command", update.update_id, "person")
    await _show_contact(update, context)


async def _show_contact(update: Update, context: Context) -> None:
    service = services(context)
    lang = service.assistant.language(sender(update, context))
    chat = update.effective_chat
    if chat is not None:
        await send(context, chat.id, plain(contact_text(service.config.staff.contact, lang)))

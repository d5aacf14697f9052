"""How long an entry's answer card is once the Telegram channel has formatted it.

Telegram takes at most 4,096 characters in one message, and the channel cuts a longer card
(``handlers.formatting.shorten``). The card is composed in two places, the footer by
``Assistant._finish`` and the HTML by ``handlers.formatting.card``; the core may not import the
channel, so the same rule is written here, and ``tests/test_kbcheck.py`` proves that both agree
on what the bot really sends.
"""

from __future__ import annotations

from html import escape

from bot.config import StaffSettings
from bot.knowledge.model import Entry
from bot.phrases import phrase

TELEGRAM_MESSAGE_LIMIT = 4096


def card_length(entry: Entry, lang: str, staff: StaffSettings) -> int:
    """Characters of the HTML message that shows ``entry`` in ``lang``: title, answer and footer."""
    unit = staff.unit(lang)
    body = escape(entry.answer.get(lang).replace("{unit}", unit), quote=False)
    footer = _footer(entry, lang, staff).replace("{unit}", unit)
    if footer:
        body += f"\n\n<i>{escape(footer, quote=False)}</i>"
    if entry.smalltalk or entry.decline:
        return len(body)  # shown without a title: small talk, or a decline as "I can't help with that"
    return len(f"<b>{escape(entry.title.get(lang), quote=False)}</b>\n\n{body}")


def _footer(entry: Entry, lang: str, staff: StaffSettings) -> str:
    """The lines under the answer: its source (answer cards only), then how to reach a person."""
    if entry.smalltalk:
        return ""
    reach = staff.reach()
    lines: list[str] = []
    if entry.source and not entry.decline:
        year = entry.source_year
        lines.append(phrase("source_line", lang).format(source=entry.source, year=year) if year else entry.source)
    if reach is not None:
        lines.append(phrase("reach_staff" if reach == "staff_chat" else "reach_contact", lang))
    return "\n".join(lines)

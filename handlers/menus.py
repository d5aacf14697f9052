"""The command menus: the public one per language, and the staff's own in their chats.

Telegram shows the most specific menu it has for a chat: staff members' private chats
(a private chat's id is the user's id) and the staff chat get the staff commands, everyone else
the public list. Menus are set at start; a server that refuses one never stops the bot.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, BotCommandScope, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError
from telegram.ext import Application

from bot.config import Config

logger = logging.getLogger(__name__)

PUBLIC = {
    "nb": [
        ("start", "Start og temaer"),
        ("topics", "Temaer"),
        ("help", "Hjelp"),
        ("language", "Språk"),
        ("contact", "Snakk med en person"),
        ("privacy", "Hva som lagres"),
        ("forget", "Slett det som er lagret om meg"),
    ],
    "en": [
        ("start", "Start and topics"),
        ("topics", "Topics"),
        ("help", "Help"),
        ("language", "Language"),
        ("contact", "Talk to a person"),
        ("privacy", "What is stored"),
        ("forget", "Delete what is stored about me"),
    ],
}
# What staff can do, one line each: the menu in their private chats and the staff /help.
STAFF_PRIVATE = [
    ("stats", "Nøkkeltall for perioden, med graf (f.eks. /stats 2026-11)"),
    ("unanswered", "Det boten ikke kunne svare på, de vanligste først"),
    ("review", "Gå gjennom det boten har lært: nye formuleringer og ubesvarte spørsmål"),
    ("reload", "Last inn kunnskapsbasen på nytt nå"),
    ("help", "Kommandoene for ansatte"),
    ("start", "Boten slik innbyggerne ser den"),
]
# In the staff chat: handoffs are answered by replying; the commands work as replies or in a topic.
STAFF_CHAT = [
    ("close", "Lukk henvendelsen (som svar på den, eller i emnet)"),
    ("block", "Sperr brukeren og lukk henvendelsen (som svar, eller i emnet)"),
    ("stats", "Nøkkeltall for perioden, med graf"),
    ("unanswered", "Det boten ikke kunne svare på"),
    ("help", "Kommandoene for ansatte"),
]


def staff_help(in_staff_chat: bool) -> str:
    """The staff /help: how handoffs are answered, then every staff command with one line."""
    lines = ["Kommandoer for ansatte:"]
    lines += [f"/{name} – {description}" for name, description in STAFF_PRIVATE if name not in ("help", "start")]
    lines += [f"/{name} – {description}" for name, description in STAFF_CHAT if name in ("close", "block")]
    lines.append("")
    lines.append("Svar på en henvendelse ved å svare (reply) på meldingen med #H-nummeret, eller skriv i emnet "
                 "til henvendelsen. Svaret sendes til innbyggeren og får 👍 når det er sendt. ✅ Besvart og "
                 "✖ Lukk under meldingen viser status for hele gruppen.")
    if not in_staff_chat:
        lines.append("/close og /block virker i stabschatten.")
    return "\n".join(lines)


def _menu(commands: list[tuple[str, str]]) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in commands]


async def _set(application: Application[Any, Any, Any, Any, Any, Any], commands: list[tuple[str, str]],
               scope: BotCommandScope, language: str | None, what: str) -> None:
    try:
        await application.bot.set_my_commands(_menu(commands), scope=scope, language_code=language)
    except TelegramError as error:
        logger.warning("Could not set the command menu for %s: %s", what, error)


async def set_command_menus(application: Application[Any, Any, Any, Any, Any, Any], config: Config) -> None:
    """Public menus per language (English for every other language), then the staff's menus."""
    for lang, commands in PUBLIC.items():
        await _set(application, commands, BotCommandScopeDefault(), lang if lang == "nb" else None,
                   f"everyone ({lang})")
    for number, user_id in enumerate(config.staff.user_ids, start=1):
        # A staff member who has never written to the bot has no chat yet; it is set at the next start.
        await _set(application, STAFF_PRIVATE, BotCommandScopeChat(user_id), None,
                   f"staff member {number} of staff.user_ids")
    if config.staff.chat_id is not None:
        await _set(application, STAFF_CHAT, BotCommandScopeChat(config.staff.chat_id), None, "the staff chat")

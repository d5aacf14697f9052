"""Command handlers: /start, /help, /topics, /language, /privacy, /contact, /forget."""

from __future__ import annotations

from telegram import Update

from bot.phrases import phrase
from handlers import keyboards
from handlers.context import Context
from handlers.formatting import plain
from handlers.menus import staff_help
from handlers.replies import send


def _note(update: Update, context: Context, name: str) -> None:
    context.services.assistant.note_action(context.sender, f"/{name}", update.update_id, via="command")


async def start(update: Update, context: Context) -> None:
    """Welcome, one line on privacy, and the topic menu; keeps a deep-link payload as the source."""
    assistant = context.services.assistant
    who = context.sender
    assistant.start(who, context.args[0] if context.args else None)
    _note(update, context, "start")
    lang = assistant.language(who)
    text = f"{assistant.welcome(who)}\n\n{phrase('choose_topic', lang)}"
    await send(context, update.effective_chat.id, plain(text),  # type: ignore[union-attr]
               keyboards.topic_menu(assistant.engine.knowledge, lang,
                                                   context.services.person_reachable))


async def show_help(update: Update, context: Context) -> None:
    """How to ask, and the commands; staff get their own commands, in Norwegian."""
    _note(update, context, "help")
    chat = update.effective_chat
    assert chat is not None
    if context.sender.is_staff:
        await send(context, chat.id, plain(staff_help(chat.id == context.services.config.staff.chat_id)),
                   thread_id=_topic_of(update))
        return
    lang = context.services.assistant.language(context.sender)
    await send(context, chat.id, plain(phrase("help", lang)))


def _topic_of(update: Update) -> int | None:
    message = update.effective_message
    return message.message_thread_id if message is not None and message.is_topic_message else None


async def show_topics(update: Update, context: Context) -> None:
    """The topic menu."""
    _note(update, context, "topics")
    assistant = context.services.assistant
    lang = assistant.language(context.sender)
    await send(context, update.effective_chat.id, plain(phrase("choose_topic", lang)),  # type: ignore[union-attr]
               keyboards.topic_menu(assistant.engine.knowledge, lang,
                                                   context.services.person_reachable))


async def choose_language(update: Update, context: Context) -> None:
    """Buttons for Norwegian and English."""
    _note(update, context, "language")
    lang = context.services.assistant.language(context.sender)
    await send(context, update.effective_chat.id, plain(phrase("language_prompt", lang)),  # type: ignore[union-attr]
               keyboards.language_buttons())


async def show_privacy(update: Update, context: Context) -> None:
    """What is stored, why, for how long, and how to delete it."""
    _note(update, context, "privacy")
    config = context.services.config
    lang = context.services.assistant.language(context.sender)
    text = phrase("privacy", lang).format(days=config.privacy.retention_days)
    await send(context, update.effective_chat.id, plain(text))  # type: ignore[union-attr]


async def ask_forget(update: Update, context: Context) -> None:
    """Ask for confirmation before erasing the user's texts and pseudonym."""
    lang = context.services.assistant.language(context.sender)
    await send(context, update.effective_chat.id, plain(phrase("forget_confirm", lang)),  # type: ignore[union-attr]
               keyboards.forget_buttons(lang))


async def unknown_command(update: Update, context: Context) -> None:
    """Any other command, including staff commands from non-staff."""
    _note(update, context, "unknown")
    lang = context.services.assistant.language(context.sender)
    await send(context, update.effective_chat.id, plain(phrase("unknown_command", lang)))  # type: ignore[union-attr]

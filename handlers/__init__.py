"""The Telegram adapter: python-telegram-bot handlers over the core in ``bot``.

``register`` is the one place where handlers are added, in the order they are tried.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import buttons, commands, errors, guards, handoff, messages, presses, review, staff, staff_chat
from handlers.keyboards import PATTERNS
from handlers.staff_pages import more_unanswered


def register(application: Application[Any, Any, Any, Any, Any, Any], staff_chat_id: int | None) -> None:
    # Before anything else: flood control (the lowest group runs first and can stop the update).
    application.add_handler(TypeHandler(Update, guards.limit_flood), group=-2)

    # Then a private conversation with staff: messages in an open handoff, or the question the bot
    # asked for, go to the staff chat and stop there; everything else goes on to the handlers below.
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND,
                       handoff.route_to_staff),
        group=-1,
    )

    # Only new messages count: edited messages and channel posts are ignored.
    new_messages = filters.UpdateType.MESSAGE

    # The staff chat: replies to handed-off questions go back to the user; nothing here is an inquiry.
    if staff_chat_id is not None:
        in_staff_chat = filters.Chat(staff_chat_id) & new_messages
        application.add_handler(CommandHandler("close", staff_chat.close_from_staff, filters=in_staff_chat))
        application.add_handler(CommandHandler("block", staff_chat.block_from_staff, filters=in_staff_chat))
        staff_text = in_staff_chat & filters.TEXT & ~filters.COMMAND
        application.add_handler(MessageHandler(staff_text, staff_chat.relay_staff_reply))
        application.add_handler(MessageHandler(in_staff_chat & ~filters.COMMAND, _ignore))

    # Commands, in private chats and (addressed to the bot) in groups.
    application.add_handler(CommandHandler("start", commands.start, filters=new_messages))
    application.add_handler(CommandHandler("help", commands.show_help, filters=new_messages))
    application.add_handler(CommandHandler("topics", commands.show_topics, filters=new_messages))
    application.add_handler(CommandHandler("language", commands.choose_language, filters=new_messages))
    application.add_handler(CommandHandler("privacy", commands.show_privacy, filters=new_messages))
    application.add_handler(CommandHandler("forget", commands.ask_forget, filters=new_messages))
    application.add_handler(CommandHandler("contact", handoff.contact, filters=new_messages))

    # Staff commands (others get the ordinary unknown-command reply).
    application.add_handler(CommandHandler("reload", staff.reload, filters=new_messages))
    application.add_handler(CommandHandler("stats", staff.stats, filters=new_messages))
    application.add_handler(CommandHandler("unanswered", staff.unanswered, filters=new_messages))
    application.add_handler(CommandHandler("review", review.review, filters=new_messages))
    application.add_handler(
        MessageHandler(new_messages & filters.COMMAND & filters.ChatType.PRIVATE, commands.unknown_command)
    )

    # Free-text questions: every text in private chats; mentions and replies in groups.
    application.add_handler(MessageHandler(new_messages & filters.TEXT & ~filters.COMMAND, messages.answer_question))

    # Photos, stickers, voice, files, locations, contacts: private chats get a friendly hint.
    application.add_handler(
        MessageHandler(new_messages & filters.ChatType.PRIVATE & ~filters.TEXT, messages.not_text)
    )

    # Buttons, by the pattern of their callback data; anything else is stale or forged.
    application.add_handler(CallbackQueryHandler(buttons.show_menu, pattern=PATTERNS["menu"]))
    application.add_handler(CallbackQueryHandler(buttons.show_topic, pattern=PATTERNS["topic"]))
    application.add_handler(CallbackQueryHandler(buttons.show_entry, pattern=PATTERNS["entry"]))
    application.add_handler(CallbackQueryHandler(buttons.none_of_these, pattern=PATTERNS["none"]))
    application.add_handler(CallbackQueryHandler(buttons.rate_answer, pattern=PATTERNS["feedback"]))
    application.add_handler(CallbackQueryHandler(buttons.set_language, pattern=PATTERNS["language"]))
    application.add_handler(CallbackQueryHandler(handoff.talk_to_person, pattern=PATTERNS["person"]))
    application.add_handler(CallbackQueryHandler(staff_chat.handoff_button, pattern=PATTERNS["handoff"]))
    application.add_handler(CallbackQueryHandler(buttons.set_profile, pattern=PATTERNS["profile"]))
    application.add_handler(CallbackQueryHandler(buttons.confirm_forget, pattern=PATTERNS["forget"]))
    application.add_handler(CallbackQueryHandler(review.decide, pattern=PATTERNS["review"]))
    application.add_handler(CallbackQueryHandler(review.choose_topic, pattern=PATTERNS["review_topic"]))
    application.add_handler(CallbackQueryHandler(review.choose_entry, pattern=PATTERNS["review_entry"]))
    application.add_handler(CallbackQueryHandler(more_unanswered, pattern=PATTERNS["unanswered_more"]))
    application.add_handler(CallbackQueryHandler(presses.expired))

    # Last: the one error handler.
    application.add_error_handler(errors.report_error)


async def _ignore(update: Update, context: object) -> None:
    """Other messages in the staff chat are staff talking among themselves."""

"""Staff-only commands: /reload now, and /stats and /unanswered for the period's figures.

Anyone not listed in ``staff.user_ids`` gets the ordinary "unknown command" reply and no figures.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any, TypeVar

from sqlite_utils import Database
from telegram import Update

from bot.reports.periods import PeriodError
from bot.reports.report import telegram_stats
from bot.reports.unanswered import telegram_unanswered
from handlers.commands import unknown_command
from handlers.context import Context
from handlers.formatting import plain
from handlers.replies import send

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]
T = TypeVar("T")
MAX_LISTED_PROBLEMS = 15


def staff_only(handler: Handler) -> Handler:
    """Run ``handler`` for staff; everyone else gets the normal unknown-command reply."""

    @wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        user = update.effective_user
        if user is None or not context.services.is_staff(user.id):
            await unknown_command(update, context)
            return
        context.services.assistant.note_action(context.sender, f"/{handler.__name__}", update.update_id,
                                                via="command")
        await handler(update, context)

    return guarded


@staff_only
async def reload(update: Update, context: Context) -> None:
    """/reload: load the knowledge base now; on errors keep the old one and list them."""
    engines = context.services.engines
    problems = await asyncio.to_thread(engines.reload)
    chat = update.effective_chat
    assert chat is not None
    if problems:
        listed = "\n".join(str(problem) for problem in problems[:MAX_LISTED_PROBLEMS])
        more = f"\n… and {len(problems) - MAX_LISTED_PROBLEMS} more" if len(problems) > MAX_LISTED_PROBLEMS else ""
        await send(context, chat.id, plain(
            f"Kunnskapsbasen har feil, så den gamle er beholdt ({len(engines.engine.knowledge)} oppføringer):\n"
            f"{listed}{more}"))
        return
    await send(context, chat.id, plain(
        f"Kunnskapsbasen er lastet på nytt: {len(engines.engine.knowledge)} oppføringer."))


async def _from_log(context: Context, compute: Callable[[Database], T]) -> T:
    """Run a report query in a worker thread, on a read-only connection of its own."""
    path = context.services.config.database_path

    def run() -> T:
        db = Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False))
        try:
            return compute(db)
        finally:
            db.conn.close()

    return await asyncio.to_thread(run)


@staff_only
async def stats(update: Update, context: Context) -> None:
    """/stats [period]: the period's key figures and the weekly chart (default: this year)."""
    service = context.services
    chat = update.effective_chat
    assert chat is not None
    lang = service.assistant.language(context.sender)
    argument = " ".join(context.args or []) or None
    knowledge = service.engines.engine.knowledge
    try:
        text, chart = await _from_log(
            context, lambda db: telegram_stats(db, service.config, argument, lang, knowledge)
        )
    except PeriodError as error:
        await send(context, chat.id, plain(str(error)))
        return
    await send(context, chat.id, plain(text))
    await context.bot.send_photo(chat.id, chart, filename="naeringsbot.png")


@staff_only
async def unanswered(update: Update, context: Context) -> None:
    """/unanswered [period]: what people asked that the bot could not answer, most frequent first."""
    service = context.services
    chat = update.effective_chat
    assert chat is not None
    lang = service.assistant.language(context.sender)
    argument = " ".join(context.args or []) or None
    matcher = service.engines.engine.matcher
    try:
        text = await _from_log(context, lambda db: telegram_unanswered(db, argument, lang, matcher))
    except PeriodError as error:
        text = str(error)
    await send(context, chat.id, plain(text))

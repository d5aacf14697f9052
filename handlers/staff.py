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
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.reports.periods import PeriodError
from bot.reports.stats import telegram_stats
from bot.reports.unanswered import UnansweredPage, telegram_unanswered
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


def report_language(context: Context) -> str:
    """Figures are written in Bokmål or English; nynorsk readers get Bokmål, the closer of the two."""
    return "en" if context.services.assistant.language(context.sender) == "en" else "nb"


@staff_only
async def stats(update: Update, context: Context) -> None:
    """/stats [period]: key figures against the period before and the targets, and the chart (default: this year)."""
    service = context.services
    chat = update.effective_chat
    assert chat is not None
    lang = report_language(context)
    argument = " ".join(context.args or []) or None
    knowledge = service.engines.engine.knowledge
    try:
        reply = await _from_log(context, lambda db: telegram_stats(db, service.config, argument, lang, knowledge))
    except PeriodError as error:
        await send(context, chat.id, plain(error.text(lang)))
        return
    await send(context, chat.id, plain(reply.text))
    await context.bot.send_photo(chat.id, reply.chart, caption=reply.caption, filename="naeringsbot.png")


@staff_only
async def unanswered(update: Update, context: Context) -> None:
    """/unanswered [period]: what people asked that the bot could not answer, ten groups at a time."""
    service = context.services
    chat = update.effective_chat
    assert chat is not None
    lang = report_language(context)
    argument = " ".join(context.args or []) or None
    matcher = service.engines.engine.matcher
    try:
        page = await _from_log(context, lambda db: telegram_unanswered(db, argument, lang, matcher))
    except PeriodError as error:
        await send(context, chat.id, plain(error.text(lang)))
        return
    await send(context, chat.id, plain(page.text), more_button(page, lang))


def more_button(page: UnansweredPage, lang: str) -> InlineKeyboardMarkup | None:
    """«Flere» for the next ten groups; the period travels in the button as ISO dates."""
    if page.next_page is None:
        return None
    data = f"u:{page.period.start.isoformat()}:{page.period.end.isoformat()}:{page.next_page}"
    return InlineKeyboardMarkup([[InlineKeyboardButton("Flere" if lang == "nb" else "More", callback_data=data)]])

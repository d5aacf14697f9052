"""«Flere» under /unanswered: the next ten groups of the same period, for staff only."""

from __future__ import annotations

import datetime as dt

from telegram import Update

from bot.reports.periods import Period, PeriodError
from bot.reports.unanswered import telegram_unanswered
from handlers.context import Context
from handlers.formatting import plain
from handlers.presses import button, expired
from handlers.replies import send
from handlers.staff import _from_log, more_button, report_language


@button
async def more_unanswered(update: Update, context: Context) -> None:
    """The next page of /unanswered; a page that no longer exists says so."""
    query = update.callback_query
    assert query is not None and context.match is not None
    if not context.services.is_staff(query.from_user.id):
        await expired(update, context)
        return
    values = context.match.groupdict()
    try:
        period = Period(dt.date.fromisoformat(values["start"]), dt.date.fromisoformat(values["end"]))
    except (ValueError, PeriodError):
        await expired(update, context)
        return
    await query.answer()
    lang = report_language(context)
    matcher = context.services.engines.engine.matcher
    page = await _from_log(context, lambda db: telegram_unanswered(db, lang=lang, matcher=matcher,
                                                                   page=int(values["page"]), period=period))
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await send(context, chat_id, plain(page.text), more_button(page, lang))

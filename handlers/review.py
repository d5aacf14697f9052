"""/review for staff: what the bot learned from use, one suggestion at a time, decided with buttons.

Add it as a phrasing of the proposed entry, choose another entry (by topic), keep it on the
"needs a new answer" list, reject it, or skip to the next. Adding passes the same guard as
``naeringsbot kb accept``; the reply says what changed, and the bot answers with it at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.config import Config
from bot.engine import AnswerEngine
from bot.learning.decisions import Refused, accept, reject
from bot.learning.suggestions import Suggestion, SuggestionBox, known_phrasings
from bot.store.database import open_database
from handlers.context import Context
from handlers.formatting import plain
from handlers.presses import button
from handlers.replies import send
from handlers.staff import staff_only

T = TypeVar("T")


async def _with_box(context: Context, work: Callable[[SuggestionBox, AnswerEngine], T]) -> T:
    """Run ``work`` in a worker thread on a connection of its own: the guard takes seconds."""
    services = context.services
    engine = services.engines.engine

    def run() -> T:
        db = open_database(services.config.database_path)
        try:
            return work(SuggestionBox(db), engine)
        finally:
            db.conn.close()

    return await asyncio.to_thread(run)


def _open(box: SuggestionBox, engine: AnswerEngine) -> list[Suggestion]:
    return box.refresh(engine.matcher, known_phrasings(engine.knowledge))


def _staff_name(update: Update, context: Context) -> str:
    user = update.effective_user
    if context.services.config.staff.show_names and user is not None:
        return user.first_name
    return f"ansatt {context.services.assistant.pseudonymise(f'staff:{user.id if user else 0}')[:8]}"


def _card(suggestion: Suggestion, position: int, total: int, engine: AnswerEngine) -> tuple[str, InlineKeyboardMarkup]:
    entry = engine.knowledge.get(suggestion.entry) if suggestion.entry else None
    kind = "Ny formulering" if suggestion.kind == "phrasing" else "Ubesvart spørsmål"
    people = "person" if suggestion.count == 1 else "personer"
    lines = [f"Forslag {position} av {total} · {kind} · {suggestion.count} {people}", f"«{suggestion.text}»"]
    if entry is not None:
        lines.append(f"{'Valgt' if suggestion.kind == 'phrasing' else 'Nærmest'}: {entry.title.get('nb')}")
    rows = []
    if (entry is not None and suggestion.acceptable) or (entry is not None and suggestion.kind == "unanswered"):
        rows.append([InlineKeyboardButton(f"➕ Legg til som formulering av «{entry.title.get('nb')}»"[:60],
                                          callback_data=f"v:add:{suggestion.id}")])
    rows.append([InlineKeyboardButton("📂 Velg en annen oppføring", callback_data=f"v:topics:{suggestion.id}")])
    rows.append([InlineKeyboardButton("❓ Trenger nytt svar", callback_data=f"v:needs:{suggestion.id}"),
                 InlineKeyboardButton("🗑 Avvis", callback_data=f"v:reject:{suggestion.id}")])
    rows.append([InlineKeyboardButton("⏭ Neste", callback_data=f"v:next:{suggestion.id}")])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def _show_next(update: Update, context: Context, after: int | None = None, note: str = "") -> None:
    """The next open suggestion (after ``after``), or that the queue is empty."""
    chat = update.effective_chat
    assert chat is not None
    suggestions = await _with_box(context, _open)
    engine = context.services.engines.engine
    later = [s for s in suggestions if after is None or s.id != after]
    if after is not None:
        ids = [s.id for s in suggestions]
        if after in ids:
            later = suggestions[ids.index(after) + 1:] + suggestions[:ids.index(after)]
    prefix = f"{note}\n\n" if note else ""
    if not later:
        await send(context, chat.id, plain(prefix + "Ingen flere forslag å se på nå."))
        return
    suggestion = later[0]
    text, markup = _card(suggestion, [s.id for s in suggestions].index(suggestion.id) + 1, len(suggestions), engine)
    await send(context, chat.id, plain(prefix + text), markup)


@staff_only
async def review(update: Update, context: Context) -> None:
    """/review: the open suggestions, one at a time, most frequent first."""
    await _show_next(update, context)


@button
async def decide(update: Update, context: Context) -> None:
    """A decision on a suggestion: add, needs a new answer, reject, next, or choose another entry."""
    query = update.callback_query
    assert query is not None and context.match is not None
    if not context.services.is_staff(query.from_user.id):
        await query.answer()
        return
    await query.answer()
    action, suggestion_id = context.match.group("action"), int(context.match.group("suggestion"))
    if action == "topics":
        knowledge = context.services.engines.engine.knowledge
        rows = [[InlineKeyboardButton(topic.title.get("nb")[:60], callback_data=f"v:topic:{suggestion_id}:{topic.id}")]
                for topic in knowledge.menu_topics()]
        await send(context, query.message.chat.id if query.message else query.from_user.id,
                   plain("Hvilket tema hører spørsmålet til?"), InlineKeyboardMarkup(rows))
        return
    if action == "next":
        await _show_next(update, context, after=suggestion_id)
        return
    if action == "add":
        await _add(update, context, suggestion_id, None)
        return
    status = "needs_answer" if action == "needs" else "rejected"
    who = _staff_name(update, context)
    note = await _decided(context, lambda box, _: reject(box, suggestion_id, who, status),
                          "Lagt på lista over spørsmål som trenger nytt svar." if status == "needs_answer"
                          else "Avvist: foreslås ikke igjen.")
    await _show_next(update, context, after=suggestion_id, note=note)


@button
async def choose_topic(update: Update, context: Context) -> None:
    """After "choose another entry": the topic's entries as buttons."""
    query = update.callback_query
    assert query is not None and context.match is not None
    await query.answer()
    if not context.services.is_staff(query.from_user.id):
        return
    suggestion_id, topic_id = context.match.group("suggestion"), context.match.group("topic")
    knowledge = context.services.engines.engine.knowledge
    rows = [[InlineKeyboardButton(entry.title.get("nb")[:60], callback_data=f"v:to:{suggestion_id}:{entry.id}")]
            for entry in knowledge.in_topic(topic_id)]
    await send(context, query.message.chat.id if query.message else query.from_user.id,
               plain("Velg oppføringen:"), InlineKeyboardMarkup(rows))


@button
async def choose_entry(update: Update, context: Context) -> None:
    """The entry chosen for a suggestion: add it there, behind the guard."""
    query = update.callback_query
    assert query is not None and context.match is not None
    await query.answer()
    if context.services.is_staff(query.from_user.id):
        await _add(update, context, int(context.match.group("suggestion")), context.match.group("entry"))


async def _add(update: Update, context: Context, suggestion_id: int, entry: str | None) -> None:
    config: Config = context.services.config
    who = _staff_name(update, context)

    def work(box: SuggestionBox, engine: AnswerEngine) -> str:
        change = accept(config, box, suggestion_id, who, entry=entry)
        title = engine.knowledge.get(change.entry)
        return (f"Lagt til «{change.text}» som formulering av «{title.title.get('nb') if title else change.entry}» "
                f"({change.lang}) i {change.file.name}.")

    note = await _decided(context, work, "")
    if note.startswith("Lagt til"):
        await asyncio.to_thread(context.services.engines.reload)  # answer with it at once
    await _show_next(update, context, after=suggestion_id, note=note)


async def _decided(context: Context, work: Callable[[SuggestionBox, AnswerEngine], object], done: str) -> str:
    try:
        result = await _with_box(context, work)
    except Refused as error:
        return f"Ikke endret: {error}"
    return done or str(result)

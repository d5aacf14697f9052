"""Staff-only commands: /reload now, and /stats and /unanswered for the period's figures.

Anyone not listed in ``staff.user_ids`` gets the ordinary "unknown command" reply and no figures.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from telegram import Update

from handlers.commands import unknown_command
from handlers.context import Context, sender, services
from handlers.formatting import plain
from handlers.replies import send

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]
MAX_LISTED_PROBLEMS = 15


def staff_only(handler: Handler) -> Handler:
    """Run ``handler`` for staff; everyone else gets the normal unknown-command reply."""

    @wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        user = update.effective_user
        if user is None or not services(context).is_staff(user.id):
            await unknown_command(update, context)
            return
        services(context).assistant.note(sender(update, context), "command", "command", update.update_id,
                                         f"/{handler.__name__}")
        await handler(update, context)

    return guarded


@staff_only
async def reload(update: Update, context: Context) -> None:
    """/reload: load the knowledge base now; on errors keep the old one and list them."""
    engines = services(context).engines
    problems = engines.reload()
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

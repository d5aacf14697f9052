"""Erasing personal data: ``/forget`` for one user, and the retention purge for everyone.

Both keep the anonymous counts the indicators need (date, entry, outcome, channel) and remove
texts, pseudonyms and chat ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlite_utils import Database


@dataclass(frozen=True)
class Erased:
    inquiries: int
    feedback: int
    handoffs: int
    users: int


def forget_user(db: Database, user_ref: str) -> Erased:
    """Erase one user's texts and pseudonym everywhere, in one transaction."""
    with db.atomic():
        inquiries = db.execute(
            "update inquiries set text = null, user_ref = null where user_ref = ?", [user_ref]
        ).rowcount
        feedback = db.execute("update feedback set user_ref = null where user_ref = ?", [user_ref]).rowcount
        handoffs = db.execute(
            "update handoffs set user_ref = null, chat_id = null, question = null where user_ref = ?",
            [user_ref],
        ).rowcount
        users = db.execute("delete from users where user_ref = ?", [user_ref]).rowcount
    return Erased(inquiries, feedback, handoffs, users)


def purge_expired(db: Database, retention_days: int, now: dt.datetime | None = None) -> Erased:
    """Erase texts and pseudonyms older than ``retention_days``; users not seen since then go too."""
    cutoff = ((now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=retention_days)).isoformat(
        timespec="seconds"
    )
    with db.atomic():
        inquiries = db.execute(
            "update inquiries set text = null, user_ref = null "
            "where received_at < ? and (text is not null or user_ref is not null)",
            [cutoff],
        ).rowcount
        feedback = db.execute(
            "update feedback set user_ref = null where received_at < ? and user_ref is not null", [cutoff]
        ).rowcount
        handoffs = db.execute(
            "update handoffs set user_ref = null, chat_id = null, question = null "
            "where opened_at < ? and (user_ref is not null or chat_id is not null or question is not null)",
            [cutoff],
        ).rowcount
        users = db.execute("delete from users where last_seen < ?", [cutoff]).rowcount
    return Erased(inquiries, feedback, handoffs, users)

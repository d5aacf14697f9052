"""Erasing personal data: ``/forget`` for one user, and the retention purge for everyone.

Both follow one rule. What stays is anonymous counts: per row the time, channel, chat type,
language, kind, outcome, entry, score and response time, and the link between a button press and
the question it answered (one exchange, so that a picked suggestion is not counted twice), and the
parts of a message that asked several things (``inquiry_parts``: entry, outcome and score, no text). What
goes: texts, pseudonyms, chat ids, the per-row profile snapshot (role, municipality, deep-link
source, which could tie a person's rows together again), feedback's pseudonym, the user's row,
their handoffs' questions and the staff-chat message links of those handoffs. Active handoffs
are closed. Afterwards the write-ahead log is checkpointed and truncated, and the database runs
with ``secure_delete``, so the erased texts are not left in the file's free pages or in the WAL.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlite_utils import Database

logger = logging.getLogger(__name__)

ERASED_INQUIRY_COLUMNS = "text = null, user_ref = null, role = null, municipality = null, source = null"
ERASED_HANDOFF_COLUMNS = "user_ref = null, chat_id = null, question = null"


@dataclass(frozen=True)
class Erased:
    inquiries: int
    feedback: int
    handoffs: int
    users: int
    closed_handoffs: list[int] = field(default_factory=list)


def forget_user(db: Database, user_ref: str, now: str | None = None) -> Erased:
    """Erase one user's texts and pseudonym everywhere, in one transaction; close their handoffs."""
    closed_at = now or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with db.atomic():
        active = [int(row["id"]) for row in db.query(
            "select id from handoffs where user_ref = ? and status in ('open', 'answered')", [user_ref])]
        db.execute("update handoffs set status = 'closed', closed_at = ? "
                   "where user_ref = ? and status in ('open', 'answered')", [closed_at, user_ref])
        db.execute("delete from handoff_messages where handoff_id in "
                   "(select id from handoffs where user_ref = ?)", [user_ref])
        inquiries = db.execute(f"update inquiries set {ERASED_INQUIRY_COLUMNS} where user_ref = ?",
                               [user_ref]).rowcount
        feedback = db.execute("update feedback set user_ref = null where user_ref = ?", [user_ref]).rowcount
        handoffs = db.execute(f"update handoffs set {ERASED_HANDOFF_COLUMNS} where user_ref = ?",
                              [user_ref]).rowcount
        users = db.execute("delete from users where user_ref = ?", [user_ref]).rowcount
    checkpoint(db)
    return Erased(inquiries, feedback, handoffs, users, active)


def purge_expired(db: Database, retention_days: int, now: dt.datetime | None = None) -> Erased:
    """Erase texts and pseudonyms older than ``retention_days``; users not seen since then go too."""
    cutoff = retention_cutoff(retention_days, now)
    now_text = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    with db.atomic():
        db.execute("update handoffs set status = 'closed', closed_at = ? "
                   "where opened_at < ? and status in ('open', 'answered')", [now_text, cutoff])
        db.execute("delete from handoff_messages where handoff_id in (select id from handoffs where opened_at < ?)",
                   [cutoff])
        inquiries = db.execute(
            f"update inquiries set {ERASED_INQUIRY_COLUMNS} where received_at < ? and (text is not null "
            "or user_ref is not null or role is not null or municipality is not null or source is not null)",
            [cutoff],
        ).rowcount
        feedback = db.execute(
            "update feedback set user_ref = null where received_at < ? and user_ref is not null", [cutoff]
        ).rowcount
        handoffs = db.execute(
            f"update handoffs set {ERASED_HANDOFF_COLUMNS} where opened_at < ? "
            "and (user_ref is not null or chat_id is not null or question is not null)",
            [cutoff],
        ).rowcount
        users = db.execute("delete from users where last_seen < ?", [cutoff]).rowcount
    checkpoint(db)
    return Erased(inquiries, feedback, handoffs, users)


def retention_cutoff(retention_days: int, now: dt.datetime | None = None) -> str:
    return ((now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=retention_days)).isoformat(timespec="seconds")


def checkpoint(db: Database) -> None:
    """Copy the WAL into the database and truncate it, so erased texts do not linger there."""
    busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        logger.warning("The write-ahead log could not be truncated now (a reader such as Datasette is "
                       "open); erased texts leave it at the next checkpoint")

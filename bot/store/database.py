"""The SQLite file behind the inquiry log: connection settings and the schema as migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database, Migrations

from bot.clock import oslo_time_sql

BUSY_TIMEOUT_MS = 2000

migrations = Migrations("naeringsbot")


@migrations()
def m001_initial_schema(db: Database) -> None:
    """Tables staff queries rely on (see PRODUCT.md), and their indexes for the reports."""
    db.table("users").create(
        {
            "user_ref": str,
            "lang": str,
            "role": str,
            "municipality": str,
            "source": str,
            "first_seen": str,
            "last_seen": str,
            "profile_state": str,
        },
        pk="user_ref",
    )
    db.table("inquiries").create(
        {
            "id": int,
            "update_id": int,
            "received_at": str,
            "channel": str,
            "chat_type": str,
            "user_ref": str,
            "lang": str,
            "kind": str,
            "text": str,
            "entry_id": str,
            "score": float,
            "outcome": str,
            "suggested": str,
            "parent_id": int,
            "latency_ms": float,
            "is_staff": int,
            "role": str,
            "municipality": str,
            "source": str,
        },
        pk="id",
        not_null={"received_at", "channel", "outcome", "kind"},
        defaults={"is_staff": 0},
        foreign_keys=[("parent_id", "inquiries", "id")],
    )
    db.table("inquiries").create_index(["update_id"], unique=True)
    db.table("inquiries").create_index(["received_at"])
    db.table("inquiries").create_index(["user_ref"])
    db.table("inquiries").create_index(["outcome", "received_at"])
    db.table("inquiries").create_index(["entry_id", "received_at"])
    db.table("feedback").create(
        {"id": int, "inquiry_id": int, "user_ref": str, "value": int, "received_at": str},
        pk="id",
        not_null={"inquiry_id", "value", "received_at"},
        foreign_keys=[("inquiry_id", "inquiries", "id")],
    )
    db.table("feedback").create_index(["inquiry_id"], unique=True)
    db.table("handoffs").create(
        {
            "id": int,
            "reference": str,
            "inquiry_id": int,
            "user_ref": str,
            "chat_id": int,
            "lang": str,
            "question": str,
            "status": str,
            "opened_at": str,
            "first_answered_at": str,
            "closed_at": str,
            "answered_by": str,
            "staff_message_id": int,
            "thread_id": int,
        },
        pk="id",
        not_null={"status", "opened_at"},
        foreign_keys=[("inquiry_id", "inquiries", "id")],
    )
    db.table("handoffs").create_index(["status"])
    db.table("handoffs").create_index(["user_ref"])
    db.table("handoffs").create_index(["staff_message_id"])


@migrations()
def m002_handoff_threads(db: Database) -> None:
    """Every staff-chat message of a handoff, so a reply to any of them reaches the user; blocks."""
    db.table("handoff_messages").create(
        {"staff_message_id": int, "handoff_id": int},
        pk="staff_message_id",
        foreign_keys=[("handoff_id", "handoffs", "id")],
    )
    db.table("handoffs").create_index(["thread_id"])
    db.table("blocked").create({"user_ref": str, "blocked_at": str, "reason": str}, pk="user_ref")


@migrations()
def m003_handoff_overview(db: Database) -> None:
    """Handoffs without the user's Telegram chat id, for the staff review in Datasette."""
    db.create_view(
        "handoff_overview",
        "select id, reference, inquiry_id, user_ref, lang, question, status, opened_at, first_answered_at, "
        "closed_at, answered_by from handoffs",
    )


@migrations()
def m004_review_queue(db: Database) -> None:
    """What the bot learned from use, waiting for staff: suggestions and who decided what, when."""
    db.table("suggestions").create(
        {"id": int, "kind": str, "key": str, "text": str, "entry": str, "count": int, "first_seen": str,
         "last_seen": str, "status": str, "decided_at": str, "decided_by": str, "accepted_text": str,
         "accepted_entry": str, "accepted_lang": str},
        pk="id",
        not_null={"kind", "key", "status"},
    )
    db.table("suggestions").create_index(["kind", "key"], unique=True)
    db.table("suggestions").create_index(["status"])
    db.table("suggestion_history").create(
        {"id": int, "suggestion_id": int, "action": str, "entry": str, "lang": str, "text": str, "at": str,
         "by": str},
        pk="id",
        not_null={"suggestion_id", "action", "at"},
        foreign_keys=[("suggestion_id", "suggestions", "id")],
    )


@migrations()
def m005_inquiry_parts(db: Database) -> None:
    """The parts of a message that asked several things: each part's entry, outcome and score.

    No text and no pseudonym: the message's text is in its ``inquiries`` row, so the erasure
    rules that cover that row cover the parts too.
    """
    db.table("inquiry_parts").create(
        {"id": int, "inquiry_id": int, "part": int, "entry_id": str, "outcome": str, "score": float},
        pk="id",
        not_null={"inquiry_id", "part", "outcome"},
        foreign_keys=[("inquiry_id", "inquiries", "id")],
    )
    db.table("inquiry_parts").create_index(["inquiry_id", "part"], unique=True)
    db.table("inquiry_parts").create_index(["entry_id"])


@migrations()
def m006_handoff_outcome_and_profile_asks(db: Database) -> None:
    """How a handoff ended, for the status on its staff-chat post; profile questions never sent.

    Earlier releases marked users as asked for their profile even with no roles configured, when
    no question was sent. Someone who was really asked and answered has a role or municipality,
    and someone who pressed skip is ``skipped``; an ``asked`` with neither was, in those releases,
    most likely never sent, so it is cleared and the question is asked once roles exist. A user
    who saw the question and ignored it may be asked a second time: one question more, not lost.
    """
    db.table("handoffs").add_column("closed_by", str)
    db.execute("update users set profile_state = null where profile_state = 'asked' "
                "and role is null and municipality is null")
    # The review's overview of real users' inquiries with their topic and month in Oslo time, for
    # facets; ``naeringsbot review`` fills ``entry_topics`` from the knowledge base when it starts.
    db.table("entry_topics").create({"entry_id": str, "title": str, "topic_id": str, "topic": str}, pk="entry_id")
    db.create_view(
        "inquiry_overview",
        f"select i.id, {oslo_time_sql('i.received_at', '%Y-%m-%d %H:%M')} as tid, "
        f"{oslo_time_sql('i.received_at', '%Y-%m')} as måned, i.lang as språk, i.kind as type, i.text as tekst, "
        "i.outcome as utfall, t.topic as tema, i.entry_id as svar, t.title as tittel, i.score as treff, "
        "i.received_at from inquiries i left join entry_topics t on t.entry_id = i.entry_id "
        "where i.is_staff = 0 and i.channel = 'telegram'",
    )


def open_database(path: Path) -> Database:
    """Open (creating folder and file if needed), tune for a long-running writer, migrate."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Inquiry texts are personal data: only the bot's own user may read the file.
        path.touch(mode=0o600)
    connection = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db = Database(connection)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    # Erased texts (/forget, the purge) are overwritten with zeros instead of left in free pages.
    db.execute("PRAGMA secure_delete = ON")
    if db.journal_mode != "wal":
        db.enable_wal()
    # In WAL mode NORMAL survives any crash of the bot itself; only a power cut can lose the last
    # commits. FULL would fsync every inquiry and cap the bot at a few hundred updates a second.
    db.execute("PRAGMA synchronous = NORMAL")
    migrations.apply(db)
    return db

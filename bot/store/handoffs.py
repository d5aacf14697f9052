"""Handoffs to staff: the queue of questions people asked to take to a person, and their threads.

A handoff keeps the user's chat id only while it is open (plus a short grace period), so staff
replies can be relayed; everything else about the user is the pseudonym, as in the inquiry log.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlite_utils import Database

from bot.clock import LOCAL, local_time
from bot.store.inquiries import utc_now
from bot.store.redaction import redact
from bot.store.users import select

Status = Literal["open", "answered", "closed", "unrouted"]
ClosedBy = Literal["staff", "blocked", "user", "forgotten", "unreachable"]
STATUS_MARKS = ("✅", "✖", "🚫")  # a staff-chat post's last line is its status when it starts with one
CLOSED_LABELS: dict[str | None, str] = {
    "staff": "✖ Lukket",
    "blocked": "🚫 Sperret",
    "user": "✖ Avsluttet av innbyggeren",
    "forgotten": "✖ Slettet av innbyggeren (/forget)",
    "unreachable": "✖ Svaret kom ikke fram: innbyggeren har blokkert boten",
    None: "✖ Lukket",
}


@dataclass(frozen=True)
class Handoff:
    id: int
    reference: str
    status: Status
    user_ref: str | None
    chat_id: int | None
    lang: str | None
    question: str | None
    thread_id: int | None
    staff_message_id: int | None
    first_answered_at: str | None = None
    closed_at: str | None = None
    closed_by: ClosedBy | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Handoff:
        return cls(
            id=row["id"], reference=row["reference"], status=row["status"], user_ref=row["user_ref"],
            chat_id=row["chat_id"], lang=row["lang"], question=row["question"], thread_id=row["thread_id"],
            staff_message_id=row["staff_message_id"], first_answered_at=row["first_answered_at"],
            closed_at=row["closed_at"], closed_by=row.get("closed_by"),
        )


class HandoffDesk:
    """Opens, threads, answers and closes handoffs; all writes in one transaction each."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def open(
        self,
        user_ref: str,
        chat_id: int | None,
        lang: str,
        question: str | None,
        inquiry_id: int | None,
        routed: bool = True,
    ) -> Handoff:
        """A new handoff: ``open`` when it goes to the staff chat, ``unrouted`` when there is none."""
        now = utc_now()
        with self.db.atomic():
            table = self.db.table("handoffs")
            table.insert(
                {
                    "reference": "",
                    "inquiry_id": inquiry_id,
                    "user_ref": user_ref,
                    "chat_id": chat_id if routed else None,
                    "lang": lang,
                    "question": redact(question) if question else None,
                    "status": "open" if routed else "unrouted",
                    "opened_at": now,
                }
            )
            handoff_id = int(table.last_pk or 0)
            table.update(handoff_id, {"reference": f"H-{handoff_id}"})
        opened = self.get(handoff_id)
        assert opened is not None
        return opened

    def get(self, handoff_id: int) -> Handoff | None:
        rows = list(self.db.query("select * from handoffs where id = ?", [handoff_id]))
        return Handoff.from_row(rows[0]) if rows else None

    def for_inquiry(self, inquiry_id: int) -> Handoff | None:
        """The handoff an inquiry opened; a re-delivered update finds it here to finish its steps."""
        rows = list(self.db.query("select * from handoffs where inquiry_id = ? order by id limit 1", [inquiry_id]))
        return Handoff.from_row(rows[0]) if rows else None

    def mark_unrouted(self, handoff: Handoff) -> None:
        """The staff chat refused the post: nobody will answer there, so it is not left ``open``."""
        with self.db.atomic():
            self.db.execute("update handoffs set status = 'unrouted', chat_id = null where id = ?", [handoff.id])

    def active_for(self, user_ref: str) -> Handoff | None:
        """The user's open conversation with staff, where further messages belong.

        Asked on every message, so read without the savepoint ``Database.query`` would open.
        """
        rows = select(
            self.db,
            "select * from handoffs where user_ref = ? and status in ('open', 'answered') order by id desc limit 1",
            [user_ref],
        )
        return Handoff.from_row(rows[0]) if rows else None

    def for_staff_message(self, message_id: int | None, thread_id: int | None) -> Handoff | None:
        """The handoff a staff-chat message belongs to: by the message it replies to, or its topic."""
        if message_id is not None:
            rows = list(
                self.db.query(
                    "select handoffs.* from handoff_messages join handoffs on handoffs.id = handoff_id "
                    "where handoff_messages.staff_message_id = ?",
                    [message_id],
                )
            )
            if rows:
                return Handoff.from_row(rows[0])
        if thread_id is not None:
            rows = list(self.db.query("select * from handoffs where thread_id = ?", [thread_id]))
            if rows:
                return Handoff.from_row(rows[0])
        return None

    def link_staff_message(self, handoff: Handoff, message_id: int, thread_id: int | None = None) -> None:
        with self.db.atomic():
            self.db.table("handoff_messages").insert(
                {"staff_message_id": message_id, "handoff_id": handoff.id}, replace=True
            )
            values: dict[str, Any] = {}
            if handoff.staff_message_id is None:
                values["staff_message_id"] = message_id
            if thread_id is not None and handoff.thread_id is None:
                values["thread_id"] = thread_id
            if values:
                self.db.table("handoffs").update(handoff.id, values)

    def mark_answered(self, handoff: Handoff, answered_by: str) -> bool:
        """Record the first staff answer's time and who gave it (a pseudonym); True the first time."""
        with self.db.atomic():
            cursor = self.db.execute(
                "update handoffs set status = case when status = 'open' then 'answered' else status end, "
                "first_answered_at = ?, answered_by = ? where id = ? and first_answered_at is null",
                [utc_now(), answered_by, handoff.id],
            )
        return bool(cursor.rowcount)

    def close(self, handoff: Handoff, by: ClosedBy = "staff") -> bool:
        """Close an active handoff; False when it was not active."""
        with self.db.atomic():
            cursor = self.db.execute(
                "update handoffs set status = 'closed', closed_at = ?, closed_by = ? "
                "where id = ? and status in ('open', 'answered')",
                [utc_now(), by, handoff.id],
            )
        return bool(cursor.rowcount)

    def mark_closed_by(self, handoff: Handoff, by: ClosedBy) -> None:
        """Say how an already closed handoff ended (blocked afterwards, or erased by /forget)."""
        with self.db.atomic():
            self.db.execute("update handoffs set closed_by = ? where id = ? and status = 'closed'", [by, handoff.id])

    def opened_today(self, user_ref: str) -> int:
        since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat(timespec="seconds")
        rows = self.db.query(
            "select count(*) as n from handoffs where user_ref = ? and opened_at >= ?", [user_ref, since]
        )
        return int(next(iter(rows))["n"])

    def block(self, user_ref: str, reason: str) -> None:
        self.db.table("blocked").insert({"user_ref": user_ref, "blocked_at": utc_now(), "reason": reason}, replace=True)

    def is_blocked(self, user_ref: str) -> bool:
        return bool(list(self.db.query("select 1 from blocked where user_ref = ?", [user_ref])))

    def erase_closed_chat_ids(self, keep_hours: int, now: dt.datetime | None = None) -> int:
        """Chat ids are only needed to relay answers: erase them after close plus a grace period."""
        cutoff = ((now or dt.datetime.now(dt.UTC)) - dt.timedelta(hours=keep_hours)).isoformat(timespec="seconds")
        with self.db.atomic():
            cursor = self.db.execute(
                "update handoffs set chat_id = null where chat_id is not null and status = 'closed' "
                "and closed_at < ?",
                [cutoff],
            )
        return int(cursor.rowcount)


# Control and bidi characters could fake extra lines or reorder the card's text.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+")


def one_line(text: str) -> str:
    """The user's text as one line: line breaks shown as ⏎, control and bidi characters removed."""
    text = text.replace("\r\n", "\n").replace("\n", " ⏎ ")
    return " ".join(_UNSAFE.sub(" ", text).split())


HOW_TO_ANSWER = "Svar ved å svare (reply) på denne meldingen. /close avslutter, /block sperrer brukeren."


def staff_card(
    handoff: Handoff,
    guesses: list[str],
    profile: dict[str, Any] | None,
    shown_as: str,
    follow_up: bool = False,
) -> str:
    """What staff see in their chat: the redacted question and context, never more than needed."""
    lines = [f"#{handoff.reference} · {shown_as} · {(handoff.lang or '?').upper()}"]
    if profile and (profile.get("role") or profile.get("municipality")):
        lines.append(" · ".join(value for value in (profile.get("role"), profile.get("municipality")) if value))
    lines.append("")
    lines.append(("Oppfølging: " if follow_up else "Spørsmål: ") + one_line(handoff.question or "–"))
    if guesses and not follow_up:
        lines.append("Botens beste forslag: " + "; ".join(one_line(title) for title in guesses))
    if not follow_up:
        lines.append("")
        lines.append(HOW_TO_ANSWER)
    return "\n".join(lines)


def clock_time(stamp: str, now: dt.datetime | None = None) -> str:
    """An ISO time in UTC as staff read it in Drammen: ``10:42`` today, ``30.11. 10:42`` before."""
    moment = local_time(stamp)
    today = (now or dt.datetime.now(dt.UTC)).astimezone(LOCAL).date()
    return f"{moment:%H:%M}" if moment.date() == today else f"{moment.day}.{moment.month}. {moment:%H:%M}"


def status_line(handoff: Handoff, now: dt.datetime | None = None) -> str | None:
    """Where a handoff stands, for the whole team to see on its post: answered, closed, blocked."""
    parts = []
    if handoff.first_answered_at:
        parts.append(f"✅ Besvart · {clock_time(handoff.first_answered_at, now)}")
    if handoff.status == "closed":
        label = CLOSED_LABELS.get(handoff.closed_by, CLOSED_LABELS[None])
        parts.append(f"{label} · {clock_time(handoff.closed_at, now)}" if handoff.closed_at else label)
    return " — ".join(parts) or None


def with_status(card: str, line: str | None, limit: int | None = None, closed: bool = False) -> str:
    """The post's text with its status line replaced (or added after a blank line).

    Within ``limit`` characters the status line stays whole and the card before it is cut, so a
    long question never makes the post too long to be edited. A ``closed`` post no longer tells
    staff how to answer it.
    """
    lines = card.rstrip("\n").split("\n")
    if closed:
        lines = [text for text in lines if text != HOW_TO_ANSWER]
    if len(lines) > 1 and lines[-1].startswith(STATUS_MARKS):
        lines = lines[:-1]
    while lines and not lines[-1].strip():
        lines.pop()
    text = "\n".join(lines)
    room = None if limit is None else limit - (len(line) + 2 if line else 0)
    if room is not None and len(text) > room:
        text = text[:room - 1].rstrip() + "…"
    return f"{text}\n\n{line}" if line else text

"""The inquiry log: one row per incoming message, button press or command, written exactly once.

It is the programme's indicator input, so two promises matter more than speed: a re-delivered
update (Telegram re-sends what the bot did not confirm) is never counted twice, and a write that
fails (locked, read-only or full database) is kept in memory and written later, never dropped.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlite_utils import Database

from bot.store.redaction import redact
from bot.store.spool import QueuedRow, Spool
from bot.store.users import UserStore, select, utc_now

logger = logging.getLogger(__name__)

InquiryOutcome = Literal[
    "answered", "ambiguous", "fallback", "handoff", "smalltalk", "command", "non_text", "flood", "invalid"
]
InquiryKind = Literal["message", "button", "command", "feedback", "non_text", "invalid"]
MAX_PENDING = 10_000
WRITE_ATTEMPTS = 1
# Once the database has refused a write, queued rows are retried at most this often, each retry
# waiting only RETRY_BUSY_MS for a lock: writes are synchronous, so every wait stalls every chat.
RETRY_SECONDS = 5.0
RETRY_BUSY_MS = 50


@dataclass
class Inquiry:
    """An inquiry as the channel adapters describe it; the log redacts and stamps it."""

    channel: str
    kind: InquiryKind
    outcome: InquiryOutcome
    user_ref: str | None = None
    update_id: int | None = None
    chat_type: str | None = None
    lang: str | None = None
    text: str | None = None
    entry_id: str | None = None
    score: float | None = None
    suggested: str | None = None
    parent_id: int | None = None
    latency_ms: float | None = None
    is_staff: bool = False
    received_at: str = field(default_factory=utc_now)
    # A message that asked several things: ``{part, entry_id, outcome, score}`` per part, written
    # to ``inquiry_parts`` in the same transaction as the row (and queued with it).
    parts: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Recorded:
    """What happened to a record: its row id (None while queued) and whether it was a re-delivery."""

    inquiry_id: int | None
    duplicate: bool = False


class InquiryLog:
    """Owns writes to ``inquiries``, ``feedback`` and ``users``; reads go straight to the connection."""

    def __init__(self, db: Database, max_pending: int = MAX_PENDING, spool: Path | None = None) -> None:
        self.db = db
        self.users = UserStore(db)
        self._pending: deque[QueuedRow] = deque()
        self._max_pending = max_pending
        # Rows queued in memory that could not be spooled either (disk full): their updates must
        # not be confirmed to Telegram, or a crash would lose them.
        self._unsaved = 0
        self._refused_at: float | None = None
        # Queued rows are also appended to a spool file, so that a crash while the database is
        # locked or read-only loses nothing: the next start writes them first.
        self._spool = Spool(spool) if spool is not None else None
        if self._spool is not None and spool is not None and spool.exists():
            self._pending.extend(self._spool.load())
            self.flush()

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def durable(self) -> bool:
        """True when every row recorded so far is in the database or in the spool file."""
        return self._unsaved == 0

    @property
    def unsaved(self) -> int:
        return self._unsaved

    def erase_queued(self, user_ref: str | None = None, before: str | None = None) -> int:
        """Apply ``/forget`` (one pseudonym) or the purge (rows before a time) to rows still queued."""
        erased = 0
        for _kind, row in self._pending:
            if (user_ref is not None and row.get("user_ref") == user_ref) or (
                before is not None and str(row.get("received_at", "")) < before
            ):
                for column in ("text", "user_ref", "role", "municipality", "source"):
                    if column in row:
                        row[column] = None
                erased += 1
        if erased:
            self._rewrite_spool()
        return erased

    def record(self, inquiry: Inquiry) -> Recorded:
        """Write one inquiry unless its update was already logged; queue it if the disk says no."""
        if inquiry.update_id is not None and self._is_pending(inquiry.update_id):
            return Recorded(None, duplicate=True)
        row = self._row(inquiry)
        if self._retry_due():  # else refused moments ago: queue without touching the database
            self.flush()
        if self._pending:  # the rows ahead are still refused: queue behind them, without waiting again
            self._queue("inquiry", row, sqlite3.OperationalError("earlier rows are still queued"))
            return Recorded(None)
        try:
            inquiry_id = self._write(lambda: self._insert_inquiry(row))
        except sqlite3.IntegrityError:
            raise  # the row breaks the schema's rules: a bug to surface, not a disk to wait for
        except sqlite3.Error as error:
            self._queue("inquiry", row, error)
            return Recorded(None)
        if inquiry_id is None:  # a re-delivered update: "insert or ignore" kept the first row
            return Recorded(self.inquiry_id_for_update(row["update_id"]), duplicate=True)
        return Recorded(inquiry_id)

    def record_feedback(self, update_id: int, user_ref: str, value: int) -> bool:
        """Store 👍/👎 for the inquiry of ``update_id``; a changed vote replaces the old one."""
        row = {"update_id": update_id, "user_ref": user_ref, "value": 1 if value > 0 else -1,
               "received_at": utc_now()}
        if self._is_pending(update_id):
            self._queue("feedback", row, sqlite3.OperationalError("its inquiry is still queued"))
            return True
        try:
            return bool(self._write(lambda: self._upsert_feedback(row)))
        except sqlite3.Error as error:
            self._queue("feedback", row, error)
            return True

    def inquiry_id_for_update(self, update_id: int) -> int | None:
        rows = select(self.db, "select id from inquiries where update_id = ?", [update_id])
        return int(rows[0]["id"]) if rows else None

    def inquiry(self, inquiry_id: int) -> dict[str, Any] | None:
        rows = select(self.db, "select * from inquiries where id = ?", [inquiry_id])
        return rows[0] if rows else None

    def _retry_due(self) -> bool:
        return not self._pending or self._refused_at is None or time.monotonic() - self._refused_at >= RETRY_SECONDS

    def flush(self) -> int:
        """Write queued rows in order; stop at the first that still fails. Returns rows written."""
        if not self._pending:
            return 0
        (previous_timeout,) = self.db.execute("PRAGMA busy_timeout").fetchone()
        self.db.execute(f"PRAGMA busy_timeout = {min(RETRY_BUSY_MS, int(previous_timeout))}")
        try:
            written = self._write_queued()
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {int(previous_timeout)}")
        self._refused_at = time.monotonic() if self._pending else None
        if not self._pending:
            self._unsaved = 0
        if written:
            logger.warning("Wrote %d queued inquiry-log rows; %d still queued", written, len(self._pending))
        if written or self._unsaved:
            self._rewrite_spool()
        return written

    def _write_queued(self) -> int:
        written = 0
        while self._pending:
            kind, row = self._pending[0]
            try:
                if kind == "inquiry":
                    self._write(lambda row=row: self._insert_inquiry(row), attempts=1)
                else:
                    self._write(lambda row=row: self._upsert_feedback(row), attempts=1)
            except sqlite3.Error:
                break
            self._pending.popleft()
            written += 1
        return written

    # Internals ---------------------------------------------------------------------------------

    def _row(self, inquiry: Inquiry) -> dict[str, Any]:
        row = dict(vars(inquiry))  # flat fields: no deep copy needed
        row["text"] = redact(inquiry.text) if inquiry.text else inquiry.text
        row["is_staff"] = int(inquiry.is_staff)
        profile = self.users.get(inquiry.user_ref) if inquiry.user_ref and not inquiry.is_staff else None
        for key in ("role", "municipality", "source"):
            row[key] = profile.get(key) if profile else None
        return row

    def _insert_inquiry(self, row: dict[str, Any]) -> int | None:
        columns = {key: value for key, value in row.items() if key != "parts"}
        with self.db.atomic():
            cursor = self.db.execute(
                f"insert or ignore into inquiries ({', '.join(columns)}) "
                f"values ({', '.join('?' for _ in columns)})",
                list(columns.values()),
            )
            if not cursor.rowcount:
                return None
            inquiry_id = cursor.lastrowid
            for part in row.get("parts") or ():
                self.db.execute("insert into inquiry_parts (inquiry_id, part, entry_id, outcome, score) "
                                "values (?, ?, ?, ?, ?)",
                                [inquiry_id, part["part"], part.get("entry_id"), part["outcome"], part.get("score")])
            return inquiry_id

    def _upsert_feedback(self, row: dict[str, Any]) -> int | None:
        """A vote counts only on the voter's own inquiry (callback data can be forged)."""
        rows = select(self.db, "select id, user_ref from inquiries where update_id = ?", [row["update_id"]])
        if not rows or rows[0]["user_ref"] != row["user_ref"]:
            return None
        inquiry_id = int(rows[0]["id"])
        with self.db.atomic():
            self.db.execute(
                "insert into feedback (inquiry_id, user_ref, value, received_at) values (?, ?, ?, ?) "
                "on conflict(inquiry_id) do update set value = excluded.value, "
                "received_at = excluded.received_at",
                [inquiry_id, row["user_ref"], row["value"], row["received_at"]],
            )
        return inquiry_id

    def _write(self, operation: Any, attempts: int = WRITE_ATTEMPTS) -> Any:
        for attempt in range(attempts):
            try:
                return operation()
            except sqlite3.Error:
                if attempt == attempts - 1:
                    raise
        return None

    def _is_pending(self, update_id: int) -> bool:
        return any(kind == "inquiry" and row.get("update_id") == update_id for kind, row in self._pending)

    def _queue(self, kind: str, row: dict[str, Any], error: sqlite3.Error) -> None:
        if len(self._pending) >= self._max_pending:
            dropped_kind, dropped = self._pending.popleft()
            logger.error(
                "Inquiry-log queue full (%d rows): oldest %s row from %s could not be kept",
                self._max_pending, dropped_kind, dropped.get("received_at"),
            )
        self._pending.append((kind, row))
        if self._refused_at is None:
            self._refused_at = time.monotonic()
        logger.warning("Inquiry log not writable (%s); %d row(s) queued in memory", error, len(self._pending))
        self._append_to_spool(kind, row)

    def _append_to_spool(self, kind: str, row: dict[str, Any]) -> None:
        if self._spool is None or not self._spool.append(kind, row):
            self._unsaved += 1
            logger.error("%d inquiry-log row(s) are in memory only", self._unsaved)

    def _rewrite_spool(self) -> None:
        if self._spool is not None and self._spool.rewrite(self._pending):
            self._unsaved = 0

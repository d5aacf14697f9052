"""The ``users`` table: a pseudonym's language, optional profile and deep-link source.

Every update of a user reads their row several times (language, profile question, snapshot),
so rows are cached briefly; anything that erases or changes users elsewhere drops the cache.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import time
from typing import Any

from sqlite_utils import Database

logger = logging.getLogger(__name__)

CACHE_SIZE = 50_000
CACHE_SECONDS = 300.0


def select(db: Database, sql: str, parameters: list[Any]) -> list[dict[str, Any]]:
    """Rows of a read as dicts, read on the connection itself.

    ``Database.query`` wraps every read in a savepoint of its own; the bot's reads need none, and
    on every update those savepoints were most of its SQL statements.
    """
    cursor = db.conn.execute(sql, parameters)
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class UserStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._cache: dict[str, tuple[float, dict[str, Any] | None]] = {}

    def get(self, user_ref: str) -> dict[str, Any] | None:
        """The user's row, or None for someone the bot has not seen."""
        now = time.monotonic()
        cached = self._cache.get(user_ref)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        rows = select(self.db, "select * from users where user_ref = ?", [user_ref])
        self._remember(user_ref, rows[0] if rows else None)
        return rows[0] if rows else None

    def forget_cached(self, user_ref: str | None = None) -> None:
        """Drop cached rows after they were erased or changed outside ``update``."""
        if user_ref is None:
            self._cache.clear()
        else:
            self._cache.pop(user_ref, None)

    def update(self, user_ref: str, **values: str | None) -> None:
        """Create or update the user's row; a failure is logged, never raised (preferences only).

        The statement returns the row as stored, which becomes the cached row: the next read of
        this user (the same update reads it again) needs no query.
        """
        now = utc_now()
        row = {"user_ref": user_ref, "last_seen": now, **values}
        self.forget_cached(user_ref)
        # Inside a caller's transaction the row may still be rolled back: then it is read again.
        joined = self.db.conn.in_transaction
        columns = [*row, "first_seen"]
        changed = ", ".join(f"{column} = excluded.{column}" for column in row if column != "user_ref")
        try:
            with self.db.atomic():  # one statement: a new user gets first_seen, a known one keeps theirs
                cursor = self.db.execute(
                    f"insert into users ({', '.join(columns)}) values ({', '.join('?' for _ in columns)}) "
                    f"on conflict(user_ref) do update set {changed} returning *",
                    [*row.values(), now],
                )
                stored = cursor.fetchall()  # finished before the commit
                names = [column[0] for column in cursor.description]
        except sqlite3.Error as error:
            self.forget_cached(user_ref)
            logger.warning("Could not update a user's preferences: %s", error)
            return
        if stored and not joined:
            self._remember(user_ref, dict(zip(names, stored[0], strict=True)))

    def _remember(self, user_ref: str, row: dict[str, Any] | None) -> None:
        if len(self._cache) >= CACHE_SIZE:
            self._cache.clear()
        self._cache[user_ref] = (time.monotonic(), row)

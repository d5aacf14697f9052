"""Backup and restore of the inquiry log: SQLite's online backup API, verified, never a file copy.

A running bot holds an advisory lock (``hold_run_lock``) on a file beside the database; ``restore``
refuses while anyone holds it and keeps it itself while it replaces the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlite_utils import Database

from bot.store.database import BUSY_TIMEOUT_MS, migrations

# Tables every Næringsbot database has since the first migration (PRODUCT.md, "Inquiry log").
KNOWN_TABLES = ("inquiries", "feedback", "handoffs", "users")
MIGRATIONS_TABLE = "_sqlite_migrations"
BACKUP_STEP_PAGES = 1024  # pages per backup step when progress is shown (4 MiB with SQLite's default page size)


class BackupError(Exception):
    """The backup or restore could not be done safely; the message says why and what to do."""


class RunLockHeld(BackupError):
    """Another process (the running bot, or a restore) holds the database's run lock."""


def run_lock_path(database_path: Path) -> Path:
    return database_path.with_name(database_path.name + "-run.lock")


def hold_run_lock(database_path: Path) -> IO[str]:
    """Take the database's run lock, held until the returned file is closed (or the process ends).

    Raises ``RunLockHeld`` when another process holds it: the bot is already running, or a restore is
    replacing the database. The lock is advisory (``flock``) and vanishes with its process, so a crash
    never leaves a stale lock behind.
    """
    path = run_lock_path(database_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+", encoding="utf-8")
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        lock.close()
        raise RunLockHeld(
            f"{database_path} is in use (the bot is running, or a restore is under way): stop the bot first "
            "(systemctl stop naeringsbot)"
        ) from error
    lock.seek(0)
    lock.truncate()
    lock.write(f"{os.getpid()}\n")
    lock.flush()
    return lock


def is_running(database_path: Path) -> bool:
    """Whether a process holds the run lock (the bot is running)."""
    try:
        hold_run_lock(database_path).close()
    except RunLockHeld:
        return True
    return False


@dataclass
class Verified:
    """What a verification found: rows per table and the applied migrations."""

    path: Path
    counts: dict[str, int]
    applied: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return ", ".join(f"{table} {count}" for table, count in self.counts.items() if not table.startswith("_"))


def table_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [row[0] for row in connection.execute(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")]
    return {name: connection.execute(f'select count(*) from "{name}"').fetchone()[0] for name in names}


def _integrity(connection: sqlite3.Connection, path: Path) -> None:
    try:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database: {error}") from error
    if result != ["ok"]:
        raise BackupError(f"{path} fails PRAGMA integrity_check: {'; '.join(result[:5])}")


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return connection


def _read_only_uri(path: Path) -> str:
    return path.resolve().as_uri() + "?mode=ro"  # as_uri escapes '?' and '#' in file names


def _private_file(path: Path) -> None:
    """An empty file only the bot's user may read (inquiry texts are personal data)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    os.close(descriptor)


def backup(database_path: Path, output: Path, progress: Callable[[int, int], None] | None = None) -> Verified:
    """Copy the live database to ``output`` (mode 0600) with the online backup API, then verify the copy.

    The row counts are read in the same read transaction the copy is taken from, so they are the
    source's at the moment of the copy; the bot may go on writing meanwhile (WAL).
    ``progress(pages copied, pages)`` follows the copy.
    """
    if not database_path.exists():
        raise BackupError(f"There is no database at {database_path}: check storage.database / NAERINGSBOT_DATABASE")
    if output.resolve() == database_path.resolve():
        raise BackupError("The backup would overwrite the database itself: choose another --output")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial-{os.getpid()}")
    _private_file(partial)
    source = _connect(database_path)
    try:
        source.execute("BEGIN")  # one read snapshot for the counts and the copy
        expected = table_counts(source)
        copy = sqlite3.connect(str(partial))
        try:
            source.backup(copy, pages=BACKUP_STEP_PAGES if progress else -1,
                          progress=(lambda _status, left, total: progress(total - left, total)) if progress else None)
            source.rollback()
            # A self-contained file: no -wal beside it, whatever the live database's journal mode.
            copy.execute("PRAGMA journal_mode = DELETE")
            _integrity(copy, output)
            found = table_counts(copy)
        finally:
            copy.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    if found != expected:
        partial.unlink(missing_ok=True)
        raise BackupError(f"The copy's row counts {found} differ from the database's {expected}: try again")
    os.chmod(partial, 0o600)
    os.replace(partial, output)
    return Verified(output, found)


def verify_naeringsbot_database(path: Path) -> Verified:
    """Integrity, a Næringsbot schema, and no migration this release does not know (a newer release's file)."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file")
    try:
        connection = sqlite3.connect(_read_only_uri(path), uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"{path} cannot be opened as a SQLite database: {error}") from error
    try:
        _integrity(connection, path)
        counts = table_counts(connection)
        missing = [table for table in (MIGRATIONS_TABLE, *KNOWN_TABLES) if table not in counts]
        if missing:
            raise BackupError(f"{path} is not a Næringsbot database (no table {', '.join(missing)})")
        applied = [row[0] for row in connection.execute(
            f"select name from {MIGRATIONS_TABLE} where migration_set = ? order by rowid", [migrations.name])]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database: {error}") from error
    finally:
        connection.close()
    if not applied:
        raise BackupError(f"{path} is not a Næringsbot database (no '{migrations.name}' migrations recorded)")
    known = {migration.name for migration in migrations._migrations}
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise BackupError(f"{path} comes from a newer release (migrations {', '.join(unknown)} are unknown to this "
                          "one): install that release to restore it")
    return Verified(path, counts, applied)


@dataclass
class Restored:
    backup: Verified
    database: Path
    set_aside: Path | None
    migrated: list[str]


@contextlib.contextmanager
def _stopped_bot(database_path: Path) -> Iterator[None]:
    lock = hold_run_lock(database_path)
    try:
        yield
    finally:
        lock.close()


def _set_aside(database_path: Path) -> Path | None:
    """Move the current database (with its WAL, folded in when it can be) to a timestamped name."""
    if not database_path.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = database_path.with_name(f"{database_path.name}.replaced-{stamp}")
    with contextlib.suppress(sqlite3.DatabaseError):
        # Fold committed pages from the write-ahead log into the file, so the file alone is complete.
        connection = _connect(database_path)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("PRAGMA journal_mode = DELETE")
        finally:
            connection.close()
    for suffix in ("", "-wal", "-shm"):  # a damaged database keeps its WAL beside it, under the new name
        part = database_path.with_name(database_path.name + suffix)
        if part.exists():
            os.replace(part, aside.with_name(aside.name + suffix))
    return aside


def restore(backup_file: Path, database_path: Path) -> Restored:
    """Replace the database with a verified backup; refuses while the bot runs; keeps the old one aside."""
    from bot.store.database import open_database

    verified = verify_naeringsbot_database(backup_file)
    with _stopped_bot(database_path):
        database_path.parent.mkdir(parents=True, exist_ok=True)
        staged = database_path.with_name(f".{database_path.name}.restoring-{os.getpid()}")
        _private_file(staged)
        try:
            source = sqlite3.connect(_read_only_uri(backup_file), uri=True)
            copy = sqlite3.connect(str(staged))
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
                _integrity(copy, staged)
                if table_counts(copy) != verified.counts:
                    raise BackupError(f"The staged copy of {backup_file} differs from the file: try again")
            finally:
                copy.close()
                source.close()
            aside = _set_aside(database_path)
            os.replace(staged, database_path)
        finally:
            staged.unlink(missing_ok=True)
        pending = pending_migrations(database_path)
        open_database(database_path).conn.close()  # migrates; WAL on again
    return Restored(verified, database_path, aside, pending)


def pending_migrations(database_path: Path) -> list[str]:
    """Names of the migrations this release would apply to the database (all of them when it does not exist)."""
    if not database_path.exists():
        return [migration.name for migration in migrations._migrations]
    db = Database(sqlite3.connect(str(database_path), timeout=BUSY_TIMEOUT_MS / 1000))
    try:
        return [migration.name for migration in migrations.pending(db)]
    finally:
        db.conn.close()


def unknown_migrations(database_path: Path) -> list[str]:
    """Applied migrations this release does not know: the database comes from a newer release."""
    if not database_path.exists():
        return []
    db = Database(sqlite3.connect(str(database_path), timeout=BUSY_TIMEOUT_MS / 1000))
    try:
        known = {migration.name for migration in migrations._migrations}
        return [applied.name for applied in migrations.applied(db) if applied.name not in known]
    finally:
        db.conn.close()

"""Real database faults while the bot answers: locked, read-only and full files, and a missing folder.

The inquiry log promises that a write the disk refuses is kept in memory and written later, never
dropped, and that the user is answered all the same. Here the disk really refuses: another
connection holds the write lock, SQLite is told the file is read-only, or the file may not grow.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config
from bot.services import Services
from bot.store.database import open_database
from bot.store.inquiries import Inquiry, InquiryLog
from bot.store.spool import Spool
from tests.offline import Harness, OfflineRequest, Users, config_for, feed, harness_for

QUESTION = "Hva er Visit Drammensregionen?"
SHORT_BUSY_TIMEOUT_MS = 50  # the bot waits 5 s per attempt for a lock; the lock is just as real


def services_of(bot: Harness) -> Services:
    services: Services = bot.app.bot_data.services
    return services


class Fault:
    """A way the database file refuses writes, switched on and off while the bot runs."""

    message: str

    async def begin(self, bot: Harness) -> None:
        raise NotImplementedError

    def end(self, bot: Harness) -> None:
        raise NotImplementedError


class Locked(Fault):
    """Another process (a staff member's sqlite3 shell, say) holds the write lock."""

    message = "database is locked"

    async def begin(self, bot: Harness) -> None:
        services = services_of(bot)
        services.db.execute(f"PRAGMA busy_timeout = {SHORT_BUSY_TIMEOUT_MS}")
        self.other = sqlite3.connect(services.config.database_path, isolation_level=None)
        self.other.execute("BEGIN EXCLUSIVE")

    def end(self, bot: Harness) -> None:
        self.other.execute("COMMIT")
        self.other.close()


class ReadOnly(Fault):
    """The file became read-only (remounted, or permissions changed under the bot).

    The tests run as root, where chmod 0o400 does not stop writes, so SQLite itself is told to
    refuse them on the log's connection: ``query_only`` fails every write with the same
    SQLITE_READONLY error ("attempt to write a readonly database") a read-only file gives.
    """

    message = "readonly database"

    async def begin(self, bot: Harness) -> None:
        services_of(bot).db.execute("PRAGMA query_only = ON")

    def end(self, bot: Harness) -> None:
        services_of(bot).db.execute("PRAGMA query_only = OFF")


class Full(Fault):
    """The disk is full: the file may not grow by a single page, and the bot fills what is left.

    ``max_page_count`` on the log's connection caps the file at its current size, which fails
    writes with SQLITE_FULL ("database or disk is full") exactly like a full disk; ordinary
    questions then fill the free space in the existing pages until the first write is refused.
    """

    message = "disk is full"

    async def begin(self, bot: Harness) -> None:
        log = services_of(bot).log
        (pages,) = next(iter(log.db.query("PRAGMA page_count"))).values()
        log.db.execute(f"PRAGMA max_page_count = {pages}")
        for _ in range(500):
            await bot.say("Hvor er turistkontoret?")
            if log.pending:
                return
        raise AssertionError("the capped database never filled up")

    def end(self, bot: Harness) -> None:
        services_of(bot).db.execute("PRAGMA max_page_count = 1073741823")


FAULTS = [Locked, ReadOnly, Full]


@pytest.fixture
async def bot(tmp_path: Path, shipped_config: Config, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    # Retry the queue on every update here, so each test shows recovery without waiting.
    monkeypatch.setattr("bot.store.inquiries.RETRY_SECONDS", 0.0)
    config = config_for(tmp_path, shipped_config, profile__ask=False,
                        flood={"max_messages": 10_000, "per_seconds": 1})
    async for harness in harness_for(config):
        yield harness


def logged_texts(database: Path) -> list[Any]:
    connection = sqlite3.connect(database)
    try:
        return [text for (text,) in connection.execute("select text from inquiries where kind = 'message' order by id")]
    finally:
        connection.close()


@pytest.mark.parametrize("fault_type", FAULTS, ids=lambda fault: fault.__name__)
async def test_the_user_is_answered_and_the_inquiry_is_written_once_the_database_recovers(
    bot: Harness, fault_type: type[Fault], caplog: pytest.LogCaptureFixture
) -> None:
    services = services_of(bot)
    fault = fault_type()
    caplog.set_level(logging.WARNING, logger="bot.store.inquiries")
    await fault.begin(bot)
    queued_before = services.log.pending
    written_before = bot.rows()

    question = await bot.say(QUESTION)
    assert "Visit Drammensregionen" in bot.request.last_text()
    assert services.log.pending == queued_before + 1
    await feed(bot.app, question)  # Telegram re-sends an update the bot did not confirm
    assert "Visit Drammensregionen" in bot.request.last_text()
    assert services.log.pending == queued_before + 1  # answered again, queued once
    await bot.press(f"f:{question['update_id']}:+")  # 👍 on an answer whose inquiry is still queued
    assert bot.rows() == written_before
    assert fault.message in caplog.text and "queued in memory" in caplog.text

    fault.end(bot)
    await bot.say("Takk!")  # the next update writes the queue first, in order
    assert services.log.pending == 0
    rows = bot.rows("kind = 'message'")
    assert [row["text"] for row in rows][-2:] == [QUESTION, "Takk!"]
    assert len(bot.rows(f"update_id = {question['update_id']}")) == 1
    (vote,) = services.db.query(
        "select value from feedback join inquiries on inquiries.id = inquiry_id where update_id = ?",
        [question["update_id"]],
    )
    assert vote == {"value": 1}


async def test_queued_inquiries_are_written_at_shutdown_when_the_database_recovered(
    tmp_path: Path, shipped_config: Config
) -> None:
    config = config_for(tmp_path, shipped_config, profile__ask=False)
    async for bot in harness_for(config):
        fault = ReadOnly()
        await fault.begin(bot)
        await bot.say(QUESTION)
        assert services_of(bot).log.pending == 1
        fault.end(bot)
    assert logged_texts(config.database_path) == [QUESTION]  # written by the shutdown's flush


async def test_inquiries_still_queued_at_shutdown_are_reported_and_written_at_the_next_start(
    tmp_path: Path, shipped_config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    config = config_for(tmp_path, shipped_config, profile__ask=False)
    async for bot in harness_for(config):
        await ReadOnly().begin(bot)
        await bot.say(QUESTION)
        await bot.say("Hvor er turistkontoret?")
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert any("2 queued row(s)" in message for message in errors), caplog.text
    async for _ in harness_for(config):  # the next start, with a writable database
        pass
    assert logged_texts(config.database_path) == [QUESTION, "Hvor er turistkontoret?"]


async def test_after_the_first_refusal_updates_are_queued_without_waiting_for_the_lock(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writes are synchronous: every wait for a lock stalls every chat, so wait as little as possible."""
    monkeypatch.setattr("bot.store.inquiries.RETRY_SECONDS", 5.0)
    fault = Locked()
    await fault.begin(bot)
    await bot.say(QUESTION)  # the first refused write is queued
    attempts: list[str] = []
    services_of(bot).db.conn.set_trace_callback(
        lambda statement: attempts.append(statement) if "insert or ignore into inquiries" in statement else None
    )
    await bot.say("Hvor er turistkontoret?")
    services_of(bot).db.conn.set_trace_callback(None)
    fault.end(bot)
    assert attempts == []
    services_of(bot).log.flush()  # the flush job's retry, every few seconds
    await bot.say("Takk!")
    assert [row["text"] for row in bot.rows("kind = 'message'")] == [QUESTION, "Hvor er turistkontoret?", "Takk!"]


async def test_a_missing_database_folder_is_created_at_start_up(tmp_path: Path, shipped_config: Config) -> None:
    database = tmp_path / "var" / "lib" / "naeringsbot" / "inquiries.db"
    config = config_for(tmp_path, shipped_config, profile__ask=False, storage={"database": str(database)})
    assert not database.parent.exists()
    async for bot in harness_for(config):
        await bot.say(QUESTION)
        assert "Visit Drammensregionen" in bot.request.last_text()
        assert services_of(bot).log.pending == 0
    assert logged_texts(database) == [QUESTION]
    assert (database.parent / "secret.key").exists()  # the pseudonym key goes beside it


def test_a_row_the_schema_refuses_is_raised_as_a_bug_not_queued_in_front_of_every_later_row(tmp_path: Path) -> None:
    log = InquiryLog(open_database(tmp_path / "inquiries.db"))
    orphan = Inquiry(channel="telegram", kind="button", outcome="command", update_id=1, parent_id=999)
    with pytest.raises(sqlite3.IntegrityError):  # no inquiry 999: waiting will never make it valid
        log.record(orphan)
    assert log.pending == 0
    later = log.record(Inquiry(channel="telegram", kind="message", outcome="answered", update_id=2, text="hei"))
    assert later.inquiry_id is not None


class OneBatch(OfflineRequest):
    """getUpdates answers one batch once, then nothing; records every offset the bot confirms."""

    def __init__(self, batch: list[dict[str, Any]]) -> None:
        super().__init__()
        self.batch = batch
        self.offsets: list[Any] = []

    def _result(self, endpoint: str, parameters: dict[str, Any]) -> Any:
        if endpoint == "getUpdates":
            self.offsets.append(parameters.get("offset"))
            batch, self.batch = self.batch, []
            return batch
        return super()._result(endpoint, parameters)


async def test_updates_whose_rows_cannot_be_saved_anywhere_are_not_confirmed(
    tmp_path: Path, shipped_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disk full: neither the database nor the spool takes the row, so Telegram must keep the update."""
    import asyncio

    from handlers.app import build_application
    from handlers.runner import poll

    config = config_for(tmp_path, shipped_config, profile__ask=False, telegram={"poll_timeout": 0})
    users = Users()
    question = users.message(QUESTION)
    updates = OneBatch([question])
    application = build_application(config, "123:TEST", request=OfflineRequest(), get_updates_request=updates,
                                    rate_limit=False)
    async with application:
        await application.post_init(application)  # type: ignore[misc]
        services = application.bot_data.services
        services.db.execute(f"PRAGMA busy_timeout = {SHORT_BUSY_TIMEOUT_MS}")
        other = sqlite3.connect(config.database_path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        monkeypatch.setattr(services.log, "_spool", Spool(tmp_path))  # a folder: every spool write fails
        stop = asyncio.Event()
        task = asyncio.create_task(poll(application, config.telegram, stop))
        await asyncio.sleep(1.5)
        assert not services.log.durable
        assert question["update_id"] + 1 not in updates.offsets  # never confirmed while unsaved
        other.execute("COMMIT")
        other.close()
        await asyncio.sleep(2.5)  # the retry writes the row; only then is the update confirmed
        stop.set()
        await task
        assert services.log.durable
        assert [row["text"] for row in services.db.query("select text from inquiries")] == [QUESTION]
        await application.post_shutdown(application)  # type: ignore[misc]

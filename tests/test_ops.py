"""Operating the installation: backup while the bot writes, restore, migrate --check, JSON logs."""

from __future__ import annotations

import json
import logging
import sqlite3
import stat
import threading
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database, Migrations

from bot.cli import cli
from bot.cli.common import configure_logging
from bot.store.backup import hold_run_lock, is_running
from bot.store.database import m001_initial_schema, migrations, open_database


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "inquiries.db"
    monkeypatch.setenv("NAERINGSBOT_DATABASE", str(path))
    open_database(path).conn.close()
    return path


def add_inquiry(connection: sqlite3.Connection, number: int) -> None:
    """One inquiry and its feedback in one transaction, as the bot writes them."""
    with connection:
        connection.execute(
            "insert into inquiries (id, update_id, received_at, channel, outcome, kind, text) "
            "values (?, ?, '2026-12-01T10:00:00Z', 'telegram', 'answered', 'question', 'hei')", [number, number])
        connection.execute("insert into feedback (inquiry_id, value, received_at) values (?, 1, '2026-12-01')",
                           [number])


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_backup_while_the_bot_writes_is_consistent_and_complete(database: Path, tmp_path: Path) -> None:
    writer = sqlite3.connect(str(database), check_same_thread=False)
    written = 0
    stop = threading.Event()
    started = threading.Event()

    def keep_writing() -> None:
        nonlocal written
        while not stop.is_set():
            add_inquiry(writer, written + 1)
            written += 1
            if written == 200:
                started.set()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        assert started.wait(10)
        committed_before = written
        code, output = invoke("backup", "--output", str(tmp_path / "backups" / "copy.db"))
        committed_after = written
    finally:
        stop.set()
        thread.join()
        writer.close()
    assert code == 0, output
    copy = sqlite3.connect(str(tmp_path / "backups" / "copy.db"))
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ids = [row[0] for row in copy.execute("select id from inquiries order by id")]
    # Complete up to the moment of the copy: every inquiry committed before it, none torn from its feedback.
    assert committed_before <= len(ids) <= committed_after
    assert ids == list(range(1, len(ids) + 1))
    assert copy.execute("select count(*) from feedback").fetchone()[0] == len(ids)
    assert f"inquiries {len(ids)}" in output and "integrity ok" in output
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file


def test_a_backup_in_steps_for_its_progress_bar_is_as_consistent_while_the_bot_writes(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.store import backup as backups

    writer = sqlite3.connect(str(database), check_same_thread=False)
    for number in range(1, 301):
        add_inquiry(writer, number)
    monkeypatch.setattr(backups, "BACKUP_STEP_PAGES", 1)  # a page per step: writes land between the steps
    stop = threading.Event()

    def keep_writing() -> None:
        number = 301
        while not stop.is_set():
            add_inquiry(writer, number)
            number += 1

    steps: list[tuple[int, int]] = []
    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        verified = backups.backup(database, tmp_path / "copy.db", lambda done, total: steps.append((done, total)))
    finally:
        stop.set()
        thread.join()
        writer.close()
    assert len(steps) > 3 and steps[-1][0] == steps[-1][1]
    copy = sqlite3.connect(str(tmp_path / "copy.db"))
    ids = [row[0] for row in copy.execute("select id from inquiries order by id")]
    assert ids == list(range(1, len(ids) + 1)) and len(ids) >= 300
    assert copy.execute("select count(*) from feedback").fetchone()[0] == len(ids) == verified.counts["inquiries"]


def test_backup_is_readable_only_by_its_owner(database: Path, tmp_path: Path) -> None:
    output = tmp_path / "copy.db"
    output.write_text("an older backup")
    output.chmod(0o644)
    code, message = invoke("backup", "--output", str(output))
    assert code == 0, message
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".copy.db.partial-*"))


def test_backup_without_a_database_fails_and_creates_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAERINGSBOT_DATABASE", str(tmp_path / "missing.db"))
    code, output = invoke("backup", "--output", str(tmp_path / "copy.db"))
    assert code == 1
    assert "There is no database" in output
    assert not (tmp_path / "missing.db").exists() and not (tmp_path / "copy.db").exists()


def test_restore_puts_the_backup_back_and_keeps_the_replaced_database(database: Path, tmp_path: Path) -> None:
    with closing(sqlite3.connect(str(database))) as connection:
        add_inquiry(connection, 1)
    assert invoke("backup", "--output", str(tmp_path / "copy.db"))[0] == 0
    with closing(sqlite3.connect(str(database))) as connection:
        add_inquiry(connection, 2)
    code, output = invoke("restore", str(tmp_path / "copy.db"))
    assert code == 0, output
    restored = sqlite3.connect(str(database))
    assert [row[0] for row in restored.execute("select id from inquiries")] == [1]
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    aside = list(database.parent.glob("inquiries.db.replaced-*"))
    assert len(aside) == 1 and f"Kept the replaced database as {aside[0]}" in output
    assert sqlite3.connect(str(aside[0])).execute("select count(*) from inquiries").fetchone()[0] == 2
    assert f"Restored {tmp_path / 'copy.db'} to {database}" in output


def test_restore_refuses_while_the_bot_runs(database: Path, tmp_path: Path) -> None:
    assert invoke("backup", "--output", str(tmp_path / "copy.db"))[0] == 0
    before = database.read_bytes()
    lock = hold_run_lock(database)  # what the running bot holds
    try:
        assert is_running(database)
        code, output = invoke("restore", str(tmp_path / "copy.db"))
    finally:
        lock.close()
    assert code == 1
    assert "Nothing restored" in output and "stop the bot" in output
    assert database.read_bytes() == before
    assert not list(database.parent.glob("inquiries.db.replaced-*"))
    assert not is_running(database)


@pytest.mark.parametrize("damage", ["garbage", "torn", "foreign", "newer"])
def test_restore_refuses_a_file_that_is_not_a_sound_backup(damage: str, database: Path, tmp_path: Path) -> None:
    candidate = tmp_path / "candidate.db"
    if damage == "garbage":
        candidate.write_bytes(b"this is not a database" * 100)
    elif damage == "torn":
        with closing(sqlite3.connect(str(database))) as connection:
            for number in range(1, 500):
                add_inquiry(connection, number)
        assert invoke("backup", "--output", str(candidate))[0] == 0
        data = bytearray(candidate.read_bytes())
        page = 4096
        data[3 * page:6 * page] = b"\xa5" * (3 * page)  # pages lost in a crash of the disk holding the file
        candidate.write_bytes(bytes(data))
    elif damage == "foreign":
        Database(candidate)["notes"].insert({"text": "someone else's database"})
    else:
        assert invoke("backup", "--output", str(candidate))[0] == 0
        with closing(sqlite3.connect(str(candidate))) as connection, connection:
            connection.execute("insert into _sqlite_migrations (migration_set, name, applied_at) "
                               "values ('naeringsbot', 'm999_from_the_future', '2027-01-01')")
    before = database.read_bytes()
    code, output = invoke("restore", str(candidate))
    assert code == 1, output
    assert "Nothing restored" in output
    reasons = {"garbage": ["not a"], "torn": ["malformed", "integrity_check"],
               "foreign": ["not a Næringsbot database"], "newer": ["newer release"]}
    assert any(reason in output for reason in reasons[damage]), output
    assert database.read_bytes() == before
    assert not list(database.parent.glob("inquiries.db.replaced-*"))


def test_migrate_check_lists_pending_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.db"
    monkeypatch.setenv("NAERINGSBOT_DATABASE", str(path))
    oldest = Migrations(migrations.name)
    oldest()(m001_initial_schema)
    oldest.apply(Database(path))
    code, output = invoke("migrate", "--check")
    assert code == 1
    assert "m001_initial_schema" not in output
    later = [migration.name for migration in migrations._migrations[1:]]
    assert later and all(name in output for name in later)
    assert [m.name for m in migrations.pending(Database(path))] == later  # --check changed nothing
    assert invoke("migrate")[0] == 0
    assert invoke("migrate", "--check") == (0, f"{path}: up to date, no pending migrations.\n")


def test_migrate_check_refuses_a_database_from_a_newer_release(database: Path) -> None:
    with closing(sqlite3.connect(str(database))) as connection, connection:
        connection.execute("insert into _sqlite_migrations (migration_set, name, applied_at) "
                           "values ('naeringsbot', 'm999_from_the_future', '2027-01-01')")
    code, _ = invoke("migrate", "--check")
    assert code == 2


def test_a_database_with_the_oldest_schema_upgrades_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "first-release.db"
    oldest = Migrations(migrations.name)
    oldest()(m001_initial_schema)
    old = Database(path)
    oldest.apply(old)
    old["users"].insert({"user_ref": "abc123", "lang": "nb", "role": "founder"})
    old["inquiries"].insert({"id": 1, "update_id": 41, "received_at": "2025-05-01T08:00:00Z", "channel": "telegram",
                             "user_ref": "abc123", "lang": "nb", "kind": "question", "text": "Hvor får jeg kurs?",
                             "entry_id": "establisher-courses", "score": 91.0, "outcome": "answered"})
    old["feedback"].insert({"inquiry_id": 1, "value": 1, "received_at": "2025-05-01T08:01:00Z"})
    old["handoffs"].insert({"id": 1, "inquiry_id": 1, "status": "open", "opened_at": "2025-05-01T08:02:00Z"})
    old.conn.close()

    db = open_database(path)
    assert migrations.pending(db) == []
    assert {"handoff_messages", "blocked", "suggestions", "suggestion_history"} <= set(db.table_names())
    assert "handoff_overview" in db.view_names()
    assert db["inquiries"].get(1)["text"] == "Hvor får jeg kurs?"
    assert db["users"].get("abc123")["role"] == "founder"
    assert db["feedback"].count == 1
    assert list(db.query("select status from handoff_overview")) == [{"status": "open"}]
    db.conn.close()


def configure_logging_from_scratch(monkeypatch: pytest.MonkeyPatch) -> None:
    """``configure_logging`` on a root logger as at process start (pytest's own capture set aside)."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", logging.WARNING)
    configure_logging()


def test_json_log_format_gives_one_object_per_line(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NAERINGSBOT_LOG_FORMAT", "json")
    configure_logging_from_scratch(monkeypatch)
    logger = logging.getLogger("bot.test")
    logger.info("handled in %d ms", 3, extra={"update_id": 1234})
    logger.warning("a line with\na newline and æøå")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed")
    lines = capsys.readouterr().err.splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 3
    assert records[0]["message"] == "handled in 3 ms" and records[0]["update_id"] == 1234
    assert records[0]["level"] == "INFO" and records[0]["logger"] == "bot.test"
    assert "update_id" not in records[1] and records[1]["message"] == "a line with\na newline and æøå"
    assert "ValueError: boom" in records[2]["exception"]
    for record in records:
        assert record["time"][-6] in "+-" and record["time"][-3] == ":"  # ISO time with its UTC offset


def test_plain_log_format_stays_the_default(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging_from_scratch(monkeypatch)
    logging.getLogger("bot.test").info("hello")
    line = capsys.readouterr().err.strip()
    assert line.endswith("INFO bot.test: hello")
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)

"""The inquiry log: one row per update, redacted, pseudonymous, and nothing lost when the disk says no."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.store.database import open_database
from bot.store.inquiries import Inquiry, InquiryLog


@pytest.fixture
def log(tmp_path: Path) -> InquiryLog:
    return InquiryLog(open_database(tmp_path / "data" / "inquiries.db"))


def question(update_id: int | None = 1, text: str = "hvordan starter jeg?", **extra: Any) -> Inquiry:
    return Inquiry(channel="telegram", kind="message", outcome="answered", user_ref="u1",
                   update_id=update_id, text=text, entry_id="establisher-guidance", **extra)


def test_schema_is_migrated_once_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = open_database(tmp_path / "x.db")
    again = open_database(tmp_path / "x.db")
    assert {"inquiries", "feedback", "handoffs", "users"} <= set(again.table_names())
    assert again.journal_mode == "wal"
    assert list(again.query("pragma foreign_keys")) == [{"foreign_keys": 1}]
    from bot.store.database import migrations

    assert migrations.pending(db) == []
    assert len(list(db.query("select * from _sqlite_migrations"))) == len(migrations.applied(db))


def test_a_redelivered_update_is_counted_once(log: InquiryLog) -> None:
    first = log.record(question(update_id=77))
    second = log.record(question(update_id=77))
    assert not first.duplicate and second.duplicate
    assert second.inquiry_id == first.inquiry_id
    assert log.db["inquiries"].count == 1


def test_texts_are_redacted_before_storage(log: InquiryLog) -> None:
    log.record(question(text="ring meg på 912 34 567 eller ola@example.no, fnr 01019012345"))
    (row,) = log.db.query("select text from inquiries")
    assert row["text"] == "ring meg på [telefon] eller [e-post], fnr [fødselsnummer]"


def test_console_inquiries_have_no_update_id_and_are_all_kept(log: InquiryLog) -> None:
    log.record(question(update_id=None))
    log.record(question(update_id=None))
    assert log.db["inquiries"].count == 2


def test_profile_and_source_are_copied_onto_the_inquiry(log: InquiryLog) -> None:
    log.users.update("u1", role="founder", municipality="drammen", source="flyer-hibu")
    log.record(question())
    (row,) = log.db.query("select role, municipality, source from inquiries")
    assert row == {"role": "founder", "municipality": "drammen", "source": "flyer-hibu"}


def test_feedback_is_one_vote_per_inquiry(log: InquiryLog) -> None:
    log.record(question(update_id=5))
    assert log.record_feedback(5, "u1", 1)
    assert log.record_feedback(5, "u1", -1)
    assert list(log.db.query("select value from feedback")) == [{"value": -1}]
    assert not log.record_feedback(999, "u1", 1)


class FlakyDatabase:
    """Makes writes fail until ``healthy`` is set, like a locked, read-only or full database."""

    def __init__(self, log: InquiryLog, monkeypatch: pytest.MonkeyPatch, message: str) -> None:
        self.healthy = False
        real_insert = log._insert_inquiry

        def insert(row: dict[str, Any]) -> int | None:
            if not self.healthy:
                raise sqlite3.OperationalError(message)
            return real_insert(row)

        monkeypatch.setattr(log, "_insert_inquiry", insert)


@pytest.mark.parametrize("message", ["database is locked", "attempt to write a readonly database",
                                     "database or disk is full"])
def test_failed_writes_are_queued_and_flushed_in_order(
    log: InquiryLog, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, message: str
) -> None:
    flaky = FlakyDatabase(log, monkeypatch, message)
    assert log.record(question(update_id=1, text="first")).inquiry_id is None
    assert log.record(question(update_id=2, text="second")).inquiry_id is None
    assert log.record(question(update_id=1)).duplicate  # a re-delivery while queued
    assert log.pending == 2
    assert "queued" in caplog.text
    flaky.healthy = True
    assert log.flush() == 2
    texts = [row["text"] for row in log.db.query("select text from inquiries order by id")]
    assert texts == ["first", "second"]


def test_feedback_for_a_queued_inquiry_is_queued_behind_it(log: InquiryLog, monkeypatch: pytest.MonkeyPatch) -> None:
    flaky = FlakyDatabase(log, monkeypatch, "database is locked")
    log.record(question(update_id=9))
    assert log.record_feedback(9, "u1", 1)
    flaky.healthy = True
    log.flush()
    assert list(log.db.query("select value from feedback")) == [{"value": 1}]


def test_the_queue_is_bounded_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          caplog: pytest.LogCaptureFixture) -> None:
    log = InquiryLog(open_database(tmp_path / "x.db"), max_pending=2)
    FlakyDatabase(log, monkeypatch, "database or disk is full")
    for update_id in range(3):
        log.record(question(update_id=update_id))
    assert log.pending == 2
    assert "queue full" in caplog.text


def test_a_real_read_only_database_does_not_stop_answers(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    open_database(path).conn.close()
    readonly = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    from sqlite_utils import Database

    log = InquiryLog(Database(readonly))
    assert log.record(question()).inquiry_id is None
    assert log.pending == 1


def test_rows_queued_when_the_process_dies_are_written_at_the_next_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "inquiries.db"
    spool = tmp_path / "inquiries.db-queued.jsonl"
    first_run = InquiryLog(open_database(path), spool=spool)
    FlakyDatabase(first_run, monkeypatch, "database is locked")
    first_run.record(question(update_id=1, text="first"))
    first_run.record(question(update_id=2, text="second, ring 912 34 567"))
    assert spool.exists() and oct(spool.stat().st_mode & 0o777) == "0o600"
    assert "912 34 567" not in spool.read_text("utf-8")  # spooled after redaction, like the database
    monkeypatch.undo()
    del first_run  # the process dies here: nothing flushed

    second_run = InquiryLog(open_database(path), spool=spool)
    texts = [row["text"] for row in second_run.db.query("select text from inquiries order by id")]
    assert texts == ["first", "second, ring [telefon]"]
    assert second_run.pending == 0 and not spool.exists()
    again = InquiryLog(open_database(path), spool=spool)
    assert again.db.table("inquiries").count == 2  # nothing written twice

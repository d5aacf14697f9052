"""An update's writes are one transaction each, and its reads open no savepoints of their own."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.store.database import open_database
from bot.store.inquiries import Inquiry, InquiryLog


@pytest.fixture
def log(tmp_path: Path) -> InquiryLog:
    return InquiryLog(open_database(tmp_path / "inquiries.db"))


def _statements(log: InquiryLog) -> Counter[str]:
    counted: Counter[str] = Counter()
    log.db.conn.set_trace_callback(lambda sql: counted.update([sql.split(None, 1)[0].upper()]))
    return counted


def test_an_answered_message_and_its_vote_take_one_transaction_each(log: InquiryLog) -> None:
    log.users.update("u1", lang="nb", role="founder")
    counted = _statements(log)
    recorded = log.record(Inquiry(channel="telegram", kind="message", outcome="answered", user_ref="u1",
                                  update_id=5, text="hvordan starter jeg?", entry_id="establisher-guidance"))
    assert log.record_feedback(5, "u1", 1)
    log.db.conn.set_trace_callback(None)
    assert counted["BEGIN"] == counted["COMMIT"] == 2
    assert counted["SAVEPOINT"] == 0
    assert log.inquiry(recorded.inquiry_id or 0)["role"] == "founder"


def test_updating_a_user_keeps_first_seen_and_other_fields(log: InquiryLog) -> None:
    log.users.update("u1", lang="nn")
    first = log.users.get("u1")
    assert first is not None and first["first_seen"] and first["lang"] == "nn"
    counted = _statements(log)
    log.users.update("u1", role="researcher")
    log.db.conn.set_trace_callback(None)
    again = log.users.get("u1")
    assert again is not None
    assert (again["first_seen"], again["lang"], again["role"]) == (first["first_seen"], "nn", "researcher")
    assert counted["SAVEPOINT"] == 0 and counted["BEGIN"] == 1


def test_a_read_inside_a_transaction_joins_it(log: InquiryLog) -> None:
    with log.db.atomic():
        log.users.update("u2", lang="en")  # inside the caller's transaction: a savepoint, not a second BEGIN
        assert log.users.get("u2") is not None
    assert log.users.get("u2") is not None


def test_the_row_an_update_stores_is_read_back_without_a_query(log: InquiryLog) -> None:
    log.users.update("u3", lang="nn", source="flyer")
    log.users.update("u3", role="founder")
    counted = _statements(log)
    cached = log.users.get("u3")
    log.db.conn.set_trace_callback(None)
    assert counted["SELECT"] == 0
    log.users.forget_cached()
    assert cached == log.users.get("u3")  # the same row as a fresh read
    assert cached is not None and (cached["lang"], cached["source"], cached["role"]) == ("nn", "flyer", "founder")


def test_an_update_rolled_back_with_its_callers_transaction_is_not_remembered(log: InquiryLog) -> None:
    with pytest.raises(RuntimeError), log.db.atomic():
        log.users.update("u4", lang="en")
        raise RuntimeError("the caller's transaction fails")
    assert log.users.get("u4") is None

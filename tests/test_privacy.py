"""Pseudonyms, /forget and retention: texts and pseudonyms go, anonymous counts stay."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from bot.store.database import open_database
from bot.store.inquiries import Inquiry, InquiryLog
from bot.store.privacy import forget_user, purge_expired
from bot.store.pseudonyms import Pseudonymiser, load_secret


def test_pseudonym_is_a_stable_keyed_hash() -> None:
    first = Pseudonymiser(b"key-one")
    assert first(12345) == first(12345)
    assert first(12345) != Pseudonymiser(b"key-two")(12345)
    assert "12345" not in first(12345) and len(first(12345)) == 20


def test_remembered_pseudonyms_are_the_keyed_hash_and_bounded() -> None:
    pseudonymise = Pseudonymiser(b"key-one", cache_size=3)
    fresh = Pseudonymiser(b"key-one")
    refs = [pseudonymise(f"telegram:{user}") for user in range(10)]
    assert refs == [fresh(f"telegram:{user}") for user in range(10)]
    assert [pseudonymise(f"telegram:{user}") for user in range(10)] == refs
    assert sum(pseudonymise.remembers(f"telegram:{user}") for user in range(10)) <= 3


def test_a_forgotten_pseudonym_is_no_longer_remembered() -> None:
    pseudonymise = Pseudonymiser(b"key-one")
    ref = pseudonymise(12345)
    pseudonymise("telegram:7")
    pseudonymise.forget(12345)
    assert not pseudonymise.remembers(12345) and pseudonymise.remembers("telegram:7")
    pseudonymise.forget_all()
    assert not pseudonymise.remembers("telegram:7")
    assert pseudonymise(12345) == ref


def test_secret_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    database = tmp_path / "data" / "inquiries.db"
    secret = load_secret(database)
    assert load_secret(database) == secret
    mode = stat.S_IMODE(os.stat(tmp_path / "data" / "secret.key").st_mode)
    assert mode == 0o600


def test_secret_from_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAERINGSBOT_SECRET", "from-env")
    assert load_secret(tmp_path / "db.sqlite") == b"from-env"
    assert not (tmp_path / "secret.key").exists()


@pytest.fixture
def log(tmp_path: Path) -> InquiryLog:
    log = InquiryLog(open_database(tmp_path / "inquiries.db"))
    log.users.update("alice", lang="nb", role="founder")
    log.users.update("bob", lang="en")
    for update_id, user in enumerate(["alice", "alice", "bob"], start=1):
        log.record(Inquiry(channel="telegram", kind="message", outcome="answered", user_ref=user,
                           update_id=update_id, text=f"question {update_id}", entry_id="funding"))
    log.record_feedback(1, "alice", 1)
    return log


def test_forget_erases_one_users_texts_and_pseudonym_but_keeps_counts(log: InquiryLog) -> None:
    erased = forget_user(log.db, "alice")
    assert erased.inquiries == 2 and erased.users == 1
    rows = list(log.db.query("select user_ref, text, entry_id, outcome from inquiries order by id"))
    assert rows[:2] == [{"user_ref": None, "text": None, "entry_id": "funding", "outcome": "answered"}] * 2
    assert rows[2]["user_ref"] == "bob" and rows[2]["text"] == "question 3"
    assert list(log.db.query("select user_ref from feedback")) == [{"user_ref": None}]
    assert [row["user_ref"] for row in log.db.query("select user_ref from users")] == ["bob"]


def test_retention_purge_erases_only_old_texts(log: InquiryLog) -> None:
    log.db.execute("update inquiries set received_at = '2020-01-01T00:00:00+00:00' where update_id = 1")
    erased = purge_expired(log.db, 180, now=dt.datetime(2026, 11, 26, tzinfo=dt.UTC))
    assert erased.inquiries == 1
    rows = list(log.db.query("select update_id, text, user_ref from inquiries order by update_id"))
    assert rows[0] == {"update_id": 1, "text": None, "user_ref": None}
    assert rows[1]["text"] == "question 2"
    assert log.db["inquiries"].count == 3


def test_no_raw_ids_or_names_anywhere(tmp_path: Path) -> None:
    log = InquiryLog(open_database(tmp_path / "x.db"))
    pseudonymise = Pseudonymiser(b"k")
    ref = pseudonymise("telegram:987654321")
    log.users.update(ref, lang="nb")
    log.record(Inquiry(channel="telegram", kind="message", outcome="answered", user_ref=ref, update_id=1, text="hei"))
    dump = "\n".join(log.db.conn.iterdump())
    assert "987654321" not in dump

"""/forget and the purge erase a person everywhere: the database file, its WAL, queued rows, handoffs.

Each test is a regression test for a way erased data used to survive.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config
from tests.offline import Harness, config_for, harness_for

STAFF = {"id": -2001, "type": "supergroup", "title": "Næringsavdelingen"}
STAFFER = 555
MARKER = "Smørbrødfabrikken-7Q"  # a text that must not survive anywhere


@pytest.fixture
async def bot(tmp_path: Path, shipped_config: Config) -> AsyncIterator[Harness]:
    config = config_for(tmp_path, shipped_config, profile__ask=False, staff__chat_id=STAFF["id"],
                        staff__user_ids=[STAFFER], handoff={"forum_topics": False})
    async for harness in harness_for(config):
        yield harness


def services_of(bot: Harness) -> Any:
    return bot.app.bot_data.services


def file_bytes(bot: Harness) -> bytes:
    path = services_of(bot).config.database_path
    return b"".join(candidate.read_bytes() for candidate in path.parent.glob(path.name + "*") if candidate.is_file())


async def forget(bot: Harness, user_id: int = 42) -> None:
    await bot.say("/forget", user_id=user_id)
    await bot.press("x:yes", user_id=user_id)


async def test_forget_leaves_no_text_in_the_database_file_or_its_wal(bot: Harness) -> None:
    await bot.say(f"Jeg driver {MARKER} og vil vite om kurs")
    assert MARKER.encode() in file_bytes(bot)
    await forget(bot)
    assert MARKER.encode() not in file_bytes(bot)


async def test_forget_leaves_no_message_in_the_matchers_memory(bot: Harness) -> None:
    """The matcher remembers recent texts to answer a repeated question quickly; /forget empties that."""
    from bot.matching.normalise import fold, recent_token_tuple

    text = f"Jeg driver {MARKER} og vil vite om kurs"
    await bot.say(text)
    matcher = services_of(bot).engines.engine.matcher
    assert text in matcher._scorings
    await forget(bot)
    assert text not in matcher._scorings
    assert fold.cache_info().currsize == 0 and recent_token_tuple.cache_info().currsize == 0


async def test_forget_leaves_no_remembered_pseudonym_and_the_next_message_gets_the_same_one(bot: Harness) -> None:
    """Pseudonyms are remembered per update's sender; /forget drops the link from the Telegram id."""
    await bot.say("Hvordan starter jeg et AS?")
    pseudonymise = services_of(bot).assistant.pseudonymise
    assert pseudonymise.remembers("telegram:42")
    (before,) = {row["user_ref"] for row in bot.rows()}
    await forget(bot)
    assert not pseudonymise.remembers("telegram:42")
    assert all(row["user_ref"] is None for row in bot.rows())
    await bot.say("Og hva koster det?")
    assert bot.rows()[-1]["user_ref"] == before  # the same keyed hash, worked out again


async def test_the_daily_purge_drops_every_remembered_pseudonym(bot: Harness) -> None:
    from types import SimpleNamespace

    from handlers.app import _purge

    await bot.say("Hvordan starter jeg et AS?")
    pseudonymise = services_of(bot).assistant.pseudonymise
    assert pseudonymise.remembers("telegram:42")
    await _purge(SimpleNamespace(bot_data=bot.app.bot_data))  # type: ignore[arg-type]
    assert not pseudonymise.remembers("telegram:42")


async def test_forget_erases_rows_still_queued_in_memory_and_in_the_spool(bot: Harness) -> None:
    services = services_of(bot)
    other = sqlite3.connect(services.config.database_path, isolation_level=None)
    services.db.execute("PRAGMA busy_timeout = 20")
    other.execute("BEGIN EXCLUSIVE")
    try:
        await bot.say(f"Spørsmål om {MARKER}")
        assert services.log.pending == 1
        spool = services.config.database_path.with_name(services.config.database_path.name + "-queued.jsonl")
        assert MARKER in spool.read_text("utf-8")
        services.log.erase_queued(user_ref=services.assistant.user_ref(_kari()))
        assert MARKER not in spool.read_text("utf-8")
    finally:
        other.execute("COMMIT")
        other.close()
    services.log.flush()
    (row,) = bot.rows("kind = 'message'")
    assert row["text"] is None and row["user_ref"] is None and row["outcome"] in ("answered", "ambiguous", "fallback")


def _kari() -> Any:
    from bot.assistant import Sender
    return Sender(channel="telegram", user_id=42, chat_type="private", language_code="nb")


async def test_forget_clears_the_profile_snapshot_so_rows_cannot_be_tied_together(bot: Harness) -> None:
    services = services_of(bot)
    services.assistant.set_profile(_kari(), role="founder", municipality="lier", source="flyer-1")
    await bot.say("Finnes det kurs for gründere?")
    await bot.say("Hvem gir etablererveiledning?")
    await forget(bot)
    for row in bot.rows("kind = 'message'"):
        assert (row["user_ref"], row["role"], row["municipality"], row["source"], row["text"]) == (None,) * 5
        assert row["entry_id"] is not None  # the anonymous count stays


async def test_forget_during_an_open_handoff_closes_it_and_tells_the_staff_chat(bot: Harness) -> None:
    await bot.say("/contact")
    await bot.say(f"Ring meg om {MARKER}")
    await forget(bot)
    (handoff,) = services_of(bot).db.query("select * from handoffs")
    assert handoff["status"] == "closed" and handoff["question"] is None and handoff["chat_id"] is None
    assert not list(services_of(bot).db.query("select * from handoff_messages"))
    notice = [p for p in bot.request.sent() if p["chat_id"] == STAFF["id"]][-1]["text"]
    assert "#H-1" in notice and "/forget" in notice


async def test_a_deep_link_source_outside_telegrams_alphabet_is_never_stored(bot: Harness) -> None:
    await bot.say("/start kari@example.no 01019012345")
    await bot.say("Hva er Visit Drammensregionen?")
    (user,) = services_of(bot).db.query("select * from users")
    assert user["source"] == "invalid-source"
    assert b"kari@example.no" not in file_bytes(bot) and b"01019012345" not in file_bytes(bot)


async def test_a_valid_deep_link_source_is_kept(bot: Harness) -> None:
    await bot.say("/start flyer-hibu_2026")
    (user,) = services_of(bot).db.query("select * from users")
    assert user["source"] == "flyer-hibu_2026"


async def test_the_purge_erases_the_same_as_forget_for_old_rows(bot: Harness) -> None:
    from bot.store.privacy import purge_expired

    services = services_of(bot)
    services.assistant.set_profile(_kari(), role="founder")
    await bot.say("/contact")
    await bot.say(f"Gammelt spørsmål om {MARKER}")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=181)
    purge_expired(services.db, 180, now=later)
    assert MARKER.encode() not in file_bytes(bot)
    for row in bot.rows():
        assert row["text"] is None and row["user_ref"] is None and row["role"] is None
    (handoff,) = services.db.query("select * from handoffs")
    assert handoff["status"] == "closed" and handoff["chat_id"] is None

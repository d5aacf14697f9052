"""The profile question ("who are you asking as?") is asked once, and only when it can be sent."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from bot.config import Config
from bot.store.database import migrations, open_database
from tests.offline import config_for, harness_for

QUESTION = "Hva er Visit Drammensregionen?"
PROFILE_PROMPT = "hvem spør du som"


def profile_states(path: Path) -> list[str | None]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("select profile_state from users")]
    finally:
        connection.close()


async def test_without_roles_nobody_is_marked_and_they_are_asked_once_roles_exist(
    tmp_path: Path, shipped_config: Config
) -> None:
    no_roles = config_for(tmp_path, shipped_config, profile={"ask": True, "roles": [], "municipalities": []})
    async for harness in harness_for(no_roles):
        await harness.say(QUESTION)
        assert "Visit Drammensregionen" in harness.request.last_text()
        assert PROFILE_PROMPT not in harness.request.last_text()
    assert "asked" not in profile_states(tmp_path / "inquiries.db")

    async for harness in harness_for(config_for(tmp_path, shipped_config)):  # roles configured, same log
        while harness.users.next_update_id() < 10:
            pass  # Telegram's update ids go on after a restart; the first run used the lowest
        await harness.say(QUESTION)
        assert PROFILE_PROMPT in harness.request.last_text()
        await harness.say(QUESTION)
        assert PROFILE_PROMPT not in harness.request.last_text()  # once
    assert profile_states(tmp_path / "inquiries.db") == ["asked"]


def test_migration_clears_asked_marks_that_no_question_was_behind(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = Database(sqlite3.connect(path))
    migrations.apply(db, stop_before="m006_handoff_outcome_and_profile_asks")
    db.table("users").insert_all([
        {"user_ref": "never-asked", "profile_state": "asked"},
        {"user_ref": "answered", "profile_state": "asked", "role": "founder"},
        {"user_ref": "municipality-only", "profile_state": "asked", "municipality": "drammen"},
        {"user_ref": "skipped", "profile_state": "skipped"},
        {"user_ref": "done", "profile_state": "done", "role": "company"},
    ])
    db.conn.close()
    migrated = open_database(path)
    states = {row["user_ref"]: row["profile_state"] for row in migrated.query("select * from users")}
    assert states == {"never-asked": None, "answered": "asked", "municipality-only": "asked", "skipped": "skipped",
                      "done": "done"}
    assert "closed_by" in migrated.table("handoffs").columns_dict

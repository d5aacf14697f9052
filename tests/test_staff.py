"""Staff commands in Telegram, and the knowledge base reloading itself while the bot runs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bot.config import Config
from tests.conftest import ROOT
from tests.offline import config_for, harness_for

STAFF_ID = 4242


def copied_knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder, ignore=shutil.ignore_patterns("eval"))
    return folder


def staff_config(tmp_path: Path, base: Config, folder: Path) -> Config:
    return config_for(tmp_path, base, profile__ask=False, staff__user_ids=[STAFF_ID],
                      knowledge={"dir": str(folder), "reload_seconds": 5})


async def test_reload_is_refused_to_non_staff(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(staff_config(tmp_path, shipped_config, copied_knowledge(tmp_path))):
        await harness.say("/reload", user_id=7)
        assert "kommandoen kjenner jeg ikke" in harness.request.last_text()


async def test_reload_picks_up_a_valid_edit(tmp_path: Path, shipped_config: Config) -> None:
    folder = copied_knowledge(tmp_path)
    async for harness in harness_for(staff_config(tmp_path, shipped_config, folder)):
        tourism = folder / "tourism.yaml"
        tourism.write_text(tourism.read_text("utf-8").replace("Visit Drammensregionen", "Besøk Drammen"), "utf-8")
        await harness.say("/reload", user_id=STAFF_ID)
        count = len(harness.app.bot_data.services.engines.engine.knowledge)
        assert f"lastet på nytt: {count} oppføringer" in harness.request.last_text()
        await harness.press("e:visit-drammensregionen:0", user_id=7)
        assert "Besøk Drammen" in harness.request.last_text()


async def test_reload_keeps_the_old_knowledge_base_when_the_new_one_is_broken(
    tmp_path: Path, shipped_config: Config
) -> None:
    folder = copied_knowledge(tmp_path)
    async for harness in harness_for(staff_config(tmp_path, shipped_config, folder)):
        count = len(harness.app.bot_data.services.engines.engine.knowledge)
        (folder / "tourism.yaml").write_text("entries:\n  - id: Broken\n    topic: [\n", "utf-8")
        await harness.say("/reload", user_id=STAFF_ID)
        reply = harness.request.last_text()
        assert f"den gamle er beholdt ({count} oppføringer)" in reply and "tourism.yaml:" in reply
        await harness.say("Hva er Visit Drammensregionen?", user_id=7)
        assert "Visit Drammensregionen" in harness.request.last_text()


async def test_edits_are_picked_up_without_a_command(tmp_path: Path, shipped_config: Config) -> None:
    folder = copied_knowledge(tmp_path)
    async for harness in harness_for(staff_config(tmp_path, shipped_config, folder)):
        engines = harness.app.bot_data.services.engines
        before = engines.engine
        assert engines.reload_if_changed() is None
        broken = folder / "zz-broken.yaml"
        broken.write_text("entries: [\n", "utf-8")
        os.utime(broken)
        assert engines.reload_if_changed()  # errors: the old engine stays
        assert engines.engine is before
        broken.unlink()
        assert engines.reload_if_changed() == []
        assert engines.engine is not before


async def test_stats_sends_the_figures_and_a_chart_to_staff_only(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(staff_config(tmp_path, shipped_config, copied_knowledge(tmp_path))):
        for user in (1, 2, 3):
            await harness.say("Hva er Visit Drammensregionen?", user_id=user)
        await harness.say("Hvor kan jeg kjøpe billige sykler?", user_id=2)
        await harness.say("/stats", user_id=7)
        assert "kommandoen kjenner jeg ikke" in harness.request.last_text()
        assert harness.request.sent("sendPhoto") == []
        await harness.say("/stats", user_id=STAFF_ID)
        text = harness.request.last_text()
        assert "4" in text and "3" in text  # four inquiries from three people
        (photo,) = harness.request.sent("sendPhoto")
        assert photo["chat_id"] == STAFF_ID


async def test_stats_with_a_bad_period_says_what_is_allowed(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(staff_config(tmp_path, shipped_config, copied_knowledge(tmp_path))):
        await harness.say("/stats neste år", user_id=STAFF_ID)
        assert "2026-Q4" in harness.request.last_text() or "YYYY" in harness.request.last_text()
        assert harness.request.sent("sendPhoto") == []


async def test_unanswered_lists_the_groups(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(staff_config(tmp_path, shipped_config, copied_knowledge(tmp_path))):
        for user in (1, 2):
            await harness.say("Hvor kan jeg kjøpe billige sykler?", user_id=user)
        await harness.say("/unanswered", user_id=7)
        assert "sykler" not in harness.request.last_text()
        await harness.say("/unanswered", user_id=STAFF_ID)
        assert "sykler" in harness.request.last_text()

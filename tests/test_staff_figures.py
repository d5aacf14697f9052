"""/stats with a Norwegian period word and /unanswered's «Flere» pages, driven through the real Application."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.config import Config
from bot.reports.periods import parse_period
from bot.store.database import open_database
from bot.store.inquiries import Inquiry, InquiryLog
from tests.offline import harness_for
from tests.test_staff import STAFF_ID, copied_knowledge, staff_config

TOPICS_NOBODY_ANSWERS = ["akvarium", "brannslukker", "campingvogn", "drivhus", "elefant", "fiskestang", "gitar",
                         "hagemøbler", "isbjørn", "juletre", "kajakk", "lysekrone"]


def log_questions(config: Config, day: dt.date, count: int, outcome: str = "answered", first_update: int = 1) -> None:
    """``count`` questions from different people at 10:00 UTC on ``day``, written before the bot starts."""
    db = open_database(config.database_path)
    log = InquiryLog(db)
    at = f"{day.isoformat()}T10:00:00+00:00"
    for number in range(count):
        log.record(Inquiry("telegram", "message", outcome, f"person-{first_update + number}", first_update + number,
                           received_at=at, text=TOPICS_NOBODY_ANSWERS[number] if outcome == "fallback"
                           else "Hva er Visit Drammensregionen?",
                           entry_id="visit-drammensregionen" if outcome == "answered" else None))
    db.conn.close()


async def test_stats_last_month_compares_with_the_month_before_and_sends_the_chart_with_a_caption(
    tmp_path: Path, shipped_config: Config
) -> None:
    config = staff_config(tmp_path, shipped_config, copied_knowledge(tmp_path))
    last_month = parse_period("forrige måned")
    before = last_month.previous()
    log_questions(config, last_month.start + dt.timedelta(days=9), 3)
    log_questions(config, before.start + dt.timedelta(days=9), 2, first_update=10)
    async for harness in harness_for(config):
        await harness.say("/stats forrige måned", user_id=STAFF_ID)
        text = harness.request.last_text()
        assert text.startswith(f"Næringsbot {last_month.local_label}\nHenvendelser: 3 (unike brukere: 3)")
        assert (f"Sammenlignet med forrige måned ({before.local_label}):\n  henvendelser: 2 → 3 (+50 %)\n"
                "  andel besvart: 100 % → 100 %") in text
        assert "Henvendelser totalt:" in text  # the yearly targets of the shipped config
        (photo,) = harness.request.sent("sendPhoto")
        assert photo["chat_id"] == STAFF_ID
        assert photo["caption"] == f"Henvendelser per uke og måltall hittil i år, {last_month.local_label}"


async def test_stats_says_in_norwegian_what_periods_work(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(staff_config(tmp_path, shipped_config, copied_knowledge(tmp_path))):
        await harness.say("/stats neste år", user_id=STAFF_ID)
        text = harness.request.last_text()
        assert text.startswith("«neste år» er ikke en periode jeg forstår. Skriv for eksempel «i dag»")
        assert "«forrige måned»" in text and "«Q4»" in text
        assert harness.request.sent("sendPhoto") == []


async def test_unanswered_pages_with_more_and_staff_only(tmp_path: Path, shipped_config: Config) -> None:
    config = staff_config(tmp_path, shipped_config, copied_knowledge(tmp_path))
    today = parse_period("i dag").start
    log_questions(config, today, 12, outcome="fallback")
    async for harness in harness_for(config):
        await harness.say("/unanswered i dag", user_id=STAFF_ID)
        first = harness.request.sent()[-1]
        assert first["text"].count("\n") == 11  # heading, ten groups, "… og 2 grupper til"
        ((label, data),) = harness.request.buttons(first)
        assert label == "Flere" and data == f"u:{today.isoformat()}:{today.isoformat()}:1"
        await harness.press(data, user_id=7)  # not staff: a stale button, no figures
        assert harness.request.sent()[-1] is first
        await harness.press(data, user_id=STAFF_ID)
        second = harness.request.sent()[-1]
        assert second["text"].startswith(f"Ubesvarte spørsmål {parse_period('i dag').local_label} · 11–12 av 12\n11. ")
        assert harness.request.buttons(second) == []
        await harness.press(f"u:{today.isoformat()}:{today.isoformat()}:5", user_id=STAFF_ID)
        assert "Denne siden finnes ikke lenger" in harness.request.last_text()

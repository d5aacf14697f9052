"""End to end: a message that asks two things, through the real ``naeringsbot run`` process.

The user gets one card per answered part over the Bot API, and the report run afterwards counts
one inquiry with each answered part under its own entry.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.botapi import ThreadedBotApiServer
from tests.support.botprocess import TOKEN, BotProcess, eventually

pytestmark = pytest.mark.e2e


@pytest.fixture
def server() -> Iterator[ThreadedBotApiServer]:
    with ThreadedBotApiServer(token=TOKEN, bot_username="naeringsbot_test_bot") as running:
        yield running


def test_two_questions_get_two_cards_and_count_under_both_entries(server: ThreadedBotApiServer,
                                                                  tmp_path: Path) -> None:
    process = BotProcess(tmp_path, server).start()
    try:
        kari = server.add_user("Kari", language_code="nb")
        server.send_message(kari, "Hvor er turistkontoret, og hva er Visit Drammensregionen?")
        first = server.wait_for_bot_message(kari, timeout=30)
        second = server.wait_for_bot_message(kari, timeout=10)
        assert first["text"].startswith("Turistkontor")
        assert second["text"].startswith("Visit Drammensregionen")
        assert eventually(lambda: not server.pending_updates())
        rows = process.rows("select p.part, p.entry_id from inquiry_parts p join inquiries i on i.id = p.inquiry_id "
                            "order by p.part")
        assert rows == [{"part": 1, "entry_id": "tourist-office"}, {"part": 2, "entry_id": "visit-drammensregionen"}]
    finally:
        assert process.stop() == 0, process.log
    report = process.command("report", "--format", "json", check=True)
    figures = json.loads(report.stdout)
    assert figures["totals"]["inquiries"] == 1 and figures["totals"]["answered"] == 1
    assert figures["by_entry"] == {"tourist-office": 1, "visit-drammensregionen": 1}

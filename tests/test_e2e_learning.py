"""End to end: the bot learns a phrasing from use, staff accept it in Telegram, and the bot answers it.

Users ask something the real bot only half understands and pick an entry from "did you mean";
the suggestion shows in ``kb suggestions --json`` and in ``/review``; a staff member adds it; the
entry's YAML file gets the phrasing with its comments intact; the running bot now answers it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.botapi import ThreadedBotApiServer
from tests.support.botprocess import TOKEN, BotProcess
from tests.test_learning import UNSURE_CANDIDATES, knowledge_copy

pytestmark = pytest.mark.e2e


@pytest.fixture
def own_server() -> Iterator[ThreadedBotApiServer]:
    with ThreadedBotApiServer(token=TOKEN, bot_username="naeringsbot_test_bot") as running:
        yield running


def buttons(message: dict[str, object]) -> list[tuple[str, str]]:
    markup = message.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])  # type: ignore[union-attr]
            for b in row]


def test_a_phrasing_learned_from_use_is_accepted_in_telegram_and_answered(
    own_server: ThreadedBotApiServer, tmp_path: Path
) -> None:
    server = own_server
    folder = knowledge_copy(tmp_path)
    staff = server.add_user("Saksbehandler", language_code="nb", user_id=7_000_002)
    process = BotProcess(tmp_path, server, knowledge={"dir": str(folder), "reload_seconds": 1},
                         staff={"user_ids": [staff.id]}).start()
    try:
        users = [server.add_user(name, language_code="nb") for name in ("Anna", "Ben")]
        question, picked = None, None
        for candidate in UNSURE_CANDIDATES:  # the first the bot is unsure about
            server.send_message(users[0], candidate)
            reply = server.wait_for_bot_message(users[0], timeout=30)
            picks = [data for _, data in buttons(reply) if data.startswith("e:")]
            if "n:" in "".join(data for _, data in buttons(reply)) and picks:
                question, picked = candidate, picks[0]
                break
        assert question and picked, "no candidate question got 'did you mean'"
        entry = picked.split(":")[1]
        server.press_button(users[0], reply, callback_data=picked)
        server.wait_for_bot_message(users[0])

        listed = process.command("kb", "suggestions", "--json")
        assert listed.returncode == 0, listed.stderr
        phrasings = [s for s in json.loads(listed.stdout) if s["kind"] == "phrasing"]
        assert [(s["text"], s["entry"]) for s in phrasings] == [(question, entry)]

        path = next(p for p in folder.glob("*.yaml") if f"id: {entry}" in p.read_text("utf-8"))
        comments = [line for line in path.read_text("utf-8").splitlines() if line.lstrip().startswith("#")]
        server.send_message(staff, "/review")
        card = server.wait_for_bot_message(staff, timeout=20)
        assert f"«{question}»" in card["text"]
        add = next(data for text, data in buttons(card) if data.startswith("v:add:"))
        server.press_button(staff, card, callback_data=add)
        done = server.wait_for_bot_message(staff, lambda m: "Lagt til" in m.get("text", "")
                                           or "Ikke endret" in m.get("text", ""), timeout=60)
        assert done["text"].startswith(f"Lagt til «{question}»"), done["text"]
        text = path.read_text("utf-8")
        assert f'        - "{question}"' in text
        assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == comments

        server.send_message(users[1], question)
        answer = server.wait_for_bot_message(users[1], timeout=20)
        assert any(data.startswith("f:") for _, data in buttons(answer)), answer["text"]  # a confident answer card
    finally:
        assert process.stop() == 0, process.log
    assert "Error while handling" not in process.log

"""End to end, the staff side: the real ``naeringsbot run`` process and a forum staff chat.

Staff get their own command menus at start; a handoff's post shows its status to the whole team
after ✅, survives a restart, and ends as blocked with its topic closed; relayed replies get a 👍.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from bot.store.handoffs import HOW_TO_ANSWER
from tests.support.botapi import ThreadedBotApiServer
from tests.support.botprocess import TOKEN, BotProcess, eventually

pytestmark = pytest.mark.e2e

STAFFER_ID = 7_000_101
OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def server() -> Iterator[ThreadedBotApiServer]:
    with ThreadedBotApiServer(token=TOKEN, bot_username="naeringsbot_test_bot") as running:
        yield running


def button(message: dict[str, object], prefix: str) -> str:
    markup = message.get("reply_markup") or {}
    assert isinstance(markup, dict)
    return next(b["callback_data"] for row in markup["inline_keyboard"] for b in row
                if b.get("callback_data", "").startswith(prefix))


def test_a_handoff_post_shows_its_status_through_answer_restart_and_block(
    server: ThreadedBotApiServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    staff_chat = server.add_group("Næringsavdelingen", type="supergroup", is_forum=True, bot_is_admin=True)
    staffer = server.add_user("Saksbehandler", language_code="nb", user_id=STAFFER_ID, started=True)
    lise = server.add_user("Lise", language_code="nb")
    folder = tmp_path_factory.mktemp("staff")
    settings = {"staff": {"chat_id": staff_chat.id, "user_ids": [STAFFER_ID]}}
    bot = BotProcess(folder, server, **settings).start()
    try:
        # Start-up: the staff's own menus, next to the public one.
        assert eventually(lambda: {f"chat:{STAFFER_ID}", f"chat:{staff_chat.id}"} <= set(server.scoped_commands),
                          timeout=30), bot.log
        assert [c["command"] for c in server.scoped_commands[f"chat:{staff_chat.id}"][""]][:2] == ["close", "block"]
        assert "stats" in [c["command"] for c in server.scoped_commands[f"chat:{STAFFER_ID}"][""]]

        server.send_message(lise, "/contact")
        server.wait_for_bot_message(lise, timeout=30)
        server.send_message(lise, "Kan jeg få hjelp med lokaler til bakeriet mitt?")
        posted = server.wait_for_bot_message(staff_chat, lambda m: m.get("text", "").startswith("#H-"))
        thread = posted["message_thread_id"]

        # ✅ Besvart: the post itself says so, with the time in Oslo.
        server.press_button(staffer, posted, button(posted, "s:answered:"))
        edited = server.wait_for_bot_message(staff_chat, lambda m: m["message_id"] == posted["message_id"]
                                             and "edit_date" in m)
        (row,) = bot.rows("select first_answered_at from handoffs")
        clock = dt.datetime.fromisoformat(row["first_answered_at"]).astimezone(OSLO).strftime("%H:%M")
        assert edited["text"] == f"{posted['text']}\n\n✅ Besvart · {clock}"
        assert button(edited, "s:close:")  # still open: it can be closed from the post

        # A reply in the topic reaches Lise, and the staff member sees it went out.
        reply = server.send_message(staffer, "Kom innom kontoret i morgen.", chat=staff_chat,
                                    message_thread_id=thread)
        assert server.wait_for_bot_message(lise, lambda m: "Kom innom kontoret" in m.get("text", ""))
        assert reply.message is not None
        reply_id = reply.message["message_id"]
        assert eventually(lambda: server.reactions.get((staff_chat.id, reply_id)) == ["👍"])
    finally:
        assert bot.stop() == 0, bot.log

    # After a restart the status is still known: /block in the topic shows both on the post.
    bot = BotProcess(folder, server, **settings).start()
    try:
        server.send_message(staffer, "/block", chat=staff_chat, message_thread_id=thread)
        note = server.wait_for_bot_message(staff_chat, lambda m: "sperret" in m.get("text", ""), timeout=30)
        assert note["text"].startswith("🚫 #H-1: brukeren er sperret")
        blocked = server.wait_for_bot_message(staff_chat, lambda m: m["message_id"] == posted["message_id"]
                                              and "🚫 Sperret" in m.get("text", ""))
        card = posted["text"].replace(HOW_TO_ANSWER, "").rstrip()  # a closed post no longer says how to answer
        assert blocked["text"].startswith(card) and f"✅ Besvart · {clock} — 🚫 Sperret · " in blocked["text"]
        assert HOW_TO_ANSWER in posted["text"] and HOW_TO_ANSWER not in blocked["text"]
        assert "reply_markup" not in blocked  # closed: no buttons left
        assert eventually(lambda: staff_chat.topics[thread].closed)
        assert bot.rows("select status, closed_by from handoffs") == [{"status": "closed", "closed_by": "blocked"}]
    finally:
        assert bot.stop() == 0, bot.log
    assert "Error while handling" not in bot.log

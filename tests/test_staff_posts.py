"""The handoff's post in the staff chat shows the team where it stands; relayed replies are acknowledged."""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config
from bot.store.handoffs import Handoff, clock_time, status_line, with_status
from tests.offline import Harness, feed, harness_for
from tests.test_handoff import STAFF, STAFFER, bot_message, hand_off, handoffs, staff_config, staff_posts

ESTABLISHING = "Jeg vil starte egen bedrift. Hvem kan gi meg veiledning som etablerer?"
OUT_OF_SCOPE = "Hvor kan jeg kjøpe billige sykler?"


@pytest.fixture
async def desk(tmp_path: Path, shipped_config: Config) -> AsyncIterator[Harness]:
    async for harness in harness_for(staff_config(tmp_path, shipped_config)):
        yield harness


def edits(harness: Harness) -> list[dict[str, Any]]:
    return harness.request.sent("editMessageText")


def keyboard(parameters: dict[str, Any]) -> list[str]:
    markup = parameters.get("reply_markup")
    if markup is None:
        return []
    data = markup if isinstance(markup, dict) else json.loads(markup.to_json())
    return [button["callback_data"] for row in data["inline_keyboard"] for button in row]


async def press_on_post(harness: Harness, data: str, staff_message: int) -> None:
    """A staff member presses a button under the post; Telegram sends the post's text with it."""
    press = harness.users.press(data, user_id=STAFFER)
    post_text = html.unescape(staff_posts(harness)[0]["text"])
    press["callback_query"]["message"] = {**bot_message(staff_message), "text": post_text}
    await feed(harness.app, press)


async def test_answered_button_edits_the_post_with_the_time_in_oslo(desk: Harness) -> None:
    staff_message = await hand_off(desk)
    await press_on_post(desk, "s:answered:1", staff_message)
    (edit,) = edits(desk)
    (row,) = handoffs(desk)
    assert edit["chat_id"] == STAFF["id"] and edit["message_id"] == staff_message
    original = staff_posts(desk)[0]["text"]
    assert edit["text"] == f"{original}\n\n✅ Besvart · {clock_time(row['first_answered_at'])}"
    assert keyboard(edit) == ["s:answered:1", "s:close:1"]  # still open: it can be closed from the post


async def test_close_button_shows_closed_and_removes_the_buttons(desk: Harness) -> None:
    staff_message = await hand_off(desk)
    await press_on_post(desk, "s:answered:1", staff_message)
    await press_on_post(desk, "s:close:1", staff_message)
    last = edits(desk)[-1]
    assert re.search(r"\n\n✅ Besvart · \d\d:\d\d — ✖ Lukket · \d\d:\d\d$", last["text"])
    assert last["text"].count("Besvart") == 1 and keyboard(last) == []
    assert handoffs(desk)[0]["closed_by"] == "staff"
    assert "/close avslutter" in staff_posts(desk)[0]["text"]
    assert "/close avslutter" not in last["text"]  # a closed post no longer says how to answer it


async def test_block_says_it_blocked_and_the_post_says_blocked(desk: Harness) -> None:
    staff_message = await hand_off(desk)
    block = await desk.say("/block", user_id=STAFFER, chat=STAFF, reply_to_message=bot_message(staff_message))
    note = next(p for p in staff_posts(desk) if "sperret" in p["text"])
    assert note["text"].startswith("🚫 #H-1: brukeren er sperret")
    assert note["reply_parameters"]["message_id"] == block["message"]["message_id"]
    assert re.search(r"\n\n🚫 Sperret · \d\d:\d\d$", edits(desk)[-1]["text"])
    assert handoffs(desk)[0]["closed_by"] == "blocked"


async def test_blocking_a_closed_handoff_still_blocks_and_says_so(desk: Harness) -> None:
    staff_message = await hand_off(desk)
    await desk.say("/close", user_id=STAFFER, chat=STAFF, reply_to_message=bot_message(staff_message))
    await desk.say("/block", user_id=STAFFER, chat=STAFF, reply_to_message=bot_message(staff_message))
    assert any(p["text"].startswith("🚫 #H-1") for p in staff_posts(desk))
    assert "🚫 Sperret" in edits(desk)[-1]["text"]
    assert desk.app.bot_data.services.handoffs.is_blocked(handoffs(desk)[0]["user_ref"])


async def test_a_command_that_points_at_no_handoff_says_how_to_use_it(desk: Harness) -> None:
    await desk.say("/block", user_id=STAFFER, chat=STAFF)
    assert "som svar på meldingen med #H-nummeret" in desk.request.last_text()


async def test_a_relayed_reply_gets_a_thumbs_up_and_marks_the_post_answered(desk: Harness) -> None:
    staff_message = await hand_off(desk)
    reply = await desk.say("Kom innom i morgen.", user_id=STAFFER, chat=STAFF,
                           reply_to_message={**bot_message(staff_message), "text": "#H-1 · bruker x · NB"})
    (reaction,) = desk.request.sent("setMessageReaction")
    assert reaction["chat_id"] == STAFF["id"] and reaction["message_id"] == reply["message"]["message_id"]
    assert reaction["reaction"] == [{"type": "emoji", "emoji": "👍"}]
    assert "✅ Besvart" in edits(desk)[-1]["text"]
    await desk.say("Og ta med papirene.", user_id=STAFFER, chat=STAFF, reply_to_message=bot_message(staff_message))
    assert len(edits(desk)) == 1  # only the first answer changes the status


async def test_where_reactions_fail_the_relayed_reply_gets_a_short_note(desk: Harness) -> None:
    staff_message = await hand_off(desk)
    desk.request.failing["setMessageReaction"] = "Bad Request: REACTION_INVALID"
    await desk.say("Kom innom i morgen.", user_id=STAFFER, chat=STAFF, reply_to_message=bot_message(staff_message))
    assert [p["text"] for p in staff_posts(desk)][-1] == "Sendt til innbyggeren"


async def test_an_edit_that_fails_is_logged_and_the_handoff_still_closes(
    desk: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="handlers.staff_posts")
    staff_message = await hand_off(desk)
    desk.request.failing["editMessageText"] = "Bad Request: message to edit not found"
    await desk.say("/close", user_id=STAFFER, chat=STAFF, reply_to_message=bot_message(staff_message))
    assert handoffs(desk)[0]["status"] == "closed"
    assert "avsluttet" in [p for p in desk.request.sent() if p["chat_id"] == 42][-1]["text"]
    assert "could not show its status" in caplog.text


async def test_closing_in_a_forum_topic_rebuilds_the_post_and_closes_the_topic(
    tmp_path: Path, shipped_config: Config
) -> None:
    async for harness in harness_for(staff_config(tmp_path, shipped_config, forum_topics=True)):
        await hand_off(harness)
        await harness.say("Svar i emnet", user_id=STAFFER, chat=STAFF, message_thread_id=77, is_topic_message=True)
        await harness.say("/close", user_id=STAFFER, chat=STAFF, message_thread_id=77, is_topic_message=True)
        last = edits(harness)[-1]
        assert last["text"].startswith("#H-1 · bruker ") and "Spørsmål: Kan jeg få hjelp med lokaler" in last["text"]
        assert "✅ Besvart" in last["text"] and "✖ Lukket" in last["text"]
        assert [p["message_thread_id"] for p in harness.request.sent("closeForumTopic")] == [77]


async def test_the_user_ending_it_shows_on_the_post(desk: Harness) -> None:
    await hand_off(desk)
    await desk.press("s:end:1")
    assert "✖ Avsluttet av innbyggeren" in edits(desk)[-1]["text"]


async def test_forget_during_a_handoff_takes_the_question_off_the_post(desk: Harness) -> None:
    await hand_off(desk)
    await desk.say("/forget")
    await desk.press("x:yes")
    last = edits(desk)[-1]
    assert last["text"].startswith("#H-1 · bruker (slettet) · NB")
    assert "bakeriet" not in last["text"] and "Spørsmål: –" in last["text"]
    assert re.search(r"\n\n✖ Slettet av innbyggeren \(/forget\) · \d\d:\d\d$", last["text"])
    assert keyboard(last) == []


async def test_guesses_are_entry_titles_without_scores(desk: Harness) -> None:
    await hand_off(desk, ESTABLISHING)
    knowledge = desk.app.bot_data.services.engines.engine.knowledge
    (line,) = [line for line in staff_posts(desk)[0]["text"].splitlines() if line.startswith("Botens beste forslag")]
    assert knowledge.get("establisher-guidance").title.get("nb") in line
    assert "establisher-guidance" not in line and not re.search(r"\d\.\d\d", line)


async def test_no_guesses_when_the_bot_would_not_even_suggest_one(desk: Harness) -> None:
    matched = desk.app.bot_data.services.engines.engine.matcher.match(OUT_OF_SCOPE)
    assert matched.outcome == "fallback" and matched.ranked  # it ranks entries, but none is close enough
    await hand_off(desk, OUT_OF_SCOPE)
    assert "Botens beste forslag" not in staff_posts(desk)[0]["text"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, None),
        ({"first_answered_at": "2026-12-01T09:42:00+00:00"}, "✅ Besvart · 10:42"),
        ({"status": "closed", "closed_at": "2026-12-01T10:05:00+00:00", "closed_by": "blocked"}, "🚫 Sperret · 11:05"),
        ({"status": "closed", "closed_at": "2026-11-30T23:30:00+00:00"}, "✖ Lukket · 00:30"),
        ({"status": "closed", "closed_at": "2026-07-01T08:00:00+00:00", "closed_by": "user"},
         "✖ Avsluttet av innbyggeren · 1.7. 10:00"),
    ],
)
def test_status_line_in_oslo_time(fields: dict[str, Any], expected: str | None) -> None:
    import datetime as dt

    handoff = Handoff(**{"id": 1, "reference": "H-1", "status": "open", "user_ref": "r", "chat_id": None,
                         "lang": "nb", "question": "q", "thread_id": None, "staff_message_id": 5, **fields})
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    assert status_line(handoff, now) == expected


def test_the_status_line_replaces_the_previous_one() -> None:
    card = "#H-1 · bruker x · NB\n\nSpørsmål: hei"
    once = with_status(card, "✅ Besvart · 10:42")
    both = "✅ Besvart · 10:42 — ✖ Lukket · 11:05"
    assert with_status(once, both) == f"{card}\n\n{both}"
    assert with_status(once, None) == card


@pytest.mark.parametrize("with_text", [False, True])
async def test_a_long_questions_post_keeps_its_status_within_telegrams_limit(desk: Harness, with_text: bool) -> None:
    """A question near Telegram's limit fills the post: the status line must still fit, or the edit fails."""
    question = "Kan dere hjelpe med lokaler til bakeriet? " + "Vi trenger plass til ovner & disk. " * 112
    staff_message = await hand_off(desk, question[:4000])
    post = {**bot_message(staff_message), "text": html.unescape(staff_posts(desk)[0]["text"])} if with_text else \
        bot_message(staff_message)
    await desk.say("/close", user_id=STAFFER, chat=STAFF, reply_to_message=post)
    shown = html.unescape(edits(desk)[-1]["text"])
    assert len(shown) <= 4096
    assert re.search(r"\n\n✖ Lukket · \d\d:\d\d$", shown) and shown.startswith("#H-1 · ")


async def test_blocking_a_user_who_blocked_the_bot_still_closes_and_shows_it(desk: Harness) -> None:
    """Telegram refuses messages to someone who blocked the bot: the staff chat must still see the result."""
    staff_message = await hand_off(desk)
    desk.request.refusing_chats.add(42)  # the citizen's private chat
    await desk.say("/block", user_id=STAFFER, chat=STAFF, reply_to_message=bot_message(staff_message))
    (row,) = handoffs(desk)
    assert (row["status"], row["closed_by"]) == ("closed", "blocked")
    assert any(p["text"] == "#H-1 er lukket." for p in staff_posts(desk))
    assert re.search(r"\n\n🚫 Sperret · \d\d:\d\d$", edits(desk)[-1]["text"])

"""Talk to a person: the staff chat gets the question, staff replies reach the user, all tracked."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config
from tests.offline import BOT_ID, Harness, config_for, harness_for

STAFF: dict[str, Any] = {"id": -2001, "type": "supergroup", "title": "Næringsavdelingen"}
STAFFER = 555


def staff_config(tmp_path: Path, base: Config, **handoff: Any) -> Config:
    return config_for(tmp_path, base, profile__ask=False, staff__chat_id=STAFF["id"], staff__user_ids=[STAFFER],
                      handoff={"forum_topics": False, **handoff})


@pytest.fixture
async def desk(tmp_path: Path, shipped_config: Config) -> AsyncIterator[Harness]:
    async for harness in harness_for(staff_config(tmp_path, shipped_config)):
        yield harness


def staff_posts(harness: Harness) -> list[dict[str, Any]]:
    return [p for p in harness.request.sent() if p["chat_id"] == STAFF["id"]]


def bot_message(message_id: int) -> dict[str, Any]:
    return {"message_id": message_id, "date": 0, "chat": STAFF,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Næringsbot"}}


async def hand_off(harness: Harness, question: str = "Kan jeg få hjelp med lokaler til bakeriet mitt?") -> int:
    """The user asks for a person and writes the question; returns the staff message id."""
    await harness.say("/contact")
    await harness.say(question)
    return harness.request.message_id_of(lambda p: p["chat_id"] == STAFF["id"])


def handoffs(harness: Harness) -> list[dict[str, Any]]:
    return list(harness.app.bot_data.services.db.query("select * from handoffs order by id"))


async def test_contact_asks_for_the_question_then_posts_it_to_staff(desk: Harness) -> None:
    await desk.say("/contact")
    assert "Skriv spørsmålet ditt" in desk.request.last_text()
    await desk.say("Ring meg på 912 34 567 om lokaler til bakeriet")
    (post,) = staff_posts(desk)
    assert post["text"].startswith("#H-1 · bruker ")
    assert "[telefon]" in post["text"] and "912 34 567" not in post["text"]
    assert "Kari" not in post["text"]
    assert [data for _, data in desk.request.buttons(post)] == ["s:answered:1", "s:close:1"]
    assert "sendt spørsmålet ditt videre" in desk.request.last_text()
    (row,) = handoffs(desk)
    assert row["status"] == "open" and row["chat_id"] == 42 and row["reference"] == "H-1"
    assert desk.rows("outcome = 'handoff'")[0]["text"] == "Ring meg på [telefon] om lokaler til bakeriet"


async def test_staff_reply_is_relayed_signed_and_timed(desk: Harness) -> None:
    staff_message = await hand_off(desk)
    await desk.say("Hei! Kom innom, så ser vi på det.", user_id=STAFFER, chat=STAFF,
                   reply_to_message=bot_message(staff_message))
    relayed = desk.request.sent()[-1]
    assert relayed["chat_id"] == 42
    assert relayed["text"] == "<b>Drammen kommune, næringsutvikling</b>\nHei! Kom innom, så ser vi på det."
    (row,) = handoffs(desk)
    assert row["status"] == "answered" and row["first_answered_at"] and row["answered_by"]
    # Who answered is kept as a pseudonym, never the Telegram id (a hex pseudonym may contain the
    # id's digits by chance, so compare with the pseudonym itself).
    assert row["answered_by"] == desk.app.bot_data.services.assistant.pseudonymise(f"staff:{STAFFER}")
    assert row["answered_by"] != str(STAFFER)
    assert desk.rows("is_staff = 1 or chat_type = 'supergroup'") == []


async def test_user_follow_ups_go_to_the_same_thread(desk: Harness) -> None:
    staff_message = await hand_off(desk)
    await desk.say("Jeg glemte: det gjelder 80 kvadratmeter.")
    follow_up = staff_posts(desk)[-1]
    assert follow_up["text"].startswith("#H-1") and "Oppfølging: Jeg glemte" in follow_up["text"]
    assert f'"message_id": {staff_message}' in str(follow_up["reply_parameters"]).replace("'", '"')
    assert "Sendt videre" in desk.request.last_text()
    assert len(handoffs(desk)) == 1


async def test_staff_close_tells_the_user_and_the_bot_answers_again(desk: Harness) -> None:
    staff_message = await hand_off(desk)
    await desk.say("/close", user_id=STAFFER, chat=STAFF, reply_to_message=bot_message(staff_message))
    assert "avsluttet" in [p for p in desk.request.sent() if p["chat_id"] == 42][-1]["text"]
    assert handoffs(desk)[0]["status"] == "closed"
    await desk.say("Hva er Visit Drammensregionen?")
    assert "Visit Drammensregionen" in desk.request.last_text()


async def test_close_button_in_the_staff_chat_closes(desk: Harness) -> None:
    staff_message = await hand_off(desk)
    press = desk.users.press("s:close:1", user_id=STAFFER)
    press["callback_query"]["message"] = {**bot_message(staff_message), "text": "#H-1"}
    from tests.offline import feed

    await feed(desk.app, press)
    assert handoffs(desk)[0]["status"] == "closed"


async def test_users_cannot_use_staff_buttons(desk: Harness) -> None:
    await hand_off(desk)
    await desk.press("s:close:1", user_id=42)
    await desk.press("s:answered:1", user_id=99)
    assert handoffs(desk)[0]["status"] == "open"


async def test_user_can_end_the_conversation(desk: Harness) -> None:
    await hand_off(desk)
    await desk.press("s:end:1")
    assert handoffs(desk)[0]["status"] == "closed"
    assert any("#H-1 er lukket" in p["text"] for p in staff_posts(desk))


async def test_talk_to_person_under_an_unanswered_question_forwards_it(desk: Harness) -> None:
    await desk.say("Hvor kan jeg kjøpe billige sykler?")
    question = desk.rows()[-1]
    await desk.press(f"h:{question['id']}")
    assert "Spørsmål: Hvor kan jeg kjøpe billige sykler?" in staff_posts(desk)[0]["text"]
    assert handoffs(desk)[0]["inquiry_id"] is not None


async def test_asking_for_a_person_in_free_text_offers_the_handoff(desk: Harness) -> None:
    await desk.say("kan jeg snakke med et menneske?")
    assert "Skriv spørsmålet ditt" in desk.request.last_text()
    await desk.say("Hvordan får jeg tak i næringssjefen?")
    assert staff_posts(desk)


async def test_forum_staff_chat_gets_one_topic_per_handoff(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(staff_config(tmp_path, shipped_config, forum_topics=True)):
        await hand_off(harness)
        (topic,) = harness.request.sent("createForumTopic")
        assert topic["name"] == "#H-1"
        assert staff_posts(harness)[0]["message_thread_id"] == 77
        await harness.say("Svar i emnet", user_id=STAFFER, chat=STAFF, message_thread_id=77,
                          is_topic_message=True)
        assert harness.request.sent()[-1]["chat_id"] == 42


async def test_forum_topic_failure_falls_back_to_a_plain_message(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(staff_config(tmp_path, shipped_config, forum_topics=True)):
        harness.request.failing["createForumTopic"] = "Bad Request: the chat is not a forum"
        await hand_off(harness)
        post = staff_posts(harness)[0]
        assert post.get("message_thread_id") is None and "#H-1" in post["text"]


async def test_without_a_staff_chat_the_contact_details_are_shown_and_logged_unrouted(
    tmp_path: Path, shipped_config: Config
) -> None:
    config = config_for(tmp_path, shipped_config, profile__ask=False,
                        staff__contact={"name": "Drammen kommune, næringsutvikling", "email": "post@example.invalid"})
    async for harness in harness_for(config):
        await harness.say("/contact")
        assert "E-post: post@example.invalid" in harness.request.last_text()
        assert handoffs(harness)[0]["status"] == "unrouted"
        assert handoffs(harness)[0]["chat_id"] is None


async def test_daily_limit_and_block_stop_further_handoffs(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(staff_config(tmp_path, shipped_config, max_per_day=1)):
        staff_message = await hand_off(harness)
        await harness.say("/block", user_id=STAFFER, chat=STAFF, reply_to_message=bot_message(staff_message))
        await harness.say("/contact")
        await harness.say("Et spørsmål til")
        assert "mange spørsmål" in harness.request.last_text()
        # A refused attempt is no handoff: no row, and the question counts as unanswered.
        assert [row["status"] for row in handoffs(harness)] == ["closed"]
        assert harness.rows("text = 'Et spørsmål til'")[0]["outcome"] == "fallback"
        # The question, the note that the user is blocked and the closing note; nothing new.
        assert len(staff_posts(harness)) == 3


async def test_chat_ids_are_erased_after_the_grace_period(desk: Harness) -> None:
    staff_message = await hand_off(desk)
    await desk.say("/close", user_id=STAFFER, chat=STAFF, reply_to_message=bot_message(staff_message))
    services = desk.app.bot_data.services
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=73)
    assert services.handoffs.erase_closed_chat_ids(72, now=later) == 1
    assert handoffs(desk)[0]["chat_id"] is None


async def test_first_names_are_shown_only_when_configured(tmp_path: Path, shipped_config: Config) -> None:
    config = config_for(tmp_path, shipped_config, profile__ask=False, staff__chat_id=STAFF["id"],
                        staff__show_names=True, handoff={"forum_topics": False})
    async for harness in harness_for(config):
        await hand_off(harness)
        assert staff_posts(harness)[0]["text"].startswith("#H-1 · Kari · NB")


async def test_an_unreachable_staff_chat_makes_the_handoff_unrouted_and_shows_the_contact_details(
    tmp_path: Path, shipped_config: Config
) -> None:
    config = config_for(tmp_path, shipped_config, profile__ask=False, staff__chat_id=STAFF["id"],
                        staff__user_ids=[STAFFER], handoff={"forum_topics": False},
                        staff__contact={"email": "post@example.invalid"})
    async for harness in harness_for(config):
        harness.request.refusing_chats.add(STAFF["id"])  # the bot was removed from the staff group
        await harness.say("/contact")
        await harness.say("Kan jeg få hjelp med lokaler?")
        (row,) = handoffs(harness)
        assert row["status"] == "unrouted" and row["chat_id"] is None
        assert "E-post: post@example.invalid" in harness.request.last_text()
        await harness.say("Hva er Visit Drammensregionen?")
        assert "Visit Drammensregionen" in harness.request.last_text()  # answered normally again


async def test_a_redelivered_handoff_finishes_posting_to_staff(desk: Harness) -> None:
    await desk.say("/contact")
    payload = desk.users.message("Kan jeg få hjelp med lokaler til bakeriet mitt?")
    services = desk.app.bot_data.services
    # The first delivery logged the question and opened the handoff, then the process died.
    who = __import__("bot.assistant", fromlist=["Sender"]).Sender(channel="telegram", user_id=42, chat_type="private",
                                                                  language_code="nb")
    recorded = services.assistant.note_handoff(who, payload["update_id"], via="message",
                                               question=payload["message"]["text"])
    services.handoffs.open(services.assistant.user_ref(who), 42, "nb", payload["message"]["text"], recorded.inquiry_id)
    from tests.offline import feed
    await feed(desk.app, payload)  # Telegram delivers it again
    (post,) = staff_posts(desk)
    (row,) = handoffs(desk)
    assert row["staff_message_id"] is not None and "#H-1" in post["text"]
    assert len(desk.rows("outcome = 'handoff'")) == 1


async def test_a_staff_reply_that_belongs_to_no_handoff_is_answered_in_the_staff_chat(desk: Harness) -> None:
    await desk.say("Svar til ingen", user_id=STAFFER, chat=STAFF, reply_to_message=bot_message(31337))
    note = desk.request.sent()[-1]
    assert note["chat_id"] == STAFF["id"] and "ikke sendt" in note["text"]


async def test_a_long_staff_reply_is_split_and_never_cut_inside_an_entity(desk: Harness) -> None:
    staff_message = await hand_off(desk)
    reply = ("Svar & mer <tekst> " * 400).strip()
    await desk.say(reply, user_id=STAFFER, chat=STAFF, reply_to_message=bot_message(staff_message))
    relayed = [p["text"] for p in desk.request.sent() if p["chat_id"] == 42 and p["text"].startswith("<b>")]
    assert len(relayed) >= 2 and all(len(text) <= 4096 for text in relayed)
    import html
    import re
    body = " ".join(html.unescape(re.sub(r"<b>.*?</b>\n", "", text)) for text in relayed)
    assert " ".join(body.split()) == " ".join(reply.split())


def test_the_staff_card_shows_the_users_text_on_one_line() -> None:
    from bot.store.handoffs import Handoff, staff_card

    text = "hei\n\n#H-2 · bruker 00000000\u202eSvar ved\u200b"
    handoff = Handoff(1, "H-1", "open", "ref", 42, "nb", text, None, None)
    card = staff_card(handoff, [], None, "bruker 1a2b3c4d")
    question_line = next(line for line in card.splitlines() if line.startswith("Spørsmål: "))
    assert "#H-2" in question_line and "\u202e" not in card and "\u200b" not in card
    assert card.count("#H-") == 2 and not any(line.startswith("#H-2") for line in card.splitlines())


async def test_a_reply_to_someone_who_blocked_the_bot_says_so_and_closes_the_handoff(desk: Harness) -> None:
    staff_message = await hand_off(desk)
    desk.request.refusing_chats.add(42)  # Telegram answers 403 for the user's chat from now on
    await desk.say("Hei! Kom innom, så ser vi på det.", user_id=STAFFER, chat=STAFF,
                   reply_to_message=bot_message(staff_message))
    note = staff_posts(desk)[-1]
    assert note["text"].startswith("#H-1: svaret kom ikke fram, fordi innbyggeren har blokkert boten")
    assert note["reply_parameters"]["message_id"]  # under the reply that did not get through
    (row,) = handoffs(desk)
    assert (row["status"], row["closed_by"]) == ("closed", "unreachable")
    post = [p for p in desk.request.sent("editMessageText") if p["message_id"] == staff_message][-1]
    assert post["text"].splitlines()[-1].startswith("✖ Svaret kom ikke fram: innbyggeren har blokkert boten · ")
    assert "#H-1 er lukket." not in [p["text"] for p in staff_posts(desk)]  # said once, not twice

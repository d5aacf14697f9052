"""Handlers driven through a real Application with an offline Bot API, as Telegram would call them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config
from tests.helpers import entry, write_knowledge
from tests.offline import BOT_ID, BOT_USERNAME, Harness, config_for, feed, harness_for


@pytest.fixture
async def bot(tmp_path: Path, shipped_config: Config) -> AsyncIterator[Harness]:
    """The shipped config with contact details filled in, as a municipality would before going live."""
    config = config_for(tmp_path, shipped_config, profile__ask=False,
                        staff={**shipped_config.staff.model_dump(), "contact": {"email": "post@example.invalid"}})
    async for harness in harness_for(config):
        yield harness


async def test_start_shows_welcome_privacy_line_and_topic_menu(bot: Harness) -> None:
    await bot.say("/start")
    text = bot.request.last_text()
    assert "Næringsbot" in text and "/privacy" in text and "180 dager" in text
    labels = [label for label, _ in bot.request.buttons()]
    assert labels == ["Starte bedrift", "Campus, forskning og finansiering", "Reiseliv og konferanser",
                      "Næringsliv i Drammen", "Snakk med en person"]


@pytest.mark.parametrize(("staff", "offered"), [
    ({}, False),
    ({"contact": {"email": "post@example.invalid"}}, True),
    ({"chat_id": -2001}, True),
])
async def test_a_person_is_offered_only_when_someone_can_be_reached(
    tmp_path: Path, shipped_config: Config, staff: dict[str, Any], offered: bool
) -> None:
    config = config_for(tmp_path, shipped_config, profile__ask=False, staff={**shipped_config.staff.model_dump(),
                                                                             **staff})
    async for harness in harness_for(config):
        await harness.say("Hva er Visit Drammensregionen?")
        card = harness.request.sent()[-1]
        assert ("Snakk med en person" in [label for label, _ in harness.request.buttons(card)]) is offered
        assert ("Trykk «Snakk med en person»" in card["text"] or "/contact" in card["text"]) is offered
        await harness.say("Hvor kan jeg kjøpe billige sykler i nærheten?")
        reply = harness.request.last_text()
        assert any(promise in reply for promise in ("videre til", "kontakte", "/contact", "Snakk med")) is offered


async def test_start_payload_is_kept_as_the_users_source(bot: Harness) -> None:
    await bot.say("/start flyer-hibu")
    await bot.say("/start other-source")
    users = list(bot.app.bot_data.services.db.query("select source from users"))
    assert users == [{"source": "flyer-hibu"}]


async def test_question_gets_an_answer_card_with_related_and_feedback(bot: Harness) -> None:
    update = await bot.say("Hva er Visit Drammensregionen?")
    sent = bot.request.sent()[0]
    knowledge = bot.app.bot_data.services.engines.engine.knowledge
    entry_ = knowledge.entries["visit-drammensregionen"]
    assert sent["parse_mode"] == "HTML"
    assert sent["text"].startswith(f"<b>{entry_.title.nb}</b>")
    buttons = bot.request.buttons(sent)
    assert ("👍", f"f:{update['update_id']}:+") in buttons
    assert any(data.startswith(f"e:{entry_.related[0]}:") for _, data in buttons)
    assert any(label == "Snakk med en person" for label, _ in buttons)


async def test_english_question_is_answered_in_english(bot: Harness) -> None:
    await bot.say("Where is the tourist office?", lang="nb")
    assert "Tourist" in bot.request.last_text() or "tourist" in bot.request.last_text()


async def test_unknown_question_says_so_and_offers_a_person(bot: Harness) -> None:
    await bot.say("Hvor kan jeg kjøpe billige sykler?")
    reply = bot.request.last_text()
    declines = [entry.answer.nb for entry in bot.app.bot_data.services.engines.engine.knowledge if entry.decline]
    assert ("vet jeg dessverre ikke" in reply and "/contact" in reply) or any(text in reply for text in declines)
    labels = [label for label, _ in bot.request.buttons()]
    assert labels[0] == "Snakk med en person" and "Starte bedrift" in labels


async def test_topic_button_lists_entries_and_entry_button_shows_the_card(bot: Harness) -> None:
    await bot.press("t:tourism")
    edited = bot.request.sent("editMessageText")[-1]
    datas = [data for _, data in bot.request.buttons(edited)]
    assert "e:tourist-office:0" in datas and "m" in datas
    await bot.press("e:tourist-office:0")
    knowledge = bot.app.bot_data.services.engines.engine.knowledge
    assert knowledge.entries["tourist-office"].answer.nb.split(".")[0] in bot.request.last_text()


@pytest.mark.parametrize(
    "data", ["e:no-such-entry:0", "t:nowhere", "garbage", "f:abc:+", "x" * 64, "e:tourist-office:99999"]
)
async def test_forged_or_stale_buttons_are_answered_politely(bot: Harness, data: str) -> None:
    await bot.press(data)
    assert len(bot.request.sent("answerCallbackQuery")) == 1


async def test_every_callback_query_is_answered(bot: Harness) -> None:
    for data in ("m", "t:tourism", "e:tourist-office:0", "l:en", "x:no", "n:0", "h:0", "p:skip:"):
        await bot.press(data)
    assert len(bot.request.sent("answerCallbackQuery")) == 8


async def test_feedback_is_stored_once_and_can_be_changed(bot: Harness) -> None:
    update = await bot.say("Hva er Visit Drammensregionen?")
    await bot.press(f"f:{update['update_id']}:+")
    await bot.press(f"f:{update['update_id']}:-")
    feedback = list(bot.app.bot_data.services.db.query("select value from feedback"))
    assert feedback == [{"value": -1}]


async def test_language_choice_is_remembered(bot: Harness) -> None:
    await bot.say("/language")
    assert [data for _, data in bot.request.buttons()] == ["l:nb", "l:nn", "l:en"]
    await bot.press("l:en")
    await bot.say("/help")
    assert "Type a question" in bot.request.last_text()


async def test_telegram_language_code_decides_until_a_choice_is_made(bot: Harness) -> None:
    await bot.say("/help", lang="en", user_id=7)
    assert "Type a question" in bot.request.last_text()
    await bot.say("/help", lang="nn", user_id=8)
    assert "Skriv eit spørsmål" in bot.request.last_text()  # nynorsk
    await bot.say("/help", lang="nb", user_id=9)
    assert "Skriv et spørsmål" in bot.request.last_text()


async def test_a_nynorsk_question_is_answered_in_nynorsk(bot: Harness) -> None:
    await bot.say("Kva for kurs finst for nye verksemder i Drammen?", lang="nb")
    knowledge = bot.app.bot_data.services.engines.engine.knowledge
    shown = next(entry for entry in knowledge if entry.answer.nn and entry.answer.nn[:60] in bot.request.last_text())
    assert shown.answer.nn and shown.answer.nn.replace("{unit}", "")[:40] in bot.request.last_text()


GROUP = {"id": -100, "type": "group", "title": "Gründere i Drammen"}


async def test_group_chatter_is_ignored(bot: Harness) -> None:
    await bot.say("hvem kommer på møtet i morgen?", chat=GROUP)
    assert bot.request.sent() == []
    assert bot.rows() == []


async def test_group_mention_is_answered_without_the_mention(bot: Harness) -> None:
    text = f"@{BOT_USERNAME} hva er Visit Drammensregionen?"
    await bot.say(text, chat=GROUP, entities=[{"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}])
    assert bot.request.sent()[-1]["chat_id"] == -100
    assert bot.rows()[0]["text"] == "hva er Visit Drammensregionen?"
    assert bot.rows()[0]["chat_type"] == "group"


async def test_a_mention_entity_that_cuts_a_character_in_half_is_no_error(
        bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """Entity offsets count UTF-16 units; a malformed one may split an emoji's surrogate pair."""
    text = f"😀 @{BOT_USERNAME} hva er Visit Drammensregionen?"
    with caplog.at_level(logging.ERROR):
        await bot.say(text, chat=GROUP, entities=[{"type": "mention", "offset": 1, "length": 3}])
        await bot.say(text, chat=GROUP, entities=[{"type": "mention", "offset": 1, "length": 3},
                                                  {"type": "mention", "offset": 3, "length": len(BOT_USERNAME) + 1}])
    assert "Error while handling" not in caplog.text
    assert [row["text"] for row in bot.rows()] == ["😀 hva er Visit Drammensregionen?"]


async def test_group_reply_to_the_bot_is_answered(bot: Harness) -> None:
    replied = {"message_id": 3, "date": 0, "chat": GROUP, "from": {"id": BOT_ID, "is_bot": True, "first_name": "N"}}
    await bot.say("hva med turistkontoret?", chat=GROUP, reply_to_message=replied)
    assert len(bot.request.sent()) == 1


async def test_edited_messages_and_channel_posts_are_ignored(bot: Harness) -> None:
    message = bot.users.message("hei")["message"]
    await feed(bot.app, {"update_id": 900, "edited_message": {**message, "edit_date": 1}})
    channel = {"message_id": 1, "date": 0, "chat": {"id": -5, "type": "channel", "title": "C"}, "text": "hei"}
    await feed(bot.app, {"update_id": 901, "channel_post": channel})
    assert bot.request.sent() == []


@pytest.mark.parametrize(
    "extra",
    [
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
        {"sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1, "is_animated": False,
                     "is_video": False, "type": "regular"}},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}},
        {"document": {"file_id": "d", "file_unique_id": "d"}},
        {"location": {"latitude": 59.74, "longitude": 10.2}},
        {"contact": {"phone_number": "+4712345678", "first_name": "K"}},
    ],
)
async def test_non_text_gets_a_friendly_hint_and_the_menu(bot: Harness, extra: dict[str, Any]) -> None:
    await bot.say(None, **extra)
    assert "forstår bare tekst" in bot.request.last_text()
    assert bot.rows()[0]["outcome"] == "non_text"
    assert "12345678" not in str(bot.rows())


@pytest.mark.parametrize("text", ["", " ", "🙂" * 50, "\u202eabc", "x" * 4096, "<b>&</b>", "/start@" + BOT_USERNAME])
async def test_odd_text_never_raises(bot: Harness, text: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        await bot.say(text if text else "\u200b")
    assert "Error while handling" not in caplog.text
    assert bot.request.sent()


async def test_unknown_command_is_explained(bot: Harness) -> None:
    await bot.say("/stats")
    assert "kommandoen kjenner jeg ikke" in bot.request.last_text()


async def test_flood_control_warns_once_then_drops(tmp_path: Path, shipped_config: Config) -> None:
    config = config_for(tmp_path, shipped_config, flood={"max_messages": 3, "per_seconds": 60}, profile__ask=False)
    async for harness in harness_for(config):
        for _ in range(6):
            await harness.say("Hva er Visit Drammensregionen?")
        texts = [str(p["text"]) for p in harness.request.sent()]
        assert len(texts) == 4
        assert "mange meldinger" in texts[3]
        # Dropped, but counted: one row each without text, which the report shows.
        dropped = harness.rows("outcome = 'flood'")
        assert len(dropped) == 3 and all(row["text"] is None for row in dropped)


async def test_answer_text_is_html_escaped_exactly_once(tmp_path: Path, shipped_config: Config) -> None:
    special = "Tegn: _*[]()~>#+-=|{}.! & <tag> \"sitat\""
    folder = write_knowledge(
        tmp_path / "kb",
        entry("special-chars", answer={"nb": special, "en": special},
              questions={"nb": ["spesielle tegn i svaret"], "en": ["special characters"]}),
    )
    config = config_for(tmp_path, shipped_config, knowledge={"dir": str(folder), "reload_seconds": 5},
                        profile__ask=False)
    async for harness in harness_for(config):
        await harness.press("e:special-chars:0")
        text = harness.request.last_text()
        assert "Tegn: _*[]()~&gt;#+-=|{}.! &amp; &lt;tag&gt; \"sitat\"" in text


async def test_errors_are_logged_with_the_update_id_and_the_user_is_told(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(*_: Any, **__: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.app.bot_data.services.assistant, "ask", explode)
    with caplog.at_level(logging.ERROR):
        update = await bot.say("hei")
    assert f"Error while handling update {update['update_id']}" in caplog.text
    assert "123:TEST" not in caplog.text
    assert "noe gikk galt" in bot.request.last_text()


async def test_command_menu_is_set_per_language(bot: Harness) -> None:
    calls = bot.request.sent("setMyCommands")
    assert len(calls) == 2


async def test_profile_is_asked_once_after_the_first_useful_answer(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(config_for(tmp_path, shipped_config)):
        await harness.say("Hva er Visit Drammensregionen?")
        assert "hvem spør du som" in harness.request.last_text()
        assert ("Gründer / etablerer", "p:role:founder") in harness.request.buttons()
        await harness.press("p:role:founder")
        edited = harness.request.sent("editMessageText")[-1]
        assert "Hvilken kommune" in edited["text"]
        await harness.press("p:municipality:neighbour")
        await harness.say("Hva er Visit Drammensregionen?")
        assert "hvem spør du som" not in harness.request.last_text()
        users = list(harness.app.bot_data.services.db.query("select role, municipality, profile_state from users"))
        assert users == [{"role": "founder", "municipality": "neighbour", "profile_state": "done"}]
        assert harness.rows("kind = 'message'")[-1]["role"] == "founder"


async def test_profile_skip_is_final(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(config_for(tmp_path, shipped_config)):
        await harness.say("Hva er Visit Drammensregionen?")
        await harness.press("p:skip:")
        await harness.say("Hvor er turistkontoret?")
        assert "hvem spør du som" not in harness.request.last_text()


async def test_a_redelivered_update_is_answered_again_but_logged_once(bot: Harness) -> None:
    payload = bot.users.message("Hva er Visit Drammensregionen?")
    await feed(bot.app, payload)
    await feed(bot.app, payload)
    assert len(bot.request.sent()) == 2
    assert len(bot.rows()) == 1


async def test_every_update_becomes_one_row_without_raw_ids(bot: Harness) -> None:
    await bot.say("/start", user_id=31337)
    await bot.say("Hva er Visit Drammensregionen?", user_id=31337)
    await bot.press("t:tourism", user_id=31337)
    rows = bot.rows()
    assert [row["outcome"] for row in rows] == ["command", "answered", "command"]
    assert all(row["user_ref"] and "31337" not in row["user_ref"] for row in rows)
    dump = "\n".join(bot.app.bot_data.services.db.conn.iterdump())
    assert "31337" not in dump and "Kari" not in dump


async def test_button_presses_link_to_the_inquiry_they_answer(bot: Harness) -> None:
    await bot.say("kurs")
    question = bot.rows()[-1]
    await bot.press(f"e:tourist-office:{question['id']}")
    assert bot.rows()[-1]["parent_id"] == question["id"]


async def test_forget_asks_first_then_erases_texts(bot: Harness) -> None:
    await bot.say("Hva er Visit Drammensregionen?")
    await bot.say("/forget")
    assert [data for _, data in bot.request.buttons()] == ["x:yes", "x:no"]
    await bot.press("x:yes")
    rows = bot.rows()
    assert all(row["text"] is None and row["user_ref"] is None for row in rows)
    assert rows[0]["entry_id"] == "visit-drammensregionen"


async def test_staff_messages_are_marked(tmp_path: Path, shipped_config: Config) -> None:
    config = config_for(tmp_path, shipped_config, staff__user_ids=[4242], profile__ask=False)
    async for harness in harness_for(config):
        await harness.say("Hva er Visit Drammensregionen?", user_id=4242)
        await harness.say("Hva er Visit Drammensregionen?", user_id=5)
        assert [row["is_staff"] for row in harness.rows()] == [1, 0]


async def test_after_forget_new_questions_carry_no_old_profile(tmp_path: Path, shipped_config: Config) -> None:
    async for harness in harness_for(config_for(tmp_path, shipped_config)):
        await harness.say("Hva er Visit Drammensregionen?")
        await harness.press("p:role:founder")
        await harness.say("Hva er Visit Drammensregionen?")
        assert harness.rows("kind = 'message'")[-1]["role"] == "founder"
        await harness.say("/forget")
        await harness.press("x:yes")
        await harness.say("Hvor er turistkontoret?")
        assert harness.rows("kind = 'message'")[-1]["role"] is None


async def test_talk_to_a_person_is_offered_once_not_also_as_a_related_card(bot: Harness) -> None:
    await bot.say("jeg vil starte frisørsalong, hvem kan hjelpe meg?")
    labels = [label for label, _ in bot.request.buttons()]
    assert labels.count("Snakk med en person") == 1


async def test_a_related_pick_after_an_english_question_opens_the_english_card(bot: Harness) -> None:
    await bot.say("Where is the tourist office?", lang="nb")  # a Norwegian Telegram, an English question
    related = next(data for _, data in bot.request.buttons() if data.startswith("e:"))
    await bot.press(related, lang="nb")
    entry = bot.app.bot_data.services.engines.engine.knowledge.get(related.split(":")[1])
    assert entry.answer.en.strip() in bot.request.last_text().replace("&quot;", '"')


async def test_topics_under_an_answer_card_open_the_menu_below_and_keep_the_card(bot: Harness) -> None:
    await bot.say("Hva er Visit Drammensregionen?")
    assert "m:new" in [data for _, data in bot.request.buttons()]
    edits_before = len(bot.request.sent("editMessageText"))
    await bot.press("m:new")
    assert len(bot.request.sent("editMessageText")) == edits_before  # the answer card is not replaced
    assert "t:tourism" in [data for _, data in bot.request.buttons(bot.request.sent("sendMessage")[-1])]

"""End to end: the real ``naeringsbot run`` process against a local Bot API test server.

Users talk to the bot over HTTP exactly as through Telegram: private chats in both languages,
groups, buttons, the staff chat, webhook mode, and a crash in the middle of a conversation.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.botapi import ThreadedBotApiServer
from tests.support.botprocess import TOKEN, BotProcess, eventually, free_port

STAFF_CHAT_TITLE = "Næringsavdelingen"
STAFFER_ID = 7_000_001  # listed in staff.user_ids: only staff act in the staff chat

pytestmark = pytest.mark.e2e

@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedBotApiServer]:
    with ThreadedBotApiServer(token=TOKEN, bot_username="naeringsbot_test_bot") as running:
        yield running


@pytest.fixture(scope="module")
def staff_chat(server: ThreadedBotApiServer) -> Any:
    return server.add_group(STAFF_CHAT_TITLE, type="supergroup", is_forum=True, bot_is_admin=True)


@pytest.fixture(scope="module")
def bot(
    server: ThreadedBotApiServer, staff_chat: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotProcess]:
    process = BotProcess(tmp_path_factory.mktemp("bot"), server,
                         staff={"chat_id": staff_chat.id, "user_ids": [STAFFER_ID]}).start()
    yield process
    assert process.stop() == 0, process.log
    assert "Error while handling" not in process.log
    assert TOKEN not in process.log


@pytest.fixture
def own_server() -> Iterator[ThreadedBotApiServer]:
    """A server of its own, so no other bot process polls it."""
    with ThreadedBotApiServer(token=TOKEN, bot_username="naeringsbot_test_bot") as running:
        yield running


def texts(server: ThreadedBotApiServer, chat: Any) -> list[str]:
    return [message.get("text", "") for message in server.bot_messages(chat)]


def button_data(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [button.get("callback_data", "") for row in markup.get("inline_keyboard", []) for button in row]


def test_norwegian_user_gets_the_menu_and_an_answer(server: ThreadedBotApiServer, bot: BotProcess) -> None:
    kari = server.add_user("Kari", language_code="nb")
    server.send_message(kari, "/start flyer-hibu")
    welcome = server.wait_for_bot_message(kari, timeout=30)
    assert "Næringsbot" in welcome["text"] and "/privacy" in welcome["text"]
    assert "bygger på Drammen kommunes handlingsplan for næringsutvikling (2013)" in welcome["text"]
    assert "t:start-business" in button_data(welcome)

    server.send_message(kari, "Hva er Visit Drammensregionen?")
    answer = server.wait_for_bot_message(kari)
    assert "Kilde: Drammen kommunes handlingsplan for næringsutvikling (2013)" in answer["text"]
    assert answer["text"].startswith("Visit") or "Visit Drammensregionen" in answer["text"]
    assert any(data.startswith("f:") for data in button_data(answer))


def test_buttons_lead_to_topics_and_answer_cards(server: ThreadedBotApiServer, bot: BotProcess) -> None:
    ola = server.add_user("Ola", language_code="nb")
    server.send_message(ola, "/topics")
    menu = server.wait_for_bot_message(ola)
    server.press_button(ola, menu, "t:tourism")
    listing = server.wait_for_bot_message(ola)
    assert "e:tourist-office:0" in button_data(listing)
    server.press_button(ola, listing, "e:tourist-office:0")
    card = server.wait_for_bot_message(ola)
    assert card["text"]
    assert len(server.answered_callback_ids) >= 2


def test_english_user_is_answered_in_english(server: ThreadedBotApiServer, bot: BotProcess) -> None:
    john = server.add_user("John", language_code="en")
    server.send_message(john, "/help")
    assert "Type a question" in server.wait_for_bot_message(john)["text"]
    server.send_message(john, "Is there a tourist office?")
    assert "tourist" in server.wait_for_bot_message(john)["text"].lower()


def test_group_answers_mentions_only(server: ThreadedBotApiServer, bot: BotProcess) -> None:
    group = server.add_group("Gründerforum", type="supergroup")
    per = server.add_user("Per", language_code="nb")
    server.send_message(per, "hei alle sammen, noen som skal på møtet?", chat=group)
    server.send_message(per, "@naeringsbot_test_bot hva er Visit Drammensregionen?", chat=group)
    reply = server.wait_for_bot_message(group)
    assert "Visit Drammensregionen" in reply["text"]
    time.sleep(0.5)
    assert len(server.bot_messages(group)) == 1


def test_non_text_and_unknown_buttons_get_polite_answers(server: ThreadedBotApiServer, bot: BotProcess) -> None:
    siri = server.add_user("Siri", language_code="nb")
    server.send_sticker(siri)
    assert "forstår bare tekst" in server.wait_for_bot_message(siri)["text"]
    server.send_message(siri, "/start")
    menu = server.wait_for_bot_message(siri)
    server.press_button(siri, menu, "t:start-business")
    server.wait_for_bot_message(siri)
    before = len(server.answered_callback_ids)
    forged = {  # what a modified client could send: a real query id with data no button carried
        "id": "forged-1", "from": {"id": siri.id, "is_bot": False, "first_name": "Siri"},
        "chat_instance": "x", "data": "e:../../etc/passwd:0", "message": menu,
    }
    server.callback_queries["forged-1"] = forged
    server.inject_update("callback_query", forged)
    assert eventually(lambda: "forged-1" in server.answered_callback_ids)
    assert len(server.answered_callback_ids) == before + 1


def hand_off_and_answer(server: ThreadedBotApiServer, bot: BotProcess, staff_chat: Any) -> dict[str, Any]:
    """A user asks for a person; staff answer and close; returns the staff-chat post."""
    lise = server.add_user("Lise", language_code="nb")
    staffer = server.add_user("Saksbehandler", language_code="nb", user_id=STAFFER_ID)
    server.send_message(lise, "/contact")
    assert "Skriv spørsmålet ditt" in server.wait_for_bot_message(lise)["text"]
    server.send_message(lise, "Kan dere ringe meg på 912 34 567 om lokaler til bakeriet mitt?")
    confirmation = server.wait_for_bot_message(lise)
    assert "sendt spørsmålet ditt videre" in confirmation["text"]

    posted = server.wait_for_bot_message(staff_chat, lambda m: "#H-" in m.get("text", ""))
    assert "[telefon]" in posted["text"] and "912 34 567" not in posted["text"]
    assert "Lise" not in posted["text"]
    reference = posted["text"].split()[0]

    server.send_message(staffer, "Hei! Vi ringer deg ikke, men kom innom kontoret vårt.", chat=staff_chat,
                        reply_to=posted, message_thread_id=posted.get("message_thread_id"))
    relayed = server.wait_for_bot_message(lise)
    assert "Drammen kommune, næringsutvikling" in relayed["text"]
    assert "kom innom kontoret" in relayed["text"]

    server.send_message(staffer, "/close", chat=staff_chat, reply_to=posted,
                        message_thread_id=posted.get("message_thread_id"))
    assert "avsluttet" in server.wait_for_bot_message(lise)["text"]

    (handoff,) = bot.rows("select * from handoffs where reference = ?", [reference.lstrip("#")])
    assert handoff["status"] == "closed"
    assert handoff["opened_at"] <= handoff["first_answered_at"] <= handoff["closed_at"]
    assert handoff["answered_by"] and str(staffer.id) not in handoff["answered_by"]
    (question,) = bot.rows("select * from inquiries where id = ?", [handoff["inquiry_id"]])
    assert question["outcome"] == "handoff" and "[telefon]" in question["text"]
    staff_texts = bot.rows("select * from inquiries where text like '%kom innom kontoret%' or text = '/close'")
    assert staff_texts == []  # staff replies are relayed, never counted as inquiries
    return posted


def test_handoff_to_a_forum_staff_chat_gets_its_own_topic(
    server: ThreadedBotApiServer, bot: BotProcess, staff_chat: Any
) -> None:
    posted = hand_off_and_answer(server, bot, staff_chat)
    assert posted.get("message_thread_id")
    assert any(request.method.lower() == "createforumtopic" for request in server.requests())


def test_handoff_to_a_plain_staff_group_works_by_replies(own_server: ThreadedBotApiServer, tmp_path: Path) -> None:
    staff_group = own_server.add_group("Næring", type="group")
    process = BotProcess(tmp_path, own_server, staff={"chat_id": staff_group.id, "user_ids": [STAFFER_ID]}).start()
    try:
        posted = hand_off_and_answer(own_server, process, staff_group)
        assert not posted.get("message_thread_id")
    finally:
        assert process.stop() == 0, process.log


def test_without_a_staff_chat_the_user_gets_the_contact_details(
    own_server: ThreadedBotApiServer, tmp_path: Path
) -> None:
    process = BotProcess(tmp_path, own_server, staff={"contact": {"name": "Drammen kommune, næringsutvikling",
                                                                   "email": "naering@example.invalid"}}).start()
    try:
        siv = own_server.add_user("Siv", language_code="nb")
        own_server.send_message(siv, "/contact")
        reply = own_server.wait_for_bot_message(siv, timeout=30)
        assert "naering@example.invalid" in reply["text"]
        assert eventually(lambda: process.rows("select status, chat_id from handoffs") ==
                          [{"status": "unrouted", "chat_id": None}])
    finally:
        assert process.stop() == 0, process.log


def test_every_update_is_logged_once_without_raw_ids(server: ThreadedBotApiServer, bot: BotProcess) -> None:
    nora = server.add_user("Nora", language_code="nb")
    for text in ("hei", "kurs for gründere?", "hvor er turistkontoret"):
        injected = server.send_message(nora, text)
        server.wait_for_bot_message(nora)
        server.wait_for_confirmation(injected.update_id, timeout=15)
    rows = bot.rows("select update_id, user_ref, text from inquiries where text in (?, ?, ?)",
                    ["hei", "kurs for gründere?", "hvor er turistkontoret"])
    assert len(rows) == 3 and len({row["update_id"] for row in rows}) == 3
    assert all(str(nora.id) not in str(row) for row in rows)


def test_crash_and_restart_answers_and_counts_every_update_once(
    own_server: ThreadedBotApiServer, tmp_path: Path
) -> None:
    server = own_server
    process = BotProcess(tmp_path, server).start()
    emma = server.add_user("Emma", language_code="nb")
    server.send_message(emma, "/start")
    server.wait_for_bot_message(emma, timeout=30)
    questions = [f"hva er visit drammensregionen {index}" for index in range(5)]
    for question in questions:
        server.send_message(emma, question)
    server.wait_for_bot_message(emma)
    process.stop(signal.SIGKILL)  # mid-stream: some updates answered, maybe none confirmed
    process = BotProcess(tmp_path, server).start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        logged = process.rows("select update_id from inquiries where kind = 'message'")
        if len(logged) == len(questions) and not server.pending_updates():
            break
        time.sleep(0.2)
    assert process.stop() == 0
    logged = process.rows("select update_id, text from inquiries where kind = 'message' order by update_id")
    assert [row["text"] for row in logged] == questions
    assert len({row["update_id"] for row in logged}) == len(questions)
    answered = [text for text in texts(server, emma) if "Visit Drammensregionen" in text]
    assert len(answered) >= len(questions)


def test_webhook_mode_receives_updates_with_the_secret(own_server: ThreadedBotApiServer, tmp_path: Path) -> None:
    server = own_server
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    process = BotProcess(tmp_path, server, telegram={"mode": "webhook", "webhook": {
        "listen": "127.0.0.1", "port": port, "path": "telegram", "url": url}}).start()
    try:
        server.wait_for_request("setWebhook", timeout=30)
        assert server.requests("setWebhook")[-1].params.get("secret_token") == "hook-secret_1"
        mari = server.add_user("Mari", language_code="nb")
        server.send_message(mari, "Hva er Visit Drammensregionen?")
        assert "Visit Drammensregionen" in server.wait_for_bot_message(mari, timeout=20)["text"]
        import httpx

        forged = httpx.post(url, json={"update_id": 1, "message": {}}, timeout=5)
        assert forged.status_code == 403
    finally:
        assert process.stop() == 0, process.log
        server.requests("deleteWebhook")


def test_report_figures_of_a_real_conversation_match_a_hand_count(
    own_server: ThreadedBotApiServer, tmp_path: Path
) -> None:
    """Three users and a staff member talk to the real bot; the report counts what a person would."""
    server = own_server
    staff = server.add_user("Saksbehandler", language_code="nb")
    process = BotProcess(tmp_path, server, staff={"user_ids": [staff.id]}).start()
    try:
        anna = server.add_user("Anna", language_code="nb")
        ben = server.add_user("Ben", language_code="en")
        carl = server.add_user("Carl", language_code="nb")
        exchanges = [
            (anna, "/start"),                                   # a command: not an inquiry
            (anna, "Hva er Visit Drammensregionen?"),           # answered
            (anna, "Hvor kan jeg kjøpe billige sykler?"),       # fallback
            (ben, "Is there a tourist office in Drammen?"),     # answered
            (carl, "tusen takk!"),                              # small talk: not an inquiry
            (staff, "Hva er Visit Drammensregionen?"),          # staff: never counted
        ]
        answers: list[dict[str, Any]] = []
        for user, text in exchanges:
            server.send_message(user, text)
            answers.append(server.wait_for_bot_message(user, timeout=30))
        card = answers[1]  # Anna's answer about Visit Drammensregionen
        server.press_button(anna, card, next(d for d in button_data(card) if d.endswith(":+")))  # 👍
        assert eventually(lambda: len(server.callback_answers) >= 1)
        assert eventually(lambda: not server.pending_updates())
    finally:
        assert process.stop() == 0, process.log
    report = process.command("report", "--format", "json", check=True)
    import json

    figures = json.loads(report.stdout)
    assert figures["totals"]["inquiries"] == 3
    assert figures["totals"]["unique_users"] == 2
    assert figures["totals"]["answered"] == 2 and figures["totals"]["fallback"] == 1
    assert figures["answered_share"] == pytest.approx(2 / 3, abs=1e-3)
    assert figures["satisfaction"] == 1.0
    assert figures["by_entry"] == {"visit-drammensregionen": 1, "tourist-office": 1}
    assert [group["example"] for group in figures["unanswered"]] == ["Hvor kan jeg kjøpe billige sykler?"]

"""Security: staff powers stay with staff, forged buttons change nothing, secrets and raw ids stay out.

Staff figures are refused to everyone else, buttons are trusted no further than their pattern, the
bot token and the pseudonym key never reach a log (not even at DEBUG), the files holding personal
data are readable by the bot's own user only, and no table ever holds a raw Telegram id or name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import stat
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.cli.common import configure_logging
from bot.config import Config
from bot.phrases import phrase
from bot.services import Services
from handlers.app import build_application
from handlers.formatting import plain
from tests.offline import BOT_ID, BOT_USERNAME, Harness, OfflineRequest, Users, config_for, feed, harness_for
from tests.support.botapi import ThreadedBotApiServer
from tests.support.botprocess import TOKEN, BotProcess

STAFF_ID = 5551234567
STAFF_CHAT = {"id": -1002001, "type": "supergroup", "title": "Næringsavdelingen"}
USER_ID = 8675309421
FIRST_NAME = "Zelmira"
LAST_NAME = "Quortenbakk"
USERNAME = "zelmira_q77"
STRANGER_ID = 7700770077


def services_of(bot: Harness) -> Services:
    services: Services = bot.app.bot_data.services
    return services


def security_config(tmp_path: Path, base: Config, **overrides: Any) -> Config:
    return config_for(tmp_path, base, staff__user_ids=[STAFF_ID], staff__chat_id=STAFF_CHAT["id"],
                      handoff={"forum_topics": False}, flood={"max_messages": 1000, "per_seconds": 1}, **overrides)


@pytest.fixture
async def bot(tmp_path: Path, shipped_config: Config) -> AsyncIterator[Harness]:
    async for harness in harness_for(security_config(tmp_path, shipped_config, profile__ask=False)):
        yield harness


def calls_after(bot: Harness, before: int) -> list[tuple[str, dict[str, Any]]]:
    return bot.request.calls[before:]


@contextlib.contextmanager
def restored_logging() -> Iterator[None]:
    """Undo what ``configure_logging`` does to the process-wide loggers."""
    names = ("", "httpx", "httpcore", "apscheduler", "telegram")
    levels = {name: logging.getLogger(name).level for name in names}
    handlers = list(logging.getLogger().handlers)
    try:
        yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        root = logging.getLogger()
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)


# Staff commands ---------------------------------------------------------------------------------

GROUP = {"id": -4001, "type": "group", "title": "Gründerforum"}
STAFF_COMMANDS = ["/stats", "/stats 2026", "/unanswered", "/unanswered 2026-Q4", "/reload", f"/stats@{BOT_USERNAME}"]


async def test_staff_commands_get_others_the_plain_unknown_command_reply_and_no_figures(bot: Harness) -> None:
    for user in (1, 2, 3):  # figures and unanswered questions that could leak
        await bot.say("Hvor kan jeg kjøpe billige sykler?", user_id=user)
    refusal = plain(phrase("unknown_command", "nb"))
    engine = services_of(bot).engines.engine
    for command in STAFF_COMMANDS:
        for chat in (None, GROUP):  # a private chat, and a group the bot is in
            before = len(bot.request.calls)
            await bot.say(command, user_id=STRANGER_ID, chat=chat)
            calls = calls_after(bot, before)
            assert [(method, sent.get("text")) for method, sent in calls] == [("sendMessage", refusal)], (command, chat)
    assert services_of(bot).engines.engine is engine  # /reload did not run


# Forged buttons ---------------------------------------------------------------------------------

FORGED_STAFF_PRESSES = [  # (callback data, who presses it in their own private chat)
    ("s:close:1", STRANGER_ID),
    ("s:answered:1", STRANGER_ID),
    ("s:end:1", STRANGER_ID),  # only the person who asked may end the conversation
    ("s:close:1", 42),  # the asker is not staff either
    ("s:answered:1", 42),
    ("s:close:999999999999", STRANGER_ID),
]


def press_from(bot: Harness, data: str, user_id: int) -> dict[str, Any]:
    """A callback query with ``data`` from ``user_id``, on a message in that user's own chat."""
    return bot.users.press(data, user_id=user_id)


async def test_forged_staff_buttons_change_nothing_and_reveal_nothing(bot: Harness) -> None:
    await bot.say("/contact")
    await bot.say("Kan jeg få hjelp med lokaler til bakeriet mitt?")
    handoffs_before = list(services_of(bot).db.query("select * from handoffs"))
    assert [row["status"] for row in handoffs_before] == ["open"]
    for data, user_id in FORGED_STAFF_PRESSES:
        before = len(bot.request.calls)
        await feed(bot.app, press_from(bot, data, user_id))
        assert list(services_of(bot).db.query("select * from handoffs")) == handoffs_before, data
        calls = calls_after(bot, before)  # only the callback answer: nobody is told anything
        assert [method for method, _ in calls] == ["answerCallbackQuery"], (data, user_id)
        assert "H-1" not in str(calls[0][1].get("text", ""))


async def test_a_forged_talk_to_a_person_button_cannot_block_the_inquiry_log(bot: Harness) -> None:
    """Callback data naming an inquiry that does not exist must not become a row the log can never write."""
    await feed(bot.app, press_from(bot, "h:987654", STRANGER_ID))
    await bot.say("Kan jeg få hjelp med lokaler?", user_id=STRANGER_ID)  # goes to staff, as the button offered
    assert services_of(bot).log.pending == 0
    rows = bot.rows()
    assert [(row["kind"], row["outcome"]) for row in rows] == [("button", "command"), ("message", "handoff")]
    assert rows[0]["parent_id"] is None


# Secrets in logs ---------------------------------------------------------------------------------

HANDLER_TOKEN = "7654321:AAH-handler_token-Zq9x"
PSEUDONYM_KEY = "pseudonym-key-never-logged-Kx71"


async def test_debug_logs_of_a_handler_session_hold_no_token_no_key_and_no_raw_ids(
    tmp_path: Path, shipped_config: Config, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("NAERINGSBOT_SECRET", PSEUDONYM_KEY)
    monkeypatch.setenv("NAERINGSBOT_LOG_LEVEL", "DEBUG")
    with restored_logging():
        caplog.set_level(logging.DEBUG)  # what basicConfig does for NAERINGSBOT_LOG_LEVEL=DEBUG in the CLI
        configure_logging()  # and the levels the CLI sets for other loggers on top
        assert logging.getLogger().getEffectiveLevel() == logging.DEBUG
        request = OfflineRequest()
        application = build_application(security_config(tmp_path, shipped_config, profile__ask=False),
                                        HANDLER_TOKEN, request=request, get_updates_request=OfflineRequest(),
                                        rate_limit=False)
        async with application:
            await application.post_init(application)  # type: ignore[misc]
            bot = Harness(application, request, Users())
            await feed(application, as_zelmira(bot.users.message("/start", user_id=USER_ID)))
            await feed(application, as_zelmira(bot.users.message("Hva er Visit Drammensregionen?", user_id=USER_ID)))
            request.failing["sendMessage"] = "Bad Request: chat not found"  # the error handler's path too
            await feed(application, as_zelmira(bot.users.message("Hvor er turistkontoret?", user_id=USER_ID)))
            del request.failing["sendMessage"]
            await application.post_shutdown(application)  # type: ignore[misc]

    assert "Error while handling update" in caplog.text
    logged = caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    for secret in (HANDLER_TOKEN, HANDLER_TOKEN.split(":")[1], PSEUDONYM_KEY):
        assert secret not in logged
    for raw in (str(USER_ID), FIRST_NAME, LAST_NAME, USERNAME):
        assert raw not in logged


def test_http_client_logs_with_the_token_in_the_url_are_held_back_even_at_debug(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("NAERINGSBOT_LOG_LEVEL", "DEBUG")
    with ThreadedBotApiServer(token=TOKEN) as server, restored_logging():
        url = f"{server.base_url}{TOKEN}/getMe"
        logging.getLogger("httpx").setLevel(logging.NOTSET)
        with caplog.at_level(logging.DEBUG):
            httpx.get(url, timeout=5)
        assert TOKEN in caplog.text  # what httpx logs when nobody holds it back
        caplog.clear()

        configure_logging()
        with caplog.at_level(logging.DEBUG):
            httpx.get(url, timeout=5)
        assert TOKEN not in caplog.text


@pytest.mark.e2e
def test_a_debug_run_logs_no_secret_and_keeps_its_files_private(tmp_path: Path) -> None:
    with ThreadedBotApiServer(token=TOKEN, bot_username=BOT_USERNAME) as server:
        process = BotProcess(tmp_path, server)
        process.database = tmp_path / "data" / "private" / "inquiries.db"  # a folder that does not exist yet
        process.env["NAERINGSBOT_DATABASE"] = str(process.database)
        process.env["NAERINGSBOT_LOG_LEVEL"] = "DEBUG"
        del process.env["NAERINGSBOT_SECRET"]  # first run: the bot generates its pseudonym key
        process.start()
        try:
            zelmira = server.add_user(FIRST_NAME, last_name=LAST_NAME, username=USERNAME, language_code="nb",
                                      user_id=USER_ID)
            server.send_message(zelmira, "/start")
            server.wait_for_bot_message(zelmira, timeout=30)
            server.fail_next("sendMessage", 502)  # a warning with the server's error in it
            server.send_message(zelmira, "Hva er Visit Drammensregionen?")
            assert "Visit Drammensregionen" in server.wait_for_bot_message(zelmira)["text"]
            server.drop_connection_next("getUpdates")
            server.send_message(zelmira, "Hvor er turistkontoret?")
            server.wait_for_bot_message(zelmira)
            folder = process.database.parent
            private = [process.database, folder / "secret.key", *folder.glob("inquiries.db-*")]
            modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in private}
        finally:
            assert process.stop() == 0, process.log
    assert len(modes) >= 3 and set(modes.values()) == {0o600}, modes  # the WAL files hold texts too
    key = (process.database.parent / "secret.key").read_text("utf-8").strip()
    log = process.log
    assert " DEBUG " in log  # DEBUG really was on
    assert "sendMessage failed" in log and "getUpdates failed" in log
    for secret in (TOKEN, TOKEN.split(":")[1], key):
        assert secret not in log
    for raw in (str(USER_ID), FIRST_NAME, LAST_NAME, USERNAME):
        assert raw not in log


# Raw ids in the database ---------------------------------------------------------------------------

def as_zelmira(payload: dict[str, Any]) -> dict[str, Any]:
    """The same update, from someone whose id, names and username would be easy to spot."""
    body = payload.get("message") or payload["callback_query"]
    body["from"].update(first_name=FIRST_NAME, last_name=LAST_NAME, username=USERNAME)
    chat = body["chat"] if "chat" in body else body["message"]["chat"]
    if chat.get("type") == "private":
        chat.update(first_name=FIRST_NAME, last_name=LAST_NAME, username=USERNAME)
    return payload


def zelmira_says(bot: Harness) -> Any:
    async def say(text: str, **extra: Any) -> dict[str, Any]:
        payload = as_zelmira(bot.users.message(text, user_id=USER_ID, **extra))
        await feed(bot.app, payload)
        return payload

    return say


def zelmira_presses(bot: Harness) -> Any:
    async def press(data: str) -> None:
        await feed(bot.app, as_zelmira(bot.users.press(data, user_id=USER_ID)))

    return press


async def test_no_table_holds_a_raw_telegram_id_or_name_after_a_full_session(
    tmp_path: Path, shipped_config: Config
) -> None:
    async for bot in harness_for(security_config(tmp_path, shipped_config)):  # with the profile question
        say, press = zelmira_says(bot), zelmira_presses(bot)
        await say("/start flyer-hibu")
        question = await say("Hva er Visit Drammensregionen?")
        await press(f"f:{question['update_id']}:+")
        for data, _ in bot.request.buttons(bot.request.sent()[-1]):
            if data.startswith("p:role:"):
                await press(data)
                break
        await press("t:tourism")
        await press("e:tourist-office:0")
        await say("Hvor kan jeg kjøpe billige sykler?")
        await say("/language")
        await press("l:en")
        mention = {"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}
        await say(f"@{BOT_USERNAME} where is the tourist office?", chat=GROUP, entities=[mention])
        await say("/contact")
        await say("Kan dere ringe meg om lokaler?")
        staff_message = bot.request.message_id_of(lambda sent: sent["chat_id"] == STAFF_CHAT["id"])
        staff_reply = {"message_id": staff_message, "date": 0, "chat": STAFF_CHAT,
                       "from": {"id": BOT_ID, "is_bot": True, "first_name": "Næringsbot"}}
        staffer = bot.users.message("Vi hjelper deg gjerne.", user_id=STAFF_ID, chat=STAFF_CHAT,
                                    reply_to_message=staff_reply)
        staffer["message"]["from"].update(first_name="Saksbehandlerske", username="sb_drammen")
        await feed(bot.app, staffer)
        await feed(bot.app, bot.users.message("/close", user_id=STAFF_ID, chat=STAFF_CHAT,
                                              reply_to_message=staff_reply))
        services = services_of(bot)
        assert [row["status"] for row in services.db.query("select status from handoffs")] == ["closed"]

        # The grace period for relaying late answers is over; the nightly job runs.
        long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=services.config.handoff.keep_chat_hours + 1))
        services.db.execute("update handoffs set closed_at = ?", [long_ago.isoformat(timespec="seconds")])
        assert bot.app.job_queue is not None
        (purge,) = bot.app.job_queue.get_jobs_by_name("purge")
        await purge.run(bot.app)

        dump = "\n".join(services.db.conn.iterdump())
        assert "Kan dere ringe meg om lokaler?" in dump and "where is the tourist office?" in dump  # all logged
        for raw in (str(USER_ID), FIRST_NAME, LAST_NAME, USERNAME, str(STAFF_ID), "Saksbehandlerske", "sb_drammen"):
            assert raw not in dump, raw


def staff_chat_message(bot: Harness, text: str, user_id: int, reply_to: int | None = None) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if reply_to is not None:
        extra["reply_to_message"] = {"message_id": reply_to, "date": 0, "chat": STAFF_CHAT,
                                     "from": {"id": BOT_ID, "is_bot": True, "first_name": "Næringsbot"}}
    return bot.users.message(text, user_id=user_id, chat=STAFF_CHAT, **extra)


@pytest.mark.parametrize("text", ["Hei, her er svaret fra kommunen!", "/close", "/block"])
async def test_only_listed_staff_act_in_the_staff_chat(bot: Harness, text: str) -> None:
    await bot.say("/contact", user_id=USER_ID)
    await bot.say("Kan jeg få hjelp med lokaler til bakeriet mitt?", user_id=USER_ID)
    post = bot.request.message_id_of(lambda p: p["chat_id"] == STAFF_CHAT["id"])
    sent_before = len(bot.request.sent())
    await feed(bot.app, staff_chat_message(bot, text, STRANGER_ID, reply_to=post))  # a group member, not staff
    assert [p for p in bot.request.sent()[sent_before:] if p["chat_id"] == USER_ID] == []
    (handoff,) = services_of(bot).db.query("select * from handoffs")
    assert handoff["status"] == "open" and handoff["first_answered_at"] is None
    assert not list(services_of(bot).db.query("select * from blocked"))
    await feed(bot.app, staff_chat_message(bot, "Svar fra en ansatt", STAFF_ID, reply_to=post))
    assert bot.request.sent()[-1]["chat_id"] == USER_ID


async def test_a_forged_vote_cannot_change_another_users_feedback(bot: Harness) -> None:
    question = await bot.say("Hva er Visit Drammensregionen?", user_id=USER_ID)
    await bot.press(f"f:{question['update_id']}:+", user_id=USER_ID)
    await feed(bot.app, press_from(bot, f"f:{question['update_id']}:-", STRANGER_ID))
    (vote,) = services_of(bot).db.query("select value from feedback")
    assert vote["value"] == 1


async def test_a_forged_parent_neither_links_to_nor_copies_another_users_inquiry(bot: Harness) -> None:
    await bot.say("Hvor kan jeg kjøpe billige sykler i nærheten?", user_id=USER_ID)
    (theirs,) = bot.rows("kind = 'message'")
    await feed(bot.app, press_from(bot, f"n:{theirs['id']}", STRANGER_ID))
    await feed(bot.app, press_from(bot, f"e:funding:{theirs['id']}", STRANGER_ID))
    stranger = services_of(bot).assistant.user_ref(
        __import__("bot.assistant", fromlist=["Sender"]).Sender(channel="telegram", user_id=STRANGER_ID))
    for row in bot.rows(f"user_ref = '{stranger}'"):
        assert row["parent_id"] is None and row["text"] is None

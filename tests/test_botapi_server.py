"""Tests for the local Bot API test server, driven by python-telegram-bot 22 itself.

If PTB accepts what the server says and the server rejects what Telegram
rejects, end-to-end tests built on it exercise the bot the way production does.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import telegram
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from tests.support.botapi import BotApiServer, ThreadedBotApiServer

TOKEN = "123:ABC"
ROOT = Path(__file__).resolve().parents[1]


def _png(width: int, height: int) -> bytes:
    """A real (tiny) PNG so dimension parsing is exercised on genuine bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(token=TOKEN, bot_username="naeringsbot_test_bot") as srv:
        yield srv
        assert srv.errors == []


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url) as client:
        yield client


def _keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


# --------------------------------------------------------------- basics


async def test_get_me_describes_the_bot(bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.id == 123
    assert me.username == "naeringsbot_test_bot"
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False


async def test_wire_formats_tokens_and_unknown_methods(server: BotApiServer) -> None:
    kari = server.add_user("Kari", started=True)
    markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}
    async with httpx.AsyncClient(base_url=server.url) as http:
        form = await http.post(
            f"/bot{TOKEN}/sendMessage",
            data={"chat_id": str(kari.id), "text": "form", "reply_markup": json.dumps(markup)},
        )
        as_json = await http.post(f"/bot{TOKEN}/sendmessage", json={"chat_id": kari.id, "text": "j"})
        query = await http.get(f"/bot{TOKEN}/sendMessage", params={"chat_id": kari.id, "text": "q"})
        unknown = await http.get(f"/bot{TOKEN}/fooBar")
        wrong_token = await http.get("/bot999:XYZ/getMe")
        malformed = await http.get("/botnonsense/getMe")
    assert form.json()["result"]["reply_markup"] == markup
    assert as_json.json()["ok"] and query.json()["ok"]
    assert unknown.status_code == 404
    assert unknown.json() == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found: method not found",
    }
    assert wrong_token.status_code == 401
    assert wrong_token.json()["description"] == "Unauthorized"
    assert malformed.status_code == 404
    logged = server.requests("sendMessage")[0]
    assert logged.params["chat_id"] == kari.id
    assert logged.params["reply_markup"] == markup


# -------------------------------------------------------------- sending


async def test_send_message_html_is_parsed_into_entities(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari", language_code="nb")
    server.send_message(kari, "/start")
    message = await bot.send_message(
        kari.id, '<b>Hei</b> &amp; <a href="https://drammen.kommune.no">Drammen</a>', parse_mode="HTML"
    )
    assert message.text == "Hei & Drammen"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 3),
        ("text_link", 6, 7),
    ]
    assert message.from_user is not None and message.from_user.is_bot
    stored = server.bot_messages(kari)
    assert [m["text"] for m in stored] == ["Hei & Drammen"]


@pytest.mark.parametrize(
    ("text", "parse_mode", "expected"),
    [
        ("Hei. Velkommen", "MarkdownV2", "Character '.' is reserved"),
        ("*fet", "MarkdownV2", "Can't find end of Bold entity at byte offset 0"),
        ("<b>hei</i>", "HTML", "Unmatched end tag at byte offset 6"),
        ("<b>hei", "HTML", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a <br> b", "HTML", 'Unsupported start tag "br" at byte offset 2'),
        ('<span class="x">s</span>', "HTML", 'Tag "span" must have class "tg-spoiler"'),
        ("   ", None, "message text is empty"),
        ("x" * 4097, None, "message is too long"),
    ],
)
async def test_send_message_rejects_what_telegram_rejects(
    server: BotApiServer, bot: telegram.Bot, text: str, parse_mode: str | None, expected: str
) -> None:
    kari = server.add_user("Kari", started=True)
    with pytest.raises(BadRequest):
        await bot.send_message(kari.id, text, parse_mode=parse_mode)
    assert server.bot_messages(kari) == []
    (request,) = server.requests("sendMessage")
    assert request.status == 400
    assert request.response is not None
    # PTB re-capitalises descriptions, so compare Telegram's exact wording from the log.
    assert request.response["description"].startswith("Bad Request: ")
    assert expected in request.response["description"]


async def test_markdown_v2_escapes_and_entities(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari", started=True)
    message = await bot.send_message(
        kari.id, r"*Frist:* 1\. mai \- [søk her](https://example.com/a\)b)", parse_mode="MarkdownV2"
    )
    assert message.text == "Frist: 1. mai - søk her"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 6),
        ("text_link", 16, 7),
    ]
    assert message.entities[1].url == "https://example.com/a)b"


async def test_inline_keyboard_is_validated(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari", started=True)
    with pytest.raises(BadRequest, match=r"(?i)Button_data_invalid"):
        await bot.send_message(kari.id, "x", reply_markup=_keyboard(("Ja", "y" * 65)))
    with pytest.raises(BadRequest, match=r"(?i)Text buttons are unallowed"):
        await bot.send_message(kari.id, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Ja")]]))
    with pytest.raises(BadRequest, match=r"(?i)Button_text_invalid"):
        await bot.send_message(kari.id, "x", reply_markup=_keyboard(("", "y")))


async def test_private_chat_needs_a_user_who_started_the_bot(server: BotApiServer, bot: telegram.Bot) -> None:
    stranger = server.add_user("Ola")
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(stranger.id, "hei")
    server.send_message(stranger, "/start")
    server.block_bot(stranger)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(stranger.id, "hei")
    with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
        await bot.send_message(42, "hei")


# -------------------------------------------------------------- updates


async def test_get_updates_confirms_by_offset_and_redelivers(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari")
    first = server.send_message(kari, "/start")
    second = server.send_message(kari, "hei @naeringsbot_test_bot")
    assert first.update_id is not None and second.update_id == first.update_id + 1

    batch = await bot.get_updates()
    again = await bot.get_updates()  # nothing confirmed: a restarted bot gets the same updates
    assert [u.update_id for u in batch] == [u.update_id for u in again]
    assert batch[0].message is not None and batch[0].message.text == "/start"
    assert batch[0].message.entities[0].type == "bot_command"
    assert batch[1].message is not None and batch[1].message.entities[0].type == "mention"

    rest = await bot.get_updates(offset=first.update_id + 1)
    assert [u.update_id for u in rest] == [second.update_id]
    assert [u["update_id"] for u in server.pending_updates()] == [second.update_id]
    assert server.confirmed_offset == first.update_id + 1

    assert await bot.get_updates(offset=second.update_id + 1) == ()
    assert server.pending_updates() == []


async def test_negative_offset_and_limit(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari")
    ids = [server.send_message(kari, f"m{i}").update_id for i in range(4)]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[-1:]
    assert [u["update_id"] for u in server.pending_updates()] == ids[-1:]


async def test_long_poll_times_out_with_empty_list(bot: telegram.Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 2.5


async def test_long_poll_returns_early_when_an_update_arrives(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari")
    loop = asyncio.get_running_loop()
    loop.call_later(0.2, server.send_message, kari, "hei")
    started = time.monotonic()
    updates = await bot.get_updates(timeout=10)
    assert time.monotonic() - started < 2
    assert updates[0].message is not None and updates[0].message.text == "hei"


async def test_a_second_poller_terminates_the_first(server: BotApiServer, bot: telegram.Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await server.wait_for_request_async("getUpdates")
    # A second bot instance: PTB's own getUpdates pool holds one connection, so use httpx.
    async with httpx.AsyncClient() as http:
        second = await http.post(f"{server.base_url}{TOKEN}/getUpdates", data={"timeout": "0"})
    assert second.json() == {"ok": True, "result": []}
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates request"):
        await first


async def test_allowed_updates_filter_new_updates(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari", started=True)
    sent = await bot.send_message(kari.id, "velg", reply_markup=_keyboard(("Ja", "yes")))
    await bot.get_updates(allowed_updates=["message"])
    assert server.press_button(kari, sent.to_dict(), "yes").update_id is None
    assert server.send_message(kari, "hei").update_id is not None


async def test_privacy_mode_in_groups(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari")
    group = server.add_group("Næringsforum", type="supergroup")
    assert server.send_message(kari, "bare prat", chat=group).update_id is None
    assert server.send_message(kari, "/hjelp", chat=group).update_id is not None
    assert server.send_message(kari, "/hjelp@other_bot", chat=group).update_id is None
    assert server.send_message(kari, "@naeringsbot_test_bot hei", chat=group).update_id is not None
    sent = await bot.send_message(group.id, "svar")
    reply = server.send_message(kari, "takk", chat=group, reply_to=sent.message_id)
    assert reply.update_id is not None
    assert reply.message is not None
    assert reply.message["reply_to_message"]["message_id"] == sent.message_id


# ------------------------------------------------------ callback queries


async def test_callback_query_round_trip(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari", started=True)
    sent = await bot.send_message(kari.id, "Vil du ha tilskudd?", reply_markup=_keyboard(("Ja", "yes")))
    pressed = server.press_button(kari, server.bot_messages(kari)[0], text="Ja")

    (update,) = await bot.get_updates()
    assert isinstance(update, Update) and update.update_id == pressed.update_id
    query = update.callback_query
    assert query is not None and query.data == "yes" and query.chat_instance
    assert query.from_user.id == kari.id
    assert query.message is not None and query.message.message_id == sent.message_id

    assert await bot.answer_callback_query(query.id, text="Takk") is True
    assert server.answered_callback_ids == [query.id]
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")
    with pytest.raises(ValueError, match="no button"):
        server.press_button(kari, sent.message_id, "nope")


async def test_edit_message_text_and_markup(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari", started=True)
    sent = await bot.send_message(kari.id, "Spørsmål", reply_markup=_keyboard(("Ja", "yes")))
    assert (await server.wait_for_bot_message_async(kari))["text"] == "Spørsmål"

    edited = await bot.edit_message_text("<i>Besvart</i>", kari.id, sent.message_id, parse_mode="HTML")
    assert isinstance(edited, telegram.Message)
    assert edited.text == "Besvart" and edited.edit_date is not None
    assert edited.reply_markup is None  # leaving reply_markup out removes the keyboard
    event = await server.wait_for_bot_message_async(kari)
    assert event["message_id"] == sent.message_id and "edit_date" in event

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("<i>Besvart</i>", kari.id, sent.message_id, parse_mode="HTML")
    marked = await bot.edit_message_reply_markup(kari.id, sent.message_id, reply_markup=_keyboard(("Igjen", "again")))
    assert isinstance(marked, telegram.Message) and marked.reply_markup is not None
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", kari.id, 999)
    assert await bot.delete_message(kari.id, sent.message_id) is True
    assert server.bot_messages(kari) == []


# ----------------------------------------------------------------- media


async def test_send_photo_uploads_multipart_bytes(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari", started=True)
    picture = _png(3, 2)
    message = await bot.send_photo(kari.id, picture, caption="<b>Graf</b>", parse_mode="HTML")
    assert message.caption == "Graf"
    largest = message.photo[-1]
    assert (largest.width, largest.height) == (3, 2)
    assert server.file_bytes(largest.file_id) == picture
    request = server.requests("sendPhoto")[0]
    assert request.files["photo"].data == picture
    downloaded = await (await bot.get_file(largest.file_id)).download_as_bytearray()
    assert bytes(downloaded) == picture
    again = await bot.send_photo(kari.id, largest.file_id)
    assert again.photo[-1].width == 3


async def test_user_media_messages_have_no_text(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari")
    server.send_photo(kari, caption="kvittering")
    server.send_document(kari, filename="budsjett.xlsx", content=b"PK\x03\x04")
    server.send_voice(kari)
    server.send_sticker(kari)
    server.send_location(kari)
    server.send_contact(kari)
    messages = [u.message for u in await bot.get_updates()]
    assert all(m is not None and m.text is None for m in messages)
    photo, document, voice, sticker, location, contact = messages
    assert photo is not None and photo.photo and photo.caption == "kvittering"
    assert document is not None and document.document is not None
    assert document.document.file_name == "budsjett.xlsx"
    data = await (await bot.get_file(document.document.file_id)).download_as_bytearray()
    assert bytes(data) == b"PK\x03\x04"
    assert voice is not None and voice.voice is not None
    assert sticker is not None and sticker.sticker is not None
    assert location is not None and location.location is not None
    assert contact is not None and contact.contact is not None


# ----------------------------------------------------- commands, forums


async def test_set_and_get_my_commands_per_scope_and_language(server: BotApiServer, bot: telegram.Bot) -> None:
    commands = [telegram.BotCommand("start", "Start"), telegram.BotCommand("hjelp", "Hjelp")]
    assert await bot.set_my_commands(commands, language_code="nb") is True
    private = telegram.BotCommandScopeAllPrivateChats()
    await bot.set_my_commands([telegram.BotCommand("meny", "Meny")], scope=private)
    assert [c.command for c in await bot.get_my_commands(language_code="nb")] == ["start", "hjelp"]
    assert await bot.get_my_commands() == ()
    assert [c.command for c in await bot.get_my_commands(scope=private)] == ["meny"]
    assert server.my_commands(language_code="nb")[1]["description"] == "Hjelp"
    with pytest.raises(BadRequest, match=r"(?i)Bot_command_invalid"):
        await bot.set_my_commands([telegram.BotCommand("Start", "x")])
    assert await bot.delete_my_commands(language_code="nb") is True
    assert await bot.get_my_commands(language_code="nb") == ()


async def test_create_forum_topic_only_in_forums(server: BotApiServer, bot: telegram.Bot) -> None:
    forum = server.add_group("Bedrifter", type="supergroup", is_forum=True, bot_is_admin=True)
    plain = server.add_group("Vanlig", type="group")
    topic = await bot.create_forum_topic(forum.id, "Søknader")
    assert topic.name == "Søknader" and topic.message_thread_id > 0
    with pytest.raises(BadRequest, match=r"(?i)the chat is not a forum"):
        await bot.create_forum_topic(plain.id, "Søknader")

    kari = server.add_user("Kari")
    asked = server.send_message(kari, "/status", chat=forum, message_thread_id=topic.message_thread_id)
    assert asked.message is not None and asked.message["is_topic_message"] is True
    sent = await bot.send_message(forum.id, "i tråden", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id
    assert await bot.close_forum_topic(forum.id, topic.message_thread_id) is True
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(forum.id, "x", message_thread_id=999)


# --------------------------------------------------------- fault injection


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # int retry_after
async def test_429_is_parsed_by_ptb_as_retry_after(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari", started=True)
    server.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(kari.id, "hei")
    assert caught.value.retry_after in (7, dtm.timedelta(seconds=7))
    assert server.requests("sendMessage")[0].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert server.bot_messages(kari) == []
    await bot.send_message(kari.id, "hei")  # the fault was for one call only
    assert len(server.bot_messages(kari)) == 1


async def test_server_errors_dropped_connections_and_delays(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari")
    server.send_message(kari, "hei")
    server.fail_next("getUpdates", status=502)
    with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
        await bot.get_updates(offset=10**9)
    server.drop_connection_next("getUpdates")
    with pytest.raises(NetworkError):
        await bot.get_updates(offset=10**9)
    assert len(server.pending_updates()) == 1  # neither failed call confirmed anything

    server.fail_next("sendMessage", status=500, after_processing=True)
    with pytest.raises(NetworkError, match=r"(?i)Internal Server Error"):
        await bot.send_message(kari.id, "duplikat?")
    assert [m["text"] for m in server.bot_messages(kari)] == ["duplikat?"]

    server.delay_next("getMe", 0.3)
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.3


# --------------------------------------------------------------- webhooks


async def test_get_updates_conflicts_while_webhook_is_set(server: BotApiServer, bot: telegram.Bot) -> None:
    assert await bot.set_webhook("http://127.0.0.1:9/hook") is True
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates()
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:9/hook"
    assert await bot.delete_webhook() is True
    assert await bot.get_updates() == ()


async def test_webhook_delivery_retries_until_2xx(server: BotApiServer, bot: telegram.Bot) -> None:
    received: list[tuple[dict[str, object], str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        if len(received) == 1:
            return web.Response(status=500)
        body, _ = received[-1]
        chat_id = body["message"]["chat"]["id"]  # type: ignore[index]
        # Telegram runs a method the bot returns in the webhook response body.
        return web.json_response({"method": "sendMessage", "chat_id": chat_id, "text": "via hook"})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        kari = server.add_user("Kari")
        update_id = server.send_message(kari, "hei").update_id
        assert update_id is not None
        await server.wait_for_confirmation_async(update_id, timeout=5)
        assert server.pending_updates() == []
        assert [body["update_id"] for body, _ in received] == [update_id, update_id]
        assert {secret for _, secret in received} == {"s3cret"}
        assert server.confirmed_offset == update_id + 1
        info = await bot.get_webhook_info()
        assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        assert (await server.wait_for_bot_message_async(kari, timeout=2))["text"] == "via hook"
    finally:
        await runner.cleanup()


# -------------------------------------------------- PTB application, threads


async def test_ptb_application_polls_and_replies(server: BotApiServer) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"Du skrev: {update.effective_message.text}")

    app = Application.builder().token(TOKEN).base_url(server.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    kari = server.add_user("Kari", language_code="nb")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        server.send_message(kari, "hei")
        reply = await server.wait_for_bot_message_async(kari, timeout=5)
        await app.updater.stop()
        await app.stop()
    assert reply["text"] == "Du skrev: hei"
    assert server.pending_updates() == []
    assert server.requests("deleteWebhook")


def _sync_echo_bot(base_url: str, stop: threading.Event) -> None:
    """A minimal form-posting bot loop, standing in for the bot subprocess."""
    offset = 0
    with httpx.Client(base_url=f"{base_url}{TOKEN}", timeout=5) as http:
        while not stop.is_set():
            updates = http.post("/getUpdates", data={"offset": offset, "timeout": 1}).json()
            for update in updates["result"]:
                offset = update["update_id"] + 1
                chat_id = update["message"]["chat"]["id"]
                http.post("/sendMessage", data={"chat_id": chat_id, "text": "svar"})


def test_threaded_server_from_a_sync_test() -> None:
    with ThreadedBotApiServer(token=TOKEN) as server:
        stop = threading.Event()
        worker = threading.Thread(target=_sync_echo_bot, args=(server.base_url, stop))
        worker.start()
        try:
            kari = server.add_user("Kari")
            server.send_message(kari, "hei")
            assert server.wait_for_bot_message(kari, timeout=5)["text"] == "svar"
            server.send_message(kari, "igjen")
            assert server.wait_for_bot_message(kari, lambda m: m["text"] == "svar", timeout=5)
            with pytest.raises(TimeoutError, match="bot message"):
                server.wait_for_bot_message(kari, timeout=0.2)
        finally:
            stop.set()
            worker.join(5)
        assert server.errors == []


async def test_blocking_wait_on_the_server_loop_is_refused(server: BotApiServer) -> None:
    kari = server.add_user("Kari")
    with pytest.raises(RuntimeError, match="_async"):
        server.wait_for_bot_message(kari, timeout=0.1)


def test_standalone_cli_prints_base_url() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.botapi", "--port", "0", "--token", TOKEN],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        base_url = line.strip().rsplit("=", 1)[-1]
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/bot")
        assert httpx.get(f"{base_url}{TOKEN}/getMe").json()["result"]["is_bot"] is True
    finally:
        process.terminate()
        process.wait(5)

"""Tests for the local Bot API, driven by python-telegram-bot 22 itself, over HTTP and in process.

If the library accepts what the simulation says and the simulation rejects what Telegram rejects,
tests built on it exercise the bot the way production does. Each test that talks through
``telegram.Bot`` runs twice: over HTTP and through the in-process transport, which must not differ.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import struct
import threading
import time
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest
import telegram
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from tests.support.botapi import BotApiServer, ThreadedBotApiServer

TOKEN = "123:ABC"


def _png(width: int, height: int) -> bytes:
    """A real (tiny) PNG, like the bot's charts, so dimension parsing sees genuine bytes."""

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


@pytest.fixture(params=["http", "in-process"])
async def bot(request: pytest.FixtureRequest, server: BotApiServer) -> AsyncIterator[telegram.Bot]:
    if request.param == "http":
        client = telegram.Bot(TOKEN, base_url=server.base_url)
    else:
        client = telegram.Bot(TOKEN, request=server.request(), get_updates_request=server.request())
    async with client:
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


async def test_wire_formats_tokens_and_methods_the_bot_does_not_call(server: BotApiServer) -> None:
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
        not_simulated = await http.post(f"/bot{TOKEN}/sendDocument", json={"chat_id": kari.id})
        wrong_token = await http.get("/bot999:XYZ/getMe")
        malformed = await http.get("/botnonsense/getMe")
    assert form.json()["result"]["reply_markup"] == markup
    assert as_json.json()["ok"] and query.json()["ok"]
    assert unknown.status_code == not_simulated.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    assert wrong_token.status_code == 401
    assert wrong_token.json()["description"] == "Unauthorized"
    assert malformed.status_code == 404
    logged = server.requests("sendMessage")[0]
    assert logged.params["chat_id"] == kari.id
    assert logged.params["reply_markup"] == markup


async def test_a_wrong_token_in_process_is_an_invalid_token(server: BotApiServer) -> None:
    stranger = telegram.Bot("999:XYZ", request=server.request())
    with pytest.raises(InvalidToken, match="rejected"):
        await stranger.initialize()  # getMe answered 401 Unauthorized


# -------------------------------------------------------------- sending


async def test_send_message_html_is_parsed_into_entities(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari", language_code="nb")
    server.send_message(kari, "/start")
    message = await bot.send_message(
        kari.id, '<b>Hei</b> &amp; <a href="https://drammen.kommune.no">Drammen</a>', parse_mode="HTML"
    )
    assert message.text == "Hei & Drammen"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 0, 3), ("text_link", 6, 7)]
    assert message.from_user is not None and message.from_user.is_bot
    assert [m["text"] for m in server.bot_messages(kari)] == ["Hei & Drammen"]


@pytest.mark.parametrize(
    ("text", "parse_mode", "expected"),
    [
        ("<b>hei</i>", "HTML", "Unmatched end tag at byte offset 6"),
        ("<b>hei", "HTML", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a <br> b", "HTML", 'Unsupported start tag "br" at byte offset 2'),
        ("1 < 2", "HTML", "Unsupported start tag"),
        ('<span class="x">s</span>', "HTML", 'Tag "span" must have class "tg-spoiler"'),
        ("   ", None, "message text is empty"),
        ("x" * 4097, None, "message is too long"),
        ("*fet*", "MarkdownV2", "the test server parses HTML only"),
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


async def test_inline_keyboard_is_validated(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari", started=True)
    with pytest.raises(BadRequest, match=r"(?i)Button_data_invalid"):
        await bot.send_message(kari.id, "x", reply_markup=_keyboard(("Ja", "y" * 65)))
    with pytest.raises(BadRequest, match=r"(?i)Text buttons are unallowed"):
        await bot.send_message(kari.id, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Ja")]]))
    with pytest.raises(BadRequest, match=r"(?i)Button_text_invalid"):
        await bot.send_message(kari.id, "x", reply_markup=_keyboard(("", "y")))


async def test_private_chat_needs_a_user_who_has_written_to_the_bot(server: BotApiServer, bot: telegram.Bot) -> None:
    stranger = server.add_user("Ola")
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(stranger.id, "hei")
    server.send_message(stranger, "/start")
    assert (await bot.send_message(stranger.id, "hei")).text == "hei"
    with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
        await bot.send_message(42, "hei")


async def test_send_photo_uploads_multipart_bytes(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari", started=True)
    chart = _png(3, 2)
    message = await bot.send_photo(kari.id, chart, filename="naeringsbot.png", caption="<b>Graf</b>", parse_mode="HTML")
    assert message.caption == "Graf"
    assert (message.photo[-1].width, message.photo[-1].height) == (3, 2)
    upload = server.requests("sendPhoto")[0].files["photo"]
    assert (upload.filename, upload.data) == ("naeringsbot.png", chart)
    assert server.bot_messages(kari)[0]["photo"] == [size.to_dict() for size in message.photo]


async def test_edit_message_text(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari", started=True)
    sent = await bot.send_message(kari.id, "Spørsmål", reply_markup=_keyboard(("Ja", "yes")))
    assert (await server.wait_for_bot_message_async(kari))["text"] == "Spørsmål"

    edited = await bot.edit_message_text("<i>Besvart</i>", kari.id, sent.message_id, parse_mode="HTML",
                                         reply_markup=_keyboard(("Igjen", "again")))
    assert isinstance(edited, telegram.Message)
    assert edited.text == "Besvart" and edited.edit_date is not None and edited.reply_markup is not None
    event = await server.wait_for_bot_message_async(kari)
    assert event["message_id"] == sent.message_id and "edit_date" in event

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("<i>Besvart</i>", kari.id, sent.message_id, parse_mode="HTML",
                                    reply_markup=_keyboard(("Igjen", "again")))
    bare = await bot.edit_message_text("Besvart", kari.id, sent.message_id)
    assert isinstance(bare, telegram.Message) and bare.reply_markup is None  # no reply_markup removes the keyboard
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", kari.id, 999)


# -------------------------------------------------------------- updates


async def test_get_updates_confirms_by_offset_and_redelivers(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari")
    first = server.send_message(kari, "/start")
    second = server.send_message(kari, "hei @naeringsbot_test_bot")
    server.send_sticker(kari)
    assert first.update_id is not None and second.update_id == first.update_id + 1

    batch = await bot.get_updates()
    again = await bot.get_updates()  # nothing confirmed: a restarted bot gets the same updates
    assert [u.update_id for u in batch] == [u.update_id for u in again]
    assert batch[0].message is not None and batch[0].message.text == "/start"
    assert batch[0].message.entities[0].type == "bot_command"
    assert batch[1].message is not None and batch[1].message.entities[0].type == "mention"
    assert batch[2].message is not None and batch[2].message.text is None and batch[2].message.sticker is not None

    assert [u.update_id for u in await bot.get_updates(offset=first.update_id + 1, limit=1)] == [second.update_id]
    assert [u["update_id"] for u in server.pending_updates()] == [second.update_id, batch[2].update_id]
    assert server.confirmed_offset == first.update_id + 1

    assert await bot.get_updates(offset=batch[-1].update_id + 1) == ()
    assert server.pending_updates() == []


async def test_long_poll_times_out_with_empty_list(bot: telegram.Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 2.5


async def test_long_poll_returns_early_when_an_update_arrives(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari")
    asyncio.get_running_loop().call_later(0.2, server.send_message, kari, "hei")
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
    assert reply.update_id is not None and reply.message is not None
    assert reply.message["reply_to_message"]["message_id"] == sent.message_id


async def test_callback_query_round_trip(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari", started=True)
    sent = await bot.send_message(kari.id, "Vil du ha tilskudd?", reply_markup=_keyboard(("Ja", "yes")))
    pressed = server.press_button(kari, server.bot_messages(kari)[0], text="Ja")

    (update,) = await bot.get_updates()
    assert update.update_id == pressed.update_id
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


# ----------------------------------------------------- commands, forums


async def test_set_my_commands_per_language(server: BotApiServer, bot: telegram.Bot) -> None:
    commands = [telegram.BotCommand("start", "Start"), telegram.BotCommand("hjelp", "Hjelp")]
    assert await bot.set_my_commands(commands, language_code="nb") is True
    assert await bot.set_my_commands([telegram.BotCommand("help", "Help")]) is True
    assert [c["command"] for c in server.commands["nb"]] == ["start", "hjelp"]
    assert server.commands[""] == [{"command": "help", "description": "Help"}]
    with pytest.raises(BadRequest, match=r"(?i)Bot_command_invalid"):
        await bot.set_my_commands([telegram.BotCommand("Start", "x")])
    assert await bot.set_my_commands(commands, scope=telegram.BotCommandScopeAllPrivateChats()) is True
    assert server.scoped_commands["all_private_chats"][""] == server.commands["nb"]


async def test_set_my_commands_per_chat(server: BotApiServer, bot: telegram.Bot) -> None:
    staff = server.add_group("Ansatte", type="supergroup")
    kari = server.add_user("Kari", started=True)
    stranger = server.add_user("Ola")
    menu = [telegram.BotCommand("close", "Lukk")]
    assert await bot.set_my_commands(menu, scope=telegram.BotCommandScopeChat(staff.id)) is True
    assert await bot.set_my_commands(menu, scope=telegram.BotCommandScopeChat(kari.id), language_code="nb") is True
    assert await bot.set_my_commands(menu, scope=telegram.BotCommandScopeChatAdministrators(staff.id)) is True
    assert set(server.scoped_commands) == {f"chat:{staff.id}", f"chat:{kari.id}", f"chat_administrators:{staff.id}"}
    assert server.scoped_commands[f"chat:{kari.id}"] == {"nb": [{"command": "close", "description": "Lukk"}]}
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_my_commands(menu, scope=telegram.BotCommandScopeChat(stranger.id))  # never wrote to the bot
    with pytest.raises(BadRequest, match=r"(?i)group chats only"):
        await bot.set_my_commands(menu, scope=telegram.BotCommandScopeChatAdministrators(kari.id))


async def test_set_message_reaction(server: BotApiServer, bot: telegram.Bot) -> None:
    kari = server.add_user("Kari", started=True)
    said = server.send_message(kari, "hei")
    assert said.message is not None
    assert await bot.set_message_reaction(kari.id, said.message["message_id"], "👍") is True
    assert server.reactions[(kari.id, said.message["message_id"])] == ["👍"]
    with pytest.raises(BadRequest, match=r"(?i)reaction_invalid"):
        await bot.set_message_reaction(kari.id, said.message["message_id"], "🐍")
    with pytest.raises(BadRequest, match=r"(?i)message_id_invalid"):
        await bot.set_message_reaction(kari.id, 9999, "👍")


async def test_forum_topics(server: BotApiServer, bot: telegram.Bot) -> None:
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
    with pytest.raises(BadRequest, match=r"(?i)topic_not_modified"):
        await bot.close_forum_topic(forum.id, topic.message_thread_id)
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


async def test_server_errors_dropped_connections_and_late_answers(server: BotApiServer, bot: telegram.Bot) -> None:
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
    server.drop_connection_next("sendMessage", after_processing=True)
    with pytest.raises(NetworkError):
        await bot.send_message(kari.id, "igjen?")
    assert [m["text"] for m in server.bot_messages(kari)] == ["duplikat?", "igjen?"]

    server.delay_next("getMe", 0.2)
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.2
    server.delay_next("sendMessage", 0.3, after_processing=True)
    before = len(server.requests())
    with pytest.raises(TimedOut):
        await bot.send_message(kari.id, "sent, but heard of too late", read_timeout=0.1)
    late = await server.wait_for_request_async("sendMessage", lambda request: request.status == 200,
                                              after=before)
    assert late.response is not None and late.response["result"]["text"] == "sent, but heard of too late"


# --------------------------------------------------------------- webhooks


async def test_get_updates_conflicts_while_webhook_is_set(server: BotApiServer, bot: telegram.Bot) -> None:
    assert await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="s3cret") is True
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates()
    assert server.webhook is not None and server.webhook.secret_token == "s3cret"
    assert await bot.delete_webhook(drop_pending_updates=False) is True
    assert await bot.get_updates() == ()


async def test_webhook_delivery_retries_until_2xx_with_the_secret(server: BotApiServer, bot: telegram.Bot) -> None:
    received: list[tuple[int, str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(((await request.json())["update_id"], request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        return web.Response(status=500 if len(received) == 1 else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        await bot.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/hook", secret_token="s3cret")
        update_id = server.send_message(server.add_user("Kari"), "hei").update_id
        assert update_id is not None
        await server.wait_for_confirmation_async(update_id, timeout=5)
        assert server.pending_updates() == []
        assert received == [(update_id, "s3cret"), (update_id, "s3cret")]
    finally:
        await runner.cleanup()


# ------------------------------------------------------------ threads


def _sync_echo_bot(base_url: str, stop: threading.Event) -> None:
    """A minimal form-posting bot loop, standing in for the bot process."""
    offset = 0
    with httpx.Client(base_url=f"{base_url}{TOKEN}", timeout=5) as http:
        while not stop.is_set():
            for update in http.post("/getUpdates", data={"offset": offset, "timeout": 1}).json()["result"]:
                offset = update["update_id"] + 1
                http.post("/sendMessage", data={"chat_id": update["message"]["chat"]["id"], "text": "svar"})


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

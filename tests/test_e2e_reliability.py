"""End to end: nothing a stranger sends stops the real bot process or reaches its log.

A malformed update in the middle of a batch, a webhook body that is no update, a request
without the secret or far too large: the bot answers the updates around them and goes on.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.botapi import ThreadedBotApiServer
from tests.support.botprocess import TOKEN, BotProcess, eventually, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture
def own_server() -> Iterator[ThreadedBotApiServer]:
    with ThreadedBotApiServer(token=TOKEN, bot_username="naeringsbot_test_bot") as running:
        yield running

SECRET_TEXT = "Kari Nordmann 01019012345 hemmelig"


def poison_message(user_id: int) -> dict[str, object]:
    """A message python-telegram-bot cannot parse: ``date`` has the wrong type."""
    return {"message_id": 77, "date": "yesterday", "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Kari Nordmann", "username": "kari_n"},
            "text": SECRET_TEXT}


def test_a_poison_update_in_a_batch_leaves_the_bot_answering_the_updates_around_it(
    own_server: ThreadedBotApiServer, tmp_path: Path
) -> None:
    server = own_server
    anna = server.add_user("Anna", language_code="nb")
    server.send_message(anna, "Hva er Visit Drammensregionen?")
    poison_id = server.inject_update("message", poison_message(anna.id))
    server.send_message(anna, "Is there a tourist office in Drammen?")
    process = BotProcess(tmp_path, server).start()
    try:
        first = server.wait_for_bot_message(anna, timeout=30)
        second = server.wait_for_bot_message(anna, timeout=20)
        assert "Visit Drammensregionen" in first["text"]
        assert "tourist" in second["text"].lower()
        assert poison_id is not None
        server.wait_for_confirmation(poison_id, timeout=20)
        assert eventually(lambda: process.rows("select * from inquiries where outcome = 'invalid'"))
        (row,) = process.rows("select * from inquiries where outcome = 'invalid'")
        assert row["update_id"] == poison_id and row["text"] is None and row["user_ref"] is None
        # Still alive afterwards, and a restart does not fetch the poison update again.
        server.send_message(anna, "takk")
        server.wait_for_bot_message(anna, timeout=20)
    finally:
        assert process.stop() == 0, process.log
    assert "Kari Nordmann" not in process.log and "01019012345" not in process.log and "kari_n" not in process.log
    assert f"Update {poison_id} could not be read" in process.log


def test_the_webhook_refuses_what_is_not_an_update_without_a_traceback(
    own_server: ThreadedBotApiServer, tmp_path: Path
) -> None:
    server = own_server
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    process = BotProcess(tmp_path, server, telegram={"mode": "webhook", "webhook": {
        "listen": "127.0.0.1", "port": port, "path": "telegram", "url": url}}).start()
    secret = {"X-Telegram-Bot-Api-Secret-Token": "hook-secret_1"}
    try:
        server.wait_for_request("setWebhook", timeout=30)
        for body in (b"[1, 2]", b"not json", b'{"update_id": "7"}', b'{"message": {}}'):
            assert httpx.post(url, content=body, headers=secret, timeout=5).status_code == 400, body
        too_big = b'{"update_id": 5, "x": "' + b"a" * (2 * 1024 * 1024) + b'"}'
        assert httpx.post(url, content=too_big, headers=secret, timeout=10).status_code == 413
        assert httpx.post(url, content=too_big, timeout=10).status_code == 403  # the secret first
        poisoned = httpx.post(url, json={"update_id": 424242, "message": poison_message(1)}, headers=secret,
                              timeout=5)
        assert poisoned.status_code == 200  # recorded as invalid and confirmed, never re-sent for ever
        mari = server.add_user("Mari", language_code="nb")
        server.send_message(mari, "Hva er Visit Drammensregionen?")
        assert "Visit Drammensregionen" in server.wait_for_bot_message(mari, timeout=20)["text"]
    finally:
        assert process.stop() == 0, process.log
    assert "Traceback" not in process.log
    assert SECRET_TEXT not in process.log
    assert process.rows("select update_id, text from inquiries where outcome = 'invalid'") == [
        {"update_id": 424242, "text": None}]


def test_an_unreachable_bot_api_at_start_up_is_retried_not_fatal(
    own_server: ThreadedBotApiServer, tmp_path: Path
) -> None:
    server = own_server
    server.fail_next("getMe", status=502, count=2)
    server.fail_next("deleteWebhook", status=500, count=1)
    process = BotProcess(tmp_path, server).start()
    try:
        ola = server.add_user("Ola", language_code="nb")
        server.send_message(ola, "Hva er Visit Drammensregionen?")
        assert "Visit Drammensregionen" in server.wait_for_bot_message(ola, timeout=40)["text"]
        assert process.process is not None and process.process.poll() is None
    finally:
        assert process.stop() == 0, process.log
    assert "getMe failed" in process.log and "retrying" in process.log


def test_an_invalid_token_exits_with_status_2(own_server: ThreadedBotApiServer, tmp_path: Path) -> None:
    server = own_server
    server.fail_next("getMe", status=401, count=1, description="Unauthorized")
    process = BotProcess(tmp_path, server).start()
    assert process.process is not None
    deadline = time.monotonic() + 30
    while process.process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert process.process.returncode == 2, process.log
    assert "rejected TELEGRAM_BOT_TOKEN" in process.log

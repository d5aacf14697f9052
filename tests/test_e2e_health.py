"""End to end: what a service manager sees of the real ``naeringsbot run`` process.

In webhook mode ``GET /healthz`` on the webhook server; in polling mode the heartbeat file touched
after every ``getUpdates``. ``naeringsbot doctor --live`` reads either, as a container health check
or a monitor would.
"""

from __future__ import annotations

import subprocess
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


def doctor_live(process: BotProcess) -> subprocess.CompletedProcess[str]:
    return process.command("doctor", "--live")


def test_healthz_answers_200_from_the_running_webhook_bot(own_server: ThreadedBotApiServer, tmp_path: Path) -> None:
    server = own_server
    port = free_port()
    process = BotProcess(tmp_path, server, telegram={"mode": "webhook", "webhook": {
        "listen": "127.0.0.1", "port": port, "path": "telegram", "url": f"http://127.0.0.1:{port}/telegram"}})
    process.start()
    health = f"http://127.0.0.1:{port}/healthz"
    try:
        server.wait_for_request("setWebhook", timeout=30)
        assert eventually(lambda: _status(health) == 200, timeout=10), process.log
        answer = httpx.get(health, timeout=5)
        assert answer.text == "ok"  # no secret needed, and nothing but the word
        assert httpx.post(health, timeout=5).status_code == 405
        mari = server.add_user("Mari", language_code="nb")
        server.send_message(mari, "Hva er Visit Drammensregionen?")
        assert "Visit Drammensregionen" in server.wait_for_bot_message(mari, timeout=20)["text"]
        live = doctor_live(process)
        assert live.returncode == 0, live.stdout + live.stderr
        assert "svarer 200" in live.stdout
    finally:
        assert process.stop() == 0, process.log
    assert _status(health) is None  # the server is gone with the process
    stopped = doctor_live(process)
    assert stopped.returncode == 1 and "svarer ikke" in stopped.stdout
    assert "200 GET /healthz" not in process.log  # healthy answers leave no access-log line
    assert "405 POST /healthz" in process.log


def test_polling_touches_the_heartbeat_and_doctor_live_sees_it_go_stale(
    own_server: ThreadedBotApiServer, tmp_path: Path
) -> None:
    server = own_server
    process = BotProcess(tmp_path, server, ops={"max_poll_age_seconds": 3})
    heartbeat = tmp_path / "heartbeat"  # beside the database by default
    process.start()
    try:
        assert eventually(heartbeat.exists, timeout=30), process.log
        first = heartbeat.stat().st_mtime_ns
        assert eventually(lambda: heartbeat.stat().st_mtime_ns > first, timeout=10)  # every poll, not once
        live = doctor_live(process)
        assert live.returncode == 0, live.stdout + live.stderr
        assert "✔ Henter meldinger" in live.stdout
    finally:
        assert process.stop() == 0, process.log
    last = heartbeat.stat().st_mtime_ns
    assert eventually(lambda: doctor_live(process).returncode == 1, timeout=15)
    assert heartbeat.stat().st_mtime_ns == last
    assert "Har ikke hentet meldinger på" in doctor_live(process).stdout


def _status(url: str) -> int | None:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.HTTPError:
        return None

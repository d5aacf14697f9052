"""Health: the database write probe, ``GET /healthz`` on the webhook server, and ``doctor --live``."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import tornado.httpserver
from click.testing import CliRunner

from bot.cli import cli
from bot.config import Config
from bot.health import DatabaseProbe, database_writable, heartbeat_check, heartbeat_path, touch_heartbeat
from bot.store.database import open_database
from handlers.webhook import Health, webhook_app
from tests.offline import Harness, config_for, harness_for
from tests.support.botprocess import free_port


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "inquiries.db"
    open_database(path).conn.close()
    return path


@pytest.fixture
def locked(database: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holds the write lock, as a stuck writer or a staff member's sqlite3 shell would."""
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    other.execute("ROLLBACK")
    other.close()


def test_a_database_that_takes_the_write_lock_is_writable(database: Path) -> None:
    assert database_writable(database)


def test_a_locked_database_is_not_writable(database: Path, locked: sqlite3.Connection) -> None:
    started = time.monotonic()
    assert not database_writable(database, busy_ms=100)
    assert time.monotonic() - started < 2  # a short busy timeout, not the bot's own


def test_a_missing_database_is_not_writable_and_is_not_created(tmp_path: Path) -> None:
    assert not database_writable(tmp_path / "gone.db")
    assert not (tmp_path / "gone.db").exists()


async def test_the_probe_asks_the_database_at_most_once_per_interval(database: Path) -> None:
    now = [100.0]
    probe = DatabaseProbe(database, cache_seconds=5, clock=lambda: now[0])
    assert await probe.writable() and await probe.writable()
    assert probe.probes == 1
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        now[0] += 4.9
        assert await probe.writable()  # still the cached answer
        now[0] += 0.2
        assert not await probe.writable()
        assert probe.probes == 2
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.fixture
async def bot(tmp_path: Path, shipped_config: Config) -> AsyncIterator[Harness]:
    async for harness in harness_for(config_for(tmp_path, shipped_config)):
        yield harness


class HealthServer:
    def __init__(self, bot: Harness, probe: DatabaseProbe) -> None:
        self.health = Health(bot.app, probe)
        self.health.registered = True
        self.port = free_port()
        self.server = tornado.httpserver.HTTPServer(webhook_app(bot.app, "/telegram", "s3cret", self.health))
        self.server.listen(self.port, address="127.0.0.1")
        self.url = f"http://127.0.0.1:{self.port}/healthz"


@pytest.fixture
async def health_server(bot: Harness) -> AsyncIterator[HealthServer]:
    await bot.app.start()
    served = HealthServer(bot, DatabaseProbe(bot.app.bot_data.config.database_path, cache_seconds=0))
    yield served
    served.server.stop()
    await served.server.close_all_connections()
    if bot.app.running:
        await bot.app.stop()


async def test_healthz_is_200_ok_while_running_with_a_writable_database(health_server: HealthServer) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.get(health_server.url)
    assert (answer.status_code, answer.text) == (200, "ok")
    assert answer.headers["Cache-Control"] == "no-store"


async def test_healthz_is_503_when_the_database_is_locked(health_server: HealthServer, bot: Harness) -> None:
    other = sqlite3.connect(bot.app.bot_data.config.database_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        async with httpx.AsyncClient() as client:
            answer = await client.get(health_server.url)
        assert (answer.status_code, answer.text) == (503, "unavailable")
    finally:
        other.execute("ROLLBACK")
        other.close()
    async with httpx.AsyncClient() as client:
        assert (await client.get(health_server.url)).status_code == 200  # healthy again once released


async def test_healthz_is_503_when_the_database_file_is_gone(health_server: HealthServer, bot: Harness) -> None:
    bot.app.bot_data.config.database_path.rename(bot.app.bot_data.config.database_path.with_suffix(".moved"))
    async with httpx.AsyncClient() as client:
        assert (await client.get(health_server.url)).status_code == 503


@pytest.mark.parametrize("state", ["stopped", "not registered"])
async def test_healthz_is_503_when_the_application_cannot_take_updates(
    health_server: HealthServer, bot: Harness, state: str
) -> None:
    if state == "stopped":
        await bot.app.stop()
    else:
        health_server.health.registered = False  # setWebhook has not succeeded yet
    async with httpx.AsyncClient() as client:
        answer = await client.get(health_server.url)
    assert (answer.status_code, answer.text) == (503, "unavailable")


async def test_healthz_answers_get_only(health_server: HealthServer) -> None:
    async with httpx.AsyncClient() as client:
        for method in ("POST", "PUT", "DELETE"):
            answer = await client.request(method, health_server.url)
            assert answer.status_code == 405, method
            assert answer.content == b""


def heartbeat_config(tmp_path: Path, shipped_config: Config, **ops: object) -> Path:
    """A config file for ``doctor --live`` with its database (and heartbeat) in ``tmp_path``."""
    open_database(tmp_path / "inquiries.db").conn.close()
    file = tmp_path / "config.yaml"
    lines = [f"storage: {{database: {tmp_path / 'inquiries.db'}}}",
             f"knowledge: {{dir: {shipped_config.knowledge_dir}}}"]
    if ops:
        lines.append("ops: {" + ", ".join(f"{key}: {value}" for key, value in ops.items()) + "}")
    file.write_text("\n".join(lines) + "\n", "utf-8")
    return file


def age(path: Path, seconds: float) -> None:
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def test_the_heartbeat_lies_beside_the_database_unless_configured(tmp_path: Path, shipped_config: Config) -> None:
    config = config_for(tmp_path, shipped_config)
    assert heartbeat_path(config) == tmp_path / "heartbeat"
    elsewhere = config.model_copy(update={"ops": config.ops.model_copy(update={"heartbeat": Path("run/beat")})})
    assert heartbeat_path(elsewhere) == config.base_dir / "run" / "beat"


def test_a_heartbeat_that_cannot_be_written_does_not_stop_polling(tmp_path: Path) -> None:
    assert touch_heartbeat(tmp_path / "beat")
    assert not touch_heartbeat(tmp_path / "no-such-folder" / "beat")


@pytest.mark.parametrize(("seconds", "fresh"), [(3, True), (119, True), (312, False)])
def test_the_heartbeat_is_fresh_within_the_limit(
    tmp_path: Path, shipped_config: Config, seconds: float, fresh: bool
) -> None:
    config = config_for(tmp_path, shipped_config)
    touch_heartbeat(heartbeat_path(config))
    age(heartbeat_path(config), seconds)
    check = heartbeat_check(config)
    assert check.ok is fresh
    if not fresh:
        assert "Har ikke hentet meldinger på 312 s (grense 120 s)" in str(check)
        assert "sjekk at tjenesten kjører og nettverket" in str(check)


def test_doctor_live_exits_0_when_the_bot_polled_recently(tmp_path: Path, shipped_config: Config) -> None:
    config = heartbeat_config(tmp_path, shipped_config)
    (tmp_path / "heartbeat").touch()
    result = CliRunner().invoke(cli, ["doctor", "--live", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "✔ Henter meldinger" in result.output and "Boten kjører." in result.output


def test_doctor_live_exits_1_when_the_last_poll_is_older_than_the_configured_limit(
    tmp_path: Path, shipped_config: Config
) -> None:
    config = heartbeat_config(tmp_path, shipped_config, max_poll_age_seconds=30)
    (tmp_path / "heartbeat").touch()
    age(tmp_path / "heartbeat", 45)
    result = CliRunner().invoke(cli, ["doctor", "--live", "--config", str(config)])
    assert result.exit_code == 1
    assert "✖ Har ikke hentet meldinger på 45 s (grense 30 s)" in result.output


def test_doctor_live_exits_1_without_a_heartbeat(tmp_path: Path, shipped_config: Config) -> None:
    config = heartbeat_config(tmp_path, shipped_config, heartbeat=tmp_path / "elsewhere")
    (tmp_path / "heartbeat").touch()  # beside the database, but the config names another file
    result = CliRunner().invoke(cli, ["doctor", "--live", "--config", str(config)])
    assert result.exit_code == 1
    assert f"✖ Ingen heartbeat-fil {tmp_path / 'elsewhere'}" in result.output


def test_doctor_live_exits_1_when_the_database_is_locked(tmp_path: Path, shipped_config: Config) -> None:
    config = heartbeat_config(tmp_path, shipped_config)
    (tmp_path / "heartbeat").touch()
    other = sqlite3.connect(tmp_path / "inquiries.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        result = CliRunner().invoke(cli, ["doctor", "--live", "--config", str(config)])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.exit_code == 1
    assert "✔ Henter meldinger" in result.output and "✖ Database" in result.output

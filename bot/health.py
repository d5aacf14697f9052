"""Is the running bot alive: the polling heartbeat, the database write probe and the live checks.

A service manager or container cannot see inside the process, so the bot leaves traces it can
read: in polling mode a file touched after every successful ``getUpdates``, in webhook mode
``GET /healthz`` on the webhook server. ``naeringsbot doctor --live`` reads either one.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from bot.config import Config
from bot.doctor import Check

logger = logging.getLogger(__name__)

PROBE_BUSY_MS = 250
PROBE_CACHE_SECONDS = 5.0
HEALTH_PATH = "/healthz"


def heartbeat_path(config: Config) -> Path:
    """``ops.heartbeat`` (relative to the config file), else ``heartbeat`` beside the database."""
    configured = config.ops.heartbeat
    if configured is None:
        return config.database_path.with_name("heartbeat")
    return configured if configured.is_absolute() else config.base_dir / configured


def touch_heartbeat(path: Path, report: bool = True) -> bool:
    """Mark a successful poll; a file that cannot be written is logged (when ``report``), never fatal."""
    try:
        path.touch()
    except OSError as error:
        if report:
            logger.warning("Cannot touch the heartbeat file %s (%s): monitoring with 'naeringsbot doctor --live' "
                           "will report the bot as stopped; check ops.heartbeat and the folder's permissions",
                           path, error)
        return False
    return True


def database_writable(path: Path, busy_ms: int = PROBE_BUSY_MS) -> bool:
    """Whether the database file exists and grants its write lock within ``busy_ms``; nothing is written."""
    try:
        connection = sqlite3.connect(path.resolve().as_uri() + "?mode=rw", uri=True, timeout=busy_ms / 1000,
                                     isolation_level=None)
    except (sqlite3.Error, OSError):
        return False
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
    except sqlite3.Error:
        return False
    finally:
        connection.close()
    return True


class DatabaseProbe:
    """``database_writable`` off the event loop, asked at most once per ``cache_seconds``.

    A monitor may ask often; the answer is cached so its requests never compete with the bot's own
    writes for the lock, and concurrent requests wait for the one probe under way.
    """

    def __init__(self, path: Path, cache_seconds: float = PROBE_CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self.cache_seconds = cache_seconds
        self.clock = clock
        self.probes = 0
        self._checked_at = -math.inf
        self._writable = False
        self._lock = asyncio.Lock()

    async def writable(self) -> bool:
        async with self._lock:
            if self.clock() - self._checked_at >= self.cache_seconds:
                self._writable = await asyncio.to_thread(database_writable, self.path)
                self._checked_at = self.clock()
                self.probes += 1
                if not self._writable:
                    logger.warning("Health check: the database %s is not writable (missing, read-only or locked)",
                                   self.path)
        return self._writable


def heartbeat_check(config: Config, now: float | None = None) -> Check:
    """Fresh when the last successful poll is younger than ``ops.max_poll_age_seconds``."""
    path = heartbeat_path(config)
    limit = config.ops.max_poll_age_seconds
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except OSError:
        return Check(False, f"Ingen heartbeat-fil {path} / no heartbeat file",
                     "boten har ikke hentet meldinger siden den startet: sjekk at tjenesten kjører (naeringsbot run) "
                     "og at ops.heartbeat er den samme for tjenesten og doctor / the bot has not polled since it "
                     "started: check that the service runs and uses the same ops.heartbeat")
    seconds = max(0, round(age))
    if age > limit:
        return Check(False, f"Har ikke hentet meldinger på {seconds} s (grense {limit:g} s) / "
                            f"no updates fetched for {seconds} s (limit {limit:g} s)",
                     "sjekk at tjenesten kjører og nettverket / check that the service runs and its network")
    return Check(True, f"Henter meldinger: siste vellykkede getUpdates for {seconds} s siden (grense {limit:g} s)")


def health_url(config: Config) -> str:
    """Where the webhook server answers ``/healthz``, seen from the same machine."""
    webhook = config.telegram.webhook
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(webhook.listen, webhook.listen)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{webhook.port}{HEALTH_PATH}"


def healthz_check(config: Config, timeout: float = 5.0) -> Check:
    """``GET /healthz`` on the webhook server: 200 when running and the database is writable."""
    import httpx

    url = health_url(config)
    try:
        status = httpx.get(url, timeout=timeout).status_code
    except httpx.HTTPError as error:
        return Check(False, f"Webhook-serveren svarer ikke på {url} / no answer ({type(error).__name__})",
                     "sjekk at tjenesten kjører og telegram.webhook.listen/port / check that the service runs")
    if status != 200:
        return Check(False, f"{url} svarer {status} / answers {status}",
                     "boten kjører ikke ferdig, er ikke registrert hos Telegram ennå, eller databasen er ikke "
                     "skrivbar: se loggen (journalctl -u naeringsbot) / see the log")
    return Check(True, f"Webhook-serveren svarer 200 på {url}")


def live_checks(config: Config) -> list[Check]:
    """What ``doctor --live`` checks: the heartbeat (polling) or ``/healthz`` (webhook), and the database."""
    if config.telegram.mode == "webhook":
        return [healthz_check(config)]
    path = config.database_path
    writable = Check(database_writable(path, busy_ms=1000), f"Database {path} skrivbar / writable",
                     "mangler, er skrivebeskyttet eller låst: sjekk fil, mappe og rettigheter / missing, "
                     "read-only or locked: check the file, its folder and permissions")
    return [heartbeat_check(config), writable]

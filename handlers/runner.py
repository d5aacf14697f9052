"""Serving updates so that none is lost and none can stop the bot.

python-telegram-bot's own ``run_polling`` confirms a batch of updates as soon as it has fetched
it, and its webhook answers 200 before handling; a crash in between would lose those updates.
Here an update is confirmed (the next ``getUpdates`` offset, or the webhook's 200) only after
``process_update`` has logged and answered it and its inquiry-log row is safe on disk (in the
database or the spool file). A re-delivered update is then answered again but, because
``update_id`` is unique in the inquiry log, never counted twice.

Updates are fetched raw and parsed one by one: one that the pinned library cannot parse (a
malformed message, or a Bot API shape it does not know yet) is recorded by its ``update_id``
only, confirmed, and the rest of the batch is handled as usual. Its content is never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.error import Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.config import TelegramSettings
from bot.health import heartbeat_path, touch_heartbeat

logger = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
MAX_BACKOFF_SECONDS = 30.0
# Raw getUpdates is deliberate (see the module docstring); the library's advice to use
# Bot.get_updates would bring back the parse-the-whole-batch behaviour.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning)


class _NoRawUpdates(logging.Filter):
    """Drops the library's log lines that carry a whole raw update (names, ids, texts)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Received data was" not in str(record.msg)


def silence_raw_update_logging() -> None:
    """The library logs unparsable batches verbatim at CRITICAL: never let that reach a log."""
    for name in ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Updater", "telegram.ext.Application"):
        logging.getLogger(name).addFilter(_NoRawUpdates())


def update_id_of(data: object) -> int | None:
    """The ``update_id`` of a raw update, only when it is a real integer."""
    if isinstance(data, dict):
        value = data.get("update_id")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


async def process_raw(application: AnyApplication, data: object) -> int | None:
    """Parse and handle one raw update; an unparsable one is recorded as ``invalid``."""
    update_id = update_id_of(data)
    try:
        update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        problem = "not an object" if update is None else None
    except Exception as error:  # any shape the library cannot read
        update, problem = None, type(error).__name__
    if update is None or update_id is None:
        logger.warning("Update %s could not be read (%s); recorded as invalid, content not logged",
                       update_id, problem or "no integer update_id")
        services = application.bot_data.services
        if services is not None:
            services.assistant.note_invalid(update_id)
        return update_id
    await application.process_update(update)
    return update_id


def inquiry_log_is_safe(application: AnyApplication) -> bool:
    """True when every row handled so far is in the database or in the spool file."""
    services = application.bot_data.services
    return services is None or services.log.durable


async def _wait_until_safe(application: AnyApplication, stop: asyncio.Event) -> bool:
    """Hold confirmations while the inquiry log can reach neither the database nor the spool."""
    backoff = 1.0
    while not inquiry_log_is_safe(application):
        logger.error("The inquiry log can be written neither to the database nor to its spool file "
                     "(disk full?); not confirming updates to Telegram until it can, retrying in %.0f s",
                     backoff)
        await _sleep(stop, backoff)
        if stop.is_set():
            return False
        application.bot_data.services.log.flush()
        backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
    return True


async def _fetch(application: AnyApplication, offset: int | None, settings: TelegramSettings) -> list[object]:
    result = await application.bot.do_api_request(
        "getUpdates",
        api_kwargs={"offset": offset, "timeout": settings.poll_timeout, "allowed_updates": Update.ALL_TYPES},
        read_timeout=settings.poll_timeout + settings.read_timeout_margin,
    )
    return list(result) if isinstance(result, list) else []


async def poll(application: AnyApplication, settings: TelegramSettings, stop: asyncio.Event) -> None:
    """Long polling; the offset moves past an update only once it has been processed and saved.

    Every successful ``getUpdates`` touches the heartbeat file that ``doctor --live`` reads.
    """
    bot = application.bot
    config = application.bot_data.config
    heartbeat = heartbeat_path(config) if config is not None else None
    heartbeat_ok = True  # a heartbeat that cannot be written is reported once, not at every poll
    await retry_until_done(lambda: bot.delete_webhook(drop_pending_updates=False), "deleteWebhook", stop)
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        fetch = asyncio.ensure_future(_fetch(application, offset, settings))
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not fetch.done():
            fetch.cancel()
            break
        try:
            updates = fetch.result()
        except RetryAfter as error:
            await _sleep(stop, _seconds(error.retry_after))
            continue
        except TimedOut:
            continue
        except (InvalidToken, Forbidden):
            raise
        except (NetworkError, TelegramError) as error:
            logger.warning("getUpdates failed (%s); retrying in %.0f s", error, backoff)
            await _sleep(stop, backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            continue
        backoff = 1.0
        if heartbeat is not None:
            heartbeat_ok = touch_heartbeat(heartbeat, report=heartbeat_ok)
        for data in updates:
            if stop.is_set():
                break
            update_id = await process_raw(application, data)
            if not await _wait_until_safe(application, stop):
                break
            if update_id is not None:
                offset = max(offset or 0, update_id + 1)
        if settings.poll_interval:
            await _sleep(stop, settings.poll_interval)
    if offset is not None:
        with contextlib.suppress(TelegramError):
            await bot.get_updates(offset=offset, timeout=0, limit=1)  # confirm what was handled


def _seconds(retry_after: object) -> float:
    if isinstance(retry_after, int | float):
        return float(retry_after)
    return float(retry_after.total_seconds())  # type: ignore[attr-defined]


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def retry_until_done(call: Callable[[], Awaitable[object]], what: str, stop: asyncio.Event) -> bool:
    """Retry a start-up call with backoff while the Bot API is unreachable; an invalid token is final.

    Returns False when stopped before it succeeded.
    """
    backoff = 1.0
    while not stop.is_set():
        try:
            await call()
            return True
        except InvalidToken:
            raise
        except RetryAfter as error:
            logger.warning("%s: Telegram asks to wait %.0f s", what, _seconds(error.retry_after))
            await _sleep(stop, _seconds(error.retry_after))
        except (NetworkError, TelegramError) as error:
            logger.warning("%s failed (%s): the Bot API at %s is unreachable or failing; retrying in %.0f s",
                           what, error, "the configured base URL", backoff)
            await _sleep(stop, backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
    return False


async def serve(application: AnyApplication, settings: TelegramSettings, webhook_secret: str | None) -> None:
    """Initialise (retrying while the Bot API is unreachable), run until SIGINT/SIGTERM, shut down."""
    from handlers.webhook import serve_webhook

    silence_raw_update_logging()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if not await retry_until_done(application.bot.initialize, "getMe", stop):
        return
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.start()
        if settings.mode == "webhook":
            await serve_webhook(application, settings, webhook_secret or "", stop)
        else:
            await poll(application, settings, stop)
    finally:
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)

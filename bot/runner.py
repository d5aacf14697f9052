"""Serving updates so that none is lost: confirmed to Telegram only after it was handled.

python-telegram-bot's own ``run_polling`` confirms a batch of updates as soon as it has fetched
it, and its webhook answers 200 before handling; a crash in between would lose those updates.
Here an update is confirmed (the next ``getUpdates`` offset, or the webhook's 200) only after
``process_update`` has logged and answered it. A re-delivered update is then answered again but,
because ``update_id`` is unique in the inquiry log, never counted twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from typing import Any

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.error import Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.config import TelegramSettings

logger = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
MAX_BACKOFF_SECONDS = 30.0


async def poll(application: AnyApplication, settings: TelegramSettings, stop: asyncio.Event) -> None:
    """Long polling; the offset moves past an update only once it has been processed."""
    bot = application.bot
    await bot.delete_webhook(drop_pending_updates=False)
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        fetch = asyncio.ensure_future(
            bot.get_updates(offset=offset, timeout=settings.poll_timeout, allowed_updates=Update.ALL_TYPES,
                            read_timeout=settings.poll_timeout + settings.read_timeout_margin)
        )
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not fetch.done():
            fetch.cancel()
            break
        try:
            updates = fetch.result()
        except RetryAfter as error:
            await _sleep(stop, float(error.retry_after if isinstance(error.retry_after, int | float)
                                     else error.retry_after.total_seconds()))
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
        for update in updates:
            if stop.is_set():
                break
            await application.process_update(update)
            offset = update.update_id + 1
        if settings.poll_interval:
            await _sleep(stop, settings.poll_interval)
    if offset is not None:
        with contextlib.suppress(TelegramError):
            await bot.get_updates(offset=offset, timeout=0, limit=1)  # confirm what was handled


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


class _WebhookHandler(tornado.web.RequestHandler):
    """Answers 200 only after the update was handled; 403 without the right secret token."""

    def initialize(self, bot_application: AnyApplication, secret: str) -> None:
        self.bot_application = bot_application
        self.secret = secret

    async def post(self) -> None:
        if self.request.headers.get("X-Telegram-Bot-Api-Secret-Token") != self.secret:
            self.set_status(403)
            return
        try:
            update = Update.de_json(json.loads(self.request.body), self.bot_application.bot)
        except (ValueError, TypeError, KeyError):
            self.set_status(400)
            return
        await self.bot_application.process_update(update)
        self.set_status(200)


async def serve_webhook(application: AnyApplication, settings: TelegramSettings, secret: str,
                        stop: asyncio.Event) -> None:
    webhook = settings.webhook
    path = "/" + webhook.path.strip("/")
    app = tornado.web.Application([(path, _WebhookHandler, {"bot_application": application, "secret": secret})])
    server = tornado.httpserver.HTTPServer(app)
    server.listen(webhook.port, address=webhook.listen)
    try:
        await application.bot.set_webhook(webhook.url or "", secret_token=secret, allowed_updates=Update.ALL_TYPES)
        logger.info("Webhook listening on %s:%d%s", webhook.listen, webhook.port, path)
        await stop.wait()
    finally:
        server.stop()
        await server.close_all_connections()


async def serve(application: AnyApplication, settings: TelegramSettings, webhook_secret: str | None) -> None:
    """Initialise, run until SIGINT/SIGTERM, and shut down cleanly (flushing the inquiry log)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
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

"""The webhook server: Telegram POSTs updates here; 200 only once an update is handled and saved.

The secret header is checked before any of the body is read, the body is capped (Telegram's
updates are a few kilobytes), and idle or slow connections are closed, so a stranger who finds
the address can neither fill memory nor keep connections open. An update the library cannot
parse is handled as in polling: recorded by ``update_id`` only and confirmed with 200.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import tornado.httpserver
import tornado.web
from telegram import Update

from bot.config import TelegramSettings
from handlers.runner import AnyApplication, inquiry_log_is_safe, process_raw, update_id_of

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
IDLE_SECONDS = 30.0
BODY_SECONDS = 10.0
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@tornado.web.stream_request_body
class WebhookHandler(tornado.web.RequestHandler):
    """403 without the secret (before the body), 413 when too large, 400 when not an update."""

    def initialize(self, bot_application: AnyApplication, secret: str) -> None:
        self.bot_application = bot_application
        self.secret = secret
        self.chunks: list[bytes] = []
        self.size = 0

    def prepare(self) -> None:
        if self.request.method != "POST":
            raise tornado.web.HTTPError(405)
        if self.request.headers.get(SECRET_HEADER) != self.secret:
            raise tornado.web.HTTPError(403)
        declared = self.request.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise tornado.web.HTTPError(413)

    def data_received(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > MAX_BODY_BYTES:
            raise tornado.web.HTTPError(413)
        self.chunks.append(chunk)

    async def post(self) -> None:
        try:
            data = json.loads(b"".join(self.chunks))
        except ValueError:
            data = None
        if update_id_of(data) is None:
            logger.warning("Webhook request that is not an update (no JSON object with an integer update_id)")
            self.set_status(400)
            return
        await process_raw(self.bot_application, data)
        # Disk full: 503 makes Telegram deliver the update again later instead of losing its row.
        self.set_status(200 if inquiry_log_is_safe(self.bot_application) else 503)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish()  # a bare status; never a traceback

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, tornado.web.HTTPError):
            logger.info("Webhook request refused with %d", value.status_code)
        else:
            logger.error("Webhook request failed", exc_info=(typ, value, tb))


async def serve_webhook(application: AnyApplication, settings: TelegramSettings, secret: str,
                        stop: asyncio.Event) -> None:
    """Listen on the configured address until ``stop``; register the webhook with Telegram."""
    from handlers.runner import retry_until_done

    webhook = settings.webhook
    path = "/" + webhook.path.strip("/")
    app = tornado.web.Application([(path, WebhookHandler, {"bot_application": application, "secret": secret})])
    server = tornado.httpserver.HTTPServer(app, max_body_size=MAX_BODY_BYTES, idle_connection_timeout=IDLE_SECONDS,
                                          body_timeout=BODY_SECONDS)
    server.listen(webhook.port, address=webhook.listen)
    try:
        await retry_until_done(
            lambda: application.bot.set_webhook(webhook.url or "", secret_token=secret,
                                                 allowed_updates=Update.ALL_TYPES),
            "setWebhook", stop)
        logger.info("Webhook listening on %s:%d%s", webhook.listen, webhook.port, path)
        await stop.wait()
    finally:
        server.stop()
        await server.close_all_connections()

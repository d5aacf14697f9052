"""The webhook server: Telegram POSTs updates here; 200 only once an update is handled and saved.

The secret header is checked before any of the body is read, the body is capped (Telegram's
updates are a few kilobytes), and idle or slow connections are closed, so a stranger who finds
the address can neither fill memory nor keep connections open. An update the library cannot
parse is handled as in polling: recorded by ``update_id`` only and confirmed with 200.

``GET /healthz`` on the same server tells a monitor whether the bot can take updates: 200 "ok"
when the application is running, the webhook is registered with Telegram and the database is
writable, else 503 "unavailable". It needs no secret and says nothing more; the reverse proxy
forwards only the webhook path, so it stays on the bot's own address.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import tornado.httpserver
import tornado.log
import tornado.web
from telegram import Update

from bot.config import TelegramSettings
from bot.health import HEALTH_PATH, DatabaseProbe
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


class Health:
    """What ``/healthz`` looks at; ``registered`` is set once Telegram has accepted the webhook."""

    def __init__(self, bot_application: AnyApplication, probe: DatabaseProbe) -> None:
        self.bot_application = bot_application
        self.probe = probe
        self.registered = False

    async def ok(self) -> bool:
        application = self.bot_application
        # Updates go straight to process_update, so a running Application with its services is one that handles them.
        if not (self.registered and application.running and application.bot_data.services is not None):
            return False
        return inquiry_log_is_safe(application) and await self.probe.writable()


class HealthHandler(tornado.web.RequestHandler):
    """GET only: 200 "ok" or 503 "unavailable", never cached, no other data."""

    def initialize(self, health: Health) -> None:
        self.health = health

    async def get(self) -> None:
        healthy = await self.health.ok()
        self.set_status(200 if healthy else 503)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish("ok" if healthy else "unavailable")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish()


def _log_request(handler: tornado.web.RequestHandler) -> None:
    """Tornado's access log, without a line for every healthy answer to a monitor."""
    status = handler.get_status()
    health = isinstance(handler, HealthHandler)
    if health and status == 200:
        return
    access = tornado.log.access_log
    log = access.info if status < 400 else access.warning if status < 500 or health else access.error
    log("%d %s %.2fms", status, handler._request_summary(), 1000.0 * handler.request.request_time())


def webhook_app(application: AnyApplication, path: str, secret: str, health: Health) -> tornado.web.Application:
    """The webhook at ``path`` and the health check at ``/healthz``."""
    return tornado.web.Application([
        (HEALTH_PATH, HealthHandler, {"health": health}),
        (path, WebhookHandler, {"bot_application": application, "secret": secret}),
    ], log_function=_log_request)


async def serve_webhook(application: AnyApplication, settings: TelegramSettings, secret: str,
                        stop: asyncio.Event) -> None:
    """Listen on the configured address until ``stop``; register the webhook with Telegram."""
    from handlers.runner import retry_until_done

    webhook = settings.webhook
    path = "/" + webhook.path.strip("/")
    health = Health(application, DatabaseProbe(application.bot_data.config.database_path))
    server = tornado.httpserver.HTTPServer(webhook_app(application, path, secret, health),
                                          max_body_size=MAX_BODY_BYTES, idle_connection_timeout=IDLE_SECONDS,
                                          body_timeout=BODY_SECONDS)
    server.listen(webhook.port, address=webhook.listen)
    try:
        health.registered = await retry_until_done(
            lambda: application.bot.set_webhook(webhook.url or "", secret_token=secret,
                                                 allowed_updates=Update.ALL_TYPES),
            "setWebhook", stop)
        logger.info("Webhook listening on %s:%d%s", webhook.listen, webhook.port, path)
        await stop.wait()
    finally:
        server.stop()
        await server.close_all_connections()

"""Building and running the Telegram application: the builder, its jobs, and the ``telegram`` channel runner."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from typing import Any

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import InvalidToken
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults
from telegram.request import BaseRequest

from bot.config import Config
from bot.knowledge.reloader import EngineHolder
from bot.learning.suggestions import SuggestionBox
from bot.services import build_services
from bot.store.privacy import purge_expired, retention_cutoff
from handlers.context import CONTEXT_TYPES, Context
from handlers.menus import set_command_menus
from handlers.runner import serve

logger = logging.getLogger(__name__)

PURGE_TIME = dt.time(hour=3, minute=15, tzinfo=dt.UTC)
FLUSH_SECONDS = 5


def build_application(
    config: Config,
    token: str,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
    engines: EngineHolder | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Telegram application with every handler registered; services start in ``post_init``."""
    from handlers import register

    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(config.telegram_base_url)
        .context_types(CONTEXT_TYPES)
        # Every reply is HTML escaped once (handlers.formatting); links never unfurl into previews.
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .post_init(_start_services)
        .post_shutdown(_stop_services)
        .updater(None)  # handlers.runner confirms updates only after handling them
    )
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data.config = config
    application.bot_data.engines = engines
    register(application, config.staff.chat_id)
    return application


async def _start_services(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    config: Config = application.bot_data.config
    services = build_services(config, application.bot_data.engines)
    application.bot_data.services = services
    await set_command_menus(application, config)
    if application.job_queue is not None:
        application.job_queue.run_repeating(_reload_knowledge, interval=config.knowledge.reload_seconds,
                                            first=config.knowledge.reload_seconds, name="reload")
        application.job_queue.run_repeating(_flush_log, interval=FLUSH_SECONDS, first=FLUSH_SECONDS,
                                            name="flush")
        application.job_queue.run_daily(_purge, time=PURGE_TIME, name="purge")
    logger.info("Næringsbot started: %d entries, database %s", len(services.engines.engine.knowledge),
                config.database_path)
    if config.staff.reach() is None:
        logger.warning("Nobody can be reached: neither staff.chat_id nor any staff.contact field is set, so the "
                       "bot offers no person to talk to; run 'naeringsbot doctor'")


async def _stop_services(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services = application.bot_data.services
    if services is not None:
        services.close()
        application.bot_data.services = None


async def _reload_knowledge(context: Context) -> None:
    services = context.bot_data.services
    if services is not None:
        # Parsing and building a large knowledge base takes a while: never on the event loop.
        try:
            await asyncio.to_thread(services.engines.reload_if_changed)
        except Exception:
            logger.exception("Knowledge-base reload failed; the previous knowledge base stays in use")


async def _flush_log(context: Context) -> None:
    services = context.bot_data.services
    if services is not None:
        services.log.flush()
        services.watch_database()


async def _purge(context: Context) -> None:
    services = context.bot_data.services
    if services is not None:
        retention = services.config.privacy.retention_days
        services.log.erase_queued(before=retention_cutoff(retention))
        erased = purge_expired(services.db, retention)
        SuggestionBox(services.db).drop_erased()
        services.log.users.forget_cached()
        services.assistant.pseudonymise.forget_all()
        chat_ids = services.handoffs.erase_closed_chat_ids(services.config.handoff.keep_chat_hours)
        logger.info("Retention purge: %s; chat ids of %d closed handoffs erased", erased, chat_ids)


def run_telegram(config: Config, engines: EngineHolder | None = None) -> None:
    """Run until SIGINT/SIGTERM: long polling, or a webhook when ``telegram.mode`` says so."""
    token = os.environ["TELEGRAM_BOT_TOKEN"]
    settings = config.telegram
    secret = None
    if settings.mode == "webhook":
        secret = os.environ.get(settings.webhook.secret_token_env)
        if not settings.webhook.url or not secret:
            raise SystemExit(
                "telegram.mode is webhook: set telegram.webhook.url in the config and the secret in "
                f"${settings.webhook.secret_token_env} (letters, digits, _ and -)."
            )
    try:
        asyncio.run(serve(build_application(config, token, engines=engines), settings, secret))
    except InvalidToken:
        logger.error("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather (/token) and set it again")
        raise SystemExit(2) from None

"""What every command shares: the --config option, reading the config, loading the engine, logging."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.config import Config, ConfigError, load_config
from bot.engine import AnswerEngine
from bot.knowledge.model import KnowledgeBaseError, load_knowledge

F = TypeVar("F", bound=Callable[..., Any])


def config_option(function: F) -> F:
    """``--config PATH`` on every command (``NAERINGSBOT_CONFIG`` works too)."""
    return click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Config file (default: $NAERINGSBOT_CONFIG or ./config.yaml).",
    )(function)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line for a log collector: time (ISO, with offset), level, logger, message, update_id."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        update_id = getattr(record, "update_id", None)
        if update_id is not None:
            entry["update_id"] = update_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging() -> None:
    """Log to stderr; HTTP client logs stay at WARNING because their URLs contain the bot token.

    python-telegram-bot logs its API URL (with the token) and every call's chat ids, names and texts
    at DEBUG, so its loggers stay at INFO or above whatever level is asked for.
    ``NAERINGSBOT_LOG_FORMAT=json`` gives one JSON object per line instead of plain text.
    """
    handler = logging.StreamHandler()
    if os.environ.get("NAERINGSBOT_LOG_FORMAT", "").strip().lower() == "json":
        handler.setFormatter(JsonLogFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=os.environ.get("NAERINGSBOT_LOG_LEVEL", "INFO").upper(), handlers=[handler])
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))


def read_config(config_file: Path | None) -> Config:
    try:
        return load_config(config_file)
    except ConfigError as error:
        click.echo(f"Error in config: {error}", err=True)
        sys.exit(2)


def build_engine(config: Config, directory: Path | None = None) -> AnswerEngine:
    try:
        knowledge = load_knowledge(directory or config.knowledge_dir)
    except KnowledgeBaseError as error:
        click.echo(f"The knowledge base has errors — run 'naeringsbot kb check':\n{error}", err=True)
        sys.exit(1)
    return AnswerEngine(knowledge, config.matching)

"""Running the bot: ``run`` (Telegram, or the terminal chat without a token), ``chat`` and ``purge``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from bot.cli.common import config_option, configure_logging, read_config
from bot.config import Config

if TYPE_CHECKING:
    from bot.knowledge.reloader import EngineHolder


@click.command()
@config_option
def run(config_file: Path | None) -> None:
    """Start the Telegram bot (long polling, or a webhook when configured).

    The bot token comes from the TELEGRAM_BOT_TOKEN environment variable. Without it, on a
    terminal, the local chat starts instead; without a terminal the command exits with status 2.

    Example: TELEGRAM_BOT_TOKEN=123:ABC naeringsbot run --config config.yaml
    """
    config = read_config(config_file)
    configure_logging()
    if not os.environ.get("TELEGRAM_BOT_TOKEN"):
        if not sys.stdin.isatty():
            click.echo(
                "TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather, then run:\n"
                "  TELEGRAM_BOT_TOKEN=<token> naeringsbot run",
                err=True,
            )
            sys.exit(2)
        click.echo(
            "TELEGRAM_BOT_TOKEN is not set, so this is the local terminal chat. "
            "To connect Telegram, see the README (\"Run it on Telegram\")."
        )
        start_chat(config, "nb")
        return
    lock = hold_run_lock_or_exit(config)  # held while the bot runs: restore refuses meanwhile
    try:
        channel("telegram")(config, load_engines_or_exit(config))
    finally:
        lock.close()


def channel(name: str) -> Callable[[Config, EngineHolder], None]:
    """The runner a channel adapter registers (``naeringsbot.channels`` entry point).

    The core never imports an adapter: ``handlers`` declares itself in ``pyproject.toml``.
    """
    for entry in entry_points(group="naeringsbot.channels"):
        if entry.name == name:
            runner: Callable[[Config, EngineHolder], None] = entry.load()
            return runner
    raise click.ClickException(f"No '{name}' channel is installed: reinstall the package (make install).")


@click.command()
@config_option
@click.option("--lang", type=click.Choice(["nb", "nn", "en"]), default="nb", show_default=True,
              help="Language of the replies until a question shows another.")
def chat(config_file: Path | None, lang: str) -> None:
    """Chat with the bot in this terminal, through the same answer engine as Telegram.

    Type a question; type a number to pick one of the listed choices; Ctrl-D quits.

    Example: naeringsbot chat --lang en
    """
    start_chat(read_config(config_file), lang)


def hold_run_lock_or_exit(config: Config) -> IO[str]:
    """One bot per database: a second ``run`` or ``chat`` on the same file exits with a clear message."""
    from bot.store.backup import RunLockHeld, hold_run_lock

    try:
        return hold_run_lock(config.database_path)
    except RunLockHeld as error:
        click.echo(f"{error} — stop the other one first (or point NAERINGSBOT_DATABASE elsewhere).", err=True)
        sys.exit(1)


def load_engines_or_exit(config: Config) -> EngineHolder:
    """The knowledge base and its matcher, built once; a broken knowledge base exits with its errors."""
    from bot.knowledge.model import KnowledgeBaseError
    from bot.services import load_engines

    try:
        return load_engines(config)
    except KnowledgeBaseError as error:
        click.echo(f"The knowledge base has errors — run 'naeringsbot kb check':\n{error}", err=True)
        sys.exit(1)


def start_chat(config: Config, lang: str) -> None:
    from bot.chat import run_chat
    from bot.services import build_services

    lock = hold_run_lock_or_exit(config)
    services = build_services(config, load_engines_or_exit(config))
    try:
        run_chat(services.assistant, {"nn": "nn", "en": "en"}.get(lang, "nb"))  # type: ignore[arg-type]
    finally:
        services.close()
        lock.close()


@click.command()
@config_option
def purge(config_file: Path | None) -> None:
    """Apply the retention rules now: erase texts and pseudonyms older than privacy.retention_days.

    Also erases the chat ids of handoffs closed longer ago than handoff.keep_chat_hours. The
    running bot does this every night; anonymous counts (date, entry, outcome) stay.

    Example: naeringsbot purge --config config.yaml
    """
    from bot.learning.suggestions import SuggestionBox
    from bot.store.database import open_database
    from bot.store.handoffs import HandoffDesk
    from bot.store.privacy import purge_expired

    config = read_config(config_file)
    db = open_database(config.database_path)
    erased = purge_expired(db, config.privacy.retention_days)
    SuggestionBox(db).drop_erased()
    chat_ids = HandoffDesk(db).erase_closed_chat_ids(config.handoff.keep_chat_hours)
    click.echo(
        f"Erased texts of {erased.inquiries} inquiries, {erased.handoffs} handoffs and "
        f"{erased.users} inactive users older than {config.privacy.retention_days} days, and the "
        f"chat ids of {chat_ids} handoffs closed more than {config.handoff.keep_chat_hours} hours ago."
    )

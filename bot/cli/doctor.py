"""``doctor``: is this installation ready to go live?"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.common import config_option, read_config


@click.command()
@config_option
def doctor(config_file: Path | None) -> None:
    """The go-live checklist: each line ✔ or ✖ with what to do; exit 0 when ready, 1 otherwise.

    Checks the token (getMe), the staff chat (reachable, the bot may post and open topics), staff
    ids and contact fields, the pseudonymisation secret, the database, retention, the webhook and
    the knowledge base with its review dates.

    Example: TELEGRAM_BOT_TOKEN=123:ABC naeringsbot doctor --config config.yaml
    """
    from bot.doctor import run_checks

    checks = run_checks(read_config(config_file))
    for check in checks:
        click.echo(str(check))
    ready = all(check.ok for check in checks)
    click.echo("Klar til bruk." if ready else "Ikke klar: rett det som er merket ✖ og kjør doctor igjen.")
    sys.exit(0 if ready else 1)

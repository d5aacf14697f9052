"""``doctor``: is this installation ready to go live, and (``--live``) is the running bot alive?"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.common import config_option, read_config


@click.command()
@config_option
@click.option("--live", is_flag=True,
              help="Only check the running bot: the last poll (heartbeat file) and the database, or GET /healthz "
                   "in webhook mode. For a container health check or a monitor.")
def doctor(config_file: Path | None, live: bool) -> None:
    """The go-live checklist: each line ✔ or ✖ with what to do; exit 0 when ready, 1 otherwise.

    Checks the token (getMe), the staff chat (reachable, the bot may post and open topics), staff
    ids and contact fields, the pseudonymisation secret, the database, retention, the webhook and
    the knowledge base with its review dates.

    With --live it checks the running bot instead, with no call to Telegram: in polling mode that
    the heartbeat file (ops.heartbeat, by default beside the database) was touched by a successful
    getUpdates less than ops.max_poll_age_seconds ago and that the database is writable; in
    webhook mode that GET /healthz on the webhook server answers 200. Exit 0 when alive, 1 when not.

    \b
    Example: TELEGRAM_BOT_TOKEN=123:ABC naeringsbot doctor --config config.yaml
             naeringsbot doctor --live
    """
    config = read_config(config_file)
    if live:
        from bot.health import live_checks

        checks = live_checks(config)
    else:
        from bot.doctor import run_checks

        checks = run_checks(config)
    for check in checks:
        click.echo(str(check))
    ready = all(check.ok for check in checks)
    if live:
        click.echo("Boten kjører." if ready else "Boten svarer ikke som den skal: se det som er merket ✖.")
    else:
        click.echo("Klar til bruk." if ready else "Ikke klar: rett det som er merket ✖ og kjør doctor igjen.")
    sys.exit(0 if ready else 1)

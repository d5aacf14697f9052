"""Operating the installation: ``backup``, ``restore`` and ``migrate`` (for the IT department)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli import cli
from bot.cli.common import config_option, configure_logging, read_config
from bot.cli.progress import progress_bar


@click.command()
@config_option
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the copy (mode 0600; an existing file is replaced).")
def backup(config_file: Path | None, output: Path) -> None:
    """Copy the inquiry log while the bot runs, verified, readable only by its owner (mode 0600).

    Uses SQLite's online backup API (never a file copy of the live WAL database), then checks the
    copy with PRAGMA integrity_check and compares its row counts per table with the database's at
    the moment of the copy. Back up the pseudonymisation secret (secret.key beside the database, or
    NAERINGSBOT_SECRET) separately.

    Example: naeringsbot backup --output /var/backups/naeringsbot/inquiries.db
    """
    from bot.store.backup import BackupError
    from bot.store.backup import backup as make_backup

    config = read_config(config_file)
    configure_logging()
    database = config.database_path
    try:
        with progress_bar(f"Copying {database.name}") as progress:
            verified = make_backup(database, output, progress)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up {database} to {output} (mode 0600): integrity ok; rows {verified.summary()}.")


@click.command()
@config_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(config_file: Path | None, file: Path) -> None:
    """Replace the inquiry log with a backup; refuses while the bot runs.

    Checks the file first (integrity, a Næringsbot database, a schema no newer than this release),
    keeps the replaced database aside under a timestamped name (inquiries.db.replaced-…), then puts
    the backup in place and applies this release's migrations to it. Stop the bot before, start it after.

    Example: naeringsbot restore /var/backups/naeringsbot/inquiries.db
    """
    from bot.store.backup import BackupError
    from bot.store.backup import restore as restore_backup

    config = read_config(config_file)
    configure_logging()
    database = config.database_path
    try:
        restored = restore_backup(file, database)
    except BackupError as error:
        raise click.ClickException(f"Nothing restored: {error}") from error
    click.echo(f"Checked {file}: integrity ok, a Næringsbot database; rows {restored.backup.summary()}.")
    if restored.set_aside:
        click.echo(f"Kept the replaced database as {restored.set_aside}.")
    click.echo(f"Restored {file} to {database} (mode 0600).")
    if restored.migrated:
        click.echo(f"Applied migrations: {', '.join(restored.migrated)}.")
    spool = database.with_name(database.name + "-queued.jsonl")
    if spool.exists():
        click.echo(f"Rows queued in {spool} will be written into the restored database at the next start.")


@click.command()
@config_option
@click.option("--check", is_flag=True, help="Only list pending migrations: exit 1 if there are any, 0 if none.")
def migrate(config_file: Path | None, check: bool) -> None:
    """Bring the inquiry log's schema up to this release (the bot also does it at start).

    With --check nothing is changed: it lists the migrations still to run and exits 1 if there are
    any, 0 if the database is up to date, 2 if the database comes from a newer release.

    Example: naeringsbot migrate --check
    """
    from bot.store.backup import pending_migrations, unknown_migrations

    config = read_config(config_file)
    configure_logging()
    database = config.database_path
    unknown = unknown_migrations(database)
    if unknown:
        click.echo(f"{database} comes from a newer release (unknown migrations: {', '.join(unknown)}): "
                   "install that release, or restore the backup taken before the upgrade", err=True)
        sys.exit(2)
    pending = pending_migrations(database)
    if check:
        where = database if database.exists() else f"{database} (not created yet)"
        if not pending:
            click.echo(f"{where}: up to date, no pending migrations.")
            return
        click.echo(f"{where}: {len(pending)} pending migration(s):")
        for name in pending:
            click.echo(f"  {name}")
        sys.exit(1)
    from bot.store.database import open_database

    open_database(database).conn.close()
    if pending:
        click.echo(f"{database}: applied {', '.join(pending)}.")
    else:
        click.echo(f"{database}: up to date, nothing to apply.")


for _command in (backup, restore, migrate):
    cli.add_command(_command)

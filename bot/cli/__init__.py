"""The ``naeringsbot`` command line: one click group, each command's docstring is its ``--help``.

Commands live by what they serve: ``serve`` (run, chat, purge), ``kb`` (check, eval, tune) and
``staff`` (report, export, review).
"""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="naeringsbot")
def cli() -> None:
    """Næringsbot: Drammen municipality's business-development assistant on Telegram.

    Answers founders, companies, tourism businesses and researchers from the knowledge base in
    knowledge/*.yaml, and logs inquiries for the programme's indicators.
    """


def main() -> None:
    cli(prog_name="naeringsbot")


def _register() -> None:
    from bot.cli import learn  # noqa: F401  (adds the review-queue commands to the kb group)
    from bot.cli import ops as _ops  # noqa: F401  (adds backup, restore and migrate)
    from bot.cli import workbook as _workbook  # noqa: F401  (adds kb export and kb import to the kb group)
    from bot.cli.doctor import doctor
    from bot.cli.kb import kb
    from bot.cli.serve import chat, purge, run
    from bot.cli.staff import export, report, review

    for command in (run, chat, kb, report, export, review, purge, doctor):
        cli.add_command(command)


_register()

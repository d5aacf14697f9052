"""Staff review on a computer: ``report``, ``export`` and ``review`` of the inquiry log."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlite_utils import Database

from bot.cli.common import F, config_option, read_config
from bot.config import Config
from bot.knowledge.model import KnowledgeBase, KnowledgeBaseError, load_knowledge
from bot.matching.matcher import Matcher
from bot.reports.periods import Period, PeriodError, resolve_period
from bot.reports.report import FORMATS as REPORT_FORMATS


def period_options(function: F) -> F:
    """``--from``/``--to`` (inclusive ISO dates, Oslo days) or ``--period``; the default is the current year."""
    function = click.option("--period", "period_text", metavar="PERIOD",
                            help="2026, 2026-Q4, 2026-11, 2026-11-01..2026-11-30 or words such as "
                                 "'forrige måned', 'november', 'i fjor', 'Q4' (instead of --from/--to).")(function)
    function = click.option("--to", "end", metavar="DATE", help="Last day, YYYY-MM-DD (included).")(function)
    return click.option("--from", "start", metavar="DATE", help="First day, YYYY-MM-DD (included).")(function)


def read_period(start: str | None, end: str | None, period_text: str | None) -> Period:
    try:
        return resolve_period(start, end, period_text)
    except PeriodError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)


def open_inquiry_log(config: Config) -> Database:
    """The live inquiry log; a missing file is an error here, since empty figures would look real."""
    from bot.store.database import open_database

    path = config.database_path
    if not path.exists():
        click.echo(f"Error: no inquiry log at {path} — check storage.database in the config or "
                   "NAERINGSBOT_DATABASE", err=True)
        sys.exit(1)
    return open_database(path)


def knowledge_for_reports(config: Config) -> KnowledgeBase | None:
    """Topics and closest entries need the knowledge base, but a broken one must not stop a report."""
    try:
        return load_knowledge(config.knowledge_dir)
    except KnowledgeBaseError:
        click.echo("Warning: the knowledge base has errors, so topics and closest answers are left out "
                   "— run 'naeringsbot kb check'", err=True)
        return None


@click.command()
@config_option
@period_options
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="table", show_default=True,
              help="table for the terminal, md for a council document, csv or json for other tools.")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the chart (inquiries per week by topic, each count target's year to date) as "
                   "PNG; the Markdown form links it.")
@click.option("--lang", type=click.Choice(["nb", "en"]), default="nb", show_default=True,
              help="Language of headings, labels and the chart.")
def report(config_file: Path | None, start: str | None, end: str | None, period_text: str | None, fmt: str,
           chart: Path | None, lang: str) -> None:
    """Indicators for a period against the targets (måltall) in config; the current year by default.

    Counts only real users on Telegram (not staff, not the terminal chat); what each figure counts is
    explained at the end of the table and Markdown forms, and in bot/reports/metrics.py.

    \b
    Example: naeringsbot report --period 2026-Q4 --format md --chart q4.png > rapport-q4.md
    """
    from bot.reports.report import build_report, render

    config = read_config(config_file)
    period = read_period(start, end, period_text)
    db = open_inquiry_log(config)
    knowledge = knowledge_for_reports(config)
    matcher = Matcher(knowledge, config.matching) if knowledge is not None else None
    figures = build_report(db, config, period, knowledge, matcher)
    if chart is not None:
        from bot.reports.charts import save_chart, weekly_chart

        save_chart(weekly_chart(db, period, knowledge, config.indicators, lang), chart)
    click.echo(render(figures, fmt, lang, knowledge, config, str(chart) if chart else None), nl=fmt == "json")
    if chart is not None:
        click.echo(f"Chart saved to {chart}", err=True)


@click.command()
@config_option
@period_options
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.xlsx (a workbook: the figures plus one sheet per table) or FILE.csv (inquiries only).")
def export(config_file: Path | None, start: str | None, end: str | None, period_text: str | None,
           output: Path) -> None:
    """Export the inquiry log of a period for a spreadsheet; the current year by default.

    FILE.xlsx holds the report's figures (summary, targets, per month, per topic, per language,
    unanswered) and the period's inquiries, feedback, handoffs and users, with Norwegian headers and
    times in Oslo time; FILE.csv holds the inquiries, in UTF-8 with a byte-order mark so Excel shows
    æ, ø and å. Both are written readable by their owner only (mode 0600).

    \b
    Example: naeringsbot export --period 2026-11 --output henvendelser-november.xlsx
    """
    from bot.cli.progress import progress_bar
    from bot.reports.export import export_csv, export_xlsx

    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        click.echo(f"Error: --output must end in .xlsx or .csv, not '{output.name}'", err=True)
        sys.exit(2)
    config = read_config(config_file)
    period = read_period(start, end, period_text)
    db = open_inquiry_log(config)
    if suffix == ".xlsx":
        knowledge = knowledge_for_reports(config)
        matcher = Matcher(knowledge, config.matching) if knowledge is not None else None
        with progress_bar(f"Writing {output.name}") as progress:
            counts = export_xlsx(db, period, output, config, knowledge, matcher, progress=progress)
        rows = ", ".join(f"{count} {table}" for table, count in counts.items())
    else:
        rows = f"{export_csv(db, period, output)} inquiries"
    click.echo(f"Wrote {rows} for {period.label} to {output}")


@click.command()
@config_option
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True,
              help="Port on 127.0.0.1.")
def review(config_file: Path | None, port: int) -> None:
    """Open the inquiry log in Datasette on 127.0.0.1, read-only, with ready-made queries in Norwegian.

    Queries: unanswered questions this month, answers shown per month, feedback per answer, questions
    passed to staff, and this year's indicators against the targets in config. Ctrl-C stops it.

    \b
    Example: naeringsbot review --port 8001, then open http://127.0.0.1:8001/
    """
    from bot.reports.review import ReviewError, serve

    config = read_config(config_file)
    open_inquiry_log(config).conn.close()  # a mistyped path is an error, not a new empty log
    knowledge = knowledge_for_reports(config)
    click.echo(f"The inquiry log {config.database_path} at http://127.0.0.1:{port}/ (read-only; Ctrl-C stops)")
    try:
        serve(config, port, knowledge)
    except ReviewError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)

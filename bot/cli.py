"""The ``naeringsbot`` command line: one click group, each command's docstring is its ``--help``."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml
from sqlite_utils import Database

from bot.config import Config, ConfigError, load_config
from bot.engine import AnswerEngine
from bot.evaluation import QuestionFileError, evaluate, format_table, load_questions, unknown_ids
from bot.kbcheck import check_knowledge
from bot.knowledge import KnowledgeBase, KnowledgeBaseError, load_knowledge
from bot.periods import Period, PeriodError, resolve_period
from bot.report import FORMATS as REPORT_FORMATS

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


def configure_logging() -> None:
    """Log to stderr; HTTP client logs stay at WARNING because their URLs contain the bot token.

    python-telegram-bot logs its API URL (with the token) and every call's chat ids, names and texts
    at DEBUG, so its loggers stay at INFO or above whatever level is asked for.
    """
    logging.basicConfig(
        level=os.environ.get("NAERINGSBOT_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="naeringsbot")
def cli() -> None:
    """Næringsbot: Drammen municipality's business-development assistant on Telegram.

    Answers founders, companies, tourism businesses and researchers from the knowledge base in
    knowledge/*.yaml, and logs inquiries for the programme's indicators.
    """


@cli.command()
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
    from bot.app import run_telegram

    build_engine(config)  # a broken knowledge base stops here with its file:line errors
    run_telegram(config)


@cli.command()
@config_option
@click.option("--lang", type=click.Choice(["nb", "en"]), default="nb", show_default=True,
              help="Language of the replies until a question shows another.")
def chat(config_file: Path | None, lang: str) -> None:
    """Chat with the bot in this terminal, through the same answer engine as Telegram.

    Type a question; type a number to pick one of the listed choices; Ctrl-D quits.

    Example: naeringsbot chat --lang en
    """
    start_chat(read_config(config_file), lang)


def start_chat(config: Config, lang: str) -> None:
    from bot.chat import run_chat
    from bot.services import build_services

    build_engine(config)  # a broken knowledge base exits here with its errors
    services = build_services(config)
    try:
        run_chat(services.assistant, "en" if lang == "en" else "nb")
    finally:
        services.close()


@cli.group()
def kb() -> None:
    """Check and evaluate the knowledge base (knowledge/*.yaml)."""


@kb.command("check")
@config_option
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def kb_check(config_file: Path | None, directory: Path | None) -> None:
    """Validate the knowledge base; print 'file:line: problem — what to do' for each problem.

    Exit status 0 when valid (warnings such as an overdue review date allowed), 1 when not.

    Example: naeringsbot kb check knowledge/
    """
    folder = directory or read_config(config_file).knowledge_dir
    problems = check_knowledge(folder)
    for problem in problems:
        click.echo(str(problem), err=problem.severity == "error")
    errors = sum(problem.severity == "error" for problem in problems)
    warnings = len(problems) - errors
    if errors:
        click.echo(f"{errors} error(s), {warnings} warning(s) in {folder}", err=True)
        sys.exit(1)
    click.echo(f"{folder}: OK ({warnings} warning(s))")


@kb.command("eval")
@config_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--knowledge", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Knowledge folder to evaluate (default: knowledge.dir from config).")
def kb_eval(config_file: Path | None, file: Path, as_json: bool, directory: Path | None) -> None:
    """Run test questions through the matcher and print accuracy, rejection and latency.

    FILE is a YAML list of {q, expect, lang} items; expect is an entry id, a list of ids, or
    null for questions the bot should not answer.

    Example: naeringsbot kb eval knowledge/eval/questions.yaml --json
    """
    config = read_config(config_file)
    engine = build_engine(config, directory)
    try:
        questions = load_questions(file)
    except QuestionFileError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    problems = unknown_ids(questions, engine, file)
    if problems:
        click.echo("\n".join(str(problem) for problem in problems), err=True)
        sys.exit(1)
    summary = evaluate(engine, questions)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(summary))


@cli.command()
@config_option
def purge(config_file: Path | None) -> None:
    """Apply the retention rules now: erase texts and pseudonyms older than privacy.retention_days.

    Also erases the chat ids of handoffs closed longer ago than handoff.keep_chat_hours. The
    running bot does this every night; anonymous counts (date, entry, outcome) stay.

    Example: naeringsbot purge --config config.yaml
    """
    from bot.database import open_database
    from bot.handoffs import HandoffDesk
    from bot.privacy import purge_expired

    config = read_config(config_file)
    db = open_database(config.database_path)
    erased = purge_expired(db, config.privacy.retention_days)
    chat_ids = HandoffDesk(db).erase_closed_chat_ids(config.handoff.keep_chat_hours)
    click.echo(
        f"Erased texts of {erased.inquiries} inquiries, {erased.handoffs} handoffs and "
        f"{erased.users} inactive users older than {config.privacy.retention_days} days, and the "
        f"chat ids of {chat_ids} handoffs closed more than {config.handoff.keep_chat_hours} hours ago."
    )


@kb.command("tune")
@config_option
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--max-wrong", default=0.02, show_default=True, help="Highest wrong-answer rate allowed.")
@click.option("--min-rejection", default=0.92, show_default=True, help="Lowest out-of-scope rejection allowed.")
@click.option("--top", default=5, show_default=True, help="How many of the best settings to show.")
def kb_tune(config_file: Path | None, files: tuple[Path, ...], max_wrong: float, min_rejection: float,
            top: int) -> None:
    """Fit the confidence model and search the thresholds on test questions.

    Scores every question once, fits the model that tells a right best entry from a wrong or
    out-of-scope one, then tries every combination of answer_threshold, suggest_threshold and
    min_gap on cross-validated confidences (each from a model that did not see the question).
    Prints a matching: block for config.yaml; nothing is changed automatically. Tune on
    development questions and check the result with 'kb eval' on questions not used here.

    Example: naeringsbot kb tune knowledge/eval/questions.yaml knowledge/eval/questions-c.yaml
    """
    from bot.tuning import fit_confidence, out_of_fold_confidence, score_questions, tune

    config = read_config(config_file)
    engine = build_engine(config)
    questions = []
    for file in files:
        try:
            questions.extend(load_questions(file))
        except QuestionFileError as error:
            click.echo(str(error), err=True)
            sys.exit(1)
    scored = score_questions(engine.matcher, questions)
    model = fit_confidence(scored, questions)
    confidences = out_of_fold_confidence(scored, questions)
    results = tune(scored, questions, confidences, max_wrong=max_wrong, min_rejection=min_rejection)
    if not results:
        click.echo("No thresholds meet the limits; loosen --max-wrong or --min-rejection.", err=True)
        sys.exit(1)
    click.echo(f"{len(questions)} questions; best settings first:")
    click.echo("answer  suggest  gap    answered  rejected  wrong")
    for result in results[:top]:
        click.echo(f"{result.answer_threshold:6.2f}  {result.suggest_threshold:7.2f}  {result.min_gap:5.2f}  "
                   f"{result.answer_accuracy:8.1%}  {result.rejection_rate:8.1%}  {result.wrong_answer_rate:5.1%}")
    best = results[0]
    block = {"matching": {
        "answer_threshold": best.answer_threshold, "suggest_threshold": best.suggest_threshold,
        "min_gap": best.min_gap, "max_suggestions": config.matching.max_suggestions,
        "confidence": {"intercept": model.intercept, "weights": model.weights},
    }}
    click.echo("\nFor config.yaml:\n" + yaml.safe_dump(block, sort_keys=False))


# Staff review: report, export, review ----------------------------------------------------------


def period_options(function: F) -> F:
    """``--from``/``--to`` (inclusive ISO dates) or ``--period``; the default is the current year."""
    function = click.option("--period", "period_text", metavar="PERIOD",
                            help="2026, 2026-Q4, 2026-11 or 2026-11-01..2026-11-30 (instead of --from/--to).")(function)
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
    from bot.database import open_database

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


@cli.command()
@config_option
@period_options
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="table", show_default=True,
              help="table for the terminal, md for a council document, csv or json for other tools.")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the weekly chart (inquiries per week by topic, with the target pace) as PNG.")
@click.option("--lang", type=click.Choice(["nb", "en"]), default="nb", show_default=True,
              help="Language of headings, labels and the chart.")
def report(config_file: Path | None, start: str | None, end: str | None, period_text: str | None, fmt: str,
           chart: Path | None, lang: str) -> None:
    """Indicators for a period against the targets (måltall) in config; the current year by default.

    Counts only real users on Telegram (not staff, not the terminal chat); what each figure counts is
    explained at the end of the table and Markdown forms, and in bot/indicators.py.

    \b
    Example: naeringsbot report --period 2026-Q4 --format md --chart q4.png > rapport-q4.md
    """
    from bot.report import build_report, render

    config = read_config(config_file)
    period = read_period(start, end, period_text)
    db = open_inquiry_log(config)
    knowledge = knowledge_for_reports(config)
    matcher = AnswerEngine(knowledge, config.matching).matcher if knowledge is not None else None
    figures = build_report(db, config, period, knowledge, matcher)
    click.echo(render(figures, fmt, lang, knowledge, config), nl=fmt == "json")
    if chart is not None:
        from bot.charts import save_chart, weekly_chart

        save_chart(weekly_chart(db, period, knowledge, config.indicators, lang), chart)
        click.echo(f"Chart saved to {chart}", err=True)


@cli.command()
@config_option
@period_options
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.xlsx (a workbook: summary plus one sheet per table) or FILE.csv (inquiries only).")
def export(config_file: Path | None, start: str | None, end: str | None, period_text: str | None,
           output: Path) -> None:
    """Export the inquiry log of a period for a spreadsheet; the current year by default.

    FILE.xlsx holds a summary sheet and the inquiries, feedback, handoffs and users of the period;
    FILE.csv holds the inquiries, in UTF-8 with a byte-order mark so Excel shows æ, ø and å.

    \b
    Example: naeringsbot export --period 2026-11 --output henvendelser-november.xlsx
    """
    from bot.export import export_csv, export_xlsx

    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        click.echo(f"Error: --output must end in .xlsx or .csv, not '{output.name}'", err=True)
        sys.exit(2)
    config = read_config(config_file)
    period = read_period(start, end, period_text)
    db = open_inquiry_log(config)
    if suffix == ".xlsx":
        counts = export_xlsx(db, period, output)
        rows = ", ".join(f"{count} {table}" for table, count in counts.items())
    else:
        rows = f"{export_csv(db, period, output)} inquiries"
    click.echo(f"Wrote {rows} for {period.label} to {output}")


@cli.command()
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
    from bot.review import ReviewError, serve

    config = read_config(config_file)
    open_inquiry_log(config).conn.close()  # a mistyped path is an error, not a new empty log
    knowledge = knowledge_for_reports(config)
    click.echo(f"The inquiry log {config.database_path} at http://127.0.0.1:{port}/ (read-only; Ctrl-C stops)")
    try:
        serve(config, port, knowledge)
    except ReviewError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)


def main() -> None:
    cli(prog_name="naeringsbot")

"""``kb suggestions``, ``accept``, ``reject``, ``undo``, ``history``: what the bot learned from use,
decided by staff. Each accepted phrasing passes ``kb check`` and the evaluation sets first."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

import click

from bot.cli.common import config_option, read_config
from bot.cli.kb import kb
from bot.config import Config
from bot.learning.decisions import Refused, accept, reject, undo
from bot.learning.suggestions import Suggestion, SuggestionBox


def open_box(config: Config) -> SuggestionBox:
    from bot.store.database import open_database

    return SuggestionBox(open_database(config.database_path))


def who(config: Config) -> str:
    """The person at the terminal as the history shows them: a pseudonym unless names are configured."""
    name = getpass.getuser()
    if config.staff.show_names:
        return f"terminal {name}"
    from bot.store.pseudonyms import Pseudonymiser, load_secret

    return f"terminal {Pseudonymiser(load_secret(config.database_path))(f'cli:{name}')[:8]}"


def refreshed(config: Config, box: SuggestionBox) -> list[Suggestion]:
    from bot.engine import AnswerEngine
    from bot.knowledge.model import load_knowledge
    from bot.learning.suggestions import known_phrasings

    knowledge = load_knowledge(config.knowledge_dir)
    engine = AnswerEngine(knowledge, config.matching)
    return box.refresh(engine.matcher, known_phrasings(knowledge))


@kb.command("suggestions")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def kb_suggestions(config_file: Path | None, as_json: bool) -> None:
    """Open suggestions from use, most frequent first: new phrasings and unanswered questions.

    A phrasing is a question followed by the entry its asker chose ("did you mean" pick, a menu
    pick right after "I don't know", or 👍 on an unsure answer); its count is distinct users.
    Nothing is added to the knowledge base until staff accept it.

    Example: naeringsbot kb suggestions --json
    """
    config = read_config(config_file)
    suggestions = refreshed(config, open_box(config))
    if as_json:
        click.echo(json.dumps([suggestion.as_json() for suggestion in suggestions], ensure_ascii=False, indent=2))
        return
    if not suggestions:
        click.echo("Ingen åpne forslag.")
    for suggestion in suggestions:
        kind = "formulering" if suggestion.kind == "phrasing" else "ubesvart"
        target = f" → {suggestion.entry}" if suggestion.entry else ""
        click.echo(f"{suggestion.id:>5}  {kind:<11} {suggestion.count:>3}×  «{suggestion.text}»{target}")


@kb.command("accept")
@config_option
@click.argument("suggestion_id", type=int)
@click.option("--entry", help="Add it to this entry instead of the proposed one.")
@click.option("--lang", type=click.Choice(["nb", "nn", "en"]), help="Its language (detected if not given).")
def kb_accept(config_file: Path | None, suggestion_id: int, entry: str | None, lang: str | None) -> None:
    """Add a suggestion as an alternate question of its entry, guarded by kb check and the eval sets.

    The entry's YAML file keeps its comments, order and quoting; the change is printed as a diff
    and added to knowledge/eval/learned.yaml. Nothing is written when the check fails, the
    wrong-answer rate rises or a question answered right would be answered wrong (exit 1).

    Example: naeringsbot kb accept 12 --entry establisher-courses
    """
    config = read_config(config_file)
    box = open_box(config)
    refreshed(config, box)
    try:
        change = accept(config, box, suggestion_id, who(config), entry=entry, lang=lang)
    except Refused as error:
        click.echo(f"Not accepted: {error}", err=True)
        sys.exit(1)
    click.echo(change.diff, nl=False)
    click.echo(f"Added «{change.text}» to {change.entry} ({change.lang}); the running bot picks it up by itself.")


@kb.command("reject")
@config_option
@click.argument("suggestion_id", type=int)
@click.option("--needs-answer", is_flag=True, help="Keep it on the editors' list of questions needing a new answer.")
def kb_reject(config_file: Path | None, suggestion_id: int, needs_answer: bool) -> None:
    """Reject a suggestion (it is not suggested again), or mark it as needing a new answer.

    Example: naeringsbot kb reject 12
    """
    config = read_config(config_file)
    box = open_box(config)
    refreshed(config, box)
    try:
        reject(box, suggestion_id, who(config), "needs_answer" if needs_answer else "rejected")
    except Refused as error:
        click.echo(f"Not changed: {error}", err=True)
        sys.exit(1)
    click.echo(f"Suggestion {suggestion_id}: {'needs a new answer' if needs_answer else 'rejected'}.")


@kb.command("undo")
@config_option
@click.argument("suggestion_id", type=int)
def kb_undo(config_file: Path | None, suggestion_id: int) -> None:
    """Take an accepted phrasing out of the knowledge base (and the learned set) again.

    Example: naeringsbot kb undo 12
    """
    config = read_config(config_file)
    try:
        change = undo(config, open_box(config), suggestion_id, who(config))
    except Refused as error:
        click.echo(f"Not changed: {error}", err=True)
        sys.exit(1)
    click.echo(change.diff, nl=False)
    click.echo(f"Removed «{change.text}» from {change.entry} ({change.lang}).")


@kb.command("history")
@config_option
def kb_history(config_file: Path | None) -> None:
    """Who accepted, rejected or undid which suggestion, and when (staff by pseudonym).

    Example: naeringsbot kb history
    """
    config = read_config(config_file)
    rows = open_box(config).history()
    if not rows:
        click.echo("Ingen avgjørelser ennå.")
    for row in rows:
        text = f" «{row['text']}»" if row["text"] else ""
        entry = f" → {row['entry']}" if row["entry"] else ""
        click.echo(f"{row['at']}  #{row['suggestion_id']} {row['action']}{text}{entry}  ({row['by']})")

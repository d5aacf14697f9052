"""``kb``: check, evaluate and tune the knowledge base (knowledge/*.yaml)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import yaml

from bot.cli.common import build_engine, config_option, read_config
from bot.cli.progress import progress_bar
from bot.knowledge.check import check_knowledge
from bot.knowledge.evaluation import QuestionFileError, evaluate, format_table, load_questions, unknown_ids
from bot.knowledge.model import knowledge_files
from bot.knowledge.problems import Message, MessageLang
from bot.knowledge.problems import summary as check_summary

if TYPE_CHECKING:
    from bot.knowledge.ranking import RankingChoice


@click.group()
def kb() -> None:
    """Check, evaluate and tune the knowledge base (knowledge/*.yaml)."""


@kb.command("check")
@config_option
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["nb", "en"]), default="nb", show_default=True,
              help="Language of the messages: Norwegian (Bokmål) or English.")
def kb_check(config_file: Path | None, directory: Path | None, lang: MessageLang) -> None:
    """Validate the knowledge base; print 'file:line: Feil: entry: problem — what to do' for each problem.

    Errors ("Feil") make the exit status 1; warnings ("Advarsel", such as an overdue review date or an
    answer card too long for one Telegram message) leave it 0. When a file cannot be read, only that
    file is reported until it parses. The entries that must exist and the languages every text needs
    are knowledge.required_ids and knowledge.languages in config. The last line sums up, like
    "2 feil, 1 advarsel i 9 filer".

    Example: naeringsbot kb check knowledge/ --lang en
    """
    config = read_config(config_file)
    folder = directory or config.knowledge_dir
    problems = check_knowledge(folder, required_ids=config.knowledge.required_ids,
                               languages=config.knowledge.languages, staff=config.staff,
                               max_bytes=config.knowledge.max_file_kb * 1024)
    failed = any(problem.severity == "error" for problem in problems)
    for problem in problems:
        click.echo(problem.render(lang), err=problem.severity != "warning")
    summary = check_summary(problems, len(knowledge_files(folder)) if folder.is_dir() else 0, lang)
    click.echo(Message.of("summary_failed" if failed else "summary_ok", folder=str(folder), summary=summary)
               .render(lang), err=failed)
    if failed:
        sys.exit(1)


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
    with progress_bar(f"Evaluating {file.name}", quiet=as_json) as progress:
        summary = evaluate(engine, questions, progress)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(summary))


@kb.command("tune")
@config_option
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--max-wrong", default=0.02, show_default=True,
              help="Highest wrong-answer rate allowed, of all questions and of the in-scope ones.")
@click.option("--min-rejection", default=0.92, show_default=True, help="Lowest out-of-scope rejection allowed.")
@click.option("--out-of-scope-share", default=0.3, show_default=True,
              help="Share of out-of-scope questions the rates assume (the corpus is reweighted to it).")
@click.option("--top", default=5, show_default=True, help="How many of the best settings to show.")
@click.option("--keep-ranking", is_flag=True,
              help="Keep the ranking weights (matching.phrase_weight, char_weight, bm25_weight, semantic_weight) "
                   "from the config instead of choosing them.")
def kb_tune(config_file: Path | None, files: tuple[Path, ...], max_wrong: float, min_rejection: float,
            out_of_scope_share: float, top: int, keep_ranking: bool) -> None:
    """Fit the ranking weights, the confidence model and the thresholds from the knowledge base itself.

    With no FILES the examples are the knowledge base's own alternate questions, each scored by
    a matcher built without it and its near-copies (in scope), and the general out-of-scope
    corpus shipped with Næringsbot plus the decline entries' questions (out of scope).
    Test-question FILES, when given, are added on top with half the weight (near-copies then
    stay). First chooses how much the closest alternate question, the character n-grams, BM25
    and the semantic similarity count in the ranking (phrase_weight, char_weight, bm25_weight,
    semantic_weight: the weights that rank the most alternate questions first; the config's stay
    unless others do clearly better; the semantic similarity only for a knowledge base in
    English). Then fits the model that tells a right best entry from a wrong or out-of-scope
    one, then tries every combination of answer_threshold, suggest_threshold and min_gap on
    cross-validated confidences. Prints a matching: block for config.yaml; nothing is changed
    automatically. Run it after adding or rewording entries, and check the result with 'kb eval'
    on questions not used here.

    Example: naeringsbot kb tune    (or: naeringsbot kb tune knowledge/eval/questions.yaml)
    """
    from bot.knowledge.folds import Example
    from bot.knowledge.tuning import calibrate

    config = read_config(config_file)
    engine = build_engine(config)
    dev: list[Example] = []
    for file in files:
        try:
            dev += [Example(q.q, q.expect, q.lang, file.name) for q in load_questions(file)]
        except QuestionFileError as error:
            click.echo(str(error), err=True)
            sys.exit(1)
    try:
        with progress_bar("Scoring the alternate questions") as progress:
            found = calibrate(engine.matcher, config.knowledge.languages, dev, max_wrong=max_wrong,
                              min_rejection=min_rejection, out_of_scope_share=out_of_scope_share, progress=progress,
                              choose_ranking=not keep_ranking)
    except ValueError:
        click.echo("No thresholds meet the limits; loosen --max-wrong or --min-rejection.", err=True)
        sys.exit(1)
    if found.ranking is not None:
        click.echo(_ranking_line(found.ranking))
    sources = [question.source for question in found.questions]
    click.echo(f"{sources.count('self') + sources.count('decline')} alternate questions, "
               f"{sources.count('corpus')} corpus questions, {len(dev)} from files; best settings first:")
    click.echo("answer  suggest  gap    floor  answered  rejected  wrong   top-1  out of scope offered")
    for result in found.results[:top]:
        click.echo(f"{result.answer_threshold:6.2f}  {result.suggest_threshold:7.2f}  {result.min_gap:5.2f}  "
                   f"{result.suggest_confidence:5.2f}  {result.answer_accuracy:8.1%}  {result.rejection_rate:8.1%}  "
                   f"{result.wrong_answer_rate:5.1%}  {result.top1_accuracy:6.1%}  "
                   f"{result.out_of_scope_suggested:6.1%}")
    settings = found.settings
    block = {"matching": {
        "answer_threshold": settings.answer_threshold, "suggest_threshold": settings.suggest_threshold,
        "min_gap": settings.min_gap, "suggest_confidence": settings.suggest_confidence,
        "max_suggestions": settings.max_suggestions,
        "phrase_weight": settings.phrase_weight, "char_weight": settings.char_weight,
        "bm25_weight": settings.bm25_weight, "semantic_weight": settings.semantic_weight,
        "confidence": settings.confidence.model_dump(exclude_none=True),
    }}
    click.echo("\nFor config.yaml:\n" + yaml.safe_dump(block, sort_keys=False))


def _ranking_line(choice: RankingChoice) -> str:
    if not choice.measured:
        return f"Ranking weights kept: only {choice.questions} in-scope alternate questions, too few to choose them."
    weights = ", ".join(f"{name} {value}" for name, value in choice.weights._asdict().items())
    if choice.changed:
        return (f"Ranking weights chosen: {weights} rank {choice.top1:.1%} of {choice.questions} in-scope "
                f"alternate questions first ({choice.current_top1:.1%} with the config's weights).")
    return (f"Ranking weights kept: {weights} rank {choice.top1:.1%} of {choice.questions} in-scope alternate "
            "questions first; no other weights do clearly better.")

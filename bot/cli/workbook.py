"""``kb export`` and ``kb import``: the knowledge base as an Excel workbook, for editors who do not write YAML."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.common import config_option, read_config
from bot.cli.kb import kb
from bot.cli.progress import track
from bot.knowledge.model import read_knowledge


@kb.command("export")
@config_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=Path("kb.xlsx"),
              show_default=True, help="The workbook to write (.xlsx).")
@click.option("--overwrite", is_flag=True, help="Replace the workbook if it exists (edits in it are lost).")
@click.option("--knowledge", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Knowledge folder to export (default: knowledge.dir from config).")
def kb_export(config_file: Path | None, output: Path, overwrite: bool, directory: Path | None) -> None:
    """Write the knowledge base as an Excel workbook to edit without touching YAML.

    Sheet "Oppføringer" has one row per entry (file, id, topic, title and answer in nb/nn/en,
    source, owner, dates, related ids and keywords as comma lists, small-talk and decline flags);
    sheet "Spørsmål" one row per alternate question (entry id, language, question). Edit it in
    Excel or LibreOffice, then read it back with 'naeringsbot kb import'. Topics are not in the
    workbook; they stay in the YAML files.

    Example: naeringsbot kb export --output kb.xlsx
    """
    from bot.learning.workbook import WorkbookError, export_workbook  # openpyxl: only for this command

    config = read_config(config_file)
    folder = directory or config.knowledge_dir
    if output.exists() and not overwrite:
        click.echo(f"{output} exists — pass --overwrite to replace it (edits in it are lost), "
                   "or choose another name with --output", err=True)
        sys.exit(1)
    if not folder.is_dir():
        click.echo(f"{folder}: knowledge folder not found — check knowledge.dir in config", err=True)
        sys.exit(1)
    try:
        summary = export_workbook(folder, output, track)
    except WorkbookError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    _base, problems = read_knowledge(folder, config.knowledge.max_file_kb * 1024, config.knowledge.languages)
    if any(problem.severity == "error" for problem in problems):
        click.echo(f"warning: {folder} has errors now ('naeringsbot kb check' lists them); fix them in the "
                   "workbook or the YAML, or 'kb import' will refuse it", err=True)
    click.echo(f"Wrote {output}: {summary.entries} entries and {summary.questions} questions from "
               f"{summary.files} files in {folder}. Edit it, then: naeringsbot kb import {output}")


@kb.command("import")
@config_option
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print the changes as a diff and write nothing.")
@click.option("--force", is_flag=True,
              help="Where a cell was also changed in the YAML after the export, take the workbook's value.")
@click.option("--knowledge", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Knowledge folder to update (default: knowledge.dir from config).")
def kb_import(config_file: Path | None, workbook: Path, dry_run: bool, force: bool, directory: Path | None) -> None:
    """Read an edited workbook from 'kb export' back into the YAML files.

    Only what was changed in the workbook is edited in the YAML, keeping its comments, order and
    quoting; a workbook nobody edited changes nothing. Changes made to the YAML after the export
    (e.g. 'kb accept') are kept; the same cell changed on both sides is an error unless --force.
    A row with a new id is added to the file in its "Fil" cell; an entry whose row was deleted is
    removed. Problems are printed as 'Sheet!C14: what is wrong — what to do'; the result must
    load (languages in knowledge.languages, required ids), else nothing is written (exit status 1).

    Example: naeringsbot kb import kb.xlsx
    """
    from bot.learning.workbook import WorkbookError, plan_import, write_plan  # openpyxl: only for this command

    config = read_config(config_file)
    folder = directory or config.knowledge_dir
    if not workbook.is_file():
        click.echo(f"{workbook}: no such file — write one with 'naeringsbot kb export --output {workbook}'", err=True)
        sys.exit(1)
    try:
        plan = plan_import(workbook, folder, languages=config.knowledge.languages,
                           required_ids=config.knowledge.required_ids,
                           max_bytes=config.knowledge.max_file_kb * 1024, force=force, track=track)
    except WorkbookError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    if plan.problems:
        for problem in plan.problems:
            click.echo(problem, err=True)
        click.echo(f"{len(plan.problems)} error(s) in {workbook}; nothing was written.", err=True)
        sys.exit(1)
    if not plan.changes:
        click.echo(f"No changes: {folder} already matches {workbook}.")
        return
    for note in plan.notes:
        click.echo(note)
    if dry_run:
        click.echo(plan.diff(), nl=False)
        click.echo(f"Dry run: {len(plan.changes)} file(s) would change; nothing was written.")
        return
    write_plan(plan)
    names = ", ".join(path.name for path in plan.changes)
    click.echo(f"Wrote {len(plan.changes)} file(s) in {folder}: {names}. Commit them to git as usual.")

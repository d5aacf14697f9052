"""Editing without YAML: ``kb export`` writes a workbook, ``kb import`` reads it back changing only what differs."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner, Result

from bot.cli import cli
from bot.config import load_config
from bot.knowledge.model import load_knowledge
from bot.learning import yamledit
from bot.learning.workbook import (
    ENTRIES_SHEET,
    QUESTIONS_SHEET,
    comma_list,
    plan_import,
    split_comma_list,
)
from tests.conftest import ROOT

TOPICS = """\
topics:
  - id: start
    title: {nb: "Starte bedrift", en: "Starting a business"}
"""
# A small knowledge file written by hand, with the comments and quoting an editor leaves.
ENTRIES = """\
# Entries about starting a business. Keep the questions short.
entries:
  - id: courses
    topic: start
    owner: næringsavdelingen
    review_by: 2099-12-31
    title: {nb: "Kurs", en: "Courses"}
    answer:
      nb: |
        Kommunen holder kurs for gründere.
      en: "The municipality runs courses for founders."  # checked 2024
    questions:
      nb:
        - "hvilke kurs finnes"  # the most asked
        # spelling variants below
        - "kurs for grundere"
        - "etablererkurs"
      # English: from the visitor survey
      en:
        - "which courses are there"
        - "courses for founders"
    keywords: ["kurs", "course"]
    related: [guidance]

  - id: guidance
    topic: start
    owner: næringsavdelingen
    review_by: 2099-12-31
    title: {nb: "Veiledning", en: "Guidance"}
    answer:
      nb: "Du kan få gratis veiledning."
      en: "You can get free guidance."
    questions:
      nb:
        - "kan jeg få veiledning"
      en:
        - "can I get guidance"
"""


def shipped_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    return folder


def small_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "topics.yaml").write_text(TOPICS, "utf-8")
    (folder / "start.yaml").write_text(ENTRIES, "utf-8")
    return folder


def config_for(tmp_path: Path, folder: Path, **knowledge: Any) -> Path:
    shipped = load_config(ROOT / "config.yaml").knowledge
    settings = {"dir": str(folder), "languages": list(shipped.languages), "required_ids": [], **knowledge}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"knowledge": settings}), "utf-8")
    return path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def exported(tmp_path: Path, config: Path) -> Path:
    book = tmp_path / "kb.xlsx"
    result = run("kb", "export", "--config", config, "--output", book)
    assert result.exit_code == 0, result.output
    return book


def column(sheet: Any, header: str) -> int:
    return next(cell.column for cell in sheet[1] if cell.value == header)


def row_of(sheet: Any, entry_id: str, header: str = "ID") -> int:
    index = column(sheet, header)
    return next(row for row in range(2, sheet.max_row + 1) if sheet.cell(row, index).value == entry_id)


def edit(book: Path, change: Callable[[Any], None]) -> None:
    workbook = openpyxl.load_workbook(book)
    change(workbook)
    workbook.save(book)


def set_cell(book: Path, sheet: str, entry_id: str, header: str, value: Any) -> None:
    def change(workbook: Any) -> None:
        entries = workbook[sheet]
        entries.cell(row_of(entries, entry_id), column(entries, header)).value = value

    edit(book, change)


def clear(sheet: Any, row: int, header: str) -> None:
    sheet.cell(row, column(sheet, header)).value = None


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in yamledit.diff(before, after, "f").splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


# --- Export, then import without edits ------------------------------------------------------------------------


def test_export_then_import_of_the_shipped_knowledge_base_changes_no_byte(tmp_path: Path) -> None:
    folder = shipped_copy(tmp_path)
    config = config_for(tmp_path, folder, required_ids=load_config(ROOT / "config.yaml").knowledge.required_ids)
    before = snapshot(folder)
    book = exported(tmp_path, config)

    result = run("kb", "import", "--config", config, book)

    assert result.exit_code == 0, result.output
    assert "No changes" in result.output
    assert snapshot(folder) == before
    # and the workbook holds every entry and every alternate question
    knowledge = load_knowledge(folder)
    workbook = openpyxl.load_workbook(book)
    assert workbook[ENTRIES_SHEET].max_row - 1 == len(knowledge)
    assert workbook[QUESTIONS_SHEET].max_row - 1 == sum(len(entry.questions.all()) for entry in knowledge)


def test_the_workbook_is_laid_out_for_an_editor(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    book = exported(tmp_path, config_for(tmp_path, folder))
    workbook = openpyxl.load_workbook(book)

    assert workbook.sheetnames[:2] == [ENTRIES_SHEET, QUESTIONS_SHEET]
    entries, questions = workbook[ENTRIES_SHEET], workbook[QUESTIONS_SHEET]
    headers = [cell.value for cell in entries[1]]
    for header in ("Fil", "ID", "Tema", "Tittel nb", "Svar nb", "Tittel nn", "Svar nn", "Tittel en", "Svar en",
                   "Kilde", "Kilde per dato", "Eier", "Revideres innen", "Relaterte", "Nøkkelord", "Småprat", "Avvis"):
        assert header in headers
    assert [cell.value for cell in questions[1]] == ["ID", "Språk", "Spørsmål"]
    assert entries.freeze_panes == "C2" and questions.freeze_panes == "A2"
    answer = entries.cell(row_of(entries, "courses"), column(entries, "Svar nb"))
    assert answer.value == "Kommunen holder kurs for gründere."
    assert answer.alignment.wrap_text
    assert entries.column_dimensions[answer.column_letter].width >= 60
    assert entries.cell(1, 1).font.bold
    row = row_of(entries, "courses")
    assert entries.cell(row, column(entries, "Fil")).value == "start.yaml"
    assert entries.cell(row, column(entries, "Relaterte")).value == "guidance"
    assert entries.cell(row, column(entries, "Nøkkelord")).value == "kurs, course"
    assert entries.cell(row, column(entries, "Revideres innen")).value.date().isoformat() == "2099-12-31"
    assert entries.cell(row, column(entries, "Småprat")).value is False
    assert [c.value for c in questions[2]] == ["courses", "nb", "hvilke kurs finnes"]


def test_export_does_not_overwrite_a_workbook_unless_asked(tmp_path: Path) -> None:
    config = config_for(tmp_path, small_copy(tmp_path))
    book = exported(tmp_path, config)
    book.write_bytes(b"edits in progress")

    result = run("kb", "export", "--config", config, "--output", book)
    assert result.exit_code == 1
    assert "--overwrite" in result.output
    assert book.read_bytes() == b"edits in progress"
    assert run("kb", "export", "--config", config, "--output", book, "--overwrite").exit_code == 0
    assert openpyxl.load_workbook(book).sheetnames[0] == ENTRIES_SHEET


# --- Edits ----------------------------------------------------------------------------------------------------


def test_an_edited_answer_changes_only_that_answer_and_keeps_the_comments(tmp_path: Path) -> None:
    folder = shipped_copy(tmp_path)
    config = config_for(tmp_path, folder)
    before = snapshot(folder)
    book = exported(tmp_path, config)
    set_cell(book, ENTRIES_SHEET, "decline-housing", "Svar en", "Næringsbot does not answer questions about housing.")

    result = run("kb", "import", "--config", config, book)

    assert result.exit_code == 0, result.output
    assert "changed decline-housing in out-of-scope.yaml: answer en" in result.output
    after = snapshot(folder)
    assert [name for name in before if before[name] != after[name]] == ["out-of-scope.yaml"]
    old, new = before["out-of-scope.yaml"].decode(), after["out-of-scope.yaml"].decode()
    assert changed_lines(old, new) == [
        '-      en: "Næringsbot cannot answer questions about housing, start loans or housing allowance; I only '
        'answer about business development in Drammen municipality."',
        '+      en: "Næringsbot does not answer questions about housing."',
    ]
    assert new.startswith("# Out-of-scope (\"decline\") entries")
    assert load_knowledge(folder).entries["decline-housing"].answer.en == (
        "Næringsbot does not answer questions about housing.")


def test_a_block_answer_stays_a_block_and_comments_next_to_it_stay(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    config = config_for(tmp_path, folder)
    book = exported(tmp_path, config)
    set_cell(book, ENTRIES_SHEET, "courses", "Svar nb", "Kommunen holder kurs.\nMeld deg på hos oss.")
    set_cell(book, ENTRIES_SHEET, "courses", "Svar en", "Courses for founders.")

    assert run("kb", "import", "--config", config, book).exit_code == 0

    assert changed_lines(ENTRIES, (folder / "start.yaml").read_text("utf-8")) == [
        "-        Kommunen holder kurs for gründere.",
        '-      en: "The municipality runs courses for founders."  # checked 2024',
        "+        Kommunen holder kurs.",
        "+        Meld deg på hos oss.",
        '+      en: "Courses for founders."  # checked 2024',
    ]


def test_a_new_question_row_is_added_to_its_entry(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    config = config_for(tmp_path, folder)
    book = exported(tmp_path, config)
    edit(book, lambda workbook: workbook[QUESTIONS_SHEET].append(["courses", "nb", "når er neste kurs?"]))

    result = run("kb", "import", "--config", config, book)

    assert result.exit_code == 0, result.output
    assert "questions nb (+1 −0)" in result.output
    text = (folder / "start.yaml").read_text("utf-8")
    assert changed_lines(ENTRIES, text) == ['+        - "når er neste kurs?"']
    # after the last Bokmål question, before the comment that introduces the English ones
    assert ('        - "etablererkurs"\n        - "når er neste kurs?"\n'
            '      # English: from the visitor survey\n') in text
    assert load_knowledge(folder).entries["courses"].questions.nb[-1] == "når er neste kurs?"


def test_deleted_and_reworded_question_rows_keep_the_other_comments(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    config = config_for(tmp_path, folder)
    book = exported(tmp_path, config)

    def change(workbook: Any) -> None:
        questions = workbook[QUESTIONS_SHEET]
        rows = {questions.cell(row, 3).value: row for row in range(2, questions.max_row + 1)}
        questions.cell(rows["hvilke kurs finnes"], 3).value = "hvilke kurs har dere"
        questions.delete_rows(rows["etablererkurs"])

    edit(book, change)
    assert run("kb", "import", "--config", config, book).exit_code == 0

    assert changed_lines(ENTRIES, (folder / "start.yaml").read_text("utf-8")) == [
        '-        - "hvilke kurs finnes"  # the most asked',
        '+        - "hvilke kurs har dere"  # the most asked',
        '-        - "etablererkurs"',
    ]
    assert "      # English: from the visitor survey\n" in (folder / "start.yaml").read_text("utf-8")


def test_list_cells_flags_dates_and_optional_languages(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    config = config_for(tmp_path, folder)
    book = exported(tmp_path, config)
    for header, value in (("Nøkkelord", 'kurs, course, "kurs, gratis"'), ("Tittel nn", "Kurs"),
                          ("Svar nn", "Kommunen held kurs."), ("Kilde", "Handlingsplan 2013"),
                          ("Kilde per dato", "01.03.2013"), ("Revideres innen", "2030-01-31")):
        set_cell(book, ENTRIES_SHEET, "courses", header, value)
    set_cell(book, ENTRIES_SHEET, "guidance", "Småprat", "ja")

    result = run("kb", "import", "--config", config, book)

    assert result.exit_code == 0, result.output
    knowledge = load_knowledge(folder)
    courses = knowledge.entries["courses"]
    assert courses.keywords == ["kurs", "course", "kurs, gratis"]
    assert courses.title.nn == "Kurs" and courses.answer.nn == "Kommunen held kurs."
    assert courses.source == "Handlingsplan 2013"
    assert courses.as_of is not None and courses.as_of.isoformat() == "2013-03-01"
    assert courses.review_by.isoformat() == "2030-01-31"
    assert knowledge.entries["guidance"].smalltalk
    text = (folder / "start.yaml").read_text("utf-8")
    assert 'title: {nb: "Kurs", nn: "Kurs", en: "Courses"}' in text
    assert 'keywords: ["kurs", "course", "kurs, gratis"]' in text
    # and a second export and import of the result changes nothing more
    again = snapshot(folder)
    book.unlink()
    assert run("kb", "import", "--config", config, exported(tmp_path, config)).exit_code == 0
    assert snapshot(folder) == again


def test_a_new_entry_row_is_added_to_the_file_it_names_and_a_deleted_row_removes_its_entry(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    config = config_for(tmp_path, folder)
    book = exported(tmp_path, config)

    def change(workbook: Any) -> None:
        entries, questions = workbook[ENTRIES_SHEET], workbook[QUESTIONS_SHEET]
        values = {"Fil": "funding.yaml", "ID": "funding", "Tema": "start", "Tittel nb": "Støtte",
                  "Tittel en": "Funding", "Svar nb": "Se Innovasjon Norge.", "Svar en": "See Innovation Norway.",
                  "Eier": "næringsavdelingen", "Revideres innen": "2030-06-30", "Relaterte": "courses"}
        row = entries.max_row + 1
        for header, value in values.items():
            entries.cell(row, column(entries, header)).value = value
        entries.delete_rows(row_of(entries, "guidance"))
        entries.cell(row_of(entries, "courses"), column(entries, "Relaterte")).value = "funding"
        for row in reversed(range(2, questions.max_row + 1)):
            if questions.cell(row, 1).value == "guidance":
                questions.delete_rows(row)
        questions.append(["funding", "nb", "kan jeg få støtte"])
        questions.append(["funding", "en", "can I get funding"])

    edit(book, change)
    result = run("kb", "import", "--config", config, book)

    assert result.exit_code == 0, result.output
    assert "added funding to funding.yaml" in result.output
    assert "removed guidance from start.yaml" in result.output
    knowledge = load_knowledge(folder)
    assert set(knowledge.entries) == {"courses", "funding"}
    assert knowledge.entries["funding"].questions.en == ["can I get funding"]
    new_file = (folder / "funding.yaml").read_text("utf-8")
    assert new_file.startswith("entries:\n  - id: funding\n    topic: start\n    owner: næringsavdelingen\n")
    assert '      nb: "Støtte"' in new_file
    assert "related: [courses]" in new_file
    assert (folder / "start.yaml").read_text("utf-8").startswith("# Entries about starting a business.")


def test_deleting_the_first_entry_leaves_the_file_tidy(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    config = config_for(tmp_path, folder)
    book = exported(tmp_path, config)

    def change(workbook: Any) -> None:
        workbook[ENTRIES_SHEET].delete_rows(row_of(workbook[ENTRIES_SHEET], "courses"))
        workbook[QUESTIONS_SHEET].delete_rows(2, 5)

    edit(book, change)
    result = run("kb", "import", "--config", config, book)

    assert result.exit_code == 0, result.output
    text = (folder / "start.yaml").read_text("utf-8")
    assert text == ENTRIES.split("  - id: courses")[0] + "  - id: guidance" + ENTRIES.split("  - id: guidance")[1]


def test_a_new_entry_in_an_existing_file_is_set_off_by_a_blank_line(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    config = config_for(tmp_path, folder)
    book = exported(tmp_path, config)

    def change(workbook: Any) -> None:
        entries = workbook[ENTRIES_SHEET]
        row = entries.max_row + 1
        for header, value in {"Fil": "start.yaml", "ID": "premises", "Tema": "start", "Tittel nb": "Lokaler",
                              "Tittel en": "Premises", "Svar nb": "Spør oss.", "Svar en": "Ask us.",
                              "Eier": "næringsavdelingen", "Revideres innen": "2030-06-30"}.items():
            entries.cell(row, column(entries, header)).value = value
        workbook[QUESTIONS_SHEET].append(["premises", "nb", "lokaler"])
        workbook[QUESTIONS_SHEET].append(["premises", "en", "premises"])

    edit(book, change)
    assert run("kb", "import", "--config", config, book).exit_code == 0

    text = (folder / "start.yaml").read_text("utf-8")
    assert text.startswith(ENTRIES)
    assert text[len(ENTRIES):].startswith("\n  - id: premises\n")
    assert "premises" in load_knowledge(folder).entries


# --- Errors ---------------------------------------------------------------------------------------------------


def test_an_empty_question_is_named_by_sheet_row_and_column_and_nothing_is_written(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    config = config_for(tmp_path, folder)
    before = snapshot(folder)
    book = exported(tmp_path, config)
    set_cell(book, ENTRIES_SHEET, "courses", "Svar nb", "Endret svar.")  # a good edit in the same import
    edit(book, lambda workbook: clear(workbook[QUESTIONS_SHEET], 4, "Spørsmål"))

    result = run("kb", "import", "--config", config, book)

    assert result.exit_code == 1
    assert "Spørsmål!C4: empty question — fill it in or delete the row" in result.output
    assert "nothing was written" in result.output
    assert snapshot(folder) == before


@pytest.mark.parametrize(("change", "message"), [
    (lambda wb: wb[QUESTIONS_SHEET].append(["no-such-entry", "nb", "hei"]),
     "Spørsmål!A9: unknown entry id 'no-such-entry' — use an id from the Oppføringer sheet"),
    (lambda wb: wb[QUESTIONS_SHEET].append(["courses", "de", "Kurse"]),
     "Spørsmål!B9: unknown language 'de' — write nb, nn or en"),
    (lambda wb: wb[ENTRIES_SHEET].cell(3, 2, "courses"),
     "Oppføringer!B3: duplicate id 'courses' (also in row 2) — give one of them another id, or delete the row"),
    (lambda wb: clear(wb[ENTRIES_SHEET], 2, "Svar en"),
     "Oppføringer!I2: empty answer in 'en' — fill it in"),
    (lambda wb: wb[ENTRIES_SHEET].cell(2, column(wb[ENTRIES_SHEET], "Tema"), "tourism"),
     "Oppføringer!C2: unknown topic 'tourism' — use one of: start"),
    (lambda wb: wb[ENTRIES_SHEET].cell(2, column(wb[ENTRIES_SHEET], "Revideres innen"), "snart"),
     "Oppføringer!M2: 'snart' is not a date — write it as YYYY-MM-DD"),
    (lambda wb: wb[ENTRIES_SHEET].cell(2, column(wb[ENTRIES_SHEET], "Relaterte"), "guidance, ghost"),
     "Oppføringer!N2: related id 'ghost' is not an entry in this sheet"),
    (lambda wb: wb[ENTRIES_SHEET].cell(2, column(wb[ENTRIES_SHEET], "Fil"), "../start.yaml"),
     "Oppføringer!A2: '../start.yaml' is not a knowledge file name"),
    (lambda wb: wb[QUESTIONS_SHEET].delete_rows(5, 2),
     "Oppføringer!B2: entry 'courses' has no alternate question in 'en' — add a row for it in the Spørsmål sheet"),
    (lambda wb: wb[QUESTIONS_SHEET].append(["courses", "nb", "Etablererkurs"]),
     "Spørsmål!C9: the same question as row 4 — delete one of the rows"),
    (lambda wb: setattr(wb[QUESTIONS_SHEET], "title", "Questions"),
     "Spørsmål: no sheet 'Spørsmål' in the workbook"),
])
def test_workbook_errors_say_where_and_what_to_do(tmp_path: Path, change: Callable[[Any], Any], message: str) -> None:
    folder = small_copy(tmp_path)
    config = config_for(tmp_path, folder)
    before = snapshot(folder)
    book = exported(tmp_path, config)
    edit(book, change)

    result = run("kb", "import", "--config", config, book)

    assert result.exit_code == 1
    assert message in result.output
    assert snapshot(folder) == before


def test_a_missing_required_language_follows_config(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    book = exported(tmp_path, config_for(tmp_path, folder))
    config = config_for(tmp_path, folder, languages=["nb", "nn", "en"])

    result = run("kb", "import", "--config", config, book)

    assert result.exit_code == 1
    assert "Oppføringer!F2: empty title in 'nn' — fill it in (every entry needs one in nb, nn, en" in result.output


def test_a_result_that_would_not_load_writes_nothing_and_prints_the_loader_errors(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    config = config_for(tmp_path, folder, max_file_kb=2)
    assert len(ENTRIES.encode()) < 2048
    before = snapshot(folder)
    book = exported(tmp_path, config)
    set_cell(book, ENTRIES_SHEET, "courses", "Svar nb", "Et mye lengre svar. " * 60)

    result = run("kb", "import", "--config", config, book)

    assert result.exit_code == 1
    # the loader's message, naming the real file rather than the temporary copy it was tried in
    assert f"{folder / 'start.yaml'}:1: Feil: filen er " in result.output
    assert "del den i flere filer" in result.output
    assert "nothing was written" in result.output
    assert snapshot(folder) == before
    plan = plan_import(book, folder, max_bytes=2048)
    assert plan.problems and plan.changes  # the plan knows what it would write, and why it may not


def test_removing_a_required_entry_is_refused(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    config = config_for(tmp_path, folder, required_ids=["guidance"])
    book = exported(tmp_path, config)

    def change(workbook: Any) -> None:
        workbook[ENTRIES_SHEET].delete_rows(row_of(workbook[ENTRIES_SHEET], "guidance"))
        clear(workbook[ENTRIES_SHEET], 2, "Relaterte")
        workbook[QUESTIONS_SHEET].delete_rows(7, 2)

    edit(book, change)
    result = run("kb", "import", "--config", config, book)

    assert result.exit_code == 1
    assert "required entry 'guidance' is missing" in result.output
    assert (folder / "start.yaml").read_text("utf-8") == ENTRIES


def test_changes_made_to_the_yaml_after_the_export_are_kept(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    config = config_for(tmp_path, folder)
    book = exported(tmp_path, config)
    set_cell(book, ENTRIES_SHEET, "courses", "Svar en", "Courses for founders.")
    edit(book, lambda workbook: workbook[QUESTIONS_SHEET].append(["courses", "nb", "kurs om regnskap"]))
    # meanwhile: a phrasing accepted with 'kb accept', and an entry added by hand
    path = folder / "start.yaml"
    text = yamledit.with_question("gratis kurs", "courses", "nb", path.read_text("utf-8"))
    added = ENTRIES.split("\n\n  - id: guidance")[1].replace("guidance", "premises").replace("veiledning", "lokaler")
    path.write_text(text + "\n  - id: premises" + added, "utf-8")

    result = run("kb", "import", "--config", config, book)

    assert result.exit_code == 0, result.output
    assert "kept premises in start.yaml (added to the file after the export)" in result.output
    courses = load_knowledge(folder).entries["courses"]
    assert courses.answer.en == "Courses for founders."
    assert courses.questions.nb[-2:] == ["gratis kurs", "kurs om regnskap"]
    assert "premises" in load_knowledge(folder).entries


def test_the_same_cell_changed_in_the_yaml_and_the_workbook_is_refused_unless_forced(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    config = config_for(tmp_path, folder)
    book = exported(tmp_path, config)
    set_cell(book, ENTRIES_SHEET, "courses", "Svar en", "Courses for founders.")
    path = folder / "start.yaml"
    path.write_text(ENTRIES.replace("The municipality runs courses", "The council runs courses"), "utf-8")
    later = path.read_text("utf-8")

    result = run("kb", "import", "--config", config, book)

    assert result.exit_code == 1
    assert ("Oppføringer!I2: 'Svar en' of 'courses' was also changed in start.yaml after kb.xlsx was exported "
            "(it is now «The council runs courses for founders.») — to keep the file's value, put it in the cell; "
            "to keep yours, import with --force") in result.output
    assert path.read_text("utf-8") == later
    assert run("kb", "import", "--config", config, book, "--force").exit_code == 0
    assert load_knowledge(folder).entries["courses"].answer.en == "Courses for founders."


def test_the_same_workbook_can_be_imported_again_after_more_edits(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    config = config_for(tmp_path, folder)
    book = exported(tmp_path, config)
    set_cell(book, ENTRIES_SHEET, "courses", "Svar en", "Courses for founders.")
    assert run("kb", "import", "--config", config, book).exit_code == 0
    set_cell(book, ENTRIES_SHEET, "guidance", "Svar en", "Free guidance for founders.")

    result = run("kb", "import", "--config", config, book)

    assert result.exit_code == 0, result.output
    assert "changed guidance in start.yaml: answer en" in result.output
    assert "courses" not in result.output
    knowledge = load_knowledge(folder)
    assert knowledge.entries["courses"].answer.en == "Courses for founders."
    assert knowledge.entries["guidance"].answer.en == "Free guidance for founders."


def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    folder = small_copy(tmp_path)
    config = config_for(tmp_path, folder)
    book = exported(tmp_path, config)
    set_cell(book, ENTRIES_SHEET, "guidance", "Svar nb", "Gratis veiledning for alle.")

    result = run("kb", "import", "--config", config, book, "--dry-run")

    assert result.exit_code == 0, result.output
    assert '+      nb: "Gratis veiledning for alle."' in result.output
    assert (folder / "start.yaml").read_text("utf-8") == ENTRIES


def test_a_file_that_is_not_a_workbook_is_an_error(tmp_path: Path) -> None:
    config = config_for(tmp_path, small_copy(tmp_path))
    (tmp_path / "kb.xlsx").write_text("not a workbook", "utf-8")
    result = run("kb", "import", "--config", config, tmp_path / "kb.xlsx")
    assert result.exit_code == 1
    assert "cannot be read as an Excel workbook" in result.output
    missing = run("kb", "import", "--config", config, tmp_path / "none.xlsx")
    assert missing.exit_code == 1 and "naeringsbot kb export --output" in missing.output


# --- Help and helpers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["export", "import"])
def test_help_shows_an_example_and_config(command: str) -> None:
    result = run("kb", command, "--help")
    assert result.exit_code == 0
    assert "Example: naeringsbot kb " + command in result.output
    assert "--config" in result.output


def test_no_progress_bar_outside_a_terminal(tmp_path: Path) -> None:
    config = config_for(tmp_path, small_copy(tmp_path))
    result = run("kb", "export", "--config", config, "--output", tmp_path / "kb.xlsx")
    assert result.output.splitlines() == [line for line in result.output.splitlines() if line.startswith("Wrote ")]


@pytest.mark.parametrize("items", [[], ["a"], ["a", "b c"], ["a, b", 'say "hi"', "c"]])
def test_comma_lists_round_trip(items: list[str]) -> None:
    assert split_comma_list(comma_list(items)) == items

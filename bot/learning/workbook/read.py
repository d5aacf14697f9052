"""Reading a workbook back: its cells checked, every problem named by sheet, cell and what to do."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from bot.knowledge.model import ALL_LANGUAGES, ID_PATTERN
from bot.learning.workbook.layout import (
    ENTRIES_SHEET,
    ENTRY_COLUMNS,
    FALSE_WORDS,
    FILE_NAME,
    QUESTION_COLUMNS,
    QUESTIONS_SHEET,
    STATE_FORMAT,
    STATE_SHEET,
    TRUE_WORDS,
    Column,
    EntryRow,
    Fields,
    SheetProblem,
    WorkbookError,
)
from bot.learning.workbook.rows import (
    _text,
    split_comma_list,
)


@dataclass
class _Sheet:
    name: str
    letters: dict[str, str]
    rows: list[tuple[int, dict[str, Any]]]


def _cell_text(value: Any) -> str:
    if isinstance(value, bool):
        return "SANN" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text(value)


def _read_sheet(workbook: Any, name: str, columns: Sequence[Column], problems: list[SheetProblem]) -> _Sheet | None:
    if name not in workbook.sheetnames:
        shown = ", ".join(sheet for sheet in workbook.sheetnames if sheet != STATE_SHEET)
        problems.append(SheetProblem(name, None, None, f"no sheet '{name}' in the workbook (it has: {shown}) — "
                                     "rename the sheet back, or start from a fresh 'naeringsbot kb export'"))
        return None
    sheet = workbook[name]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(value).casefold() for value in next(rows, ())]
    positions: dict[str, int] = {}
    for column in columns:
        if column.header.casefold() in header:
            positions[column.key] = header.index(column.header.casefold())
        else:
            problems.append(SheetProblem(name, 1, None, f"no column '{column.header}' in the header row — put it "
                                         "back (a fresh 'naeringsbot kb export' has them all)"))
    if len(positions) < len(columns):
        return None
    letters = {key: get_column_letter(index + 1) for key, index in positions.items()}
    found = []
    for number, values in enumerate(rows, start=2):
        cells = {key: values[index] if index < len(values) else None for key, index in positions.items()}
        if any(_cell_text(value) for value in cells.values()):
            found.append((number, cells))
    return _Sheet(name, letters, found)


def _date(value: Any) -> str | None:
    """ISO date of a cell (a date, or text as YYYY-MM-DD or DD.MM.YYYY); None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return None


def _flag(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int | float):
        return bool(value) if value in (0, 1) else None
    text = _text(value).casefold()
    if not text or text in FALSE_WORDS:
        return False
    return True if text in TRUE_WORDS else None


@dataclass
class WorkbookRead:
    rows: list[EntryRow]
    exported: dict[str, Fields] | None  # the entries as exported; None for a workbook without them
    problems: list[SheetProblem]
    letters: dict[str, str]  # the column of each field in the entries sheet


def read_workbook(path: Path, languages: Sequence[str], topics: Sequence[str], other_ids: Iterable[str] = ()
                  ) -> WorkbookRead:
    """The entries in the workbook, the entries as they were exported, and every problem found.

    ``other_ids`` are entries that exist besides the workbook's (added to the YAML after the export):
    a related id may name them.
    """
    try:
        workbook = load_workbook(path, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookError(f"{path}: cannot be read as an Excel workbook ({error}) — save it as .xlsx") from error
    problems: list[SheetProblem] = []
    entry_sheet = _read_sheet(workbook, ENTRIES_SHEET, ENTRY_COLUMNS, problems)
    question_sheet = _read_sheet(workbook, QUESTIONS_SHEET, QUESTION_COLUMNS, problems)
    exported = _exported(workbook)
    if entry_sheet is None or question_sheet is None:
        return WorkbookRead([], exported, problems, {})
    named = {_cell_text(cells["id"]) for _number, cells in entry_sheet.rows}
    rows = [row for number, cells in entry_sheet.rows
            if (row := _entry_row(number, cells, entry_sheet, languages, topics, problems)) is not None]
    _check_entries(rows, entry_sheet, set(other_ids), problems)
    _add_questions(rows, named, question_sheet, entry_sheet.letters["id"], languages, problems)
    return WorkbookRead(rows, exported, problems, entry_sheet.letters)


def _exported(workbook: Any) -> dict[str, Fields] | None:
    """The entries as exported (None for a workbook without that sheet, which then simply wins)."""
    if STATE_SHEET not in workbook.sheetnames:
        return None
    values = list(workbook[STATE_SHEET].iter_rows(values_only=True))
    if not values or values[0][0] != STATE_FORMAT:
        return None
    exported = {}
    for row in values[1:]:
        if row and row[0]:
            try:
                exported[str(row[0])] = json.loads("".join(str(part) for part in row[1:] if part is not None))
            except ValueError:
                return None
    return exported


def _entry_row(number: int, cells: dict[str, Any], sheet: _Sheet, languages: Sequence[str],
               topics: Sequence[str], problems: list[SheetProblem]) -> EntryRow | None:
    found: list[SheetProblem] = []

    def problem(key: str, message: str) -> None:
        found.append(SheetProblem(sheet.name, number, sheet.letters[key], message))

    text = {key: _cell_text(value) for key, value in cells.items()}
    file_name, entry_id = text["file"], text["id"]
    if not entry_id:
        problem("id", "empty id — fill it in (lowercase words joined by dashes) or delete the row")
    elif not re.fullmatch(ID_PATTERN, entry_id):
        problem("id", f"id '{entry_id}' must be lowercase words joined by dashes, like 'establisher-guidance'")
    if not file_name:
        problem("file", "empty file — write the knowledge file the entry belongs in, e.g. start-business.yaml")
    elif not FILE_NAME.fullmatch(file_name):
        problem("file", f"'{file_name}' is not a knowledge file name — write a name like start-business.yaml "
                "(no folders)")
    if not text["topic"]:
        problem("topic", "empty topic — write one of: " + ", ".join(topics))
    elif topics and text["topic"] not in topics:
        problem("topic", f"unknown topic '{text['topic']}' — use one of: {', '.join(topics)}")
    if not text["owner"]:
        problem("owner", "empty owner — write who keeps this entry up to date")
    for lang in languages:
        for kind, word in (("title", "title"), ("answer", "answer")):
            if not text[f"{kind}.{lang}"]:
                problem(f"{kind}.{lang}", f"empty {word} in '{lang}' — fill it in (every entry needs one in "
                        f"{', '.join(languages)}: knowledge.languages in config)")
    dates = {}
    for key, required in (("review_by", True), ("as_of", False)):
        if not text[key]:
            if required:
                problem(key, "empty review date — write the date the entry must be checked by, as YYYY-MM-DD")
            continue
        iso = _date(cells[key])
        if iso is None and key == "as_of" and re.fullmatch(r"\d{4}", text[key].strip()):
            iso = text[key].strip()  # a source known only by its year
        if iso is None:
            problem(key, f"'{text[key]}' is not a date — write it as YYYY-MM-DD, e.g. 2027-06-30"
                    + (" (or only the year, YYYY)" if key == "as_of" else ""))
        dates[key] = iso or ""
    flags = {}
    for key in ("smalltalk", "decline"):
        flag = _flag(cells[key])
        if flag is None:
            problem(key, f"'{text[key]}' is not yes or no — write SANN (or ja), or leave the cell empty")
        flags[key] = bool(flag)
    try:
        keywords = split_comma_list(text["keywords"])
        related = split_comma_list(text["related"])
    except csv.Error as error:
        problem("keywords", f"cannot split the list ({error}) — separate the words with commas")
        keywords, related = [], []
    problems.extend(found)
    if found:
        return None
    return EntryRow(
        file=file_name, id=entry_id, topic=text["topic"], owner=text["owner"], review_by=dates["review_by"],
        title={lang: text[f"title.{lang}"] for lang in ALL_LANGUAGES},
        answer={lang: text[f"answer.{lang}"] for lang in ALL_LANGUAGES},
        questions={lang: [] for lang in ALL_LANGUAGES}, keywords=keywords, related=related,
        smalltalk=flags["smalltalk"], decline=flags["decline"], source=text["source"],
        as_of=dates.get("as_of", ""), row=number,
    )


def _check_entries(rows: list[EntryRow], sheet: _Sheet, other_ids: set[str], problems: list[SheetProblem]) -> None:
    first: dict[str, int] = {}
    for row in rows:
        if row.id in first:
            problems.append(SheetProblem(sheet.name, row.row, sheet.letters["id"],
                                         f"duplicate id '{row.id}' (also in row {first[row.id]}) — give one of "
                                         "them another id, or delete the row"))
        first.setdefault(row.id, row.row)
    for row in rows:
        for related in row.related:
            if related == row.id:
                problems.append(SheetProblem(sheet.name, row.row, sheet.letters["related"],
                                             f"entry '{row.id}' lists itself as related — remove it"))
            elif related not in first and related not in other_ids:
                problems.append(SheetProblem(sheet.name, row.row, sheet.letters["related"],
                                             f"related id '{related}' is not an entry in this sheet — fix the id "
                                             "or remove it"))


def _add_questions(rows: list[EntryRow], named: set[str], sheet: _Sheet, id_column: str, languages: Sequence[str],
                   problems: list[SheetProblem]) -> None:
    """Give each entry its questions; ``named`` are all ids in the entries sheet, refused rows too."""
    by_id = {row.id: row for row in rows}
    seen: dict[tuple[str, str, str], int] = {}
    refused: set[str] = set()  # entries with a question row in error: "no question in 'en'" would mislead
    for number, cells in sheet.rows:
        entry_id, lang, question = (_cell_text(cells[key]) for key in ("id", "lang", "question"))
        lang = lang.casefold()
        found: list[SheetProblem] = []
        if not entry_id:
            found.append(SheetProblem(sheet.name, number, sheet.letters["id"],
                                      "empty entry id — write the id of the entry the question belongs to"))
        elif entry_id not in named:
            found.append(SheetProblem(sheet.name, number, sheet.letters["id"],
                                      f"unknown entry id '{entry_id}' — use an id from the {ENTRIES_SHEET} "
                                      "sheet, or delete the row"))
        if lang not in ALL_LANGUAGES:
            shown = f"unknown language '{lang}'" if lang else "empty language"
            found.append(SheetProblem(sheet.name, number, sheet.letters["lang"],
                                      f"{shown} — write {', '.join(ALL_LANGUAGES[:-1])} or {ALL_LANGUAGES[-1]}"))
        if not question:
            found.append(SheetProblem(sheet.name, number, sheet.letters["question"],
                                      "empty question — fill it in or delete the row"))
        else:
            key = (entry_id, lang, question.casefold())
            if key in seen:
                found.append(SheetProblem(sheet.name, number, sheet.letters["question"],
                                          f"the same question as row {seen[key]} — delete one of the rows"))
            seen.setdefault(key, number)
        problems.extend(found)
        if found:
            refused.add(entry_id)
        elif entry_id in by_id:
            by_id[entry_id].questions[lang].append(question)
    for row in rows:
        for lang in languages:
            if not row.questions[lang] and row.id not in refused:
                problems.append(SheetProblem(
                    ENTRIES_SHEET, row.row, id_column,
                    f"entry '{row.id}' has no alternate question in '{lang}' — add a row for it in the "
                    f"{QUESTIONS_SHEET} sheet (every entry needs one in {', '.join(languages)})"))

"""Editing the knowledge base in a spreadsheet: ``kb export`` writes a workbook, ``kb import`` reads it back.

The workbook has one row per entry (sheet "Oppføringer") and one row per alternate question (sheet
"Spørsmål"). Importing compares every cell with the YAML it came from and edits only what differs,
through the round-trip YAML of :mod:`bot.learning.yamledit`, so comments, order and quoting stay as
the editors wrote them: an export followed by an import changes no byte. New entries are added at
the end of the file named in their "Fil" cell; entries whose row was deleted are removed. Nothing is
written unless the result loads with the knowledge-base loader (tried in a temporary copy first).

A hidden sheet keeps every entry as it was exported, so the import is a three-way merge: what the
editor changed in the workbook is applied, what changed in the YAML since the export (a phrasing
accepted with ``kb accept``, a colleague's edit) is kept, and only the same cell changed on both
sides is a conflict. Question and keyword lists merge item by item and never conflict.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)
from ruamel.yaml.tokens import CommentToken

from bot.knowledge.model import ALL_LANGUAGES, DEFAULT_MAX_FILE_BYTES, ID_PATTERN, knowledge_files, read_knowledge
from bot.learning import yamledit

ENTRIES_SHEET = "Oppføringer"
QUESTIONS_SHEET = "Spørsmål"
STATE_SHEET = "_naeringsbot"  # very hidden: each entry as exported, the base of the three-way merge
STATE_FORMAT = "naeringsbot-workbook-1"
CHUNK = 32000  # characters of the state's JSON per cell
EXCEL_CELL_LIMIT = 32767
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\.ya?ml")
# The order new keys take in an entry, as the shipped files write them.
ENTRY_ORDER = ("id", "topic", "owner", "review_by", "smalltalk", "decline", "title", "answer", "questions",
               "keywords", "related", "source", "as_of")
TRUE_WORDS = {"ja", "j", "yes", "y", "true", "sann", "x", "1"}
FALSE_WORDS = {"nei", "n", "no", "false", "usann", "0", "-"}

T = TypeVar("T")
Track = Callable[[Sequence[Any], str], Iterable[Any]]


def untracked(items: Sequence[T], label: str) -> Iterable[T]:
    """The default for ``track``: no progress shown."""
    return items


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    width: float
    help: str
    wrap: bool = False


ENTRY_COLUMNS = (
    Column("Fil", "file", 22, "Filen i knowledge/ oppføringen står i (file). En ny fil lages om navnet er nytt."),
    Column("ID", "id", 28, "Oppføringens id: små bokstaver og bindestrek, f.eks. establisher-guidance."),
    Column("Tema", "topic", 18, "Temaets id (topic), fra topics i kunnskapsbasen."),
    *(column for lang in ALL_LANGUAGES for column in (
        Column(f"Tittel {lang}", f"title.{lang}", 34, f"Tittelen på {lang} (title.{lang}).", wrap=True),
        Column(f"Svar {lang}", f"answer.{lang}", 70, f"Svaret på {lang} (answer.{lang}).", wrap=True),
    )),
    Column("Kilde", "source", 30, "Hvor opplysningene kommer fra (source), vises under svaret. Kan stå tom.",
           wrap=True),
    Column("Kilde per dato", "as_of", 14, "Datoen for kilden (as_of), ÅÅÅÅ-MM-DD. Kan stå tom."),
    Column("Eier", "owner", 20, "Hvem som holder oppføringen oppdatert (owner)."),
    Column("Revideres innen", "review_by", 15, "Datoen oppføringen skal være sjekket innen (review_by), ÅÅÅÅ-MM-DD."),
    Column("Relaterte", "related", 32, "Id-er til relaterte oppføringer (related), skilt med komma.", wrap=True),
    Column("Nøkkelord", "keywords", 48, "Nøkkelord (keywords), skilt med komma. Et ord med komma skrives i \"\".",
           wrap=True),
    Column("Småprat", "smalltalk", 10, "Småprat som hei og takk (smalltalk): SANN eller tom."),
    Column("Avvis", "decline", 10, "Spørsmål boten skal kjenne igjen og avvise (decline): SANN eller tom."),
)
QUESTION_COLUMNS = (
    Column("ID", "id", 28, "Id-en til oppføringen spørsmålet hører til (fra arket Oppføringer)."),
    Column("Språk", "lang", 8, "nb, nn eller en."),
    Column("Spørsmål", "question", 90, "En annen måte å stille spørsmålet på (questions).", wrap=True),
)


@dataclass(frozen=True)
class SheetProblem:
    """A problem in the workbook, printed as ``Sheet!C14: what is wrong — what to do``."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.sheet}: {self.message}"
        return f"{self.sheet}!{self.column or ''}{self.row}: {self.message}"


class WorkbookError(Exception):
    """The workbook cannot be written or read at all; the message says why and what to do."""


@dataclass
class EntryRow:
    """One entry as the workbook shows it (texts stripped, lists as lists)."""

    file: str
    id: str
    topic: str
    owner: str
    review_by: str  # ISO date
    title: dict[str, str]
    answer: dict[str, str]
    questions: dict[str, list[str]]
    keywords: list[str]
    related: list[str]
    smalltalk: bool = False
    decline: bool = False
    source: str = ""
    as_of: str = ""  # ISO date or empty
    row: int = 0  # in the Oppføringer sheet; 0 for entries read from YAML


# --- Reading the YAML the way the workbook shows it -------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _iso(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text(value)


def _texts(value: Any) -> list[str]:
    return [_text(item) for item in value] if isinstance(value, list) else []


def row_of(entry: Any, file_name: str) -> EntryRow:
    """An entry of a YAML file as a workbook row."""
    title = entry.get("title") or {}
    answer = entry.get("answer") or {}
    questions = entry.get("questions") or {}
    return EntryRow(
        file=file_name,
        id=_text(entry.get("id")),
        topic=_text(entry.get("topic")),
        owner=_text(entry.get("owner")),
        review_by=_iso(entry.get("review_by")),
        title={lang: _text(title.get(lang)) for lang in ALL_LANGUAGES},
        answer={lang: _text(answer.get(lang)) for lang in ALL_LANGUAGES},
        questions={lang: _texts(questions.get(lang)) for lang in ALL_LANGUAGES},
        keywords=_texts(entry.get("keywords")),
        related=_texts(entry.get("related")),
        smalltalk=bool(entry.get("smalltalk")),
        decline=bool(entry.get("decline")),
        source=_text(entry.get("source")),
        as_of=_iso(entry.get("as_of")),
    )


@dataclass
class _File:
    path: Path
    before: str | None  # None: a file the import creates
    document: Any

    @property
    def entries(self) -> CommentedSeq:
        if self.document.get("entries") is None:
            self.document["entries"] = CommentedSeq()
        entries: CommentedSeq = self.document["entries"]
        return entries


def _read_files(directory: Path, track: Track) -> dict[str, _File]:
    files: dict[str, _File] = {}
    for path in track([path for path in knowledge_files(directory) if path.is_file()], "Reading the knowledge base"):
        text = path.read_text("utf-8")
        try:
            document = yamledit.round_trip().load(text)
        except Exception as error:  # ruamel's YAMLError and its relatives
            raise WorkbookError(f"{path}: cannot be read as YAML ({error}) — fix it first "
                                "('naeringsbot kb check' names the line)") from error
        files[path.name] = _File(path, text, document if document is not None else CommentedMap())
    return files


def _entries(files: dict[str, _File]) -> Iterable[tuple[str, CommentedMap]]:
    for name, file in files.items():
        for entry in file.document.get("entries") or [] if isinstance(file.document, dict) else []:
            if isinstance(entry, CommentedMap):
                yield name, entry


Fields = dict[str, Any]


def fields(row: EntryRow) -> Fields:
    """A row as flat fields (``title.nb``, ``questions.en`` …), what the merge compares one by one."""
    flat: Fields = {key: getattr(row, key) for key in ("file", "topic", "owner", "review_by", "smalltalk", "decline",
                                                         "source", "as_of", "keywords", "related")}
    for lang in ALL_LANGUAGES:
        flat[f"title.{lang}"] = row.title[lang]
        flat[f"answer.{lang}"] = row.answer[lang]
        flat[f"questions.{lang}"] = row.questions[lang]
    return flat


def from_fields(entry_id: str, flat: Fields) -> EntryRow:
    return EntryRow(
        file=flat["file"], id=entry_id, topic=flat["topic"], owner=flat["owner"], review_by=flat["review_by"],
        title={lang: flat[f"title.{lang}"] for lang in ALL_LANGUAGES},
        answer={lang: flat[f"answer.{lang}"] for lang in ALL_LANGUAGES},
        questions={lang: list(flat[f"questions.{lang}"]) for lang in ALL_LANGUAGES},
        keywords=list(flat["keywords"]), related=list(flat["related"]), smalltalk=flat["smalltalk"],
        decline=flat["decline"], source=flat["source"], as_of=flat["as_of"],
    )


def _merged_list(base: list[str], ours: list[str], theirs: list[str]) -> list[str]:
    """The YAML's list with the workbook's removals and additions (new items at the end)."""
    removed = [item for item in base if item not in theirs]
    kept = [item for item in ours if item not in removed]
    return kept + [item for item in theirs if item not in base and item not in kept]


def merge(base: Fields, ours: Fields, theirs: Fields) -> tuple[Fields, list[str]]:
    """Three-way merge of one entry: the fields to write, and those changed differently on both sides.

    A conflicting field takes the workbook's value (the caller refuses it unless forced).
    """
    merged: Fields = {}
    conflicts = []
    for key, mine in theirs.items():
        then, now = base.get(key, mine), ours[key]
        if mine in (then, now):
            merged[key] = now
        elif now == then:
            merged[key] = mine
        elif isinstance(mine, list):
            merged[key] = _merged_list(list(then or []), list(now or []), mine)
        else:
            merged[key] = mine
            conflicts.append(key)
    return merged, conflicts


# --- Export -------------------------------------------------------------------------------------------------


def comma_list(items: Sequence[str]) -> str:
    """``a, b, "c, d"``: items joined by commas, an item that holds a comma or quote in quotes."""
    def quoted(item: str) -> str:
        return '"' + item.replace('"', '""') + '"' if any(c in item for c in ',"') else item

    return ", ".join(quoted(item) for item in items)


def split_comma_list(text: str) -> list[str]:
    if not text.strip():
        return []
    items = next(csv.reader([text.replace("\n", " ")], skipinitialspace=True))
    return [item.strip() for item in items if item.strip()]


def _put(sheet: Any, row: int, column: int, value: Any, wrap: bool) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # a text starting with '=' stays text, not a formula
        if len(value) > EXCEL_CELL_LIMIT:
            raise WorkbookError(f"{sheet.title}!{cell.coordinate}: a text of {len(value)} characters is more than "
                                f"a spreadsheet cell holds ({EXCEL_CELL_LIMIT}) — shorten it in the YAML file")
    cell.alignment = Alignment(wrap_text=wrap, vertical="top")


def _header(sheet: Any, columns: Sequence[Column]) -> None:
    fill = PatternFill("solid", fgColor="DDE7F0")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        cell.comment = Comment(column.help, "Næringsbot")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "C2" if len(columns) > 3 else "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"


def _entry_values(row: EntryRow) -> dict[str, Any]:
    values: dict[str, Any] = {
        "file": row.file, "id": row.id, "topic": row.topic, "owner": row.owner,
        "review_by": dt.date.fromisoformat(row.review_by) if _is_iso(row.review_by) else row.review_by,
        "source": row.source or None,
        "as_of": dt.date.fromisoformat(row.as_of) if _is_iso(row.as_of)
        else (int(row.as_of) if re.fullmatch(r"\d{4}", row.as_of or "") else (row.as_of or None)),
        "related": comma_list(row.related) or None, "keywords": comma_list(row.keywords) or None,
        "smalltalk": row.smalltalk, "decline": row.decline,
    }
    for lang in ALL_LANGUAGES:
        values[f"title.{lang}"] = row.title[lang] or None
        values[f"answer.{lang}"] = row.answer[lang] or None
    return values


def _is_iso(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class ExportSummary:
    entries: int
    questions: int
    files: int


def export_workbook(directory: Path, output: Path, track: Track = untracked) -> ExportSummary:
    """Write the knowledge base in ``directory`` to the workbook ``output``."""
    files = _read_files(directory, track)
    rows = [row_of(entry, name) for name, entry in _entries(files)]
    topics = [_text(topic.get("id")) for file in files.values() if isinstance(file.document, dict)
              for topic in file.document.get("topics") or [] if isinstance(topic, dict)]

    workbook = Workbook()
    entries = workbook.active
    entries.title = ENTRIES_SHEET
    _header(entries, ENTRY_COLUMNS)
    questions = workbook.create_sheet(QUESTIONS_SHEET)
    _header(questions, QUESTION_COLUMNS)
    question_row = 2
    for number, row in enumerate(track(rows, f"Writing {output.name}"), start=2):
        values = _entry_values(row)
        for index, column in enumerate(ENTRY_COLUMNS, start=1):
            _put(entries, number, index, values[column.key], column.wrap)
        for lang in ALL_LANGUAGES:
            for question in row.questions[lang]:
                for index, value in enumerate((row.id, lang, question), start=1):
                    _put(questions, question_row, index, value, QUESTION_COLUMNS[index - 1].wrap)
                question_row += 1
    _choices(entries, ENTRY_COLUMNS, "topic", topics)
    _choices(questions, QUESTION_COLUMNS, "lang", list(ALL_LANGUAGES))

    state = workbook.create_sheet(STATE_SHEET)
    state.sheet_state = "veryHidden"
    state.append([STATE_FORMAT, "Næringsbot: the entries as exported, for 'kb import'. Do not edit."])
    for row in rows:
        text = json.dumps(fields(row), ensure_ascii=False, separators=(",", ":"))
        state.append([row.id, *(text[start:start + CHUNK] for start in range(0, len(text), CHUNK))])

    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp",
                                     delete=False) as handle:
        temporary = Path(handle.name)
    try:
        workbook.save(temporary)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)
    return ExportSummary(len(rows), question_row - 2, len(files))


def _choices(sheet: Any, columns: Sequence[Column], key: str, choices: list[str]) -> None:
    """A drop-down for a column with few allowed values (typing another value is still caught on import)."""
    formula = ",".join(choices)
    if not choices or len(formula) > 250 or any("," in choice or '"' in choice for choice in choices):
        return
    letter = get_column_letter(next(i for i, column in enumerate(columns, start=1) if column.key == key))
    validation = DataValidation(type="list", formula1=f'"{formula}"', allow_blank=True, showErrorMessage=False)
    validation.add(f"{letter}2:{letter}1048576")
    sheet.add_data_validation(validation)


# --- Reading the workbook -----------------------------------------------------------------------------------


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


# --- Editing the YAML -----------------------------------------------------------------------------------------


def _styled(text: str, old: Any, default: Callable[[str], Any] = DoubleQuotedScalarString) -> Any:
    """``text`` written the way ``old`` was (block, quotes), or the house style for a new text."""
    ends = "\n" if old is None or str(old).endswith("\n") else ""
    if isinstance(old, FoldedScalarString) and "\n" not in text:
        return FoldedScalarString(text + ends)
    if isinstance(old, LiteralScalarString | FoldedScalarString) or "\n" in text:
        return LiteralScalarString(text + ends)
    if isinstance(old, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(text)
    if isinstance(old, SingleQuotedScalarString):
        return SingleQuotedScalarString(text)
    if old is not None:
        return text
    return default(text)


def _plain(text: str) -> str:
    return text


def _item_style(sequence: Sequence[Any], default: Callable[[str], Any]) -> Callable[[str], Any]:
    """How a new item of ``sequence`` is written: like the items already there."""
    for item in sequence:
        if isinstance(item, DoubleQuotedScalarString):
            return DoubleQuotedScalarString
        if isinstance(item, SingleQuotedScalarString):
            return SingleQuotedScalarString
        return _plain
    return default


def _position(keys: list[Any], key: str, order: Sequence[str]) -> int:
    """Where ``key`` goes among ``keys``: after the last one that comes before it in ``order``."""
    rank = order.index(key) if key in order else len(order)
    position = 0
    for index, existing in enumerate(keys):
        if existing in order and order.index(existing) < rank:
            position = index + 1
    return position


def _width(value: Any) -> int | None:
    """How wide ``value`` is written on its line (None for a block, which no end-of-line comment follows)."""
    if isinstance(value, LiteralScalarString | FoldedScalarString | CommentedMap | CommentedSeq):
        return None
    if isinstance(value, bool):
        return len(str(value).lower())
    return len(str(value))


def _shifted(comments: Any, position: int, old: Any, new: Any) -> None:
    """Keep the gap before an end-of-line comment when the value before it gets longer or shorter."""
    if not (isinstance(comments, list) and len(comments) > position and isinstance(comments[position], CommentToken)):
        return
    token: CommentToken = comments[position]
    before, after = _width(old), _width(new)
    if before is None or after is None or token.start_mark is None or not token.value.startswith("#"):
        return
    column = max(0, token.start_mark.column + after - before)
    comments[position] = CommentToken(token.value, CommentMark(column), None)


def _set_key(mapping: CommentedMap, key: str, value: Any, order: Sequence[str]) -> None:
    """Set ``key`` (None removes it); a new key goes where ``order`` puts it."""
    if value is None:
        if key in mapping:
            del mapping[key]
            mapping.ca.items.pop(key, None)
    elif key in mapping:
        _shifted(mapping.ca.items.get(key), 2, mapping[key], value)
        mapping[key] = value
    else:
        mapping.insert(_position(list(mapping.keys()), key, order), key, value)


def _item_comment(sequence: CommentedSeq, index: int) -> tuple[CommentToken, str, str] | None:
    """The comment after item ``index``: (its token, the item's own end-of-line comment, the lines after it)."""
    comment = sequence.ca.items.get(index)
    if not (isinstance(comment, list) and comment and isinstance(comment[0], CommentToken)
            and all(part is None for part in comment[1:])):
        return None
    token: CommentToken = comment[0]
    value = token.value
    if value.startswith("#"):
        own, _, rest = value.partition("\n")
        return token, own + "\n", rest
    return token, "", value[1:] if value.startswith("\n") else value


def _put_comment(sequence: CommentedSeq, index: int, token: CommentToken, own: str, rest: str) -> None:
    if not own and not rest:
        sequence.ca.items.pop(index, None)
        return
    value = own + rest if own else "\n" + rest
    sequence.ca.items[index] = [CommentToken(value, token.start_mark, token.end_mark), None, None, None]


def _delete_item(sequence: CommentedSeq, index: int) -> None:
    """Delete an item; comment lines that followed it stay, after the item before it."""
    found = _item_comment(sequence, index)
    del sequence[index]
    if found is None or not found[2] or index == 0:
        return
    previous = _item_comment(sequence, index - 1)
    if previous is not None:
        _put_comment(sequence, index - 1, previous[0], previous[1], previous[2] + found[2])
    elif index - 1 not in sequence.ca.items:
        _put_comment(sequence, index - 1, found[0], "", found[2])


def _edit_list(sequence: CommentedSeq, new: list[str], make: Callable[[str], Any]) -> None:
    """Make ``sequence`` hold ``new`` with the fewest edits, keeping the comments where they belong.

    A reworded item keeps its end-of-line comment; the comment lines after the last item (often the
    ones that introduce the next key) stay after the list.
    """
    old = [_text(item) for item in sequence]
    if old == new:
        return
    tail: tuple[CommentToken, str] | None = None
    found = _item_comment(sequence, len(sequence) - 1) if sequence else None
    if found is not None and found[2]:
        _put_comment(sequence, len(sequence) - 1, found[0], found[1], "")
        tail = found[0], found[2]
    for tag, i1, i2, j1, j2 in reversed(SequenceMatcher(None, old, new, autojunk=False).get_opcodes()):
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        for offset in range(paired):
            value = make(new[j1 + offset])
            _shifted(sequence.ca.items.get(i1 + offset), 0, sequence[i1 + offset], value)
            sequence[i1 + offset] = value
        for index in reversed(range(i1 + paired, i2)):
            _delete_item(sequence, index)
        for offset, text in enumerate(new[j1 + paired:j2]):
            sequence.insert(i1 + paired + offset, make(text))
    if tail is not None and sequence:
        end = len(sequence) - 1
        found = _item_comment(sequence, end)
        if found is not None:
            _put_comment(sequence, end, found[0], found[1], found[2] + tail[1])
        elif end not in sequence.ca.items:
            _put_comment(sequence, end, tail[0], "", tail[1])


def _new_list(items: list[str], make: Callable[[str], Any], flow: bool) -> CommentedSeq:
    sequence = CommentedSeq([make(item) for item in items])
    if flow:
        sequence.fa.set_flow_style()
    return sequence


def _date_value(iso: str) -> dt.date | int | None:
    if re.fullmatch(r"\d{4}", iso):
        return int(iso)
    return dt.date.fromisoformat(iso) if iso else None


def apply_row(entry: CommentedMap, row: EntryRow, old: EntryRow) -> list[str]:
    """Edit ``entry`` (whose current state is ``old``) to match ``row``; the names of what changed."""
    changed: list[str] = []
    for key in ("id", "topic", "owner"):
        if getattr(row, key) != getattr(old, key):
            _set_key(entry, key, _styled(getattr(row, key), entry.get(key), _plain), ENTRY_ORDER)
            changed.append(key)
    if row.review_by != old.review_by:
        _set_key(entry, "review_by", _date_value(row.review_by), ENTRY_ORDER)
        changed.append("review_by")
    if row.as_of != old.as_of:
        _set_key(entry, "as_of", _date_value(row.as_of), ENTRY_ORDER)
        changed.append("as_of")
    for key in ("smalltalk", "decline"):
        if getattr(row, key) != getattr(old, key):
            _set_key(entry, key, getattr(row, key), ENTRY_ORDER)
            changed.append(key)
    if row.source != old.source:
        _set_key(entry, "source", _styled(row.source, entry.get("source")) if row.source else None, ENTRY_ORDER)
        changed.append("source")
    for key in ("title", "answer"):
        texts = entry.get(key)
        if not isinstance(texts, CommentedMap):
            texts = CommentedMap()
            _set_key(entry, key, texts, ENTRY_ORDER)
        for lang in ALL_LANGUAGES:
            new, before = getattr(row, key)[lang], getattr(old, key)[lang]
            if new != before:
                _set_key(texts, lang, _styled(new, texts.get(lang)) if new else None, ALL_LANGUAGES)
                changed.append(f"{key} {lang}")
    questions = entry.get("questions")
    if not isinstance(questions, CommentedMap):
        questions = CommentedMap()
        _set_key(entry, "questions", questions, ENTRY_ORDER)
    for lang in ALL_LANGUAGES:
        new, before = row.questions[lang], old.questions[lang]
        if new == before:
            continue
        current = questions.get(lang)
        if not new:
            _set_key(questions, lang, None, ALL_LANGUAGES)
        elif isinstance(current, CommentedSeq):
            _edit_list(current, new, _item_style(current, DoubleQuotedScalarString))
        else:
            _set_key(questions, lang, _new_list(new, DoubleQuotedScalarString, flow=False), ALL_LANGUAGES)
        added, removed = len(set(new) - set(before)), len(set(before) - set(new))
        changed.append(f"questions {lang} (+{added} −{removed})")
    for key, default in (("keywords", DoubleQuotedScalarString), ("related", _plain)):
        new, before = getattr(row, key), getattr(old, key)
        if new == before:
            continue
        current = entry.get(key)
        if isinstance(current, CommentedSeq):
            _edit_list(current, new, _item_style(current, default))
        elif new:
            _set_key(entry, key, _new_list(new, default, flow=True), ENTRY_ORDER)
        changed.append(key)
    return changed


def new_entry(row: EntryRow) -> CommentedMap:
    entry = CommentedMap()
    entry["id"] = row.id
    blank = EntryRow(file=row.file, id=row.id, topic="", owner="", review_by="",
                     title=dict.fromkeys(ALL_LANGUAGES, ""), answer=dict.fromkeys(ALL_LANGUAGES, ""),
                     questions={lang: [] for lang in ALL_LANGUAGES}, keywords=[], related=[])
    apply_row(entry, row, blank)
    return entry


# --- Import ---------------------------------------------------------------------------------------------------


@dataclass
class ImportPlan:
    """What an import would write: each changed file's text before and after, and why."""

    directory: Path
    changes: dict[Path, tuple[str | None, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def diff(self) -> str:
        return "".join(yamledit.diff(before or "", after, path.name) for path, (before, after) in self.changes.items())


def plan_import(
    workbook: Path,
    directory: Path,
    languages: Sequence[str] = ("nb", "en"),
    required_ids: Sequence[str] = (),
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    force: bool = False,
    track: Track = untracked,
) -> ImportPlan:
    """Work out the edits that bring the workbook's changes into ``directory``, and check the result loads.

    ``force`` lets the workbook win where the same field was also changed in the YAML after the export.
    """
    plan = ImportPlan(directory)
    files = _read_files(directory, track)
    topics = [_text(topic.get("id")) for file in files.values() if isinstance(file.document, dict)
              for topic in file.document.get("topics") or [] if isinstance(topic, dict)]
    current = {_text(entry.get("id")): (name, entry) for name, entry in _entries(files)}
    read = read_workbook(workbook, languages, topics, current)
    rows, exported = read.rows, read.exported
    plan.problems = [str(problem) for problem in read.problems]
    if plan.problems:
        return plan
    base = exported if exported is not None else {}
    since = "after the export"

    wanted = {row.id for row in rows}
    for entry_id, (name, entry) in current.items():
        if entry_id in wanted:
            continue
        if exported is not None and entry_id not in exported:
            plan.notes.append(f"kept {entry_id} in {name} (added to the file {since})")
            continue
        _remove(files[name].entries, entry)
        plan.notes.append(f"removed {entry_id} from {name} (its row is gone)")
    new_ids: dict[str, list[str]] = {}
    for row in track(rows, f"Comparing {workbook.name}"):
        where = f"{ENTRIES_SHEET}!{read.letters['id']}{row.row}"
        theirs = fields(row)
        if row.id not in current:
            if row.id in base and not force:
                if theirs == base[row.id]:
                    plan.notes.append(f"left out {row.id} (removed from {base[row.id]['file']} {since})")
                else:
                    plan.problems.append(f"{where}: entry '{row.id}' was removed from the YAML files {since}, "
                                         "but its row was edited — delete the row, or import with --force to "
                                         "add the entry back")
                continue
            target = _target(files, directory, row.file)
            target.entries.append(new_entry(row))
            new_ids.setdefault(row.file, []).append(row.id)
            plan.notes.append(f"added {row.id} to {row.file}")
            continue
        name, entry = current[row.id]
        ours = fields(row_of(entry, name))
        if exported is not None and row.id not in exported and not force and theirs != ours:
            plan.problems.append(f"{where}: id '{row.id}' was also added to {name} {since} — give your entry "
                                 "another id, or import with --force to overwrite that one")
            continue
        merged, conflicts = merge(base.get(row.id, ours), ours, theirs)
        if conflicts and not force:
            plan.problems += [_conflict(read, row, key, ours[key], name, workbook) for key in conflicts]
            continue
        wanted_row = from_fields(row.id, merged)
        if wanted_row.file != name:
            _remove(files[name].entries, entry)
            _target(files, directory, wanted_row.file).entries.append(entry)
            new_ids.setdefault(wanted_row.file, []).append(row.id)
            plan.notes.append(f"moved {row.id} from {name} to {wanted_row.file}")
        changed = apply_row(entry, wanted_row, row_of(entry, name))
        if changed:
            plan.notes.append(f"changed {row.id} in {wanted_row.file}: {', '.join(changed)}")
    if plan.problems:
        return plan

    for name, file in files.items():
        after = _separated(yamledit.dump(file.document), file.before, new_ids.get(name, []))
        if after != file.before:
            plan.changes[file.path] = (file.before, after)
    plan.problems += _would_not_load(plan, directory, languages, required_ids, max_bytes)
    return plan


def _target(files: dict[str, _File], directory: Path, name: str) -> _File:
    if name not in files:
        files[name] = _File(directory / name, None, CommentedMap([("entries", CommentedSeq())]))
    return files[name]


def _conflict(read: WorkbookRead, row: EntryRow, key: str, now: Any, file_name: str, workbook: Path) -> str:
    header = next(column.header for column in ENTRY_COLUMNS if column.key == key)
    shown = comma_list(now) if isinstance(now, list) else str(now)
    shown = shown if len(shown) <= 60 else shown[:57] + "…"
    return (f"{ENTRIES_SHEET}!{read.letters.get(key, '')}{row.row}: '{header}' of '{row.id}' was also changed in "
            f"{file_name} after {workbook.name} was exported (it is now «{shown}») — to keep the file's value, "
            "put it in the cell; to keep yours, import with --force")


def _remove(sequence: CommentedSeq, item: Any) -> None:
    """Take ``item`` out of ``sequence`` with the comments after it (``list.remove`` leaves them behind).

    The blank line that set off the next item goes too when that item becomes the first.
    """
    index = next(index for index, existing in enumerate(sequence) if existing is item)
    del sequence[index]
    comment = sequence.ca.items.get(0) if index == 0 else None
    if isinstance(comment, list) and len(comment) > 1 and isinstance(comment[1], list) \
            and all(isinstance(token, CommentToken) and not token.value.strip() for token in comment[1]):
        comment[1] = None
        if all(part is None for part in comment):
            sequence.ca.items.pop(0)


def _separated(text: str, before: str | None, entry_ids: list[str]) -> str:
    """A blank line before each added entry, when the file separates its entries that way."""
    if not entry_ids or (before is not None and not re.search(r"\n\s*\n[ ]*- id:", before)):
        return text
    lines = text.split("\n")
    for entry_id in entry_ids:
        pattern = re.compile(rf"[ ]*- id: ['\"]?{re.escape(entry_id)}['\"]?[ ]*")
        for index, line in enumerate(lines):
            if pattern.fullmatch(line) and index > 0 and lines[index - 1].strip() \
                    and not lines[index - 1].rstrip().endswith(":"):
                lines.insert(index, "")
                break
    return "\n".join(lines)


def _would_not_load(plan: ImportPlan, directory: Path, languages: Sequence[str], required_ids: Sequence[str],
                    max_bytes: int) -> list[str]:
    """The loader's errors for the files as the import would leave them (tried in a temporary copy)."""
    with tempfile.TemporaryDirectory(prefix="naeringsbot-import-") as temporary:
        copy = Path(temporary)
        for path in knowledge_files(directory):
            if path.is_file():
                shutil.copy2(path, copy / path.name)
        for path, (_before, after) in plan.changes.items():
            (copy / path.name).write_text(after, "utf-8")
        base, problems = read_knowledge(copy, max_bytes, languages)
        errors = [str(problem).replace(str(copy), str(directory)) for problem in problems
                  if problem.severity == "error"]
    errors += [f"{ENTRIES_SHEET}: required entry '{entry_id}' is missing — reports and test questions refer to it "
               "(knowledge.required_ids in config); add its row back"
               for entry_id in required_ids if not errors and entry_id not in base.entries]
    return errors


def write_plan(plan: ImportPlan) -> None:
    """Write the changed files, each replaced at once so the running bot never reads half a file."""
    for path, (_before, after) in plan.changes.items():
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp", delete=False, newline="") as handle:
            handle.write(after)
            temporary = Path(handle.name)
        try:
            if path.exists():
                shutil.copymode(path, temporary)
            else:
                os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)

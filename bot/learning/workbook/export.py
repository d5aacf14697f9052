"""``kb export``: writing the knowledge base to a workbook, with the hidden sheet of entries as exported."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bot.knowledge.model import ALL_LANGUAGES
from bot.learning.workbook.layout import (
    CHUNK,
    ENTRIES_SHEET,
    ENTRY_COLUMNS,
    EXCEL_CELL_LIMIT,
    QUESTION_COLUMNS,
    QUESTIONS_SHEET,
    STATE_FORMAT,
    STATE_SHEET,
    Column,
    EntryRow,
    Track,
    WorkbookError,
    untracked,
)
from bot.learning.workbook.rows import (
    _entries,
    _read_files,
    _text,
    comma_list,
    fields,
    row_of,
)


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

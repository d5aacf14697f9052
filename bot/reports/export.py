"""The inquiry log of a period for a spreadsheet: an Excel workbook, or a CSV of the inquiries.

The workbook opens with the report's figures in readable sheets («Sammendrag», «Mål», «Per måned»,
«Per tema», «Per språk», «Ubesvart»), then the period's raw rows, staff and terminal-chat rows included:
«Henvendelser» (inquiries), «Tilbakemeldinger» (feedback), «Sendt til ansatte» (handoffs) and «Brukere»
(users). Their headers are Norwegian; the sheet «Kolonner» maps each header to the column name in the
database, which other tools use. «Teller som henvendelse» (ja/nei) says whether a row is one of the
report's inquiries, so a pivot on it gives the report's count. Handoffs leave out the user's chat id (a
Telegram user id, which a circulating file must not carry). Times are Oslo time as real date-times, so
sorting and filtering by date work. The file is written readable by its owner only (mode 0600), like
the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlite_utils import Database

from bot.clock import local_time
from bot.config import Config
from bot.knowledge.model import KnowledgeBase
from bot.matching.matcher import Matcher
from bot.reports.export_sheets import (
    Sheet,
    languages_sheet,
    months_sheet,
    summary_sheet,
    targets_sheet,
    topics_sheet,
    unanswered_sheet,
)
from bot.reports.indicators import bounds
from bot.reports.metrics import COUNTED, INQUIRY
from bot.reports.periods import Period

DATETIME_FORMAT = "dd.mm.yyyy hh:mm:ss"
MIN_WIDTH, MAX_WIDTH = 8, 60
WIDTH_SAMPLE_ROWS = 500
COUNTS_AS_INQUIRY = "counts_as_inquiry"
PROGRESS_ROWS = 1000  # rows between two progress reports

# (table, SQL); every query takes :start and :end.
TABLES: dict[str, str] = {
    "inquiries": (
        f"SELECT i.*, CASE WHEN ({COUNTED}) AND {INQUIRY} THEN 'ja' ELSE 'nei' END AS {COUNTS_AS_INQUIRY} "
        "FROM inquiries i WHERE i.received_at >= :start AND i.received_at < :end ORDER BY i.received_at, i.id"
    ),
    "feedback": (
        "SELECT f.id, f.inquiry_id, f.user_ref, f.value, f.received_at FROM feedback f "
        "JOIN inquiries i ON i.id = f.inquiry_id "
        "WHERE i.received_at >= :start AND i.received_at < :end ORDER BY f.received_at, f.id"
    ),
    "handoffs": (
        "SELECT id, reference, inquiry_id, user_ref, lang, question, status, opened_at, first_answered_at, "
        "closed_at, answered_by FROM handoffs WHERE opened_at >= :start AND opened_at < :end ORDER BY opened_at, id"
    ),
    "users": (
        "SELECT user_ref, lang, role, municipality, source, first_seen, last_seen FROM users "
        "WHERE first_seen < :end AND last_seen >= :start ORDER BY first_seen, user_ref"
    ),
}
SHEETS = {"inquiries": "Henvendelser", "feedback": "Tilbakemeldinger", "handoffs": "Sendt til ansatte",
          "users": "Brukere"}
# The Norwegian header of each database column; a column not listed keeps its database name.
HEADERS = {
    "id": "Nr.", "update_id": "Telegram-oppdatering", "received_at": "Mottatt", "channel": "Kanal",
    "chat_type": "Chattype", "user_ref": "Pseudonym", "lang": "Språk", "kind": "Slag", "text": "Tekst",
    "entry_id": "Svar (id)", "score": "Treffsikkerhet", "outcome": "Utfall", "suggested": "Forslag",
    "parent_id": "Svar på henvendelse nr.", "latency_ms": "Svartid (ms)", "is_staff": "Ansatt (1 = ja)",
    "role": "Rolle", "municipality": "Kommune", "source": "Lenke", COUNTS_AS_INQUIRY: "Teller som henvendelse",
    "inquiry_id": "Henvendelse nr.", "value": "Stemme (+1/−1)", "reference": "Referanse", "question": "Spørsmål",
    "status": "Status", "opened_at": "Sendt", "first_answered_at": "Første svar", "closed_at": "Lukket",
    "answered_by": "Besvart av", "first_seen": "Først sett", "last_seen": "Sist sett",
}
TIME_COLUMNS = frozenset({"received_at", "opened_at", "first_answered_at", "closed_at", "first_seen", "last_seen"})
SUMMARY_SHEET = "Sammendrag"
COLUMNS_SHEET = "Kolonner"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def table_rows(db: Database, table: str, period: Period) -> tuple[list[str], list[dict[str, Any]]]:
    """Column names and rows of one exported table; columns come from the query even when it is empty."""
    cursor = db.execute(TABLES[table], bounds(period))
    columns = [description[0] for description in cursor.description]
    return columns, [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def export_xlsx(
    db: Database, period: Period, path: Path, config: Config, knowledge: KnowledgeBase | None = None,
    matcher: Matcher | None = None, progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Write the workbook: the readable sheets, then one sheet per table; returns rows per table.

    ``progress(done, total)`` counts the rows written, and one step more for saving the file.
    """
    from bot.reports.report import build_report

    report = build_report(db, config, period, knowledge, matcher)
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    raw: dict[str, tuple[list[str], list[dict[str, Any]]]] = {table: table_rows(db, table, period) for table in TABLES}
    counts = {table: len(rows) for table, (_, rows) in raw.items()}
    topics = {topic.id: topic.title.get("nb") for topic in knowledge.topics.values()} if knowledge else {}
    entries = {entry.id: entry.title.get("nb") for entry in knowledge} if knowledge else {}
    for sheet in (summary_sheet(report, {SHEETS[table]: count for table, count in counts.items()}),
                  targets_sheet(report), months_sheet(report), topics_sheet(report, topics), languages_sheet(report),
                  unanswered_sheet(report, entries)):
        _write_sheet(workbook.create_sheet(sheet.title), sheet)
    total = sum(counts.values()) + 1

    def rows_written(before: int) -> Callable[[int], None] | None:
        return None if progress is None else lambda rows: progress(before + rows, total)

    mapping: list[list[Any]] = []
    written = 0
    for table, (columns, rows) in raw.items():
        headers = [HEADERS.get(column, column) for column in columns]
        _write_table(workbook.create_sheet(SHEETS[table]), headers,
                     [[_cell(column, row[column]) for column in columns] for row in rows], rows_written(written))
        written += len(rows)
        mapping += [[SHEETS[table], header, column] for header, column in zip(headers, columns, strict=True)]
    _write_sheet(workbook.create_sheet(COLUMNS_SHEET), Sheet(COLUMNS_SHEET, ["Ark", "Kolonne", "Navn i databasen"],
                                                             mapping))
    path.parent.mkdir(parents=True, exist_ok=True)
    _save_private(workbook, path)
    if progress is not None:
        progress(total, total)
    return counts


def _save_private(workbook: Workbook, path: Path) -> None:
    """Save with mode 0600 from the first byte: the rows hold what people asked."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode through O_CREAT: set it
    with os.fdopen(descriptor, "wb") as file:
        workbook.save(file)


def export_csv(db: Database, period: Period, path: Path) -> int:
    """The period's inquiries as CSV in UTF-8 with a byte-order mark, so Excel reads æ, ø and å right."""
    columns, rows = table_rows(db, "inquiries", period)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        writer.writeheader()
        writer.writerows({key: _csv_safe(value) for key, value in row.items()} for row in rows)
    return len(rows)


def _cell(column: str, value: Any) -> Any:
    """ISO UTC times become naive Oslo date-times (Excel has no time zones); other values stay typed."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if column in TIME_COLUMNS and isinstance(value, str):
        try:
            return local_time(value).replace(tzinfo=None)
        except ValueError:
            return value
    return value


def _csv_safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _write_sheet(worksheet: Worksheet, sheet: Sheet) -> None:
    _write_table(worksheet, sheet.header, sheet.rows)
    for (row, column), number_format in sheet.cell_formats.items():
        worksheet.cell(row + 2, column + 1).number_format = number_format
    for column, number_format in sheet.formats.items():
        for cells in worksheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
            cells[0].number_format = number_format


def _write_table(sheet: Worksheet, columns: list[str], rows: list[list[Any]],
                 progress: Callable[[int], None] | None = None) -> None:
    """Bold frozen header, auto-filter over the data, date formats and widths that fit the content."""
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        sheet.append(row)
        for position, value in enumerate(row, start=1):
            # A user's "=HYPERLINK(…)" is text, never a formula. (sheet.max_row rescans every cell: not per row.)
            if isinstance(value, str) and value.startswith("="):
                sheet.cell(number, position).data_type = "s"
        if progress is not None and (number - 1) % PROGRESS_ROWS == 0:
            progress(number - 1)
    if progress is not None:
        progress(len(rows))
    sheet.freeze_panes = "A2"
    last_column = get_column_letter(max(len(columns), 1))
    sheet.auto_filter.ref = f"A1:{last_column}{len(rows) + 1}"
    for index, column in enumerate(columns, start=1):
        values = [row[index - 1] for row in rows[:WIDTH_SAMPLE_ROWS]]
        if any(isinstance(value, dt.datetime) for value in values):
            for cell in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell[0].number_format = DATETIME_FORMAT
            width = len(DATETIME_FORMAT) + 2
        else:
            width = max([len(str(column)), *(len(str(value)) for value in values if value is not None)]) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, MIN_WIDTH), MAX_WIDTH)

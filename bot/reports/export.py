"""The inquiry log of a period for a spreadsheet: an Excel workbook, or a CSV of the inquiries.

Every row of the period is exported, staff and terminal-chat rows included, with their ``is_staff``
and ``channel`` columns, so a filter reproduces the report's figures (the summary sheet has them).
Handoffs leave out the user's chat id: it is a Telegram user id, which a circulating file must not
carry. Times are written as real date-times in UTC, so sorting and filtering by date work.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlite_utils import Database

from bot.reports.indicators import bounds, compute_figures
from bot.reports.periods import Period
from bot.reports.sections import WORDS

DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
MIN_WIDTH, MAX_WIDTH = 8, 60
WIDTH_SAMPLE_ROWS = 500
PROGRESS_ROWS = 1000  # rows between two progress reports

# (sheet, SQL); every query takes :start and :end.
TABLES: dict[str, str] = {
    "inquiries": "SELECT * FROM inquiries WHERE received_at >= :start AND received_at < :end ORDER BY received_at, id",
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
TIME_COLUMNS = frozenset({"received_at", "opened_at", "first_answered_at", "closed_at", "first_seen", "last_seen"})
SUMMARY_SHEET = "Sammendrag"
SUMMARY_TOTALS = ("inquiries", "unique_users", "answered", "ambiguous", "fallback", "to_staff", "handoffs")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def table_rows(db: Database, table: str, period: Period) -> tuple[list[str], list[dict[str, Any]]]:
    """Column names and rows of one exported table; columns come from the query even when it is empty."""
    cursor = db.execute(TABLES[table], bounds(period))
    columns = [description[0] for description in cursor.description]
    return columns, [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def export_xlsx(db: Database, period: Period, path: Path,
                progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Write the workbook: the summary sheet first, then one sheet per table; returns rows per sheet.

    ``progress(done, total)`` counts the rows written, and one step more for saving the file.
    """
    workbook = Workbook()
    summary_sheet = workbook.active
    assert summary_sheet is not None
    summary_sheet.title = SUMMARY_SHEET
    counts: dict[str, int] = {}
    fetched = {table: table_rows(db, table, period) for table in TABLES}
    total = sum(len(rows) for _, rows in fetched.values()) + 1

    def rows_written(before: int) -> Callable[[int], None] | None:
        return None if progress is None else lambda rows: progress(before + rows, total)

    for table, (columns, rows) in fetched.items():
        sheet = workbook.create_sheet(table)
        _write_table(sheet, columns, [[_cell(column, row[column]) for column in columns] for row in rows],
                     rows_written(sum(counts.values())))
        counts[table] = len(rows)
    _write_table(summary_sheet, ["Hva", "Verdi"], [list(line) for line in _summary(db, period, counts)])
    for row in summary_sheet.iter_rows(min_row=2, max_col=2):
        if isinstance(row[1].value, dt.date):
            row[1].number_format = "yyyy-mm-dd"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    if progress is not None:
        progress(total, total)
    return counts


def export_csv(db: Database, period: Period, path: Path) -> int:
    """The period's inquiries as CSV in UTF-8 with a byte-order mark, so Excel reads æ, ø and å right."""
    columns, rows = table_rows(db, "inquiries", period)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        writer.writeheader()
        writer.writerows({key: _csv_safe(value) for key, value in row.items()} for row in rows)
    return len(rows)


def _summary(db: Database, period: Period, counts: dict[str, int]) -> list[tuple[str, Any]]:
    figures = compute_figures(db, period)
    totals = asdict(figures.totals)
    return [
        ("Periode fra", period.start),
        ("Periode til", period.end),
        ("Tidspunkter", "UTC"),
        *[(WORDS[key][0], totals[key]) for key in SUMMARY_TOTALS],
        (WORDS["answered_share"][0], figures.answered_share),
        (WORDS["satisfaction"][0], figures.satisfaction),
        ("Talt med", "is_staff = 0 og channel = telegram; se «naeringsbot report» for definisjonene"),
        *[(f"Rader i arket «{table}»", count) for table, count in counts.items()],
    ]


def _cell(column: str, value: Any) -> Any:
    """ISO time strings become naive UTC datetimes (Excel has no time zones); other values stay typed."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if column in TIME_COLUMNS and isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment
    return value


def _csv_safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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

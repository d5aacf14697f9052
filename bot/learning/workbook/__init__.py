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

What lives where: the sheets, columns, row types and errors (layout); the YAML read the way the
workbook shows it, and comma lists (rows); writing the workbook (export); reading and checking its
cells, each problem named by its cell (read); the three-way merge and applying a row to the YAML
(merge); planning, checking and writing an import (plan).
"""

from bot.learning.workbook.export import ExportSummary, export_workbook
from bot.learning.workbook.layout import (
    ENTRIES_SHEET,
    ENTRY_COLUMNS,
    QUESTION_COLUMNS,
    QUESTIONS_SHEET,
    STATE_SHEET,
    Column,
    EntryRow,
    SheetProblem,
    WorkbookError,
)
from bot.learning.workbook.merge import apply_row, merge, new_entry
from bot.learning.workbook.plan import ImportPlan, plan_import, write_plan
from bot.learning.workbook.read import WorkbookRead, read_workbook
from bot.learning.workbook.rows import comma_list, fields, from_fields, row_of, split_comma_list

__all__ = [
    "ENTRIES_SHEET", "ENTRY_COLUMNS", "QUESTIONS_SHEET", "QUESTION_COLUMNS", "STATE_SHEET", "Column", "EntryRow",
    "ExportSummary", "ImportPlan", "SheetProblem", "WorkbookError", "WorkbookRead", "apply_row", "comma_list",
    "export_workbook", "fields", "from_fields", "merge", "new_entry", "plan_import", "read_workbook", "row_of",
    "split_comma_list", "write_plan",
]

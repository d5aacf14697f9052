"""``naeringsbot export``: a workbook a spreadsheet opens typed and filterable, and a CSV Excel reads right."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from bot.cli import cli
from bot.reports.export import SUMMARY_SHEET, export_csv, export_xlsx
from tests.conftest import ROOT
from tests.sample_log import NOVEMBER, build_sample_log

# November holds rows 1–23 and 27 (staff and terminal rows included, with their columns to filter on);
# feedback on 1 2 4 21 27; handoffs H-1 H-2 H-3; the four users seen in November (not Sam, September).
NOVEMBER_ROWS = {"inquiries": 24, "feedback": 5, "handoffs": 3, "users": 4}


@pytest.fixture
def db(tmp_path: Path) -> Database:
    db = build_sample_log(tmp_path / "inquiries.db")
    db.table("inquiries").insert({"received_at": "2026-11-09T10:00:00+00:00", "channel": "telegram", "kind": "message",
                            "outcome": "fallback", "text": '=HYPERLINK("http://x.example","klikk")'})
    return db


def test_one_sheet_per_table_after_the_summary_with_the_periods_rows(db: Database, tmp_path: Path) -> None:
    counts = export_xlsx(db, NOVEMBER, tmp_path / "out.xlsx")
    assert counts == {**NOVEMBER_ROWS, "inquiries": 27}
    workbook = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert workbook.sheetnames == [SUMMARY_SHEET, "inquiries", "feedback", "handoffs", "users"]
    for table, count in counts.items():
        sheet = workbook[table]
        assert sheet.max_row == count + 1, table
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{count + 1}"
        assert all(cell.font.bold for cell in sheet[1])


def test_columns_are_typed_times_numbers_and_text(db: Database, tmp_path: Path) -> None:
    export_xlsx(db, NOVEMBER, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["inquiries"]
    header = [cell.value for cell in sheet[1]]
    first = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert first["received_at"].value == dt.datetime(2026, 11, 1, 12, 0)  # UTC, as the log
    assert first["received_at"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert isinstance(first["id"].value, int)
    rows = [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    answered = next(row for row in rows if row["update_id"] == 1)
    assert answered["score"] == 0.91 and answered["is_staff"] == 0
    assert "søke støtte til båt" in [row["text"] for row in rows]  # æøå round-trip
    assert 3 <= sheet.column_dimensions["I"].width <= 60  # text column: sensible, capped
    votes = [row[3] for row in openpyxl.load_workbook(tmp_path / "out.xlsx")["feedback"].iter_rows(
        min_row=2, values_only=True)]
    assert sorted(votes) == [-1, 1, 1, 1, 1]


def test_a_question_that_looks_like_a_formula_stays_text(db: Database, tmp_path: Path) -> None:
    export_xlsx(db, NOVEMBER, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["inquiries"]
    (cell,) = [row[8] for row in sheet.iter_rows(min_row=2) if str(row[8].value).startswith("=")]
    assert cell.data_type == "s"


def test_handoffs_leave_out_the_users_chat_id(db: Database, tmp_path: Path) -> None:
    export_xlsx(db, NOVEMBER, tmp_path / "out.xlsx")
    header = [cell.value for cell in openpyxl.load_workbook(tmp_path / "out.xlsx")["handoffs"][1]]
    assert "chat_id" not in header and {"reference", "status", "opened_at", "first_answered_at"} <= set(header)


def test_the_summary_sheet_repeats_the_reports_figures(db: Database, tmp_path: Path) -> None:
    export_xlsx(build_sample_log(tmp_path / "clean.db"), NOVEMBER, tmp_path / "out.xlsx")
    summary = dict(openpyxl.load_workbook(tmp_path / "out.xlsx")[SUMMARY_SHEET].iter_rows(min_row=2, values_only=True))
    assert summary["Periode fra"] == dt.datetime(2026, 11, 1)
    assert summary["Henvendelser"] == 13
    assert summary["Besvart av boten"] == 6
    assert summary["Andel fornøyde (👍)"] == 0.75
    assert summary["Rader i arket «inquiries»"] == 26


def test_csv_is_utf8_with_a_byte_order_mark_and_formulas_defused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    assert export_csv(db, NOVEMBER, path) == 27
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 27
    assert "Hvordan søker jeg støtte til båten min?" in [row["text"] for row in rows]
    assert "'=HYPERLINK(\"http://x.example\",\"klikk\")" in [row["text"] for row in rows]


def test_export_command_writes_xlsx_or_csv_by_the_file_name(db: Database, tmp_path: Path) -> None:
    env = {"NAERINGSBOT_DATABASE": str(tmp_path / "inquiries.db")}
    config = ["--config", str(ROOT / "config.yaml")]
    result = CliRunner().invoke(cli, ["export", *config, "--period", "2026-11", "--output", str(tmp_path / "n.xlsx")],
                                env=env)
    assert result.exit_code == 0, result.output
    assert "Wrote 27 inquiries, 5 feedback, 3 handoffs, 4 users for 2026-11-01–2026-11-30" in result.stdout
    result = CliRunner().invoke(cli, ["export", *config, "--from", "2026-11-30", "--to", "2026-11-30",
                                      "-o", str(tmp_path / "d.csv")], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    result = CliRunner().invoke(cli, ["export", *config, "--output", str(tmp_path / "n.ods")], env=env)
    assert result.exit_code == 2
    assert "must end in .xlsx or .csv" in result.stderr
    result = CliRunner().invoke(cli, ["export", *config, "--to", "2026-02-30", "-o", str(tmp_path / "x.csv")], env=env)
    assert result.exit_code == 2 and "--to: '2026-02-30' is not a date" in result.stderr

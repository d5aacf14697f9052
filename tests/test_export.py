"""``naeringsbot export``: a workbook a spreadsheet opens typed and filterable, and a CSV Excel reads right."""

from __future__ import annotations

import csv
import datetime as dt
import stat
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.workbook.workbook import Workbook
from sqlite_utils import Database

from bot.cli import cli
from bot.config import Config
from bot.engine import AnswerEngine
from bot.knowledge.model import KnowledgeBase
from bot.reports.export import COLUMNS_SHEET, HEADERS, SHEETS, SUMMARY_SHEET, export_csv, export_xlsx
from bot.reports.report import build_report
from tests.conftest import ROOT
from tests.sample_log import EXPECTED_TOTALS, NOVEMBER, build_sample_log

# November in Oslo time holds rows 1–24, 28 and 29 (staff and terminal rows included, with their columns to
# filter on; 27 is 00:59:59 on 1 December in Oslo); feedback on 1 2 4 21 24; handoffs H-1 H-2 H-3; the four
# users seen in November (not Sam, September). The ``db`` fixture adds one more inquiry, a formula-like text.
NOVEMBER_ROWS = {"inquiries": 26, "feedback": 5, "handoffs": 3, "users": 4}
READABLE = [SUMMARY_SHEET, "Mål", "Per måned", "Per tema", "Per språk", "Ubesvart"]


@pytest.fixture
def db(tmp_path: Path) -> Database:
    db = build_sample_log(tmp_path / "inquiries.db")
    db.table("inquiries").insert({"received_at": "2026-11-09T10:00:00+00:00", "channel": "telegram", "kind": "message",
                            "outcome": "fallback", "text": '=HYPERLINK("http://x.example","klikk")'})
    return db


@pytest.fixture
def workbook(db: Database, tmp_path: Path, shipped_config: Config, knowledge: KnowledgeBase,
             engine: AnswerEngine) -> Workbook:
    export_xlsx(db, NOVEMBER, tmp_path / "out.xlsx", shipped_config, knowledge, engine.matcher)
    return openpyxl.load_workbook(tmp_path / "out.xlsx")


def records(workbook: Workbook, sheet: str) -> list[dict[str, object]]:
    rows = list(workbook[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_readable_sheets_first_then_one_sheet_per_table_with_the_periods_rows(
    db: Database, tmp_path: Path, shipped_config: Config
) -> None:
    counts = export_xlsx(db, NOVEMBER, tmp_path / "out.xlsx", shipped_config)
    assert counts == {**NOVEMBER_ROWS, "inquiries": 27}
    workbook = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert workbook.sheetnames == [*READABLE, *SHEETS.values(), COLUMNS_SHEET]
    for table, count in counts.items():
        sheet = workbook[SHEETS[table]]
        assert sheet.max_row == count + 1, table
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{count + 1}"
        assert all(cell.font.bold for cell in sheet[1])


def test_the_file_is_readable_by_its_owner_only(db: Database, tmp_path: Path, shipped_config: Config) -> None:
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"old")
    path.chmod(0o644)  # an existing file is tightened too
    export_xlsx(db, NOVEMBER, path, shipped_config)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    export_csv(db, NOVEMBER, tmp_path / "out.csv")
    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o600


def test_a_pivot_on_counts_as_inquiry_gives_the_reports_inquiries(
    workbook: Workbook, db: Database, shipped_config: Config
) -> None:
    totals = build_report(db, shipped_config, NOVEMBER)["totals"]
    rows = records(workbook, "Henvendelser")
    pivot = Counter(row["Teller som henvendelse"] for row in rows)
    assert pivot["ja"] == totals["inquiries"] == EXPECTED_TOTALS["inquiries"] + 1  # the fixture's formula question
    assert pivot["nei"] == len(rows) - pivot["ja"]
    # and per outcome, as the report splits them
    for outcome, figure in (("answered", "answered"), ("ambiguous", "ambiguous"), ("fallback", "fallback"),
                            ("handoff", "to_staff")):
        counted = sum(1 for row in rows if row["Teller som henvendelse"] == "ja" and row["Utfall"] == outcome)
        assert counted == totals[figure], outcome
    staff = next(row for row in rows if row["Telegram-oppdatering"] == 21)
    assert staff["Teller som henvendelse"] == "nei"  # a staff member's test


def test_headers_are_norwegian_and_the_database_names_are_in_the_columns_sheet(workbook: Workbook) -> None:
    header = [cell.value for cell in workbook["Henvendelser"][1]]
    assert header[:4] == ["Nr.", "Telegram-oppdatering", "Mottatt", "Kanal"]
    mapping = {(row["Ark"], row["Kolonne"]): row["Navn i databasen"] for row in records(workbook, COLUMNS_SHEET)}
    assert mapping[("Henvendelser", "Mottatt")] == "received_at"
    assert mapping[("Sendt til ansatte", "Første svar")] == "first_answered_at"
    assert mapping[("Henvendelser", "Teller som henvendelse")] == "counts_as_inquiry"
    assert {name for (sheet, _), name in mapping.items() if sheet == "Brukere"} == {
        "user_ref", "lang", "role", "municipality", "source", "first_seen", "last_seen"}
    assert set(HEADERS.values()).isdisjoint(HEADERS)  # no header is left in English


def test_columns_are_typed_oslo_times_numbers_and_text(workbook: Workbook) -> None:
    sheet = workbook["Henvendelser"]
    header = [cell.value for cell in sheet[1]]
    first = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert first["Mottatt"].value == dt.datetime(2026, 11, 1, 0, 59, 59)  # 23:59:59 UTC on 31 October, in Oslo
    assert first["Mottatt"].number_format == "dd.mm.yyyy hh:mm:ss"
    assert isinstance(first["Nr."].value, int)
    rows = records(workbook, "Henvendelser")
    answered = next(row for row in rows if row["Telegram-oppdatering"] == 1)
    assert answered["Treffsikkerhet"] == 0.91 and answered["Ansatt (1 = ja)"] == 0
    assert answered["Mottatt"] == dt.datetime(2026, 11, 2, 10, 0)  # 09:00 UTC
    assert "søke støtte til båt" in [row["Tekst"] for row in rows]  # æøå round-trip
    assert 3 <= sheet.column_dimensions["I"].width <= 60  # text column: sensible, capped
    assert sorted(row["Stemme (+1/−1)"] for row in records(workbook, "Tilbakemeldinger")) == [-1, -1, 1, 1, 1]
    handoff = next(row for row in records(workbook, "Sendt til ansatte") if row["Referanse"] == "H-1")
    assert (handoff["Sendt"], handoff["Første svar"]) == (dt.datetime(2026, 11, 15, 11, 0),
                                                           dt.datetime(2026, 11, 15, 11, 30))


def test_a_question_that_looks_like_a_formula_stays_text(workbook: Workbook) -> None:
    sheet = workbook["Henvendelser"]
    (cell,) = [row[8] for row in sheet.iter_rows(min_row=2) if str(row[8].value).startswith("=")]
    assert cell.data_type == "s"


def test_handoffs_leave_out_the_users_chat_id(workbook: Workbook) -> None:
    mapping = [row["Navn i databasen"] for row in records(workbook, COLUMNS_SHEET) if row["Ark"] == "Sendt til ansatte"]
    assert "chat_id" not in mapping and {"reference", "status", "opened_at", "first_answered_at"} <= set(mapping)


def test_the_summary_sheet_repeats_the_reports_figures_without_sql(tmp_path: Path, shipped_config: Config) -> None:
    export_xlsx(build_sample_log(tmp_path / "clean.db"), NOVEMBER, tmp_path / "out.xlsx", shipped_config)
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")[SUMMARY_SHEET]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert cells["Periode fra"].value == dt.datetime(2026, 11, 1) and cells["Periode fra"].number_format == "dd.mm.yyyy"
    assert cells["Tidspunkter"].value == "norsk tid (Europe/Oslo)"
    assert cells["Henvendelser"].value == 13
    assert cells["Besvart av boten"].value == 6
    assert cells["Andel besvart"].value == pytest.approx(0.4615) and cells["Andel besvart"].number_format == "0.0%"
    assert cells["Andel fornøyde (👍)"].value == 0.5 and cells["Andel fornøyde (👍)"].number_format == "0.0%"
    assert cells["Rader i arket «Henvendelser»"].value == 26
    text = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
    for sql in ("SELECT", "is_staff", "channel =", "WHERE", " = 0", "telegram'"):
        assert sql not in text


def test_the_targets_sheet_has_the_reports_targets_with_percent_formats(
    workbook: Workbook, db: Database, shipped_config: Config, knowledge: KnowledgeBase
) -> None:
    report = build_report(db, shipped_config, NOVEMBER, knowledge)
    sheet = workbook["Mål"]
    assert [cell.value for cell in sheet[1]][:6] == ["Indikator", "Årsmål", "Hittil i år", "Forventet nå",
                                                      "Årsmål nådd", "I rute"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    for target in report["targets"]:
        row = rows[target["title"]["nb"]]
        assert (row[1].value, row[2].value, row[3].value) == (target["target"], target["actual"],
                                                               target["expected_by_now"])
        share = target["metric"] in ("answered_share", "satisfaction")
        assert row[1].number_format == row[2].number_format == ("0.0%" if share else "0")
        assert row[4].value == ("ja" if target["met"] else "nei")


def test_months_topics_languages_and_unanswered_sheets(workbook: Workbook, knowledge: KnowledgeBase) -> None:
    (month,) = records(workbook, "Per måned")
    assert month["Måned"] == "2026-11" and month["Henvendelser"] == 14 and month["Besvart av boten"] == 6
    assert month["Andel besvart"] == pytest.approx(6 / 14)
    assert workbook["Per måned"]["H2"].number_format == "0.0%"
    topics = {row["Tema"]: row["Svar vist"] for row in records(workbook, "Per tema")}
    assert topics == {knowledge.topics["campus-research"].title.nb: 4, knowledge.topics["start-business"].title.nb: 2,
                      knowledge.topics["tourism"].title.nb: 1}
    assert workbook["Per tema"]["C2"].number_format == "0.0%"
    languages = {row["Språk"]: row["Henvendelser"] for row in records(workbook, "Per språk")}
    assert languages == {"norsk": 9, "engelsk": 4, "ikke oppgitt": 1}
    first = records(workbook, "Ubesvart")[0]
    assert (first["Spørsmål"], first["Antall"]) == ("søke støtte til båt", 2)
    assert first["Nærmeste svar (forslag)"] == "Midler til forskning, innovasjon og utvikling"  # a title, not an id


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
    assert sum(row["counts_as_inquiry"] == "ja" for row in rows) == 14  # November's 13 and the formula question


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

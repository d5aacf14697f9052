"""Progress bars on long commands: on a terminal a bar on stderr; piped or with --json, nothing extra.

``CliRunner`` is never a terminal, so it shows the piped case; the terminal case runs the command
in-process with standard error replaced by a stream that says it is a TTY (click checks the same).
"""

from __future__ import annotations

import io
import json
import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl.worksheet.worksheet import Worksheet

from bot.cli import cli
from bot.config import Config, MatchingSettings
from bot.knowledge.model import load_knowledge
from bot.knowledge.tuning import self_examples
from bot.reports.export import export_xlsx
from bot.reports.periods import parse_period
from bot.store.backup import BACKUP_STEP_PAGES, backup
from bot.store.database import open_database
from tests.helpers import entry, write_knowledge

HOLDOUT = Path(__file__).resolve().parent.parent / "knowledge" / "eval" / "holdout.yaml"


class Terminal(io.StringIO):
    """Standard error as a person's terminal."""

    def isatty(self) -> bool:
        return True


def on_terminal(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    """Run ``naeringsbot ARGS`` with stderr on a (fake) terminal; returns (stdout, stderr)."""
    terminal = Terminal()
    capsys.readouterr()
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stderr", terminal)
        cli.main(list(args), prog_name="naeringsbot", standalone_mode=False)
    return capsys.readouterr().out, terminal.getvalue()


def bar_reached_the_end(stderr: str, label: str) -> bool:
    frames = [frame for frame in stderr.split("\r") if label in frame]
    return len(frames) > 1 and "100%" in frames[-1]


def test_kb_eval_draws_a_bar_on_a_terminal_and_keeps_stdout_for_the_table(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = on_terminal(monkeypatch, capsys, "kb", "eval", str(HOLDOUT))
    assert bar_reached_the_end(err, "Evaluating holdout.yaml")
    assert out.startswith("questions: ") and "Evaluating" not in out


def test_kb_eval_json_on_a_terminal_and_piped_output_show_no_bar(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = on_terminal(monkeypatch, capsys, "kb", "eval", str(HOLDOUT), "--json")
    assert err == ""
    assert json.loads(out)["total"] > 0
    piped = CliRunner().invoke(cli, ["kb", "eval", str(HOLDOUT)])
    assert piped.exit_code == 0 and piped.stderr == ""
    assert "Evaluating" not in piped.output and "%" not in piped.output.splitlines()[0]


def inquiry_log(path: Path, rows: int, text: str) -> Path:
    open_database(path).conn.close()
    connection = sqlite3.connect(path)
    connection.executemany("insert into inquiries (update_id, received_at, channel, kind, text, outcome) "
                           "values (?, ?, 'telegram', 'message', ?, 'answered')",
                           [(number, f"2026-{1 + number % 12:02d}-{1 + number % 28:02d}T12:00:00+00:00", text)
                            for number in range(rows)])
    connection.commit()
    connection.close()
    return path


@pytest.fixture
def big_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An inquiry log of several backup steps (about 12 MiB), with NAERINGSBOT_DATABASE pointing at it."""
    path = inquiry_log(tmp_path / "inquiries.db", 600, "spørsmål " * 2000)
    monkeypatch.setenv("NAERINGSBOT_DATABASE", str(path))
    return path


@pytest.fixture
def year_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A year of 1,500 inquiries, with NAERINGSBOT_DATABASE pointing at it."""
    path = inquiry_log(tmp_path / "inquiries.db", 1500, "Hva er Visit Drammensregionen?")
    monkeypatch.setenv("NAERINGSBOT_DATABASE", str(path))
    return path


def test_backup_reports_its_progress_page_by_page_up_to_the_whole_file(big_database: Path, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    backup(big_database, tmp_path / "copy.db", lambda done, total: calls.append((done, total)))
    total = calls[-1][1]
    assert total > 2 * BACKUP_STEP_PAGES  # several steps, not one
    assert calls[-1] == (total, total)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls) and len(calls) >= 3


def test_backup_draws_a_bar_on_a_terminal_only(
    big_database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = on_terminal(monkeypatch, capsys, "backup", "--output", str(tmp_path / "copy.db"))
    assert bar_reached_the_end(err, "Copying inquiries.db")
    assert out.startswith("Backed up ")
    piped = CliRunner().invoke(cli, ["backup", "--output", str(tmp_path / "again.db")])
    assert piped.exit_code == 0, piped.output
    assert piped.stderr == "" and "Copying" not in piped.output


def test_export_reports_rows_written_and_then_the_save(
    year_log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shipped_config: Config
) -> None:
    monkeypatch.setattr("bot.reports.export.PROGRESS_ROWS", 100)
    calls: list[tuple[int, int]] = []
    db = open_database(year_log)
    counts = export_xlsx(db, parse_period("2026"), tmp_path / "year.xlsx", shipped_config,
                         progress=lambda done, total: calls.append((done, total)))
    total = sum(counts.values()) + 1  # every row, and the save
    assert calls[-1] == (total, total) and calls[-2][0] == total - 1
    assert len(calls) > 10  # a year's inquiries advance the bar as they are written, not in one jump
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_export_does_not_rescan_the_sheet_for_every_row(
    year_log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shipped_config: Config
) -> None:
    """Worksheet.max_row looks at every cell; asked per row, a year's export took quadratic time."""
    asked = []
    original = Worksheet.max_row
    monkeypatch.setattr(Worksheet, "max_row", property(lambda sheet: asked.append(1) or original.fget(sheet)))
    export_xlsx(open_database(year_log), parse_period("2026"), tmp_path / "year.xlsx", shipped_config)
    assert len(asked) < 100  # 1,500 rows


def test_export_draws_a_bar_on_a_terminal_only(
    year_log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = on_terminal(monkeypatch, capsys, "export", "--period", "2026", "--output", str(tmp_path / "a.xlsx"))
    assert bar_reached_the_end(err, "Writing a.xlsx")
    assert out.startswith("Wrote 1500 inquiries")
    piped = CliRunner().invoke(cli, ["export", "--period", "2026", "--output", str(tmp_path / "b.xlsx")])
    assert piped.exit_code == 0 and piped.stderr == ""


@pytest.fixture
def small_base(tmp_path: Path) -> Path:
    entries = [entry(entry_id, topic="t", title={"en": entry_id}, answer={"en": f"About {entry_id}."},
                     questions={"en": questions})
               for entry_id, questions in {
                   "opening-hours": ["when are you open", "what are the opening hours", "open on sunday"],
                   "late-fees": ["do you charge late fees", "fine for returning late", "overdue charge"],
                   "wifi": ["is there free wifi", "what is the wifi password", "internet for visitors"]}.items()]
    write_knowledge(tmp_path / "knowledge", *entries, topics={"topics": [{"id": "t", "title": {"en": "T"}}]})
    config = tmp_path / "config.yaml"
    config.write_text("knowledge:\n  dir: knowledge\n  languages: [en]\n  required_ids: []\n", "utf-8")
    return config


def test_tuning_reports_each_fold_scored(small_base: Path) -> None:
    calls: list[tuple[int, int]] = []
    self_examples(load_knowledge(small_base.parent / "knowledge"), ["en"], folds=4, workers=1,
                  settings=MatchingSettings(), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_kb_tune_draws_a_bar_on_a_terminal_and_prints_the_block_on_stdout(
    small_base: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = on_terminal(monkeypatch, capsys, "kb", "tune", "--config", str(small_base))
    assert bar_reached_the_end(err, "Scoring the alternate questions")
    assert "For config.yaml:" in out and "Scoring" not in out


def test_kb_export_draws_its_bars_on_a_terminal_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = on_terminal(monkeypatch, capsys, "kb", "export", "--output", str(tmp_path / "kb.xlsx"))
    assert bar_reached_the_end(err, "Writing kb.xlsx")
    assert out.startswith("Wrote ")
    piped = CliRunner().invoke(cli, ["kb", "export", "--output", str(tmp_path / "again.xlsx")])
    assert piped.exit_code == 0 and piped.stderr == ""


def test_kb_import_draws_its_bar_on_a_terminal_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = tmp_path / "kb.xlsx"
    assert CliRunner().invoke(cli, ["kb", "export", "--output", str(workbook)]).exit_code == 0
    out, err = on_terminal(monkeypatch, capsys, "kb", "import", str(workbook), "--dry-run")
    assert bar_reached_the_end(err, "Comparing kb.xlsx")
    assert out.startswith("No changes")
    piped = CliRunner().invoke(cli, ["kb", "import", str(workbook), "--dry-run"])
    assert piped.exit_code == 0 and piped.stderr == "" and piped.output.startswith("No changes")

"""The command line: every command documented, exit statuses as the contract says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.conftest import ROOT
from tests.helpers import entry, write_knowledge


def all_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(all_commands(command, path))
    return found


@pytest.mark.parametrize("path", all_commands())
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    command = cli
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert command.help, f"{' '.join(path)} has no docstring"
    if not isinstance(command, click.Group):
        assert "Example:" in result.output
        assert "--config" in result.output


def test_kb_check_passes_on_the_shipped_knowledge_base() -> None:
    result = CliRunner().invoke(cli, ["kb", "check", str(ROOT / "knowledge")])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_kb_check_fails_with_file_and_line(tmp_path: Path) -> None:
    write_knowledge(tmp_path, entry("a-b", related=["ghost"]))
    result = CliRunner().invoke(cli, ["kb", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'entries.yaml'}:" in result.output
    assert "`related` viser til `ghost`, som ikke finnes" in result.output


def test_kb_eval_json_has_the_contract_fields(tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- {q: 'Hvordan starter jeg en bedrift?', expect: establisher-guidance, lang: nb, kind: plain}\n"
        "- {q: 'kurs i svømming for barn', expect: null, lang: nb, kind: oos}\n",
        "utf-8",
    )
    result = CliRunner().invoke(cli, ["kb", "eval", str(questions), "--json", "--config", str(ROOT / "config.yaml")])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    for key in ("total", "in_scope", "out_of_scope", "answer_accuracy", "top1_accuracy", "top3_recall",
                "rejection_rate", "wrong_answer_rate", "failures", "results", "match_latency_us"):
        assert key in figures
    assert figures["total"] == 2 and figures["in_scope"] == 1
    assert figures["results"][0]["got"] == "establisher-guidance"
    assert len(figures["results"][0]["ranked"]) <= 3
    assert set(figures["match_latency_us"]) == {"p50", "p99"}


def test_kb_eval_rejects_unknown_expected_ids(tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text("- {q: 'hei', expect: no-such-entry, lang: nb}\n", "utf-8")
    result = CliRunner().invoke(cli, ["kb", "eval", str(questions), "--config", str(ROOT / "config.yaml")])
    assert result.exit_code == 1
    assert "unknown entry id 'no-such-entry'" in result.output


def test_bad_config_exits_2_with_the_key_and_line(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("telegram:\n  mode: fax\n", "utf-8")
    result = CliRunner().invoke(cli, ["chat", "--config", str(config)], input="")
    assert result.exit_code == 2
    assert "c.yaml:2: telegram.mode" in result.output


def test_run_without_token_and_without_terminal_exits_2() -> None:
    process = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(ROOT / "config.yaml")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert process.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in process.stderr


def test_chat_command_answers_from_standard_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAERINGSBOT_DATABASE", str(tmp_path / "chat.db"))
    result = CliRunner().invoke(
        cli, ["chat", "--lang", "en", "--config", str(ROOT / "config.yaml")], input="Where is the tourist office?\n"
    )
    assert result.exit_code == 0
    assert "Tourist" in result.output or "tourist" in result.output
    assert (tmp_path / "chat.db").exists()


def test_purge_command_reports_what_it_erased(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAERINGSBOT_DATABASE", str(tmp_path / "p.db"))
    result = CliRunner().invoke(cli, ["purge", "--config", str(ROOT / "config.yaml")])
    assert result.exit_code == 0
    assert "older than 180 days" in result.output

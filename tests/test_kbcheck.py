"""``kb check``: collisions, required ids and overdue reviews, reported as file:line messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.knowledge.check import REQUIRED_IDS, check_knowledge
from tests.conftest import ROOT
from tests.helpers import entry, write_knowledge


def required(*extra: dict[str, object]) -> list[dict[str, object]]:
    return [entry(entry_id) for entry_id in REQUIRED_IDS] + list(extra)


def test_shipped_knowledge_base_passes() -> None:
    problems = check_knowledge(ROOT / "knowledge")
    assert [p for p in problems if p.severity == "error"] == []


def test_missing_required_entry_is_an_error(tmp_path: Path) -> None:
    write_knowledge(tmp_path, *[entry(i) for i in REQUIRED_IDS if i != "funding"])
    messages = [str(p) for p in check_knowledge(tmp_path)]
    assert any("required entry 'funding' is missing" in m for m in messages)


def test_colliding_questions_under_two_ids_are_an_error(tmp_path: Path) -> None:
    write_knowledge(
        tmp_path,
        *required(
            entry("course-a", questions={"nb": ["Finnes det kurs for gründere?"], "en": ["courses"]}),
            entry("course-b", questions={"nb": ["finnes det kurs for grundere"], "en": ["other thing"]}),
        ),
    )
    problems = [p for p in check_knowledge(tmp_path) if "nearly the same" in p.message]
    assert len(problems) == 1
    lines = (tmp_path / "entries.yaml").read_text("utf-8").splitlines()
    assert "grundere" in lines[problems[0].line - 1]
    assert str(problems[0]).startswith(f"{tmp_path / 'entries.yaml'}:{problems[0].line}: ")
    assert "— rephrase one" in str(problems[0])


def test_overdue_review_is_a_warning_not_an_error(tmp_path: Path) -> None:
    write_knowledge(tmp_path, *required(entry("old-news", review_by="2020-01-01")))
    problems = check_knowledge(tmp_path, today=dt.date(2026, 11, 26))
    overdue = [p for p in problems if "due for review" in p.message]
    assert len(overdue) == 1 and overdue[0].severity == "warning"
    assert "warning:" in str(overdue[0])


def test_structural_errors_stop_further_checks(tmp_path: Path) -> None:
    write_knowledge(tmp_path, entry("a-b", related=["ghost"]))
    problems = check_knowledge(tmp_path)
    assert len(problems) == 1 and "ghost" in problems[0].message

"""``kb check``: collisions, required ids and languages, overdue reviews, reported as file:line messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from rapidfuzz import fuzz, process

from bot.cli import cli
from bot.config import load_config
from bot.knowledge.check import REQUIRED_IDS, check_knowledge, near_duplicates
from tests.conftest import ROOT
from tests.helpers import entry, write_knowledge


def required(*extra: dict[str, object]) -> list[dict[str, object]]:
    return [entry(entry_id) for entry_id in REQUIRED_IDS] + list(extra)


def test_shipped_knowledge_base_passes() -> None:
    problems = check_knowledge(ROOT / "knowledge")
    assert [p for p in problems if p.severity == "error"] == []


def test_missing_required_entry_is_an_error(tmp_path: Path) -> None:
    write_knowledge(tmp_path, *[entry(i) for i in REQUIRED_IDS if i != "funding"])
    messages = [str(p) for p in check_knowledge(tmp_path, required_ids=REQUIRED_IDS)]
    assert any("oppføringen `funding` mangler" in m and "knowledge.required_ids" in m for m in messages)


def test_shipped_config_requires_the_contracts_ids() -> None:
    assert load_config(ROOT / "config.yaml").knowledge.required_ids == list(REQUIRED_IDS)


def test_a_knowledge_base_without_drammens_ids_passes_when_config_requires_none(tmp_path: Path) -> None:
    write_knowledge(tmp_path, entry("lost-card"), entry("open-account"))
    assert [p for p in check_knowledge(tmp_path) if p.severity == "error"] == []


def test_an_english_only_knowledge_base_passes_when_config_says_english(tmp_path: Path) -> None:
    english = {"topics": [{"id": "start", "title": {"en": "Cards"}}]}
    write_knowledge(tmp_path, entry("lost-card", title={"en": "Lost card"}, answer={"en": "Block it in the app."},
                                    questions={"en": ["I lost my card"]}), topics=english)
    assert [p for p in check_knowledge(tmp_path, languages=["en"]) if p.severity == "error"] == []
    missing = [str(p) for p in check_knowledge(tmp_path, languages=["nb", "en"])]
    assert any("oppføring `lost-card`: `answer` mangler bokmål (`nb`)" in m for m in missing)
    assert any("emne `start`: `title` mangler bokmål (`nb`)" in m for m in missing)


def test_the_bank_knowledge_base_passes_with_its_own_config() -> None:
    result = CliRunner().invoke(cli, ["kb", "check", "--config", str(ROOT / "bench/data/bank/config.yaml")])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_colliding_questions_under_two_ids_are_an_error(tmp_path: Path) -> None:
    write_knowledge(
        tmp_path,
        *required(
            entry("course-a", questions={"nb": ["Finnes det kurs for gründere?"], "en": ["courses"]}),
            entry("course-b", questions={"nb": ["finnes det kurs for grundere"], "en": ["other thing"]}),
        ),
    )
    problems = [p for p in check_knowledge(tmp_path, required_ids=REQUIRED_IDS) if p.note and p.note.key == "collision"]
    assert len(problems) == 1
    lines = (tmp_path / "entries.yaml").read_text("utf-8").splitlines()
    assert "grundere" in lines[problems[0].line - 1]
    assert str(problems[0]).startswith(f"{tmp_path / 'entries.yaml'}:{problems[0].line}: ")
    assert "oppføring `course-b`, alternativt spørsmål 1 (nb): spørsmålet «finnes det kurs for grundere»" in str(
        problems[0])
    assert "rephrase one, or keep it under one entry only" in problems[0].render("en")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("why was my card declined", "when was my card declined"),
        ("I can log in to the app", "I can't log in to the app"),
        ("kan jeg endre min pin-kode", "kan jeg endre din pin-kode"),
        ("hvorfor er kontoen stengt", "hvordan er kontoen stengt"),
    ],
)
def test_questions_that_differ_by_a_meaningful_short_word_are_not_duplicates(
    tmp_path: Path, first: str, second: str
) -> None:
    write_knowledge(tmp_path, entry("one-thing", questions={"nb": [first], "en": ["one"]}),
                    entry("other-thing", questions={"nb": [second], "en": ["two"]}))
    assert not [p for p in check_knowledge(tmp_path) if p.note and p.note.key == "collision"]


def test_near_duplicates_finds_what_comparing_all_pairs_finds() -> None:
    from bot.knowledge.model import load_knowledge
    from bot.matching.normalise import meaning_tokens

    texts = sorted({" ".join(sorted(meaning_tokens(q))) for e in load_knowledge(ROOT / "knowledge")
                    for q in e.questions.all()})
    texts += [text + "s" for text in texts[::7]]  # near-duplicates for sure
    scores = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=92, workers=1)
    expected = {(int(i), int(j)) for i, j in zip(*scores.nonzero(), strict=True) if i < j}
    assert set(near_duplicates(texts)) == expected and expected


def test_overdue_review_is_a_warning_not_an_error(tmp_path: Path) -> None:
    write_knowledge(tmp_path, *required(entry("old-news", review_by="2020-01-01")))
    problems = check_knowledge(tmp_path, today=dt.date(2026, 11, 26))
    overdue = [p for p in problems if "skulle vært gjennomgått 2020-01-01" in p.message]
    assert len(overdue) == 1 and overdue[0].severity == "warning"
    assert ": Advarsel: oppføring `old-news`: " in str(overdue[0])


def test_structural_errors_stop_further_checks(tmp_path: Path) -> None:
    write_knowledge(tmp_path, entry("a-b", related=["ghost"]))
    problems = check_knowledge(tmp_path)
    assert len(problems) == 1 and "ghost" in problems[0].message


def test_every_answer_card_needs_a_source_and_its_date(tmp_path: Path) -> None:
    from tests.helpers import entry, write_knowledge

    unsourced = entry("funding")
    del unsourced["source"], unsourced["as_of"]
    folder = write_knowledge(tmp_path / "kb", unsourced)
    messages = [problem.message for problem in check_knowledge(folder) if problem.severity == "error"]
    assert any("mangler `source` og `as_of`" in message for message in messages), messages


def test_a_norwegian_entry_without_nynorsk_is_a_warning_not_an_error(tmp_path: Path) -> None:
    from tests.helpers import entry, write_knowledge

    folder = write_knowledge(tmp_path / "kb", entry("funding"))
    problems = check_knowledge(folder)
    assert [p.severity for p in problems if "nynorsk (`nn`)" in p.message] == ["warning"]
    assert not [p for p in problems if p.severity == "error"]

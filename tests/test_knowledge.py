"""Loading the knowledge base: the shipped one is complete, broken files name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.check import REQUIRED_IDS
from bot.knowledge.model import KnowledgeBase, KnowledgeBaseError, load_knowledge, read_knowledge
from tests.helpers import entry, write_knowledge


def test_shipped_knowledge_base_has_every_required_id(knowledge: KnowledgeBase) -> None:
    assert set(REQUIRED_IDS) <= set(knowledge.entries)


def test_every_entry_is_bilingual_with_alternate_questions(knowledge: KnowledgeBase) -> None:
    for item in knowledge:
        for lang in ("nb", "en"):
            assert item.answer.get(lang)
            assert len(item.questions.get(lang)) >= 6, (item.id, lang)


def test_menu_topics_hide_small_talk(knowledge: KnowledgeBase) -> None:
    menu = [topic.id for topic in knowledge.menu_topics()]
    assert "smalltalk" not in menu
    assert all(knowledge.in_topic(topic) for topic in menu)


def test_shipped_answers_invent_no_contact_details(knowledge: KnowledgeBase) -> None:
    from bot.store.redaction import contains_pii

    for item in knowledge:
        for lang in ("nb", "en"):
            text = item.answer.get(lang)
            assert "http" not in text and "www." not in text
            assert not contains_pii(text), item.id


def test_valid_folder_loads_in_file_order(tmp_path: Path) -> None:
    write_knowledge(tmp_path, entry("first-one"), entry("second-one", related=["first-one"]))
    base = load_knowledge(tmp_path)
    assert list(base.entries) == ["first-one", "second-one"]
    assert base.locations["second-one"].line > base.locations["first-one"].line


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([entry("a-b", topic="nowhere")], "oppføring `a-b`: emnet `nowhere` finnes ikke — bruk et av `start`"),
        ([entry("a-b", related=["ghost"])], "`related` viser til `ghost`, som ikke finnes"),
        ([entry("a-b"), entry("a-b")], "oppføring `a-b`: id-en er brukt to ganger"),
        ([entry("Bad_ID")], "id-en `Bad_ID` kan bare ha små bokstaver, tall og bindestrek — skriv for eksempel "
                            "`bad-id`"),
        (
            [entry("a-b", answer={"nb": "Svar."})],
            "oppføring `a-b`: `answer` mangler engelsk (`en`) — legg til `en:` under `answer`",
        ),
        ([entry("a-b", answer={"nb": "  ", "en": "x"})], "oppføring `a-b`: `answer.nb` er tom"),
        ([entry("a-b", review_by="next year")], "`review_by` skal være en dato — skriv den ÅÅÅÅ-MM-DD"),
        ([entry("a-b", colour="blue")], "oppføring `a-b`: ukjent felt `colour`"),
    ],
)
def test_errors_name_the_problem(tmp_path: Path, entries: list[dict[str, object]], expected: str) -> None:
    write_knowledge(tmp_path, *entries)
    with pytest.raises(KnowledgeBaseError) as raised:
        load_knowledge(tmp_path)
    assert expected in str(raised.value)
    assert str(tmp_path / "entries.yaml") in str(raised.value) or "topics" in str(raised.value)


def test_yaml_syntax_error_gives_file_and_line(tmp_path: Path) -> None:
    write_knowledge(tmp_path, entry("a-b"))
    (tmp_path / "broken.yaml").write_text("entries:\n  - id: x\n    title: [unclosed\n", "utf-8")
    _, problems = read_knowledge(tmp_path)
    assert any(p.file.name == "broken.yaml" and p.line == 3 and "«[» som åpnes på linje 3" in p.message
               for p in problems)


def test_error_line_points_at_the_offending_key(tmp_path: Path) -> None:
    write_knowledge(tmp_path, entry("a-b"), entry("c-d", related=["nope"], colour="red"))
    _, problems = read_knowledge(tmp_path)
    text = (tmp_path / "entries.yaml").read_text("utf-8").splitlines()
    (problem,) = problems
    assert text[problem.line - 1].strip().startswith("colour:")


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="ingen \\*.yaml-filer"):
        load_knowledge(tmp_path)


def test_unreadable_knowledge_files_are_clear_errors_not_exceptions(tmp_path: Path) -> None:
    from bot.knowledge.model import read_knowledge
    from tests.helpers import entry, write_knowledge

    folder = write_knowledge(tmp_path / "kb", entry("funding"))
    (folder / "archive.yaml").mkdir()
    (folder / "latin1.yaml").write_bytes("entries: []\n# Bodø\n".encode("latin-1"))
    (folder / "huge.yaml").write_text("# " + "x" * 3000 + "\n", "utf-8")
    _, problems = read_knowledge(folder, max_bytes=2000)
    messages = {problem.file.name: problem.message for problem in problems}
    assert "en mappe, ikke en fil" in messages["archive.yaml"]
    assert "ikke lagret som UTF-8" in messages["latin1.yaml"]
    assert "del den i flere filer" in messages["huge.yaml"]

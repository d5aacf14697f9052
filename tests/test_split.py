"""Two questions in one message: where a message splits, and when it stays one question."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import AnswerEngine
from bot.knowledge.evaluation import evaluate, load_questions
from bot.matching.split import candidate_parts, split_message, stands_alone

SPLITS = [
    # Bokmål: ", og hvem …", a second question mark, ";", a new line
    ("Finnes det kurs for nye bedrifter, og hvem kan jeg snakke med?", ["establisher-courses", "contact"]),
    ("Hvor får jeg etablererveiledning? Lagrer dere det jeg skriver?", ["establisher-guidance", "privacy"]),
    ("Hvem gir gratis veiledning til gründere?\nHvor lenge lagrer dere meldingene mine?",
     ["establisher-guidance", "privacy"]),
    ("Finnes det etablererkurs i Drammen; hvem kan gi meg råd om en forretningsidé?",
     ["establisher-courses", "establisher-guidance"]),
    # nynorsk
    ("Kvar er turistkontoret, og kva er Visit Drammensregionen?", ["tourist-office", "visit-drammensregionen"]),
    ("Finst det kurs for etablerarar, og kven kan eg snakke med?", ["establisher-courses", "contact"]),
    # English: "and can …", "and what …", a second question mark
    ("Where is the tourist office and can you help us plan a conference?", ["tourist-office", "conferences"]),
    ("Are there courses for new businesses, and what is Campus Drammen?", ["establisher-courses", "campus-drammen"]),
    ("Is there free start-up guidance? Do you store what I write?", ["establisher-guidance", "privacy"]),
]

SINGLE = [
    "kurs og veiledning for gründere",
    "Hvem eier Visit Drammensregionen og hva betaler kommunen til dem?",
    "Blir chatloggen min lagret, og kan noen i kommunen lese den?",
    "Korleis startar eg eiga verksemd, og kva må eg gjere først?",
    "kurs og rettleiing for gründerar",
    "courses and guidance for founders",
    "What is the business magazine and how can my company be featured in it?",
    "Who runs Papirbredden Innovasjon and what do they do?",
    "Where is the tourist office and when is it open?",
    # context after a question is not a question of its own
    "Is Husbanken really a source for innovation money here? I thought they only did housing",
    "Hvor får jeg etablererveiledning i Bergen? Jeg flytter dit i august",
    # a greeting is never a part
    "Hei! Hvordan starter jeg en bedrift?",
]


def test_candidate_points_in_three_languages() -> None:
    assert candidate_parts("Finnes det kurs, og hvem kan jeg snakke med?") == ["Finnes det kurs",
                                                                             "hvem kan jeg snakke med?"]
    assert candidate_parts("Kva er Campus Drammen og kva gjer kommunen?") == ["Kva er Campus Drammen",
                                                                            "kva gjer kommunen?"]
    assert candidate_parts("Where is it and also how do I get there?") == ["Where is it", "how do I get there?"]
    assert candidate_parts("kurs?  veiledning?") == ["kurs?", "veiledning?"]
    assert candidate_parts("a; b\nc") == ["a", "b", "c"]
    assert candidate_parts("kurs og veiledning for gründere") == ["kurs og veiledning for gründere"]
    assert candidate_parts("courses and guidance") == ["courses and guidance"]


@pytest.mark.parametrize(("part", "alone"), [
    ("hvem kan jeg snakke med?", True),
    ("kva gjer Papirbredden Innovasjon?", True),
    ("do you save what I write here?", True),
    ("what exactly is their role?", False),  # points back
    ("kan noen i kommunen lese den?", False),
    ("er det kommunen?", False),  # no subject of its own
    ("Jeg flytter dit i august", False),  # not a question
])
def test_a_later_part_must_stand_on_its_own(part: str, alone: bool) -> None:
    assert stands_alone(part) is alone


@pytest.mark.parametrize(("text", "entries"), SPLITS)
def test_two_questions_are_split_each_to_its_own_entry(engine: AnswerEngine, text: str, entries: list[str]) -> None:
    parts = split_message(text, engine.matcher.match(text), engine.matcher)
    assert parts is not None
    assert [part.match.best.entry_id for part in parts if part.match.best] == entries
    assert any(part.match.outcome == "answered" for part in parts)


@pytest.mark.parametrize("text", SINGLE)
def test_one_question_with_og_or_and_stays_whole(engine: AnswerEngine, text: str) -> None:
    assert split_message(text, engine.matcher.match(text), engine.matcher) is None


def test_engine_replies_with_one_part_per_question(engine: AnswerEngine) -> None:
    reply = engine.answer("Finnes det kurs for nye bedrifter, og hvem hjelper meg videre?")
    assert [(part.outcome, part.entry_id) for part in reply.parts] == [("answered", "establisher-courses"),
                                                                       ("answered", "contact")]
    # The message as a whole stands for its first answered part, as one row of the inquiry log.
    assert (reply.outcome, reply.entry_id, reply.score) == ("answered", "establisher-courses", reply.parts[0].score)
    assert reply.answered_parts == reply.parts


def test_each_part_is_decided_on_its_own(engine: AnswerEngine) -> None:
    reply = engine.answer("Hvor kan jeg parkere i sentrum, og finnes det kurs for etablerere?")
    declined, answered = reply.parts
    assert declined.outcome == "fallback" and declined.text.startswith("«Hvor kan jeg parkere i sentrum»")
    assert (answered.outcome, answered.entry_id) == ("answered", "establisher-courses")
    assert declined.lang == answered.lang == reply.lang  # every part in the language of the message


def test_a_single_question_reply_has_no_parts(engine: AnswerEngine) -> None:
    reply = engine.answer("kurs og workshops for nye gründere")
    assert reply.parts == [] and reply.answered_parts == [reply]


def _eval_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "questions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_eval_scores_a_split_message_by_every_answered_part(engine: AnswerEngine, tmp_path: Path) -> None:
    questions = load_questions(_eval_file(tmp_path, (
        '- {q: "Hvor er turistkontoret, og hva er Visit Drammensregionen?", '
        "expect: [tourist-office, visit-drammensregionen], kind: multi}\n"
        '- {q: "Hvor er turistkontoret, og hva er Visit Drammensregionen?", expect: tourist-office, kind: multi}\n'
    )))
    summary = evaluate(engine, questions)
    both, one = summary["results"]
    assert both["got"] == one["got"] == "tourist-office"  # the first answered part's entry
    assert [part["got"] for part in both["parts"]] == ["tourist-office", "visit-drammensregionen"]
    # The second expects only the tourist office, so the card about Visit Drammensregionen is wrong.
    assert summary["answer_accuracy"] == 0.5
    assert summary["wrong_answer_rate"] == 0.5
    assert [failure["q"] for failure in summary["failures"]] == [questions[1].q]


def test_eval_of_the_multi_part_development_set(engine: AnswerEngine) -> None:
    path = Path(__file__).resolve().parent.parent / "knowledge" / "eval" / "questions-multi.yaml"
    questions = load_questions(path)
    summary = evaluate(engine, questions)
    assert 40 <= summary["total"] <= 60 and {question.lang for question in questions} == {"nb", "nn", "en"}
    split = {question.kind: 0 for question in questions}
    for question, result in zip(questions, summary["results"], strict=True):
        split[question.kind or ""] += "parts" in result
    assert split["single-og"] == 0
    assert split["multi"] >= 0.8 * sum(question.kind == "multi" for question in questions)
    assert summary["wrong_answer_rate"] <= 0.02

"""Self-calibration: `kb tune` with no test questions fits a knowledge base nobody here wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from bot.config import MatchingSettings
from bot.knowledge.folds import Example, fold_matcher, near_copies
from bot.knowledge.model import load_knowledge
from bot.knowledge.tuning import balanced, corpus, self_examples
from bot.matching.matcher import Matcher
from tests.conftest import ROOT
from tests.helpers import entry, write_knowledge

# A small English knowledge base of another domain: a public library.
LIBRARY = {
    "library-card": ["how do I get a library card", "can I sign up for a card online", "what do I need to register",
                     "is membership free", "I want to become a member", "get a new card, I lost mine"],
    "opening-hours": ["when are you open", "what are the opening hours", "is the library open on sunday",
                      "what time do you close today", "are you open during the summer holidays",
                      "holiday opening times"],
    "renew-loans": ["how do I renew my loans", "can I extend the loan period", "renew a borrowed item online",
                    "how many times can I renew", "my loan runs out tomorrow, can I keep it longer",
                    "extend borrowing time"],
    "late-fees": ["do you charge late fees", "what is the fine for returning late", "I returned it late, do I pay",
                  "how much is the overdue charge", "fines for overdue items", "pay my library fine"],
    "reserve-item": ["can I reserve a title that is on loan", "how do I place a hold", "put a hold on a novel",
                     "reserve an audiobook", "notify me when the item is back", "queue for a popular title"],
    "study-rooms": ["can I book a group study room", "quiet reading room", "reserve a room to study in",
                    "is there a place to study with friends", "study space for students", "silent study area"],
    "printing": ["can I print documents at the library", "how much does printing cost", "is there a scanner",
                 "print from my laptop", "photocopy a few pages", "colour printing price"],
    "wifi": ["is there free wifi", "what is the wifi password", "internet access for visitors",
             "can I use the public computers", "wireless network at the library", "computer for visitors"],
}
CORPUS_LIKE = [
    "what is the capital of France?",
    "I have a sore throat and fever what should I do",
    "when does the bus to Oslo leave",
    "who won the football match yesterday",
    "how do I apply for a passport",
    "recommend a good pizza place",
    "hvordan søker jeg barnehageplass",
]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("library")
    topics = {"topics": [{"id": "library", "title": {"en": "The library"}}]}
    entries = [
        entry(entry_id, topic="library", title={"en": entry_id.replace("-", " ").capitalize()},
              answer={"en": f"About {entry_id}."}, questions={"en": questions})
        for entry_id, questions in LIBRARY.items()
    ]
    write_knowledge(root / "knowledge", *entries, topics=topics)
    (root / "config.yaml").write_text("knowledge:\n  dir: knowledge\n  languages: [en]\n  required_ids: []\n", "utf-8")
    return root


@pytest.fixture(scope="module")
def tuned(library: Path) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["kb", "tune", "--config", str(library / "config.yaml")])
    assert result.exit_code == 0, result.output
    block: dict[str, Any] = yaml.safe_load(result.output.split("For config.yaml:")[1])
    return block


def test_kb_tune_with_no_files_prints_a_matching_block(tuned: dict[str, Any]) -> None:
    settings = MatchingSettings.model_validate(tuned["matching"])
    assert 0 < settings.answer_threshold < 1
    assert settings.confidence.weights
    assert settings.confidence.scope is not None and settings.confidence.scope.weights  # both stages fitted


def test_the_tuned_matcher_answers_its_own_questions_and_declines_everyday_ones(
    library: Path, tuned: dict[str, Any]
) -> None:
    matcher = Matcher(load_knowledge(library / "knowledge"), MatchingSettings.model_validate(tuned["matching"]))
    own = [(question, entry_id) for entry_id, questions in LIBRARY.items() for question in questions]
    right = sum(matcher.match(q).outcome == "answered" and matcher.match(q).best.entry_id == e  # type: ignore[union-attr]
                for q, e in own)
    assert right / len(own) >= 0.9
    assert [q for q in CORPUS_LIKE if matcher.match(q).outcome == "answered"] == []


def test_self_examples_score_each_alternate_question_without_itself(library: Path) -> None:
    knowledge = load_knowledge(library / "knowledge")
    scored, examples = self_examples(knowledge, ["en"], workers=1, settings=MatchingSettings())
    own = [(scoring, example) for scoring, example in zip(scored, examples, strict=True) if example.source == "self"]
    assert len(own) == sum(len(questions) for questions in LIBRARY.values())
    # A word only the held-out question uses is unknown to the matcher that scores it.
    (photocopy,) = [scoring for scoring, example in own if example.q == "photocopy a few pages"]
    assert photocopy.features["known_share"] < 1.0
    assert {example.lang for example in examples if example.source == "corpus"} == {"en"}


def test_near_copies_are_an_entry_s_phrasings_that_differ_by_a_word_or_the_order(tmp_path: Path) -> None:
    knowledge = load_knowledge(write_knowledge(tmp_path, entry(
        "location", title={"en": "Current location"}, answer={"en": "About location."},
        questions={"en": ["give me my gps coordinates", "can you give me my gps coordinates",
                          "my gps coordinates, give me", "where am I right now"]})))
    copies = near_copies(knowledge)
    assert copies[("location", "give me my gps coordinates")] == {"can you give me my gps coordinates",
                                                                   "my gps coordinates, give me"}
    assert ("location", "where am I right now") not in copies


def test_without_near_copies_a_question_is_scored_as_if_its_family_were_new(library: Path) -> None:
    knowledge = load_knowledge(library / "knowledge")
    fold = [("renew-loans", Example("how do I renew my loans", ["renew-loans"], source="self"))]
    copies = {("renew-loans", "how do I renew my loans"): frozenset({"renew a borrowed item online"})}
    kept = fold_matcher(knowledge, fold, MatchingSettings(), background=()).knowledge.get("renew-loans")
    left = fold_matcher(knowledge, fold, MatchingSettings(), background=(), copies=copies).knowledge.get("renew-loans")
    assert kept is not None and left is not None
    assert "renew a borrowed item online" in kept.questions.all()
    assert not {"how do I renew my loans", "renew a borrowed item online"} & set(left.questions.all())


def test_the_shipped_corpus_is_big_and_in_three_languages() -> None:
    questions = corpus()
    assert len(questions) >= 1500
    assert {example.lang for example in questions} == {"nb", "nn", "en"}
    assert not any(example.expect for example in questions)


def test_the_corpus_repeats_no_question_and_none_of_the_knowledge_base() -> None:
    # A repeated question would count twice in kb tune; an alternate question of the shipped
    # knowledge base in the corpus would teach it to refuse what it answers. Chit-chat may be a
    # small-talk entry's question: kb tune leaves such pairs out.
    questions = corpus()
    texts = [example.q.casefold().strip() for example in questions]
    assert len(texts) == len(set(texts))
    shipped = load_knowledge(ROOT / "knowledge")
    answered = {question.casefold().strip(): entry for entry in shipped if not entry.decline
                for question in entry.questions.all()}
    clashes = [(example.q, answered[text].id) for example, text in zip(questions, texts, strict=True)
               if text in answered and not (answered[text].smalltalk and example.kind == "chitchat")]
    assert clashes == []


def test_balancing_gives_out_of_scope_questions_their_share() -> None:
    examples = [Example("a", ["x"], source="self")] * 3 + [Example("b", [], source="corpus")] * 30
    weighted = balanced(examples, out_of_scope_share=0.25, dev_share=0.5)
    outside = sum(example.weight for example in weighted if not example.expect)
    assert outside == pytest.approx(0.25)
    dev = [Example("c", ["x"], source="questions.yaml"), Example("d", [], source="questions.yaml")]
    weighted = balanced(examples + dev, out_of_scope_share=0.25, dev_share=0.5)
    assert sum(example.weight for example in weighted if example.source == "questions.yaml") == pytest.approx(0.5)

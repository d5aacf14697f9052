"""The terminal chat: questions in, answer cards out, numbers pick choices, Ctrl-D quits, all logged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Config
from bot.services import Services, build_services
from tests.offline import config_for, terminal_chat


@pytest.fixture
def services(tmp_path: Path, shipped_config: Config) -> Iterator[Services]:
    built = build_services(config_for(tmp_path, shipped_config))
    yield built
    built.close()


def logged(services: Services) -> list[dict[str, object]]:
    return list(services.db.query("select channel, kind, entry_id, outcome, parent_id from inquiries order by id"))


def test_answers_and_quits_on_end_of_input(services: Services) -> None:
    output = terminal_chat(services, ["Hva er Visit Drammensregionen?"])
    assert services.engines.engine.knowledge.entries["visit-drammensregionen"].answer.nb in output[1]
    assert output[-1] == ""
    assert logged(services)[0]["channel"] == "console"
    assert logged(services)[0]["entry_id"] == "visit-drammensregionen"


def test_a_number_opens_a_related_entry_linked_to_the_question(services: Services) -> None:
    related = services.engines.engine.knowledge.entries["visit-drammensregionen"].related[0]
    terminal_chat(services, ["Hva er Visit Drammensregionen?", "1"])
    _, second = logged(services)
    assert second["entry_id"] == related and second["kind"] == "button"
    assert second["parent_id"] is not None


def test_numbers_without_choices_are_questions(services: Services) -> None:
    terminal_chat(services, ["7"])
    assert logged(services)[0]["outcome"] == "fallback"


def test_english_question_switches_language(services: Services) -> None:
    output = terminal_chat(services, ["Where can I find the tourist office?"], lang="en")
    assert "Ctrl-D" in output[0]
    assert services.engines.engine.knowledge.entries["tourist-office"].answer.en in output[1]


def test_commands_from_answer_cards_work_in_the_terminal(services: Services) -> None:
    output = terminal_chat(services, ["/contact", "/privacy", "/help", "/stats"])
    assert "Drammen kommune, næringsutvikling" in output[1]
    assert "180" in output[2] and "/forget" in output[2]
    assert "/topics" in output[3]
    assert "kommandoen kjenner jeg ikke" in output[4]
    assert [row["kind"] for row in logged(services)] == ["command"] * 4


def test_every_command_help_lists_works_in_the_terminal(services: Services) -> None:
    output = terminal_chat(services, ["/start", "/topics", "/language", "3", "/forget", "2", "/contact", "/privacy"])
    assert "Næringsbot" in output[1] and "  1. " in output[1]  # welcome with the topic menu as numbers
    assert "  1. " in output[2]
    assert "  3. English" in output[3] and "English" in output[4]
    assert "  1. " in output[5] and "nothing was deleted" in output[6]
    assert all("kjenner jeg ikke" not in text and "do not know that command" not in text for text in output)


def test_the_topic_menu_leads_to_an_answer_card_by_numbers(services: Services) -> None:
    knowledge = services.engines.engine.knowledge
    first_topic = next(topic for topic in knowledge.menu_topics() if knowledge.in_topic(topic.id))
    first_entry = knowledge.in_topic(first_topic.id)[0]
    output = terminal_chat(services, ["/topics", "1", "1"])
    assert first_entry.title.nb in output[3]
    assert logged(services)[-1]["entry_id"] == first_entry.id


def test_a_number_that_is_not_on_the_list_says_so(services: Services) -> None:
    output = terminal_chat(services, ["/language", "4"])
    assert "fra 1 til 3" in output[2]
    assert [row["kind"] for row in logged(services)] == ["command"]  # not taken as a question


def test_texts_that_say_press_say_what_works_in_the_terminal(services: Services) -> None:
    output = terminal_chat(services, ["/help"])
    assert "knappene" not in output[1] and "/topics" in output[1]


def test_i_dont_know_comes_with_the_topics_to_pick_from(services: Services) -> None:
    output = terminal_chat(services, ["What is the capital of France?", "1"], lang="en")
    assert "pick a topic" in output[1].lower() or "velg" in output[1].lower()
    first_topic = services.engines.engine.knowledge.menu_topics()[0]
    assert f"  1. {first_topic.title.get('en')}" in output[1]
    assert first_topic.title.get("en") in output[2]  # the number opened that topic's entries


def test_the_topics_after_i_dont_know_are_in_the_language_of_the_question(services: Services) -> None:
    # The person has not chosen English; the question is in English, and so is the reply, so the
    # topics under it and the entries of the one picked are English too, as in Telegram.
    output = terminal_chat(services, ["Who runs the tourist office in Stavanger?", "1"])
    first_topic = services.engines.engine.knowledge.menu_topics()[0]
    assert "don't know" in output[1] and f"  1. {first_topic.title.get('en')}" in output[1]
    first_entry = services.engines.engine.knowledge.in_topic(first_topic.id)[0]
    assert first_entry.title.get("en") in output[2]


def test_quit_ends_the_chat_without_logging_it_as_a_question(services: Services) -> None:
    output = terminal_chat(services, ["/quit", "Hva er Visit Drammensregionen?"])
    assert len(output) == 1 and "/quit" in output[0]  # only the welcome, which says how to leave
    assert logged(services) == []

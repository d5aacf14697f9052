"""Keyboards that depend only on the knowledge base and the language are built once per knowledge base."""

from __future__ import annotations

import copy
import gc

from bot.knowledge.model import KnowledgeBase
from handlers import keyboards


def test_a_menu_is_built_once_per_knowledge_base_and_language(knowledge: KnowledgeBase) -> None:
    menu = keyboards.topic_menu(knowledge, "nb")
    assert keyboards.topic_menu(knowledge, "nb") is menu
    assert keyboards.topic_menu(knowledge, "en") is not menu
    assert keyboards.topic_menu(knowledge, "nb", person=False) is not menu
    topic = knowledge.menu_topics()[0].id
    assert keyboards.topic_entries(knowledge, topic, "nb") is keyboards.topic_entries(knowledge, topic, "nb")


def test_a_reloaded_knowledge_base_gets_its_own_keyboards(knowledge: KnowledgeBase) -> None:
    reloaded = copy.deepcopy(knowledge)
    topic = reloaded.menu_topics()[0]
    reloaded.topics[topic.id] = topic.model_copy(update={"title": topic.title.model_copy(update={"nb": "Ny tittel"})})
    old = keyboards.topic_menu(knowledge, "nb")
    new = keyboards.topic_menu(reloaded, "nb")
    assert new is not old
    assert new.inline_keyboard[0][0].text == "Ny tittel" != old.inline_keyboard[0][0].text
    assert any(row[0].text == "Ny tittel" for row in keyboards.fallback_buttons(reloaded, "nb", 7).inline_keyboard)
    key = id(reloaded)
    del reloaded, new, topic
    gc.collect()
    assert key not in keyboards._by_knowledge  # the old knowledge base's keyboards go with it

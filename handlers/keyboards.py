"""Inline keyboards and the patterns of their callback data.

Callback data comes back from the user's client and can be anything, so each button handler is
registered with one of the closed set of ``PATTERNS`` (its groups reach it as ``context.match``)
and every value is checked again where it is used; anything else is a stale or forged button.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from typing import Any, NamedTuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Choice as ConfigChoice
from bot.engine import Reply
from bot.knowledge.model import CONTACT_ENTRY, KnowledgeBase
from bot.phrases import phrase

PATTERNS = {
    "menu": re.compile(r"^m(?::new)?$"),  # "m:new" under an answer card: the card stays, the menu comes below
    "topic": re.compile(r"^t:(?P<topic>[a-z0-9-]{1,40})$"),
    "entry": re.compile(r"^e:(?P<entry>[a-z0-9-]{1,40}):(?P<parent>\d{1,12})$"),
    "none": re.compile(r"^n:(?P<parent>\d{1,12})$"),
    "feedback": re.compile(r"^f:(?P<update>\d{1,12}):(?P<value>[+-])$"),
    "language": re.compile(r"^l:(?P<lang>nb|nn|en)$"),
    "person": re.compile(r"^h:(?P<parent>\d{1,12})$"),
    "profile": re.compile(r"^p:(?P<field>role|municipality|skip):(?P<value>[a-z0-9-]{0,30})$"),
    "forget": re.compile(r"^x:(?P<answer>yes|no)$"),
    "handoff": re.compile(r"^s:(?P<action>answered|close|end):(?P<handoff>\d{1,12})$"),
    "review": re.compile(r"^v:(?P<action>add|topics|needs|reject|next):(?P<suggestion>\d{1,9})$"),
    "review_topic": re.compile(r"^v:topic:(?P<suggestion>\d{1,9}):(?P<topic>[a-z0-9-]{1,40})$"),
    "review_entry": re.compile(r"^v:to:(?P<suggestion>\d{1,9}):(?P<entry>[a-z0-9-]{1,40})$"),
    "unanswered_more": re.compile(r"^u:(?P<start>\d{4}-\d{2}-\d{2}):(?P<end>\d{4}-\d{2}-\d{2}):(?P<page>\d{1,3})$"),
}


class Button(NamedTuple):
    """A button with a text and callback data: the only kind the bot's keyboards have."""

    text: str
    callback_data: str


def _button(text: str, data: str) -> Button:
    return Button(text[:60], data)


class Keyboard:
    """An inline keyboard of text-and-callback buttons, sent as its JSON form.

    Most answers carry a keyboard of their own (its callback data names the inquiry and the
    update), and python-telegram-bot's button objects cost ≈ 9 µs each to build and more to
    serialise. These are plain tuples; ``handlers.botapi`` sends ``to_dict()``, the dict the
    library would build (same keys, same order: a test compares them). ``markup()`` gives the
    library's object where one of its own methods needs it. Immutable, so one can be sent many times.
    """

    __slots__ = ("inline_keyboard",)

    def __init__(self, rows: Iterable[Iterable[Button]]) -> None:
        self.inline_keyboard = tuple(tuple(row) for row in rows)

    def to_dict(self) -> dict[str, Any]:
        """A new dict each time: the caller may change it."""
        return {"inline_keyboard": [[{"callback_data": button.callback_data, "text": button.text} for button in row]
                                    for row in self.inline_keyboard]}

    def markup(self) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton(button.text, callback_data=button.callback_data)
                                      for button in row] for row in self.inline_keyboard])


Markup = Keyboard | InlineKeyboardMarkup


# Keyboards that depend only on the knowledge base, the language and fixed phrases, built once per
# knowledge base: a reload brings a new ``KnowledgeBase`` object and with it an empty cache, and the
# old one's keyboards go when it does.
_Keyboards = dict[tuple[str, ...], Keyboard | tuple[tuple[Button, ...], ...]]
_by_knowledge: dict[int, tuple[weakref.ref[KnowledgeBase], _Keyboards]] = {}


def _cache(knowledge: KnowledgeBase) -> _Keyboards:
    key = id(knowledge)
    found = _by_knowledge.get(key)
    if found is None or found[0]() is not knowledge:
        found = (weakref.ref(knowledge, lambda _, key=key: _by_knowledge.pop(key, None)), {})  # type: ignore[misc]
        _by_knowledge[key] = found
    return found[1]


def topic_menu(knowledge: KnowledgeBase, lang: str, person: bool = True) -> Keyboard:
    """The topics, and "Talk to a person" only when someone can be reached (``person``)."""
    talk = phrase("talk_to_person", lang) if person else ""
    cache = _cache(knowledge)
    key = ("menu", lang, talk)
    markup = cache.get(key)
    if not isinstance(markup, Keyboard):
        rows = [list(row) for row in _topic_rows(knowledge, lang)]
        if person:
            rows.append([_button(talk, "h:0")])
        markup = cache[key] = Keyboard(rows)
    return markup


def topic_entries(knowledge: KnowledgeBase, topic_id: str, lang: str) -> Keyboard:
    back = phrase("topics", lang)
    cache = _cache(knowledge)
    key = ("topic", topic_id, lang, back)
    markup = cache.get(key)
    if not isinstance(markup, Keyboard):
        rows = [[_button(entry.title.get(lang), f"e:{entry.id}:0")] for entry in knowledge.in_topic(topic_id)]
        rows.append([_button(f"« {back}", "m")])
        markup = cache[key] = Keyboard(rows)
    return markup


def _topic_rows(knowledge: KnowledgeBase, lang: str) -> tuple[tuple[Button, ...], ...]:
    """One button per menu topic (not "about"), cached per knowledge base and language."""
    cache = _cache(knowledge)
    rows = cache.get(("topic rows", lang))
    if not isinstance(rows, tuple):
        rows = cache[("topic rows", lang)] = tuple(
            (_button(topic.title.get(lang), f"t:{topic.id}"),) for topic in knowledge.menu_topics()
            if topic.id != "about")
    return rows


def answer_buttons(reply: Reply, inquiry_id: int | None, update_id: int | None,
                   person: bool = True) -> Keyboard:
    """Related entries, 👍/👎 for answers, and a way to a person."""
    parent = inquiry_id or 0
    # The contact entry's card is not needed as a button: "Talk to a person" below does the real thing.
    rows = [[_button(choice.title, f"e:{choice.entry_id}:{parent}")] for choice in reply.related
            if choice.entry_id != CONTACT_ENTRY]
    if reply.outcome == "answered" and update_id is not None:
        rows.append([_button("👍", f"f:{update_id}:+"), _button("👎", f"f:{update_id}:-")])
    last = [_button(phrase("talk_to_person", reply.lang), f"h:{parent}")] if person else []
    rows.append([*last, _button(phrase("topics", reply.lang), "m:new")])
    return Keyboard(rows)


def suggestion_buttons(reply: Reply, inquiry_id: int | None) -> Keyboard:
    parent = inquiry_id or 0
    rows = [[_button(choice.title, f"e:{choice.entry_id}:{parent}")] for choice in reply.suggestions]
    rows.append([_button(phrase("none_of_these", reply.lang), f"n:{parent}")])
    return Keyboard(rows)


def fallback_buttons(knowledge: KnowledgeBase, lang: str, inquiry_id: int | None,
                     person: bool = True) -> Keyboard:
    rows = [[_button(phrase("talk_to_person", lang), f"h:{inquiry_id or 0}")]] if person else []
    rows += [list(row) for row in _topic_rows(knowledge, lang)]
    return Keyboard(rows)


def language_buttons() -> Keyboard:
    return Keyboard([[_button("Bokmål", "l:nb"), _button("Nynorsk", "l:nn"), _button("English", "l:en")]])


def profile_buttons(field: str, choices: list[ConfigChoice], lang: str) -> Keyboard:
    rows = [[_button(choice.title.get(lang), f"p:{field}:{choice.id}")] for choice in choices]
    rows.append([_button(phrase("skip", lang), "p:skip:")])
    return Keyboard(rows)


def forget_buttons(lang: str) -> Keyboard:
    return Keyboard([[_button(phrase("forget_yes", lang), "x:yes"),
                                  _button(phrase("forget_no", lang), "x:no")]])


def staff_buttons(handoff_id: int) -> Keyboard:
    return Keyboard([[_button("✅ Besvart", f"s:answered:{handoff_id}"),
                                  _button("✖ Lukk", f"s:close:{handoff_id}")]])


def end_handoff_button(handoff_id: int, lang: str) -> Keyboard:
    return Keyboard([[_button(phrase("handoff_end", lang), f"s:end:{handoff_id}")]])

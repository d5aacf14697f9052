"""``naeringsbot chat``: the assistant in a terminal, logged like Telegram with channel ``console``.

Everything ``/help`` lists works here too. Menus and buttons become numbered choices: type the
number to pick one; a number that is not on the list says so instead of being taken as a question.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from bot.assistant import Answer, Assistant, Sender
from bot.engine import Reply
from bot.matching.language import Language
from bot.phrases import contact_details, phrase

QUIT_HINT = {"nb": "(/quit eller Ctrl-D avslutter)", "nn": "(/quit eller Ctrl-D avsluttar)",
             "en": "(/quit or Ctrl-D quits)"}
QUIT_COMMANDS = frozenset({"/quit", "/exit", "/avslutt"})  # what people type to leave a terminal program
# What the Telegram texts tell people to press, said the way it works in a terminal.
TERMINAL_WORDING = {
    "trykk «Snakk med en person»": "skriv /contact",
    'press "Talk to a person"': "type /contact",
    "eller bruk knappene": "eller skriv /topics for temaene",
    "or use the buttons": "or type /topics for the topics",
}


@dataclass
class Choice:
    """One numbered line the user can pick; ``pick`` makes the next screen."""

    label: str
    pick: Callable[[], Screen]


@dataclass
class Screen:
    text: str
    choices: list[Choice] = field(default_factory=list)
    answer: Answer | None = None


def terminal_text(text: str) -> str:
    for telegram, terminal in TERMINAL_WORDING.items():
        text = text.replace(telegram, terminal)
    return text


def card_lines(reply: Reply) -> list[str]:
    """A reply as terminal lines: an entry's answer as written; the bot's own phrases say what works here."""
    text = reply.text if reply.entry_id or reply.declined else terminal_text(reply.text)
    lines = [f"== {reply.title} ==", text] if reply.title else [text]
    if reply.footer:
        lines.append(reply.footer)
    return lines


def render(screen: Screen) -> str:
    lines = [screen.text]
    lines.extend(f"  {number}. {choice.label}" for number, choice in enumerate(screen.choices, 1))
    return "\n".join(lines)


class TerminalChat:
    """The state of one terminal conversation: who is talking and which choices are on screen."""

    def __init__(self, assistant: Assistant, sender: Sender) -> None:
        self.assistant = assistant
        self.sender = sender
        self.screen = Screen("")

    @property
    def lang(self) -> Language:
        return self.assistant.language(self.sender)

    def handle(self, text: str) -> str:
        stripped = text.strip()
        if stripped.isdigit() and self.screen.choices:
            number = int(stripped)
            if not 1 <= number <= len(self.screen.choices):
                return phrase("not_a_choice", self.lang).format(last=len(self.screen.choices))
            self.screen = self.screen.choices[number - 1].pick()
        elif stripped.startswith("/"):
            self.screen = self.command(stripped)
        else:
            self.screen = self.reply_screen(self.assistant.ask(self.sender, text))
        return render(self.screen)

    def command(self, text: str) -> Screen:
        name, _, argument = text.partition(" ")
        name = name.lower()
        self.assistant.note_action(self.sender, name, via="command")
        lang = self.lang
        if name == "/start":
            self.assistant.start(self.sender, argument.strip() or None)
            return self.topics(self.assistant.welcome(self.sender))
        if name == "/topics":
            return self.topics()
        if name == "/help":
            return Screen(terminal_text(phrase("help", lang)))
        if name == "/privacy":
            return Screen(phrase("privacy", lang).format(days=self.assistant.config.privacy.retention_days))
        if name == "/contact":
            return Screen(contact_details(self.assistant.config.staff.contact, lang))
        if name == "/language":
            return Screen(phrase("language_prompt", lang), [Choice("Bokmål", lambda: self.set_language("nb")),
                                                           Choice("Nynorsk", lambda: self.set_language("nn")),
                                                           Choice("English", lambda: self.set_language("en"))])
        if name == "/forget":
            return Screen(phrase("forget_confirm", lang), [Choice(phrase("forget_yes", lang), self.forget),
                                                          Choice(phrase("forget_no", lang),
                                                                 lambda: Screen(phrase("not_forgotten", self.lang)))])
        return Screen(phrase("unknown_command", lang))

    def topics(self, intro: str | None = None, lang: Language | None = None) -> Screen:
        """The topic menu, in ``lang`` when a reply in that language comes with it (an English
        question gets English topics whatever language the person chose before)."""
        knowledge = self.assistant.engine.knowledge
        lang = lang or self.lang
        choices = [Choice(topic.title.get(lang), partial(self.topic, topic.id, lang))
                   for topic in knowledge.menu_topics() if knowledge.in_topic(topic.id)]
        return Screen(f"{intro}\n\n{phrase('choose_topic', lang)}" if intro else phrase("choose_topic", lang), choices)

    def topic(self, topic_id: str, lang: Language | None = None) -> Screen:
        knowledge = self.assistant.engine.knowledge
        lang = lang or self.lang
        choices = [Choice(entry.title.get(lang), partial(self.open, entry.id, None))
                   for entry in knowledge.in_topic(topic_id)]
        return Screen(knowledge.topics[topic_id].title.get(lang), choices)

    def open(self, entry_id: str, parent_id: int | None) -> Screen:
        opened = self.assistant.open_entry(self.sender, entry_id, parent_id=parent_id)
        return self.reply_screen(opened) if opened else Screen(phrase("expired_button", self.lang))

    def reply_screen(self, answer: Answer) -> Screen:
        reply: Reply = answer.reply
        parent = answer.recorded.inquiry_id
        if reply.parts:
            return self.parts_screen(answer)
        lines = card_lines(reply)
        choices = [Choice(choice.title, partial(self.open, choice.entry_id, parent))
                   for choice in reply.suggestions]
        if reply.suggestions:
            choices.append(Choice(phrase("none_of_these", reply.lang), lambda: self.none_of_these(parent)))
        elif reply.related:
            lines.append(phrase("related", reply.lang))
            choices = [Choice(choice.title, partial(self.open, choice.entry_id, parent))
                       for choice in reply.related]
        elif reply.outcome == "fallback":  # "pick a topic", as the buttons under it in Telegram
            choices = self.topics(lang=reply.lang).choices
        return Screen("\n".join(lines), choices, answer)

    def parts_screen(self, answer: Answer) -> Screen:
        """A message that asked several things: every part's card or line, the unsure ones last, so
        that their numbered suggestions follow them; related topics only when nothing is unsure."""
        reply, parent = answer.reply, answer.recorded.inquiry_id
        unsure = [part for part in reply.parts if part.outcome == "ambiguous"]
        blocks = ["\n".join(card_lines(part)) for part in reply.parts if part not in unsure]
        blocks += ["\n".join(card_lines(part)) for part in unsure]
        choices = [Choice(choice.title, partial(self.open, choice.entry_id, parent))
                   for part in unsure for choice in part.suggestions]
        if choices:
            choices.append(Choice(phrase("none_of_these", reply.lang), lambda: self.none_of_these(parent)))
            return Screen("\n\n".join(blocks), choices, answer)
        shown = {part.entry_id for part in reply.parts}
        related = list({choice.entry_id: choice for part in reply.parts for choice in part.related
                        if choice.entry_id not in shown}.values())
        if related:
            blocks.append(phrase("related", reply.lang))
        return Screen("\n\n".join(blocks), [Choice(choice.title, partial(self.open, choice.entry_id, parent))
                                             for choice in related], answer)

    def none_of_these(self, parent: int | None) -> Screen:
        return self.reply_screen(self.assistant.none_of_these(self.sender, parent_id=parent))

    def set_language(self, lang: Language) -> Screen:
        self.assistant.set_language(self.sender, lang)
        return Screen(phrase("language_set", lang))

    def forget(self) -> Screen:
        self.assistant.forget(self.sender)
        return Screen(phrase("forgotten", self.lang))


def run_chat(
    assistant: Assistant,
    lang: Language = "nb",
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
    user: str | None = None,
) -> None:
    """Read questions until end of input; a number picks one of the choices on screen."""
    sender = Sender(channel="console", user_id=user or getpass.getuser(), chat_type="console",
                    language_code=lang)
    chat = TerminalChat(assistant, sender)
    write(f"{phrase('welcome', lang)} {QUIT_HINT[lang]}")
    while True:
        try:
            text = read("> ")
        except (EOFError, KeyboardInterrupt):
            write("")
            return
        if text.strip().lower() in QUIT_COMMANDS:
            return
        write(chat.handle(text))

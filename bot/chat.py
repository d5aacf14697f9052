"""``naeringsbot chat``: the assistant in a terminal, logged like Telegram with channel ``console``."""

from __future__ import annotations

import getpass
from collections.abc import Callable

from bot.assistant import Answer, Assistant, Sender
from bot.engine import Choice, Reply
from bot.matching.language import Language
from bot.phrases import contact_details, phrase

QUIT_HINT = {"nb": "(Ctrl-D avslutter)", "en": "(Ctrl-D quits)"}


def format_reply(reply: Reply) -> tuple[str, list[Choice]]:
    """The reply as terminal text, and the choices its numbers stand for."""
    lines = []
    if reply.title:
        lines.append(f"== {reply.title} ==")
    lines.append(reply.text)
    choices = reply.suggestions or reply.related
    if reply.suggestions:
        lines.extend(f"  {number}. {choice.title}" for number, choice in enumerate(choices, 1))
        lines.append(f"  0. {phrase('none_of_these', reply.lang)}")
    elif reply.related:
        lines.append(phrase("related", reply.lang))
        lines.extend(f"  {number}. {choice.title}" for number, choice in enumerate(choices, 1))
    return "\n".join(lines), choices


def run_chat(
    assistant: Assistant,
    lang: Language = "nb",
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
    user: str | None = None,
) -> None:
    """Read questions until end of input; a number picks one of the last reply's choices."""
    sender = Sender(channel="console", user_id=user or getpass.getuser(), chat_type="console",
                    language_code=lang)
    write(f"{phrase('welcome', lang)} {QUIT_HINT[lang]}")
    choices: list[Choice] = []
    last: Answer | None = None
    while True:
        try:
            text = read("> ")
        except (EOFError, KeyboardInterrupt):
            write("")
            return
        if text.strip().startswith("/"):
            write(_command(assistant, sender, text.strip()))
            continue
        last = _respond(assistant, sender, text, choices, last)
        output, choices = format_reply(last.reply)
        write(output)


def _command(assistant: Assistant, sender: Sender, text: str) -> str:
    """The Telegram commands that make sense in a terminal, so answer cards' hints work here too."""
    name = text.split()[0].lower()
    assistant.note_action(sender, name, via="command")
    lang = assistant.language(sender)
    if name == "/help":
        return phrase("help", lang)
    if name == "/privacy":
        return phrase("privacy", lang).format(days=assistant.config.privacy.retention_days)
    if name == "/contact":
        return contact_details(assistant.config.staff.contact, lang)
    return phrase("unknown_command", lang)


def _respond(
    assistant: Assistant, sender: Sender, text: str, choices: list[Choice], last: Answer | None
) -> Answer:
    picked = text.strip()
    parent = last.recorded.inquiry_id if last else None
    if picked.isdigit() and choices:
        number = int(picked)
        if number == 0 and last is not None and last.reply.suggestions:
            return assistant.none_of_these(sender, parent_id=parent)
        if 1 <= number <= len(choices):
            opened = assistant.open_entry(sender, choices[number - 1].entry_id, parent_id=parent)
            if opened is not None:
                return opened
    return assistant.ask(sender, text)

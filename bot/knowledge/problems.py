"""What the loader and ``kb check`` found, as ``file:line: Feil: entry: problem — what to do``.

A finding keeps its catalogue key and values, not just a string, so the same finding can be shown in
Bokmål (the default: ``kb check``, the bot's reload refusal, ``kb import``) or in English
(``kb check --lang en``). The texts themselves live in :mod:`bot.knowledge.messages`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Union

from bot.knowledge.messages import MESSAGES

Severity = Literal["error", "warning", "note"]
MessageLang = Literal["nb", "en"]
DEFAULT_LANG: MessageLang = "nb"
Value = Union[str, int, "Message"]


@dataclass(frozen=True)
class Message:
    """A catalogue text with its values; a value may itself be a message (a hint, a language name)."""

    key: str
    values: tuple[tuple[str, Value], ...] = ()

    @classmethod
    def of(cls, key: str, /, **values: Value) -> Message:
        if key not in MESSAGES:
            raise KeyError(f"no message {key!r} in the catalogue")
        return cls(key, tuple(values.items()))

    def render(self, lang: MessageLang = DEFAULT_LANG) -> str:
        return MESSAGES[self.key][lang].format(**{name: _shown(value, lang) for name, value in self.values})


def _shown(value: Value, lang: MessageLang) -> str:
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, int):
        # 4 096 in Norwegian (a no-break space), 4,096 in English.
        return f"{value:,}".replace(",", "\u00a0" if lang == "nb" else ",")
    return value


@dataclass(frozen=True)
class Problem:
    """One finding. ``message`` is the Bokmål text; ``note`` re-renders it in another language.

    Callers outside the catalogue (``kb eval``'s unknown ids) may still pass plain text alone.
    """

    file: Path
    line: int  # 0: the finding is about the folder or the whole run, not a line
    message: str
    severity: Severity = "error"
    note: Message | None = None
    subject: Message | None = None  # the entry, topic or alternate question it is about

    @classmethod
    def of(cls, file: Path, line: int, note: Message, severity: Severity = "error",
           subject: Message | None = None) -> Problem:
        """A finding from the catalogue, with its Bokmål text filled in."""
        return cls(file, line, cls(file, line, "", severity, note, subject).text(), severity, note, subject)

    def text(self, lang: MessageLang = DEFAULT_LANG) -> str:
        """The problem and what to do, after the entry it is about; no file, line or label."""
        body = self.note.render(lang) if self.note is not None else self.message
        return f"{self.subject.render(lang)}: {body}" if self.subject is not None else body

    def render(self, lang: MessageLang = DEFAULT_LANG) -> str:
        where = f"{self.file}:{self.line}" if self.line else f"{self.file}"
        if self.note is None:  # plain text in one language: no label in another
            return f"{where}: {'warning: ' if self.severity == 'warning' else ''}{self.message}"
        label = Message.of(f"label_{self.severity}").render(lang)
        return f"{where}: {label}: {self.text(lang)}"

    def __str__(self) -> str:
        return self.render()


def problem(file: Path, line: int, key: str, /, *, severity: Severity = "error", subject: Message | None = None,
            **values: Value) -> Problem:
    """A finding from the catalogue: the one way the loader and the checker make them."""
    return Problem.of(file, line, Message.of(key, **values), severity, subject)


def entry_subject(entry_id: object, index: int) -> Message:
    """``entry `funding``` when the entry has a usable id, else its position ("entry 4")."""
    if isinstance(entry_id, str) and entry_id.strip():
        return Message.of("subject_entry", id=entry_id)
    return Message.of("subject_entry_number", number=index + 1)


def topic_subject(topic_id: object, index: int) -> Message:
    if isinstance(topic_id, str) and topic_id.strip():
        return Message.of("subject_topic", id=topic_id)
    return Message.of("subject_topic_number", number=index + 1)


def question_subject(entry_id: str, lang: str, index: int) -> Message:
    """``entry `funding`, alternate question 3 (nb)``: numbered from 1, as an editor counts."""
    return Message.of("subject_question", id=entry_id, number=index + 1, lang=lang)


def summary(problems: Iterable[Problem], files: int, lang: MessageLang = DEFAULT_LANG) -> str:
    """``2 feil, 1 advarsel i 9 filer``: the last line of ``kb check``."""
    found = list(problems)
    errors = sum(problem.severity == "error" for problem in found)
    warnings = sum(problem.severity == "warning" for problem in found)
    return Message.of(
        "summary",
        errors=counted("errors", errors),
        warnings=counted("warnings", warnings),
        files=counted("files", files),
    ).render(lang)


def counted(noun: str, count: int) -> Message:
    """``1 feil``, ``2 advarsler``: the catalogue's ``count_<noun>_one`` or ``_many``."""
    return Message.of(f"count_{noun}_{'one' if count == 1 else 'many'}", count=count)


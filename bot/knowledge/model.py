"""The knowledge base staff edit in ``knowledge/*.yaml``: typed models and a loader that names file and line.

Longer than most modules on purpose: the models and the loader that turns their validation errors
into file:line messages belong together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.knowledge.files import YamlDocument, YamlSyntaxError, load_yaml

LANGUAGES = ("nb", "en")  # what every entry needs unless knowledge.languages says otherwise
ALL_LANGUAGES = ("nb", "nn", "en")
CONTACT_ENTRY = "contact"  # the contract's entry for "talk to a person": the handoff, not just a card
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _preference(lang: str) -> tuple[str, ...]:
    """The languages to show for ``lang``, best first: nynorsk falls back to Bokmål, then English."""
    return {"nn": ("nn", "nb", "en"), "nb": ("nb", "nn", "en")}.get(lang, ("en", "nb", "nn"))


class Text(Model):
    """One text per language. Which languages every entry needs is the knowledge base's choice
    (``knowledge.languages``, checked by the loader); a missing one falls back to another."""

    nb: str | None = None
    nn: str | None = None
    en: str | None = None

    @field_validator("nb", "nn", "en")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("is empty")
        return value.strip() if value is not None else None

    def languages(self) -> list[str]:
        return [lang for lang in ALL_LANGUAGES if getattr(self, lang) is not None]

    def get(self, lang: str) -> str:
        for candidate in _preference(lang):
            value = getattr(self, candidate)
            if value is not None:
                return str(value)
        return ""


class Questions(Model):
    nb: list[str] = []
    nn: list[str] = []
    en: list[str] = []

    @field_validator("nb", "nn", "en")
    @classmethod
    def _no_blank_questions(cls, value: list[str]) -> list[str]:
        if any(not str(question).strip() for question in value):
            raise ValueError("contains an empty question")
        return [str(question).strip() for question in value]

    def languages(self) -> list[str]:
        return [lang for lang in ALL_LANGUAGES if getattr(self, lang)]

    def get(self, lang: str) -> list[str]:
        """The questions written in ``lang`` itself (no fallback: they are what the matcher learns)."""
        return list(getattr(self, lang, []) or [])

    def all(self) -> list[str]:
        return [question for lang in ALL_LANGUAGES for question in getattr(self, lang)]


class Topic(Model):
    id: str = Field(pattern=ID_PATTERN)
    title: Text
    menu: bool = True


class Entry(Model):
    id: str = Field(pattern=ID_PATTERN)
    topic: str
    owner: str = Field(min_length=1)
    review_by: dt.date
    smalltalk: bool = False
    decline: bool = False  # a near-miss the bot must recognise and decline, never answer
    title: Text
    answer: Text
    questions: Questions
    keywords: list[str] = []
    related: list[str] = []
    source: str | None = None  # where the facts come from, shown under the answer card
    as_of: dt.date | int | None = None  # the date of that source, or its year when no day is known

    @property
    def source_year(self) -> int | None:
        """The year of the source, whether ``as_of`` gives a date or only the year."""
        return self.as_of if isinstance(self.as_of, int) else (self.as_of.year if self.as_of else None)


class KnowledgeFile(Model):
    topics: list[Topic] = []
    entries: list[Entry] = []


@dataclass(frozen=True)
class Problem:
    """One finding of the loader or checker, printed as ``file:line: message``."""

    file: Path
    line: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {prefix}{self.message}"


@dataclass(frozen=True)
class Location:
    file: Path
    line: int


@dataclass
class KnowledgeBase:
    """All topics and entries, in file order, with where each was written."""

    topics: dict[str, Topic] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    documents: list[YamlDocument] = field(default_factory=list)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str | None) -> Entry | None:
        return self.entries.get(entry_id) if entry_id else None

    def menu_topics(self) -> list[Topic]:
        return [topic for topic in self.topics.values() if topic.menu]

    def in_topic(self, topic_id: str) -> list[Entry]:
        return [entry for entry in self if entry.topic == topic_id and not entry.smalltalk and not entry.decline]


class KnowledgeBaseError(Exception):
    """The knowledge base has errors; the running bot keeps its previous one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def knowledge_files(directory: Path) -> list[Path]:
    """The YAML files that make up the knowledge base (subfolders such as ``eval/`` are not part)."""
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])


DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024


def _unreadable(path: Path, max_bytes: int) -> Problem | None:
    """Files the loader must not try: folders named *.yaml, oversized or non-UTF-8 files."""
    if path.is_dir():
        return Problem(path, 1, "is a folder, not a file — rename it so its name does not end in .yaml")
    size = path.stat().st_size
    if size > max_bytes:
        return Problem(path, 1, f"is {size / 1048576:.1f} MB, more than the limit of {max_bytes / 1048576:.1f} MB "
                                "(knowledge.max_file_kb) — split it into several files")
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        return Problem(path, line, "is not UTF-8 text — save it with the UTF-8 encoding")
    return None


def read_knowledge(
    directory: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES, languages: Sequence[str] | None = None
) -> tuple[KnowledgeBase, list[Problem]]:
    """Parse and validate every file; collect all problems instead of stopping at the first.

    ``languages`` are the languages every title, answer and question list must have (config's
    ``knowledge.languages``); by default those that any entry uses (nynorsk only if nothing else).
    """
    base = KnowledgeBase()
    problems: list[Problem] = []
    files = knowledge_files(directory)
    if not directory.is_dir():
        return base, [Problem(directory, 1, "knowledge folder not found — check knowledge.dir")]
    if not files:
        return base, [Problem(directory, 1, "no *.yaml files — add at least one entries file")]
    for path in files:
        try:
            unreadable = _unreadable(path, max_bytes)
        except OSError as error:
            unreadable = Problem(path, 1, f"cannot be read ({error.strerror}) — check the file's permissions")
        if unreadable is not None:
            problems.append(unreadable)
            continue
        try:
            document = load_yaml(path)
        except YamlSyntaxError as error:
            problems.append(Problem(path, _line_of_message(str(error)), str(error).split(": ", 1)[1]))
            continue
        base.documents.append(document)
        problems.extend(_add_document(base, document))
    problems.extend(_cross_references(base))
    problems.extend(_missing_languages(base, languages))
    return base, problems


def load_knowledge(
    directory: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES, languages: Sequence[str] | None = None
) -> KnowledgeBase:
    """Load for serving: any error raises, warnings (like an overdue review) do not."""
    base, problems = read_knowledge(directory, max_bytes, languages)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise KnowledgeBaseError(errors)
    return base


def _missing_languages(base: KnowledgeBase, languages: Sequence[str] | None) -> list[Problem]:
    """Every topic title and every entry's title, answer and questions in each required language."""
    if languages is None:
        used = {lang for entry in base for text in (entry.title, entry.answer, entry.questions)
                for lang in text.languages()}
        languages = [lang for lang in ALL_LANGUAGES if lang in used and lang != "nn"] or sorted(used)
    if not languages:
        return []
    advice = (
        f"(both '{languages[0]}' and '{languages[1]}' are required)" if len(languages) == 2
        else f"(every text needs {', '.join(repr(lang) for lang in languages)})"
    )
    problems = []
    for document in base.documents:
        data = document.data if isinstance(document.data, dict) else {}
        sections: list[tuple[str, dict[str, Topic] | dict[str, Entry], tuple[str, ...]]] = [
            ("topics", base.topics, ("title",)), ("entries", base.entries, ("title", "answer", "questions"))]
        for section, items, fields in sections:
            for index, raw in enumerate(data.get(section) or []):
                item = items.get(str(raw.get("id"))) if isinstance(raw, dict) else None
                for name in fields if item is not None else ():
                    present = getattr(item, name).languages()
                    problems += [
                        Problem(document.path, document.line_of([section, index, name]),
                                f"{section}.{index}.{name}.{lang}: missing — add it {advice}")
                        for lang in languages if lang not in present
                    ]
    return problems


def _line_of_message(message: str) -> int:
    try:
        return int(message.split(":")[1])
    except (IndexError, ValueError):
        return 1


def _add_document(base: KnowledgeBase, document: YamlDocument) -> list[Problem]:
    data: Any = document.data if document.data is not None else {}
    if not isinstance(data, dict):
        return [Problem(document.path, 1, "expected a mapping with 'topics:' and/or 'entries:'")]
    try:
        parsed = KnowledgeFile.model_validate(data)
    except ValidationError as error:
        return [_validation_problem(document, detail) for detail in error.errors()]
    problems: list[Problem] = []
    for index, topic in enumerate(parsed.topics):
        line = document.line_of(["topics", index, "id"])
        if topic.id in base.topics:
            problems.append(Problem(document.path, line, f"duplicate topic id '{topic.id}' — rename one"))
        base.topics[topic.id] = topic
    for index, entry in enumerate(parsed.entries):
        line = document.line_of(["entries", index, "id"])
        if entry.id in base.entries:
            first = base.locations[entry.id]
            problems.append(
                Problem(
                    document.path,
                    line,
                    f"duplicate entry id '{entry.id}' (first at {first.file}:{first.line})"
                    " — give this entry another id or merge the two",
                )
            )
            continue
        base.entries[entry.id] = entry
        base.locations[entry.id] = Location(document.path, line)
    return problems


def _validation_problem(document: YamlDocument, detail: Any) -> Problem:
    location = list(detail["loc"])
    key = ".".join(str(step) for step in location)
    kind = detail["type"]
    if kind == "extra_forbidden":
        advice = "unknown key — remove it or fix its spelling (id, topic, title, answer, questions…)"
    elif kind == "missing":
        advice = "missing — add it" + (
            " (both 'nb' and 'en' are required)" if location[-1] in LANGUAGES else ""
        )
    elif kind == "string_pattern_mismatch":
        advice = "must be lowercase words joined by dashes, like 'establisher-guidance'"
    elif kind in {"date_from_datetime_parsing", "date_parsing", "date_type"}:
        advice = "must be a date written YYYY-MM-DD"
    else:
        advice = f"{detail['msg']} — fix the value"
    return Problem(document.path, document.line_of(location), f"{key}: {advice}")


def _cross_references(base: KnowledgeBase) -> list[Problem]:
    problems: list[Problem] = []
    for entry in base:
        where = base.locations[entry.id]
        if entry.topic not in base.topics:
            known = ", ".join(base.topics) or "none defined"
            problems.append(
                Problem(
                    where.file,
                    where.line,
                    f"entry '{entry.id}': unknown topic '{entry.topic}' — use one of: {known}",
                )
            )
        for related in entry.related:
            if related not in base.entries:
                problems.append(
                    Problem(
                        where.file,
                        where.line,
                        f"entry '{entry.id}': related id '{related}' does not exist"
                        " — fix the id or remove it from 'related'",
                    )
                )
            elif related == entry.id:
                problems.append(
                    Problem(where.file, where.line, f"entry '{entry.id}' lists itself in 'related'")
                )
    return problems

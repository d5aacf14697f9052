"""The knowledge base staff edit in ``knowledge/*.yaml``: typed models and a loader that names file and line.

The loader reads each file (:mod:`bot.knowledge.reading`), validates each entry on its own so one
slip does not hide the rest of the file, and says what is wrong in editors' words
(:mod:`bot.knowledge.validation`). A file that cannot be read is the only thing reported: checks
across files would only add errors that are not the editor's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from bot.knowledge.files import YamlDocument
from bot.knowledge.problems import Problem, entry_subject, problem, topic_subject
from bot.knowledge.reading import read_document
from bot.knowledge.validation import cross_references, did_you_mean, explain, missing_languages

__all__ = ["Problem"]  # defined with the message catalogue; imported from here by the rest of the bot

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
            raise PydanticCustomError("empty_text", "is empty")
        return value.strip() if value is not None else None

    def languages(self) -> list[str]:
        return [lang for lang in ALL_LANGUAGES if getattr(self, lang) is not None]

    def get(self, lang: str) -> str:
        for candidate in _preference(lang):
            value = getattr(self, candidate)
            if value is not None:
                return str(value)
        return ""


def _question(text: str) -> str:
    """Checked one by one, so an empty question is named by its number in the list."""
    if not text.strip():
        raise PydanticCustomError("empty_question", "is an empty question")
    return text.strip()


Question = Annotated[str, AfterValidator(_question)]


class Questions(Model):
    nb: list[Question] = []
    nn: list[Question] = []
    en: list[Question] = []

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


@dataclass(frozen=True)
class Location:
    file: Path
    line: int
    index: int = -1  # position in the file's ``entries:`` (or ``topics:``) list


@dataclass
class KnowledgeBase:
    """All topics and entries, in file order, with where each was written."""

    topics: dict[str, Topic] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    topic_locations: dict[str, Location] = field(default_factory=dict)
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


def read_knowledge(
    directory: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES, languages: Sequence[str] | None = None
) -> tuple[KnowledgeBase, list[Problem]]:
    """Parse and validate every file; collect all problems instead of stopping at the first.

    ``languages`` are the languages every title, answer and question list must have (config's
    ``knowledge.languages``); by default those that any entry uses (nynorsk only if nothing else).
    When a file cannot be read, only that file's problems are returned, with a note that the
    other checks wait for it.
    """
    base = KnowledgeBase()
    if not directory.is_dir():
        return base, [problem(directory, 1, "folder_not_found")]
    files = knowledge_files(directory)
    if not files:
        return base, [problem(directory, 1, "no_files")]
    problems: list[Problem] = []
    unread: list[Path] = []
    existing: set[str] = set()
    for path in files:
        document, found = read_document(path, max_bytes)
        problems += found
        if document is None:
            unread.append(path)
            continue
        base.documents.append(document)
        problems += _add_document(base, document, existing)
    if unread:
        names = ", ".join(path.name for path in unread)
        return base, [*(found for found in problems if found.file in unread),
                      problem(directory, 0, "skipped", severity="note", files=names)]
    problems += cross_references(base, existing)
    problems += missing_languages(base, _required_languages(base, languages))
    return base, problems


def load_knowledge(
    directory: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES, languages: Sequence[str] | None = None
) -> KnowledgeBase:
    """Load for serving: any error raises, warnings (like an overdue review) do not."""
    base, problems = read_knowledge(directory, max_bytes, languages)
    if any(problem.severity == "error" for problem in problems):
        raise KnowledgeBaseError([problem for problem in problems if problem.severity != "warning"])
    return base


def _required_languages(base: KnowledgeBase, languages: Sequence[str] | None) -> Sequence[str]:
    if languages is not None:
        return languages
    used = {lang for entry in base for text in (entry.title, entry.answer, entry.questions)
            for lang in text.languages()}
    return [lang for lang in ALL_LANGUAGES if lang in used and lang != "nn"] or sorted(used)


ENTRY_FIELDS = tuple(Entry.model_fields)
TOPIC_FIELDS = tuple(Topic.model_fields)
SECTIONS: dict[str, tuple[type[Topic] | type[Entry], tuple[str, ...]]] = {
    "topics": (Topic, TOPIC_FIELDS), "entries": (Entry, ENTRY_FIELDS)}


def _add_document(base: KnowledgeBase, document: YamlDocument, existing: set[str]) -> list[Problem]:
    """Validate each topic and entry on its own, so one slip leaves the rest of the file usable."""
    data: Any = document.data if document.data is not None else {}
    if not isinstance(data, dict):
        return [problem(document.path, 1, "not_a_mapping")]
    problems: list[Problem] = []
    for key in data:
        if key not in SECTIONS:
            guess = did_you_mean(str(key), SECTIONS)
            problems.append(problem(document.path, document.line_of([key]),
                                    "unknown_field_guess" if guess else "unknown_field", field=str(key),
                                    guess=guess or "", allowed="`topics`, `entries`"))
    for section, (model, fields) in SECTIONS.items():
        items = data.get(section) or []
        if not isinstance(items, list):
            problems.append(problem(document.path, document.line_of([section]), "wrong_list", field=section))
            continue
        for index, raw in enumerate(items):
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            if section == "entries" and isinstance(raw_id, str):
                existing.add(raw_id)
            try:
                item = model.model_validate(raw)
            except ValidationError as error:
                problems += explain(document, section, index, raw, error.errors(), fields, ALL_LANGUAGES)
                continue
            problems += _register(base, document, section, index, item)
    return problems


def _register(base: KnowledgeBase, document: YamlDocument, section: str, index: int,
              item: Topic | Entry) -> list[Problem]:
    """Add a valid topic or entry; an id used twice is an error that names both places."""
    line = document.line_of([section, index, "id"])
    if isinstance(item, Topic):
        first = base.topic_locations.get(item.id)
        if first is not None:
            return [problem(document.path, line, "duplicate_topic", subject=topic_subject(item.id, index),
                            first=f"{first.file}:{first.line}")]
        base.topics[item.id] = item
        base.topic_locations[item.id] = Location(document.path, line, index)
        return []
    first = base.locations.get(item.id)
    if first is not None:
        return [problem(document.path, line, "duplicate_entry", subject=entry_subject(item.id, index),
                        first=f"{first.file}:{first.line}")]
    base.entries[item.id] = item
    base.locations[item.id] = Location(document.path, line, index)
    return []

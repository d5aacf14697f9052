"""Validation errors in editors' words: which entry, which field, and what to write instead.

pydantic reports ``entries.3.answer: Field required``; an editor needs "entry `funding` has no
`answer` — add `answer:` with a line per language". Unknown names (a misspelt field, a related id,
a topic) come with the closest known one, found with rapidfuzz.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process, utils

from bot.knowledge.files import YamlDocument
from bot.knowledge.problems import Message, Problem, entry_subject, problem, question_subject, topic_subject

if TYPE_CHECKING:
    from bot.knowledge.model import KnowledgeBase

GUESS_CUTOFF = 70.0  # fuzz.ratio of a typo to the word meant ("anwser" → "answer" scores 83)
_TEXT_FIELDS = ("title", "answer")
_HOW = {"id": "how_id", "topic": "how_topic", "owner": "how_owner", "review_by": "how_review_by",
        "questions": "how_questions"}
_DATE_ERRORS = {"date_from_datetime_parsing", "date_from_datetime_inexact", "date_parsing", "date_type"}


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The known name closest to ``word``, if it is close enough to be a slip of the keyboard."""
    found = process.extractOne(word, list(choices), scorer=fuzz.ratio, processor=utils.default_process,
                               score_cutoff=GUESS_CUTOFF)
    return str(found[0]) if found else None


def explain(document: YamlDocument, section: str, index: int, raw: Any, errors: Sequence[Any],
            fields: Sequence[str], languages: Sequence[str]) -> list[Problem]:
    """One problem per field that failed, for the entry or topic at ``section[index]``."""
    item_id = raw.get("id") if isinstance(raw, dict) else None
    problems: list[Problem] = []
    seen: set[tuple[str, ...]] = set()
    for detail in _without_misspelt(errors, fields, languages):
        loc = tuple(str(step) if not isinstance(step, int) else step for step in detail["loc"])
        if loc and loc[0] == "as_of":
            loc = ("as_of",)  # a date or a year: one finding, not one per alternative
        key = tuple(str(step) for step in loc)
        if key in seen:
            continue
        seen.add(key)
        subject = _subject(section, index, item_id, loc)
        line = document.line_of([section, index, *loc])
        note = _note(detail, loc, fields, languages)
        problems.append(Problem.of(document.path, line, note, subject=subject))
    return problems


def _without_misspelt(errors: Sequence[Any], fields: Sequence[str], languages: Sequence[str]) -> list[Any]:
    """A field written as ``anwser`` is also a missing ``answer``: one slip, reported once, as the typo."""
    misspelt = set()
    for detail in errors:
        if detail["type"] == "extra_forbidden":
            loc = tuple(detail["loc"])
            guess = did_you_mean(str(loc[-1]), languages if len(loc) > 1 else fields)
            if guess:
                misspelt.add((*loc[:-1], guess))
    return [detail for detail in errors if not (detail["type"] == "missing" and tuple(detail["loc"]) in misspelt)]


def _subject(section: str, index: int, item_id: Any, loc: tuple[Any, ...]) -> Message:
    if section == "topics":
        return topic_subject(item_id, index)
    if len(loc) == 3 and loc[0] == "questions" and isinstance(loc[2], int) and isinstance(item_id, str) \
            and item_id.strip():
        return question_subject(item_id, str(loc[1]), loc[2])
    return entry_subject(item_id, index)


def _note(detail: Any, loc: tuple[Any, ...], fields: Sequence[str], languages: Sequence[str]) -> Message:
    kind = detail["type"]
    names = [str(step) for step in loc if not isinstance(step, int)]
    field = ".".join(names) or "?"
    if kind == "missing":
        last = names[-1] if names else "?"
        if last in _TEXT_FIELDS:
            how = Message.of("how_texts", field=last)
        elif last in _HOW:
            how = Message.of(_HOW[last])
        else:
            how = Message.of("how_value", field=field)
        return Message.of("missing_field", field=field, how=how)
    if kind == "extra_forbidden":
        allowed = languages if len(names) > 1 else fields
        guess = did_you_mean(names[-1], allowed)
        if guess:
            return Message.of("unknown_field_guess", field=field, guess=guess)
        return Message.of("unknown_field", field=field, allowed=", ".join(f"`{name}`" for name in allowed))
    if kind == "string_pattern_mismatch":
        value = str(detail.get("input", ""))
        return Message.of("bad_id", value=value, better=_slug(value))
    if kind == "empty_text":
        return Message.of("empty_text", field=field)
    if kind == "empty_question":
        return Message.of("empty_question", field=field)
    if kind == "string_too_short":
        return Message.of("empty_text", field=field)
    if kind == "list_type":
        return Message.of("wrong_list", field=field)
    if kind == "string_type":
        return Message.of("wrong_text", field=field)
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return Message.of("wrong_mapping", field=field)
    if kind in {"bool_parsing", "bool_type"}:
        return Message.of("wrong_bool", field=field)
    if names and names[0] == "as_of":
        return Message.of("wrong_date_or_year", field=field)
    if kind in _DATE_ERRORS:
        return Message.of("wrong_date", field=field)
    return Message.of("wrong_value", field=field, detail=str(detail.get("msg", kind)))


def _slug(value: str) -> str:
    """``Bad_ID Two`` → ``bad-id-two``: the id the editor probably meant."""
    return re.sub(r"[^a-z0-9]+", "-", value.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")).strip("-")


def cross_references(base: KnowledgeBase, existing: set[str]) -> list[Problem]:
    """Topics and related ids that point nowhere.

    ``existing`` also holds the ids of entries that failed validation: they are in the files, so
    pointing at them is not the mistake, and neither is pointing at what such an id should have
    been (``business-magazine`` for ``Business_Magazine``, already reported as a bad id).
    """
    problems: list[Problem] = []
    topics = list(base.topics)
    ids = sorted(existing)
    documents = {document.path: document for document in base.documents}
    for entry in base:
        where = base.locations[entry.id]
        document = documents[where.file]
        subject = Message.of("subject_entry", id=entry.id)
        if entry.topic not in base.topics:
            guess = did_you_mean(entry.topic, topics)
            if guess:
                note = Message.of("unknown_topic_guess", topic=entry.topic, guess=guess)
            elif topics:
                note = Message.of("unknown_topic", topic=entry.topic, known=", ".join(f"`{t}`" for t in topics))
            else:
                note = Message.of("no_topics", topic=entry.topic)
            line = document.line_of(["entries", where.index, "topic"])
            problems.append(Problem.of(where.file, line, note, subject=subject))
        for number, related in enumerate(entry.related):
            line = document.line_of(["entries", where.index, "related", number])
            if related == entry.id:
                problems.append(problem(where.file, line, "self_related", subject=subject, related=related))
            elif related not in existing:
                guess = did_you_mean(related, ids)
                if guess is not None and guess not in base.entries and _slug(guess) == related:
                    continue
                problems.append(problem(where.file, line, "unknown_related_guess" if guess else "unknown_related",
                                        subject=subject, related=related, guess=guess or ""))
    return problems


def missing_languages(base: KnowledgeBase, languages: Sequence[str]) -> list[Problem]:
    """Every topic title and every entry's title, answer and questions in each required language."""
    required = ", ".join(languages)
    problems = []
    for document in base.documents:
        data = document.data if isinstance(document.data, dict) else {}
        for section, names in (("topics", ("title",)), ("entries", ("title", "answer", "questions"))):
            items: dict[str, Any] = base.topics if section == "topics" else base.entries
            listed = data.get(section)
            for index, raw in enumerate(listed if isinstance(listed, list) else []):  # else: reported on loading
                item = items.get(str(raw.get("id"))) if isinstance(raw, dict) else None
                if item is None or (section == "entries" and base.locations[item.id].file != document.path):
                    continue
                subject = (topic_subject if section == "topics" else entry_subject)(item.id, index)
                for name in names:
                    present = getattr(item, name).languages()
                    problems += [
                        problem(document.path, document.line_of([section, index, name]), "missing_language",
                                subject=subject, field=name, lang=lang, language=Message.of(f"language_{lang}"),
                                required=required)
                        for lang in languages if lang not in present
                    ]
    return problems

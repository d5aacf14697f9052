"""``kb check``: everything an editor can get wrong in the knowledge base, as ``file:line`` messages.

Which entries must exist and which languages every text needs come from configuration
(``knowledge.required_ids``, ``knowledge.languages``), so the same check serves any knowledge base.
The texts are in :mod:`bot.knowledge.messages`, in Bokmål and English.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from bot.config import StaffSettings
from bot.knowledge.cards import TELEGRAM_MESSAGE_LIMIT, card_length
from bot.knowledge.files import YamlDocument
from bot.knowledge.model import DEFAULT_MAX_FILE_BYTES, LANGUAGES, Entry, KnowledgeBase, Problem, read_knowledge
from bot.knowledge.problems import Message, counted, problem, question_subject
from bot.knowledge.validation import did_you_mean
from bot.matching.normalise import MARKER_WORDS, meaning_tokens

# The contract's ids for Drammen's knowledge base; the shipped config.yaml lists them under
# knowledge.required_ids, which is what ``kb check`` enforces.
REQUIRED_IDS = (
    "establisher-guidance",
    "establisher-courses",
    "funding",
    "campus-drammen",
    "college-partnership",
    "papirbredden-innovation",
    "visit-drammensregionen",
    "tourist-office",
    "conferences",
    "business-magazine",
    "business-strategy",
    "establish-in-drammen",
    "contact",
    "privacy",
    "greeting",
    "thanks",
)
COLLISION_CUTOFF = 92.0  # token_sort_ratio at which two alternate questions say the same thing
# Indel similarity ≥ c needs the shorter text to be at least c / (2 - c) of the longer one.
LENGTH_RATIO = COLLISION_CUTOFF / (200.0 - COLLISION_CUTOFF)
CHUNK = 512  # rows of the similarity matrix computed at a time: memory stays a few megabytes
FEW_QUESTIONS = 4


@dataclass(frozen=True)
class _Question:
    entry_id: str
    lang: str
    number: int
    text: str
    normalised: str  # content and marker words, sorted: token_sort_ratio is then a plain ratio
    markers: frozenset[str]
    file: Path
    line: int


def check_knowledge(
    directory: Path,
    today: dt.date | None = None,
    required_ids: Sequence[str] = (),
    languages: Sequence[str] = LANGUAGES,
    staff: StaffSettings | None = None,
    max_bytes: int | None = None,
) -> list[Problem]:
    """All problems, errors first in file order, then warnings.

    ``staff`` decides the footer of the answer cards (how a person can be reached, the unit's
    name), and so how long they are; by default the configuration's defaults.
    """
    base, problems = read_knowledge(directory, max_bytes or DEFAULT_MAX_FILE_BYTES, languages)
    if any(problem.severity == "note" for problem in problems):
        return problems  # a file does not parse: that alone, until it does
    if not any(problem.severity == "error" for problem in problems):
        # Across entries: an entry that failed validation would look missing or unlike the rest.
        problems += _missing_required(base, directory, required_ids)
        problems += _collisions(base)
    problems += _thin_entries(base, languages)
    problems += _unsourced(base)
    if "nb" in languages:
        problems += _without_nynorsk(base)
    problems += _overdue_reviews(base, today or dt.date.today())
    problems += _long_cards(base, staff or StaffSettings())
    order = {"error": 0, "warning": 1, "note": 2}
    return sorted(problems, key=lambda problem: (order[problem.severity], str(problem.file), problem.line))


def _missing_required(base: KnowledgeBase, directory: Path, required_ids: Sequence[str]) -> list[Problem]:
    """A required id that is gone is often one that was renamed: the closest other id is the hint."""
    others = [entry_id for entry_id in base.entries if entry_id not in required_ids]
    problems = []
    for entry_id in required_ids:
        if entry_id not in base.entries:
            guess = did_you_mean(entry_id, others)
            problems.append(problem(directory, 0, "required_missing_guess" if guess else "required_missing",
                                    id=entry_id, guess=guess or ""))
    return problems


def _entries_in(base: KnowledgeBase) -> Iterator[tuple[Entry, YamlDocument, int]]:
    """Each entry with the document and position it was loaded from (for the line of any field)."""
    for document in base.documents:
        data = document.data if isinstance(document.data, dict) else {}
        listed = data.get("entries")
        for index, raw in enumerate(listed if isinstance(listed, list) else []):  # else: reported on loading
            entry = base.entries.get(str(raw.get("id"))) if isinstance(raw, dict) else None
            if entry is not None and base.locations[entry.id].file == document.path:
                yield entry, document, index


def _questions(base: KnowledgeBase) -> list[_Question]:
    found = []
    for entry, document, index in _entries_in(base):
        for lang in entry.questions.languages():
            for number, text in enumerate(entry.questions.get(lang)):
                line = document.line_of(["entries", index, "questions", lang, number])
                words = meaning_tokens(text)
                markers = frozenset(word for word in words if word in MARKER_WORDS)
                found.append(_Question(entry.id, lang, number, text, " ".join(sorted(words)), markers,
                                       document.path, line))
    return found


def near_duplicates(texts: Sequence[str], cutoff: float = COLLISION_CUTOFF) -> Iterator[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of texts whose plain ratio is at least ``cutoff``.

    Not all against all: texts are sorted by length and each block of rows is compared only with
    the texts long enough and short enough to reach the cutoff, so 30,000 questions take seconds
    and a few megabytes instead of a 30,000² matrix.
    """
    order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
    ordered = [texts[index] for index in order]
    lengths = np.array([len(text) for text in ordered])
    for start in range(0, len(ordered), CHUNK):
        stop = min(start + CHUNK, len(ordered))
        end = int(np.searchsorted(lengths, lengths[stop - 1] / LENGTH_RATIO, side="right"))
        scores = process.cdist(
            ordered[start:stop], ordered[start:end], scorer=fuzz.ratio, processor=None,
            score_cutoff=cutoff, dtype=np.uint8, workers=-1,
        )
        for row, column in zip(*np.nonzero(scores), strict=True):
            i, j = start + int(row), start + int(column)
            if j > i:
                yield (order[i], order[j]) if order[i] < order[j] else (order[j], order[i])


def _collisions(base: KnowledgeBase) -> list[Problem]:
    """Near-identical alternate questions under two ids make the matcher toss a coin.

    A warning, not an error: the bot still answers (one of the two entries wins), and knowledge
    bases built from real traffic or a labelled dataset always hold a few such pairs; the editor
    decides which entry the phrasing belongs to. Questions that differ by a word that carries their
    meaning ("not", "why", "my") are different questions, however alike the rest.
    """
    questions = [question for question in _questions(base) if question.normalised]
    # Identical texts once each: a phrasing repeated a hundred times is one row, not a hundred.
    groups: dict[str, list[int]] = defaultdict(list)
    for index, question in enumerate(questions):
        groups[question.normalised].append(index)
    unique = list(groups)
    pairs = {_across(questions, members, members) for members in groups.values()}
    for i, j in near_duplicates(unique):
        if questions[groups[unique[i]][0]].markers == questions[groups[unique[j]][0]].markers:
            pairs.add(_across(questions, groups[unique[i]], groups[unique[j]]))
    problems = []
    for pair in sorted(pair for pair in pairs if pair is not None):
        first, second = questions[pair[0]], questions[pair[1]]
        problems.append(problem(second.file, second.line, "collision", severity="warning",
                                subject=question_subject(second.entry_id, second.lang, second.number),
                                text=second.text, other=first.text, other_id=first.entry_id,
                                where=f"{first.file}:{first.line}"))
    return problems


def _across(questions: list[_Question], group: list[int], other: list[int]) -> tuple[int, int] | None:
    """The first two questions, one of each group, that belong to different entries."""
    for i in group:
        for j in other:
            if i != j and questions[i].entry_id != questions[j].entry_id:
                return (min(i, j), max(i, j))
    return None


def _about(entry: Entry) -> Message:
    return Message.of("subject_entry", id=entry.id)


def _thin_entries(base: KnowledgeBase, languages: Sequence[str]) -> list[Problem]:
    return [
        problem(base.locations[entry.id].file, base.locations[entry.id].line, "few_questions", severity="warning",
                subject=_about(entry), questions=counted("questions", len(entry.questions.get(lang))),
                language=Message.of(f"language_{lang}"))
        for entry in base
        for lang in languages
        if lang != "nn" and len(entry.questions.get(lang)) < FEW_QUESTIONS
    ]


def _unsourced(base: KnowledgeBase) -> list[Problem]:
    """Every answer card shows where its facts come from and how old they are."""
    return [
        problem(base.locations[entry.id].file, base.locations[entry.id].line, "unsourced",
                subject=_about(entry),
                missing=Message.of("and", first=missing[0], second=missing[1]) if len(missing) == 2
                else Message.of("one_field", field=missing[0]))
        for entry in base
        if not entry.smalltalk and not entry.decline
        for missing in [[name for name in ("source", "as_of") if not getattr(entry, name)]]
        if missing
    ]


def _without_nynorsk(base: KnowledgeBase) -> list[Problem]:
    """Nynorsk is optional, but a Norwegian knowledge base should have it: a warning, not an error."""
    return [
        problem(base.locations[entry.id].file, base.locations[entry.id].line, "no_nynorsk", severity="warning",
                subject=_about(entry))
        for entry in base
        if not entry.decline and (entry.title.nn is None or entry.answer.nn is None)
    ]


def _overdue_reviews(base: KnowledgeBase, today: dt.date) -> list[Problem]:
    return [
        problem(base.locations[entry.id].file, base.locations[entry.id].line, "overdue", severity="warning",
                subject=_about(entry), date=entry.review_by.isoformat(), owner=entry.owner)
        for entry in base
        if entry.review_by < today
    ]


def _long_cards(base: KnowledgeBase, staff: StaffSettings) -> list[Problem]:
    """A card longer than one Telegram message is cut off at the end: a warning, since it still works."""
    problems = []
    for entry, document, index in _entries_in(base):
        for lang in entry.answer.languages():
            length = card_length(entry, lang, staff)
            if length > TELEGRAM_MESSAGE_LIMIT:
                problems.append(problem(
                    document.path, document.line_of(["entries", index, "answer", lang]), "card_too_long",
                    severity="warning", subject=_about(entry), language=Message.of(f"language_{lang}"),
                    length=length, over=length - TELEGRAM_MESSAGE_LIMIT, limit=TELEGRAM_MESSAGE_LIMIT))
    return problems

"""``kb check``: everything an editor can get wrong in the knowledge base, as ``file:line`` messages.

Which entries must exist and which languages every text needs come from configuration
(``knowledge.required_ids``, ``knowledge.languages``), so the same check serves any knowledge base.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from bot.knowledge.model import LANGUAGES, KnowledgeBase, Problem, read_knowledge
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
) -> list[Problem]:
    """All problems, errors first in file order, then warnings."""
    base, problems = read_knowledge(directory, languages=languages)
    if not any(problem.severity == "error" for problem in problems):
        problems += _missing_required(base, directory, required_ids)
        problems += _collisions(base)
        problems += _thin_entries(base, languages)
        problems += _unsourced(base)
        if "nb" in languages:
            problems += _without_nynorsk(base)
        problems += _overdue_reviews(base, today or dt.date.today())
    return sorted(problems, key=lambda problem: (problem.severity == "warning", str(problem.file), problem.line))


def _missing_required(base: KnowledgeBase, directory: Path, required_ids: Sequence[str]) -> list[Problem]:
    return [
        Problem(
            directory,
            1,
            f"required entry '{entry_id}' is missing — reports and test questions refer to it"
            " (knowledge.required_ids in config); add it back",
        )
        for entry_id in required_ids
        if entry_id not in base.entries
    ]


def _questions(base: KnowledgeBase) -> list[_Question]:
    found = []
    for document in base.documents:
        for index, raw in enumerate((document.data or {}).get("entries") or []):
            entry = base.entries.get(str(raw.get("id"))) if isinstance(raw, dict) else None
            if entry is None or base.locations[entry.id].file != document.path:
                continue
            for lang in entry.questions.languages():
                for number, text in enumerate(entry.questions.get(lang)):
                    line = document.line_of(["entries", index, "questions", lang, number])
                    words = meaning_tokens(text)
                    markers = frozenset(word for word in words if word in MARKER_WORDS)
                    found.append(_Question(entry.id, text, " ".join(sorted(words)), markers, document.path, line))
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

    Questions that differ by a word that carries their meaning ("not", "why", "my") are different
    questions, however alike the rest.
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
        problems.append(
            Problem(
                second.file,
                second.line,
                f"question {second.text!r} ({second.entry_id}) is nearly the same as "
                f"{first.text!r} ({first.entry_id}, {first.file}:{first.line})"
                " — rephrase one or keep it under one entry only",
            )
        )
    return problems


def _across(questions: list[_Question], group: list[int], other: list[int]) -> tuple[int, int] | None:
    """The first two questions, one of each group, that belong to different entries."""
    for i in group:
        for j in other:
            if i != j and questions[i].entry_id != questions[j].entry_id:
                return (min(i, j), max(i, j))
    return None


def _thin_entries(base: KnowledgeBase, languages: Sequence[str]) -> list[Problem]:
    return [
        Problem(
            base.locations[entry.id].file,
            base.locations[entry.id].line,
            f"entry '{entry.id}' has only {len(entry.questions.get(lang))} '{lang}' questions"
            " — add alternate phrasings people really use",
            severity="warning",
        )
        for entry in base
        for lang in languages
        if lang != "nn" and len(entry.questions.get(lang)) < FEW_QUESTIONS
    ]


def _unsourced(base: KnowledgeBase) -> list[Problem]:
    """Every answer card shows where its facts come from and how old they are."""
    return [
        Problem(base.locations[entry.id].file, base.locations[entry.id].line,
                f"entry '{entry.id}' has no {' or '.join(missing)} — add source: (the document the facts come "
                "from) and as_of: (its date, YYYY-MM-DD, or its year)")
        for entry in base
        if not entry.smalltalk and not entry.decline
        for missing in [[name for name in ("source", "as_of") if not getattr(entry, name)]]
        if missing
    ]


def _without_nynorsk(base: KnowledgeBase) -> list[Problem]:
    """Nynorsk is optional, but a Norwegian knowledge base should have it: a warning, not an error."""
    return [
        Problem(base.locations[entry.id].file, base.locations[entry.id].line,
                f"entry '{entry.id}' has no nynorsk (nn) title or answer — nynorsk questions get Bokmål",
                severity="warning")
        for entry in base
        if not entry.decline and (entry.title.nn is None or entry.answer.nn is None)
    ]


def _overdue_reviews(base: KnowledgeBase, today: dt.date) -> list[Problem]:
    return [
        Problem(
            base.locations[entry.id].file,
            base.locations[entry.id].line,
            f"entry '{entry.id}' was due for review on {entry.review_by.isoformat()}"
            f" — check the facts with {entry.owner} and move review_by forward",
            severity="warning",
        )
        for entry in base
        if entry.review_by < today
    ]

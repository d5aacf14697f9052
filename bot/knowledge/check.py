"""``kb check``: everything an editor can get wrong in the knowledge base, as ``file:line`` messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from bot.knowledge.model import KnowledgeBase, Problem, read_knowledge
from bot.matching.normalise import content_tokens

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
FEW_QUESTIONS = 4


@dataclass(frozen=True)
class _Question:
    entry_id: str
    text: str
    normalised: str
    file: Path
    line: int


def check_knowledge(directory: Path, today: dt.date | None = None) -> list[Problem]:
    """All problems, errors first in file order, then warnings."""
    base, problems = read_knowledge(directory)
    if not any(problem.severity == "error" for problem in problems):
        problems += _missing_required(base, directory)
        problems += _collisions(base)
        problems += _thin_entries(base)
        problems += _overdue_reviews(base, today or dt.date.today())
    return sorted(problems, key=lambda problem: (problem.severity == "warning", str(problem.file), problem.line))


def _missing_required(base: KnowledgeBase, directory: Path) -> list[Problem]:
    return [
        Problem(
            directory,
            1,
            f"required entry '{entry_id}' is missing — reports and test questions refer to it; add it back",
        )
        for entry_id in REQUIRED_IDS
        if entry_id not in base.entries
    ]


def _questions(base: KnowledgeBase) -> list[_Question]:
    found = []
    for document in base.documents:
        for index, raw in enumerate((document.data or {}).get("entries") or []):
            entry = base.entries.get(str(raw.get("id"))) if isinstance(raw, dict) else None
            if entry is None or base.locations[entry.id].file != document.path:
                continue
            for lang in ("nb", "en"):
                for number, text in enumerate(entry.questions.get(lang)):
                    line = document.line_of(["entries", index, "questions", lang, number])
                    normalised = " ".join(content_tokens(text))
                    found.append(_Question(entry.id, text, normalised, document.path, line))
    return found


def _collisions(base: KnowledgeBase) -> list[Problem]:
    """Near-identical alternate questions under two ids make the matcher toss a coin."""
    questions = [question for question in _questions(base) if question.normalised]
    texts = [question.normalised for question in questions]
    scores = process.cdist(
        texts, texts, scorer=fuzz.token_sort_ratio, score_cutoff=COLLISION_CUTOFF, workers=1
    )
    problems = []
    for i, j in zip(*np.nonzero(np.triu(scores, k=1)), strict=True):
        first, second = questions[i], questions[j]
        if first.entry_id != second.entry_id:
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


def _thin_entries(base: KnowledgeBase) -> list[Problem]:
    return [
        Problem(
            base.locations[entry.id].file,
            base.locations[entry.id].line,
            f"entry '{entry.id}' has only {len(entry.questions.get(lang))} '{lang}' questions"
            " — add alternate phrasings people really use",
            severity="warning",
        )
        for entry in base
        for lang in ("nb", "en")
        if len(entry.questions.get(lang)) < FEW_QUESTIONS
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

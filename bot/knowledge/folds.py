"""Leaving alternate questions out: the folds that ``kb tune`` scores each question in, by a matcher
built without it, so the figures it tunes on are those of questions the matcher never saw."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from rapidfuzz import fuzz, process, utils

from bot.config import MatchingSettings
from bot.knowledge.model import Entry, KnowledgeBase, Questions
from bot.matching.lexicon import lexicon
from bot.matching.matcher import Matcher

Job = TypeVar("Job")
Result = TypeVar("Result")

SELF_FOLDS = 10  # each alternate question is scored by a matcher built without a tenth of them
LARGE_BASE = 5_000  # alternate questions above which five folds do (each build is then the slow part)
NEAR_COPY = 80  # rapidfuzz token_sort_ratio from which two phrasings of one entry are near-copies

NearCopies = Mapping[tuple[str, str], frozenset[str]]  # (entry id, alternate question) → its near-copies


@dataclass(frozen=True)
class Example:
    """A question with what is right for it, and how much it counts in the tuning figures."""

    q: str
    expect: list[str]
    lang: str = "en"
    source: str = "dev"  # "self" (alternate question), "corpus", "decline", or a file name
    weight: float = 1.0
    kind: str | None = None


def deal_folds(knowledge: KnowledgeBase, folds: int | None = None) -> list[list[tuple[str, Example]]]:
    """The alternate questions dealt round-robin into ``folds`` (default: by the base's size), each
    with its entry's id; a decline entry's questions are out of scope."""
    if folds is None:
        folds = SELF_FOLDS if sum(len(entry.questions.all()) for entry in knowledge) <= LARGE_BASE else 5
    held_out: list[list[tuple[str, Example]]] = [[] for _ in range(folds)]
    position = 0
    for entry in knowledge:
        for lang in entry.questions.languages():
            for question in entry.questions.get(lang):
                expect = [] if entry.decline else [entry.id]
                held_out[position % folds].append((entry.id, Example(
                    question, expect, lang, "decline" if entry.decline else "self")))
                position += 1
    return held_out


def near_copies(knowledge: KnowledgeBase) -> dict[tuple[str, str], frozenset[str]]:
    """Each alternate question's near-copies among its entry's other phrasings.

    Editors write phrasings in families ("give me my gps coordinates", "can you give me my gps
    coordinates"): scored while its near-copy stays in the knowledge base, a question looks easier
    than a user's question is. Only direct neighbours count, so a family does not chain into a topic.
    """
    copies: dict[tuple[str, str], frozenset[str]] = {}
    for entry in knowledge:
        texts = list(dict.fromkeys(entry.questions.all()))
        if len(texts) < 2:
            continue
        similar = process.cdist(texts, texts, scorer=fuzz.token_sort_ratio, processor=utils.default_process,
                                score_cutoff=NEAR_COPY, dtype=np.uint8)
        np.fill_diagonal(similar, 0)
        for row, text in enumerate(texts):
            twins = np.flatnonzero(similar[row])
            if len(twins):
                copies[(entry.id, text)] = frozenset(texts[column] for column in twins)
    return copies


def fold_matcher(knowledge: KnowledgeBase, fold: list[tuple[str, Example]], settings: MatchingSettings,
                 background: Sequence[str], copies: NearCopies | None = None) -> Matcher:
    """A matcher built on ``knowledge`` without ``fold``'s alternate questions (and their near-copies,
    when ``copies`` has them)."""
    removed: dict[str, set[str]] = {}
    for entry_id, example in fold:
        if entry_id:
            removed.setdefault(entry_id, set()).update({example.q, *(copies or {}).get((entry_id, example.q), ())})
    entries = {entry_id: _without(entry, removed.get(entry_id, set())) for entry_id, entry in knowledge.entries.items()}
    return Matcher(KnowledgeBase(topics=knowledge.topics, entries=entries), settings, background=background)


def _without(entry: Entry, removed: set[str]) -> Entry:
    """The entry without the ``removed`` alternate questions (not validated: it may have none left)."""
    if not removed:
        return entry
    kept = {lang: [q for q in entry.questions.get(lang) if q not in removed] for lang in ("nb", "nn", "en")}
    questions = Questions.model_construct(nb=kept["nb"], nn=kept["nn"], en=kept["en"])
    return entry.model_copy(update={"questions": questions})


def map_folds(work: Callable[[Job], Result], jobs: list[Job], workers: int | None = None,
              progress: Callable[[int, int], None] | None = None) -> list[Result]:
    """``work`` on every fold's job, in order, on up to ``workers`` processes (default: one per
    core), reporting each finished fold to ``progress(done, total)``."""
    count = workers or min(len(jobs), max(1, len(os.sched_getaffinity(0))))
    lexicon()  # loaded before forking: a child must not inherit the lock of a half-done load
    results: list[Result] = []

    def collect(result: Result) -> None:
        results.append(result)
        if progress is not None:
            progress(len(results), len(jobs))

    if count > 1:
        with ProcessPoolExecutor(count) as pool:
            for result in pool.map(work, jobs):
                collect(result)
    else:
        for job in jobs:
            collect(work(job))
    return results

"""Choosing the ranking weights (``matching.phrase_weight``, ``char_weight``) from the knowledge base itself.

How much the closest single alternate question and the character n-grams should count beside the
pooled word coverage depends on the knowledge base: short, direct alternate questions that differ by
a word rank best on coverage, while long and varied phrasings of situations gain from the closest
phrasing and from character n-grams. So ``kb tune`` scores every alternate question once with a
matcher built without it, keeps the three scores of the entries that could rank first, and picks
the grid point that ranks the most of them first: recombining kept scores costs nothing, rescoring
for each grid point would cost a full pass each.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from bot.config import MatchingSettings
from bot.knowledge.folds import Example, deal_folds, fold_matcher
from bot.knowledge.model import KnowledgeBase
from bot.matching.lexicon import lexicon

PHRASE_GRID = (0.1, 0.25, 0.4, 0.5, 0.65, 0.8)
CHAR_GRID = (0.2, 0.35, 0.5, 0.6, 0.7)
CANDIDATES = 6  # entries kept per question: the best by word coverage and the best by characters
MIN_QUESTIONS = 50  # fewer alternate questions than this cannot tell the weights apart
MIN_GAIN = 0.003  # share of questions a grid point must rank first in addition to replace the weights


@dataclass(frozen=True)
class RankingChoice:
    """The weights chosen, the share of alternate questions they rank first, and that share with the
    weights tuning started from."""

    phrase_weight: float
    char_weight: float
    top1: float
    current_top1: float
    questions: int
    measured: bool = True  # False: too few alternate questions to choose, the weights were kept

    @property
    def changed(self) -> bool:
        return self.top1 > self.current_top1


@dataclass(frozen=True)
class KeptScores:
    """Per alternate question (rows): the candidate entries' rows, their three scores and the right row.

    Unused candidate slots have row -1 and scores of -1, so they never rank first.
    """

    rows: np.ndarray
    coverage: np.ndarray
    phrase: np.ndarray
    chars: np.ndarray
    right: np.ndarray

    def top1(self, phrase_weight: float, char_weight: float) -> float:
        fused = (1 - char_weight) * ((1 - phrase_weight) * self.coverage + phrase_weight * self.phrase) \
            + char_weight * self.chars
        first = self.rows[np.arange(len(self.rows)), np.argmax(fused, axis=1)]
        return float(np.mean(first == self.right)) if len(self.rows) else 0.0


def choose_weights(
    knowledge: KnowledgeBase, settings: MatchingSettings, workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RankingChoice:
    """The grid point that ranks the most alternate questions first (each scored without itself).

    The weights of ``settings`` stay unless a grid point beats them by ``MIN_GAIN``, so a knowledge
    base whose figures do not tell the weights apart keeps what it has.
    """
    current = (settings.phrase_weight, settings.char_weight)
    folds = deal_folds(knowledge)
    questions = sum(1 for fold in folds for _, example in fold if example.expect)
    if questions < MIN_QUESTIONS:
        return RankingChoice(*current, top1=0.0, current_top1=0.0, questions=questions, measured=False)
    kept = _kept_scores(knowledge, folds, settings, workers, progress)
    current_top1 = kept.top1(*current)
    grid = [(kept.top1(phrase, char), phrase, char) for phrase in PHRASE_GRID for char in CHAR_GRID]
    # Equal shares go to the point nearest the current weights: no change without a reason.
    top1, phrase, char = max(grid, key=lambda p: (p[0], -abs(p[1] - current[0]) - abs(p[2] - current[1])))
    if top1 - current_top1 < MIN_GAIN:
        return RankingChoice(*current, top1=current_top1, current_top1=current_top1, questions=questions)
    return RankingChoice(phrase, char, top1=top1, current_top1=current_top1, questions=questions)


def _kept_scores(knowledge: KnowledgeBase, folds: list[list[tuple[str, Example]]], settings: MatchingSettings,
                 workers: int | None, progress: Callable[[int, int], None] | None) -> KeptScores:
    jobs = [(knowledge, fold, settings) for fold in folds]
    count = workers or min(len(jobs), max(1, len(os.sched_getaffinity(0))))
    lexicon()  # loaded before forking: a child must not inherit the lock of a half-done load
    parts: list[tuple[np.ndarray, ...]] = []
    if count > 1:
        with ProcessPoolExecutor(count) as pool:
            for done, result in enumerate(pool.map(_score_fold, jobs), start=1):
                parts.append(result)
                if progress is not None:
                    progress(done, len(jobs))
    else:
        for done, job in enumerate(jobs, start=1):
            parts.append(_score_fold(job))
            if progress is not None:
                progress(done, len(jobs))
    rows, coverage, phrase, chars, right = (np.concatenate([part[i] for part in parts]) for i in range(5))
    return KeptScores(rows, coverage, phrase, chars, right)


def _score_fold(job: tuple[KnowledgeBase, list[tuple[str, Example]], MatchingSettings]) -> tuple[np.ndarray, ...]:
    """The kept scores of one fold's in-scope alternate questions, from a matcher built without them."""
    knowledge, fold, settings = job
    matcher = fold_matcher(knowledge, fold, settings, background=())
    ids = [entry.id for entry in matcher.entries]
    answerable = np.array([not entry.decline for entry in matcher.entries], dtype=bool)
    width = 2 * CANDIDATES
    asked = [(entry_id, example) for entry_id, example in fold if example.expect]
    rows = np.full((len(asked), width), -1, dtype=np.intp)
    scores = np.full((3, len(asked), width), -1.0)
    right = np.array([ids.index(entry_id) for entry_id, _ in asked], dtype=np.intp)
    for position, (_, example) in enumerate(asked):
        found = matcher.ranking_parts(example.q)
        if found is None:
            continue
        coverage = np.where(answerable, found.coverage, -1.0)
        chars = np.where(answerable, found.chars, -1.0)
        candidates = np.unique(np.r_[np.argsort(-coverage)[:CANDIDATES], np.argsort(-chars)[:CANDIDATES]])
        candidates = candidates[answerable[candidates]]
        rows[position, :len(candidates)] = candidates
        for kind, values in enumerate((found.coverage, found.phrase, found.chars)):
            scores[kind, position, :len(candidates)] = values[candidates]
    return rows, scores[0], scores[1], scores[2], right

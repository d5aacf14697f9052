"""Choosing the ranking weights (``matching.phrase_weight``, ``char_weight``) from the knowledge base itself.

How much the closest single alternate question and the character n-grams should count beside the
pooled word coverage depends on the knowledge base: short, direct alternate questions that differ by
a word rank best on coverage, while long and varied phrasings of situations gain from the closest
phrasing and from character n-grams. So ``kb tune`` scores every in-scope alternate question once
with a matcher built without it and, for every point of a small grid, whether those weights would
rank its own entry first (above every other entry, decline entries included): blending the three
kept scores again costs little, scoring the questions again for each point would cost a pass each.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.config import MatchingSettings
from bot.knowledge.folds import Example, deal_folds, fold_matcher, map_folds
from bot.knowledge.model import KnowledgeBase

PHRASE_GRID = (0.1, 0.25, 0.4, 0.5, 0.65, 0.8)
CHAR_GRID = (0.2, 0.35, 0.5, 0.6, 0.7)
BM25_GRID = (0.0, 0.2, 0.4)
MIN_QUESTIONS = 50  # fewer in-scope alternate questions than this cannot tell the weights apart
# Other weights replace the config's only when they rank clearly more questions first: of the
# questions one pair ranks first and the other not, the new pair's lead must be unlikely to be chance
# (a one-sided sign test at 5 %). A share would be too strict for a large knowledge base and too
# loose for a small one.
MIN_LEAD_Z = 1.645


@dataclass(frozen=True)
class RankingChoice:
    """The weights chosen and the share of in-scope alternate questions they rank first, beside the
    weights tuning started from (``current``) and their share."""

    phrase_weight: float
    char_weight: float
    top1: float
    current: tuple[float, float, float]
    current_top1: float
    questions: int
    measured: bool = True  # False: too few alternate questions to choose, the weights were kept
    bm25_weight: float = 0.0

    @property
    def changed(self) -> bool:
        return (self.phrase_weight, self.char_weight, self.bm25_weight) != self.current


def grid() -> list[tuple[float, float, float]]:
    return [(phrase, char, bm25) for phrase in PHRASE_GRID for char in CHAR_GRID for bm25 in BM25_GRID]


def choose_weights(
    knowledge: KnowledgeBase, settings: MatchingSettings, workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RankingChoice:
    """The grid point that ranks the most in-scope alternate questions first (each scored without itself).

    The weights of ``settings`` stay unless a grid point clearly beats them (``clearly_better``):
    which weights win then depends a little on where tuning starts, but a knowledge base whose
    questions do not tell the weights apart keeps what it has. Equal shares go to the point nearest
    the current weights.
    """
    current = (settings.phrase_weight, settings.char_weight, settings.bm25_weight)
    folds = deal_folds(knowledge)
    questions = sum(1 for fold in folds for _, example in fold if example.expect)
    if questions < MIN_QUESTIONS:
        if progress is not None:
            progress(len(folds), len(folds))
        return RankingChoice(current[0], current[1], top1=0.0, current=current, current_top1=0.0,
                             questions=questions, measured=False, bm25_weight=current[2])
    points = [current, *grid()]
    jobs = [(knowledge, fold, settings, points) for fold in folds]
    hits = np.concatenate(map_folds(_hits_of_fold, jobs, workers, progress))
    shares = hits.mean(axis=0)  # at least MIN_QUESTIONS rows
    current_top1 = float(shares[0])
    best = max(range(1, len(points)), key=lambda column: (
        shares[column], -sum(abs(weight - now) for weight, now in zip(points[column], current, strict=True))))
    if not clearly_better(hits[:, best], hits[:, 0]):
        best = 0
    phrase, char, bm25 = points[best]
    return RankingChoice(phrase, char, top1=float(shares[best]), current=current, current_top1=current_top1,
                         questions=questions, bm25_weight=bm25)


def clearly_better(new: np.ndarray, old: np.ndarray) -> bool:
    """Whether the questions ``new`` ranks first and ``old`` does not outnumber the reverse by more
    than chance would (the sign test over the questions the two disagree on)."""
    wins = int(np.count_nonzero(new & ~old))
    losses = int(np.count_nonzero(old & ~new))
    return wins > losses and (wins - losses) >= MIN_LEAD_Z * math.sqrt(wins + losses)


def _hits_of_fold(job: tuple[KnowledgeBase, list[tuple[str, Example]], MatchingSettings,
                             list[tuple[float, float, float]]],
                  ) -> np.ndarray:
    """Per in-scope question of the fold and per weight pair: would the pair rank its entry first?

    A question with no words the matcher reads is a miss for every pair.
    """
    knowledge, fold, settings, points = job
    matcher = fold_matcher(knowledge, fold, settings, background=())
    ids = [entry.id for entry in matcher.entries]
    asked = [(ids.index(entry_id), example.q) for entry_id, example in fold if example.expect]
    hits = np.zeros((len(asked), len(points)), dtype=bool)
    for position, (right, question) in enumerate(asked):
        parts = matcher.ranking_parts(question)
        if parts is None:
            continue
        for column, (phrase_weight, char_weight, bm25_weight) in enumerate(points):
            fused = parts.fused(phrase_weight, char_weight, bm25_weight)
            hits[position, column] = fused[right] > 0 and int(np.argmax(fused)) == right
    return hits

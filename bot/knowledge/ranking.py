"""Choosing the ranking weights (``matching.phrase_weight``, ``char_weight``, ``bm25_weight``,
``semantic_weight``) from the knowledge base itself.

How much the closest single alternate question and the character n-grams should count beside the
pooled word coverage depends on the knowledge base: short, direct alternate questions that differ by
a word rank best on coverage, while long and varied phrasings of situations gain from the closest
phrasing and from character n-grams; BM25 helps entries with dozens of phrasings, and the semantic
similarity English entries whose questions are paraphrased more than reworded. So ``kb tune`` scores
every in-scope alternate question once with a matcher built without it and, for every point of a
small grid, whether those weights would rank its own entry first (above every other entry, decline
entries included): blending the kept scores again costs little, scoring the questions again for
each point would cost a pass each.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.config import MatchingSettings
from bot.knowledge.folds import Example, NearCopies, deal_folds, fold_matcher, map_folds
from bot.knowledge.model import KnowledgeBase
from bot.matching.blend import RankingWeights
from bot.matching.semantic import LANGUAGES as SEMANTIC_LANGUAGES

PHRASE_GRID = (0.1, 0.25, 0.4, 0.5, 0.65, 0.8)
CHAR_GRID = (0.2, 0.35, 0.5, 0.6, 0.7)
BM25_GRID = (0.0, 0.2, 0.4)
SEMANTIC_GRID = (0.0, 0.25, 0.5)
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

    weights: RankingWeights
    top1: float
    current: RankingWeights
    current_top1: float
    questions: int
    measured: bool = True  # False: too few alternate questions to choose, the weights were kept

    @property
    def changed(self) -> bool:
        return self.weights != self.current


def grid(semantic: bool = True) -> list[RankingWeights]:
    """The weights tried; the semantic part only with ``semantic`` (see ``bot.matching.semantic``)."""
    return [RankingWeights(phrase, char, bm25, weight) for phrase in PHRASE_GRID for char in CHAR_GRID
            for bm25 in BM25_GRID for weight in (SEMANTIC_GRID if semantic else (0.0,))]


def choose_weights(
    knowledge: KnowledgeBase, settings: MatchingSettings, workers: int | None = None,
    progress: Callable[[int, int], None] | None = None, copies: NearCopies | None = None,
) -> RankingChoice:
    """The grid point that ranks the most in-scope alternate questions first (each scored without itself).

    The semantic part is tried for a knowledge base in English only (``bot.matching.semantic``).
    The weights of ``settings`` stay unless a grid point clearly beats them (``clearly_better``):
    which weights win then depends a little on where tuning starts, but a knowledge base whose
    questions do not tell the weights apart keeps what it has. Equal shares go to the point nearest
    the current weights. With ``copies`` each question is scored without its near-copies too.
    """
    current = RankingWeights.of(settings)
    folds = deal_folds(knowledge)
    questions = sum(1 for fold in folds for _, example in fold if example.expect)
    if questions < MIN_QUESTIONS:
        if progress is not None:
            progress(len(folds), len(folds))
        return RankingChoice(current, top1=0.0, current=current, current_top1=0.0, questions=questions,
                             measured=False)
    languages = {lang for entry in knowledge for lang in entry.questions.languages()}
    points = [current, *grid(semantic=languages <= SEMANTIC_LANGUAGES)]
    jobs = [(knowledge, fold, settings, points, copies or {}) for fold in folds]
    hits = np.concatenate(map_folds(_hits_of_fold, jobs, workers, progress))
    shares = hits.mean(axis=0)  # at least MIN_QUESTIONS rows
    current_top1 = float(shares[0])
    best = max(range(1, len(points)), key=lambda column: (
        shares[column], -sum(abs(weight - now) for weight, now in zip(points[column], current, strict=True))))
    if not clearly_better(hits[:, best], hits[:, 0]):
        best = 0
    return RankingChoice(points[best], top1=float(shares[best]), current=current, current_top1=current_top1,
                         questions=questions)


def clearly_better(new: np.ndarray, old: np.ndarray) -> bool:
    """Whether the questions ``new`` ranks first and ``old`` does not outnumber the reverse by more
    than chance would (the sign test over the questions the two disagree on)."""
    wins = int(np.count_nonzero(new & ~old))
    losses = int(np.count_nonzero(old & ~new))
    return wins > losses and (wins - losses) >= MIN_LEAD_Z * math.sqrt(wins + losses)


def _hits_of_fold(job: tuple[KnowledgeBase, list[tuple[str, Example]], MatchingSettings, list[RankingWeights],
                             NearCopies]) -> np.ndarray:
    """Per in-scope question of the fold and per weight pair: would the pair rank its entry first?

    A question with no words the matcher reads is a miss for every pair.
    """
    knowledge, fold, settings, points, copies = job
    matcher = fold_matcher(knowledge, fold, settings, background=(), copies=copies)
    ids = [entry.id for entry in matcher.entries]
    asked = [(ids.index(entry_id), example.q) for entry_id, example in fold if example.expect]
    semantic = any(weights.semantic_weight for weights in points)
    phrase_weights = sorted({weights.phrase_weight for weights in points})
    mix = _mixes(points, phrase_weights)
    hits = np.zeros((len(asked), len(points)), dtype=bool)
    for position, (right, question) in enumerate(asked):
        parts = matcher.ranking_parts(question, semantic=semantic)
        if parts is None:
            continue
        zeros = np.zeros_like(parts.chars)
        kept = np.vstack([*(parts.lexical(weight) for weight in phrase_weights), parts.chars,
                          zeros if parts.bm25 is None else parts.bm25,
                          zeros if parts.semantic is None else parts.semantic])
        fused = mix @ kept  # one row per grid point: the scores RankingParts.fused gives
        hits[position] = (fused[:, right] > 0) & (np.argmax(fused, axis=1) == right)
    return hits


def _mixes(points: list[RankingWeights], phrase_weights: list[float]) -> np.ndarray:
    """Per grid point, the share of each kept score (the word-level score for each phrase weight, then
    the characters, BM25 and the semantic similarity) in the ranking score, as ``RankingParts.blend``
    nests them."""
    mix = np.zeros((len(points), len(phrase_weights) + 3))
    for row, weights in enumerate(points):
        rest = 1 - weights.semantic_weight
        words = (1 - weights.bm25_weight) * rest
        mix[row, phrase_weights.index(weights.phrase_weight)] = (1 - weights.char_weight) * words
        mix[row, -3] = weights.char_weight * words
        mix[row, -2] = weights.bm25_weight * rest
        mix[row, -1] = weights.semantic_weight
    return mix

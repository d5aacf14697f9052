"""What the ranking blends, and how: the scores of each entry for one message, kept apart.

``kb tune`` scores each alternate question once and tries every weight of its grid on the kept
parts; the matcher blends them with the weights of ``matching:``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bot.config import MatchingSettings


class RankingWeights(NamedTuple):
    """How much each part counts: the ``matching:`` settings of the same names."""

    phrase_weight: float
    char_weight: float
    bm25_weight: float = 0.0
    semantic_weight: float = 0.0

    @classmethod
    def of(cls, settings: MatchingSettings) -> RankingWeights:
        return cls(settings.phrase_weight, settings.char_weight, settings.bm25_weight, settings.semantic_weight)


@dataclass(frozen=True)
class RankingParts:
    """What the ranking blends: per entry the word coverage (at most 1) and the character n-gram
    cosine, and for the few entries coverage ranks highest (``rerank``) their closest alternate
    question (``phrases``); BM25 and the semantic similarity when they were worked out.

    ``matching.phrase_weight`` blends coverage and the closest question into the word-level score,
    ``char_weight`` that and the characters, ``bm25_weight`` that and BM25, and ``semantic_weight``
    that and the semantic similarity into the score the entries are ranked by.
    """

    coverage: np.ndarray
    rerank: list[int]
    phrases: list[float]
    chars: np.ndarray
    bm25: np.ndarray | None = None
    semantic: np.ndarray | None = None

    def lexical(self, phrase_weight: float) -> np.ndarray:
        # Element by element, in the coverage's own precision: the same numbers the weights were fitted on.
        lexical = (1 - phrase_weight) * self.coverage
        for index, similarity in zip(self.rerank, self.phrases, strict=True):
            lexical[index] += phrase_weight * similarity
        return lexical

    def fused(self, weights: RankingWeights) -> np.ndarray:
        return self.blend(self.lexical(weights.phrase_weight), weights)

    def blend(self, lexical: np.ndarray, weights: RankingWeights) -> np.ndarray:
        """The score the entries are ranked by, from the word-level score ``lexical``."""
        fused = (1 - weights.char_weight) * lexical + weights.char_weight * self.chars
        if weights.bm25_weight and self.bm25 is not None:
            fused = (1 - weights.bm25_weight) * fused + weights.bm25_weight * self.bm25
        if weights.semantic_weight and self.semantic is not None:
            fused = (1 - weights.semantic_weight) * fused + weights.semantic_weight * self.semantic
        return fused

"""What the ranking blends, and how: the scores of each entry for one message, kept apart.

``kb tune`` scores each alternate question once and tries every weight of its grid on the kept
parts; the matcher blends them with the weights of ``matching:``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RankingParts:
    """What the ranking blends: per entry the word coverage (at most 1) and the character n-gram
    cosine, and for the few entries coverage ranks highest (``rerank``) their closest alternate
    question (``phrases``).

    ``matching.phrase_weight`` blends coverage and the closest question into the word-level score,
    ``char_weight`` that and the characters, and ``bm25_weight`` that and BM25 (``bm25``, when it was
    worked out) into the score the entries are ranked by.
    """

    coverage: np.ndarray
    rerank: list[int]
    phrases: list[float]
    chars: np.ndarray
    bm25: np.ndarray | None = None

    def lexical(self, phrase_weight: float) -> np.ndarray:
        # Element by element, in the coverage's own precision: the same numbers the weights were fitted on.
        lexical = (1 - phrase_weight) * self.coverage
        for index, similarity in zip(self.rerank, self.phrases, strict=True):
            lexical[index] += phrase_weight * similarity
        return lexical

    def fused(self, phrase_weight: float, char_weight: float, bm25_weight: float = 0.0) -> np.ndarray:
        return self.blend(self.lexical(phrase_weight), char_weight, bm25_weight)

    def blend(self, lexical: np.ndarray, char_weight: float, bm25_weight: float = 0.0) -> np.ndarray:
        """The score the entries are ranked by, from the word-level score ``lexical``."""
        fused = (1 - char_weight) * lexical + char_weight * self.chars
        if bm25_weight and self.bm25 is not None:
            fused = (1 - bm25_weight) * fused + bm25_weight * self.bm25
        return fused

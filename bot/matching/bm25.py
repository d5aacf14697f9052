"""Okapi BM25 over each entry's pooled phrasings: how often an entry uses a word, saturated.

With many phrasings per entry (a knowledge base built from a labelled dataset has dozens), how often
an entry uses a word says more than the coverage scorer's pooled "does it use it" lets it say, and
BM25's term-frequency saturation and length normalisation capture that. It is one more part of the
ranking, weighted by ``matching.bm25_weight``; ``kb tune`` chooses the weight per knowledge base (0
for the shipped one, which it does not help).

The per-term, per-entry weights are worked out when the scorer is built (on first use, see
``Matcher.bm25``), so a message costs one ``bincount``.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from bot.knowledge.model import Entry
from bot.matching.coverage import entry_phrasings
from bot.matching.normalise import terms, tokens

K1 = 1.5  # term-frequency saturation (the usual Okapi values)
B = 0.75  # length normalisation


def _term(word: str) -> str:
    """A word's first term, function words included (BM25's own IDF weighs them)."""
    return terms(word)[0]


class Bm25Scorer:
    """Built once per knowledge base; ``scores`` once per message, scaled so the best entry has 1."""

    def __init__(self, entries: list[Entry]) -> None:
        documents = [Counter(_term(word) for text in entry_phrasings(entry) for word in tokens(text))
                     for entry in entries]
        self.size = len(documents)
        lengths = np.array([sum(document.values()) for document in documents], dtype=float)
        average = float(lengths.mean()) if self.size and lengths.mean() > 0 else 1.0
        found: dict[str, list[tuple[int, int]]] = {}
        for row, document in enumerate(documents):
            for term, count in document.items():
                found.setdefault(term, []).append((row, count))
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, pairs in found.items():
            indices = np.array([row for row, _ in pairs], dtype=np.intp)
            frequency = np.array([count for _, count in pairs], dtype=float)
            idf = math.log((self.size - len(pairs) + 0.5) / (len(pairs) + 0.5) + 1)
            weight = idf * frequency * (K1 + 1) / (frequency + K1 * (1 - B + B * lengths[indices] / average))
            self._postings[term] = (indices, weight)

    def scores(self, words: list[str]) -> np.ndarray:
        """Per entry, the BM25 score of ``words`` (folded tokens) over the best entry's, in [0, 1]."""
        found = [self._postings[term] for term in dict.fromkeys(_term(word) for word in words)
                 if term in self._postings]
        if not found:
            return np.zeros(self.size)
        total = np.bincount(np.concatenate([rows for rows, _ in found]),
                            weights=np.concatenate([weights for _, weights in found]), minlength=self.size)
        best = float(total.max())
        return total / best if best > 0 else total

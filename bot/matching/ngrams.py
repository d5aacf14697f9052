"""Character n-gram TF-IDF similarity between a message and each entry.

Word-level matching needs stems, synonyms and typo rules; character n-grams get much of that for
free ("etablererveiledning", "etablerer veiledning" and "etablerer vieledning" share most of their
3–5-grams), and they rank entries well even when the words are new. They are one of the matcher's
two votes; the coverage score is the other.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

import numpy as np

from bot.knowledge.model import Entry
from bot.matching.coverage import entry_fields
from bot.matching.normalise import content_tokens

GRAM_SIZES = (3, 4, 5)
WORD_CACHE_SIZE = 50_000
DENSE_CELLS = 4_000_000  # grams × entries up to which contributions are kept as a dense matrix (32 MB)


def word_grams(word: str) -> Counter[str]:
    """The 3–5-grams of one folded word, with its boundaries marked so prefixes and suffixes count."""
    padded = f" {word} "
    return Counter(padded[i : i + n] for n in GRAM_SIZES for i in range(len(padded) - n + 1))


class CharScorer:
    """Cosine similarity of sublinear TF-IDF character n-gram vectors: message against entry."""

    def __init__(self, entries: list[Entry]) -> None:
        self.size = len(entries)
        counts: list[Counter[str]] = []
        for entry in entries:
            grams: Counter[str] = Counter()
            for _, text in entry_fields(entry):
                for word in content_tokens(text):
                    grams.update(word_grams(word))
            counts.append(grams)
        document_frequency = Counter(gram for grams in counts for gram in grams)
        self._idf = {gram: math.log((1 + self.size) / (1 + df)) + 1 for gram, df in document_frequency.items()}
        # An n-gram no entry has weighs like the rarest known one: unknown text pulls every score down.
        self._unknown_idf = math.log(1 + self.size) + 1
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, grams in enumerate(counts):
            weights = {gram: (1 + math.log(tf)) * self._idf[gram] for gram, tf in grams.items()}
            norm = math.sqrt(sum(weight * weight for weight in weights.values())) or 1.0
            for gram, weight in weights.items():
                postings[gram].append((index, weight / norm))
        # Each gram's entries and its contribution to them at tf = 1 (already times its IDF), so
        # a new word costs one dictionary lookup per gram and a single bincount.
        self._postings = {
            gram: (
                np.array([i for i, _ in pairs], dtype=np.intp),
                np.array([w for _, w in pairs]) * self._idf[gram],
            )
            for gram, pairs in postings.items()
        }
        # For a knowledge base of ordinary size the same contributions as one dense matrix: a new
        # word is then one fancy-indexed sum instead of one array per gram.
        self._rows = {gram: row for row, gram in enumerate(self._postings)}
        self._by_row = list(self._postings.values())
        self._dense: np.ndarray | None = None
        if len(self._rows) * self.size <= DENSE_CELLS:
            self._dense = np.zeros((len(self._rows), self.size))
            for gram, (indices, values) in self._postings.items():
                self._dense[self._rows[gram], indices] = values
        self._word_cache: dict[str, tuple[np.ndarray, float]] = {}

    def scores(self, words: list[str]) -> np.ndarray:
        """Per entry, the cosine between ``words`` and the entry's pooled text, in [0, 1]."""
        dot = np.zeros(self.size)
        norm_squared = 0.0
        for word in words:
            vector, weight_squared = self._word(word)
            dot += vector
            norm_squared += weight_squared
        return dot / math.sqrt(norm_squared) if norm_squared else dot

    def warm(self, words: Iterable[str]) -> None:
        """Work out the n-gram vectors of ``words`` now, so messages using them pay nothing."""
        for word in words:
            self._word(word)

    def _word(self, word: str) -> tuple[np.ndarray, float]:
        """One word's unnormalised dot product with every entry, and its squared weight; cached."""
        cached = self._word_cache.get(word)
        if cached is None:
            if len(self._word_cache) >= WORD_CACHE_SIZE:
                self._word_cache.clear()
            idf = self._idf
            weight_squared = 0.0
            rows: list[int] = []
            scales: list[float] = []
            for gram, tf in word_grams(word).items():
                scale = 1 + math.log(tf) if tf > 1 else 1.0
                weight = scale * idf.get(gram, self._unknown_idf)
                weight_squared += weight * weight
                row = self._rows.get(gram)
                if row is not None:
                    rows.append(row)
                    scales.append(scale)
            vector = self._combine(rows, scales).astype(np.float32)  # cached: half the memory
            cached = self._word_cache[word] = (vector, weight_squared)
        return cached

    def _combine(self, rows: list[int], scales: list[float]) -> np.ndarray:
        if not rows:
            return np.zeros(self.size)
        if self._dense is not None:
            return np.asarray(scales) @ self._dense[rows]
        indices = np.concatenate([self._by_row[row][0] for row in rows])
        values = np.concatenate([self._by_row[row][1] * scale for row, scale in zip(rows, scales, strict=True)])
        return np.bincount(indices, weights=values, minlength=self.size)

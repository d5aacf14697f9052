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
WARM_BATCH = 256  # words worked out together at load: one product each, of bounded size
DENSE_CELLS = 4_000_000  # grams × entries up to which contributions are kept as a dense matrix (32 MB)


def word_grams(word: str) -> Counter[str]:
    """The 3–5-grams of one folded word, with its boundaries marked so prefixes and suffixes count."""
    return Counter(_grams(word))


def _grams(word: str) -> list[str]:
    padded = f" {word} "
    return [padded[i : i + n] for n in GRAM_SIZES for i in range(len(padded) - n + 1)]


class CharScorer:
    """Cosine similarity of sublinear TF-IDF character n-gram vectors: message against entry."""

    def __init__(self, entries: list[Entry]) -> None:
        self.size = len(entries)
        counts: list[Counter[str]] = []
        for entry in entries:
            words: Counter[str] = Counter(word for _, text in entry_fields(entry) for word in content_tokens(text))
            grams: Counter[str] = Counter()
            for word, times in words.items():  # an entry repeats its words: each word's n-grams once
                for gram in _grams(word):
                    grams[gram] += times
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
        if not words:
            return np.zeros(self.size)
        found = self._words(words)
        norm_squared = 0.0
        for _, weight_squared in found:
            norm_squared += weight_squared
        # Row by row in float64, as a running sum would: one call instead of one per word.
        dot = np.add.reduce(np.array([vector for vector, _ in found]), axis=0, dtype=np.float64)
        return dot / math.sqrt(norm_squared) if norm_squared else dot

    def warm(self, words: Iterable[str]) -> None:
        """Work out the n-gram vectors of ``words`` now, so messages using them pay nothing."""
        words = list(dict.fromkeys(words))
        for start in range(0, len(words), WARM_BATCH):
            self._words(words[start : start + WARM_BATCH])

    def _words(self, words: list[str]) -> list[tuple[np.ndarray, float]]:
        """Each word's unnormalised dot product with every entry, and its squared weight; cached.

        The words not cached yet are worked out together: their n-grams looked up in one pass and
        their vectors made by one product, however many of them a message brings.
        """
        cache = self._word_cache
        try:
            return [cache[word] for word in words]
        except KeyError:
            pass
        new = [word for word in dict.fromkeys(words) if word not in cache]
        if len(cache) + len(new) > WORD_CACHE_SIZE:
            cache.clear()  # users' vocabulary is unbounded; memory is not
            new = list(dict.fromkeys(words))
        cache.update(zip(new, self._vectors(new), strict=True))
        return [cache[word] for word in words]

    def _vectors(self, words: list[str]) -> list[tuple[np.ndarray, float]]:
        idf, rows_of, unknown_idf = self._idf, self._rows, self._unknown_idf
        squares: list[float] = []
        word_of: list[int] = []
        rows: list[int] = []
        scales: list[float] = []
        for position, word in enumerate(words):
            weight_squared = 0.0
            grams = _grams(word)
            if len(set(grams)) == len(grams):  # the usual case: every n-gram once, no counting needed
                for gram in grams:
                    weight = idf.get(gram, unknown_idf)
                    weight_squared += weight * weight
                    row = rows_of.get(gram)
                    if row is not None:
                        word_of.append(position)
                        rows.append(row)
                        scales.append(1.0)
                squares.append(weight_squared)
                continue
            for gram, tf in Counter(grams).items():
                scale = 1 + math.log(tf) if tf > 1 else 1.0
                weight = scale * idf.get(gram, unknown_idf)
                weight_squared += weight * weight
                row = rows_of.get(gram)
                if row is not None:
                    word_of.append(position)
                    rows.append(row)
                    scales.append(scale)
            squares.append(weight_squared)
        vectors = self._combine(len(words), word_of, rows, scales).astype(np.float32)  # cached: half the memory
        return list(zip(vectors, squares, strict=True))

    def _combine(self, count: int, word_of: list[int], rows: list[int], scales: list[float]) -> np.ndarray:
        """Per word, the sum over its known n-grams of their contributions times their scale."""
        if not rows:
            return np.zeros((count, self.size))
        if self._dense is not None:
            # Each known n-gram's row times its scale, then summed per word: rows of one word are adjacent.
            block = self._dense[rows]
            if any(scale != 1.0 for scale in scales):
                block *= np.asarray(scales)[:, None]
            owners = np.asarray(word_of, dtype=np.intp)
            starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
            vectors = np.zeros((count, self.size))
            vectors[owners[starts]] = np.add.reduceat(block, starts, axis=0)
            return vectors
        offsets = np.asarray(word_of, dtype=np.intp) * self.size
        indices = np.concatenate([self._by_row[row][0] + offset for row, offset in zip(rows, offsets, strict=True)])
        values = np.concatenate([self._by_row[row][1] * scale for row, scale in zip(rows, scales, strict=True)])
        return np.bincount(indices, weights=values, minlength=count * self.size).reshape(count, self.size)

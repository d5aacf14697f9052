"""Character n-gram TF-IDF similarity between a message and each entry.

Word-level matching needs stems, synonyms and typo rules; character n-grams get much of that for
free ("etablererveiledning", "etablerer veiledning" and "etablerer vieledning" share most of their
3–5-grams), and they rank entries well even when the words are new. They are one of the matcher's
two votes; the coverage score is the other.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from itertools import repeat

import numpy as np

from bot.knowledge.model import Entry
from bot.matching.coverage import entry_fields
from bot.matching.normalise import content_tokens

GRAM_SIZES = (3, 4, 5)
WORD_CACHE_SIZE = 50_000
# Cached word vectors × entries at most (16 MB of float32): a word's vector is as long as the
# knowledge base, so the cache holds fewer words the more entries there are.
WORD_CACHE_CELLS = 4_000_000
WARM_BATCH = 32  # words worked out together at load: bounded temporaries (a word can touch most entries)
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
        # Every n-gram gets a row number the first time an entry has it; each entry's n-grams are
        # kept as row numbers and counts in flat arrays, not as dictionaries of strings.
        self._rows: dict[str, int] = {}
        row_of = self._rows.setdefault
        owners: list[int] = []
        gram_rows: list[int] = []
        counts: list[int] = []
        for index, entry in enumerate(entries):
            words: Counter[str] = Counter(word for _, text in entry_fields(entry) for word in content_tokens(text))
            grams: Counter[str] = Counter()
            for word, times in words.items():  # an entry repeats its words: each word's n-grams once
                for gram in _grams(word):
                    grams[gram] += times
            gram_rows.extend(row_of(gram, len(self._rows)) for gram in grams)
            counts.extend(grams.values())
            owners.extend([index] * len(grams))
        entry_of = np.asarray(owners, dtype=np.intp)
        row = np.asarray(gram_rows, dtype=np.intp)
        tf = np.asarray(counts, dtype=np.float64)
        del owners, gram_rows, counts  # the build's peak memory: the lists are the arrays' size again
        grams_total = len(self._rows)
        document_frequency = np.bincount(row, minlength=grams_total)
        idf = np.log((1 + self.size) / (1 + document_frequency)) + 1
        self._idf_array = idf
        # An n-gram no entry has weighs like the rarest known one: unknown text pulls every score down.
        self._unknown_idf = math.log(1 + self.size) + 1
        weight = np.log(tf, out=tf)
        weight += 1
        weight *= idf[row]
        norm = np.sqrt(np.bincount(entry_of, weights=np.square(weight), minlength=self.size))
        norm[norm == 0] = 1.0
        # Each n-gram's entries and its contribution to them at tf = 1 (already times its IDF), as
        # one compressed sparse row matrix (n-gram × entry): a new word costs one dictionary lookup
        # per n-gram and one bincount.
        order = np.argsort(row, kind="stable")  # entries of a row in entry order
        self._entries = entry_of[order].astype(np.int32)
        weight /= norm[entry_of]
        weight *= idf[row]
        self._values = weight[order]
        del weight, tf
        self._starts = np.zeros(grams_total + 1, dtype=np.intp)
        np.cumsum(document_frequency, out=self._starts[1:])
        # For a knowledge base of ordinary size the same contributions as one dense matrix: a new
        # word is then one fancy-indexed sum.
        self._dense: np.ndarray | None = None
        if grams_total * self.size <= DENSE_CELLS:
            self._dense = np.zeros((grams_total, self.size))
            self._dense[row[order], self._entries] = self._values
        self._word_cache: dict[str, tuple[np.ndarray, float]] = {}
        self._cache_words = max(1_000, min(WORD_CACHE_SIZE, WORD_CACHE_CELLS // max(1, self.size)))

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
        """Work out the n-gram vectors of ``words`` now, so messages using them pay nothing.

        Only when all of them fit in the cache: in a large knowledge base the vectors of its whole
        vocabulary would be most of the process's memory, and a word costs little the first time a
        message uses it.
        """
        words = list(dict.fromkeys(words))
        if len(words) > self._cache_words:
            return
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
        if len(cache) + len(new) > self._cache_words:
            cache.clear()  # users' vocabulary is unbounded; memory is not
            new = list(dict.fromkeys(words))
        cache.update(zip(new, self._vectors(new), strict=True))
        return [cache[word] for word in words]

    def _vectors(self, words: list[str]) -> list[tuple[np.ndarray, float]]:
        grams: list[str] = []
        scales: list[float] = []
        lengths: list[int] = []
        for word in words:
            found = _grams(word)
            if len(set(found)) == len(found):  # the usual case: every n-gram once, no counting needed
                grams += found
                scales += [1.0] * len(found)
                lengths.append(len(found))
                continue
            counted = Counter(found)
            grams += counted
            scales += [1 + math.log(tf) if tf > 1 else 1.0 for tf in counted.values()]
            lengths.append(len(counted))
        rows = np.fromiter(map(self._rows.get, grams, repeat(-1, len(grams))), dtype=np.intp, count=len(grams))
        scale = np.asarray(scales)
        word_of = np.repeat(np.arange(len(words)), lengths)
        known = rows >= 0
        weight = scale * np.where(known, self._idf_array[rows], self._unknown_idf)
        # bincount adds in n-gram order, word by word: the same sum as a running total per word
        squares = np.bincount(word_of, weights=weight * weight, minlength=len(words)).tolist()
        vectors = self._combine(len(words), word_of[known], rows[known], scale[known]).astype(np.float32)
        return list(zip(vectors, squares, strict=True))  # cached: float32 is half the memory

    def _combine(self, count: int, word_of: np.ndarray, rows: np.ndarray, scales: np.ndarray) -> np.ndarray:
        """Per word, the sum over its known n-grams of their contributions times their scale."""
        if not len(rows):
            return np.zeros((count, self.size))
        if self._dense is not None:
            # Each known n-gram's row times its scale, then summed per word: rows of one word are adjacent.
            block = self._dense[rows]
            if (scales != 1.0).any():
                block *= scales[:, None]
            starts = np.flatnonzero(np.r_[True, word_of[1:] != word_of[:-1]])
            vectors = np.zeros((count, self.size))
            vectors[word_of[starts]] = np.add.reduceat(block, starts, axis=0)
            return vectors
        # Gather the rows' stretches of the sparse matrix in one go, each entry offset by its word.
        starts = self._starts[rows]
        lengths = self._starts[rows + 1] - starts
        ends = np.cumsum(lengths)
        positions = np.arange(int(ends[-1])) + np.repeat(starts - (ends - lengths), lengths)
        offsets = np.repeat(word_of * self.size, lengths)
        values = self._values[positions] * np.repeat(scales, lengths)
        return np.bincount(self._entries[positions] + offsets, weights=values,
                           minlength=count * self.size).reshape(count, self.size)

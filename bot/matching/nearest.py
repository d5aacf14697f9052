"""The closest single alternate question: how much of the message one phrasing explains.

The coverage scorer pools an entry's phrasings into one bag of terms, which ranks well but lets
a message borrow one word from each of several phrasings. Here every alternate question (and
title) stands alone, and a message scores against it with an IDF-weighted Dice overlap of terms:
twice the weight both share over the weight of both. A word the knowledge base has never seen
weighs in the message's side like a rare term, so a message that is mostly about something else
stays low however well one of its words matches. An entry scores its closest phrasing. It is a
signal for the confidence model, not for the ranking (pooled coverage ranks better).
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from bot.knowledge.model import Entry
from bot.matching.coverage import UNKNOWN_WORD_WEIGHT, CoverageScorer, entry_phrasings, split_compound, text_terms


class NearestQuestion:
    """Built once per knowledge base from the coverage scorer's terms; ``scores`` once per message."""

    def __init__(self, entries: list[Entry], coverage: CoverageScorer) -> None:
        self.coverage = coverage
        phrase_terms: list[set[str]] = []
        owners: list[int] = []
        for index, entry in enumerate(entries):
            for phrase in entry_phrasings(entry):
                phrase_terms.append(text_terms(phrase))
                owners.append(index)
        document_frequency: dict[str, int] = defaultdict(int)
        for found in phrase_terms:
            for term in found:
                document_frequency[term] += 1
        count = max(1, len(phrase_terms))
        self._idf = {term: math.log(1 + count / df) for term, df in document_frequency.items()}
        self._max_idf = max(self._idf.values(), default=1.0)
        self._mass = np.array([sum(self._idf[term] for term in found) for found in phrase_terms]) + 1e-9
        # Per entry, each term's phrasings (rows counted from the entry's first): a message is
        # compared with one entry only, the best-ranked, so its cost does not grow with the base.
        self._entries: list[tuple[dict[str, list[int]], list[float]]] = []
        rows_of: dict[int, list[int]] = defaultdict(list)
        for row, owner in enumerate(owners):
            rows_of[owner].append(row)
        for index in range(len(entries)):
            rows = rows_of.get(index, [])
            local: dict[str, list[int]] = defaultdict(list)
            for position, row in enumerate(rows):
                found = phrase_terms[row]
                # A compound in a phrasing ("etablererveiledning") also answers to its parts,
                # without adding to the phrasing's weight.
                parts = {part for term in found for part in split_compound(term, coverage.known_forms) or ()}
                for term in found | parts:
                    local[term].append(position)
            self._entries.append((dict(local), [float(self._mass[row]) for row in rows]))

    def best(self, words: list[str], index: int, real: frozenset[str] = frozenset()) -> float:
        """The Dice overlap of ``words`` with entry ``index``'s closest phrasing, in [0, 1]."""
        postings, mass = self._entries[index]
        if not mass:
            return 0.0
        overlap = [0.0] * len(mass)  # a few dozen phrasings: plain Python beats numpy's call overhead
        message_mass = 0.0
        idf, top, evidence = self._idf, self._max_idf, self.coverage.evidence
        for word in words:
            terms = evidence(word, word in real).terms
            if not terms:
                message_mass += (0.3 if word.isdigit() or len(word) <= 2 else 1.0) * UNKNOWN_WORD_WEIGHT * top
                continue
            if len(terms) == 1:  # most words: one term, no max to take
                message_mass += idf.get(terms[0][0], top)
            else:
                message_mass += max([idf.get(term, top) for term, _ in terms])
            for term, similarity in terms:
                rows = postings.get(term)
                if rows:
                    weight = similarity * idf.get(term, top)
                    for row in rows:
                        overlap[row] += weight
        return min(1.0, max([2 * shared / (message_mass + own) for shared, own in zip(overlap, mass, strict=True)]))

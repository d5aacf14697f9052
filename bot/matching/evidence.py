"""What one message word says about every entry: the coverage scorer's per-word evidence, stored sparse.

Most words explain a few entries, and the scorer caches one of these per word it has seen (the
knowledge base's own words at load, then the users'), so a dense per-entry vector would make the
cache grow with words × entries: at 10,000 alternate questions 97 % of such a vector was zeros.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Evidence:
    """One message word's weight and its weighted contribution to the entries it explains.

    ``rows`` are the entries the word explains (ascending) and ``values`` what it adds to each, as
    float32 (None: a word the knowledge base does not know).
    """

    weight: float
    rows: np.ndarray | None
    values: np.ndarray | None
    courtesy: bool
    # The knowledge-base terms the word stands for, with how surely (typo, compound part).
    terms: tuple[tuple[str, float], ...] = ()
    decline_only: bool = False  # only decline entries use it: the message is about something else

    @property
    def known(self) -> bool:
        return self.rows is not None

    def contribution(self, index: int) -> float:
        """What the word adds to entry ``index`` (0.0 when it does not explain it or is unknown)."""
        if self.rows is None or self.values is None:
            return 0.0
        position = int(self.rows.searchsorted(index))
        return float(self.values[position]) if position < len(self.rows) and self.rows[position] == index else 0.0

    @property
    def vector(self) -> SparseVector | None:
        """The contribution read entry by entry, ``vector[index]`` (None: a word the knowledge base does not know)."""
        return SparseVector(self) if self.rows is not None else None


class SparseVector:
    """A word's contributions indexed by entry, as its dense vector was, without storing the zeros."""

    __slots__ = ("_evidence",)

    def __init__(self, evidence: Evidence) -> None:
        self._evidence = evidence

    def __getitem__(self, index: int) -> float:
        return self._evidence.contribution(int(index))

    def dense(self, size: int) -> np.ndarray:
        vector = np.zeros(size, dtype=np.float32)
        if self._evidence.rows is not None and self._evidence.values is not None:
            vector[self._evidence.rows] = self._evidence.values
        return vector


def sum_contributions(evidence: list[Evidence], size: int) -> np.ndarray:
    """The words' contributions summed per entry, in float32 and word order (as row-wise sums of
    dense vectors would be), in one unbuffered ``add.at``."""
    if not evidence:
        return np.zeros(size)
    total = np.zeros(size, dtype=np.float32)
    np.add.at(total, np.concatenate([item.rows for item in evidence]),
              np.concatenate([item.values for item in evidence]))
    return total

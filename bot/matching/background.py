"""Everyday questions the knowledge base is not about: a background for "is this about us at all?".

The general out-of-scope corpus shipped with Næringsbot (``bot/knowledge/corpus/``: health,
transport, shopping, trivia, chit-chat, other public services, near-misses that share words with
business topics) stands for everything a knowledge base does not cover. A message is compared,
word for word (stems and synonym groups, IDF-weighted Dice), with its closest corpus question and
with the closest alternate question of the best entry; when the corpus explains it better, that
is a sign that it is about something else, whatever subject it is. Nobody has to write a decline
entry for the subject. ``kb tune`` scores each corpus question with a background that leaves out
the questions of its own fold, so the signal is never judged on itself.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import numpy as np
import yaml

from bot.knowledge.model import Entry
from bot.matching.coverage import entry_phrasings
from bot.matching.normalise import content_tokens, terms


@lru_cache(maxsize=4)
def corpus_questions(languages: tuple[str, ...] = ("nb", "nn", "en")) -> tuple[str, ...]:
    """The shipped corpus's questions in ``languages`` (nynorsk comes with Bokmål)."""
    wanted = set(languages) | ({"nn"} if "nb" in languages else set())
    text = (resources.files("bot.knowledge") / "corpus" / "general-out-of-scope.yaml").read_text("utf-8")
    items = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or []
    return tuple(str(item["q"]) for item in items if item.get("lang", "en") in wanted)


def _bag(text: str) -> set[str]:
    return {term for word in content_tokens(text) for term in terms(word)}


class Background:
    """Built once per knowledge base; ``compare`` once per message."""

    def __init__(self, entries: list[Entry], background: Sequence[str]) -> None:
        bags: list[set[str]] = []
        owners: list[int] = []
        for index, entry in enumerate(entries):
            for text in entry_phrasings(entry):
                bags.append(_bag(text))
                owners.append(index)
        self._entry_rows = len(bags)
        for text in background:
            bags.append(_bag(text))
            owners.append(-1)
        frequency: dict[str, int] = defaultdict(int)
        for bag in bags:
            for term in bag:
                frequency[term] += 1
        count = max(1, len(bags))
        self._idf = {term: math.log(1 + count / df) for term, df in frequency.items()}
        self._max_idf = max(self._idf.values(), default=1.0)
        self._mass = np.array([sum(self._idf[term] for term in bag) for bag in bags]) + 1e-9
        postings: dict[str, list[int]] = defaultdict(list)
        for row, bag in enumerate(bags):
            for term in bag:
                postings[term].append(row)
        self._postings = {term: np.array(rows, dtype=np.intp) for term, rows in postings.items()}
        # Each term's rows with its IDF beside every one of them: a message's overlap is then two
        # concatenations and one bincount.
        self._weights = {term: np.full(len(rows), self._idf[term]) for term, rows in self._postings.items()}
        self._owners = np.array(owners, dtype=np.intp)
        self._rows_of = {index: np.flatnonzero(self._owners == index) for index in range(len(entries))}

    def compare(self, words: list[str], best: int) -> tuple[float, float]:
        """The Dice overlap of ``words`` with the closest corpus question and with entry ``best``'s closest
        alternate question."""
        if len(self._mass) == self._entry_rows:
            return 0.0, 0.0
        found = {term for word in words for term in terms(word)}
        if not found:
            return 0.0, 0.0
        known = [term for term in found if term in self._postings]
        message_mass = sum(self._idf.get(term, self._max_idf) for term in found)
        if not known:
            return 0.0, 0.0
        rows = np.concatenate([self._postings[term] for term in known])
        weights = np.concatenate([self._weights[term] for term in known])
        overlap = np.bincount(rows, weights=weights, minlength=len(self._mass))
        # Dice only where it is read: the corpus questions and the best entry's phrasings.
        start = self._entry_rows
        corpus = float((2 * overlap[start:] / (message_mass + self._mass[start:])).max())
        entry_rows = self._rows_of.get(best)
        if entry_rows is None or not len(entry_rows):
            return corpus, 0.0
        return corpus, float((2 * overlap[entry_rows] / (message_mass + self._mass[entry_rows])).max())

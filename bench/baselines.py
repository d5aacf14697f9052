"""Simple matchers to compare the project's matcher with, and how their thresholds are chosen.

Each ranks the entries for a message (best first; an entry scores its best alternate question or its
pooled text). ``ThresholdMatcher`` turns a ranking into answered / ambiguous / fallback with the classic
rule — answer when the best score clears a threshold and leads the runner-up by a gap, suggest above a
lower threshold — and offers the ``match`` that ``kb eval``'s ``evaluate`` calls, so the baselines are
scored by the project's own code. ``choose_thresholds`` picks the three numbers the way ``kb tune``
picked the matcher's before it gained a confidence model: most right answers within the error limits.
Decline entries (out-of-scope topics the bot recognises to say no) are handled as the matcher handles
them: when one ranks first there is no answer, and they are never offered (``DeclineAware``).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process, utils

from bot.knowledge.model import KnowledgeBase
from bot.matching.normalise import tokens

RANK_DEPTH = 5


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    score: float


class Scored(Protocol):
    """A ranked entry: the baselines' ``Candidate`` and ``bot.matching.matcher.Candidate`` both fit."""

    @property
    def entry_id(self) -> str: ...

    @property
    def score(self) -> float: ...


class Ranker(Protocol):
    def rank(self, text: str, limit: int = ...) -> Sequence[Scored]: ...


class _PerQuestion:
    """Alternate questions grouped by entry, so an entry's score is its best question's."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.ids: list[str] = []
        self.questions: list[str] = []
        starts = []
        for entry in knowledge:
            starts.append(len(self.questions))
            self.ids.append(entry.id)
            self.questions += entry.questions.all()
        self._starts = np.array(starts, dtype=np.intp)

    def best_entries(self, question_scores: np.ndarray, limit: int) -> list[Candidate]:
        per_entry = np.maximum.reduceat(question_scores, self._starts)
        return _top(self.ids, per_entry, limit)


def _top(ids: Sequence[str], scores: np.ndarray, limit: int) -> list[Candidate]:
    order = np.argsort(-scores, kind="stable")[:limit]
    return [Candidate(ids[index], round(float(scores[index]), 4)) for index in order if scores[index] > 0]


class WRatioRanker(_PerQuestion):
    """rapidfuzz ``fuzz.WRatio`` against every alternate question, ``utils.default_process`` on both sides.

    The best entry is the one ``process.extractOne`` picks; ``cdist`` gives the runners-up in the same call.
    Scores are divided by 100.
    """

    def __init__(self, knowledge: KnowledgeBase) -> None:
        super().__init__(knowledge)
        self._processed = [utils.default_process(question) for question in self.questions]

    def rank(self, text: str, limit: int = RANK_DEPTH) -> list[Candidate]:
        query = utils.default_process(text)
        if not query:
            return []
        scores = process.cdist([query], self._processed, scorer=fuzz.WRatio, processor=None, dtype=np.float64)[0]
        return self.best_entries(scores / 100, limit)


class BM25Ranker:
    """rank-bm25's ``BM25Okapi`` over each entry's pooled text: questions, titles and keywords, folded tokens.

    BM25 scores are unbounded; thresholds are chosen on the score's own scale.
    """

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.ids = [entry.id for entry in knowledge]
        corpus = [
            tokens(" ".join([*entry.questions.all(), *(entry.title.get(lang) for lang in entry.title.languages()),
                             *entry.keywords]))
            for entry in knowledge
        ]
        self._bm25 = BM25Okapi(corpus)

    def rank(self, text: str, limit: int = RANK_DEPTH) -> list[Candidate]:
        words = tokens(text)
        if not words:
            return []
        return _top(self.ids, np.asarray(self._bm25.get_scores(words), dtype=np.float64), limit)


def char_ngrams(text: str, low: int = 2, high: int = 4) -> Counter[str]:
    """Character n-grams of each folded word padded with spaces (scikit-learn's ``char_wb``)."""
    grams: Counter[str] = Counter()
    for word in tokens(text):
        padded = f" {word} "
        for size in range(low, high + 1):
            grams.update(padded[start:start + size] for start in range(max(1, len(padded) - size + 1)))
    return grams


class CharTfidfRanker(_PerQuestion):
    """Cosine similarity of character 2–4-gram TF-IDF vectors to every alternate question (numpy, dense).

    IDF and normalisation as scikit-learn's ``TfidfVectorizer`` defaults: smooth idf ``ln((1+n)/(1+df)) + 1``,
    l2 norm; n-grams the questions never contain are ignored, as ``transform`` ignores them.
    """

    def __init__(self, knowledge: KnowledgeBase) -> None:
        super().__init__(knowledge)
        counts = [char_ngrams(question) for question in self.questions]
        document_frequency: Counter[str] = Counter(gram for grams in counts for gram in grams)
        self._column = {gram: column for column, gram in enumerate(sorted(document_frequency))}
        documents = len(counts)
        self._idf = np.array(
            [math.log((1 + documents) / (1 + document_frequency[gram])) + 1 for gram in sorted(document_frequency)]
        )
        matrix = np.zeros((documents, len(self._column)), dtype=np.float64)
        for row, grams in enumerate(counts):
            for gram, count in grams.items():
                matrix[row, self._column[gram]] = count
        matrix *= self._idf
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        # Stored n-gram by question, so a query gathers whole contiguous rows.
        self._by_gram = np.ascontiguousarray(np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0).T)

    def rank(self, text: str, limit: int = RANK_DEPTH) -> list[Candidate]:
        grams = [(self._column[gram], count) for gram, count in char_ngrams(text).items() if gram in self._column]
        if not grams:
            return []
        columns = np.array([column for column, _ in grams], dtype=np.intp)
        weights = np.array([count for _, count in grams], dtype=np.float64) * self._idf[columns]
        scores = (weights / np.linalg.norm(weights)) @ self._by_gram[columns]
        return self.best_entries(scores, limit)


@dataclass(frozen=True)
class Ranking:
    """The best entries that may be answered (best first), and whether a decline entry beat them all.

    A knowledge base may hold "decline" entries: out-of-scope topics the bot recognises in order to
    say it cannot help. Every system here treats them as the matcher does: a message whose best entry
    is one gets no answer, and they are never offered as answers or suggestions.
    """

    ranked: list[Scored]
    declined: bool = False


class Rankings(Protocol):
    def ranking(self, text: str) -> Ranking: ...


class DeclineAware:
    """A baseline ranker over the whole knowledge base, decline entries handled like the matcher does."""

    def __init__(self, ranker: Ranker, knowledge: KnowledgeBase) -> None:
        self.ranker = ranker
        self.declines = frozenset(entry.id for entry in knowledge if getattr(entry, "decline", False))

    def ranking(self, text: str) -> Ranking:
        ranked = list(self.ranker.rank(text, RANK_DEPTH + len(self.declines)))
        declined = bool(ranked) and ranked[0].entry_id in self.declines
        return Ranking([c for c in ranked if c.entry_id not in self.declines][:RANK_DEPTH], declined)


class MatcherRankings:
    """The project's matcher seen as a ranker: its ranked entries and scores, before its own decision."""

    def __init__(self, matcher: Any) -> None:
        self.matcher = matcher

    def ranking(self, text: str) -> Ranking:
        match = self.matcher.match(text)
        return Ranking(list(match.ranked[:RANK_DEPTH]), bool(getattr(match, "declined", None)))


class RankedOnce:
    """Rankings computed and timed once per text, then reused for choosing thresholds and for scoring."""

    def __init__(self, source: Rankings) -> None:
        self.source = source
        self._rankings: dict[str, Ranking] = {}
        self._latency_us: dict[str, float] = {}

    def ranking(self, text: str) -> Ranking:
        if text not in self._rankings:
            started = time.perf_counter_ns()
            self._rankings[text] = self.source.ranking(text)
            self._latency_us[text] = (time.perf_counter_ns() - started) / 1000
        return self._rankings[text]

    def latency_us(self, text: str) -> float:
        return self._latency_us[text]


@dataclass(frozen=True)
class Thresholds:
    answer: float
    suggest: float
    gap: float


@dataclass(frozen=True)
class BaselineMatch:
    """What ``evaluate`` reads of a match: the outcome and the ranking."""

    outcome: str
    ranked: Sequence[Scored]

    @property
    def best(self) -> Scored | None:
        return self.ranked[0] if self.ranked else None

    @property
    def score(self) -> float:
        return self.ranked[0].score if self.ranked else 0.0


def decide(ranking: Ranking, thresholds: Thresholds) -> str:
    """Answer when good enough and clearly ahead; suggest when close; else "I don't know"."""
    ranked = ranking.ranked
    if ranking.declined or not ranked or ranked[0].score < thresholds.suggest:
        return "fallback"
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if ranked[0].score >= thresholds.answer and ranked[0].score - runner_up >= thresholds.gap:
        return "answered"
    return "ambiguous"


class ThresholdMatcher:
    """Rankings plus decision thresholds: the interface ``bot.knowledge.evaluation.evaluate`` uses."""

    def __init__(self, rankings: Rankings, thresholds: Thresholds) -> None:
        self.rankings = rankings
        self.thresholds = thresholds

    def match(self, text: str) -> BaselineMatch:
        ranking = self.rankings.ranking(text)
        return BaselineMatch(decide(ranking, self.thresholds), ranking.ranked)


def score_grids(rankings: Sequence[Ranking], points: tuple[int, int, int]) -> dict[str, list[float]]:
    """Threshold grids on a ranker's own scale: quantiles of its best scores and of its leads."""
    first, second, _ = _arrays(rankings)
    never = float(first.max(initial=0.0)) * 1.001 + 1e-6  # answering nothing always meets the limits

    def spread(values: np.ndarray, count: int) -> list[float]:
        return sorted({round(float(value), 4) for value in np.quantile(values, np.linspace(0, 1, count))})

    return {
        "answer": [*spread(first, points[0]), never],
        "gap": sorted({0.0, *spread(first - second, points[1])}),
        "suggest": sorted({0.0, *spread(first, points[2])}),
    }


def choose_thresholds(
    rankings: Sequence[Ranking], expected: Sequence[Sequence[str]], grids: dict[str, list[float]],
    max_wrong: float, min_rejection: float,
) -> tuple[Thresholds, dict[str, Any]]:
    """The grid point with the most right answers among those within both limits, and its figures.

    Every question is decided at every point at once (answer × gap × suggest × question), with the
    rule of ``decide``. Ties go to fewer wrong answers, better top-1, more rejections, then the
    highest suggest threshold, gap and answer threshold — the order ``bot/knowledge/tuning.py`` used.
    """
    first, second, declined = _arrays(rankings)
    in_scope = np.array([bool(ids) for ids in expected])
    right = np.array(
        [bool(r.ranked) and r.ranked[0].entry_id in ids for r, ids in zip(rankings, expected, strict=True)]
    )
    total, scope, out = max(len(expected), 1), max(int(in_scope.sum()), 1), max(int((~in_scope).sum()), 1)
    answer = np.asarray(grids["answer"])[:, None, None, None]
    gap = np.asarray(grids["gap"])[None, :, None, None]
    suggest = np.asarray(grids["suggest"])[None, None, :, None]
    shown = ~declined & (first >= suggest)  # answered or suggested first
    confident = shown & (first >= answer) & (first - second >= gap)
    figures = {
        "answer_accuracy": (confident & right & in_scope).sum(-1) / scope,
        "wrong_answer_rate": (confident & ~right).sum(-1) / total,
        "top1_accuracy": np.broadcast_to((shown & right & in_scope).sum(-1) / scope, confident.shape[:3]),
        "rejection_rate": (~confident & ~in_scope).sum(-1) / out,
    }
    valid = (suggest[..., 0] <= answer[..., 0]) & (figures["wrong_answer_rate"] <= max_wrong) & (
        figures["rejection_rate"] >= min_rejection
    )
    points = list(zip(*np.nonzero(valid), strict=True))
    if not points:
        raise ValueError("no grid point meets the limits; the grids must include answering nothing")

    def preference(point: tuple[Any, ...]) -> tuple[float, ...]:
        a, g, s = point
        return (-figures["answer_accuracy"][point], figures["wrong_answer_rate"][point],
                -figures["top1_accuracy"][point], -figures["rejection_rate"][point],
                -grids["suggest"][s], -grids["gap"][g], -grids["answer"][a])

    a, g, s = min(points, key=preference)
    chosen = Thresholds(grids["answer"][a], grids["suggest"][s], grids["gap"][g])
    return chosen, {name: round(float(values[a, g, s]), 4) for name, values in figures.items()}


def _arrays(rankings: Sequence[Ranking]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    first = np.array([r.ranked[0].score if r.ranked else 0.0 for r in rankings], dtype=np.float64)
    second = np.array([r.ranked[1].score if len(r.ranked) > 1 else 0.0 for r in rankings], dtype=np.float64)
    declined = np.array([r.declined for r in rankings], dtype=bool)
    return first, second, declined

"""Matching a message to knowledge-base entries, and deciding whether the match is good enough.

Two matchers vote: word-level coverage (``bot.matching.coverage``: stems, synonyms, typos, compounds,
unknown words counting against every entry, then the closest alternate question) and character
n-gram similarity (``bot.matching.ngrams``). Their fused score ranks the entries; a small calibrated model
(``bot.matching.confidence``) says how likely the best one is right, also from signals that know
nothing of the ranking: how much of the message is real words the knowledge base never uses
(``bot.matching.lexicon``), how closely it resembles everyday out-of-scope questions
(``bot.matching.background``), the best entry's closest single phrasing (``bot.matching.nearest``)
and whether it is about another place (``bot.matching.places``).
The bot answers only when that probability clears ``matching.answer_threshold``; otherwise it
offers "did you mean…" or says honestly that it does not know.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

from bot.config import MatchingSettings
from bot.knowledge.model import Entry, KnowledgeBase
from bot.matching.background import Background, corpus_questions
from bot.matching.blend import RankingParts, RankingWeights
from bot.matching.bm25 import Bm25Scorer
from bot.matching.confidence import ConfidenceModel
from bot.matching.coverage import CoverageScorer, entry_fields
from bot.matching.lexicon import is_word, warm_in_background
from bot.matching.nearest import NearestQuestion
from bot.matching.ngrams import CharScorer
from bot.matching.normalise import (
    FUNCTION_WORDS,
    content_tokens,
    content_words,
    fold,
    recent_token_tuple,
    term_tokens,
    tokenising_once,
)
from bot.matching.places import OtherPlaces
from bot.matching.semantic import SemanticScorer
from bot.matching.support import support

MatchOutcome = Literal["answered", "ambiguous", "fallback"]

RERANK_DEPTH = 5
REAL_CACHE_SIZE = 50_000
SCORING_CACHE_SIZE = 2_048  # recent texts' scorings (≈ 2 KB each)


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    score: float


@dataclass(frozen=True)
class Scoring:
    """What the matcher found before deciding: answerable entries best first, and the signals.

    ``declined`` names the out-of-scope ("decline") entry that matched best, when one did: the
    message is then a known near-miss and gets no answer, whatever the scores of the others.
    """

    ranked: list[Candidate]
    features: dict[str, float]
    declined: str | None = None


@dataclass(frozen=True)
class Match:
    """The matcher's verdict: the outcome, the best entries (best first) and the confidence."""

    outcome: MatchOutcome
    ranked: list[Candidate]
    confidence: float = 0.0
    features: dict[str, float] = field(default_factory=dict)
    declined: str | None = None

    @property
    def best(self) -> Candidate | None:
        return self.ranked[0] if self.ranked else None

    @property
    def score(self) -> float:
        """The probability that the best entry is the right answer."""
        return self.confidence

    def suggestions(self, threshold: float, limit: int) -> list[Candidate]:
        return [candidate for candidate in self.ranked[:limit] if candidate.score >= threshold]


class Matcher:
    """Built once per knowledge base; ``match`` is called once per message."""

    @tokenising_once()
    def __init__(
        self, knowledge: KnowledgeBase, settings: MatchingSettings, background: Sequence[str] | None = None
    ) -> None:
        """``background``: everyday out-of-scope questions (default: the shipped corpus in the base's languages)."""
        self.settings = settings
        self.weights = RankingWeights.of(settings)  # how the ranking blends its parts, read per message
        warm_in_background()
        self.knowledge = knowledge
        self.entries: list[Entry] = list(knowledge)
        self._ids = [entry.id for entry in self.entries]
        self._declines = frozenset(entry.id for entry in self.entries if entry.decline)
        self._real_cache: dict[str, bool] = {}
        self._scorings: dict[str, Scoring] = {}
        self._decline_rows = np.array([i for i, entry in enumerate(self.entries) if entry.decline], dtype=np.intp)
        self.coverage = CoverageScorer(self.entries)
        self.chars = CharScorer(self.entries)
        self.nearest = NearestQuestion(self.entries, self.coverage)
        if background is None:
            languages = {lang for entry in self.entries for lang in entry.questions.languages()}
            background = corpus_questions(tuple(sorted(languages)))
        self.background = Background(self.entries, background)
        self.places = OtherPlaces(self.entries)
        self.confidence = ConfidenceModel.from_settings(settings.confidence)
        # The knowledge base's own words are what messages mostly consist of: work them out once
        # at load, so a message pays per-word costs only for words the knowledge base never uses.
        known_words = {
            word for entry in self.entries for _, text in entry_fields(entry) for word in content_tokens(text)
        }
        # Function words are in nearly every message, and the commonest explain most entries.
        self.coverage.warm(known_words | FUNCTION_WORDS)
        self.chars.warm(known_words)
        # The parts the settings weigh are built now, not by the first message (which would wait for
        # the model's load), and a missing model shows when the bot starts, not when someone asks.
        if self.weights.bm25_weight > 0:
            _ = self.bm25
        if self.weights.semantic_weight > 0:
            _ = self.semantic

    @property
    def vocabulary(self) -> list[str]:
        return self.coverage.vocabulary

    def match(self, text: str) -> Match:
        """Rank the entries for ``text`` and decide: answered, ambiguous or fallback."""
        scoring = self.score(text)
        confidence = self.confidence.probability(scoring.features) if scoring.ranked else 0.0
        outcome = decide(scoring.ranked, confidence, self.settings, declined=scoring.declined is not None)
        return Match(outcome, scoring.ranked, round(confidence, 4), scoring.features, scoring.declined)

    def _real_words(self, text: str, words: list[str]) -> frozenset[str]:
        """The words the general lexicon knows, among those whose reading depends on it.

        Only words the knowledge base does not use need the lexicon (is it a typo of a known word,
        or a real word about something else?), and only for them is the text read a second time,
        to find the word as written.
        """
        unresolved = [word for word in words if self.coverage.needs_lexicon(word)]
        if not unresolved:
            return frozenset()
        cache = self._real_cache
        if any(word not in cache for word in unresolved):
            if len(cache) >= REAL_CACHE_SIZE:
                cache.clear()
            written = dict(content_words(text, markers=True))
            for word in unresolved:
                if word not in cache:  # the first spelling seen decides: folding rarely hides two words
                    cache[word] = is_word(written.get(word, word))
        return frozenset(word for word in unresolved if cache[word])

    def forget_texts(self) -> None:
        """After /forget no message of the person may stay in memory, not even as a cache key.

        The caches keyed by whole messages (recent scorings, folded and tokenised texts) are
        emptied; the per-word caches stay, since single words do not give a message back.
        """
        self._scorings.clear()
        fold.cache_clear()
        recent_token_tuple.cache_clear()

    def rank(self, text: str, limit: int = RERANK_DEPTH) -> list[Candidate]:
        """The best ``limit`` answerable entries with fused scores in [0, 1], best first."""
        return self.score(text).ranked[:limit]

    def score(self, text: str) -> Scoring:
        """The ranking and the signals the confidence model reads.

        Recent texts are remembered: the same question again (people ask the same few things
        often) costs a dictionary look-up. Copies are handed out, so no caller changes the cache.
        """
        scoring = self._scorings.get(text)
        if scoring is None:
            if len(self._scorings) >= SCORING_CACHE_SIZE:
                self._scorings.clear()
            scoring = self._scorings[text] = self._score(text)
        return Scoring(list(scoring.ranked), dict(scoring.features), scoring.declined)

    def _read(self, text: str) -> tuple[list[str], list[str], frozenset[str]] | None:
        """The message's words, its content words and the real words among them; None when there is
        nothing to match (no content word, or no entry)."""
        words = list(dict.fromkeys(term_tokens(text)))  # a repeated word adds nothing new
        content = [word for word in words if word not in FUNCTION_WORDS]
        if not content or not self.entries:
            return None
        return words, content, self._real_words(text, words)

    def _score(self, text: str) -> Scoring:
        """The ranking and the signals the confidence model reads, worked out."""
        read = self._read(text)
        if read is None:
            return Scoring([], {})
        words, content, real = read
        weights = self.weights
        parts = self._ranking_parts(text, words, content, real, bm25=weights.bm25_weight > 0,
                                    semantic=weights.semantic_weight > 0)
        lexical = parts.lexical(weights.phrase_weight)
        chars = parts.chars
        fused = parts.blend(lexical, weights)
        # Enough of the best to fill the ranking even if every decline entry is among them.
        order = _top(fused, RERANK_DEPTH + len(self._declines))
        declined = self._ids[order[0]] if self._ids[order[0]] in self._declines and fused[order[0]] > 0 else None
        order = np.array([i for i in order if self._ids[i] not in self._declines][:RERANK_DEPTH], dtype=np.intp)
        ranked = [Candidate(self._ids[i], round(float(fused[i]), 4)) for i in order if fused[i] > 0]
        if not ranked:
            return Scoring([], {}, declined)
        known = sum(self.coverage.is_known(word, word in real) for word in content)
        best = int(order[0])
        corpus_overlap, entry_overlap = self.background.compare(content, best)
        strongest_share, supporting = support(self.coverage, words, best, real)
        features = {
            "score": float(fused[best]),
            "gap": _lead(fused, best),
            "coverage": float(lexical[best]),
            "coverage_gap": _lead(lexical, best),
            "chars": float(chars[best]),
            "chars_gap": _lead(chars, best),
            "coverage_agrees": float(int(np.argmax(lexical)) == best),
            "chars_agrees": float(int(np.argmax(chars)) == best),
            "nearest": self.nearest.best(words, best, real),
            "background": corpus_overlap,
            "background_lead": entry_overlap - corpus_overlap,
            "known_share": known / len(content),
            "decline_lead": float(fused[best] - (fused[self._decline_rows].max() if len(self._decline_rows) else 0.0)),
            "length": math.log1p(len(content)),
            "strongest_share": strongest_share,
            "supporting_words": supporting,
            "semantic": float(parts.semantic[best]) if parts.semantic is not None else 0.0,
            "semantic_agrees": float(parts.semantic is not None and int(np.argmax(parts.semantic)) == best),
            "other_place": self.places.named(text),
        }
        return Scoring(ranked, features, declined)

    def ranking_parts(self, text: str, semantic: bool = True) -> RankingParts | None:
        """The scores the ranking blends, for ``kb tune`` to try other weights without rescoring
        (BM25 always, the semantic similarity unless told not to: its model costs a load)."""
        read = self._read(text)
        return None if read is None else self._ranking_parts(text, *read, bm25=True, semantic=semantic)

    @cached_property
    def bm25(self) -> Bm25Scorer:
        """Built on first use: a knowledge base that does not weigh it (``bm25_weight`` 0) never needs it."""
        return Bm25Scorer(self.entries)

    @cached_property
    def semantic(self) -> SemanticScorer:
        """Built on first use: with ``semantic_weight`` 0 the model is never loaded."""
        return SemanticScorer(self.entries)

    def _ranking_parts(self, text: str, words: list[str], content: list[str], real: frozenset[str],
                       bm25: bool = False, semantic: bool = False) -> RankingParts:
        coverage = self.coverage.scores(words, real)
        rerank = [int(index) for index in _top(coverage, RERANK_DEPTH) if coverage[index] > 0]
        return RankingParts(np.minimum(coverage, 1.0), rerank, self.coverage.phrase_similarities(content, rerank),
                            self.chars.scores(content), self.bm25.scores(words) if bm25 else None,
                            self.semantic.scores(text) if semantic else None)


def _top(scores: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` highest scores, highest first, without sorting all of them."""
    if count >= len(scores):
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, count - 1)[:count]
    return top[np.argsort(-scores[top], kind="stable")]


def _lead(scores: np.ndarray, best: int) -> float:
    """How far entry ``best`` is ahead of the strongest other entry (negative when behind)."""
    if len(scores) < 2:
        return float(scores[best])
    others = scores.copy()
    others[best] = -np.inf
    return float(scores[best] - others.max())


def decide(
    ranked: list[Candidate], confidence: float, settings: MatchingSettings, declined: bool = False
) -> MatchOutcome:
    """Answer when confident and clearly ahead; suggest when close; otherwise say "I don't know"."""
    if not ranked or declined:
        return "fallback"
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if confidence >= settings.answer_threshold and ranked[0].score - runner_up >= settings.min_gap:
        return "answered"
    if ranked[0].score >= settings.suggest_threshold and confidence >= settings.suggest_confidence:
        return "ambiguous"
    return "fallback"

"""Soft TF-IDF coverage: how much of a message each entry explains, word by word.

Each entry is one bag of stemmed terms pooled from its alternate questions, title and keywords.
A message scores, per entry, the IDF-weighted share of its content words that the entry explains:
typos are mapped to known terms with rapidfuzz, compounds are split into known parts, synonyms
share a concept, and words the knowledge base has never seen count against every entry, which is
what lets the bot say "I don't know" to "kurs i svømming for barn".

Longer than most modules on purpose: the per-word evidence (stems, typos, compounds, synonyms) and
the scoring that uses it share one vocabulary index.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from bot.knowledge.model import Entry
from bot.matching.evidence import Evidence, sum_contributions
from bot.matching.normalise import (
    FUNCTION_WORDS,
    STOP_WORDS,
    concept,
    concept_words,
    content_tokens,
    surface_stems,
    term_tokens,
    terms,
    tokens,
)

# Weights and limits of the scorer.
TYPO_CUTOFF = 80.0  # rapidfuzz ratio for a word to count as a misspelling of a known term
COMPOUND_SIMILARITY = 0.9  # a compound split into two known parts explains the word a little less
FIELD_WEIGHT = {"question": 1.0, "title": 2.0, "keyword": 2.0}
COMPOUND_PART_SHARE = 0.5  # an entry's "turistkontor" says less about "kontor" than "kontor" would
ASSOCIATION_EXPONENT = 0.5  # how much more an entry that uses a term often owns it
UNKNOWN_WORD_WEIGHT = 0.75  # share of the highest IDF that an unknown word weighs
UNKNOWN_REAL_WORD_WEIGHT = 1.0  # the same for a real word (in the lexicon) the knowledge base never uses
TYPO_GUARD = True  # a real word is never corrected towards a knowledge-base word
UNKNOWN_WORDS_EXPONENT = 0.3  # n unknown words weigh like n**0.3 of them
LONG_MESSAGE_MASS = 3.0  # words' worth of top weight before a long message stops diluting fully
LONG_MESSAGE_DILUTION = 0.2  # how much each further word's weight still dilutes
COURTESY_DILUTION = 0.5  # how much "thanks"/"hello" weight counts against content entries
DECLINE_UNKNOWN = True  # a word only decline entries use does not count as known to the knowledge base
TERM_CACHE_SIZE = 50_000
MIN_PART_LENGTH = 4


@dataclass
class _TermMatch:
    """How one message word is explained: known terms with a similarity, or compound parts."""

    direct: list[tuple[str, float]] = field(default_factory=list)
    parts: list[tuple[str, float]] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return bool(self.direct or self.parts)


class CoverageScorer:
    """Built once per knowledge base; ``scores`` is called once per message."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self._smalltalk = np.array([entry.smalltalk for entry in self.entries], dtype=bool)
        self._decline = np.array([entry.decline for entry in self.entries], dtype=bool)
        term_counts = [_entry_term_counts(entry) for entry in self.entries]
        self.vocabulary: list[str] = sorted({term for counts in term_counts for term in counts})
        self._vocabulary_set = frozenset(self.vocabulary)
        # Every form the knowledge base writes (word, stem, synonym) mapped to its term: what
        # compound parts are looked up in, and what a typo is corrected towards, so a misspelt
        # "vieledning" still finds "veiledning" and through it its synonym group.
        self.known_forms = _known_forms(self.entries, self._vocabulary_set)
        _add_compound_parts(term_counts, self.known_forms)
        self._postings, self._idf = _postings(term_counts)
        self._max_idf = max(self._idf.values(), default=1.0)
        self._courtesy = frozenset(
            term
            for term, (indices, _) in self._postings.items()
            if self._smalltalk[indices].all()
        )
        self._phrases = [_entry_phrases(entry) for entry in self.entries]
        self._evidence_cache: dict[str, Evidence] = {}
        self._needs_lexicon: dict[str, bool] = {}
        self._splits: dict[str, tuple[str, str] | None] = {}
        # People rarely mistype a word's first letter; bucketing by it keeps "bostøtte" from
        # being read as "støtte" and makes each lookup several times cheaper.
        self._typo_lexicon: dict[str, list[str]] = defaultdict(list)
        for form in sorted(self.known_forms):
            self._typo_lexicon[form[0]].append(form)

    def scores(self, words: list[str], real: frozenset[str] = frozenset()) -> np.ndarray:
        """Per entry, the weighted share of ``words`` it explains (not clipped: order above 1 matters).

        ``real`` are the words the general lexicon knows: they are never taken for typos.
        """
        topical: list[Evidence] = []
        courtesy: list[Evidence] = []
        unknown: list[float] = []
        cache = self._evidence_cache
        for word in words:  # one pass, the cache read directly: this runs for every word of every message
            item = cache.get(f"!{word}" if TYPO_GUARD and word in real else word) or self._evidence(word, word in real)
            if item.rows is not None:
                (courtesy if item.courtesy else topical).append(item)
            elif word not in FUNCTION_WORDS:  # a function word no entry uses says nothing against any
                unknown.append(item.weight)
        explained_content = sum_contributions(topical, len(self.entries))
        explained = explained_content + sum_contributions(courtesy, len(self.entries))
        content_mass = sum(item.weight for item in topical)
        courtesy_mass = sum(item.weight for item in courtesy)
        # Unknown words count against every entry, but sub-linearly: a long message full of
        # personal context is still about its known words; a short one about swimming is not.
        penalty = max(unknown, default=0.0) * len(unknown) ** UNKNOWN_WORDS_EXPONENT
        total = content_mass + courtesy_mass + penalty
        if total <= 0:
            return np.zeros(len(self.entries))
        # A long message is judged on its best-explained part: beyond a few words' worth of
        # weight, more context dilutes the score only a little.
        cap = LONG_MESSAGE_MASS * self._max_idf
        content_total = content_mass + penalty
        if content_total > cap:
            content_total = cap + LONG_MESSAGE_DILUTION * (content_total - cap)
        # Content entries are judged on content words ("hei, kurs?" is about courses), but a
        # message that is mostly thanks is not a question about the one topic word it contains.
        content_total += COURTESY_DILUTION * courtesy_mass
        content = explained_content / content_total if content_total > 0 else explained_content
        # Not clipped here: the order of entries above 1 still matters; ``rank`` clips scores.
        return np.asarray(np.where(self._smalltalk, explained / total, content))

    def _contribution(self, term_match: _TermMatch) -> np.ndarray:
        best = np.zeros(len(self.entries))
        for term, similarity in term_match.direct:
            indices, association = self._postings[term]
            np.maximum.at(best, indices, similarity * association)
        if term_match.parts:
            combined = np.zeros(len(self.entries))
            share = COMPOUND_SIMILARITY / len(term_match.parts)
            for term, similarity in term_match.parts:
                indices, association = self._postings[term]
                np.add.at(combined, indices, share * similarity * association)
            best = np.maximum(best, combined)
        return best

    def _weight(self, word: str, term_match: _TermMatch, real: bool) -> float:
        if term_match.direct:
            return max(self._idf[term] for term, _ in term_match.direct)
        if term_match.parts:
            return sum(self._idf[term] for term, _ in term_match.parts) / len(term_match.parts)
        if word.isdigit() or len(word) <= 2:
            return 0.3 * UNKNOWN_WORD_WEIGHT * self._max_idf
        return (UNKNOWN_REAL_WORD_WEIGHT if real else UNKNOWN_WORD_WEIGHT) * self._max_idf

    def _evidence(self, word: str, real: bool = False) -> Evidence:
        """What one message word says about every entry; cached, since words recur."""
        key = f"!{word}" if real and TYPO_GUARD else word
        cached = self._evidence_cache.get(key)
        if cached is None:
            if len(self._evidence_cache) >= TERM_CACHE_SIZE:
                self._evidence_cache.clear()  # users' vocabulary is unbounded; memory is not
            term_match = self._explain_uncached(word, real and TYPO_GUARD)
            weight = self._weight(word, term_match, real)
            rows = values = None
            if term_match.known:
                # float32: a cache of thousands of words at half the memory, ample precision
                vector = (self._contribution(term_match) * weight).astype(np.float32)
                rows = np.flatnonzero(vector > 0).astype(np.int32)
                values = vector[rows]
            share = COMPOUND_SIMILARITY / max(1, len(term_match.parts))
            matched = tuple(term_match.direct) or tuple((term, share * sim) for term, sim in term_match.parts)
            decline_only = rows is not None and bool(self._decline[rows].all())
            cached = Evidence(weight, rows, values, term_match.known and self._is_courtesy(term_match), matched,
                               decline_only)
            self._evidence_cache[key] = cached
        return cached

    def _is_courtesy(self, term_match: _TermMatch) -> bool:
        terms = [term for term, _ in term_match.direct] or [term for term, _ in term_match.parts]
        return bool(terms) and all(term in self._courtesy for term in terms)

    def _explain_uncached(self, word: str, real: bool = False) -> _TermMatch:
        word_stems = word_terms(word)
        known = [(stem, 1.0) for stem in word_stems if stem in self._vocabulary_set]
        if known:
            return _TermMatch(direct=known)
        parts = self._split(word_stems[0])
        if parts:
            return _TermMatch(parts=[(part, 1.0) for part in parts])
        if len(word) < 5 or word.isdigit() or real:
            return _TermMatch()
        typos = process.extract(
            word_stems[0],
            self._typo_lexicon.get(word[0], []),
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=TYPO_CUTOFF,
            limit=3,
        )
        corrected: dict[str, float] = {}
        for form, score, _ in typos:
            term = self.known_forms[form]
            corrected[term] = max(corrected.get(term, 0.0), score / 100.0)
        return _TermMatch(direct=list(corrected.items()))

    def warm(self, words: Iterable[str]) -> None:
        """Work out what ``words`` say about every entry now, so messages using them pay nothing."""
        for word in words:
            self._evidence(word)

    def evidence(self, word: str, real: bool = False) -> Evidence:
        """What ``word`` stands for in the knowledge base (cached)."""
        return self._evidence(word, real)

    def needs_lexicon(self, word: str) -> bool:
        """Whether reading ``word`` depends on its being a real word: the knowledge base does not use it."""
        needed = self._needs_lexicon.get(word)
        if needed is None:
            if len(self._needs_lexicon) >= TERM_CACHE_SIZE:
                self._needs_lexicon.clear()
            needed = not (word.isdigit() or len(word) <= 2 or word in FUNCTION_WORDS) and not self._directly_known(word)
            self._needs_lexicon[word] = needed
        return needed

    def _directly_known(self, word: str) -> bool:
        word_stems = word_terms(word)
        return any(stem in self._vocabulary_set for stem in word_stems) or bool(self._split(word_stems[0]))

    def _split(self, stem: str) -> tuple[str, str] | None:
        """``split_compound`` against the known forms; cached, since a new word is first asked
        whether it needs the lexicon and then explained."""
        if stem in self._splits:
            return self._splits[stem]
        if len(self._splits) >= TERM_CACHE_SIZE:
            self._splits.clear()
        parts = self._splits[stem] = split_compound(stem, self.known_forms)
        return parts

    def is_known(self, word: str, real: bool = False) -> bool:
        """Whether an answerable entry explains ``word`` (a word only decline entries use is not known)."""
        evidence = self._evidence(word, real)
        return evidence.known and not (DECLINE_UNKNOWN and evidence.decline_only)

    def phrase_similarity(self, words: list[str], index: int) -> float:
        """The closest alternate question or title of entry ``index``, word order ignored."""
        return self.phrase_similarities(words, [index])[0]

    def phrase_similarities(self, words: list[str], indices: list[int]) -> list[float]:
        """Per entry of ``indices``, its closest alternate question or title, word order ignored.

        Equal to rapidfuzz's ``token_sort_ratio``, but the phrases' words were sorted once at load,
        so a message costs plain ``ratio``s; ``extractOne`` per entry raises its cutoff as it finds
        closer phrasings, which skips most of the rest.
        """
        query = " ".join(sorted(words))
        best: list[float] = []
        for index in indices:
            found = process.extractOne(query, self._phrases[index], scorer=fuzz.ratio, processor=None)
            best.append(found[1] / 100.0 if found else 0.0)
        return best


def entry_fields(entry: Entry) -> Iterable[tuple[str, str]]:
    """Every text of an entry the matchers learn from, with its kind (title, question, keyword)."""
    for lang in entry.title.languages():
        yield "title", entry.title.get(lang)
    for question in entry.questions.all():
        yield "question", question
    for keyword in entry.keywords:
        yield "keyword", keyword


def entry_phrasings(entry: Entry) -> list[str]:
    """An entry's titles and alternate questions: the texts that read as a question, keywords not."""
    return [text for kind, text in entry_fields(entry) if kind != "keyword"]


def word_terms(word: str) -> tuple[str, ...]:
    """A word's terms; a function word ("not", "når", "your") is a term of its own, never a stem that
    another word shares once folded ("nærheten" stems to "nar", like "når")."""
    return (f"~{word}",) if word in FUNCTION_WORDS else terms(word)


def text_terms(text: str) -> set[str]:
    """The terms of all of a text's words."""
    return {term for word in term_tokens(text) for term in word_terms(word)}


def _known_forms(entries: list[Entry], vocabulary: frozenset[str]) -> dict[str, str]:
    forms = {term: term for term in vocabulary}
    for stem in concept_words():
        if concept(stem) in vocabulary:
            forms.setdefault(stem, concept(stem))
    for entry in entries:
        for _, text in entry_fields(entry):
            for word in tokens(text):
                known = [term for term in terms(word) if term in vocabulary]
                if known and word not in STOP_WORDS:
                    forms.setdefault(word, known[0])
            for stem in surface_stems(text):
                if concept(stem) in vocabulary:
                    forms.setdefault(stem, concept(stem))
    return forms


def _entry_term_counts(entry: Entry) -> dict[str, float]:
    counts: dict[str, float] = defaultdict(float)
    for kind, text in entry_fields(entry):
        for term in text_terms(text):
            counts[term] += FIELD_WEIGHT[kind]
    return counts


def _entry_phrases(entry: Entry) -> list[str]:
    return [" ".join(sorted(content_tokens(text))) for kind, text in entry_fields(entry) if kind != "keyword"]


def split_compound(term: str, known: Mapping[str, str]) -> tuple[str, str] | None:
    """Split a Norwegian compound ("grunderkurs") into two known terms, longest tail first.

    ``known`` maps every form the knowledge base uses to its term, so no part is stemmed here:
    this runs for every unknown word of a message and must stay cheap.
    """
    for cut in range(MIN_PART_LENGTH, len(term) - MIN_PART_LENGTH + 1):
        tail = known.get(term[cut:])
        if tail is None:
            continue
        head = term[:cut]
        for candidate in (head, head[:-1]) if head.endswith(("s", "e")) else (head,):
            if len(candidate) >= MIN_PART_LENGTH - 1 and candidate in known:
                return known[candidate], tail
    return None


def _add_compound_parts(term_counts: list[dict[str, float]], known: Mapping[str, str]) -> None:
    """An entry about "etablererveiledning" also answers to "veiledning" and "etablerer"."""
    for counts in term_counts:
        for term, count in list(counts.items()):
            parts = split_compound(term, known) if len(term) >= 2 * MIN_PART_LENGTH else None
            for part in parts or ():
                counts[part] = max(counts.get(part, 0.0), count * COMPOUND_PART_SHARE)


def _postings(
    term_counts: list[dict[str, float]],
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, float]]:
    by_term: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for index, counts in enumerate(term_counts):
        for term, count in counts.items():
            by_term[term].append((index, count))
    entry_count = len(term_counts)
    postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    idf: dict[str, float] = {}
    for term, pairs in by_term.items():
        indices = np.array([index for index, _ in pairs], dtype=np.intp)
        weights = np.array([count for _, count in pairs])
        association = (weights / weights.max()) ** ASSOCIATION_EXPONENT
        postings[term] = (indices, association)
        idf[term] = math.log(1 + entry_count / len(pairs))
    return postings, idf

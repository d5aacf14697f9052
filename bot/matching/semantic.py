"""Meaning beside words: a static sentence embedding, for phrasings that share no word with a question.

"You have my sincere gratitude" is a thank-you, and "my card got eaten by the machine" a retained
card, though neither shares a word with any phrasing of its entry; the lexical scorers cannot see
that. WordLlama's 256-dimension model (its wheel ships the weights and the tokenizer; nothing is
downloaded) averages token vectors into a sentence vector, and an entry scores by how close a message
comes to its nearest phrasing and to the mean of all of them.

It is one more part of the ranking, weighted by ``matching.semantic_weight``, which ``kb tune``
chooses for a knowledge base in English (``LANGUAGES``). Its Norwegian is weak: on the shipped
knowledge base it ranks more held-out questions first, but out-of-scope questions come as close as
paraphrases, and the development sets, each scored with the others as tuning data, got 2.5 % wrong
answers instead of 1.5 %. So the shipped knowledge base keeps 0, and with 0 the model is never
loaded: it costs neither the 40 MB nor the 0.2 s its load takes.

The package is found, not imported: ``import wordllama`` configures the logging of the whole
process and imports much that is not needed to average vectors.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import numpy as np

from bot.knowledge.model import Entry
from bot.matching.coverage import entry_phrasings

MODEL = "l2_supercat"
DIMENSIONS = 256  # the only size the wheel ships
LANGUAGES = frozenset({"en"})  # a knowledge base in these only is one kb tune tries the semantic part for
NEAREST_SHARE = 0.5  # the nearest phrasing's part in an entry's score; the mean of all has the rest


class Embedder:
    """Sentence vectors: the mean of the text's token vectors (as WordLlama pools them), of unit length
    (zero for no token)."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizers" / f"{MODEL}_tokenizer_config.json"))
        # Kept in half precision as shipped (16 MB): a message reads only its own tokens' rows.
        self._vectors = load_file(str(folder / "weights" / f"{MODEL}_{DIMENSIONS}.safetensors"))["embedding.weight"]

    def embed(self, texts: list[str]) -> np.ndarray:
        # One text at a time: the tokenizer's batch call starts threads, which a forked ``kb tune``
        # worker must not inherit.
        out = np.zeros((len(texts), self._vectors.shape[1]), dtype=np.float32)
        for row, text in enumerate(texts):
            # Lower case: the model's tokens are not, and "WHERE IS MY BAGGAGE" would come only 0.53
            # close to "where is my baggage" (the other scorers fold case too).
            ids = self._tokenizer.encode(text.lower(), add_special_tokens=False).ids
            if ids:
                out[row] = self._vectors[ids].astype(np.float32).sum(axis=0)  # the mean's direction
        lengths = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, lengths, out=out, where=lengths > 0)


@cache
def embedder() -> Embedder:
    """The model, loaded once per process on first use."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matching.semantic_weight needs the wordllama package: pip install wordllama")
    return Embedder(Path(next(iter(spec.submodule_search_locations))))


class SemanticScorer:
    """Built once per knowledge base (on first use, see ``Matcher.semantic``); ``scores`` once per message."""

    def __init__(self, entries: list[Entry]) -> None:
        rows, texts = [], []
        for row, entry in enumerate(entries):
            for text in entry_phrasings(entry):
                rows.append(row)
                texts.append(text)
        self.size = len(entries)
        self._phrasings = embedder().embed(texts)
        # The phrasings come entry by entry: each entry's are one run, reduced in one call.
        self._entries, self._starts = np.unique(np.array(rows, dtype=np.intp), return_index=True)
        means = np.zeros((self.size, self._phrasings.shape[1]), dtype=np.float32)
        if texts:
            means[self._entries] = np.add.reduceat(self._phrasings, self._starts, axis=0)
        lengths = np.linalg.norm(means, axis=1, keepdims=True)
        self._means = np.divide(means, lengths, out=means, where=lengths > 0)

    def scores(self, text: str) -> np.ndarray:
        """Per entry, how close ``text`` comes in meaning, in [0, 1] (cosines below 0 count as 0)."""
        vector = embedder().embed([text])[0]
        nearest = np.zeros(self.size, dtype=np.float32)
        if len(self._starts):
            nearest[self._entries] = np.maximum.reduceat(self._phrasings @ vector, self._starts)
        score = NEAREST_SHARE * nearest + (1 - NEAREST_SHARE) * (self._means @ vector)
        return np.clip(score, 0.0, 1.0)

"""Matching a question to entries: the matcher and its decision (matcher), word-level coverage
(coverage), character n-grams (ngrams), the confidence model (confidence), text normalisation
(normalise) and the question's language (language)."""

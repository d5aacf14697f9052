"""Matching a question to entries: the matcher and its decision (matcher), word-level coverage
(coverage) and its per-word evidence (evidence), character n-grams (ngrams), the closest single
alternate question (nearest), everyday out-of-scope questions as a background (background), the
general-language lexicon (lexicon), the confidence model (confidence), text normalisation
(normalise) and the question's language (language)."""

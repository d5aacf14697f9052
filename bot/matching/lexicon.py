"""Is a word a real word of Norwegian or English? The general-language lexicon of the matcher.

A word the knowledge base does not use may be a misspelling of one it does ("vieledning") or a
real word about something else ("meningen", "lisboa", "sykepenger"). Only the first may be
corrected towards the knowledge base; the second is content the knowledge base does not explain.
The lexicon is every word wordfreq has seen often enough in Bokmål or English (nynorsk words
mostly appear in its Bokmål list), looked up as the user wrote it (æøå intact). simplemma's
dictionaries were measured too: no better on the development sets, and 0.8 s more to load.
"""

from __future__ import annotations

import threading

MIN_ZIPF = 2.5  # seen about 3 times per 10 million words; rarer words may be typos (wordfreq's Zipf scale)
LANGUAGES = ("nb", "en")
_lock = threading.Lock()
_words: frozenset[str] | None = None


def is_word(word: str) -> bool:
    """True when ``word`` (lower-case, as written) is a common enough Norwegian or English word."""
    return len(word) >= 3 and not word.isdigit() and word in lexicon()


def lexicon() -> frozenset[str]:
    """The words, loaded on first use (about 0.2 s, 90,000 words)."""
    global _words
    if _words is None:
        with _lock:
            if _words is None:
                _words = _load()
    return _words


def warm_in_background() -> None:
    """Load the lexicon in a thread, once, so start-up and the first message do not wait for it."""
    if _words is None and not _lock.locked():
        threading.Thread(target=lexicon, name="lexicon-warm-up", daemon=True).start()


def _load() -> frozenset[str]:
    from wordfreq import get_frequency_list

    words: set[str] = set()
    for lang in LANGUAGES:
        # Bucket i holds the words of frequency 10**(-i/100): Zipf 9 - i/100.
        for bucket, found in enumerate(get_frequency_list(lang)):
            if 9 - bucket / 100 < MIN_ZIPF:
                break
            words.update(found)
    get_frequency_list.cache_clear()  # the full lists are ten times the size of what is kept
    return frozenset(words)

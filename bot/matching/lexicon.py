"""Is a word a real word of Norwegian or English? The general-language lexicon of the matcher.

A word the knowledge base does not use may be a misspelling of one it does ("vieledning") or a
real word about something else ("meningen", "lisboa", "sykepenger"). Only the first may be
corrected towards the knowledge base; the second is content the knowledge base does not explain.
The lexicon is every word wordfreq has seen often enough in Bokmål or English (nynorsk words
mostly appear in its Bokmål list), looked up as the user wrote it (æøå intact). simplemma's
dictionaries were measured too: no better on the development sets, and 0.8 s more to load.
"""

from __future__ import annotations

import gzip
import importlib.util
import logging
import threading
from pathlib import Path

MIN_ZIPF = 2.5  # seen about 3 times per 10 million words; rarer words may be typos (wordfreq's Zipf scale)
LANGUAGES = ("nb", "en")
logger = logging.getLogger(__name__)
_lock = threading.Lock()
_words: frozenset[str] | None = None


def is_word(word: str) -> bool:
    """True when ``word`` (lower-case, as written) is a common enough Norwegian or English word."""
    return len(word) >= 3 and not word.isdigit() and word in lexicon()


def lexicon() -> frozenset[str]:
    """The words, loaded on first use (about 0.03 s, 90,000 words)."""
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
    words: set[str] = set()
    for lang in LANGUAGES:
        words.update(_frequent_words(lang))
    return frozenset(words)


def _frequent_words(lang: str) -> list[str]:
    """wordfreq's words of ``lang`` down to ``MIN_ZIPF``, read from its own data file.

    wordfreq keeps each list as one gzipped msgpack array (its "cBpack" format: a header, then
    bucket i holding the words of frequency 10**(-i/100), i.e. Zipf 9 - i/100). Streaming it and
    stopping at ``MIN_ZIPF`` reads a tenth of the file and skips importing wordfreq itself
    (ftfy, langcodes, regex): ≈ 0.03 s instead of ≈ 0.2 s of start-up. Any surprise in the file
    falls back to wordfreq's own reader.
    """
    try:
        import msgpack
    except ImportError:
        return _frequent_words_by_wordfreq(lang)
    try:
        found: list[str] = []
        with gzip.open(_data_file(lang), "rb") as data:
            unpacker = msgpack.Unpacker(data, raw=False, read_size=1 << 16)
            buckets = unpacker.read_array_header() - 1
            header = unpacker.unpack()
            if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
                raise ValueError(f"unexpected wordfreq header {header!r}")
            for bucket in range(buckets):
                if 9 - bucket / 100 < MIN_ZIPF:
                    break
                found.extend(unpacker.unpack())
        return found
    except (ImportError, LookupError, OSError, ValueError, msgpack.UnpackException) as error:
        logger.info("Reading wordfreq's %s list directly failed (%s); using wordfreq", lang, error)
    return _frequent_words_by_wordfreq(lang)


def _data_file(lang: str) -> Path:
    spec = importlib.util.find_spec("wordfreq")  # finds the package without importing it
    if spec is None or spec.origin is None:
        raise LookupError("wordfreq is not installed")
    return Path(spec.origin).parent / "data" / f"large_{lang}.msgpack.gz"


def _frequent_words_by_wordfreq(lang: str) -> list[str]:
    from wordfreq import get_frequency_list

    found: list[str] = []
    # Bucket i holds the words of frequency 10**(-i/100): Zipf 9 - i/100.
    for bucket, words in enumerate(get_frequency_list(lang)):
        if 9 - bucket / 100 < MIN_ZIPF:
            break
        found.extend(words)
    get_frequency_list.cache_clear()  # the full lists are ten times the size of what is kept
    return found

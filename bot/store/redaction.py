"""Strip personal data from texts before they are stored or shown to staff.

Næringsbot logs every question so the business-development team can see what people ask,
and hands some conversations to staff. GDPR's data minimisation (art. 5(1)(c)) means we must
not keep or pass on the e-mail addresses, phone numbers, fødselsnummer and account numbers
people paste into a chat; placeholders replace them, so the question stays readable.

Design decisions:

* Unicode is normalised first (NFKC, then zero-width and bidi controls dropped): a number split
  by an invisible character or a thin/no-break space, or in full-width digits, reads the same
  to a person, so it must to the patterns. The normalised text is returned: the raw one would
  keep the hiding place.
* Identifiers that are unambiguously personal are matched generously. Every undivided
  11-digit run is a fødselsnummer/D-nummer (or an unformatted account number); there is no
  checksum or date validation, because a mistyped number still identifies a person. Only the
  looser date-shaped spellings ("01.01.90 12345") must start with a plausible date.
* Eight-digit phone numbers are matched only in the groupings people actually write.
  Thousands grouping ("1 500 000") is not one of them; the one grouping it shares, 2+3+3,
  counts only for mobile numbers (4x/9x) not ending in 000. Numbers next to "kr"/"NOK"/
  "kroner" are amounts, and 4+4 pairs that read as year, round-number or postcode ranges
  ("2013-2026", "5000 8000", "3015-3018") are ranges.
* Organisation numbers (9 digits, "912 345 678") are deliberately left alone: they identify
  companies, are public in Enhetsregisteret, and are what a business-development bot needs.
* Every pattern is fenced, so digits glued to other digits or letters (reference codes,
  longer numbers) are never half-matched; only label words may touch ("tlf91234567").
* Longer identifiers win: e-mail first (local parts may hold digits), then IBAN, account and
  fødselsnummer (11+ digits) before phones (8), so nothing leaves a phone-shaped fragment.
* Speed: ``re`` costs tens of nanoseconds per position and pattern, so patterns run only in
  short windows around what they need (8+ digits, an '@', an "at"/"dot"), and the number
  patterns are one alternation, scanned once per window.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator

EMAIL = "[e-post]"
PHONE = "[telefon]"
NATIONAL_ID = "[fødselsnummer]"
ACCOUNT = "[kontonummer]"

Replacement = str | Callable[[re.Match[str]], str]

# Zero-width space/joiners, LRM/RLM, bidi embeddings/overrides, word joiner, bidi isolates, BOM.
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")

_SEP = "[ .-]"  # one separator between digit groups (NFKC has made every exotic space a plain one)
_END = r"(?!\w)"

# --- e-mail ------------------------------------------------------------------------------
# Plain addresses, also at a bare host ("kari@intranett") or an IP literal ("kari@[10.0.0.1]").
# A local part never follows '/': "/start@naeringsbot" is a Telegram command, not an address.
_LOCAL = r"(?<![\w.%+/-])[\w.%+-]++"
_EMAIL_RE = re.compile(rf"{_LOCAL}@(?:\[[\w.:]+\]|[\w-]+(?:\.[\w-]+)*)(?![\w-])")
# Obfuscated: "kari(at)firma.no", "kari [at] firma [dot] no", "kari @ firma . no", "kari at firma
# dot no". A spelled " at " needs a spelled " dot ": "at" is Norwegian for "that" too.
_AT = r"(?: ?[(\[{<] ?at ?[)\]}>] ?| @ ?|@ | krøllalfa )"
_DOT = r"(?:\.| \. | ?[(\[{<] ?dot ?[)\]}>] ?| dot )"
_OBFUSCATED_EMAIL_RE = re.compile(
    rf"{_LOCAL}(?:{_AT}(?:[\w-]+{_DOT})+| at (?:[\w-]+ dot )+)[^\W\d_]{{2,}}(?![\w-])", re.IGNORECASE
)
# Substrings an obfuscated address cannot be written without (looked for in lower case).
_OBFUSCATION_HINTS = (" @", "@ ", "(at", "[at", "{at", "<at", "( at", "[ at", " dot ", "krøllalfa")

# --- numbers -----------------------------------------------------------------------------
# IBAN, any country and case, grouped or not ("DE89 3704 0044 0532 0130 00"): country, check
# digits, 11+ characters (Norway's, the shortest). Only the first group may be all letters (a
# bank code: "gb82 west 1234 5698 7654 32"), so the words after an IBAN are not swallowed.
_GROUP = r"(?: ?(?=[a-z]{0,3}\d)[a-z0-9]{4})"  # a later group of four, holding a digit
_IBAN = (
    r"(?<!\w)(?i:[a-z]{2}\d\d ?[a-z0-9]{4}"  # country, check digits, first group
    rf"(?:{_GROUP}{{2,6}}(?: ?(?=[a-z]{{0,2}}\d)[a-z0-9]{{1,3}})?"  # 2+ more groups, maybe a short tail
    rf"|{_GROUP} ?(?=[a-z]{{0,2}}\d)[a-z0-9]{{3}}))"  # or Norway's 4+4+3
)
# Account numbers, 4+2+5 digits: "1234.56.78901", "1234 56 78901", "1234 5678901", and with the
# last five split 3+2 as some banks print them ("1234.56.789 01").
_ACCOUNT = rf"\d{{4}}{_SEP}\d\d{_SEP}?\d{{3}}[ .]?\d\d"
# Fødselsnummer and D-nummer: 6-digit date + 5-digit personal number, undivided, with one
# separator, or with the date written out ("01.01.90 12345", "01 01 90-12345"); see _national_id.
_NATIONAL_ID = rf"\d\d(?P<d>[ ./-]?)\d\d(?P=d)\d\d{_SEP}?\d{{5}}"
# International numbers need a literal '+', the only reliable signal across numbering plans;
# the digit count is checked in _international (groups alone are too loose).
_INTERNATIONAL = rf"(?:\(\+[1-9]\d{{0,2}}\)|\+[1-9]\d{{0,2}})(?:{_SEP}?(?:\(\d{{1,4}}\)|\d{{1,4}})){{2,12}}"
# Norwegian subscriber numbers: 8 digits, optionally after +47 / 0047 / 47 / (+47). Grouped forms
# keep one separator throughout, so opening hours like "08-16 10-14" do not match. 4+4 takes a
# space or, from 2xxx up (no number starts 0/1; "0800-1600" is a time), a dash; see _phone.
_PHONE = (
    rf"(?:(?:\(\+47\)|\+47|0047|47){_SEP}?)?(?:\d{{8}}"
    rf"|\d{{3}}(?P<a>{_SEP})(?:\d\d(?P=a)\d{{3}}|\d{{3}}(?P=a)\d\d)"  # 912 34 567, 912 345 67
    rf"|\d\d(?P<b>{_SEP})\d\d(?P=b)\d\d(?P=b)\d\d"  # 91 23 45 67
    rf"|[49]\d(?P<c>{_SEP})\d{{3}}(?P=c)(?!000)\d{{3}}"  # 91 234 567, never 12 500 000
    r"|\d{4}(?: |(?<=[2-9]\d{3})-)\d{4}"  # 9123 4567, 9123-4567
    r"|\d(?<!\d \d)(?: \d){7}(?! \d))"  # 9 1 2 3 4 5 6 7, but not a longer list of digits
)
# One alternation, longest identifiers first. Apart from an IBAN, no match starts right after a
# digit, '_' or '+'; a letter may precede only as a label ("tlf91234567"), which _glued checks.
# The lookahead in front of each branch only makes the many failing positions cheap (4x faster).
_NUMBER_RE = re.compile(
    rf"(?=[a-zA-Z]{{2}}\d)(?P<iban>{_IBAN}){_END}"
    rf"|(?=[\d+(])(?<![\d_+])(?:(?P<account>{_ACCOUNT})|(?P<national_id>{_NATIONAL_ID})"
    rf"|(?P<international>{_INTERNATIONAL})|(?P<phone>{_PHONE})){_END}"
)

# Where number patterns can match at all: 8+ digits, each at most 3 non-word characters apart.
_DIGIT_STRETCH_RE = re.compile(r"\d(?:\W{0,3}+\d){7,}")
_LABEL_RE = re.compile(r"\b(?:tlf|tel|telefon|mob|mobil|phone|fnr|dnr|konto|kontonr)$", re.IGNORECASE)
_AMOUNT_BEFORE_RE = re.compile(r"\b(?:kr\.?|nok) $", re.IGNORECASE)
_AMOUNT_AFTER_RE = re.compile(r" *(?:kr|kroner|nok)\b|,-", re.IGNORECASE)
_FOUR_FOUR_RE = re.compile(r"(\d{4})([ -])(\d{4})$")
# How far number patterns and checks reach beyond the digits ("gb82 west ", "telefon", " kroner"),
# and how far an obfuscated address reaches from its "at"/"dot" ("kari.nordmann [at] firma").
_NUMBER_MARGIN = 12
_OBFUSCATION_MARGIN = 40


def _glued(match: re.Match[str]) -> bool:
    """True if a letter touches the number and is not the end of a label such as "tlf"."""
    text, start = match.string, match.start()
    if start == 0 or not text[start - 1].isalpha():
        return False
    return not _LABEL_RE.search(text, max(0, start - 8), start)


def _is_amount(match: re.Match[str]) -> bool:
    """True for "kr 12345678", "NOK 12345678", "12345678 kroner" and "12345678,-"."""
    text, start = match.string, match.start()
    return bool(_AMOUNT_BEFORE_RE.search(text, max(0, start - 5), start) or _AMOUNT_AFTER_RE.match(text, match.end()))


def _national_id(match: re.Match[str]) -> str | None:
    """Undivided forms always count; date-shaped ones need a real day (D-nummer: +40) and month
    (H-nummer: +40), or "12 34 56 78901" would be taken for a person."""
    if not match["d"]:
        return NATIONAL_ID
    day, month = int(match.group()[:2]), int(match.group()[3:5])
    plausible = (1 <= day <= 31 or 41 <= day <= 71) and (1 <= month <= 12 or 41 <= month <= 52)
    return NATIONAL_ID if plausible else None


_MIN_INTERNATIONAL_DIGITS = 8


def _international(match: re.Match[str]) -> str | None:
    """Redact only real-looking numbers: "+1 500 000 kr" style deltas have too few digits."""
    digits = sum(char.isdigit() for char in match.group())
    return PHONE if digits >= _MIN_INTERNATIONAL_DIGITS and not _is_amount(match) else None


def _phone(match: re.Match[str]) -> str | None:
    """Redact unless the number is an amount or a 4+4 pair that reads as a range."""
    if _is_amount(match):
        return None
    pair = _FOUR_FOUR_RE.search(match.group())
    if pair:
        low, high = int(pair[1]), int(pair[3])
        years = 1800 <= low <= 2099 and 1800 <= high <= 2099  # "2013-2026", "2019 2020"
        round_numbers = low % 100 == 0 and high % 100 == 0  # "5000-8000", "2200-0600"
        close = pair[2] == "-" and 0 < high - low < 100  # postcodes "3015-3018"
        if years or round_numbers or close:
            return None
    return PHONE


_DECIDE: dict[str, Callable[[re.Match[str]], str | None]] = {
    "iban": lambda match: ACCOUNT,
    "account": lambda match: ACCOUNT,
    "national_id": _national_id,
    "international": _international,
    "phone": _phone,
}


def _number(match: re.Match[str]) -> str:
    """Placeholder for a number-shaped match, or the match itself if it is not personal data."""
    kind = match.lastgroup or ""
    placeholder = None if kind != "iban" and _glued(match) else _DECIDE[kind](match)
    return placeholder or match.group()


def _occurrences(text: str, needles: tuple[str, ...]) -> list[tuple[int, int]]:
    """Sorted spans of every occurrence of ``needles``; ``str.find`` is far faster than ``re``."""
    spans = []
    for needle in needles:
        start = text.find(needle)
        while start >= 0:
            spans.append((start, start + len(needle)))
            start = text.find(needle, start + 1)
    return sorted(spans)


def _windows(text: str, anchors: Iterable[tuple[int, int]], margin: int) -> Iterator[tuple[int, int]]:
    """Merged ``(start, end)`` spans reaching ``margin`` past each anchor, widened to spaces.

    Cutting at a space keeps every fence honest: a pattern sees the window's edge as it would
    see the space there, and nothing it needs to look at lies beyond the margin.
    """
    low = high = -1
    for anchor_start, anchor_end in anchors:
        start = text.rfind(" ", 0, max(0, anchor_start - margin)) + 1
        end = text.find(" ", anchor_end + margin)
        end = len(text) if end < 0 else end
        if start > high:
            if high >= 0:
                yield low, high
            low = start
        high = max(high, end)
    if high >= 0:
        yield low, high


def _substitute(pattern: re.Pattern[str], replacement: Replacement, text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``pattern.sub`` applied only inside ``spans``; the rest of ``text`` is copied as is."""
    pieces: list[str] = []
    done = 0
    for start, end in spans:
        pieces += (text[done:start], pattern.sub(replacement, text[start:end]))
        done = end
    return "".join((*pieces, text[done:])) if pieces else text


def normalise_unicode(text: str) -> str:
    """NFKC, minus zero-width and bidi controls: the form :func:`redact` matches and returns."""
    if text.isascii():
        return text
    return _INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", text))


def redact(text: str) -> str:
    """Return ``text``, Unicode-normalised, with personal identifiers replaced by placeholders.

    Everything else (wording, amounts, dates, case and organisation numbers) is left intact
    so the logged question remains useful. Idempotent.
    """
    text = normalise_unicode(text)
    if "@" in text:  # a plain address is one space-free word around its '@'
        text = _substitute(_EMAIL_RE, EMAIL, text, _windows(text, _occurrences(text, ("@",)), 0))
    lowered = text.lower()
    if any(hint in lowered for hint in _OBFUSCATION_HINTS):
        # Lower-casing can change the length ("İ"); then positions do not carry over: search it all.
        hints = _occurrences(lowered, _OBFUSCATION_HINTS) if len(lowered) == len(text) else [(0, len(text))]
        text = _substitute(_OBFUSCATED_EMAIL_RE, EMAIL, text, _windows(text, hints, _OBFUSCATION_MARGIN))
    stretches = (match.span() for match in _DIGIT_STRETCH_RE.finditer(text))
    return _substitute(_NUMBER_RE, _number, text, _windows(text, stretches, _NUMBER_MARGIN))


def contains_pii(text: str) -> bool:
    """True if :func:`redact` would replace anything; defined that way so the two never disagree.

    Compared with the normalised text, so a mere no-break space is not mistaken for PII.
    """
    return redact(text) != normalise_unicode(text)

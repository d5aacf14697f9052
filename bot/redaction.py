"""Strip personal data from user questions before they are written to the inquiry log.

Næringsbot logs every question to SQLite so the business-development team can see what
people ask. GDPR's data-minimisation principle (art. 5(1)(c)) means we must not keep the
e-mail addresses, phone numbers, fødselsnummer and account numbers people paste into a
chat: we never need them to improve answers. They are replaced with Norwegian placeholders
*before* storage, so the question itself stays readable for statistics.

Design decisions:

* Identifiers that are unambiguously personal are matched generously. Every 11-digit run
  is a fødselsnummer/D-nummer (or an unformatted account number); there is no checksum or
  date validation, because a mistyped number still identifies a person.
* Eight-digit phone numbers are matched only in the formats people actually write, none of
  which uses thousands grouping, so amounts ("1 500 000", "NOK 3 000 000"), years, dates,
  times, case numbers and postcodes never match. Bare numbers next to "kr"/"NOK"/"kroner"
  are treated as amounts.
* Organisation numbers (9 digits, "912 345 678") are deliberately left alone: they identify
  companies, are public in Enhetsregisteret, and are exactly what a business-development
  bot needs to answer questions. A sole proprietorship's number is linked to its owner, but
  the state publishes it for that purpose, so it is not treated as secret.
* Every pattern is fenced with lookarounds, so digits glued to other digits or letters
  (reference codes, longer numbers, numbers inside words) are never half-matched.
* Order matters: e-mail first (local parts may hold digits), then account numbers and
  fødselsnummer (11 digits) before phone numbers (8 digits), so longer identifiers are
  consumed whole instead of leaving a phone-shaped fragment behind.
"""

import re
from collections.abc import Callable

EMAIL = "[e-post]"
PHONE = "[telefon]"
NATIONAL_ID = "[fødselsnummer]"
ACCOUNT = "[kontonummer]"

_SP = "[ \u00a0\u202f]"  # space, no-break space, narrow no-break space (Telegram clients vary)
_SEP = rf"(?:[.-]|{_SP})"  # one separator character between digit groups
_START = r"(?<![\w+])"  # not glued to a letter, a digit or a leading '+'
_END = r"(?!\w)"
# "kr 12345678", "NOK 12345678", "12345678 kroner", "12345678,-" are amounts, not phones.
_NOT_AFTER_MONEY = r"(?<!kr )(?<!kr\. )(?<!nok )"
_NOT_BEFORE_MONEY = rf"(?!{_SP}*(?:kr|kroner|nok)\b|,-)"

_EMAIL_RE = re.compile(r"(?<![\w.%+-])[\w.%+-]+@(?:[\w-]+\.)+[^\W\d_]{2,}(?![\w-])")

# Account numbers are 4+2+5 digits with a consistent separator; the Norwegian IBAN form
# (NO + 2 check digits + the same 11 digits) is the same number and is caught here too,
# so it is not mistaken for a phone number split across its groups.
_ACCOUNT_RE = re.compile(
    rf"{_START}(?:\d{{4}}(?P<s>{_SEP})\d{{2}}(?P=s)\d{{5}}"
    rf"|NO\d{{2}}{_SP}?\d{{4}}{_SP}?\d{{4}}{_SP}?\d{{3}}){_END}"
)

# Fødselsnummer and D-nummer: 6-digit date + 5-digit personal number, at most one separator.
_NATIONAL_ID_RE = re.compile(rf"{_START}\d{{6}}{_SEP}?\d{{5}}{_END}")

# International numbers need a literal '+', the only reliable signal across numbering
# plans; the digit count is checked in _replace_international (groups alone are too loose).
_INTERNATIONAL_RE = re.compile(
    rf"{_START}{_NOT_AFTER_MONEY}(?:\(\+[1-9]\d{{0,2}}\)|\+[1-9]\d{{0,2}})"
    rf"(?:{_SEP}?(?:\(\d{{1,4}}\)|\d{{1,4}})){{2,7}}{_END}{_NOT_BEFORE_MONEY}",
    re.IGNORECASE,
)
_MIN_INTERNATIONAL_DIGITS = 8

# Norwegian subscriber numbers: 8 digits, optionally after +47 / 0047 / 47 / (+47).
# Grouped forms keep one separator throughout ("22 33 44 55", "22.33.44.55"), so opening
# hours like "08-16 10-14" do not match; 4+4 allows spaces only, so "2013-2026" is safe,
# and two years in a row ("2019 2020") are skipped (no subscriber numbers start 19/20).
_YEAR = r"(?:19|20)\d\d"
_NO_BODY = (
    r"(?:\d{8}"
    rf"|\d{{3}}(?P<a>{_SEP})\d{{2}}(?P=a)\d{{3}}"
    rf"|\d{{2}}(?P<b>{_SEP})\d{{2}}(?P=b)\d{{2}}(?P=b)\d{{2}}"
    rf"|(?!{_YEAR}{_SP}{_YEAR}(?!\d))\d{{4}}{_SP}\d{{4}})"
)
_NORWEGIAN_PHONE_RE = re.compile(
    rf"{_START}{_NOT_AFTER_MONEY}(?:(?:\(\+47\)|\+47|0047|47){_SEP}?)?{_NO_BODY}"
    rf"{_END}{_NOT_BEFORE_MONEY}",
    re.IGNORECASE,
)


def _replace_international(match: re.Match[str]) -> str:
    """Redact only real-looking numbers: "+1 500 000 kr" style deltas have too few digits."""
    digits = sum(char.isdigit() for char in match.group())
    return PHONE if digits >= _MIN_INTERNATIONAL_DIGITS else match.group()


# (pattern, replacement) in the order they must run; see the module docstring.
_RULES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (_EMAIL_RE, EMAIL),
    (_ACCOUNT_RE, ACCOUNT),
    (_NATIONAL_ID_RE, NATIONAL_ID),
    # International before Norwegian: "+44 20 7946 0958" must not lose "7946 0958" alone.
    (_INTERNATIONAL_RE, _replace_international),
    (_NORWEGIAN_PHONE_RE, PHONE),
)


def redact(text: str) -> str:
    """Return ``text`` with personal identifiers replaced by placeholders.

    Everything else (wording, amounts, dates, case and organisation numbers) is left
    byte-for-byte intact so the logged question remains useful. Idempotent.
    """
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def contains_pii(text: str) -> bool:
    """True if :func:`redact` would change ``text``; defined that way so the two never disagree."""
    return redact(text) != text

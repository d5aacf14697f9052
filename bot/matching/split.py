"""Two questions in one message: where a message may split, and whether it really asks two things.

A message is split only when the parts stand on their own and point to different entries, so a
single question that merely contains "og"/"and" ("kurs og veiledning for gründere") stays whole.
Candidate split points, in Bokmål, nynorsk and English: a new line, ";", a question mark with more
text after it, and "og"/"and" (after a comma, or before a question word: "og hvem …", "and how …",
"og kva …"), also with "også"/"also". The parts are then matched one by one and kept only when
that explains the message better than its best entry as a whole (see :func:`split_message`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.matching.matcher import Match, Matcher
from bot.matching.normalise import content_tokens, meaning_tokens, tokens

MAX_PARTS = 3
# Words that open a question of their own after "og"/"and": question words and verbs a question
# starts with, in Bokmål, nynorsk and English.
_QUESTION_WORDS = (
    "hvem hva hvor hvordan hvilke hvilken hvilket hvorfor når "
    "kven kva kvar korleis kor kvifor "
    "kan finnes fins er har får må skal "
    "who what where when how which why can do is are"
)
# A later part that points back ("what is their role?", "kan noen lese den?") asks about the first
# part's subject, so it is not a question of its own.
_BACK_REFERENCES = frozenset(tokens(
    "den dem dei de deres deira disse dette denne han hun ho it its they them their this that these those he she"
))
_OPENERS = frozenset(tokens(_QUESTION_WORDS))  # folded, as typed without æøå too: "nar", "far"
_OPENER = "|".join(sorted({re.escape(w) for w in (*_QUESTION_WORDS.split(), *_OPENERS)}, key=len, reverse=True))
# Beside a confidently answered whole, an unsure part needs at least this share of the answer threshold.
UNSURE_BESIDE_ANSWER = 0.5
SUPPORT_RANKS = 3  # how far down the whole message's ranking an answered part's entry may be
MIN_LATER_WORDS = 2  # a later part needs a subject of its own: "hvem kan jeg snakke med" is two
# "?", ";" and new lines always end a part; "?" keeps its place at the end of the part it closes.
_HARD = re.compile(r"(?<=\?)\s+(?=\S)|\s*;\s*|\s*\n\s*")
# "…, og hvem …", "… og hvem …", "…, og også …", "… and also how …", "…, and can …".
_SOFT = re.compile(
    rf"(?:\s*,\s*|\s+)(?:og|and)\s+(?:(?:også|ogso|also)\s+)?(?=(?:{_OPENER})\b)"
    r"|\s*,\s*(?:og\s+|and\s+)?(?:også|also)\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Part:
    """One question of a message that asks several, with the matcher's verdict on it alone."""

    text: str
    match: Match


def candidate_parts(text: str) -> list[str]:
    """The message cut at every candidate split point; one item when there is none."""
    parts: list[str] = []
    for piece in _HARD.split(text):
        parts.extend(_SOFT.split(piece))
    return [part.strip(" ,.") for part in parts if part.strip(" ,.;")]


def split_message(text: str, whole: Match, matcher: Matcher) -> list[Part] | None:
    """The parts of ``text`` when it asks two or three separate things; None to treat it as one.

    Splitting must explain the message better than ``whole`` (the match of the whole message): the
    parts must point to different entries, at least one must be answered confidently, and an unknown
    part must be a known near-miss (a decline entry). When the whole is answered confidently, either
    every part is answered confidently, or the one confident part gives the whole's own answer and
    the others are unsure or declined: a split never replaces a confident answer by an unsure one.
    Greetings and thanks are never a part.
    """
    texts = candidate_parts(text)
    if not 2 <= len(texts) <= MAX_PARTS or not content_tokens(texts[0]):
        return None
    if not all(stands_alone(part) for part in texts[1:]):
        return None
    # A part that rules the split out does so whatever the other parts are: stop matching there,
    # since scoring each part is most of what a split costs.
    supported = {candidate.entry_id for candidate in whole.ranked[:SUPPORT_RANKS]}
    parts: list[Part] = []
    found: set[str] = set()
    for text_of_part in texts:
        part = Part(text_of_part, matcher.match(text_of_part))
        if _rules_out(part, found, supported, matcher):
            return None
        if part.match.outcome != "fallback" and part.match.best:
            found.add(part.match.best.entry_id)
        parts.append(part)
    outcomes = [part.match.outcome for part in parts]
    answered = [part.match.best.entry_id for part in parts if part.match.outcome == "answered" and part.match.best]
    if not answered:
        return None
    if whole.outcome != "answered" or all(outcome == "answered" for outcome in outcomes):
        return parts
    # The whole was answered: a part that is only unsure may come beside that same answer, no other,
    # and only when it is a real lead ("hvem kan jeg snakke med?"), not a guess at an afterthought.
    if whole.best is None or answered != [whole.best.entry_id]:
        return None
    floor = UNSURE_BESIDE_ANSWER * matcher.settings.answer_threshold
    return parts if all(part.match.score >= floor for part in parts if part.match.outcome == "ambiguous") else None


def _rules_out(part: Part, found: set[str], supported: set[str], matcher: Matcher) -> bool:
    """Whether this one part already means the message is not split.

    Two parts for one entry are one question; greetings and thanks are never a part; an unknown
    part is said only when it is a known near-miss (a decline entry), since a part the matcher
    merely cannot place is more likely context for the other part than a question; and a part
    answered on its own must also be among the whole message's best entries, since a short part
    loses the context that gave its words their meaning.
    """
    match = part.match
    if match.outcome == "fallback":
        return match.declined is None
    if match.best is None:
        return False
    if match.best.entry_id in found or _is_smalltalk(match, matcher):
        return True
    return match.outcome == "answered" and match.best.entry_id not in supported


def stands_alone(part: str) -> bool:
    """A later part is a question of its own: it asks (question mark or question word), has a subject
    of its own and does not point back to the part before it."""
    words = tokens(part)
    if not words or not (part.rstrip().endswith("?") or words[0] in _OPENERS):
        return False
    if _BACK_REFERENCES.intersection(words):
        return False
    return len(meaning_tokens(part)) >= MIN_LATER_WORDS


def _is_smalltalk(match: Match, matcher: Matcher) -> bool:
    if match.best is None or match.outcome == "fallback":
        return False
    entry = matcher.knowledge.get(match.best.entry_id)
    return entry is not None and entry.smalltalk

"""What people asked that the bot could not answer, grouped so editors see the biggest gaps first.

The input is every question of the period that ended in "I don't know" (``fallback``) and every
"none of these" press after "did you mean…" (that row carries the question's text), and every
unknown part of a message that asked two things and got an answer to the other. Similar
questions are grouped with rapidfuzz over their normalised words, so "søke støtte til båt" and
"Hvordan søker jeg støtte til båten min?" land together. Each group shows the knowledge-base entry
the matcher finds closest: a hint for the editor, never applied automatically.

A part's text is not stored: it is cut again from the message's stored (redacted) text with the
splitter that made the part, so ``/forget`` and the retention purge, which erase that text, erase the
part's text too.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from sqlite_utils import Database

from bot.knowledge.model import KnowledgeBase
from bot.matching.matcher import Matcher
from bot.matching.normalise import content_tokens, tokens
from bot.matching.split import candidate_parts
from bot.reports.indicators import COUNTED, IN_PERIOD, NONE_OF_THESE, bounds
from bot.reports.metrics import UNANSWERED_PART
from bot.reports.periods import Period, period_argument

SIMILARITY_CUTOFF = 70.0  # token_sort_ratio over normalised content words
BLOCK_ROWS = 512  # rows of the similarity matrix computed at once, so memory stays small
MAX_EXAMPLES = 5

UNANSWERED = f"((i.kind = 'message' AND i.outcome = 'fallback') OR ({NONE_OF_THESE}))"
# The message's rows with their part number and how many parts it was split into.
PART_ROWS = ("FROM inquiries i JOIN inquiry_parts ip ON ip.inquiry_id = i.id "
             "JOIN (SELECT inquiry_id, count(*) AS parts FROM inquiry_parts GROUP BY inquiry_id) n "
             "ON n.inquiry_id = i.id")
# Split messages with exactly one unsure part: a "none of these" after one turns down that part.
_ONE_UNSURE = ("(SELECT inquiry_id, count(*) AS parts FROM inquiry_parts GROUP BY inquiry_id "
               "HAVING sum(outcome = 'ambiguous') = 1)")
# Unanswered questions listed with the whole message's text: all but those parts turned down.
WHOLE_UNANSWERED = (f"({UNANSWERED} AND NOT (i.kind = 'button' "
                    f"AND i.parent_id IN (SELECT inquiry_id FROM {_ONE_UNSURE})))")


@dataclass(frozen=True)
class UnansweredGroup:
    """Similar unanswered questions: the most frequent wording, how often, and the closest entry."""

    example: str
    count: int
    suggested_entry: str | None = None
    score: float | None = None
    examples: list[str] = field(default_factory=list)
    parts: int = 0  # how many of ``count`` are a part of a question that was also answered


def part_text(text: str, part: int, parts: int) -> str:
    """Part ``part`` (from 1) of a message split into ``parts``, cut from its stored text.

    Redaction turns a number or address into a marker such as ``[telefon]``, which holds no split
    point; should it ever have swallowed one, the cut gives another number of parts, and the whole
    message is shown rather than the wrong part.
    """
    pieces = candidate_parts(text)
    return pieces[part - 1] if len(pieces) == parts and 1 <= part <= parts else text.strip()


def unanswered_part_rows(db: Database, period: Period | None = None) -> list[dict[str, Any]]:
    """The unanswered parts (all time without ``period``): ``text`` (the part's words) and ``received_at``.

    Those are the unknown parts of messages whose other part was answered, and the unsure part turned
    down with "none of these" when the message had one unsure part (with two, the press cannot be told
    apart, and the whole message stays among :data:`UNANSWERED`).
    """
    when = IN_PERIOD if period else "1 = 1"
    rows = db.query(
        f"SELECT i.text, ip.part, n.parts, i.received_at, i.id {PART_ROWS} "
        f"WHERE {COUNTED} AND {when} AND {UNANSWERED_PART} AND i.text IS NOT NULL "
        "UNION ALL "
        f"SELECT i.text, ip.part, n.parts, i.received_at, i.id FROM inquiries i JOIN {_ONE_UNSURE} n "
        "ON n.inquiry_id = i.parent_id "
        "JOIN inquiry_parts ip ON ip.inquiry_id = n.inquiry_id AND ip.outcome = 'ambiguous' "
        f"WHERE {COUNTED} AND {when} AND {NONE_OF_THESE} AND i.text IS NOT NULL "
        "ORDER BY 4, 5, 2",
        bounds(period) if period else {},
    )
    return [{"text": part_text(row["text"], row["part"], row["parts"]), "received_at": row["received_at"]}
            for row in rows]


def unanswered_part_texts(db: Database, period: Period) -> list[str]:
    """Texts of the period's unanswered parts of messages whose other part was answered."""
    return [row["text"] for row in unanswered_part_rows(db, period)]


def unanswered_texts(db: Database, period: Period) -> list[str]:
    """Texts of the period's unanswered questions; purged or forgotten texts are gone and not listed."""
    rows = db.query(
        f"SELECT i.text FROM inquiries i WHERE {COUNTED} AND {IN_PERIOD} AND {WHOLE_UNANSWERED} "
        "AND i.text IS NOT NULL ORDER BY i.received_at, i.id",
        bounds(period),
    )
    return [row["text"] for row in rows]


def comparable(text: str) -> str:
    """What two questions are compared on: folded, stemmed content words, else all words ("" for "???")."""
    return " ".join(content_tokens(text)) or " ".join(tokens(text))


def group_texts(texts: list[str], cutoff: float = SIMILARITY_CUTOFF) -> list[list[str]]:
    """Group similar texts, largest group first; each group starts with its most frequent wording.

    Greedy: the most frequent remaining wording founds a group and takes every remaining wording at
    least ``cutoff`` similar to it. Unlike connected components this never chains two unrelated
    questions together through a third that resembles both.
    """
    by_key: dict[str, Counter[str]] = {}
    for text in texts:
        key = comparable(text)
        if key:
            by_key.setdefault(key, Counter())[text.strip()] += 1
    keys = sorted(by_key, key=lambda key: (-sum(by_key[key].values()), key))
    owner = np.full(len(keys), -1)
    for first in range(0, len(keys), BLOCK_ROWS):
        scores = process.cdist(
            keys[first : first + BLOCK_ROWS],
            keys,
            scorer=fuzz.token_sort_ratio,
            processor=None,
            score_cutoff=cutoff,
            dtype=np.uint8,
            workers=-1,
        )
        for offset, row in enumerate(scores):
            leader = first + offset
            if owner[leader] >= 0:
                continue
            members = (row >= cutoff) & (owner < 0)
            members[leader] = True
            owner[members] = leader
    groups: list[list[str]] = []
    for leader in dict.fromkeys(int(index) for index in owner):
        wordings: Counter[str] = Counter()
        for index in np.flatnonzero(owner == leader):
            wordings.update(by_key[keys[index]])
        groups.append([text for text, count in wordings.most_common() for _ in range(count)])
    groups.sort(key=lambda group: (-len(group), group[0]))
    return groups


def unanswered_groups(
    db: Database, period: Period, matcher: Matcher | None = None, limit: int | None = None
) -> list[UnansweredGroup]:
    """The period's unanswered questions in groups, largest first, with the closest entry if a matcher is given."""
    parts = Counter(text.strip() for text in unanswered_part_texts(db, period))
    groups = group_texts(unanswered_texts(db, period) + list(parts.elements()))[:limit]
    result = []
    for texts in groups:
        closest = matcher.rank(texts[0], limit=1) if matcher is not None else []
        # A hint only when the entry is as close as a "did you mean" suggestion would have to be.
        closest = [c for c in closest if matcher is not None and c.score >= matcher.settings.suggest_threshold]
        result.append(
            UnansweredGroup(
                example=texts[0],
                count=len(texts),
                suggested_entry=closest[0].entry_id if closest else None,
                score=closest[0].score if closest else None,
                examples=list(dict.fromkeys(texts))[:MAX_EXAMPLES],
                parts=sum(parts[text] for text in set(texts)),
            )
        )
    return result


PAGE_SIZE = 10
PART_OF_ANSWERED = ("del av et spørsmål som også fikk svar", "part of a question that was also answered")
EXAMPLE_CHARS = 200  # a page of ten groups then fits one Telegram message (4,096 characters)


@dataclass(frozen=True)
class UnansweredPage:
    """One page of ``/unanswered``: its text, and the page after it if there is one (for «Flere»)."""

    text: str
    period: Period
    page: int
    next_page: int | None = None


def format_unanswered(
    groups: list[UnansweredGroup], lang: str = "nb", limit: int = PAGE_SIZE, knowledge: KnowledgeBase | None = None,
    offset: int = 0,
) -> str:
    """Plain text for staff in Telegram: one line per group from ``offset``, the closest answer by its title."""
    if not groups:
        return "Ingen ubesvarte spørsmål i perioden." if lang == "nb" else "No unanswered questions in the period."
    closest = "nærmeste svar" if lang == "nb" else "closest answer"
    lines = []
    for number, group in enumerate(groups[offset:offset + limit], start=offset + 1):
        hint = f" ({closest}: {entry_title(group.suggested_entry, knowledge, lang)})" if group.suggested_entry else ""
        lines.append(f"{number}. {group.count}× «{short_line(group.example)}»{hint}{part_mark(group, lang)}")
    rest = len(groups) - offset - limit
    if rest > 0:
        lines.append(f"… og {rest} grupper til" if lang == "nb" else f"… and {rest} more groups")
    return "\n".join(lines)


def part_mark(group: UnansweredGroup, lang: str = "nb") -> str:
    """Says which of a group's questions came beside one the bot answered, so staff do not miss them."""
    if not group.parts:
        return ""
    what = PART_OF_ANSWERED[0 if lang == "nb" else 1]
    if group.parts == group.count:
        return f" – {what}"
    return f" – {group.parts} av dem {what}" if lang == "nb" else f" – {group.parts} of them {what}"


def short_line(text: str) -> str:
    """A question as one short line: a pasted page would push the other groups off the message."""
    line = " ".join(text.split())
    return line if len(line) <= EXAMPLE_CHARS else line[:EXAMPLE_CHARS - 2].rstrip() + " …"


def entry_title(entry_id: str, knowledge: KnowledgeBase | None, lang: str) -> str:
    """An entry's title for staff; its id only when the knowledge base no longer has it."""
    entry = knowledge.get(entry_id) if knowledge is not None else None
    return entry.title.get(lang) if entry else entry_id


def telegram_unanswered(
    db: Database, argument: str | None = None, lang: str = "nb", matcher: Matcher | None = None,
    limit: int = PAGE_SIZE, page: int = 0, period: Period | None = None, today: dt.date | None = None,
) -> UnansweredPage:
    """``/unanswered [period]`` and its «Flere» pages; raises ``PeriodError`` for a bad period.

    ``period`` (from a «Flere» button) wins over ``argument``. A page past the end says so: the groups
    change as people ask and the purge erases texts, so an old button can point beyond them.
    """
    period = period or period_argument(argument, today)
    groups = unanswered_groups(db, period, matcher)
    knowledge = matcher.knowledge if matcher is not None else None
    label = period.local_label if lang == "nb" else period.label
    heading = f"Ubesvarte spørsmål {label}" if lang == "nb" else f"Unanswered questions {label}"
    if page and page * limit >= len(groups):
        gone = ("Denne siden finnes ikke lenger: det er færre grupper nå. Send /unanswered på nytt." if lang == "nb"
                else "This page is gone: there are fewer groups now. Send /unanswered again.")
        return UnansweredPage(f"{heading}\n{gone}", period, page)
    if page:
        first, last = page * limit + 1, min((page + 1) * limit, len(groups))
        heading += f" · {first}–{last} av {len(groups)}" if lang == "nb" else f" · {first}–{last} of {len(groups)}"
    more = page + 1 if (page + 1) * limit < len(groups) else None
    return UnansweredPage(heading + "\n" + format_unanswered(groups, lang, limit, knowledge, page * limit),
                          period, page, more)

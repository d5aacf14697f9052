"""The programme's figures for a period, and the one place that says what each figure counts.

These numbers go to the municipal council, so every definition is chosen to be honest rather
than flattering, and written once here as SQL that the report, the Telegram ``/stats`` command
and the Datasette "indicators" query all share:

- Only real users count: rows from staff (``is_staff = 1``) and from the terminal chat
  (``channel = 'console'``, which is editors trying the bot) are left out everywhere.
- An **inquiry** is one request for information: a free-text question (``kind = 'message'``
  answered, ambiguous, fallback or written to staff), or an answer card opened with a button
  (the topic menu or a related-topic button). Not inquiries: commands, menu navigation, settings,
  👍/👎, photos, greetings and thanks (``smalltalk``, counted on their own), and the buttons under
  "did you mean…" (picking a suggestion or "none of these" settles the question already counted).
- **answered** = inquiries the bot answered confidently with an entry (including cards opened with a
  button); **ambiguous** = questions that got only "did you mean…" suggestions; **fallback** =
  questions the bot said it could not answer; **to_staff** = messages written to staff.
  ``inquiries = answered + ambiguous + fallback + to_staff``.
- **answered_share** = answered / inquiries. Suggestions a user then picked are not counted as
  answered (they are reported as ``ambiguous_resolved``).
- **unique_users** = distinct pseudonyms among the inquiries. ``/forget`` and the retention purge
  erase pseudonyms, so for periods older than ``privacy.retention_days`` this is a lower bound;
  ``without_pseudonym`` says how many inquiries could not be attributed.
- **handoffs** = questions passed to a person (rows of ``handoffs`` opened in the period), whether
  routed to the staff chat or shown the contact details (``unrouted``).
- **satisfaction** = share of 👍 among the 👍/👎 given on the period's inquiries; None without votes.
- **by_entry** = answer cards shown per entry (suggestion picks included: the person read that
  answer), so its sum can exceed ``answered``. Smalltalk entries are not listed.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from bot.knowledge.model import KnowledgeBase
from bot.reports.periods import Period

COUNTED = "i.is_staff = 0 AND i.channel = 'telegram'"
IN_PERIOD = "i.received_at >= :start AND i.received_at < :end"
QUESTION = "i.kind = 'message' AND i.outcome IN ('answered', 'ambiguous', 'fallback', 'handoff')"
SUGGESTION_PICK = "EXISTS (SELECT 1 FROM inquiries p WHERE p.id = i.parent_id AND p.outcome = 'ambiguous')"
CARD_SHOWN = "i.outcome = 'answered' AND i.entry_id IS NOT NULL"
CARD_OPENED = f"i.kind = 'button' AND {CARD_SHOWN} AND NOT {SUGGESTION_PICK}"
INQUIRY = f"(({QUESTION}) OR ({CARD_OPENED}))"
NONE_OF_THESE = "i.kind = 'button' AND i.outcome = 'fallback' AND i.parent_id IS NOT NULL"
HANDOFFS_COUNTED = (
    "h.opened_at >= :start AND h.opened_at < :end "
    f"AND (i.id IS NULL OR ({COUNTED}))"
)
UNKNOWN = "unknown"

_TOTALS_SELECT = f"""
    count(*) FILTER (WHERE {INQUIRY}) AS inquiries,
    count(DISTINCT CASE WHEN {INQUIRY} THEN i.user_ref END) AS unique_users,
    count(*) FILTER (WHERE {INQUIRY} AND i.outcome = 'answered') AS answered,
    count(*) FILTER (WHERE {INQUIRY} AND i.outcome = 'ambiguous') AS ambiguous,
    count(*) FILTER (WHERE {INQUIRY} AND i.outcome = 'fallback') AS fallback,
    count(*) FILTER (WHERE {INQUIRY} AND i.outcome = 'handoff') AS to_staff,
    count(*) FILTER (WHERE {QUESTION}) AS questions,
    count(*) FILTER (WHERE {CARD_OPENED}) AS cards_opened,
    count(*) FILTER (WHERE {NONE_OF_THESE}) AS none_of_these,
    count(*) FILTER (WHERE i.outcome = 'smalltalk') AS smalltalk,
    count(*) FILTER (WHERE {INQUIRY} AND i.user_ref IS NULL) AS without_pseudonym,
    count(*) FILTER (WHERE i.outcome = 'flood') AS dropped_by_flood_control,
    count(*) FILTER (WHERE i.outcome = 'invalid') AS unreadable_updates
"""


@dataclass(frozen=True)
class Totals:
    inquiries: int = 0
    unique_users: int = 0
    answered: int = 0
    ambiguous: int = 0
    fallback: int = 0
    handoffs: int = 0
    to_staff: int = 0
    questions: int = 0
    cards_opened: int = 0
    ambiguous_resolved: int = 0
    none_of_these: int = 0
    smalltalk: int = 0
    without_pseudonym: int = 0
    dropped_by_flood_control: int = 0
    unreadable_updates: int = 0


@dataclass(frozen=True)
class HandoffFigures:
    opened: int = 0
    answered: int = 0
    by_status: dict[str, int] | None = None
    median_minutes_to_first_answer: float | None = None


@dataclass(frozen=True)
class Figures:
    """Everything the report shows about a period except the unanswered questions and targets."""

    period: Period
    totals: Totals
    answered_share: float | None
    satisfaction: float | None
    feedback_up: int
    feedback_down: int
    by_entry: dict[str, int]
    by_topic: dict[str, int]
    by_month: dict[str, dict[str, int]]
    by_role: dict[str, int]
    by_municipality: dict[str, int]
    by_source: dict[str, int]
    by_lang: dict[str, int]
    handoffs: HandoffFigures


def bounds(period: Period) -> dict[str, str]:
    return {"start": period.start_utc, "end": period.end_utc}


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def compute_figures(db: Database, period: Period, knowledge: KnowledgeBase | None = None) -> Figures:
    """All figures of ``period``; ``knowledge`` maps entries to topics (None: no ``by_topic``)."""
    params = bounds(period)
    handoffs = handoff_figures(db, period)
    totals = _totals(db, params, handoffs.opened)
    up, down = _feedback(db, params)
    by_entry = _counts(db, f"SELECT i.entry_id AS key, count(*) AS n FROM inquiries i WHERE {COUNTED} AND "
                           f"{IN_PERIOD} AND {CARD_SHOWN} GROUP BY i.entry_id", params)
    return Figures(
        period=period,
        totals=totals,
        answered_share=share(totals.answered, totals.inquiries),
        satisfaction=share(up, up + down),
        feedback_up=up,
        feedback_down=down,
        by_entry=by_entry,
        by_topic=by_topic(by_entry, knowledge) if knowledge is not None else {},
        by_month=_by_month(db, period),
        by_role=_inquiries_by(db, "i.role", params),
        by_municipality=_inquiries_by(db, "i.municipality", params),
        by_source=_inquiries_by(db, "i.source", params),
        by_lang=_inquiries_by(db, "i.lang", params),
        handoffs=handoffs,
    )


def by_topic(by_entry: dict[str, int], knowledge: KnowledgeBase) -> dict[str, int]:
    """Answer cards shown per topic; entries since removed from the knowledge base count as unknown."""
    topics: Counter[str] = Counter()
    for entry_id, count in by_entry.items():
        entry = knowledge.get(entry_id)
        topics[entry.topic if entry else UNKNOWN] += count
    return dict(topics.most_common())


def handoff_figures(db: Database, period: Period) -> HandoffFigures:
    rows = list(db.query(
        "SELECT h.status, h.opened_at, h.first_answered_at FROM handoffs h "
        f"LEFT JOIN inquiries i ON i.id = h.inquiry_id WHERE {HANDOFFS_COUNTED}",
        bounds(period),
    ))
    minutes = [
        (dt.datetime.fromisoformat(row["first_answered_at"]) - dt.datetime.fromisoformat(row["opened_at"]))
        .total_seconds() / 60
        for row in rows
        if row["first_answered_at"]
    ]
    return HandoffFigures(
        opened=len(rows),
        answered=len(minutes),
        by_status=dict(Counter(row["status"] for row in rows).most_common()),
        median_minutes_to_first_answer=round(statistics.median(minutes), 1) if minutes else None,
    )


def _totals(db: Database, params: dict[str, str], handoffs: int) -> Totals:
    (row,) = db.query(f"SELECT {_TOTALS_SELECT} FROM inquiries i WHERE {COUNTED} AND {IN_PERIOD}", params)
    (resolved,) = db.query(
        "SELECT count(DISTINCT i.id) AS n FROM inquiries i JOIN inquiries c ON c.parent_id = i.id "
        f"WHERE {COUNTED} AND {IN_PERIOD} AND {QUESTION} AND i.outcome = 'ambiguous' "
        "AND c.kind = 'button' AND c.outcome = 'answered' AND c.entry_id IS NOT NULL",
        params,
    )
    return Totals(**row, handoffs=handoffs, ambiguous_resolved=resolved["n"])


def _feedback(db: Database, params: dict[str, str]) -> tuple[int, int]:
    (row,) = db.query(
        "SELECT count(*) FILTER (WHERE f.value > 0) AS up, count(*) FILTER (WHERE f.value < 0) AS down "
        f"FROM feedback f JOIN inquiries i ON i.id = f.inquiry_id WHERE {COUNTED} AND {IN_PERIOD}",
        params,
    )
    return row["up"], row["down"]


def _counts(db: Database, sql: str, params: dict[str, Any]) -> dict[str, int]:
    rows = db.query(sql + " ORDER BY n DESC, key", params)
    return {row["key"] if row["key"] is not None else UNKNOWN: row["n"] for row in rows if row["n"]}


def _inquiries_by(db: Database, column: str, params: dict[str, str]) -> dict[str, int]:
    """Inquiries per profile value (as the user had it when asking); no answer is ``unknown``."""
    return _counts(db, f"SELECT {column} AS key, count(*) AS n FROM inquiries i "
                       f"WHERE {COUNTED} AND {IN_PERIOD} AND {INQUIRY} GROUP BY {column}", params)


def _by_month(db: Database, period: Period) -> dict[str, dict[str, int]]:
    """Every month of the period, months without inquiries included, so gaps show as zeros."""
    params = bounds(period)
    months: dict[str, dict[str, int]] = {
        month: {"inquiries": 0, "unique_users": 0, "answered": 0, "ambiguous": 0, "fallback": 0, "handoffs": 0}
        for month in period.months()
    }
    for row in db.query(
        "SELECT substr(i.received_at, 1, 7) AS month, "
        f"count(*) FILTER (WHERE {INQUIRY}) AS inquiries, "
        f"count(DISTINCT CASE WHEN {INQUIRY} THEN i.user_ref END) AS unique_users, "
        f"count(*) FILTER (WHERE {INQUIRY} AND i.outcome = 'answered') AS answered, "
        f"count(*) FILTER (WHERE {INQUIRY} AND i.outcome = 'ambiguous') AS ambiguous, "
        f"count(*) FILTER (WHERE {INQUIRY} AND i.outcome = 'fallback') AS fallback "
        f"FROM inquiries i WHERE {COUNTED} AND {IN_PERIOD} GROUP BY month",
        params,
    ):
        months[row.pop("month")].update(row)
    for row in db.query(
        "SELECT substr(h.opened_at, 1, 7) AS month, count(*) AS n FROM handoffs h "
        f"LEFT JOIN inquiries i ON i.id = h.inquiry_id WHERE {HANDOFFS_COUNTED} GROUP BY month",
        params,
    ):
        months[row["month"]]["handoffs"] = row["n"]
    return months

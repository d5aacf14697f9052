"""The programme's figures for a period, computed from the one table of definitions in :mod:`bot.reports.metrics`.

The totals and the months are one ``SELECT`` per source (inquiries, handoffs) built from that table;
the breakdowns (per entry, topic, role, municipality, source, language) count the same inquiries.
``by_entry`` counts answer cards shown (suggestion picks included: the person read that answer; a message
answered in parts counts each answered part under its entry), so its sum can exceed ``answered``;
smalltalk entries are not listed.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from bot.clock import oslo_time_sql
from bot.knowledge.model import KnowledgeBase
from bot.reports.metrics import (
    CARD_ENTRY,
    CARDS,
    FEEDBACK,
    HANDOFFS,
    INQUIRIES,
    INQUIRY,
    METRICS,
    Metric,
    Source,
    columns,
)

# Re-exported for bot.reports.charts and bot.reports.unanswered, which count the same rows.
from bot.reports.metrics import COUNTED as COUNTED
from bot.reports.metrics import IN_PERIOD as IN_PERIOD
from bot.reports.metrics import NONE_OF_THESE as NONE_OF_THESE
from bot.reports.periods import Period

UNKNOWN = "unknown"
TOTALS = tuple(metric for metric in METRICS if metric.in_totals)
MONTHLY = tuple(metric for metric in METRICS if metric.monthly)


@dataclass(frozen=True)
class Totals:
    """One field per metric ``in_totals``, in the order of the report's JSON (a test keeps them in step)."""

    inquiries: int = 0
    unique_users: int = 0
    answered: int = 0
    ambiguous: int = 0
    fallback: int = 0
    unanswered_parts: int = 0
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
    totals = Totals(**_totals(db, params))
    up, down = _feedback(db, params)
    by_entry = _counts(db, f"SELECT {CARD_ENTRY} AS key, count(*) AS n {CARDS} GROUP BY key", params)
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
    rows = list(db.query(f"SELECT h.status, h.opened_at, h.first_answered_at {HANDOFFS.rows}", bounds(period)))
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


def select(metrics: tuple[Metric, ...], source: Source, by_month: Period | None = None) -> str:
    """One ``SELECT`` of every metric of ``source`` among ``metrics`` (params ``:start``, ``:end``).

    With ``by_month`` (the period queried) the rows are grouped by their Oslo month.
    """
    chosen = [metric for metric in metrics if metric.source == source]
    if by_month is None:
        return f"SELECT {columns(chosen)} {source.rows}"
    month = oslo_time_sql(source.time, "%Y-%m")
    return f"SELECT {month} AS month, {columns(chosen)} {source.rows} GROUP BY month"


def _sources(metrics: tuple[Metric, ...]) -> list[Source]:
    return list(dict.fromkeys(metric.source for metric in metrics))


def _totals(db: Database, params: dict[str, str]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for source in _sources(TOTALS):
        (row,) = db.query(select(TOTALS, source), params)
        totals.update(row)
    return totals


def _feedback(db: Database, params: dict[str, str]) -> tuple[int, int]:
    (row,) = db.query("SELECT count(*) FILTER (WHERE f.value > 0) AS up, "
                      f"count(*) FILTER (WHERE f.value < 0) AS down {FEEDBACK.rows}", params)
    return row["up"], row["down"]


def _counts(db: Database, sql: str, params: dict[str, Any]) -> dict[str, int]:
    rows = db.query(sql + " ORDER BY n DESC, key", params)
    return {row["key"] if row["key"] is not None else UNKNOWN: row["n"] for row in rows if row["n"]}


def _inquiries_by(db: Database, column: str, params: dict[str, str]) -> dict[str, int]:
    """Inquiries per profile value (as the user had it when asking); no answer is ``unknown``."""
    return _counts(db, f"SELECT {column} AS key, count(*) AS n {INQUIRIES.rows} AND {INQUIRY} GROUP BY {column}",
                   params)


def _by_month(db: Database, period: Period) -> dict[str, dict[str, int]]:
    """Every month of the period, months without inquiries included, so gaps show as zeros."""
    params = bounds(period)
    months = {month: dict.fromkeys((metric.name for metric in MONTHLY), 0) for month in period.months()}
    for source in _sources(MONTHLY):
        for row in db.query(select(MONTHLY, source, by_month=period), params):
            months[row.pop("month")].update(row)
    return months

"""Indicators against their target figures (måltall): the actual value of each configured indicator.

Each metric is one scalar SQL query: a figure of :data:`bot.reports.metrics.METRICS` over its rows, or a
count of one entry, topic, role, municipality or deep-link source. The report runs it, and
``naeringsbot review`` embeds the same SQL in Datasette's "indicators" query, so the two can never
disagree about what was counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlite_utils import Database

from bot.config import Indicator
from bot.knowledge.model import KnowledgeBase
from bot.reports.indicators import bounds
from bot.reports.metrics import BY_NAME, CARD_SHOWN, INQUIRIES, INQUIRY, SHARES
from bot.reports.periods import Period, prorate


def metric_sql(indicator: Indicator, knowledge: KnowledgeBase | None = None) -> str:
    """One scalar ``SELECT`` (named parameters ``:start``, ``:end``) for an indicator's actual value.

    The report runs it as is; the Datasette "indicators" query embeds it, so both always agree.
    """
    if indicator.metric in BY_NAME:
        metric = BY_NAME[indicator.metric]
        return f"SELECT {metric.sql} {metric.source.rows}"
    value = sql_literal(indicator.value or "")
    if indicator.metric == "entry":
        return f"SELECT count(*) {INQUIRIES.rows} AND {CARD_SHOWN} AND i.entry_id = {value}"
    if indicator.metric == "topic":
        entries = [entry.id for entry in knowledge or () if entry.topic == indicator.value and not entry.smalltalk]
        listed = ", ".join(sql_literal(entry_id) for entry_id in entries) or "NULL"
        return f"SELECT count(*) {INQUIRIES.rows} AND {CARD_SHOWN} AND i.entry_id IN ({listed})"
    return f"SELECT count(*) {INQUIRIES.rows} AND {INQUIRY} AND i.{indicator.metric} = {value}"


def sql_literal(text: str) -> str:
    """A quoted SQL string; config values are embedded in SQL shown to staff in Datasette."""
    return "'" + text.replace("'", "''") + "'"


def actual(db: Database, indicator: Indicator, period: Period, knowledge: KnowledgeBase | None = None) -> float | None:
    (row,) = db.query(f"SELECT ({metric_sql(indicator, knowledge)}) AS actual", bounds(period))
    return row["actual"]


@dataclass(frozen=True)
class TargetResult:
    """One indicator against its target figure for the period (counts pro-rated from the year)."""

    indicator: str
    title: dict[str, str]
    metric: str
    value: str | None
    yearly_target: float
    target: float
    actual: float | None
    progress: float | None
    met: bool | None
    target_to_date: float | None
    on_track: bool | None
    example: bool


def targets(
    db: Database,
    indicators: list[Indicator],
    period: Period,
    knowledge: KnowledgeBase | None = None,
    today: dt.date | None = None,
) -> list[TargetResult]:
    """Every configured indicator against its target; shares are not pro-rated, counts are.

    ``met`` compares with the whole period's target; ``on_track`` with the part of it that has
    passed by ``today`` (None when the period has not started), which is what matters mid-year.
    """
    results = []
    for indicator in indicators:
        is_share = indicator.metric in SHARES
        target = indicator.target if is_share else round(prorate(indicator.target, period), 1)
        to_date = _target_to_date(indicator, period, today or dt.datetime.now(dt.UTC).date())
        value = actual(db, indicator, period, knowledge)
        results.append(
            TargetResult(
                indicator=indicator.id,
                title={"nb": indicator.title.nb, "en": indicator.title.en},
                metric=indicator.metric,
                value=indicator.value,
                yearly_target=indicator.target,
                target=target,
                actual=value,
                progress=round(value / target, 4) if value is not None and target else None,
                met=None if value is None else value >= target,
                target_to_date=to_date,
                on_track=None if value is None or to_date is None else value >= to_date,
                example=indicator.example,
            )
        )
    return results


def _target_to_date(indicator: Indicator, period: Period, today: dt.date) -> float | None:
    if today < period.start:
        return None
    if indicator.metric in SHARES:
        return indicator.target
    elapsed = Period(period.start, min(today, period.end))
    return round(prorate(indicator.target, elapsed), 1)

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
from bot.reports.metrics import BY_NAME, CARD_ENTRY, CARDS, INQUIRIES, INQUIRY, SHARES
from bot.reports.periods import Period, year
from bot.reports.periods import today as local_today


def metric_sql(indicator: Indicator, knowledge: KnowledgeBase | None = None) -> str:
    """One scalar ``SELECT`` (named parameters ``:start``, ``:end``) for an indicator's actual value.

    The report runs it as is; the Datasette "indicators" query embeds it, so both always agree.
    """
    if indicator.metric in BY_NAME:
        metric = BY_NAME[indicator.metric]
        return f"SELECT {metric.sql} {metric.source.rows}"
    value = sql_literal(indicator.value or "")
    if indicator.metric == "entry":
        return f"SELECT count(*) {CARDS} AND {CARD_ENTRY} = {value}"
    if indicator.metric == "topic":
        entries = [entry.id for entry in knowledge or () if entry.topic == indicator.value and not entry.smalltalk]
        listed = ", ".join(sql_literal(entry_id) for entry_id in entries) or "NULL"
        return f"SELECT count(*) {CARDS} AND {CARD_ENTRY} IN ({listed})"
    return f"SELECT count(*) {INQUIRIES.rows} AND {INQUIRY} AND i.{indicator.metric} = {value}"


def sql_literal(text: str) -> str:
    """A quoted SQL string; config values are embedded in SQL shown to staff in Datasette."""
    return "'" + text.replace("'", "''") + "'"


def actual(db: Database, indicator: Indicator, period: Period, knowledge: KnowledgeBase | None = None) -> float | None:
    (row,) = db.query(f"SELECT ({metric_sql(indicator, knowledge)}) AS actual", bounds(period))
    return row["actual"]


@dataclass(frozen=True)
class TargetResult:
    """One indicator: its year to date at the period's end against the yearly target figure.

    Targets are set per year, so nothing is scaled to the period: ``target`` is the yearly target
    (a whole number for counts), ``actual`` the year to date from 1 January to the period's end,
    ``met`` whether the yearly target is reached. ``expected_by_now`` is the pace a count target sets
    for ``as_of`` (the period's end, or today when the period has not ended): the target times the
    share of the year that has passed, as a whole number. Shares and unique users have none: a share
    is not paced, and the same people return every month, so unique users are never pro-rated.
    ``on_track`` compares a count with its pace and a share with its target; None for unique users.
    """

    indicator: str
    title: dict[str, str]
    metric: str
    value: str | None
    target: float
    actual: float | None
    met: bool | None
    expected_by_now: int | None
    on_track: bool | None
    year_from: str
    as_of: str
    progress: float | None
    example: bool


NOT_PACED = ("unique_users",)


def year_to_date(period: Period) -> Period:
    """From 1 January of the period's last year to the period's end: what a yearly target is measured on."""
    return Period(dt.date(period.end.year, 1, 1), period.end)


def elapsed_share(day: dt.date) -> float:
    """The share of ``day``'s year that has passed by the end of that day."""
    return (day.timetuple().tm_yday) / year(day.year).days


def targets(
    db: Database,
    indicators: list[Indicator],
    period: Period,
    knowledge: KnowledgeBase | None = None,
    today: dt.date | None = None,
) -> list[TargetResult]:
    """Every configured indicator's year to date at the period's end against its yearly target."""
    to_date = year_to_date(period)
    as_of = min(period.end, today or local_today())
    results = []
    for indicator in indicators:
        is_share = indicator.metric in SHARES
        target = indicator.target if is_share else round(indicator.target)
        value = actual(db, indicator, to_date, knowledge)
        expected = None
        if not is_share and indicator.metric not in NOT_PACED and as_of >= to_date.start:
            expected = round(target * elapsed_share(as_of))
        if value is None:
            on_track = None
        elif is_share:
            on_track = value >= target
        else:
            on_track = None if expected is None else value >= expected
        results.append(
            TargetResult(
                indicator=indicator.id,
                title={"nb": indicator.title.nb, "en": indicator.title.en},
                metric=indicator.metric,
                value=indicator.value,
                target=target,
                actual=value,
                met=None if value is None else value >= target,
                expected_by_now=expected,
                on_track=on_track,
                year_from=to_date.start.isoformat(),
                as_of=as_of.isoformat(),
                progress=round(value / target, 4) if value is not None and target and not is_share else None,
                example=indicator.example,
            )
        )
    return results

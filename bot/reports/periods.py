"""Reporting periods: what ``--from``/``--to``/``--period`` (and ``/stats 2026-Q4``) mean in days.

A period is a run of whole calendar days, both ends included, as PRODUCT.md promises. Days are
UTC days, the clock of the inquiry log: so the report, the spreadsheet export and the canned
queries in Datasette (which compare ``received_at`` strings) always agree on what "November" holds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIOD_FORMATS = "2026, 2026-Q4, 2026-11, 2026-11-26 or 2026-11-01..2026-11-30"


class PeriodError(ValueError):
    """A period a person typed that cannot be understood; the message says what to write instead."""


@dataclass(frozen=True)
class Period:
    """Whole days from ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(f"the period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_utc(self) -> str:
        """Lower bound for ``received_at >= ?``, in the log's own ISO format."""
        return _midnight(self.start)

    @property
    def end_utc(self) -> str:
        """Upper bound for ``received_at < ?``: midnight after the last day, so that day counts whole."""
        return _midnight(self.end + dt.timedelta(days=1))

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}–{self.end.isoformat()}"

    def dates(self) -> Iterator[dt.date]:
        for offset in range(self.days):
            yield self.start + dt.timedelta(days=offset)

    def months(self) -> list[str]:
        """Every month the period touches, as ``YYYY-MM``, in order."""
        return list(dict.fromkeys(day.strftime("%Y-%m") for day in self.dates()))

    def weeks(self) -> list[tuple[int, int]]:
        """Every ISO week the period touches, as ``(year, week)``, in order."""
        return list(dict.fromkeys(day.isocalendar()[:2] for day in self.dates()))


def _midnight(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).isoformat(timespec="seconds")


LOCAL = ZoneInfo("Europe/Oslo")


def today() -> dt.date:
    """Today in Drammen (Europe/Oslo), the day staff mean by "today"."""
    return dt.datetime.now(LOCAL).date()


def year(number: int) -> Period:
    return Period(dt.date(number, 1, 1), dt.date(number, 12, 31))


def parse_date(value: str, option: str = "date") -> dt.date:
    """An ISO date ``YYYY-MM-DD``; anything else is a :class:`PeriodError` naming the option."""
    text = value.strip()
    try:
        if not _DAY.match(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"{option}: '{value}' is not a date — write it as YYYY-MM-DD, e.g. 2026-11-26") from None


def parse_period(value: str) -> Period:
    """``2026``, ``2026-Q4``, ``2026-11``, ``2026-11-26`` or ``2026-11-01..2026-11-30``."""
    text = value.strip()
    if ".." in text:
        first, _, last = text.partition("..")
        return Period(parse_date(first, "period start"), parse_date(last, "period end"))
    if match := _YEAR.match(text):
        return year(int(match.group(1)))
    if match := _QUARTER.match(text):
        number, quarter = int(match.group(1)), int(match.group(2))
        start = dt.date(number, 3 * quarter - 2, 1)
        return Period(start, _month_end(number, 3 * quarter))
    if (match := _MONTH.match(text)) and 1 <= int(match.group(2)) <= 12:
        number, month = int(match.group(1)), int(match.group(2))
        return Period(dt.date(number, month, 1), _month_end(number, month))
    if _DAY.match(text):
        day = parse_date(text, "period")
        return Period(day, day)
    raise PeriodError(f"period: '{value}' is not a period — write {PERIOD_FORMATS}")


def _month_end(number: int, month: int) -> dt.date:
    following = dt.date(number + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def resolve_period(
    start: str | None = None,
    end: str | None = None,
    period: str | None = None,
    now: dt.date | None = None,
) -> Period:
    """The period the command-line options ask for; the current year when none is given.

    ``--from`` alone runs to the end of its year, ``--to`` alone starts at the beginning of its year:
    the same default as no options at all, cut where the person asked.
    """
    if period and (start or end):
        raise PeriodError("use either --period or --from/--to, not both")
    if period:
        return parse_period(period)
    first = parse_date(start, "--from") if start else None
    last = parse_date(end, "--to") if end else None
    if first and last:
        return Period(first, last)
    if first:
        return Period(first, dt.date(first.year, 12, 31))
    if last:
        return Period(dt.date(last.year, 1, 1), last)
    return year((now or today()).year)


def prorate(yearly_target: float, period: Period) -> float:
    """A yearly target scaled to the period by its days (leap years counted per year).

    A council sets måltall per year; the share of a year's days in the period is the fair share
    of the target, so a quarter's report is measured against about a quarter of the target.
    """
    share = 0.0
    for number in range(period.start.year, period.end.year + 1):
        first = max(period.start, dt.date(number, 1, 1))
        last = min(period.end, dt.date(number, 12, 31))
        share += ((last - first).days + 1) / year(number).days
    return yearly_target * share


def period_argument(text: str | None, now: dt.date | None = None) -> Period:
    """A chat command's argument (``/stats 2026-Q4``): empty means the current year, as on the command line."""
    return parse_period(text) if text and text.strip() else year((now or today()).year)

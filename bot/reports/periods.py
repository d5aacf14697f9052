"""Reporting periods: what ``--from``/``--to``/``--period`` and ``/stats forrige måned`` mean in days.

A period is a run of whole calendar days in Drammen (Europe/Oslo), both ends included, as PRODUCT.md
promises: "November" starts at Oslo's midnight on 1 November, which is 23:00 UTC on 31 October. The log
stores UTC, so :attr:`Period.start_utc` and :attr:`Period.end_utc` give those midnights in UTC for the
SQL, and :mod:`bot.clock` turns a stored time back into an Oslo day or month.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.clock import LOCAL

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(?:(\d{4})[- ]?)?q([1-4])(?:[- ](\d{4}))?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NAMED_MONTH = re.compile(r"^([a-zæøå]+)(?:\s+(\d{4}))?$")
PERIOD_FORMATS = "2026, 2026-Q4, 2026-11, 2026-11-26 or 2026-11-01..2026-11-30"
PERIOD_EXAMPLES_NB = ("«i dag», «i går», «denne uka», «forrige uke», «denne måneden», «forrige måned», "
                      "«november», «november 2025», «i år», «i fjor», «Q4», «2026-Q4», «2026-11» "
                      "eller «2026-11-01..2026-11-30»")

MONTH_NAMES: dict[str, int] = {
    **{name: number for number, name in enumerate(
        ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
         "november", "desember"), start=1)},
    **{name: number for number, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"), start=1)},
}


class PeriodError(ValueError):
    """A period a person typed that cannot be understood; the message says what to write instead.

    ``str()`` is the English message for the command line; :meth:`text` gives the Norwegian one to staff
    in Telegram.
    """

    def __init__(self, message: str, norwegian: str | None = None) -> None:
        super().__init__(message)
        self.norwegian = norwegian or message

    def text(self, lang: str = "nb") -> str:
        return str(self) if lang == "en" else self.norwegian


@dataclass(frozen=True)
class Period:
    """Whole Oslo days from ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(f"the period ends ({self.end}) before it starts ({self.start})",
                              f"perioden slutter ({self.end:%d.%m.%Y}) før den begynner ({self.start:%d.%m.%Y})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_utc(self) -> str:
        """Lower bound for ``received_at >= ?``: Oslo's midnight starting the first day, in UTC."""
        return utc_midnight(self.start)

    @property
    def end_utc(self) -> str:
        """Upper bound for ``received_at < ?``: Oslo's midnight after the last day, so that day counts whole."""
        return utc_midnight(self.end + dt.timedelta(days=1))

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}–{self.end.isoformat()}"

    @property
    def local_label(self) -> str:
        """The period as staff write it: ``01.11.2026–30.11.2026``."""
        return f"{self.start:%d.%m.%Y}–{self.end:%d.%m.%Y}"

    def dates(self) -> Iterator[dt.date]:
        for offset in range(self.days):
            yield self.start + dt.timedelta(days=offset)

    def months(self) -> list[str]:
        """Every month the period touches, as ``YYYY-MM``, in order."""
        return list(dict.fromkeys(day.strftime("%Y-%m") for day in self.dates()))

    def weeks(self) -> list[tuple[int, int]]:
        """Every ISO week the period touches, as ``(year, week)``, in order."""
        return list(dict.fromkeys(day.isocalendar()[:2] for day in self.dates()))

    def previous(self) -> Period:
        """The period of the same length just before: the month, quarter or year before a whole one."""
        months = whole_months(self)
        if months:
            first = _add_months(self.start, -months)
            return Period(first, _add_months(first, months) - dt.timedelta(days=1))
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def cut(self, last: dt.date) -> Period:
        """The period up to ``last`` at most (a period still running is compared up to today)."""
        return Period(self.start, max(self.start, min(self.end, last)))


def utc_midnight(day: dt.date) -> str:
    """Oslo's midnight at the start of ``day`` in UTC, in the log's ISO format (``…+00:00``)."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=LOCAL)
    return local.astimezone(dt.UTC).isoformat(timespec="seconds")


def whole_months(period: Period) -> int:
    """How many calendar months the period spans exactly (0 if it is not whole months)."""
    if period.start.day != 1 or (period.end + dt.timedelta(days=1)).day != 1:
        return 0
    after = period.end + dt.timedelta(days=1)
    return (after.year - period.start.year) * 12 + after.month - period.start.month


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def today() -> dt.date:
    """Today in Drammen (Europe/Oslo), the day staff mean by "today"."""
    return dt.datetime.now(LOCAL).date()


def year(number: int) -> Period:
    return Period(dt.date(number, 1, 1), dt.date(number, 12, 31))


def month(number: int, month_number: int) -> Period:
    return Period(dt.date(number, month_number, 1), _month_end(number, month_number))


def parse_date(value: str, option: str = "date") -> dt.date:
    """An ISO date ``YYYY-MM-DD``; anything else is a :class:`PeriodError` naming the option."""
    text = value.strip()
    try:
        if not _DAY.match(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"{option}: '{value}' is not a date — write it as YYYY-MM-DD, e.g. 2026-11-26",
                          f"«{value}» er ikke en dato — skriv den som ÅÅÅÅ-MM-DD, for eksempel 2026-11-26") from None


def parse_period(value: str, now: dt.date | None = None) -> Period:
    """ISO forms (``2026``, ``2026-Q4``, ``2026-11``, ``2026-11-26``, ``2026-11-01..2026-11-30``) or words.

    Words are Bokmål, nynorsk or English, relative to ``now`` (today in Oslo): "i dag", "forrige måned",
    "november" (the latest November that has begun), "Q4 2025", "i fjor".
    """
    text = " ".join(value.strip().lower().split())
    if ".." in text:
        first, _, last = text.partition("..")
        return Period(parse_date(first, "period start"), parse_date(last, "period end"))
    if match := _YEAR.match(text):
        return year(int(match.group(1)))
    if (match := _MONTH.match(text)) and 1 <= int(match.group(2)) <= 12:
        return month(int(match.group(1)), int(match.group(2)))
    if _DAY.match(text):
        day = parse_date(text, "period")
        return Period(day, day)
    words = _from_words(text, now or today())
    if words is not None:
        return words
    raise PeriodError(f"period: '{value}' is not a period — write {PERIOD_FORMATS}",
                      f"«{value.strip()}» er ikke en periode jeg forstår. Skriv for eksempel {PERIOD_EXAMPLES_NB}.")


RELATIVE: dict[str, str] = {
    "i dag": "today", "idag": "today", "today": "today",
    "i går": "yesterday", "i gar": "yesterday", "igår": "yesterday", "yesterday": "yesterday",
    **dict.fromkeys(("denne uka", "denne uken", "denne veka", "denne veke", "this week"), "this_week"),
    **dict.fromkeys(("forrige uke", "forrige uka", "forrige veke", "førre veke", "sist veke", "sist uke",
                     "last week"), "last_week"),
    **dict.fromkeys(("denne måneden", "denne månaden", "denne mnd", "this month"), "this_month"),
    **dict.fromkeys(("forrige måned", "forrige månad", "førre månad", "sist månad", "last month"), "last_month"),
    **dict.fromkeys(("i år", "i ar", "this year"), "this_year"),
    **dict.fromkeys(("i fjor", "i fjor år", "last year"), "last_year"),
}


def _from_words(text: str, now: dt.date) -> Period | None:
    """A period named in words, or None when ``text`` names none."""
    relative = RELATIVE.get(text)
    monday = now - dt.timedelta(days=now.weekday())
    if relative == "today":
        return Period(now, now)
    if relative == "yesterday":
        return Period(now - dt.timedelta(days=1), now - dt.timedelta(days=1))
    if relative == "this_week":
        return Period(monday, monday + dt.timedelta(days=6))
    if relative == "last_week":
        return Period(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))
    if relative == "this_month":
        return month(now.year, now.month)
    if relative == "last_month":
        first = _add_months(dt.date(now.year, now.month, 1), -1)
        return month(first.year, first.month)
    if relative == "this_year":
        return year(now.year)
    if relative == "last_year":
        return year(now.year - 1)
    if match := _QUARTER.match(text):
        quarter = int(match.group(2))
        number = int(match.group(1) or match.group(3) or 0) or (
            now.year if 3 * quarter - 2 <= now.month else now.year - 1)
        return Period(dt.date(number, 3 * quarter - 2, 1), _month_end(number, 3 * quarter))
    if (match := _NAMED_MONTH.match(text)) and match.group(1) in MONTH_NAMES:
        number = MONTH_NAMES[match.group(1)]
        given = int(match.group(2)) if match.group(2) else None
        return month(given or (now.year if number <= now.month else now.year - 1), number)
    return None


def _month_end(number: int, month_number: int) -> dt.date:
    following = dt.date(number + month_number // 12, month_number % 12 + 1, 1)
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
        return parse_period(period, now)
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

    Used only for the chart's weekly pace line: the report itself compares the year to date with the
    whole yearly target.
    """
    share = 0.0
    for number in range(period.start.year, period.end.year + 1):
        first = max(period.start, dt.date(number, 1, 1))
        last = min(period.end, dt.date(number, 12, 31))
        share += ((last - first).days + 1) / year(number).days
    return yearly_target * share


def period_argument(text: str | None, now: dt.date | None = None) -> Period:
    """A chat command's argument (``/stats forrige måned``): empty means the current year, as on the command line."""
    return parse_period(text, now) if text and text.strip() else year((now or today()).year)

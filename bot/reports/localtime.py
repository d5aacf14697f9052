"""Oslo time for a log kept in UTC: the day and month a stored time falls in, in SQL and in Python.

SQLite has no time zones, so :func:`local_sql` builds a ``CASE`` over the instants the Oslo offset
changes (the last Sundays of March and October, read from ``zoneinfo``) in the years a period touches.
The months, weeks and the first inquiry's month then follow Drammen's calendar, not Greenwich's.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from bot.reports.periods import LOCAL, Period

HOUR = dt.timedelta(hours=1)


def local_time(iso: str) -> dt.datetime:
    """A stored UTC ISO time as an aware Oslo time."""
    moment = dt.datetime.fromisoformat(iso)
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(LOCAL)


def local_day(iso: str) -> dt.date:
    return local_time(iso).date()


@cache
def offset_changes(year: int) -> tuple[tuple[dt.datetime, int], ...]:
    """The UTC instants in ``year`` where Oslo's offset changes, with the offset in hours from then on."""
    changes = []
    moment = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    offset = _offset(moment)
    while moment.year == year:
        following = moment + dt.timedelta(days=1)
        if _offset(following) != offset:
            while _offset(moment) == offset:
                moment += HOUR
            offset = _offset(moment)
            changes.append((moment, offset))
            following = moment.replace(hour=0) + dt.timedelta(days=1)
        moment = following
    return tuple(changes)


def _offset(moment: dt.datetime) -> int:
    delta = moment.astimezone(LOCAL).utcoffset()
    assert delta is not None
    return int(delta.total_seconds() // 3600)


def local_sql(column: str, period: Period, fmt: str = "%Y-%m-%d") -> str:
    """SQL for the Oslo date (or, with ``fmt="%Y-%m"``, month) of a UTC ISO ``column``, for rows in ``period``.

    The rows of a period lie between its Oslo midnights, so the offset changes of its years (and the new
    year just after it) are all the ``CASE`` needs.
    """
    changes = [change for number in range(period.start.year, period.end.year + 2) for change in offset_changes(number)]
    first = dt.datetime(period.start.year, 1, 1, tzinfo=dt.UTC)
    cases = [f"WHEN {column} < '{moment.isoformat(timespec='seconds')}' THEN '{_modifier(offset)}'"
             for (moment, _), offset in zip(changes, [_offset(first), *(o for _, o in changes[:-1])], strict=True)]
    last = changes[-1][1] if changes else _offset(first)
    return f"strftime('{fmt}', {column}, CASE {' '.join(cases)} ELSE '{_modifier(last)}' END)"


def _modifier(offset: int) -> str:
    return f"{offset:+d} hours"

"""Drammen's clock: the inquiry log keeps UTC, staff and the council read Europe/Oslo time.

One rule for Python and SQL alike, so the report, ``/stats``, the chart, the spreadsheet, the
handoff posts and Datasette put a message sent at 00:30 on 1 November in November, all of them.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Oslo")


def local_time(iso: str) -> dt.datetime:
    """A stored UTC ISO time as an aware Oslo time."""
    moment = dt.datetime.fromisoformat(iso)
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(LOCAL)


def local_day(iso: str) -> dt.date:
    return local_time(iso).date()


def oslo_time_sql(column: str, pattern: str = "%Y-%m-%d %H:%M:%S") -> str:
    """SQL for a UTC time as the clock in Drammen shows it, in SQLite's own functions.

    Summer time runs from the last Sunday of March to the last Sunday of October, 01:00 UTC
    both times (the first Sunday on or after the 25th), so the view and the queries work in any
    SQLite client, not only where Python's zoneinfo is at hand; ``tests/test_clock.py`` checks the
    rule against ``zoneinfo`` hour by hour.
    """
    moment = f"strftime('%Y-%m-%dT%H:%M:%S', {column})"
    year = f"strftime('%Y', {column})"
    summer = (f"{moment} >= date({year} || '-03-25', 'weekday 0') || 'T01:00:00' "
              f"and {moment} < date({year} || '-10-25', 'weekday 0') || 'T01:00:00'")
    return f"strftime('{pattern}', {column}, case when {summer} then '+2 hours' else '+1 hour' end)"

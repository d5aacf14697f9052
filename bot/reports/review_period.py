"""The period of the review's ready-made queries: ``fra``/``til`` as Oslo days, with a default.

Left empty, the period is the current month; in the first ``FIRST_DAYS`` days of a month it is
the previous month, which is what staff look at when they report at the start of a month. The
queries compute the same default in SQL (so the JSON and CSV answers agree with the page), and
the query page shows the period used, or what to write when a date cannot be read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from bot.clock import LOCAL, oslo_time_sql

FIRST_DAYS = 5
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The current month, or the previous one in the first ``FIRST_DAYS`` days of a month."""
    first = today.replace(day=1)
    if today.day <= FIRST_DAYS:
        last = first - dt.timedelta(days=1)
        return last.replace(day=1), last
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def period_sql() -> str:
    """``periode(fra, til)``: a CTE of the chosen days, for ``WITH {period}`` in the queries.

    Both empty: the default period. Only ``fra``: from then until today. Only ``til``: that
    month up to ``til``. A value that is not a date (``YYYY-MM-DD``) gives NULL, so no rows.
    """
    today = f"date({oslo_time_sql(repr('now'))})"
    early = f"cast(strftime('%d', {today}) AS integer) <= {FIRST_DAYS}"
    start = (f"CASE WHEN {early} THEN date({today}, 'start of month', '-1 month') "
             f"ELSE date({today}, 'start of month') END")
    end = (f"CASE WHEN {early} THEN date({today}, 'start of month', '-1 day') "
           f"ELSE date({today}, 'start of month', '+1 month', '-1 day') END")
    fra, til = "trim(coalesce(:fra, ''))", "trim(coalesce(:til, ''))"
    # date(x, '+0 days') normalises impossible days (2026-02-30 becomes 2026-03-02), so they differ.
    first = (f"CASE WHEN {fra} = '' THEN (CASE WHEN {til} = '' THEN {start} WHEN date({til}, '+0 days') = {til} "
             f"THEN date({til}, 'start of month') END) WHEN date({fra}, '+0 days') = {fra} THEN {fra} END")
    last = (f"CASE WHEN {til} = '' THEN (CASE WHEN {fra} = '' THEN {end} ELSE {today} END) "
            f"WHEN date({til}, '+0 days') = {til} THEN {til} END")
    return f"periode AS (SELECT {first} AS fra, {last} AS til)"


def in_period_sql(column: str) -> str:
    """The row's time, as a day in Oslo, falls within the chosen days (``periode p`` joined)."""
    local = oslo_time_sql(column)
    return f"{local} >= p.fra AND {local} < date(p.til, '+1 day')"


@dataclass(frozen=True)
class Shown:
    """What the query page says about the period, and the defaults it shows in the empty fields."""

    text: str
    error: bool
    fra: str
    til: str

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)


def _read(value: str | None, name: str) -> tuple[dt.date | None, str | None]:
    text = (value or "").strip()
    if not text:
        return None, None
    try:
        if not _DATE.match(text):
            raise ValueError
        return dt.date.fromisoformat(text), None
    except ValueError:
        return None, f"«{name}» er «{text}», som ikke er en dato: skriv den som ÅÅÅÅ-MM-DD, f.eks. 2026-11-01"


def _day(day: dt.date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def shown_period(fra: str | None, til: str | None, today: dt.date | None = None) -> Shown:
    """The period the query used, in words, or what to correct; the same rules as :func:`period_sql`."""
    today = today or dt.datetime.now(LOCAL).date()
    default_start, default_end = default_period(today)
    start, start_problem = _read(fra, "fra")
    end, end_problem = _read(til, "til")
    defaults = (default_start.isoformat(), default_end.isoformat())
    problems = [problem for problem in (start_problem, end_problem) if problem]
    if problems:
        return Shown("; ".join(problems) + ". Ingen rader vises før datoen er rettet.", True, *defaults)
    note = ""
    if start is None and end is None:
        start, end = default_start, default_end
        note = (f" (standard: denne måneden, eller forrige måned de første {FIRST_DAYS} dagene i en måned;"
                " skriv andre datoer i feltene for en annen periode)")
    elif start is None:
        assert end is not None
        start = end.replace(day=1)
    elif end is None:
        end = today
    if end < start:
        return Shown(f"«til» ({_day(end)}) er før «fra» ({_day(start)}), så perioden er tom.", True, *defaults)
    return Shown(f"Periode: {_day(start)}–{_day(end)}, dager i norsk tid{note}.", False, *defaults)

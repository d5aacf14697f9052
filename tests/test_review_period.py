"""The review's period and Oslo times: the defaults, and SQLite's arithmetic against zoneinfo."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from bot.clock import LOCAL, oslo_time_sql
from bot.config import Config
from bot.reports.periods import resolve_period
from bot.reports.review import indicators_sql
from bot.reports.review_period import default_period, period_sql, shown_period
from bot.reports.targets import targets
from bot.store.database import open_database
from bot.store.inquiries import Inquiry, InquiryLog


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 12, 1), (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
        (dt.date(2026, 12, 5), (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
        (dt.date(2026, 12, 6), (dt.date(2026, 12, 1), dt.date(2026, 12, 31))),
        (dt.date(2027, 1, 3), (dt.date(2026, 12, 1), dt.date(2026, 12, 31))),
        (dt.date(2028, 2, 20), (dt.date(2028, 2, 1), dt.date(2028, 2, 29))),
    ],
)
def test_default_period_is_this_month_or_the_previous_in_its_first_days(
    today: dt.date, expected: tuple[dt.date, dt.date]
) -> None:
    assert default_period(today) == expected


@pytest.mark.parametrize(
    "utc",
    [
        "2026-03-29T00:59:59+00:00", "2026-03-29T01:00:00+00:00",  # summer time starts
        "2026-10-25T00:59:59+00:00", "2026-10-25T01:00:00+00:00",  # and ends
        "2027-03-28T01:30:00+00:00", "2027-10-31T00:30:00+00:00",
        "2026-10-31T22:30:00+00:00", "2026-10-31T23:30:00+00:00",  # the month changes in Drammen first
        "2026-06-30T21:59:00+00:00", "2026-06-30T22:00:00+00:00",
        "2026-12-31T23:00:00+00:00", "2026-01-15T12:00:00+00:00",
    ],
)
def test_oslo_time_in_sqlite_matches_zoneinfo(utc: str) -> None:
    connection = sqlite3.connect(":memory:")
    local = connection.execute(f"select {oslo_time_sql(':t')}", {"t": utc}).fetchone()[0]
    assert local == dt.datetime.fromisoformat(utc).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S")


def period(fra: str, til: str) -> tuple[str | None, str | None]:
    row = sqlite3.connect(":memory:").execute(f"with {period_sql()} select fra, til from periode",
                                              {"fra": fra, "til": til}).fetchone()
    return row[0], row[1]


def test_the_sql_period_follows_the_same_rules_as_the_page() -> None:
    today = dt.datetime.now(LOCAL).date()
    start, end = default_period(today)
    assert period("", "") == (start.isoformat(), end.isoformat())
    assert period("2026-01-15", "") == ("2026-01-15", today.isoformat())
    assert period("", "2026-02-10") == ("2026-02-01", "2026-02-10")
    assert period(" 2026-01-01 ", "2026-01-31") == ("2026-01-01", "2026-01-31")
    assert period("2026-02-30", "") == (None, today.isoformat())  # no such day: no rows
    assert period("1.1.2026", "2026-01-31")[0] is None


def test_the_page_says_which_period_was_used() -> None:
    today = dt.date(2026, 12, 1)
    assert shown_period("", "", today).text.startswith("Periode: 1.11.2026–30.11.2026, dager i norsk tid (standard:")
    assert shown_period("2026-01-15", None, today).text == "Periode: 15.1.2026–1.12.2026, dager i norsk tid."
    assert shown_period("", "2026-02-10", today).text == "Periode: 1.2.2026–10.2.2026, dager i norsk tid."
    wrong = shown_period("2026-02-30", "", today)
    assert wrong.error and "«fra» er «2026-02-30», som ikke er en dato" in wrong.text
    backwards = shown_period("2026-03-01", "2026-02-01", today)
    assert backwards.error and "er før" in backwards.text
    assert (wrong["fra"], wrong["til"]) == ("2026-11-01", "2026-11-30")  # the defaults shown in empty fields


def test_the_norwegian_templates_are_for_the_installed_datasette() -> None:
    """They are translated copies of Datasette's own: a new Datasette needs them compared again."""
    from importlib import resources

    import datasette

    folder = resources.files("bot.reports").joinpath("review_templates")
    names = sorted(item.name for item in folder.iterdir() if item.name.endswith(".html"))
    assert names
    for name in names:
        first_line = folder.joinpath(name).read_text("utf-8").splitlines()[0]
        assert first_line.startswith(f"{{# Datasette {datasette.__version__}'s own template"), name
        assert (resources.files("datasette") / "templates" / name).is_file(), name


def test_the_indicators_year_is_oslos_as_in_the_report(tmp_path: Path, shipped_config: Config) -> None:
    """An inquiry at 00:30 on 1 January in Drammen (23:30 UTC the day before) is this year's, in both."""
    year = dt.datetime.now(LOCAL).year
    db = open_database(tmp_path / "inquiries.db")
    log = InquiryLog(db)
    for update_id, stamp in ((1, f"{year - 1}-12-31T23:30:00+00:00"), (2, f"{year - 1}-12-31T22:30:00+00:00")):
        log.record(Inquiry("telegram", "message", "answered", "anna", update_id, text="kurs",
                           entry_id="establisher-courses", received_at=stamp))
    inquiries = [indicator for indicator in shipped_config.indicators if indicator.metric == "inquiries"]
    (row,) = db.execute(indicators_sql(inquiries)).fetchall()
    (expected,) = targets(db, inquiries, resolve_period())
    assert row[3] == expected.actual == 1

"""Reporting periods: what people type, which days that covers, and a yearly target's share of it."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.reports.periods import Period, PeriodError, parse_period, period_argument, prorate, resolve_period

D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026", D(2026, 1, 1), D(2026, 12, 31)),
        ("2026-Q1", D(2026, 1, 1), D(2026, 3, 31)),
        ("2026-q4", D(2026, 10, 1), D(2026, 12, 31)),
        ("2026-11", D(2026, 11, 1), D(2026, 11, 30)),
        ("2026-12", D(2026, 12, 1), D(2026, 12, 31)),
        ("2026-02", D(2026, 2, 1), D(2026, 2, 28)),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        ("2026-11-26", D(2026, 11, 26), D(2026, 11, 26)),
        ("2026-11-01..2026-11-15", D(2026, 11, 1), D(2026, 11, 15)),
        (" 2026-Q2 ", D(2026, 4, 1), D(2026, 6, 30)),
    ],
)
def test_periods_people_type_cover_whole_days(text: str, start: dt.date, end: dt.date) -> None:
    assert parse_period(text) == Period(start, end)


@pytest.mark.parametrize("text", ["nov", "2026-13", "2026-Q5", "26", "2026-11-31", "2026/11", "2026-11-30..2026-11-01"])
def test_a_period_that_is_not_one_says_what_to_write(text: str) -> None:
    with pytest.raises(PeriodError) as error:
        parse_period(text)
    assert "2026" in str(error.value) or "before it starts" in str(error.value)


def test_the_default_period_is_the_current_year() -> None:
    assert resolve_period(now=D(2026, 11, 26)) == Period(D(2026, 1, 1), D(2026, 12, 31))
    assert period_argument("", now=D(2027, 3, 1)) == Period(D(2027, 1, 1), D(2027, 12, 31))
    assert period_argument(None, now=D(2027, 3, 1)).days == 365


def test_from_and_to_are_both_included() -> None:
    period = resolve_period("2026-11-01", "2026-11-30")
    assert period.days == 30
    # Oslo's midnights (CET, UTC+1) in the log's UTC: the last second of the last Oslo day is inside.
    assert period.start_utc == "2026-10-31T23:00:00+00:00"
    assert period.end_utc == "2026-11-30T23:00:00+00:00"
    assert period.start_utc <= "2026-11-30T22:59:59+00:00" < period.end_utc
    assert period.start_utc > "2026-10-31T22:59:59+00:00"
    assert parse_period("2026-07").start_utc == "2026-06-30T22:00:00+00:00"  # summer time, UTC+2


def test_from_alone_runs_to_the_end_of_its_year_and_to_alone_starts_at_new_year() -> None:
    assert resolve_period("2026-11-01") == Period(D(2026, 11, 1), D(2026, 12, 31))
    assert resolve_period(None, "2026-03-31") == Period(D(2026, 1, 1), D(2026, 3, 31))


@pytest.mark.parametrize(
    ("start", "end", "period", "message"),
    [
        ("2026-13-01", None, None, "--from: '2026-13-01' is not a date"),
        (None, "1.12.2026", None, "--to: '1.12.2026' is not a date — write it as YYYY-MM-DD"),
        ("2026-11-30", "2026-11-01", None, "ends (2026-11-01) before it starts (2026-11-30)"),
        ("2026-11-01", None, "2026-11", "either --period or --from/--to"),
    ],
)
def test_bad_options_explain_themselves(start: str | None, end: str | None, period: str | None, message: str) -> None:
    with pytest.raises(PeriodError) as error:
        resolve_period(start, end, period)
    assert message in str(error.value)


def test_months_and_iso_weeks_of_a_period() -> None:
    assert parse_period("2026-Q4").months() == ["2026-10", "2026-11", "2026-12"]
    november = parse_period("2026-11")
    assert november.weeks() == [(2026, 44), (2026, 45), (2026, 46), (2026, 47), (2026, 48), (2026, 49)]
    assert parse_period("2026-12-28..2027-01-04").weeks() == [(2026, 53), (2027, 1)]


@pytest.mark.parametrize(
    ("period", "share"),
    [
        ("2026", 1.0),
        ("2026-11", 30 / 365),
        ("2026-Q4", 92 / 365),
        ("2024-02", 29 / 366),
        ("2025-12-01..2026-01-31", 31 / 365 + 31 / 365),
        ("2024-12-31..2025-01-01", 1 / 366 + 1 / 365),
    ],
)
def test_a_yearly_target_is_scaled_by_the_days_of_the_period(period: str, share: float) -> None:
    assert prorate(1200, parse_period(period)) == pytest.approx(1200 * share)


TUESDAY = D(2026, 12, 1)  # "today" for the words below


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("i dag", TUESDAY, TUESDAY),
        ("I DAG", TUESDAY, TUESDAY),
        ("i går", D(2026, 11, 30), D(2026, 11, 30)),
        ("yesterday", D(2026, 11, 30), D(2026, 11, 30)),
        ("denne uka", D(2026, 11, 30), D(2026, 12, 6)),
        ("denne uken", D(2026, 11, 30), D(2026, 12, 6)),
        ("denne veka", D(2026, 11, 30), D(2026, 12, 6)),
        ("forrige uke", D(2026, 11, 23), D(2026, 11, 29)),
        ("førre veke", D(2026, 11, 23), D(2026, 11, 29)),
        ("last week", D(2026, 11, 23), D(2026, 11, 29)),
        ("denne måneden", D(2026, 12, 1), D(2026, 12, 31)),
        ("denne månaden", D(2026, 12, 1), D(2026, 12, 31)),
        ("forrige måned", D(2026, 11, 1), D(2026, 11, 30)),
        ("forrige  månad", D(2026, 11, 1), D(2026, 11, 30)),
        ("last month", D(2026, 11, 1), D(2026, 11, 30)),
        ("november", D(2026, 11, 1), D(2026, 11, 30)),  # the latest November that has begun
        ("desember", D(2026, 12, 1), D(2026, 12, 31)),
        ("januar", D(2026, 1, 1), D(2026, 1, 31)),
        ("mai 2025", D(2025, 5, 1), D(2025, 5, 31)),
        ("May 2025", D(2025, 5, 1), D(2025, 5, 31)),
        ("i år", D(2026, 1, 1), D(2026, 12, 31)),
        ("i fjor", D(2025, 1, 1), D(2025, 12, 31)),
        ("last year", D(2025, 1, 1), D(2025, 12, 31)),
        ("Q4", D(2026, 10, 1), D(2026, 12, 31)),
        ("q1", D(2026, 1, 1), D(2026, 3, 31)),
        ("Q4 2025", D(2025, 10, 1), D(2025, 12, 31)),
        ("2025-Q2", D(2025, 4, 1), D(2025, 6, 30)),
        ("2026-11-01..2026-11-15", D(2026, 11, 1), D(2026, 11, 15)),
    ],
)
def test_period_words_in_bokmal_nynorsk_and_english(text: str, start: dt.date, end: dt.date) -> None:
    assert parse_period(text, now=TUESDAY) == Period(start, end)


def test_a_quarter_without_a_year_is_the_latest_that_has_begun() -> None:
    assert parse_period("Q4", now=D(2026, 2, 10)) == Period(D(2025, 10, 1), D(2025, 12, 31))
    assert parse_period("mars", now=D(2026, 2, 10)) == Period(D(2025, 3, 1), D(2025, 3, 31))


def test_a_period_that_is_not_one_is_explained_in_norwegian_with_examples() -> None:
    with pytest.raises(PeriodError) as error:
        period_argument("neste år")
    assert error.value.text("nb").startswith("«neste år» er ikke en periode jeg forstår. Skriv for eksempel «i dag»")
    assert "«forrige måned»" in error.value.text() and "«2026-11-01..2026-11-30»" in error.value.text()
    assert "is not a period" in error.value.text("en")
    with pytest.raises(PeriodError) as backwards:
        period_argument("2026-11-30..2026-11-01")
    assert backwards.value.text() == "perioden slutter (01.11.2026) før den begynner (30.11.2026)"


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        ("2026-11", Period(D(2026, 10, 1), D(2026, 10, 31))),
        ("2026-03", Period(D(2026, 2, 1), D(2026, 2, 28))),
        ("2026-Q1", Period(D(2025, 10, 1), D(2025, 12, 31))),
        ("2026", Period(D(2025, 1, 1), D(2025, 12, 31))),
        ("2026-11-10..2026-11-12", Period(D(2026, 11, 7), D(2026, 11, 9))),
    ],
)
def test_the_period_before_has_the_same_length(period: str, previous: Period) -> None:
    assert parse_period(period).previous() == previous


def test_oslo_midnights_follow_summer_time() -> None:
    summer = parse_period("2026-03-29..2026-10-25")  # the days summer time starts and ends
    assert summer.start_utc == "2026-03-28T23:00:00+00:00"  # CET midnight
    assert summer.end_utc == "2026-10-25T23:00:00+00:00"  # CET again after 25 October
    assert parse_period("2026-03-30").start_utc == "2026-03-29T22:00:00+00:00"  # CEST midnight

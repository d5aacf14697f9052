"""Drammen's clock: the SQL rule for Oslo time agrees with zoneinfo at every hour, switches included."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from bot.clock import LOCAL, local_day, local_time, oslo_time_sql


@pytest.mark.parametrize("year", [2025, 2026, 2027, 2030])
def test_the_sql_rule_gives_zoneinfos_local_time_every_hour_of_the_year(year: int) -> None:
    connection = sqlite3.connect(":memory:")
    start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    moments = [start + dt.timedelta(minutes=30 * step) for step in range(2 * 24 * 366)]
    stamps = [moment.isoformat(timespec="seconds") for moment in moments]
    sql = f"select {oslo_time_sql('value')} from json_each(?)"

    shown = [row[0] for row in connection.execute(sql, (json.dumps(stamps),))]
    expected = [moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S") for moment in moments]
    assert shown == expected

def test_a_message_late_on_the_last_evening_of_a_month_belongs_to_the_next_day_in_drammen() -> None:
    assert local_day("2026-10-31T23:30:00+00:00") == dt.date(2026, 11, 1)  # winter time: 00:30 on 1 November
    assert local_day("2026-06-30T22:30:00+00:00") == dt.date(2026, 7, 1)  # summer time: 00:30 on 1 July
    assert local_time("2026-03-29T01:00:00").hour == 3  # a stored time without offset is UTC

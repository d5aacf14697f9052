"""The figures a council reads: every number of November's sample log, counted by hand in tests/sample_log.py."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.knowledge.model import KnowledgeBase
from bot.reports.indicators import compute_figures
from bot.reports.periods import parse_period
from bot.store.database import open_database
from bot.store.inquiries import Inquiry, InquiryLog
from tests.sample_log import (
    CLOCK_ROWS,
    EXPECTED_BY_ENTRY,
    EXPECTED_BY_LANG,
    EXPECTED_BY_MUNICIPALITY,
    EXPECTED_BY_ROLE,
    EXPECTED_BY_SOURCE,
    EXPECTED_BY_TOPIC,
    EXPECTED_TOTALS,
    NOVEMBER,
    build_clock_log,
    build_sample_log,
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return build_sample_log(tmp_path_factory.mktemp("log") / "inquiries.db")


@pytest.fixture(scope="module")
def clock_log(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return build_clock_log(tmp_path_factory.mktemp("clock") / "inquiries.db")


def test_every_total_of_november(db: Database) -> None:
    assert asdict(compute_figures(db, NOVEMBER).totals) == EXPECTED_TOTALS


def test_inquiries_split_into_outcomes_and_into_questions_and_menu_answers(db: Database) -> None:
    totals = compute_figures(db, NOVEMBER).totals
    assert totals.inquiries == totals.answered + totals.ambiguous + totals.fallback + totals.to_staff
    assert totals.inquiries == totals.questions + totals.cards_opened


def test_shares_are_answered_over_inquiries_and_thumbs_up_over_votes(db: Database) -> None:
    figures = compute_figures(db, NOVEMBER)
    assert figures.answered_share == round(6 / 13, 4)
    # 1 2 24 (00:59 on 1 November in Oslo); staff's and 27's (00:59 on 1 December in Oslo) left out
    assert (figures.feedback_up, figures.feedback_down) == (2, 2)
    assert figures.satisfaction == 0.5


def test_satisfaction_is_none_without_votes(db: Database) -> None:
    figures = compute_figures(db, parse_period("2026-11-10..2026-11-12"))
    assert figures.totals.inquiries == 3  # 7 8 9
    assert figures.satisfaction is None


def test_answers_shown_per_entry_include_suggestion_picks_but_not_smalltalk(db: Database) -> None:
    by_entry = compute_figures(db, NOVEMBER).by_entry
    assert by_entry == EXPECTED_BY_ENTRY
    assert next(iter(by_entry)) == "funding"  # most shown first
    assert "greeting" not in by_entry


def test_topics_come_from_the_knowledge_base(db: Database, knowledge: KnowledgeBase) -> None:
    assert compute_figures(db, NOVEMBER, knowledge).by_topic == EXPECTED_BY_TOPIC
    assert compute_figures(db, NOVEMBER).by_topic == {}


def test_who_asks_is_the_profile_as_it_was_when_they_asked(db: Database) -> None:
    figures = compute_figures(db, NOVEMBER)
    assert figures.by_role == EXPECTED_BY_ROLE
    assert figures.by_municipality == EXPECTED_BY_MUNICIPALITY
    assert figures.by_source == EXPECTED_BY_SOURCE
    assert figures.by_lang == EXPECTED_BY_LANG


def test_handoffs_count_questions_passed_to_staff_and_how_fast_they_were_answered(db: Database) -> None:
    handoffs = compute_figures(db, NOVEMBER).handoffs
    assert handoffs.opened == 2
    assert handoffs.answered == 1
    assert handoffs.by_status == {"answered": 1, "unrouted": 1}
    assert handoffs.median_minutes_to_first_answer == 30.0


def test_every_month_of_the_period_is_listed_even_without_inquiries(db: Database) -> None:
    by_month = compute_figures(db, parse_period("2026-Q4")).by_month
    assert by_month == {
        "2026-10": {"inquiries": 0, "unique_users": 0, "answered": 0, "ambiguous": 0, "fallback": 0, "handoffs": 0},
        "2026-11": {"inquiries": 13, "unique_users": 4, "answered": 6, "ambiguous": 2, "fallback": 4, "handoffs": 2},
        "2026-12": {"inquiries": 2, "unique_users": 2, "answered": 1, "ambiguous": 0, "fallback": 1, "handoffs": 1},
    }
    assert next(iter(compute_figures(db, parse_period("2026")).by_month)) == "2026-01"


@pytest.mark.parametrize(
    ("period", "inquiries"),
    [("2026-10-31", 0), ("2026-11-01", 1), ("2026-11-30", 0), ("2026-12-01", 2), ("2026-09", 0)],
)
def test_days_at_the_edges_of_a_period_count_whole(db: Database, period: str, inquiries: int) -> None:
    assert compute_figures(db, parse_period(period)).totals.inquiries == inquiries


@pytest.mark.parametrize(("received_at", "day"), CLOCK_ROWS)
def test_a_row_counts_on_its_oslo_day_around_midnight_and_the_clock_changes(
    clock_log: Database, received_at: str, day: str
) -> None:
    on_day = compute_figures(clock_log, parse_period(day)).totals.inquiries
    assert on_day == sum(1 for _, other in CLOCK_ROWS if other == day)
    utc_day = received_at[:10]
    if utc_day != day:
        assert compute_figures(clock_log, parse_period(utc_day)).totals.inquiries == sum(
            1 for _, other in CLOCK_ROWS if other == utc_day)


def test_months_are_oslo_months(clock_log: Database) -> None:
    by_month = compute_figures(clock_log, parse_period("2026")).by_month
    assert {month: figures["inquiries"] for month, figures in by_month.items() if figures["inquiries"]} == {
        "2026-03": 2, "2026-06": 1, "2026-10": 3, "2026-11": 1}  # 30 Sept 23:30 UTC is October's, 31 Dec's is 2027's
    assert compute_figures(clock_log, parse_period("2027-01")).by_month == {"2027-01": {
        "inquiries": 1, "unique_users": 1, "answered": 1, "ambiguous": 0, "fallback": 0, "handoffs": 0}}


def test_staff_and_the_terminal_chat_never_count(tmp_path: Path) -> None:
    db = open_database(tmp_path / "inquiries.db")
    log = InquiryLog(db)
    at = "2026-11-02T10:00:00+00:00"
    log.record(Inquiry("telegram", "message", "answered", "staff", 1, text="test", entry_id="funding",
                       is_staff=True, received_at=at))
    log.record(Inquiry("console", "message", "fallback", "editor", text="prøver", received_at=at))
    figures = compute_figures(db, NOVEMBER)
    assert asdict(figures.totals) == dict.fromkeys(EXPECTED_TOTALS, 0)
    assert figures.answered_share is None and figures.satisfaction is None
    assert figures.by_entry == {} and figures.by_lang == {}


def test_an_empty_log_gives_zeros_not_errors(tmp_path: Path) -> None:
    figures = compute_figures(open_database(tmp_path / "empty.db"), NOVEMBER)
    assert figures.totals.inquiries == 0
    assert figures.handoffs.median_minutes_to_first_answer is None
    assert figures.by_month["2026-11"]["inquiries"] == 0

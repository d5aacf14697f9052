"""Indicators against their yearly targets: the year to date, a pace for counts only, one SQL per metric."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from bot.config import ConfigError, Indicator, load_config
from bot.knowledge.model import KnowledgeBase
from bot.reports.indicators import compute_figures
from bot.reports.periods import parse_period
from bot.reports.targets import targets, year_to_date
from tests.sample_log import NOVEMBER, build_sample_log


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return build_sample_log(tmp_path_factory.mktemp("log") / "inquiries.db")


def indicator(metric: str, target: float, value: str | None = None, **extra: Any) -> Indicator:
    return Indicator(id=f"{metric}-{value or 'all'}", title={"nb": f"{metric} nb", "en": f"{metric} en"},
                     metric=metric, value=value, target=target, **extra)


# metric, value, yearly target, target shown, year to date at 30 November, expected by then (334 of 365 days)
CASES = [
    ("inquiries", None, 1200, 1200, 13, 1098),  # November's 13 (24 is 1 November in Oslo, 27 December's)
    ("unique_users", None, 48, 48, 4, None),  # never pro-rated: the same four people all year
    ("answered_share", None, 0.4, 0.4, 0.4615, None),  # 6 of 13
    ("satisfaction", None, 0.8, 0.8, 0.5, None),  # 2 of 4 votes: 1 2 24, not 27's 👍 (1 December in Oslo)
    ("handoffs", None, 10, 10, 2, 9),
    ("handoffs_answered", None, 10, 10, 1, 9),
    ("entry", "funding", 36.5, 36, 4, 33),  # a whole number of inquiries
    ("topic", "start-business", 10, 10, 2, 9),
    ("role", "founder", 365, 365, 4, 334),
    ("municipality", "drammen", 12, 12, 4, 11),
    ("source", "flyer", 12, 12, 4, 11),
]


@pytest.mark.parametrize(("metric", "value", "yearly", "target", "actual", "expected"), CASES)
def test_each_metric_year_to_date_against_its_yearly_target(
    db: Database, knowledge: KnowledgeBase, metric: str, value: str | None, yearly: float, target: float,
    actual: float, expected: int | None,
) -> None:
    (result,) = targets(db, [indicator(metric, yearly, value)], NOVEMBER, knowledge, today=dt.date(2026, 12, 5))
    assert result.target == target and result.actual == actual
    assert result.expected_by_now == expected
    assert result.met is (actual >= target)
    assert (result.year_from, result.as_of) == ("2026-01-01", "2026-11-30")
    if metric in ("answered_share", "satisfaction"):
        assert result.on_track is result.met and result.progress is None  # no percentage of a percentage
    elif expected is None:
        assert result.on_track is None
    else:
        assert result.on_track is (actual >= expected)


def test_the_target_list_has_the_contract_fields(db: Database) -> None:
    (result,) = targets(db, [indicator("inquiries", 1200, example=True)], NOVEMBER, today=dt.date(2026, 11, 15))
    assert {"indicator", "title", "target", "actual", "met", "expected_by_now", "on_track"} <= set(asdict(result))
    assert result.title == {"nb": "inquiries nb", "en": "inquiries en"}
    assert result.example is True


def test_a_short_period_is_measured_on_the_year_to_date_never_a_scaled_target(db: Database) -> None:
    (day,) = targets(db, [indicator("inquiries", 120)], parse_period("2026-11-02"), today=dt.date(2026, 12, 5))
    assert day.target == 120 and day.actual == 4  # October's 1 and 2 November's 3: not the day's 3 against 0,3
    assert day.expected_by_now == round(120 * 306 / 365) == 101
    (users,) = targets(db, [indicator("unique_users", 4)], parse_period("2026-11-02"), today=dt.date(2026, 12, 5))
    assert users.actual == 1 and users.target == 4  # Anna alone, against the whole year's 4
    assert users.expected_by_now is None and users.met is False


def test_the_pace_stops_at_today_while_the_period_runs(db: Database) -> None:
    (mid,) = targets(db, [indicator("inquiries", 120)], NOVEMBER, today=dt.date(2026, 11, 15))
    assert mid.as_of == "2026-11-15" and mid.expected_by_now == round(120 * 319 / 365) == 105
    assert mid.met is False and mid.on_track is False


def test_a_year_has_the_whole_target(db: Database) -> None:
    (result,) = targets(db, [indicator("inquiries", 1200)], parse_period("2026"), today=dt.date(2026, 11, 26))
    assert result.target == 1200
    assert result.actual == 15  # October 1 + November 13 + December 1
    assert result.expected_by_now == round(1200 * 330 / 365)


def test_a_share_without_votes_is_neither_met_nor_missed(db: Database) -> None:
    (result,) = targets(db, [indicator("satisfaction", 0.8)], parse_period("2026-03-10..2026-03-12"))
    assert result.actual is None and result.progress is None and result.met is None


def test_target_sql_counts_what_the_figures_count(db: Database, knowledge: KnowledgeBase) -> None:
    figures = compute_figures(db, year_to_date(NOVEMBER), knowledge)  # the year to date at November's end
    results = {result.metric: result.actual for result in targets(db, [
        indicator(metric, 1, value) for metric, value in (
            ("inquiries", None), ("unique_users", None), ("answered_share", None), ("satisfaction", None),
            ("handoffs", None), ("handoffs_answered", None), ("entry", "funding"), ("topic", "campus-research"),
            ("role", "research"),
        )], NOVEMBER, knowledge)}
    assert results == {
        "inquiries": figures.totals.inquiries,
        "unique_users": figures.totals.unique_users,
        "answered_share": figures.answered_share,
        "satisfaction": figures.satisfaction,
        "handoffs": figures.handoffs.opened,
        "handoffs_answered": figures.handoffs.answered,
        "entry": figures.by_entry["funding"],
        "topic": figures.by_topic["campus-research"],
        "role": figures.by_role["research"],
    }


def test_a_topic_without_the_knowledge_base_counts_nothing(db: Database) -> None:
    (result,) = targets(db, [indicator("topic", 10, "start-business")], NOVEMBER)
    assert result.actual == 0


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("metric: entry\n    target: 5\n", "metric 'entry' needs a value"),
        ("metric: satisfaction\n    target: 75\n", "write the target between 0 and 1"),
        ("metric: inquiries\n    value: funding\n    target: 5\n", "takes no value"),
        ("metric: visitors\n    target: 5\n", "not allowed — use one of"),
    ],
)
def test_indicator_config_errors_name_the_file_and_what_to_write(tmp_path: Path, yaml_text: str, message: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"indicators:\n  - id: x\n    title: {{nb: a, en: b}}\n    {yaml_text}", "utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(config)
    assert str(error.value).startswith(f"{config}:")
    assert message in str(error.value)


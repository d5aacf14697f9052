"""Indicators against their targets: pro-rated counts, unscaled shares, and one SQL per metric."""

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
from bot.reports.targets import targets
from tests.sample_log import NOVEMBER, build_sample_log


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return build_sample_log(tmp_path_factory.mktemp("log") / "inquiries.db")


def indicator(metric: str, target: float, value: str | None = None, **extra: Any) -> Indicator:
    return Indicator(id=f"{metric}-{value or 'all'}", title={"nb": f"{metric} nb", "en": f"{metric} en"},
                     metric=metric, value=value, target=target, **extra)


# metric, value, yearly target, target for November (30 of 365 days), actual in the sample log
CASES = [
    ("inquiries", None, 1200, 98.6, 13),
    ("unique_users", None, 48, 3.9, 4),
    ("answered_share", None, 0.4, 0.4, 0.4615),
    ("satisfaction", None, 0.8, 0.8, 0.75),
    ("handoffs", None, 10, 0.8, 2),
    ("handoffs_answered", None, 10, 0.8, 1),
    ("entry", "funding", 36.5, 3.0, 3),
    ("topic", "start-business", 10, 0.8, 2),
    ("role", "founder", 365, 30.0, 3),
    ("municipality", "drammen", 12, 1.0, 3),
    ("source", "flyer", 12, 1.0, 3),
]


@pytest.mark.parametrize(("metric", "value", "yearly", "target", "actual"), CASES)
def test_each_metric_against_its_target_for_november(
    db: Database, knowledge: KnowledgeBase, metric: str, value: str | None, yearly: float, target: float,
    actual: float,
) -> None:
    (result,) = targets(db, [indicator(metric, yearly, value)], NOVEMBER, knowledge, today=dt.date(2026, 12, 5))
    assert result.yearly_target == yearly
    assert result.target == target
    assert result.actual == actual
    assert result.progress == round(actual / target, 4)
    assert result.met is (actual >= target)
    assert result.on_track is result.met  # the whole period has passed


def test_the_target_list_has_the_contract_fields(db: Database) -> None:
    (result,) = targets(db, [indicator("inquiries", 1200, example=True)], NOVEMBER, today=dt.date(2026, 11, 15))
    assert {"indicator", "title", "target", "actual", "progress", "met"} <= set(asdict(result))
    assert result.title == {"nb": "inquiries nb", "en": "inquiries en"}
    assert result.example is True


def test_on_track_compares_with_the_days_that_have_passed(db: Database) -> None:
    (mid,) = targets(db, [indicator("inquiries", 120)], NOVEMBER, today=dt.date(2026, 11, 15))
    assert mid.target_to_date == round(120 * 15 / 365, 1) == 4.9
    assert mid.met is True and mid.on_track is True
    (before,) = targets(db, [indicator("inquiries", 120)], NOVEMBER, today=dt.date(2026, 10, 1))
    assert before.target_to_date is None and before.on_track is None


def test_a_year_has_the_whole_target(db: Database) -> None:
    (result,) = targets(db, [indicator("inquiries", 1200)], parse_period("2026"), today=dt.date(2026, 11, 26))
    assert result.target == 1200
    assert result.actual == 15  # October 1 + November 13 + December 1


def test_a_share_without_votes_is_neither_met_nor_missed(db: Database) -> None:
    (result,) = targets(db, [indicator("satisfaction", 0.8)], parse_period("2026-11-10..2026-11-12"))
    assert result.actual is None and result.progress is None and result.met is None


def test_target_sql_counts_what_the_figures_count(db: Database, knowledge: KnowledgeBase) -> None:
    figures = compute_figures(db, NOVEMBER, knowledge)
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


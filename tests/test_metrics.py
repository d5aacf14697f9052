"""The one table of figures: each defined once, and the README, the config and the report agree with it."""

from __future__ import annotations

import re
import textwrap
from dataclasses import fields
from typing import get_args

import pytest
from sqlite_utils import Database

from bot.config import INDICATOR_METRICS_WITH_VALUE, INDICATOR_SHARE_METRICS, Indicator
from bot.reports.indicators import MONTHLY, Totals, bounds, compute_figures
from bot.reports.metrics import BY_NAME, METRICS, SHARES, Metric
from tests.conftest import ROOT
from tests.sample_log import NOVEMBER, build_sample_log

README_SECTION = "## Figures for staff and the council"
METRIC_BULLET = re.compile(r"- \*\*`(\w+)`\*\*: (.*)", re.DOTALL)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return build_sample_log(tmp_path_factory.mktemp("log") / "inquiries.db")


def readme_bullets() -> list[str]:
    """The bullets of the README's section on figures, each joined into one line."""
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split(README_SECTION, 1)[1].split("\n## ", 1)[0]
    bullets: list[str] = []
    for line in section.splitlines():
        if line.startswith("- "):
            bullets.append(line)
        elif line.startswith("  ") and bullets:
            bullets[-1] += " " + line.strip()
    return bullets


def readme_bullet(metric: Metric) -> str:
    return textwrap.fill(f"- **`{metric.name}`**: {metric.definition[1]}", width=104, subsequent_indent="  ",
                         break_on_hyphens=False, break_long_words=False)


def test_the_readme_defines_every_figure_as_the_table_does() -> None:
    written = {match[1]: " ".join(match[2].split()) for bullet in readme_bullets()
               if (match := METRIC_BULLET.fullmatch(bullet))}
    expected = {metric.name: " ".join(metric.definition[1].split()) for metric in METRICS}
    bullets = "\n".join(readme_bullet(metric) for metric in METRICS)
    assert written == expected, f"README.md, {README_SECTION}: write them as in bot/reports/metrics.py:\n{bullets}"


@pytest.mark.parametrize("metric", METRICS, ids=lambda metric: metric.name)
def test_each_figure_has_a_title_and_a_one_sentence_definition_in_both_languages(metric: Metric) -> None:
    assert re.fullmatch(r"[a-z_]+", metric.name)
    for title, definition in zip(metric.title, metric.definition, strict=True):
        assert title.strip() == title and title
        assert definition[0].isupper() and definition.endswith(".")
        assert ". " not in definition, "one sentence: join clauses with ';'"
    if metric.part_of:
        assert all(title.startswith("– ") for title in metric.title)
        assert BY_NAME[metric.part_of].part_of is None


def test_figures_are_named_once() -> None:
    assert len(BY_NAME) == len(METRICS)


def test_the_totals_are_the_figures_marked_in_totals() -> None:
    assert {field.name for field in fields(Totals)} == {metric.name for metric in METRICS if metric.in_totals}
    assert not any(metric.share and metric.in_totals for metric in METRICS)


def test_the_config_offers_the_tables_figures_as_indicators() -> None:
    offered = set(get_args(Indicator.model_fields["metric"].annotation)) - set(INDICATOR_METRICS_WITH_VALUE)
    assert offered <= set(BY_NAME)
    assert set(INDICATOR_SHARE_METRICS) == set(SHARES)


def test_each_figures_own_sql_gives_the_reports_number(db: Database) -> None:
    figures = compute_figures(db, NOVEMBER)
    reported = {**{field.name: getattr(figures.totals, field.name) for field in fields(Totals)},
                "answered_share": figures.answered_share, "satisfaction": figures.satisfaction,
                "handoffs_answered": figures.handoffs.answered}
    alone = {metric.name: next(iter(db.query(f"SELECT {metric.sql} AS n {metric.source.rows}", bounds(NOVEMBER))))["n"]
             for metric in METRICS}
    assert alone == reported


def test_the_months_of_a_one_month_period_are_its_totals(db: Database) -> None:
    figures = compute_figures(db, NOVEMBER)
    (month,) = figures.by_month.values()
    assert list(month) == [metric.name for metric in MONTHLY]
    assert month == {name: getattr(figures.totals, name) for name in month}

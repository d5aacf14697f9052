"""The weekly chart: November's inquiries per ISO week by topic, against the target pace, as a real PNG."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.legend import Legend
from PIL import Image
from sqlite_utils import Database

from bot.config import Config, Indicator
from bot.knowledge.model import KnowledgeBase
from bot.reports.charts import DPI, HEIGHT_INCHES, WIDTH_INCHES, weekly_chart, weekly_counts, weekly_figure, weekly_pace
from bot.reports.colours import topic_colour
from bot.reports.metrics import SHARES
from bot.reports.periods import parse_period, prorate
from bot.reports.report import build_report
from bot.reports.sections import WORDS
from bot.reports.target_panels import PANEL_HEIGHT_INCHES
from bot.store.database import open_database
from tests.sample_log import NOVEMBER, build_clock_log, build_sample_log

NOVEMBER_WEEKS = [(2026, 44), (2026, 45), (2026, 46), (2026, 47), (2026, 48), (2026, 49)]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return build_sample_log(tmp_path_factory.mktemp("log") / "inquiries.db")


def decode(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB"))


def legend_of(axes: Axes) -> Legend:
    legend = axes.get_legend()
    assert legend is not None
    return legend


def test_inquiries_are_counted_per_iso_week_and_topic(db: Database, knowledge: KnowledgeBase) -> None:
    weeks, stacks = weekly_counts(db, NOVEMBER, knowledge)
    assert weeks == NOVEMBER_WEEKS
    assert stacks == {
        "start-business": [0, 2, 0, 0, 0, 0],  # 1 and 18 on Monday 2 November
        "campus-research": [1, 1, 0, 0, 1, 0],  # 24 (Sunday 1 November in Oslo), 2, then the erased 19
        "tourism": [0, 1, 0, 0, 0, 0],  # 4
        "ambiguous": [0, 1, 1, 0, 0, 0],  # 5 | 9
        "fallback": [0, 0, 3, 0, 1, 0],  # 7 8 11 (Sunday 15th) | 20
        "to_staff": [0, 0, 0, 1, 0, 0],  # 13
    }
    assert sum(map(sum, stacks.values())) == 13  # the report's total


def test_the_chart_categories_are_the_reports_with_the_same_names(
    db: Database, knowledge: KnowledgeBase, shipped_config: Config
) -> None:
    report = build_report(db, shipped_config, NOVEMBER, knowledge, today=dt.date(2026, 12, 5))
    _, stacks = weekly_counts(db, NOVEMBER, knowledge)
    for key in ("ambiguous", "fallback", "to_staff"):
        assert sum(stacks[key]) == report["totals"][key], key
    answered = sum(sum(values) for key, values in stacks.items() if key not in ("ambiguous", "fallback", "to_staff"))
    assert answered == report["totals"]["answered"]
    legend = [text.get_text() for text in legend_of(weekly_figure(db, NOVEMBER, knowledge).axes[0]).get_texts()]
    for key in ("ambiguous", "fallback", "to_staff"):
        assert WORDS[key][0] in legend  # the report's own words: «Ikke besvart («vet ikke»)» means the same
    assert "Skrevet direkte til ansatte" in legend and "Sendt videre til ansatte" not in legend


def test_without_a_knowledge_base_answers_are_one_stack(db: Database) -> None:
    _, stacks = weekly_counts(db, NOVEMBER)
    assert stacks == {"answered": [1, 4, 0, 0, 1, 0], "ambiguous": [0, 1, 1, 0, 0, 0], "fallback": [0, 0, 3, 0, 1, 0],
                      "to_staff": [0, 0, 0, 1, 0, 0]}


def test_the_pace_line_is_the_target_spread_over_the_days_of_each_week() -> None:
    pace = weekly_pace(1200, NOVEMBER, NOVEMBER_WEEKS)
    assert pace[0] == pytest.approx(1200 / 365)  # only Sunday 1 November is in week 44
    assert pace[1] == pytest.approx(7 * 1200 / 365)
    assert sum(pace) == pytest.approx(prorate(1200, NOVEMBER))


def test_labels_are_norwegian_by_default_and_english_on_request(
    db: Database, knowledge: KnowledgeBase, shipped_config: Config
) -> None:
    axes = weekly_figure(db, NOVEMBER, knowledge, shipped_config.indicators).axes[0]
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("Uke", "Henvendelser")
    legend = [text.get_text() for text in legend_of(axes).get_texts()]
    assert legend[0] == "Mål-tempo (1 200 i året)"
    assert {"Starte bedrift", "Campus, forskning og finansiering", "Ikke besvart («vet ikke»)"} <= set(legend)
    english = weekly_figure(db, NOVEMBER, knowledge, shipped_config.indicators, "en").axes[0]
    assert english.get_xlabel() == "Week"
    assert "Not answered (\"I don't know\")" in [text.get_text() for text in legend_of(english).get_texts()]
    # the partial weeks at the month's ends are marked, not drawn as dips
    assert [label.get_text() for label in axes.get_xticklabels()] == [
        "44\n(1 av 7 dager)", "45", "46", "47", "48", "49\n(1 av 7 dager)"]


def test_the_chart_is_a_png_of_the_expected_size_with_bars_in_it(
    db: Database, knowledge: KnowledgeBase, shipped_config: Config
) -> None:
    pixels = decode(weekly_chart(db, NOVEMBER, knowledge, shipped_config.indicators))
    # the weekly chart and one row of target panels (three count targets in the shipped config)
    assert pixels.shape == (int((HEIGHT_INCHES + PANEL_HEIGHT_INCHES) * DPI), int(WIDTH_INCHES * DPI), 3)
    colours = {tuple(pixel) for pixel in pixels.reshape(-1, 3)[::7]}
    assert len(colours) > 20  # text, bars, legend: not a blank canvas
    assert (0x9E, 0x9E, 0x9E) in colours  # the grey "not answered" bars
    assert (0x1F, 0x77, 0xB4) in colours  # the first topic's bars (matplotlib's C0)


def test_an_empty_period_still_draws_a_chart(tmp_path: Path) -> None:
    pixels = decode(weekly_chart(open_database(tmp_path / "empty.db"), parse_period("2026-Q1")))
    assert pixels.shape[0] == int(HEIGHT_INCHES * DPI)


def test_weeks_before_the_first_inquiry_are_left_out(db: Database, knowledge: KnowledgeBase) -> None:
    axes = weekly_figure(db, parse_period("2026"), knowledge, today=dt.date(2026, 12, 31)).axes[0]
    labels = [label.get_text() for label in axes.get_xticklabels()]
    assert labels[0] == "44" and len(labels) == 53 - 43  # from 1 November's week (Oslo) to the year's last


def test_weeks_after_today_are_not_drawn_and_this_week_is_marked_partial(db: Database) -> None:
    axes = weekly_figure(db, parse_period("2026"), today=dt.date(2026, 12, 2)).axes[0]
    labels = [label.get_text() for label in axes.get_xticklabels()]
    assert labels == ["44", "45", "46", "47", "48", "49\n(3 av 7 dager)"]  # Monday 30 November to today
    assert axes.get_title() == "Henvendelser per uke · 01.01.2026–31.12.2026 (per 02.12.2026)"


def test_partial_weeks_are_drawn_pale_and_hatched_not_as_dips(db: Database, knowledge: KnowledgeBase) -> None:
    axes = weekly_figure(db, NOVEMBER, knowledge).axes[0]
    campus = next(bars for bars in axes.containers if bars.get_label() == "Campus, forskning og finansiering")
    assert campus[0].get_hatch() == "//" and campus[0].get_alpha() == pytest.approx(0.45)  # week 44: 1 of 7 days
    assert campus[1].get_hatch() is None and campus[1].get_alpha() is None  # week 45, a whole week
    assert "Uke bare delvis i perioden" in [text.get_text() for text in legend_of(axes).get_texts()]


def test_weeks_are_oslo_weeks(tmp_path: Path) -> None:
    db = build_clock_log(tmp_path / "clock.db")
    weeks, stacks = weekly_counts(db, parse_period("2026-03"))
    # 28 March 23:30 UTC is Sunday 29 March (week 13); 29 March 22:30 UTC is Monday 30 March (week 14)
    assert dict(zip(weeks, stacks["answered"], strict=True))[(2026, 13)] == 1
    assert dict(zip(weeks, stacks["answered"], strict=True))[(2026, 14)] == 1
    axes = weekly_figure(db, parse_period("2026"), today=dt.date(2026, 12, 31)).axes[0]
    assert axes.get_xticklabels()[0].get_text() == "13"  # the first inquiry's Oslo week


def test_each_count_target_gets_a_panel_with_its_year_to_date(
    db: Database, knowledge: KnowledgeBase, shipped_config: Config
) -> None:
    indicators = [*shipped_config.indicators, Indicator(id="funding-topic", title={"nb": "Om finansiering",
                  "en": "About funding"}, metric="topic", value="campus-research", target=40)]
    figure = weekly_figure(db, NOVEMBER, knowledge, indicators, today=dt.date(2026, 12, 5))
    panels = figure.axes[1:]
    counts = [indicator for indicator in indicators if indicator.metric not in SHARES]
    assert [axes.get_title().replace("\n", " ") for axes in panels] == [indicator.title.nb for indicator in counts]
    report = build_report(db, shipped_config, NOVEMBER, knowledge, today=dt.date(2026, 12, 5))
    inquiries = next(target for target in report["targets"] if target["metric"] == "inquiries")
    target_bar, actual_bar = panels[0].patches[:2]
    assert (target_bar.get_width(), actual_bar.get_width()) == (inquiries["target"], inquiries["actual"])
    assert panels[0].lines[0].get_xdata()[0] == inquiries["expected_by_now"] == 1098
    assert "13 av 1 200 hittil i år" in panels[0].get_xlabel()
    # the topic keeps its colour: the same orange as its weekly bars
    topic_bar = panels[-1].patches[1]
    weekly = next(bars for bars in figure.axes[0].containers if bars.get_label() == knowledge.topics[
        "campus-research"].title.nb)[1]
    assert topic_bar.get_facecolor() == weekly.get_facecolor() == to_rgba(topic_colour("campus-research", knowledge))
    assert topic_bar.get_width() == 4  # 2, 6, 19 and 24: answers shown from the topic this year

"""The weekly chart: November's inquiries per ISO week by topic, against the target pace, as a real PNG."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.legend import Legend
from PIL import Image
from sqlite_utils import Database

from bot.config import Config
from bot.knowledge.model import KnowledgeBase
from bot.reports.charts import DPI, HEIGHT_INCHES, WIDTH_INCHES, weekly_chart, weekly_counts, weekly_figure, weekly_pace
from bot.reports.periods import parse_period, prorate
from bot.reports.report import build_report
from bot.reports.sections import WORDS
from bot.store.database import open_database
from tests.sample_log import NOVEMBER, build_sample_log

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
        "campus-research": [0, 1, 0, 0, 1, 0],  # 2, then the erased 19 on 25 November
        "tourism": [0, 1, 0, 0, 0, 0],  # 4
        "business-drammen": [0, 0, 0, 0, 0, 1],  # 27 on Monday 30 November, week 49
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
    assert stacks == {"answered": [0, 4, 0, 0, 1, 1], "ambiguous": [0, 1, 1, 0, 0, 0], "fallback": [0, 0, 3, 0, 1, 0],
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
    assert pixels.shape == (int(HEIGHT_INCHES * DPI), int(WIDTH_INCHES * DPI), 3)
    colours = {tuple(pixel) for pixel in pixels.reshape(-1, 3)[::7]}
    assert len(colours) > 20  # text, bars, legend: not a blank canvas
    assert (0x9E, 0x9E, 0x9E) in colours  # the grey "not answered" bars
    assert (0x1F, 0x77, 0xB4) in colours  # the first topic's bars (matplotlib's C0)


def test_an_empty_period_still_draws_a_chart(tmp_path: Path) -> None:
    pixels = decode(weekly_chart(open_database(tmp_path / "empty.db"), parse_period("2026-Q1")))
    assert pixels.shape[0] == int(HEIGHT_INCHES * DPI)


def test_weeks_before_the_first_inquiry_are_left_out(db: Database, knowledge: KnowledgeBase) -> None:
    axes = weekly_figure(db, parse_period("2026"), knowledge).axes[0]
    labels = [label.get_text() for label in axes.get_xticklabels()]
    assert labels[0] == "44" and len(labels) == 53 - 43  # from 31 October's week to the year's last

"""Small multiples under the weekly chart: each count target's year to date against its yearly target.

One panel per count indicator (shares have no bar to fill): a pale bar for the yearly target, the
year to date over it, and a black mark where the even pace puts "expected by now". A panel about a
topic, or an entry of one, is drawn in that topic's colour, as in the weekly bars.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap

from matplotlib.figure import Figure
from matplotlib.gridspec import SubplotSpec
from sqlite_utils import Database

from bot.config import Indicator
from bot.knowledge.model import KnowledgeBase
from bot.reports.colours import OTHER_COLOUR, topic_colour
from bot.reports.metrics import SHARES
from bot.reports.periods import Period
from bot.reports.targets import TargetResult, targets

PANELS_PER_ROW = 3
PANEL_HEIGHT_INCHES = 1.9
TARGET_COLOUR = "#e0e0e0"
WORDS = {
    "of": ("{actual} av {target} hittil i år", "{actual} of {target} year to date"),
    "expected": ("forventet nå: {expected}", "expected by now: {expected}"),
}


def count_targets(
    db: Database, indicators: list[Indicator], period: Period, knowledge: KnowledgeBase | None,
    today: dt.date | None = None,
) -> list[TargetResult]:
    """The count indicators' results, as the report computes them (shares are left to the text)."""
    counts = [indicator for indicator in indicators if indicator.metric not in SHARES]
    return targets(db, counts, period, knowledge, today) if counts else []


def panel_rows(panels: int) -> int:
    return math.ceil(panels / PANELS_PER_ROW)


def panel_colour(result: TargetResult, knowledge: KnowledgeBase | None) -> str:
    """A topic's colour for a topic or entry target; one neutral colour for every other target."""
    if knowledge is not None and result.metric == "topic" and result.value:
        return topic_colour(result.value, knowledge)
    entry = knowledge.get(result.value) if knowledge is not None and result.metric == "entry" and result.value else None
    return topic_colour(entry.topic, knowledge) if entry else OTHER_COLOUR


def draw_targets(
    figure: Figure, area: SubplotSpec, results: list[TargetResult], knowledge: KnowledgeBase | None, lang: str
) -> None:
    """One panel per result in ``area``, left to right, in rows of :data:`PANELS_PER_ROW`."""
    def word(key: str) -> str:
        return WORDS[key][0 if lang == "nb" else 1]

    grid = area.subgridspec(panel_rows(len(results)), PANELS_PER_ROW)
    for index, result in enumerate(results):
        axes = figure.add_subplot(grid[index // PANELS_PER_ROW, index % PANELS_PER_ROW])
        actual = result.actual or 0
        axes.barh([0], [result.target], color=TARGET_COLOUR, height=0.6)
        axes.barh([0], [actual], color=panel_colour(result, knowledge), height=0.6)
        if result.expected_by_now is not None:
            axes.axvline(result.expected_by_now, color="black", linewidth=1.5, ymin=0.1, ymax=0.9)
        axes.set_xlim(0, max(result.target, actual, 1) * 1.05)
        axes.annotate(_count(actual, lang), (actual, 0), xytext=(4, 0), textcoords="offset points", va="center",
                      fontsize="small", fontweight="bold")  # the year to date, readable however short its bar
        axes.set_yticks([])
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        axes.tick_params(axis="x", labelsize="x-small")
        axes.set_title("\n".join(textwrap.wrap(result.title[lang], 34)), fontsize="small")
        caption = word("of").format(actual=_count(actual, lang), target=_count(result.target, lang))
        if result.expected_by_now is not None:
            caption += "\n" + word("expected").format(expected=_count(result.expected_by_now, lang))
        axes.set_xlabel(caption, fontsize="x-small")


def _count(value: float, lang: str) -> str:
    text = f"{value:,.0f}"
    return text.replace(",", " ") if lang == "nb" else text

"""The weekly chart: inquiries per ISO week, stacked by the topic of their answer, against the target pace.

Drawn with matplotlib's Agg canvas on a bare ``Figure`` (no pyplot, no global state), so the bot
can draw it in a worker thread for ``/stats`` and the command line can save it with ``--chart``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from sqlite_utils import Database

from bot.config import Indicator
from bot.knowledge.model import KnowledgeBase
from bot.reports.indicators import COUNTED, IN_PERIOD, INQUIRY, UNKNOWN, bounds
from bot.reports.periods import Period, prorate

UNANSWERED = "unanswered"
ANSWERED = "answered"
LABELS = {
    "title": ("Henvendelser per uke", "Inquiries per week"),
    "period": ("Periode", "Period"),
    "week": ("Uke", "Week"),
    "inquiries": ("Henvendelser", "Inquiries"),
    UNANSWERED: ("Ikke besvart", "Not answered"),
    ANSWERED: ("Besvart", "Answered"),
    UNKNOWN: ("Svar som er fjernet", "Removed answers"),
    "pace": ("Mål-tempo ({target} i året)", "Target pace ({target} a year)"),
}
WIDTH_INCHES, HEIGHT_INCHES, DPI = 10.0, 5.0, 100


def weekly_counts(
    db: Database, period: Period, knowledge: KnowledgeBase | None = None
) -> tuple[list[tuple[int, int]], dict[str, list[int]]]:
    """Inquiries per ISO week of the period, per topic of the answer (or ``unanswered``)."""
    weeks = period.weeks()
    position = {week: index for index, week in enumerate(weeks)}
    stacks: dict[str, list[int]] = defaultdict(lambda: [0] * len(weeks))
    rows = db.query(
        "SELECT substr(i.received_at, 1, 10) AS day, "
        "CASE WHEN i.outcome = 'answered' THEN i.entry_id END AS entry_id, count(*) AS n "
        f"FROM inquiries i WHERE {COUNTED} AND {IN_PERIOD} AND {INQUIRY} GROUP BY day, entry_id",
        bounds(period),
    )
    for row in rows:
        week = dt.date.fromisoformat(row["day"]).isocalendar()[:2]
        stacks[_stack(row["entry_id"], knowledge)][position[week]] += row["n"]
    return weeks, dict(stacks)


def _stack(entry_id: str | None, knowledge: KnowledgeBase | None) -> str:
    if entry_id is None:
        return UNANSWERED
    if knowledge is None:
        return ANSWERED
    entry = knowledge.get(entry_id)
    return entry.topic if entry else UNKNOWN


def weekly_pace(yearly_target: float, period: Period, weeks: list[tuple[int, int]]) -> list[float]:
    """The target's share of each week, counting only the week's days inside the period."""
    pace = []
    for year, week in weeks:
        monday = dt.date.fromisocalendar(year, week, 1)
        first, last = max(monday, period.start), min(monday + dt.timedelta(days=6), period.end)
        pace.append(prorate(yearly_target, Period(first, last)))
    return pace


def weekly_chart(
    db: Database,
    period: Period,
    knowledge: KnowledgeBase | None = None,
    indicators: list[Indicator] | None = None,
    lang: str = "nb",
) -> bytes:
    """The chart as PNG bytes (for Telegram's sendPhoto, or :func:`save_chart`)."""
    buffer = io.BytesIO()
    weekly_figure(db, period, knowledge, indicators, lang).savefig(buffer, format="png")
    return buffer.getvalue()


def weekly_figure(
    db: Database,
    period: Period,
    knowledge: KnowledgeBase | None = None,
    indicators: list[Indicator] | None = None,
    lang: str = "nb",
) -> Figure:
    """Stacked bars per ISO week (topics, then "not answered" in grey) and the ``inquiries`` target pace."""
    def word(key: str) -> str:
        return LABELS[key][0 if lang == "nb" else 1]

    weeks, stacks = weekly_counts(db, period, knowledge)
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(weeks)))
    bottom = [0] * len(weeks)
    order = sorted((key for key in stacks if key != UNANSWERED), key=lambda key: -sum(stacks[key]))
    colours = {key: f"C{index % 10}" for index, key in enumerate(order)}
    if UNANSWERED in stacks:
        order.append(UNANSWERED)
        colours[UNANSWERED] = "#9e9e9e"  # grey: the gap, drawn on top so it is easy to compare
    for key in order:
        axes.bar(positions, stacks[key], bottom=bottom, color=colours[key], label=_stack_label(key, knowledge, lang))
        bottom = [low + high for low, high in zip(bottom, stacks[key], strict=True)]
    target = next((indicator for indicator in indicators or [] if indicator.metric == "inquiries"), None)
    if target is not None:
        axes.plot(positions, weekly_pace(target.target, period, weeks), color="black", linestyle="--",
                  drawstyle="steps-mid", label=word("pace").format(target=_thousands(target.target, lang)))
    multiple_years = len({year for year, _ in weeks}) > 1
    axes.set_xticks(positions, [f"{year}-{week:02d}" if multiple_years else str(week) for year, week in weeks])
    if len(weeks) > 26:
        for index, label in enumerate(axes.get_xticklabels()):
            label.set_visible(index % 4 == 0)
    axes.set_xlabel(word("week"))
    axes.set_ylabel(word("inquiries"))
    axes.set_title(f"{word('title')} · {period.start.isoformat()} – {period.end.isoformat()}")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    figure.tight_layout()
    return figure


def _stack_label(key: str, knowledge: KnowledgeBase | None, lang: str) -> str:
    if key in LABELS:
        return LABELS[key][0 if lang == "nb" else 1]
    topic = knowledge.topics.get(key) if knowledge else None
    return topic.title.get(lang) if topic else key


def _thousands(value: float, lang: str) -> str:
    text = f"{value:,.0f}"
    return text.replace(",", " ") if lang == "nb" else text


def save_chart(png: bytes, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)

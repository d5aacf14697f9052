"""The chart: inquiries per ISO week by topic and outcome, and below it each count target's year to date.

Drawn with matplotlib's Agg canvas on a bare ``Figure`` (no pyplot, no global state), so the bot
can draw it in a worker thread for ``/stats`` and the command line can save it with ``--chart``.
Weeks are Oslo weeks (see :mod:`bot.clock`); weeks before the first inquiry are left out,
and the partial weeks at the period's ends are drawn pale and hatched with their days under the bar.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from sqlite_utils import Database

from bot.clock import local_day, oslo_time_sql
from bot.config import Indicator
from bot.knowledge.model import KnowledgeBase
from bot.reports.colours import OUTCOME_COLOURS, UNKNOWN, topic_colour
from bot.reports.indicators import COUNTED, IN_PERIOD, INQUIRY, bounds
from bot.reports.metrics import BY_NAME
from bot.reports.periods import Period, prorate
from bot.reports.periods import today as local_today
from bot.reports.target_panels import PANEL_HEIGHT_INCHES, count_targets, draw_targets, panel_rows

ANSWERED = "answered"
# The report's four outcomes, named by the table of metrics: answers stack by topic, then these three.
AMBIGUOUS, FALLBACK, TO_STAFF = "ambiguous", "fallback", "to_staff"
NOT_ANSWERED = (AMBIGUOUS, FALLBACK, TO_STAFF)
UNANSWERED = FALLBACK  # kept for callers: "Ikke besvart" means what the report means by it, nothing more
OUTCOME_STACK = {"ambiguous": AMBIGUOUS, "fallback": FALLBACK, "handoff": TO_STAFF}
LABELS = {
    "title": ("Henvendelser per uke", "Inquiries per week"),
    "week": ("Uke", "Week"),
    "inquiries": ("Henvendelser", "Inquiries"),
    **{name: BY_NAME[name].title for name in NOT_ANSWERED},
    ANSWERED: BY_NAME["answered"].title,
    UNKNOWN: ("Svar som er fjernet", "Removed answers"),
    "pace": ("Mål-tempo ({target} i året)", "Target pace ({target} a year)"),
    "partial": ("Uke bare delvis i perioden", "Week only partly in the period"),
}
WIDTH_INCHES, HEIGHT_INCHES, DPI = 10.0, 5.0, 100
PARTIAL_ALPHA, PARTIAL_HATCH = 0.45, "//"


def weekly_counts(
    db: Database, period: Period, knowledge: KnowledgeBase | None = None
) -> tuple[list[tuple[int, int]], dict[str, list[int]]]:
    """Inquiries per ISO week of the period: answered ones per topic, the rest per outcome of the report.

    The keys besides topics are the report's own figures, ``ambiguous`` (only suggestions), ``fallback``
    (not answered) and ``to_staff`` (written directly to staff), so every week's stacks add up to the
    report's inquiries and each category to the report's figure of the same name.
    """
    weeks = period.weeks()
    position = {week: index for index, week in enumerate(weeks)}
    stacks: dict[str, list[int]] = defaultdict(lambda: [0] * len(weeks))
    rows = db.query(
        f"SELECT {oslo_time_sql('i.received_at', '%Y-%m-%d')} AS day, "
        "CASE WHEN i.outcome = 'answered' THEN i.entry_id END AS entry_id, i.outcome AS outcome, count(*) AS n "
        f"FROM inquiries i WHERE {COUNTED} AND {IN_PERIOD} AND {INQUIRY} GROUP BY day, entry_id, outcome",
        bounds(period),
    )
    for row in rows:
        week = dt.date.fromisoformat(row["day"]).isocalendar()[:2]
        key = OUTCOME_STACK.get(row["outcome"]) or _stack(row["entry_id"], knowledge)
        stacks[key][position[week]] += row["n"]
    return weeks, dict(stacks)


def _stack(entry_id: str | None, knowledge: KnowledgeBase | None) -> str:
    if knowledge is None or entry_id is None:
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


def first_week(db: Database) -> tuple[int, int] | None:
    """The Oslo ISO week of the bot's first counted inquiry, or None before any."""
    (row,) = db.query(f"SELECT min(i.received_at) AS first FROM inquiries i WHERE {COUNTED}")
    return local_day(row["first"]).isocalendar()[:2] if row["first"] else None


def _from_first_inquiry(
    db: Database, weeks: list[tuple[int, int]], stacks: dict[str, list[int]]
) -> tuple[list[tuple[int, int]], dict[str, list[int]]]:
    """Leave out the weeks before the bot's first inquiry: they are not weeks without activity."""
    started = first_week(db)
    if started is None:
        return weeks, stacks
    skip = sum(1 for week in weeks if week < started)
    return weeks[skip:], {key: values[skip:] for key, values in stacks.items()}


def week_days(period: Period, weeks: list[tuple[int, int]]) -> list[int]:
    """How many of each week's seven days lie inside the period: fewer than 7 is a partial week."""
    days = []
    for year, week in weeks:
        monday = dt.date.fromisocalendar(year, week, 1)
        days.append((min(monday + dt.timedelta(days=6), period.end) - max(monday, period.start)).days + 1)
    return days


def _part(days: int, lang: str) -> str:
    """A partial week is marked under its bar, so its lower count does not read as a dip."""
    if days == 7:
        return ""
    return f"\n({days} av 7 dager)" if lang == "nb" else f"\n({days} of 7 days)"


def weekly_chart(
    db: Database,
    period: Period,
    knowledge: KnowledgeBase | None = None,
    indicators: list[Indicator] | None = None,
    lang: str = "nb",
    today: dt.date | None = None,
) -> bytes:
    """The chart as PNG bytes (for Telegram's sendPhoto, or :func:`save_chart`)."""
    buffer = io.BytesIO()
    weekly_figure(db, period, knowledge, indicators, lang, today).savefig(buffer, format="png")
    return buffer.getvalue()


def weekly_figure(
    db: Database,
    period: Period,
    knowledge: KnowledgeBase | None = None,
    indicators: list[Indicator] | None = None,
    lang: str = "nb",
    today: dt.date | None = None,
) -> Figure:
    """Weekly stacked bars (topics, then the other outcomes) with the target pace; then one panel per count target.

    ``axes[0]`` is the weekly chart; the target panels follow it, in the order of the config. Weeks after
    ``today`` are not drawn: they have not happened, and empty bars would read as weeks without inquiries.
    """
    results = count_targets(db, indicators or [], period, knowledge, today)
    rows = panel_rows(len(results))
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES + rows * PANEL_HEIGHT_INCHES), dpi=DPI)
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(1 + rows, 1, height_ratios=[HEIGHT_INCHES, *[PANEL_HEIGHT_INCHES] * rows])
    drawn = period.cut(today or local_today()) if (today or local_today()) >= period.start else period
    axes = figure.add_subplot(grid[0])
    _draw_weeks(axes, db, drawn, knowledge, indicators or [], lang)
    shown = period.local_label if lang == "nb" else period.label
    if drawn != period:
        shown += f" (per {drawn.end:%d.%m.%Y})" if lang == "nb" else f" (as of {drawn.end.isoformat()})"
    axes.set_title(f"{LABELS['title'][0 if lang == 'nb' else 1]} · {shown}")
    if results:
        draw_targets(figure, grid[1:], results, knowledge, lang)
    figure.tight_layout()
    return figure


def _draw_weeks(axes: Axes, db: Database, period: Period, knowledge: KnowledgeBase | None,
                indicators: list[Indicator], lang: str) -> None:
    def word(key: str) -> str:
        return LABELS[key][0 if lang == "nb" else 1]

    weeks, stacks = _from_first_inquiry(db, *weekly_counts(db, period, knowledge))
    days = week_days(period, weeks)
    partial = [index for index, count in enumerate(days) if count < 7]
    positions = list(range(len(weeks)))
    bottom = [0] * len(weeks)
    partial_bars = []
    order = sorted((key for key in stacks if key not in NOT_ANSWERED), key=lambda key: -sum(stacks[key]))
    colours = {key: topic_colour(key, knowledge) for key in order}
    for key in NOT_ANSWERED:  # the report's other outcomes, drawn on top so the gap is easy to compare
        if key in stacks:
            order.append(key)
            colours[key] = OUTCOME_COLOURS[key]
    for key in order:
        bars = axes.bar(positions, stacks[key], bottom=bottom, color=colours[key],
                        label=_stack_label(key, knowledge, lang))
        partial_bars += [bars[index] for index in partial]
        bottom = [low + high for low, high in zip(bottom, stacks[key], strict=True)]
    target = next((indicator for indicator in indicators if indicator.metric == "inquiries"), None)
    if target is not None and weeks:
        axes.plot(positions, weekly_pace(target.target, period, weeks), color="black", linestyle="--",
                  drawstyle="steps-mid", label=word("pace").format(target=_thousands(target.target, lang)))
    if partial and any(bottom[index] for index in partial):
        axes.bar([0], [0], color="white", edgecolor="#555555", hatch=PARTIAL_HATCH, alpha=PARTIAL_ALPHA,
                 label=word("partial"))
    multiple_years = len({year for year, _ in weeks}) > 1
    axes.set_xticks(positions, [(f"{year}-{week:02d}" if multiple_years else str(week)) + _part(count, lang)
                                for (year, week), count in zip(weeks, days, strict=True)])
    if len(weeks) > 26:
        for index, label in enumerate(axes.get_xticklabels()):
            label.set_visible(index % 4 == 0 or index in partial)
    axes.set_xlabel(word("week"))
    axes.set_ylabel(word("inquiries"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    for bar in partial_bars:  # after the legend, whose keys show each colour whole
        bar.set_alpha(PARTIAL_ALPHA)
        bar.set_hatch(PARTIAL_HATCH)


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


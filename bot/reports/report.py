"""The indicator report: one JSON-shaped dict (the contract in PRODUCT.md) and its readable forms.

``naeringsbot report`` prints it as a terminal table, Markdown for a council document, CSV or JSON;
the Telegram ``/stats`` command sends :func:`stats_message` with the chart from ``bot.reports.charts``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import asdict
from typing import Any

from sqlite_utils import Database

from bot.clock import local_time
from bot.config import Config
from bot.knowledge.model import KnowledgeBase
from bot.matching.matcher import Matcher
from bot.reports.indicators import compute_figures
from bot.reports.metrics import SHARES
from bot.reports.periods import Period
from bot.reports.sections import Section, report_sections

# /stats lives in bot.reports.stats; kept importable from here.
from bot.reports.stats import stats_message as stats_message
from bot.reports.stats import target_line as target_line
from bot.reports.targets import targets
from bot.reports.unanswered import unanswered_groups

FORMATS = ("table", "md", "csv", "json")
_NUMERIC = re.compile(r"^[\d–-]")  # a column of figures (or "–" for none) is right-aligned
UNANSWERED_GROUPS = 20


def build_report(
    db: Database,
    config: Config,
    period: Period,
    knowledge: KnowledgeBase | None = None,
    matcher: Matcher | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The contract object: period, totals, shares, breakdowns, targets and unanswered groups.

    ``knowledge`` gives ``by_topic`` and the ``topic`` indicators; ``matcher`` the closest entry of
    each unanswered group. Both are optional so a broken knowledge base never blocks a report.
    """
    figures = compute_figures(db, period, knowledge)
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat(), "days": period.days},
        "totals": asdict(figures.totals),
        "answered_share": figures.answered_share,
        "satisfaction": figures.satisfaction,
        "feedback": {"up": figures.feedback_up, "down": figures.feedback_down},
        "by_entry": figures.by_entry,
        "by_topic": figures.by_topic,
        "by_month": since_first_inquiry(db, figures.by_month),
        "by_role": figures.by_role,
        "by_municipality": figures.by_municipality,
        "by_source": figures.by_source,
        "by_lang": figures.by_lang,
        "handoffs": asdict(figures.handoffs),
        "targets": [asdict(result) for result in targets(db, config.indicators, period, knowledge, today)],
        "unanswered": [asdict(group) for group in unanswered_groups(db, period, matcher, UNANSWERED_GROUPS)],
        "review_queue": _review_queue(db, period),
    }


def first_inquiry(db: Database) -> str | None:
    """When the first counted message reached the bot (ISO, UTC), or None before any."""
    from bot.reports.metrics import COUNTED

    (row,) = db.query(f"SELECT min(i.received_at) AS first FROM inquiries i WHERE {COUNTED}")
    return row["first"]


def since_first_inquiry(db: Database, by_month: dict[str, Any]) -> dict[str, Any]:
    """The months from the bot's first inquiry (its Oslo month) on: months before it started are not empty months."""
    first = first_inquiry(db)
    started = local_time(first).strftime("%Y-%m") if first else ""
    return {month: figures for month, figures in by_month.items() if month >= started}


def _review_queue(db: Database, period: Period) -> dict[str, Any]:
    """What people asked that waits for staff: unmet demand the council can see as a figure."""
    from bot.learning.suggestions import SuggestionBox
    from bot.reports.indicators import bounds

    start, end = bounds(period)["start"], bounds(period)["end"]
    return SuggestionBox(db).queue(start, end)


def render(
    report: dict[str, Any],
    fmt: str,
    lang: str = "nb",
    knowledge: KnowledgeBase | None = None,
    config: Config | None = None,
    chart: str | None = None,
) -> str:
    """The report as ``table``, ``md``, ``csv`` or ``json`` (JSON keys stay English: it is the contract).

    ``knowledge`` and ``config`` only supply titles for entries, topics, roles and municipalities;
    ``chart`` is the path of the saved chart, which the Markdown shows under its title.
    """
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=2)
    if fmt == "csv":
        return render_csv(report)
    sections = report_sections(report, lang, knowledge, config.profile if config else None)
    if fmt == "md":
        return render_markdown(sections, chart, CHART_ALT[0 if lang == "nb" else 1])
    if fmt == "table":
        return render_table(sections)
    raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")


CHART_ALT = ("Henvendelser per uke og måltall hittil i år", "Inquiries per week and targets year to date")
MARKUP = re.compile(r"\*\*(.+?)\*\*")


def render_markdown(sections: list[Section], chart: str | None = None, chart_alt: str = CHART_ALT[0]) -> str:
    title, *rest = sections
    lines = [f"# {title.heading}"]
    for note in title.notes:
        lines += ["", note]
    if chart:
        lines += ["", f"![{chart_alt}]({_md_link(chart)})"]
    for section in rest:
        lines += ["", f"## {section.heading}", ""]
        if section.rows:
            lines.append("| " + " | ".join(section.headers) + " |")
            columns = list(zip(section.headers, *section.rows, strict=True))
            aligns = ["---:" if index > 0 and all(_NUMERIC.match(cell) for cell in column[1:]) else ":---"
                      for index, column in enumerate(columns)]
            lines.append("|" + "|".join(aligns) + "|")
            lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in section.rows]
        lines += [*([""] if section.rows and section.notes else []), *section.notes]
    return "\n".join(lines).rstrip() + "\n"


def _md_link(path: str) -> str:
    """A path as a Markdown link target: spaces and parentheses would end it early."""
    return path.replace("\\", "/").replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_table(sections: list[Section]) -> str:
    """Aligned columns for a terminal: headings underlined, text left, numbers right, no Markdown markup."""
    title, *rest = sections
    lines = [title.heading, "=" * len(title.heading), *title.notes]
    for section in rest:
        lines += ["", section.heading, "-" * len(section.heading)]
        if section.rows:
            columns = list(zip(section.headers, *section.rows, strict=True))
            widths = [max(len(cell) for cell in column) for column in columns]
            numeric = [index > 0 and all(_NUMERIC.match(cell) for cell in column[1:])
                       for index, column in enumerate(columns)]
            for row in [section.headers, *section.rows]:
                cells = [cell.rjust(width) if right else cell.ljust(width)
                         for cell, width, right in zip(row, widths, numeric, strict=True)]
                lines.append("  ".join(cells).rstrip())
        lines += [MARKUP.sub(r"\1", note) for note in section.notes]
    return "\n".join(lines) + "\n"


CSV_HEADINGS = ["del", "nøkkel", "verdi", "årsmål", "forventet nå", "årsmål nådd", "i rute"]
CSV_SECTIONS = {
    "period": "periode", "totals": "nøkkeltall", "shares": "andeler", "by_entry": "per svar", "by_topic": "per emne",
    "by_role": "per rolle", "by_municipality": "per kommune", "by_source": "per lenke", "by_lang": "per språk",
    "by_month": "per måned", "handoffs": "sendt videre til ansatte", "targets": "måltall", "unanswered": "ubesvarte",
}


def render_csv(report: dict[str, Any]) -> str:
    """Long format for Norwegian Excel, one figure per row: semicolons, a UTF-8 byte-order mark, decimal
    commas, Norwegian headings and ``ja``/``nei``. A target row's ``verdi`` is the year to date at the
    period's end and ``årsmål`` the yearly target.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")

    def row(section: str, key: str, *values: Any) -> None:
        cells = [_excel(value) for value in values]
        writer.writerow([CSV_SECTIONS[section], key, *cells, *[""] * (5 - len(cells))])

    writer.writerow(CSV_HEADINGS)
    row("period", "fra", report["period"]["from"])
    row("period", "til", report["period"]["to"])
    for key, value in report["totals"].items():
        row("totals", key, value)
    for key in SHARES:
        row("shares", key, report[key])
    for section in ("by_entry", "by_topic", "by_role", "by_municipality", "by_source", "by_lang"):
        for key, value in report[section].items():
            row(section, key, value)
    for month, figures in report["by_month"].items():
        for key, value in figures.items():
            row("by_month", f"{month}:{key}", value)
    for key, value in report["handoffs"].items():
        if key != "by_status":
            row("handoffs", key, value)
    for target in report["targets"]:
        row("targets", target["indicator"], target["actual"], target["target"], target["expected_by_now"],
            target["met"], target["on_track"])
    for group in report["unanswered"]:
        row("unanswered", group["example"], group["count"])
    return out.getvalue()


def _excel(value: Any) -> str:
    """A cell as Norwegian Excel reads it: decimal comma, ``ja``/``nei``, empty for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)

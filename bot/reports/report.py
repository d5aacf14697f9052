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

from bot.config import Config
from bot.knowledge.model import KnowledgeBase
from bot.matching.matcher import Matcher
from bot.reports.indicators import compute_figures
from bot.reports.metrics import SHARES
from bot.reports.periods import Period, period_argument
from bot.reports.sections import Section, number, percent, report_sections
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
        "by_month": figures.by_month,
        "by_role": figures.by_role,
        "by_municipality": figures.by_municipality,
        "by_source": figures.by_source,
        "by_lang": figures.by_lang,
        "handoffs": asdict(figures.handoffs),
        "targets": [asdict(result) for result in targets(db, config.indicators, period, knowledge, today)],
        "unanswered": [asdict(group) for group in unanswered_groups(db, period, matcher, UNANSWERED_GROUPS)],
        "review_queue": _review_queue(db, period),
    }


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
) -> str:
    """The report as ``table``, ``md``, ``csv`` or ``json`` (JSON keys stay English: it is the contract).

    ``knowledge`` and ``config`` only supply titles for entries, topics, roles and municipalities.
    """
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=2)
    if fmt == "csv":
        return render_csv(report)
    sections = report_sections(report, lang, knowledge, config.profile if config else None)
    if fmt == "md":
        return render_markdown(sections)
    if fmt == "table":
        return render_table(sections)
    raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")


def render_markdown(sections: list[Section]) -> str:
    title, *rest = sections
    lines = [f"# {title.heading}"]
    for note in title.notes:
        lines += ["", note]
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


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_table(sections: list[Section]) -> str:
    """Aligned columns for a terminal: headings underlined, text left, numbers right."""
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
        lines += section.notes
    return "\n".join(lines) + "\n"


def render_csv(report: dict[str, Any]) -> str:
    """Long format, one figure per row: ``section,key,value,target,progress,met``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "key", "value", "target", "progress", "met"])
    writer.writerow(["period", "from", report["period"]["from"], "", "", ""])
    writer.writerow(["period", "to", report["period"]["to"], "", "", ""])
    for key, value in report["totals"].items():
        writer.writerow(["totals", key, value, "", "", ""])
    for key in SHARES:
        writer.writerow(["shares", key, _blank(report[key]), "", "", ""])
    for section in ("by_entry", "by_topic", "by_role", "by_municipality", "by_source", "by_lang"):
        for key, value in report[section].items():
            writer.writerow([section, key, value, "", "", ""])
    for month, figures in report["by_month"].items():
        for key, value in figures.items():
            writer.writerow(["by_month", f"{month}:{key}", value, "", "", ""])
    for key, value in report["handoffs"].items():
        if key != "by_status":
            writer.writerow(["handoffs", key, _blank(value), "", "", ""])
    for target in report["targets"]:
        writer.writerow(["targets", target["indicator"], _blank(target["actual"]), target["target"],
                         _blank(target["progress"]), _blank(target["met"])])
    for group in report["unanswered"]:
        writer.writerow(["unanswered", group["example"], group["count"], "", "", ""])
    return out.getvalue()


def _blank(value: Any) -> Any:
    return "" if value is None else value


def stats_message(report: dict[str, Any], lang: str = "nb") -> str:
    """Short plain text for staff in Telegram (``/stats``); the chart goes with it as a photo."""
    nb = lang == "nb"
    totals, handoffs = report["totals"], report["handoffs"]
    period = report["period"]
    lines = [
        f"Næringsbot {period['from']}–{period['to']}",
        ("Henvendelser: {inquiries} (unike brukere: {unique_users})" if nb
         else "Inquiries: {inquiries} (unique users: {unique_users})").format(**totals),
        (f"Besvart: {totals['answered']} ({percent(report['answered_share'], lang)}) · forslag: "
         f"{totals['ambiguous']} · ikke besvart: {totals['fallback']} · til ansatte: {totals['to_staff']}" if nb
         else f"Answered: {totals['answered']} ({percent(report['answered_share'], lang)}) · suggestions: "
         f"{totals['ambiguous']} · not answered: {totals['fallback']} · to staff: {totals['to_staff']}"),
        (f"Sendt til ansatte: {handoffs['opened']}, besvart: {handoffs['answered']}" if nb
         else f"Passed to staff: {handoffs['opened']}, answered: {handoffs['answered']}"),
    ]
    queue = report.get("review_queue")
    if queue:
        lines.append(f"Til vurdering: {queue['open_phrasings']} nye formuleringer, {queue['open_unanswered']} "
                     f"ubesvarte · trenger nytt svar: {queue['needs_answer']} · lagt til i perioden: "
                     f"{queue['accepted']} (/review)" if nb else
                     f"To review: {queue['open_phrasings']} new phrasings, {queue['open_unanswered']} unanswered "
                     f"· needs a new answer: {queue['needs_answer']} · added this period: {queue['accepted']} "
                     "(/review)")
    votes = report["feedback"]["up"] + report["feedback"]["down"]
    lines.append(f"Fornøyde: {percent(report['satisfaction'], lang)} av {votes} stemmer" if nb
                 else f"Satisfied: {percent(report['satisfaction'], lang)} of {votes} votes")
    if report["targets"]:
        lines.append("Måltall:" if nb else "Targets:")
    for target in report["targets"]:
        mark = "✅" if target["met"] else ("🟢" if target["on_track"] else "⏳")
        lines.append(f"{mark} {target['title'][lang]}: {number(target['actual'], lang, target['metric'])}"
                     f" / {number(target['target'], lang, target['metric'])}")
    return "\n".join(lines)


def telegram_stats(
    db: Database,
    config: Config,
    argument: str | None = None,
    lang: str = "nb",
    knowledge: KnowledgeBase | None = None,
) -> tuple[str, bytes]:
    """``/stats [period]``: the figures as plain text and the weekly chart as PNG bytes.

    Raises :class:`bot.reports.periods.PeriodError` (its message is fit to show) for an argument that is not
    a period. Drawing takes a few hundred milliseconds: call it from a worker thread.
    """
    from bot.reports.charts import weekly_chart

    period = period_argument(argument)
    figures = build_report(db, config, period, knowledge)
    return stats_message(figures, lang), weekly_chart(db, period, knowledge, config.indicators, lang)

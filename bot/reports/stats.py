"""``/stats [period]`` in Telegram: the key figures in plain text, compared with the period before and the targets.

The period before has the same length (the month, quarter or year before a whole one); while a period
is still running, both are compared up to the same day, so December's first day is not set against
all of November.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from bot.config import Config
from bot.knowledge.model import KnowledgeBase
from bot.reports.indicators import compute_figures
from bot.reports.metrics import SHARES
from bot.reports.periods import Period, period_argument, whole_months
from bot.reports.periods import today as local_today
from bot.reports.sections import day, duration, number, percent


@dataclass(frozen=True)
class Comparison:
    """Inquiries and the share answered in the period (up to today) and in the one before it."""

    name: tuple[str, str]
    before: Period
    now: Period
    inquiries_before: int
    inquiries_now: int
    share_before: float | None
    share_now: float | None
    period_end: dt.date


@dataclass(frozen=True)
class StatsReply:
    text: str
    chart: bytes
    caption: str


def previous_name(period: Period) -> tuple[str, str]:
    """What staff call the period before ``period`` (nb, en)."""
    months = whole_months(period)
    named = {1: ("forrige måned", "the month before"), 3: ("forrige kvartal", "the quarter before"),
             12: ("året før", "the year before")}
    if months in named:
        return named[months]
    if period.days == 1:
        return ("dagen før", "the day before")
    if period.days == 7 and period.start.weekday() == 0:
        return ("uka før", "the week before")
    return (f"de {period.days} dagene før", f"the {period.days} days before")


def compare(db: Database, period: Period, today: dt.date | None = None) -> Comparison:
    """This period against the one before; a running period and its match are both cut at today's place."""
    before = period.previous()
    today = today or local_today()
    now = period
    if period.start <= today < period.end:
        now = period.cut(today)
        before = before.cut(before.start + dt.timedelta(days=now.days - 1))
    this, last = compute_figures(db, now), compute_figures(db, before)
    return Comparison(previous_name(period), before, now, last.totals.inquiries, this.totals.inquiries,
                      last.answered_share, this.answered_share, period.end)


def change(before: int, now: int, lang: str = "nb") -> str:
    """``+35 %`` from 31 to 42; empty when there is nothing to compare with."""
    if not before:
        return ""
    rounded = round((now - before) / before * 100)
    return f" ({rounded:+d} %)" if lang == "nb" else f" ({rounded:+d}%)"


def comparison_lines(comparison: Comparison, lang: str = "nb") -> list[str]:
    """``Sammenlignet med forrige måned (01.10.2026–31.10.2026):`` and the two figures, before → now."""
    nb = lang == "nb"
    before, now = comparison.before, comparison.now
    span = f"{day(before.start.isoformat(), lang)}–{day(before.end.isoformat(), lang)}"
    growth = change(comparison.inquiries_before, comparison.inquiries_now, lang)
    counts = f"{comparison.inquiries_before} → {comparison.inquiries_now}{growth}"
    shares = f"{percent(comparison.share_before, lang)} → {percent(comparison.share_now, lang)}"
    if nb:
        lines = [f"Sammenlignet med {comparison.name[0]} ({span}):", f"  henvendelser: {counts}",
                 f"  andel besvart: {shares}"]
    else:
        lines = [f"Compared with {comparison.name[1]} ({span}):", f"  inquiries: {counts}",
                 f"  share answered: {shares}"]
    if now.end != comparison.period_end:
        lines.append(f"  (begge til og med dag {now.days})" if nb else f"  (both up to day {now.days})")
    return lines


def period_heading(report: dict[str, Any], lang: str = "nb") -> str:
    period = report["period"]
    return f"Næringsbot {day(period['from'], lang)}–{day(period['to'], lang)}"


def stats_message(report: dict[str, Any], lang: str = "nb", comparison: Comparison | None = None) -> str:
    """Short plain text for staff in Telegram (``/stats``); the chart goes with it as a photo."""
    nb = lang == "nb"
    totals, handoffs = report["totals"], report["handoffs"]
    lines = [
        period_heading(report, lang),
        ("Henvendelser: {inquiries} (unike brukere: {unique_users})" if nb
         else "Inquiries: {inquiries} (unique users: {unique_users})").format(**totals),
        (f"Besvart: {totals['answered']} ({percent(report['answered_share'], lang)}) · forslag: "
         f"{totals['ambiguous']} · ikke besvart: {totals['fallback']} · skrevet direkte til ansatte: "
         f"{totals['to_staff']}" if nb
         else f"Answered: {totals['answered']} ({percent(report['answered_share'], lang)}) · suggestions: "
         f"{totals['ambiguous']} · not answered: {totals['fallback']} · written directly to staff: "
         f"{totals['to_staff']}"),
        *_unanswered_parts(totals["unanswered_parts"], lang),
        (f"Sendt videre til ansatte: {handoffs['opened']}, besvart av ansatte: {handoffs['answered']}" if nb
         else f"Passed on to staff: {handoffs['opened']}, answered by staff: {handoffs['answered']}")
        + _median(handoffs["median_minutes_to_first_answer"], lang),
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
    if comparison is not None:
        lines += comparison_lines(comparison, lang)
    if report["targets"]:
        as_of = report["targets"][0]["as_of"]  # the period's end, or today while it runs
        lines.append(f"Måltall for året, hittil i år per {day(as_of)}:" if nb
                     else f"Yearly targets, year to date at {as_of}:")
    for target in report["targets"]:
        lines.append(target_line(target, lang))
    return "\n".join(lines)


def _unanswered_parts(count: int, lang: str) -> list[str]:
    """A line for the parts nobody answered of messages that asked several things, when there are any:
    the message counts as answered, so without it they would not show in /stats."""
    if not count:
        return []
    if lang == "nb":
        return [f"  + {count} {'del' if count == 1 else 'deler'} uten svar i spørsmål som også fikk svar (/unanswered)"]
    return [f"  + {count} unanswered {'part' if count == 1 else 'parts'} of questions also answered (/unanswered)"]


def _median(minutes: float | None, lang: str) -> str:
    if minutes is None:
        return ""
    return (f" (median {duration(minutes, lang)} til første svar)" if lang == "nb"
            else f" (median {duration(minutes, lang)} to the first answer)")


def target_line(target: dict[str, Any], lang: str = "nb") -> str:
    """One target in plain words: a count with its pace, a share against the target share."""
    nb = lang == "nb"
    mark = "✅" if target["met"] else ("🟢" if target["on_track"] else ("⏳" if target["on_track"] is False else "▫️"))
    title, metric = target["title"][lang], target["metric"]
    actual, goal = number(target["actual"], lang, metric), number(target["target"], lang, metric)
    if metric in SHARES:
        met = "" if target["met"] is None else (" (nådd)" if nb else " (met)") if target["met"] else (
            " (ikke nådd)" if nb else " (not met)")
        return (f"{mark} {title}: {actual}, målet er {goal}{met}" if nb
                else f"{mark} {title}: {actual}, target {goal}{met}")
    line = f"{mark} {title}: {actual} av {goal} i år" if nb else f"{mark} {title}: {actual} of {goal} this year"
    if target["expected_by_now"] is not None:
        line += (f" (forventet nå: {number(target['expected_by_now'], lang)})" if nb
                 else f" (expected by now: {number(target['expected_by_now'], lang)})")
    return line


def telegram_stats(
    db: Database,
    config: Config,
    argument: str | None = None,
    lang: str = "nb",
    knowledge: KnowledgeBase | None = None,
    today: dt.date | None = None,
) -> StatsReply:
    """``/stats [period]``: the figures as plain text, the chart as PNG bytes and the chart's caption.

    Raises :class:`bot.reports.periods.PeriodError` (its :meth:`text` is fit to show) for an argument
    that is not a period. Drawing takes a few hundred milliseconds: call it from a worker thread.
    """
    from bot.reports.charts import weekly_chart
    from bot.reports.report import build_report

    nb = lang == "nb"
    period = period_argument(argument, today)
    figures = build_report(db, config, period, knowledge, today=today)
    text = stats_message(figures, lang, compare(db, period, today))
    caption = (f"Henvendelser per uke og måltall hittil i år, {period.local_label}" if nb
               else f"Inquiries per week and targets year to date, {period.label}")
    return StatsReply(text, weekly_chart(db, period, knowledge, config.indicators, lang, today), caption)

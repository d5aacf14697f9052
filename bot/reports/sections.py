"""The report's readable sections, in Norwegian (default) or English, for the table and Markdown forms.

A council reads the Markdown version, so every heading says in plain words what is counted, and
the last section gives each figure's definition from :data:`bot.reports.metrics.METRICS`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.config import ProfileSettings
from bot.knowledge.model import KnowledgeBase
from bot.reports.metrics import FEEDBACK, METRICS, SHARES, Metric, term, text
from bot.reports.unanswered import PART_OF_ANSWERED

TOP_ENTRIES = 15
TOP_UNANSWERED = 10

# Layout words; each figure's title comes from the table of metrics.
LABELS: dict[str, tuple[str, str]] = {
    "title": ("Næringsbot – indikatorer og måltall", "Næringsbot – indicators and targets"),
    "period": ("Periode", "Period"),
    "days": ("dager", "days"),
    "scope": ("Tallene gjelder henvendelser på Telegram; ansattes egne meldinger og tester i terminalen er holdt "
              "utenfor.", "Figures cover inquiries on Telegram; staff's own messages and tests in the terminal "
              "are left out."),
    "examples": ("Måltall merket * er eksempler: programmet fastsetter de virkelige.",
                 "Targets marked * are examples: the programme sets the real figures."),
    "totals": ("Nøkkeltall", "Key figures"),
    "figure": ("Tall", "Figure"),
    "count": ("Antall", "Count"),
    "votes": ("stemmer", "votes"),
    "targets": ("Måltall", "Targets"),
    "indicator": ("Indikator", "Indicator"),
    "target": ("Årsmål", "Yearly target"),
    "actual": ("Hittil i år", "Year to date"),
    "expected": ("Forventet nå", "Expected by now"),
    "met": ("Årsmål nådd", "Target met"),
    "on_track": ("I rute", "On track"),
    "targets_note": ("Måltallene gjelder hele året: «hittil i år» teller fra {start} til {end}. «Forventet nå» er "
                     "årsmålet fordelt jevnt over året fram til {as_of}; unike brukere og andeler fordeles ikke, "
                     "for de samme menneskene kommer igjen, og en andel er en andel hele året.",
                     "Targets are for the whole year: \"year to date\" counts from {start} to {end}. \"Expected by "
                     "now\" is the yearly target spread evenly over the year up to {as_of}; unique users and shares "
                     "are not spread, as the same people return and a share is a share all year."),
    "yes": ("ja", "yes"),
    "no": ("nei", "no"),
    "by_month": ("Per måned", "By month"),
    "month": ("Måned", "Month"),
    "by_entry": ("Mest viste svar", "Answers shown most"),
    "entry": ("Svar", "Answer"),
    "shown": ("Visninger", "Shown"),
    "more_entries": ("… og {n} svar til.", "… and {n} more answers."),
    "by_topic": ("Per emne", "By topic"),
    "topic": ("Emne", "Topic"),
    "by_role": ("Hvem spør (rolle)", "Who asks (role)"),
    "by_municipality": ("Hvor de bor (kommune)", "Where they live (municipality)"),
    "by_source": ("Hvor de kom fra (lenke)", "Where they came from (link)"),
    "by_lang": ("Språk", "Language"),
    "value": ("Verdi", "Value"),
    "unknown": ("ikke oppgitt", "not given"),
    "handoff_section": ("Spørsmål sendt til ansatte", "Questions passed to staff"),
    "opened": ("Sendt videre til ansatte", "Passed on to staff"),
    "median": ("Median tid til første svar", "Median time to first answer"),
    "status": ("Status: {status}", "Status: {status}"),
    "unanswered": ("Ubesvarte spørsmål (grupper av like spørsmål)", "Unanswered questions (groups of similar ones)"),
    "question": ("Spørsmål", "Question"),
    "closest": ("Nærmeste svar (forslag)", "Closest answer (hint)"),
    "part_of_answered": PART_OF_ANSWERED,
    "unanswered_note": ("Nærmeste svar er bare et hint til redaktørene; ingenting endres automatisk.",
                        "The closest answer is only a hint for editors; nothing is changed automatically."),
    "none": ("Ingen i perioden.", "None in the period."),
    "definitions": ("Slik telles tallene", "How the figures are counted"),
}

LANGUAGES: dict[str, tuple[str, str]] = {
    "nb": ("norsk", "Norwegian"), "nn": ("nynorsk", "Norwegian Nynorsk"), "en": ("engelsk", "English")}

HANDOFF_STATUS: dict[str, tuple[str, str]] = {
    "open": ("åpen", "open"),
    "answered": ("besvart", "answered"),
    "closed": ("lukket", "closed"),
    "unrouted": ("ikke sendt, kontaktinformasjon vist", "not sent, contact details shown"),
}

WORDS: dict[str, tuple[str, str]] = {metric.name: metric.title for metric in METRICS} | LABELS

# After the figures' definitions: what the figures are compared with, and the clock.
NOTES: dict[str, list[str]] = {
    "nb": [
        "- **Måltall** er satt per år og regnes aldri om til perioden: faktisk tall er hittil i år ved periodens "
        "slutt. «Forventet nå» er årsmålet for antall fordelt jevnt over dagene som har gått; unike brukere og "
        "andeler fordeles ikke. «I rute» betyr minst forventet antall, eller for andeler minst målet.",
        "- Datoene er hele døgn i norsk tid (Europe/Oslo): «november» begynner ved midnatt i Drammen, selv "
        "om loggen lagrer tidspunktene i UTC.",
    ],
    "en": [
        "- **Targets** are set per year and never scaled to the period: the actual figure is the year to date at "
        "the period's end. \"Expected by now\" is a count's yearly target spread evenly over the days that have "
        "passed; unique users and shares are not spread. \"On track\" means at least the expected count, or for "
        "shares at least the target.",
        "- Dates are whole days in Norwegian time (Europe/Oslo): \"November\" starts at midnight in Drammen, "
        "though the log stores its times in UTC.",
    ],
}


def definitions(lang: str = "nb") -> list[str]:
    """One bullet per figure of the table of metrics, then how targets and dates are read."""
    lang = "nb" if lang == "nb" else "en"
    return [f"- **{term(metric, lang)}**: {text(metric.definition, lang)}" for metric in METRICS] + NOTES[lang]


@dataclass
class Section:
    heading: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def report_sections(
    report: dict[str, Any],
    lang: str = "nb",
    knowledge: KnowledgeBase | None = None,
    profile: ProfileSettings | None = None,
) -> list[Section]:
    """Title first, then key figures, targets, months, answers, topics, who asks, staff, gaps, definitions."""
    def word(key: str) -> str:
        return WORDS[key][0 if lang == "nb" else 1]

    def count(value: float | None) -> str:
        return number(value, lang)

    titles = {choice.id: choice.title.get(lang) for choice in
              [*(profile.roles if profile else []), *(profile.municipalities if profile else [])]}

    def label(key: str) -> str:
        return word("unknown") if key == "unknown" else titles.get(key, key)

    period, totals = report["period"], report["totals"]
    title = Section(word("title"), notes=[
        f"{word('period')}: {day(period['from'], lang)} – {day(period['to'], lang)} ({period['days']} "
        f"{word('days')}). {word('scope')}"])
    if any(target["example"] for target in report["targets"]):
        title.notes.append(word("examples"))
    votes = report["feedback"]["up"] + report["feedback"]["down"]

    def figure(metric: Metric) -> str:
        if not metric.share:
            return count(totals[metric.name])
        shown = percent(report[metric.name], lang)
        return f"{shown} ({votes} {word('votes')})" if metric.source == FEEDBACK else shown

    key_rows = [[word(metric.name), figure(metric)] for metric in METRICS if metric.key_figure]
    sections = [title, Section(word("totals"), [word("figure"), word("count")], key_rows)]

    target_rows = [
        [target["title"][lang] + ("*" if target["example"] else ""),
         number(target["target"], lang, target["metric"]), number(target["actual"], lang, target["metric"]),
         number(target["expected_by_now"], lang), _yes_no(target["met"], word), _yes_no(target["on_track"], word)]
        for target in report["targets"]]
    target_notes = [word("none")]
    if report["targets"]:
        first = report["targets"][0]
        target_notes = [word("targets_note").format(start=day(first["year_from"], lang), end=day(period["to"], lang),
                                                    as_of=day(first["as_of"], lang))]
    sections.append(Section(word("targets"), [word(key) for key in (
        "indicator", "target", "actual", "expected", "met", "on_track")], target_rows, target_notes))

    month_keys = [metric.name for metric in METRICS if metric.monthly]
    sections.append(Section(word("by_month"), [word("month"), *(word(key) for key in month_keys)], [
        [month_name(month, lang), *(count(figures[key]) for key in month_keys)]
        for month, figures in report["by_month"].items()]))

    entries = list(report["by_entry"].items())
    sections.append(Section(word("by_entry"), [word("entry"), word("shown")], [
        [_entry_title(entry_id, knowledge, lang), count(shown)] for entry_id, shown in entries[:TOP_ENTRIES]],
        [word("more_entries").format(n=len(entries) - TOP_ENTRIES)] if len(entries) > TOP_ENTRIES else
        ([] if entries else [word("none")])))
    if report["by_topic"]:
        sections.append(Section(word("by_topic"), [word("topic"), word("shown")], [
            [_topic_title(topic, knowledge, lang), count(shown)] for topic, shown in report["by_topic"].items()]))
    for key in ("by_role", "by_municipality", "by_source", "by_lang"):
        if report[key]:
            sections.append(Section(word(key), [word("value"), word("inquiries")], [
                [LANGUAGES[value][lang != "nb"] if key == "by_lang" and value in LANGUAGES else label(value),
                 count(n)] for value, n in report[key].items()]))

    handoffs = report["handoffs"]
    staff_rows = [[word("opened"), count(handoffs["opened"])], [word("handoffs_answered"), count(handoffs["answered"])],
                  [word("median"), duration(handoffs["median_minutes_to_first_answer"], lang)]]
    staff_rows += [[word("status").format(status=HANDOFF_STATUS.get(status, (status, status))[lang != "nb"]),
                    count(n)]
                   for status, n in (handoffs["by_status"] or {}).items()]
    sections.append(Section(word("handoff_section"), [word("figure"), word("count")], staff_rows))

    groups = report["unanswered"][:TOP_UNANSWERED]
    sections.append(Section(word("unanswered"), [word("question"), word("count"), word("closest")], [
        [group["example"] + part_note(group, lang), count(group["count"]),
         _entry_title(group["suggested_entry"], knowledge, lang) if group["suggested_entry"] else "–"]
        for group in groups],
        [word("unanswered_note")] if groups else [word("none")]))
    sections.append(Section(word("definitions"), notes=definitions(lang)))
    return sections


def part_note(group: dict[str, Any], lang: str = "nb") -> str:
    """Marks a group of unknown parts of questions whose other part was answered, as ``/unanswered`` does."""
    parts = group.get("parts", 0)
    if not parts:
        return ""
    what = WORDS["part_of_answered"][0 if lang == "nb" else 1]
    if parts == group["count"]:
        return f" ({what})"
    return f" ({parts} av dem {what})" if lang == "nb" else f" ({parts} of them {what})"


def _yes_no(value: bool | None, word: Any) -> str:
    return "–" if value is None else word("yes" if value else "no")


def _entry_title(entry_id: str, knowledge: KnowledgeBase | None, lang: str) -> str:
    entry = knowledge.get(entry_id) if knowledge else None
    return entry.title.get(lang) if entry else entry_id


def _topic_title(topic_id: str, knowledge: KnowledgeBase | None, lang: str) -> str:
    topic = knowledge.topics.get(topic_id) if knowledge else None
    return topic.title.get(lang) if topic else topic_id


MONTHS = {"nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
                 "november", "desember"),
          "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December")}


def month_name(month: str, lang: str = "nb") -> str:
    """``2026-11`` as staff say it: ``november 2026`` (``November 2026``)."""
    number, index = month.split("-")
    return f"{MONTHS['nb' if lang == 'nb' else 'en'][int(index) - 1]} {number}"


def day(iso: str, lang: str = "nb") -> str:
    """A date as staff write it: ``30.11.2026`` in Norwegian, ISO in English."""
    return dt.date.fromisoformat(iso).strftime("%d.%m.%Y") if lang == "nb" else iso


def duration(minutes: float | None, lang: str = "nb") -> str:
    """A span as staff say it: ``5 t 25 min`` (``5 h 25 min``), ``45 min``, ``2 d 3 t``; "–" for none."""
    if minutes is None:
        return "–"
    total = round(minutes)
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    hour = "t" if lang == "nb" else "h"
    if days:
        return f"{days} d {hours} {hour}" if hours else f"{days} d"
    if hours:
        return f"{hours} {hour} {mins} min" if mins else f"{hours} {hour}"
    return f"{mins} min"


def percent(value: float | None, lang: str = "nb") -> str:
    if value is None:
        return "–"
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return (text.replace(".", ",") + " %") if lang == "nb" else text + "%"


def number(value: float | None, lang: str = "nb", metric: str | None = None) -> str:
    """Counts with a space (nb) or comma (en) between thousands; shares as percentages."""
    if value is None:
        return "–"
    if metric in SHARES:
        return percent(value, lang)
    text = f"{value:,.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    return text.replace(",", " ").replace(".", ",") if lang == "nb" else text

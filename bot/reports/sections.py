"""The report's readable sections, in Norwegian (default) or English, for the table and Markdown forms.

A council reads the Markdown version, so every heading says in plain words what is counted, and
the last section repeats the definitions from ``bot/reports/indicators.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.config import ProfileSettings
from bot.knowledge.model import KnowledgeBase

TOP_ENTRIES = 15
TOP_UNANSWERED = 10

WORDS: dict[str, tuple[str, str]] = {
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
    "inquiries": ("Henvendelser", "Inquiries"),
    "questions": ("– spørsmål skrevet som tekst", "– questions typed as text"),
    "cards_opened": ("– svar åpnet fra menyen", "– answers opened from the menu"),
    "unique_users": ("Unike brukere", "Unique users"),
    "answered": ("Besvart av boten", "Answered by the bot"),
    "answered_share": ("Andel besvart", "Share answered"),
    "ambiguous": ("Bare forslag («mente du …?»)", "Only suggestions (\"did you mean…?\")"),
    "ambiguous_resolved": ("– der brukeren valgte et forslag", "– where the user picked a suggestion"),
    "fallback": ("Ikke besvart («vet ikke»)", "Not answered (\"I don't know\")"),
    "to_staff": ("Skrevet direkte til ansatte", "Written directly to staff"),
    "handoffs": ("Sendt videre til ansatte", "Passed on to staff"),
    "satisfaction": ("Andel fornøyde (👍)", "Share satisfied (👍)"),
    "votes": ("stemmer", "votes"),
    "smalltalk": ("Hilsener og takk (ikke talt som henvendelser)", "Greetings and thanks (not counted)"),
    "without_pseudonym": ("Henvendelser uten pseudonym (slettet)", "Inquiries without pseudonym (erased)"),
    "dropped_by_flood_control": ("Meldinger stoppet av flomvern (for mange på kort tid)",
                                 "Messages dropped by flood control (too many too fast)"),
    "unreadable_updates": ("Oppdateringer som ikke kunne leses", "Updates that could not be read"),
    "targets": ("Måltall", "Targets"),
    "indicator": ("Indikator", "Indicator"),
    "target": ("Mål i perioden", "Target for the period"),
    "actual": ("Faktisk", "Actual"),
    "progress": ("Oppnådd", "Progress"),
    "met": ("Nådd", "Met"),
    "on_track": ("I rute", "On track"),
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
    "opened": ("Sendt videre", "Passed on"),
    "staff_answered": ("Besvart av ansatte", "Answered by staff"),
    "median": ("Median tid til første svar (minutter)", "Median time to first answer (minutes)"),
    "status": ("Status: {status}", "Status: {status}"),
    "unanswered": ("Ubesvarte spørsmål (grupper av like spørsmål)", "Unanswered questions (groups of similar ones)"),
    "question": ("Spørsmål", "Question"),
    "closest": ("Nærmeste svar (forslag)", "Closest answer (hint)"),
    "unanswered_note": ("Nærmeste svar er bare et hint til redaktørene; ingenting endres automatisk.",
                        "The closest answer is only a hint for editors; nothing is changed automatically."),
    "none": ("Ingen i perioden.", "None in the period."),
    "definitions": ("Slik telles tallene", "How the figures are counted"),
}

HANDOFF_STATUS: dict[str, tuple[str, str]] = {
    "open": ("åpen", "open"),
    "answered": ("besvart", "answered"),
    "closed": ("lukket", "closed"),
    "unrouted": ("ikke sendt, kontaktinformasjon vist", "not sent, contact details shown"),
}

DEFINITIONS: dict[str, list[str]] = {
    "nb": [
        "- **Henvendelse**: et spørsmål skrevet som tekst, eller et svar åpnet med en knapp i menyen. Kommandoer, "
        "menyvalg, 👍/👎, bilder, hilsener og takk telles ikke. Et valg blant «mente du …?»-forslagene er ikke en ny "
        "henvendelse, men avslutter spørsmålet som alt er talt.",
        "- **Besvart**: boten ga et sikkert svar fra kunnskapsbasen. Henvendelser = besvart + bare forslag + "
        "ikke besvart + skrevet til ansatte.",
        "- **Unike brukere**: ulike pseudonymer. Sletting (/forget og sletting etter oppbevaringstiden) fjerner "
        "pseudonymet, så for eldre perioder er tallet et minimum.",
        "- **Sendt videre til ansatte**: spørsmål brukeren ba om å få sendt til en person.",
        "- **Andel fornøyde**: andel 👍 av alle 👍/👎 gitt på periodens svar.",
        "- **Måltall** er satt per år; for kortere perioder regnes målet for antall om etter antall dager. "
        "Andeler regnes ikke om. «I rute» sammenligner med målet for dagene som har gått.",
        "- Datoene er hele døgn i UTC, loggens klokke.",
    ],
    "en": [
        "- **Inquiry**: a question typed as text, or an answer opened with a menu button. Commands, menu "
        "navigation, 👍/👎, photos, greetings and thanks are not counted. Picking a \"did you mean…?\" suggestion "
        "is not a new inquiry: it settles the question already counted.",
        "- **Answered**: the bot gave a confident answer from the knowledge base. Inquiries = answered + only "
        "suggestions + not answered + written to staff.",
        "- **Unique users**: distinct pseudonyms. Erasure (/forget and the retention purge) removes the pseudonym, "
        "so for older periods the figure is a minimum.",
        "- **Passed on to staff**: questions the user asked to have passed to a person.",
        "- **Share satisfied**: share of 👍 among all 👍/👎 given on the period's answers.",
        "- **Targets** are set per year; for shorter periods count targets are scaled by days. Shares are not "
        "scaled. \"On track\" compares with the target for the days that have passed.",
        "- Dates are whole days in UTC, the log's clock.",
    ],
}


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
        f"{word('period')}: {period['from']} – {period['to']} ({period['days']} {word('days')}). {word('scope')}"])
    if any(target["example"] for target in report["targets"]):
        title.notes.append(word("examples"))
    votes = report["feedback"]["up"] + report["feedback"]["down"]
    key_rows = [[word(key), count(totals[key])] for key in (
        "inquiries", "questions", "cards_opened", "unique_users", "answered")]
    key_rows.append([word("answered_share"), percent(report["answered_share"], lang)])
    key_rows += [[word(key), count(totals[key])] for key in (
        "ambiguous", "ambiguous_resolved", "fallback", "to_staff", "handoffs")]
    key_rows.append([word("satisfaction"), f"{percent(report['satisfaction'], lang)} ({votes} {word('votes')})"])
    key_rows += [[word(key), count(totals[key])] for key in (
        "smalltalk", "without_pseudonym", "dropped_by_flood_control", "unreadable_updates")]
    sections = [title, Section(word("totals"), [word("figure"), word("count")], key_rows)]

    sections.append(Section(word("targets"), [word(key) for key in (
        "indicator", "target", "actual", "progress", "met", "on_track")], [
        [target["title"][lang] + ("*" if target["example"] else ""),
         number(target["target"], lang, target["metric"]), number(target["actual"], lang, target["metric"]),
         percent(target["progress"], lang), _yes_no(target["met"], word), _yes_no(target["on_track"], word)]
        for target in report["targets"]], [] if report["targets"] else [word("none")]))

    month_keys = ("inquiries", "unique_users", "answered", "ambiguous", "fallback", "handoffs")
    sections.append(Section(word("by_month"), [word("month"), *(word(key) for key in month_keys)], [
        [month, *(count(figures[key]) for key in month_keys)] for month, figures in report["by_month"].items()]))

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
                [label(value), count(n)] for value, n in report[key].items()]))

    handoffs = report["handoffs"]
    staff_rows = [[word("opened"), count(handoffs["opened"])], [word("staff_answered"), count(handoffs["answered"])],
                  [word("median"), count(handoffs["median_minutes_to_first_answer"])]]
    staff_rows += [[word("status").format(status=HANDOFF_STATUS.get(status, (status, status))[lang != "nb"]),
                    count(n)]
                   for status, n in (handoffs["by_status"] or {}).items()]
    sections.append(Section(word("handoff_section"), [word("figure"), word("count")], staff_rows))

    groups = report["unanswered"][:TOP_UNANSWERED]
    sections.append(Section(word("unanswered"), [word("question"), word("count"), word("closest")], [
        [group["example"], count(group["count"]),
         f"{_entry_title(group['suggested_entry'], knowledge, lang)} ({group['score']:.2f})"
         if group["suggested_entry"] else "–"] for group in groups],
        [word("unanswered_note")] if groups else [word("none")]))
    sections.append(Section(word("definitions"), notes=DEFINITIONS["nb" if lang == "nb" else "en"]))
    return sections


def _yes_no(value: bool | None, word: Any) -> str:
    return "–" if value is None else word("yes" if value else "no")


def _entry_title(entry_id: str, knowledge: KnowledgeBase | None, lang: str) -> str:
    entry = knowledge.get(entry_id) if knowledge else None
    return f"{entry.title.get(lang)} ({entry_id})" if entry else entry_id


def _topic_title(topic_id: str, knowledge: KnowledgeBase | None, lang: str) -> str:
    topic = knowledge.topics.get(topic_id) if knowledge else None
    return topic.title.get(lang) if topic else topic_id


def percent(value: float | None, lang: str = "nb") -> str:
    if value is None:
        return "–"
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return (text.replace(".", ",") + " %") if lang == "nb" else text + "%"


def number(value: float | None, lang: str = "nb", metric: str | None = None) -> str:
    """Counts with a space (nb) or comma (en) between thousands; shares as percentages."""
    if value is None:
        return "–"
    if metric in ("answered_share", "satisfaction"):
        return percent(value, lang)
    text = f"{value:,.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    return text.replace(",", " ").replace(".", ",") if lang == "nb" else text

"""The readable sheets of the exported workbook: summary, targets, months, topics and unanswered groups.

Each function returns a header and rows of typed cells, with the number format of each column that
needs one (``0.0%`` for shares), so :mod:`bot.reports.export` only writes them. Headings and titles are
Norwegian, and no cell shows SQL: staff and the council read these sheets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.reports.metrics import METRICS, SHARES
from bot.reports.sections import LANGUAGES, WORDS, part_note

PERCENT = "0.0%"
COUNT = "0"
DATE = "dd.mm.yyyy"


@dataclass
class Sheet:
    """A sheet's title, header, rows and the number format of each column (by index) that needs one."""

    title: str
    header: list[str]
    rows: list[list[Any]]
    formats: dict[int, str] = field(default_factory=dict)
    cell_formats: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column), 0-based


def summary_sheet(report: dict[str, Any], counts: dict[str, str | int]) -> Sheet:
    """The report's key figures in words, then how many rows each raw sheet holds."""
    period, totals = report["period"], report["totals"]
    rows: list[list[Any]] = [
        ["Periode fra", dt.date.fromisoformat(period["from"])],
        ["Periode til og med", dt.date.fromisoformat(period["to"])],
        ["Tidspunkter", "norsk tid (Europe/Oslo)"],
    ]
    rows += [[WORDS[metric.name][0], report[metric.name] if metric.share else totals[metric.name]]
             for metric in METRICS if metric.key_figure]
    rows += [
        ["Hva telles", "Bare henvendelser på Telegram fra innbyggere og bedrifter: ansattes egne meldinger og tester "
                       "i terminalen er holdt utenfor. Kolonnen «Teller som henvendelse» i arket «Henvendelser» sier "
                       "hvilke rader som er talt; definisjonene står i rapporten (naeringsbot report)."],
        *[[f"Rader i arket «{sheet}»", count] for sheet, count in counts.items()],
    ]
    cells = {(index, 1): DATE for index in (0, 1)}
    cells |= {(index, 1): PERCENT for index, row in enumerate(rows) if row[0] in {WORDS[name][0] for name in SHARES}}
    return Sheet("Sammendrag", ["Hva", "Verdi"], rows, cell_formats=cells)


def targets_sheet(report: dict[str, Any]) -> Sheet:
    """«Mål»: each indicator's year to date against its yearly target, shares as percentages."""
    header = ["Indikator", "Årsmål", "Hittil i år", "Forventet nå", "Årsmål nådd", "I rute", "Hittil i år fra",
              "Per dato", "Eksempel"]
    rows, cells = [], {}
    for index, target in enumerate(report["targets"]):
        rows.append([target["title"]["nb"], target["target"], target["actual"], target["expected_by_now"],
                     _yes_no(target["met"]), _yes_no(target["on_track"]), dt.date.fromisoformat(target["year_from"]),
                     dt.date.fromisoformat(target["as_of"]), "ja" if target["example"] else "nei"])
        share = target["metric"] in SHARES
        for column in (1, 2):
            cells[(index, column)] = PERCENT if share else COUNT
    return Sheet("Mål", header, rows, {3: COUNT, 6: DATE, 7: DATE}, cells)


def months_sheet(report: dict[str, Any]) -> Sheet:
    """«Per måned»: the monthly figures from the first inquiry on, and the share answered."""
    keys = [metric.name for metric in METRICS if metric.monthly]
    header = ["Måned", *(WORDS[key][0] for key in keys), WORDS["answered_share"][0]]
    rows = []
    for month, figures in report["by_month"].items():
        share = figures["answered"] / figures["inquiries"] if figures["inquiries"] else None
        rows.append([month, *(figures[key] for key in keys), share])
    return Sheet("Per måned", header, rows, {len(header) - 1: PERCENT})


def topics_sheet(report: dict[str, Any], titles: dict[str, str]) -> Sheet:
    """«Per tema»: answers shown per topic, by the topic's title, and its share of all shown."""
    shown = sum(report["by_topic"].values())
    rows = [[titles.get(topic, "Svar som er fjernet" if topic == "unknown" else topic), count,
             count / shown if shown else None] for topic, count in report["by_topic"].items()]
    return Sheet("Per tema", ["Tema", "Svar vist", "Andel av svarene"], rows, {2: PERCENT})


def unanswered_sheet(report: dict[str, Any], entry_titles: dict[str, str]) -> Sheet:
    """«Ubesvart»: groups of similar unanswered questions, largest first, with the closest answer's title.

    A group of unanswered parts of questions whose other part was answered is marked as in the report.
    """
    rows = [[group["example"] + part_note(group), group["count"],
             entry_titles.get(group["suggested_entry"], group["suggested_entry"]) if group["suggested_entry"] else "",
             " · ".join(group["examples"])] for group in report["unanswered"]]
    return Sheet("Ubesvart", ["Spørsmål", "Antall", "Nærmeste svar (forslag)", "Slik ble det spurt"], rows)


def languages_sheet(report: dict[str, Any]) -> Sheet:
    """«Per språk»: inquiries per language, in words."""
    rows = [[LANGUAGES.get(lang, (lang, lang))[0] if lang != "unknown" else "ikke oppgitt", count]
            for lang, count in report["by_lang"].items()]
    return Sheet("Per språk", ["Språk", "Henvendelser"], rows)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "ja" if value else "nei"

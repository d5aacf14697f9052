"""The workbook's layout: sheet names, columns and their help, the row types and the errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.knowledge.model import ALL_LANGUAGES

ENTRIES_SHEET = "Oppføringer"
QUESTIONS_SHEET = "Spørsmål"
STATE_SHEET = "_naeringsbot"  # very hidden: each entry as exported, the base of the three-way merge
STATE_FORMAT = "naeringsbot-workbook-1"
CHUNK = 32000  # characters of the state's JSON per cell
EXCEL_CELL_LIMIT = 32767
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\.ya?ml")
# The order new keys take in an entry, as the shipped files write them.
ENTRY_ORDER = ("id", "topic", "owner", "review_by", "smalltalk", "decline", "title", "answer", "questions",
               "keywords", "related", "source", "as_of")
TRUE_WORDS = {"ja", "j", "yes", "y", "true", "sann", "x", "1"}
FALSE_WORDS = {"nei", "n", "no", "false", "usann", "0", "-"}


T = TypeVar("T")
Track = Callable[[Sequence[Any], str], Iterable[Any]]


def untracked(items: Sequence[T], label: str) -> Iterable[T]:
    """The default for ``track``: no progress shown."""
    return items


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    width: float
    help: str
    wrap: bool = False


ENTRY_COLUMNS = (
    Column("Fil", "file", 22, "Filen i knowledge/ oppføringen står i (file). En ny fil lages om navnet er nytt."),
    Column("ID", "id", 28, "Oppføringens id: små bokstaver og bindestrek, f.eks. establisher-guidance."),
    Column("Tema", "topic", 18, "Temaets id (topic), fra topics i kunnskapsbasen."),
    *(column for lang in ALL_LANGUAGES for column in (
        Column(f"Tittel {lang}", f"title.{lang}", 34, f"Tittelen på {lang} (title.{lang}).", wrap=True),
        Column(f"Svar {lang}", f"answer.{lang}", 70, f"Svaret på {lang} (answer.{lang}).", wrap=True),
    )),
    Column("Kilde", "source", 30, "Hvor opplysningene kommer fra (source), vises under svaret. Kan stå tom.",
           wrap=True),
    Column("Kilde per dato", "as_of", 14, "Datoen for kilden (as_of), ÅÅÅÅ-MM-DD. Kan stå tom."),
    Column("Eier", "owner", 20, "Hvem som holder oppføringen oppdatert (owner)."),
    Column("Revideres innen", "review_by", 15, "Datoen oppføringen skal være sjekket innen (review_by), ÅÅÅÅ-MM-DD."),
    Column("Relaterte", "related", 32, "Id-er til relaterte oppføringer (related), skilt med komma.", wrap=True),
    Column("Nøkkelord", "keywords", 48, "Nøkkelord (keywords), skilt med komma. Et ord med komma skrives i \"\".",
           wrap=True),
    Column("Småprat", "smalltalk", 10, "Småprat som hei og takk (smalltalk): SANN eller tom."),
    Column("Avvis", "decline", 10, "Spørsmål boten skal kjenne igjen og avvise (decline): SANN eller tom."),
)
QUESTION_COLUMNS = (
    Column("ID", "id", 28, "Id-en til oppføringen spørsmålet hører til (fra arket Oppføringer)."),
    Column("Språk", "lang", 8, "nb, nn eller en."),
    Column("Spørsmål", "question", 90, "En annen måte å stille spørsmålet på (questions).", wrap=True),
)


@dataclass(frozen=True)
class SheetProblem:
    """A problem in the workbook, printed as ``Sheet!C14: what is wrong — what to do``."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.sheet}: {self.message}"
        return f"{self.sheet}!{self.column or ''}{self.row}: {self.message}"


class WorkbookError(Exception):
    """The workbook cannot be written or read at all; the message says why and what to do."""


@dataclass
class EntryRow:
    """One entry as the workbook shows it (texts stripped, lists as lists)."""

    file: str
    id: str
    topic: str
    owner: str
    review_by: str  # ISO date
    title: dict[str, str]
    answer: dict[str, str]
    questions: dict[str, list[str]]
    keywords: list[str]
    related: list[str]
    smalltalk: bool = False
    decline: bool = False
    source: str = ""
    as_of: str = ""  # ISO date or empty
    row: int = 0  # in the Oppføringer sheet; 0 for entries read from YAML


Fields = dict[str, Any]

"""The knowledge base's YAML read the way the workbook shows it: entries as rows, rows as flat fields, comma lists."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.knowledge.model import ALL_LANGUAGES, knowledge_files
from bot.learning import yamledit
from bot.learning.workbook.layout import (
    EntryRow,
    Fields,
    Track,
    WorkbookError,
)


def _text(value: Any) -> str:
    return "" if value is None else str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _iso(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text(value)


def _texts(value: Any) -> list[str]:
    return [_text(item) for item in value] if isinstance(value, list) else []


def row_of(entry: Any, file_name: str) -> EntryRow:
    """An entry of a YAML file as a workbook row."""
    title = entry.get("title") or {}
    answer = entry.get("answer") or {}
    questions = entry.get("questions") or {}
    return EntryRow(
        file=file_name,
        id=_text(entry.get("id")),
        topic=_text(entry.get("topic")),
        owner=_text(entry.get("owner")),
        review_by=_iso(entry.get("review_by")),
        title={lang: _text(title.get(lang)) for lang in ALL_LANGUAGES},
        answer={lang: _text(answer.get(lang)) for lang in ALL_LANGUAGES},
        questions={lang: _texts(questions.get(lang)) for lang in ALL_LANGUAGES},
        keywords=_texts(entry.get("keywords")),
        related=_texts(entry.get("related")),
        smalltalk=bool(entry.get("smalltalk")),
        decline=bool(entry.get("decline")),
        source=_text(entry.get("source")),
        as_of=_iso(entry.get("as_of")),
    )


@dataclass
class _File:
    path: Path
    before: str | None  # None: a file the import creates
    document: Any

    @property
    def entries(self) -> CommentedSeq:
        if self.document.get("entries") is None:
            self.document["entries"] = CommentedSeq()
        entries: CommentedSeq = self.document["entries"]
        return entries


def _read_files(directory: Path, track: Track) -> dict[str, _File]:
    files: dict[str, _File] = {}
    for path in track([path for path in knowledge_files(directory) if path.is_file()], "Reading the knowledge base"):
        text = path.read_text("utf-8")
        try:
            document = yamledit.round_trip().load(text)
        except Exception as error:  # ruamel's YAMLError and its relatives
            raise WorkbookError(f"{path}: cannot be read as YAML ({error}) — fix it first "
                                "('naeringsbot kb check' names the line)") from error
        files[path.name] = _File(path, text, document if document is not None else CommentedMap())
    return files


def _entries(files: dict[str, _File]) -> Iterable[tuple[str, CommentedMap]]:
    for name, file in files.items():
        for entry in file.document.get("entries") or [] if isinstance(file.document, dict) else []:
            if isinstance(entry, CommentedMap):
                yield name, entry


def fields(row: EntryRow) -> Fields:
    """A row as flat fields (``title.nb``, ``questions.en`` …), what the merge compares one by one."""
    flat: Fields = {key: getattr(row, key) for key in ("file", "topic", "owner", "review_by", "smalltalk", "decline",
                                                         "source", "as_of", "keywords", "related")}
    for lang in ALL_LANGUAGES:
        flat[f"title.{lang}"] = row.title[lang]
        flat[f"answer.{lang}"] = row.answer[lang]
        flat[f"questions.{lang}"] = row.questions[lang]
    return flat


def from_fields(entry_id: str, flat: Fields) -> EntryRow:
    return EntryRow(
        file=flat["file"], id=entry_id, topic=flat["topic"], owner=flat["owner"], review_by=flat["review_by"],
        title={lang: flat[f"title.{lang}"] for lang in ALL_LANGUAGES},
        answer={lang: flat[f"answer.{lang}"] for lang in ALL_LANGUAGES},
        questions={lang: list(flat[f"questions.{lang}"]) for lang in ALL_LANGUAGES},
        keywords=list(flat["keywords"]), related=list(flat["related"]), smalltalk=flat["smalltalk"],
        decline=flat["decline"], source=flat["source"], as_of=flat["as_of"],
    )


def comma_list(items: Sequence[str]) -> str:
    """``a, b, "c, d"``: items joined by commas, an item that holds a comma or quote in quotes."""
    def quoted(item: str) -> str:
        return '"' + item.replace('"', '""') + '"' if any(c in item for c in ',"') else item

    return ", ".join(quoted(item) for item in items)


def split_comma_list(text: str) -> list[str]:
    if not text.strip():
        return []
    items = next(csv.reader([text.replace("\n", " ")], skipinitialspace=True))
    return [item.strip() for item in items if item.strip()]

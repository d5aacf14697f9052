"""Editing the knowledge-base files people maintain by hand, keeping them as they wrote them.

ruamel.yaml's round trip keeps comments, key order, quoting and flow lists; the settings are the
ones that leave this project's files byte-for-byte unchanged when nothing is edited.
"""

from __future__ import annotations

import difflib
import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString


class EditError(Exception):
    """The edit cannot be made; the message says why and what to do."""


def round_trip() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def load(path: Path) -> Any:
    return round_trip().load(path.read_text("utf-8"))


def dump(document: Any) -> str:
    buffer = io.StringIO()
    round_trip().dump(document, buffer)
    return buffer.getvalue()


def find_entry(document: Any, entry_id: str) -> CommentedMap | None:
    for entry in (document or {}).get("entries") or []:
        if isinstance(entry, CommentedMap) and entry.get("id") == entry_id:
            return entry
    return None


def entry_file(directory: Path, entry_id: str) -> Path:
    """The file of the knowledge base that holds ``entry_id``."""
    for path in sorted(directory.glob("*.yaml")):
        if path.is_file() and find_entry(load(path), entry_id) is not None:
            return path
    raise EditError(f"no entry '{entry_id}' in {directory} — check the id with 'naeringsbot kb check'")


def _append(sequence: CommentedSeq, value: str) -> None:
    """Append after the last item, keeping a comment that follows the list where it was."""
    trailing = sequence.ca.items.pop(len(sequence) - 1, None) if len(sequence) else None
    sequence.append(DoubleQuotedScalarString(value))
    if trailing is not None:
        sequence.ca.items[len(sequence) - 1] = trailing


def with_question(text: str, entry_id: str, lang: str, source: str) -> str:
    """``source`` (a file's text) with ``text`` added to the entry's alternate questions in ``lang``."""
    document = round_trip().load(source)
    entry = find_entry(document, entry_id)
    if entry is None:
        raise EditError(f"no entry '{entry_id}' in this file")
    questions = entry.setdefault("questions", CommentedMap())
    if lang not in questions or questions[lang] is None:
        questions[lang] = CommentedSeq()
    if any(str(existing).strip().casefold() == text.strip().casefold() for existing in questions[lang]):
        raise EditError(f"'{text}' is already an alternate question of {entry_id} ({lang})")
    _append(questions[lang], text)
    return dump(document)


def without_question(text: str, entry_id: str, lang: str, source: str) -> str:
    """``source`` with ``text`` taken out of the entry's alternate questions in ``lang``."""
    document = round_trip().load(source)
    entry = find_entry(document, entry_id)
    questions: Any = entry.get("questions") if entry is not None else None
    items: Any = (questions or {}).get(lang) or []
    for index, existing in enumerate(items):
        if str(existing) == text:
            del items[index]
            return dump(document)
    raise EditError(f"'{text}' is not an alternate question of {entry_id} ({lang}) any more")


def diff(before: str, after: str, name: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"a/{name}", f"b/{name}"))

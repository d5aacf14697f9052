"""The three-way merge of an entry, and applying a row to its YAML so comments, order and quoting stay."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)
from ruamel.yaml.tokens import CommentToken

from bot.knowledge.model import ALL_LANGUAGES
from bot.learning.workbook.layout import (
    ENTRY_ORDER,
    EntryRow,
    Fields,
)
from bot.learning.workbook.rows import (
    _text,
)


def _merged_list(base: list[str], ours: list[str], theirs: list[str]) -> list[str]:
    """The YAML's list with the workbook's removals and additions (new items at the end)."""
    removed = [item for item in base if item not in theirs]
    kept = [item for item in ours if item not in removed]
    return kept + [item for item in theirs if item not in base and item not in kept]


def merge(base: Fields, ours: Fields, theirs: Fields) -> tuple[Fields, list[str]]:
    """Three-way merge of one entry: the fields to write, and those changed differently on both sides.

    A conflicting field takes the workbook's value (the caller refuses it unless forced).
    """
    merged: Fields = {}
    conflicts = []
    for key, mine in theirs.items():
        then, now = base.get(key, mine), ours[key]
        if mine in (then, now):
            merged[key] = now
        elif now == then:
            merged[key] = mine
        elif isinstance(mine, list):
            merged[key] = _merged_list(list(then or []), list(now or []), mine)
        else:
            merged[key] = mine
            conflicts.append(key)
    return merged, conflicts


def _styled(text: str, old: Any, default: Callable[[str], Any] = DoubleQuotedScalarString) -> Any:
    """``text`` written the way ``old`` was (block, quotes), or the house style for a new text."""
    ends = "\n" if old is None or str(old).endswith("\n") else ""
    if isinstance(old, FoldedScalarString) and "\n" not in text:
        return FoldedScalarString(text + ends)
    if isinstance(old, LiteralScalarString | FoldedScalarString) or "\n" in text:
        return LiteralScalarString(text + ends)
    if isinstance(old, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(text)
    if isinstance(old, SingleQuotedScalarString):
        return SingleQuotedScalarString(text)
    if old is not None:
        return text
    return default(text)


def _plain(text: str) -> str:
    return text


def _item_style(sequence: Sequence[Any], default: Callable[[str], Any]) -> Callable[[str], Any]:
    """How a new item of ``sequence`` is written: like the items already there."""
    for item in sequence:
        if isinstance(item, DoubleQuotedScalarString):
            return DoubleQuotedScalarString
        if isinstance(item, SingleQuotedScalarString):
            return SingleQuotedScalarString
        return _plain
    return default


def _position(keys: list[Any], key: str, order: Sequence[str]) -> int:
    """Where ``key`` goes among ``keys``: after the last one that comes before it in ``order``."""
    rank = order.index(key) if key in order else len(order)
    position = 0
    for index, existing in enumerate(keys):
        if existing in order and order.index(existing) < rank:
            position = index + 1
    return position


def _width(value: Any) -> int | None:
    """How wide ``value`` is written on its line (None for a block, which no end-of-line comment follows)."""
    if isinstance(value, LiteralScalarString | FoldedScalarString | CommentedMap | CommentedSeq):
        return None
    if isinstance(value, bool):
        return len(str(value).lower())
    return len(str(value))


def _shifted(comments: Any, position: int, old: Any, new: Any) -> None:
    """Keep the gap before an end-of-line comment when the value before it gets longer or shorter."""
    if not (isinstance(comments, list) and len(comments) > position and isinstance(comments[position], CommentToken)):
        return
    token: CommentToken = comments[position]
    before, after = _width(old), _width(new)
    if before is None or after is None or token.start_mark is None or not token.value.startswith("#"):
        return
    column = max(0, token.start_mark.column + after - before)
    comments[position] = CommentToken(token.value, CommentMark(column), None)


def _set_key(mapping: CommentedMap, key: str, value: Any, order: Sequence[str]) -> None:
    """Set ``key`` (None removes it); a new key goes where ``order`` puts it."""
    if value is None:
        if key in mapping:
            del mapping[key]
            mapping.ca.items.pop(key, None)
    elif key in mapping:
        _shifted(mapping.ca.items.get(key), 2, mapping[key], value)
        mapping[key] = value
    else:
        mapping.insert(_position(list(mapping.keys()), key, order), key, value)


def _item_comment(sequence: CommentedSeq, index: int) -> tuple[CommentToken, str, str] | None:
    """The comment after item ``index``: (its token, the item's own end-of-line comment, the lines after it)."""
    comment = sequence.ca.items.get(index)
    if not (isinstance(comment, list) and comment and isinstance(comment[0], CommentToken)
            and all(part is None for part in comment[1:])):
        return None
    token: CommentToken = comment[0]
    value = token.value
    if value.startswith("#"):
        own, _, rest = value.partition("\n")
        return token, own + "\n", rest
    return token, "", value[1:] if value.startswith("\n") else value


def _put_comment(sequence: CommentedSeq, index: int, token: CommentToken, own: str, rest: str) -> None:
    if not own and not rest:
        sequence.ca.items.pop(index, None)
        return
    value = own + rest if own else "\n" + rest
    sequence.ca.items[index] = [CommentToken(value, token.start_mark, token.end_mark), None, None, None]


def _delete_item(sequence: CommentedSeq, index: int) -> None:
    """Delete an item; comment lines that followed it stay, after the item before it."""
    found = _item_comment(sequence, index)
    del sequence[index]
    if found is None or not found[2] or index == 0:
        return
    previous = _item_comment(sequence, index - 1)
    if previous is not None:
        _put_comment(sequence, index - 1, previous[0], previous[1], previous[2] + found[2])
    elif index - 1 not in sequence.ca.items:
        _put_comment(sequence, index - 1, found[0], "", found[2])


def _edit_list(sequence: CommentedSeq, new: list[str], make: Callable[[str], Any]) -> None:
    """Make ``sequence`` hold ``new`` with the fewest edits, keeping the comments where they belong.

    A reworded item keeps its end-of-line comment; the comment lines after the last item (often the
    ones that introduce the next key) stay after the list.
    """
    old = [_text(item) for item in sequence]
    if old == new:
        return
    tail: tuple[CommentToken, str] | None = None
    found = _item_comment(sequence, len(sequence) - 1) if sequence else None
    if found is not None and found[2]:
        _put_comment(sequence, len(sequence) - 1, found[0], found[1], "")
        tail = found[0], found[2]
    for tag, i1, i2, j1, j2 in reversed(SequenceMatcher(None, old, new, autojunk=False).get_opcodes()):
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        for offset in range(paired):
            value = make(new[j1 + offset])
            _shifted(sequence.ca.items.get(i1 + offset), 0, sequence[i1 + offset], value)
            sequence[i1 + offset] = value
        for index in reversed(range(i1 + paired, i2)):
            _delete_item(sequence, index)
        for offset, text in enumerate(new[j1 + paired:j2]):
            sequence.insert(i1 + paired + offset, make(text))
    if tail is not None and sequence:
        end = len(sequence) - 1
        found = _item_comment(sequence, end)
        if found is not None:
            _put_comment(sequence, end, found[0], found[1], found[2] + tail[1])
        elif end not in sequence.ca.items:
            _put_comment(sequence, end, tail[0], "", tail[1])


def _new_list(items: list[str], make: Callable[[str], Any], flow: bool) -> CommentedSeq:
    sequence = CommentedSeq([make(item) for item in items])
    if flow:
        sequence.fa.set_flow_style()
    return sequence


def _date_value(iso: str) -> dt.date | int | None:
    if re.fullmatch(r"\d{4}", iso):
        return int(iso)
    return dt.date.fromisoformat(iso) if iso else None


def apply_row(entry: CommentedMap, row: EntryRow, old: EntryRow) -> list[str]:
    """Edit ``entry`` (whose current state is ``old``) to match ``row``; the names of what changed."""
    changed: list[str] = []
    for key in ("id", "topic", "owner"):
        if getattr(row, key) != getattr(old, key):
            _set_key(entry, key, _styled(getattr(row, key), entry.get(key), _plain), ENTRY_ORDER)
            changed.append(key)
    if row.review_by != old.review_by:
        _set_key(entry, "review_by", _date_value(row.review_by), ENTRY_ORDER)
        changed.append("review_by")
    if row.as_of != old.as_of:
        _set_key(entry, "as_of", _date_value(row.as_of), ENTRY_ORDER)
        changed.append("as_of")
    for key in ("smalltalk", "decline"):
        if getattr(row, key) != getattr(old, key):
            _set_key(entry, key, getattr(row, key), ENTRY_ORDER)
            changed.append(key)
    if row.source != old.source:
        _set_key(entry, "source", _styled(row.source, entry.get("source")) if row.source else None, ENTRY_ORDER)
        changed.append("source")
    for key in ("title", "answer"):
        texts = entry.get(key)
        if not isinstance(texts, CommentedMap):
            texts = CommentedMap()
            _set_key(entry, key, texts, ENTRY_ORDER)
        for lang in ALL_LANGUAGES:
            new, before = getattr(row, key)[lang], getattr(old, key)[lang]
            if new != before:
                _set_key(texts, lang, _styled(new, texts.get(lang)) if new else None, ALL_LANGUAGES)
                changed.append(f"{key} {lang}")
    questions = entry.get("questions")
    if not isinstance(questions, CommentedMap):
        questions = CommentedMap()
        _set_key(entry, "questions", questions, ENTRY_ORDER)
    for lang in ALL_LANGUAGES:
        new, before = row.questions[lang], old.questions[lang]
        if new == before:
            continue
        current = questions.get(lang)
        if not new:
            _set_key(questions, lang, None, ALL_LANGUAGES)
        elif isinstance(current, CommentedSeq):
            _edit_list(current, new, _item_style(current, DoubleQuotedScalarString))
        else:
            _set_key(questions, lang, _new_list(new, DoubleQuotedScalarString, flow=False), ALL_LANGUAGES)
        added, removed = len(set(new) - set(before)), len(set(before) - set(new))
        changed.append(f"questions {lang} (+{added} −{removed})")
    for key, default in (("keywords", DoubleQuotedScalarString), ("related", _plain)):
        new, before = getattr(row, key), getattr(old, key)
        if new == before:
            continue
        current = entry.get(key)
        if isinstance(current, CommentedSeq):
            _edit_list(current, new, _item_style(current, default))
        elif new:
            _set_key(entry, key, _new_list(new, default, flow=True), ENTRY_ORDER)
        changed.append(key)
    return changed


def new_entry(row: EntryRow) -> CommentedMap:
    entry = CommentedMap()
    entry["id"] = row.id
    blank = EntryRow(file=row.file, id=row.id, topic="", owner="", review_by="",
                     title=dict.fromkeys(ALL_LANGUAGES, ""), answer=dict.fromkeys(ALL_LANGUAGES, ""),
                     questions={lang: [] for lang in ALL_LANGUAGES}, keywords=[], related=[])
    apply_row(entry, row, blank)
    return entry

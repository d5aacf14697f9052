"""``kb import``: planning the edits a workbook brings, checking they load, and writing the files."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.tokens import CommentToken

from bot.knowledge.model import DEFAULT_MAX_FILE_BYTES, knowledge_files, read_knowledge
from bot.learning import yamledit
from bot.learning.workbook.layout import (
    ENTRIES_SHEET,
    ENTRY_COLUMNS,
    EntryRow,
    Track,
    untracked,
)
from bot.learning.workbook.merge import apply_row, merge, new_entry
from bot.learning.workbook.read import WorkbookRead, read_workbook
from bot.learning.workbook.rows import (
    _entries,
    _File,
    _read_files,
    _text,
    comma_list,
    fields,
    from_fields,
    row_of,
)


@dataclass
class ImportPlan:
    """What an import would write: each changed file's text before and after, and why."""

    directory: Path
    changes: dict[Path, tuple[str | None, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def diff(self) -> str:
        return "".join(yamledit.diff(before or "", after, path.name) for path, (before, after) in self.changes.items())


def plan_import(
    workbook: Path,
    directory: Path,
    languages: Sequence[str] = ("nb", "en"),
    required_ids: Sequence[str] = (),
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    force: bool = False,
    track: Track = untracked,
) -> ImportPlan:
    """Work out the edits that bring the workbook's changes into ``directory``, and check the result loads.

    ``force`` lets the workbook win where the same field was also changed in the YAML after the export.
    """
    plan = ImportPlan(directory)
    files = _read_files(directory, track)
    topics = [_text(topic.get("id")) for file in files.values() if isinstance(file.document, dict)
              for topic in file.document.get("topics") or [] if isinstance(topic, dict)]
    current = {_text(entry.get("id")): (name, entry) for name, entry in _entries(files)}
    read = read_workbook(workbook, languages, topics, current)
    rows, exported = read.rows, read.exported
    plan.problems = [str(problem) for problem in read.problems]
    if plan.problems:
        return plan
    base = exported if exported is not None else {}
    since = "after the export"

    wanted = {row.id for row in rows}
    for entry_id, (name, entry) in current.items():
        if entry_id in wanted:
            continue
        if exported is not None and entry_id not in exported:
            plan.notes.append(f"kept {entry_id} in {name} (added to the file {since})")
            continue
        _remove(files[name].entries, entry)
        plan.notes.append(f"removed {entry_id} from {name} (its row is gone)")
    new_ids: dict[str, list[str]] = {}
    for row in track(rows, f"Comparing {workbook.name}"):
        where = f"{ENTRIES_SHEET}!{read.letters['id']}{row.row}"
        theirs = fields(row)
        if row.id not in current:
            if row.id in base and not force:
                if theirs == base[row.id]:
                    plan.notes.append(f"left out {row.id} (removed from {base[row.id]['file']} {since})")
                else:
                    plan.problems.append(f"{where}: entry '{row.id}' was removed from the YAML files {since}, "
                                         "but its row was edited — delete the row, or import with --force to "
                                         "add the entry back")
                continue
            target = _target(files, directory, row.file)
            target.entries.append(new_entry(row))
            new_ids.setdefault(row.file, []).append(row.id)
            plan.notes.append(f"added {row.id} to {row.file}")
            continue
        name, entry = current[row.id]
        ours = fields(row_of(entry, name))
        if exported is not None and row.id not in exported and not force and theirs != ours:
            plan.problems.append(f"{where}: id '{row.id}' was also added to {name} {since} — give your entry "
                                 "another id, or import with --force to overwrite that one")
            continue
        merged, conflicts = merge(base.get(row.id, ours), ours, theirs)
        if conflicts and not force:
            plan.problems += [_conflict(read, row, key, ours[key], name, workbook) for key in conflicts]
            continue
        wanted_row = from_fields(row.id, merged)
        if wanted_row.file != name:
            _remove(files[name].entries, entry)
            _target(files, directory, wanted_row.file).entries.append(entry)
            new_ids.setdefault(wanted_row.file, []).append(row.id)
            plan.notes.append(f"moved {row.id} from {name} to {wanted_row.file}")
        changed = apply_row(entry, wanted_row, row_of(entry, name))
        if changed:
            plan.notes.append(f"changed {row.id} in {wanted_row.file}: {', '.join(changed)}")
    if plan.problems:
        return plan

    for name, file in files.items():
        after = _separated(yamledit.dump(file.document), file.before, new_ids.get(name, []))
        if after != file.before:
            plan.changes[file.path] = (file.before, after)
    plan.problems += _would_not_load(plan, directory, languages, required_ids, max_bytes)
    return plan


def _target(files: dict[str, _File], directory: Path, name: str) -> _File:
    if name not in files:
        files[name] = _File(directory / name, None, CommentedMap([("entries", CommentedSeq())]))
    return files[name]


def _conflict(read: WorkbookRead, row: EntryRow, key: str, now: Any, file_name: str, workbook: Path) -> str:
    header = next(column.header for column in ENTRY_COLUMNS if column.key == key)
    shown = comma_list(now) if isinstance(now, list) else str(now)
    shown = shown if len(shown) <= 60 else shown[:57] + "…"
    return (f"{ENTRIES_SHEET}!{read.letters.get(key, '')}{row.row}: '{header}' of '{row.id}' was also changed in "
            f"{file_name} after {workbook.name} was exported (it is now «{shown}») — to keep the file's value, "
            "put it in the cell; to keep yours, import with --force")


def _remove(sequence: CommentedSeq, item: Any) -> None:
    """Take ``item`` out of ``sequence`` with the comments after it (``list.remove`` leaves them behind).

    The blank line that set off the next item goes too when that item becomes the first.
    """
    index = next(index for index, existing in enumerate(sequence) if existing is item)
    del sequence[index]
    comment = sequence.ca.items.get(0) if index == 0 else None
    if isinstance(comment, list) and len(comment) > 1 and isinstance(comment[1], list) \
            and all(isinstance(token, CommentToken) and not token.value.strip() for token in comment[1]):
        comment[1] = None
        if all(part is None for part in comment):
            sequence.ca.items.pop(0)


def _separated(text: str, before: str | None, entry_ids: list[str]) -> str:
    """A blank line before each added entry, when the file separates its entries that way."""
    if not entry_ids or (before is not None and not re.search(r"\n\s*\n[ ]*- id:", before)):
        return text
    lines = text.split("\n")
    for entry_id in entry_ids:
        pattern = re.compile(rf"[ ]*- id: ['\"]?{re.escape(entry_id)}['\"]?[ ]*")
        for index, line in enumerate(lines):
            if pattern.fullmatch(line) and index > 0 and lines[index - 1].strip() \
                    and not lines[index - 1].rstrip().endswith(":"):
                lines.insert(index, "")
                break
    return "\n".join(lines)


def _would_not_load(plan: ImportPlan, directory: Path, languages: Sequence[str], required_ids: Sequence[str],
                    max_bytes: int) -> list[str]:
    """The loader's errors for the files as the import would leave them (tried in a temporary copy)."""
    with tempfile.TemporaryDirectory(prefix="naeringsbot-import-") as temporary:
        copy = Path(temporary)
        for path in knowledge_files(directory):
            if path.is_file():
                shutil.copy2(path, copy / path.name)
        for path, (_before, after) in plan.changes.items():
            (copy / path.name).write_text(after, "utf-8")
        base, problems = read_knowledge(copy, max_bytes, languages)
        errors = [str(problem).replace(str(copy), str(directory)) for problem in problems
                  if problem.severity == "error"]
    errors += [f"{ENTRIES_SHEET}: required entry '{entry_id}' is missing — reports and test questions refer to it "
               "(knowledge.required_ids in config); add its row back"
               for entry_id in required_ids if not errors and entry_id not in base.entries]
    return errors


def write_plan(plan: ImportPlan) -> None:
    """Write the changed files, each replaced at once so the running bot never reads half a file."""
    for path, (_before, after) in plan.changes.items():
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp", delete=False, newline="") as handle:
            handle.write(after)
            temporary = Path(handle.name)
        try:
            if path.exists():
                shutil.copymode(path, temporary)
            else:
                os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)

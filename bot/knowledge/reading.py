"""Reading one knowledge file: everything that keeps it from parsing, each with the hint that fits.

The parser's own words ("mapping values are not allowed in this context") mean nothing to an
editor, so the usual slips are recognised from the error and the line it points at: a tab in the
indentation, a colon inside an unquoted text, a missing dash or a line indented differently, an
unclosed quote or bracket, a key written twice, a file not saved as UTF-8.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.knowledge.files import YamlDocument, YamlSyntaxError, duplicate_keys, parse_yaml
from bot.knowledge.problems import Message, Problem, problem

# "  - answer: text" → indentation and dash, the key, the rest of the line
_KEY_LINE = re.compile(r"^(?P<lead>\s*(?:-\s+)?)(?P<key>[^\s:#'\"\[{][^:#]*?):[ \t]+(?P<value>.*?)\s*$")
MAX_TAB_LINES = 5


def read_document(path: Path, max_bytes: int) -> tuple[YamlDocument | None, list[Problem]]:
    """The parsed file, or None and what stopped it; warnings may come with a parsed file too."""
    try:
        if path.is_dir():
            return None, [problem(path, 1, "is_folder")]
        size = path.stat().st_size
        if size > max_bytes:
            return None, [problem(path, 1, "too_big", size=(size + 1023) // 1024, limit=max_bytes // 1024)]
        raw = path.read_bytes()
    except OSError as error:
        return None, [problem(path, 1, "unreadable", reason=error.strerror or str(error))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        return None, [problem(path, raw[: error.start].count(b"\n") + 1, "not_utf8",
                              column=len(raw[line_start: error.start].decode("utf-8", "replace")) + 1)]
    lines = text.splitlines()
    tabs = _tab_lines(lines)
    try:
        document = parse_yaml(path, text)
    except YamlSyntaxError as error:
        return None, _syntax_problems(path, lines, error, tabs)
    duplicates = [problem(path, duplicate.line, "yaml_duplicate_key", key=duplicate.key, first=duplicate.first_line,
                          new_item=Message.of("yaml_duplicate_new_item") if duplicate.key == "id" else "")
                  for duplicate in duplicate_keys(document.root)]
    if duplicates:
        return None, duplicates
    return document, [problem(path, line, "yaml_tab", severity="warning", line=line, column=column)
                      for line, column in tabs[:MAX_TAB_LINES]]


def _tab_lines(lines: list[str]) -> list[tuple[int, int]]:
    """``(line, column)`` of each tab in a line's indentation, found before parsing."""
    found = []
    for number, line in enumerate(lines, start=1):
        indentation = line[: len(line) - len(line.lstrip(" \t-"))]
        if "\t" in indentation:
            found.append((number, indentation.index("\t") + 1))
    return found


def _syntax_problems(path: Path, lines: list[str], error: YamlSyntaxError,
                     tabs: list[tuple[int, int]]) -> list[Problem]:
    """The tabs in the indentation, when there are any, then the hint for the parser's error
    unless a tab is what it stumbled on."""
    found = [problem(path, line, "yaml_tab", line=line, column=column) for line, column in tabs[:MAX_TAB_LINES]]
    if "tab" in error.problem or any(line in (error.line, error.context_line) for line, _ in tabs):
        return found
    line, message = _hint(lines, error)
    if message.key == "yaml_indent_mismatch" and dict(message.values)["column"] == dict(message.values)["expected"]:
        message = Message.of("yaml_other", column=error.column, problem=error.problem)  # not the indentation, then
    return sorted([*found, Problem.of(path, line, message)], key=lambda found: found.line)


def _hint(lines: list[str], error: YamlSyntaxError) -> tuple[int, Message]:
    """The line to fix and what to do there, from where the parser stopped and why."""
    line, column = error.line, error.column
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    mismatch = Message.of("yaml_indent_mismatch", column=_indent(text) + 1, expected=_indent_above(lines, line) + 1)
    unclosed = _unclosed_quote(lines, line)
    if unclosed and ("expected key" in error.problem or "expected ':'" in error.problem):
        number, quote = unclosed
        return number, Message.of("yaml_unclosed_quote", start=number, quote=quote)
    if "mapping values are not allowed" in error.problem:
        match = _KEY_LINE.match(text)
        if match and match.end("key") < column - 1:
            return line, Message.of("yaml_colon", column=column, quoted=_quoted(match["key"], match["value"]))
        return line, Message.of("yaml_indented_more", column=_indent(text) + 1, expected=_indent_above(lines, line) + 1)
    if "expected '-' indicator" in error.problem:
        dash = error.context_column
        if _indent(text) + 1 == dash:
            return line, Message.of("yaml_missing_dash", expected=dash + 2)
        return line, mismatch
    if "did not find expected key" in error.problem:
        match = _KEY_LINE.match(text)
        if match and column - 1 > _indent(text) and match["value"][:1] in ("'", '"'):
            quoted = _quoted(match["key"], match["value"])
            return line, Message.of("yaml_text_after_quote", column=column, quoted=quoted)
        if text.lstrip().startswith("- "):
            mismatch = Message.of("yaml_indent_mismatch", column=_indent(text) + 1, expected=_item_above(lines, line))
        return line, mismatch
    if "could not find expected ':'" in error.problem and error.context_line:
        return error.context_line, Message.of("yaml_list_item")
    if "quoted scalar" in error.context and error.context_line:
        opened = lines[error.context_line - 1][error.context_column - 1: error.context_column] or '"'
        return error.context_line, Message.of("yaml_unclosed_quote", start=error.context_line, quote=opened)
    if "flow sequence" in error.context or "flow mapping" in error.context:
        bracket = "[" if "sequence" in error.context else "{"
        return (error.context_line or line), Message.of("yaml_unclosed_bracket", bracket=bracket,
                                                        closer="]" if bracket == "[" else "}",
                                                        start=error.context_line or line)
    return line, Message.of("yaml_other", column=column, problem=error.problem)


def _unclosed_quote(lines: list[str], line: int) -> tuple[int, str] | None:
    """The line just above ``line`` whose text opens a quote it does not close, and that quote."""
    for number in range(line - 1, max(line - 4, 0), -1):
        match = _KEY_LINE.match(lines[number - 1])
        value = match["value"] if match else lines[number - 1].strip().lstrip("- ")
        quote = value[:1]
        if quote in ("'", '"') and value.replace("\\" + quote, "").count(quote) % 2 == 1:
            return number, quote
    return None


def _quoted(key: str, value: str) -> str:
    """``key: "value"``: double quotes, or single ones when the text holds double quotes itself."""
    if '"' in value:
        return f"{key}: '" + value.replace("'", "''") + "'"
    return f'{key}: "' + value.replace("\\", "\\\\") + '"'


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _item_above(lines: list[str], line: int) -> int:
    """The column of the dash of the list item above ``line``, which the next item must line up with."""
    for above in reversed(lines[: line - 1]):
        if above.lstrip().startswith("- "):
            return _indent(above) + 1
    return 1


def _indent_above(lines: list[str], line: int) -> int:
    """Where the content of the nearest line above starts (after its dash, for a list item)."""
    for above in reversed(lines[: line - 1]):
        stripped = above.strip()
        if stripped and not stripped.startswith("#"):
            return len(above) - len(above.lstrip(" -")) if stripped.startswith("- ") else _indent(above)
    return 0

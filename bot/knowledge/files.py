"""YAML loading that remembers line numbers, so validation errors can say ``file:line``.

Each file is parsed once: composed into a node tree (kept for the line numbers) and the data built
from that tree. libyaml's C loader (``yaml.CSafeLoader``, bundled with PyYAML's wheels) does it about
seven times faster than the pure-Python ``yaml.SafeLoader``, which is the fallback where PyYAML was
built without libyaml. Both give the same nodes, marks and data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: The fastest safe loader this PyYAML has: libyaml's when it was built with it.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlSyntaxError(ValueError):
    """A file that is not valid YAML; the message already starts with ``file:line:``.

    ``line`` and ``column`` (1-based) are where the parser gave up; ``context_line`` is where the
    construct it was reading began (an opening quote or bracket), 0 when it does not say.
    """

    def __init__(self, message: str, error: yaml.MarkedYAMLError) -> None:
        super().__init__(message)
        mark = error.problem_mark or error.context_mark
        self.line = mark.line + 1 if mark else 1
        self.column = mark.column + 1 if mark else 1
        self.problem = error.problem or str(error)
        self.context = error.context or ""
        context = error.context_mark
        self.context_line = context.line + 1 if context else 0
        self.context_column = context.column + 1 if context else 0


@dataclass(frozen=True)
class YamlDocument:
    """Parsed data plus the node tree it came from, to map a validation path to a line."""

    path: Path
    data: Any
    root: yaml.Node | None

    def line_of(self, location: Sequence[str | int]) -> int:
        """Line (1-based) of the deepest node that exists along ``location``."""
        node = self.root
        if node is None:
            return 1
        line = node.start_mark.line + 1
        for step in location:
            child = _child(node, step)
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line


def _child(node: yaml.Node, step: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return node.value[step]
    return None


def load_yaml(path: Path) -> YamlDocument:
    """Read ``path``; a syntax error becomes a :class:`YamlSyntaxError` naming file and line."""
    return parse_yaml(path, path.read_text(encoding="utf-8"))


def parse_yaml(path: Path, text: str) -> YamlDocument:
    """Parse ``text`` read from ``path``; a syntax error becomes a :class:`YamlSyntaxError`."""
    try:
        root, data = _parse(text)
    except yaml.MarkedYAMLError as error:
        failed = YamlSyntaxError("", error)
        raise YamlSyntaxError(
            f"{path}:{failed.line}: invalid YAML ({failed.problem}) — check indentation, colons and quotes", error
        ) from error
    return YamlDocument(path=path, data=data, root=root)


@dataclass(frozen=True)
class DuplicateKey:
    key: str
    line: int
    first_line: int


def duplicate_keys(root: yaml.Node | None) -> list[DuplicateKey]:
    """Keys written twice in one mapping: YAML keeps the last silently, so the first is lost.

    An ``id`` written twice means a new item that lost its dash, and every key after it repeats:
    that mapping then reports only the ``id``.
    """
    found: list[DuplicateKey] = []
    pending = [root] if root is not None else []
    while pending:
        node = pending.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            here: list[DuplicateKey] = []
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + 1
                    if key.value in seen:
                        here.append(DuplicateKey(key.value, line, seen[key.value]))
                    else:
                        seen[key.value] = line
                pending.append(value)
            found += [duplicate for duplicate in here if duplicate.key == "id"] or here
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
    return sorted(found, key=lambda duplicate: duplicate.line)


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree of ``text`` and the data built from it: one parse, not two."""
    loader = SAFE_LOADER(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return root, data

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
    """A file that is not valid YAML; the message already starts with ``file:line:``."""


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
    text = path.read_text(encoding="utf-8")
    try:
        root, data = _parse(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = error.problem or str(error)
        raise YamlSyntaxError(
            f"{path}:{line}: invalid YAML ({problem}) — check indentation, colons and quotes"
        ) from error
    return YamlDocument(path=path, data=data, root=root)


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree of ``text`` and the data built from it: one parse, not two."""
    loader = SAFE_LOADER(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return root, data

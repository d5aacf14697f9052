"""The spool file: inquiry-log rows the database refused, kept on disk until it accepts them.

A crash while the database is locked, read-only or full then loses nothing: the next start
writes the spooled rows first. The file holds redacted rows only and is created with mode 0600.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

QueuedRow = tuple[str, dict[str, Any]]


class Spool:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, kind: str, row: dict[str, Any]) -> bool:
        """Add one row durably; False when the disk refuses (the row then lives in memory only)."""
        try:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as file:
                file.write(json.dumps({"kind": kind, "row": row}, ensure_ascii=False) + "\n")
                file.flush()
                os.fsync(file.fileno())
        except OSError as error:
            logger.error("Could not spool a queued inquiry-log row to %s (%s)", self.path, error)
            return False
        return True

    def rewrite(self, rows: Iterable[QueuedRow]) -> bool:
        """Replace the file with ``rows`` (atomically); an empty queue removes it."""
        rows = list(rows)
        try:
            if not rows:
                self.path.unlink(missing_ok=True)
                return True
            temporary = self.path.with_suffix(".tmp")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                for kind, row in rows:
                    file.write(json.dumps({"kind": kind, "row": row}, ensure_ascii=False) + "\n")
                file.flush()
                os.fsync(file.fileno())
            temporary.replace(self.path)
        except OSError as error:
            logger.error("Could not rewrite the inquiry-log spool %s: %s", self.path, error)
            return False
        return True

    def load(self) -> list[QueuedRow]:
        """Rows a previous run queued but never wrote; a torn last line is skipped."""
        if not self.path.is_file():
            return []
        rows: list[QueuedRow] = []
        for line in self.path.read_text("utf-8").splitlines():
            try:
                item = json.loads(line)
                rows.append((str(item["kind"]), dict(item["row"])))
            except (ValueError, KeyError, TypeError):
                logger.error("Skipping an unreadable line in the inquiry-log spool %s", self.path)
        if rows:
            logger.warning("Found %d inquiry-log rows spooled by an earlier run", len(rows))
        return rows

"""Hot reload of the knowledge base: the new one replaces the old only when it is valid."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.config import MatchingSettings
from bot.engine import AnswerEngine
from bot.knowledge.model import KnowledgeBaseError, Problem, knowledge_files, load_knowledge

logger = logging.getLogger(__name__)

Stamp = tuple[tuple[str, int, int], ...]


def _stamp(directory: Path) -> Stamp:
    files = []
    for path in knowledge_files(directory):
        try:
            status = path.stat()
        except OSError:
            continue
        files.append((path.name, status.st_mtime_ns, status.st_size))
    return tuple(files)


class EngineHolder:
    """The current answer engine; handlers read ``holder.engine`` on every message."""

    def __init__(self, directory: Path, settings: MatchingSettings, max_file_kb: int = 2048) -> None:
        self.directory = directory
        self.settings = settings
        self.max_bytes = max_file_kb * 1024
        self._stamp = _stamp(directory)
        self.engine = AnswerEngine(load_knowledge(directory, self.max_bytes), settings)

    def reload(self) -> list[Problem]:
        """Load the knowledge base again; on errors keep the running one and return the errors."""
        stamp = _stamp(self.directory)
        try:
            knowledge = load_knowledge(self.directory, self.max_bytes)
        except KnowledgeBaseError as error:
            self._stamp = stamp
            logger.warning("Knowledge base not reloaded, keeping the previous one:\n%s", error)
            return error.problems
        self.engine = AnswerEngine(knowledge, self.settings)
        self._stamp = stamp
        logger.info("Knowledge base reloaded: %d entries", len(knowledge))
        return []

    def reload_if_changed(self) -> list[Problem] | None:
        """Reload when a file was added, removed or edited; None when nothing changed."""
        if _stamp(self.directory) == self._stamp:
            return None
        return self.reload()

"""Hot reload of the knowledge base: the new one replaces the old only when it is valid."""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from bot.config import MatchingSettings
from bot.engine import AnswerEngine
from bot.knowledge.model import KnowledgeBase, KnowledgeBaseError, Problem, knowledge_files, load_knowledge

logger = logging.getLogger(__name__)

Stamp = tuple[tuple[str, int, int], ...]


def build_engine(knowledge: KnowledgeBase, settings: MatchingSettings) -> AnswerEngine:
    """The answer engine over ``knowledge``, its long-lived objects then out of the cyclic collector's view.

    A matcher is hundreds of thousands of objects that live until the next reload. Left to the
    collector, every full collection walks all of them while a message waits (tens of ms at
    10,000 alternate questions); frozen, they are still freed by reference counting when the
    engine is replaced (nothing in it refers back to itself), and only new objects are collected.
    """
    engine = AnswerEngine(knowledge, settings)
    # Everything frozen before (the previous engine included) is looked at once more, so what has
    # become cyclic garbage since then goes now, with what the build threw away; then freeze again.
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return engine


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
        self.engine = build_engine(load_knowledge(directory, self.max_bytes), settings)

    def reload(self) -> list[Problem]:
        """Load the knowledge base again; on errors keep the running one and return the errors."""
        stamp = _stamp(self.directory)
        try:
            knowledge = load_knowledge(self.directory, self.max_bytes)
        except KnowledgeBaseError as error:
            self._stamp = stamp
            logger.warning("Knowledge base not reloaded, keeping the previous one:\n%s", error)
            return error.problems
        self.engine = build_engine(knowledge, self.settings)
        self._stamp = stamp
        logger.info("Knowledge base reloaded: %d entries", len(knowledge))
        return []

    def reload_if_changed(self) -> list[Problem] | None:
        """Reload when a file was added, removed or edited; None when nothing changed."""
        if _stamp(self.directory) == self._stamp:
            return None
        return self.reload()

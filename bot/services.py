"""The long-lived objects of a running bot, built once at start-up and closed at shutdown."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

from sqlite_utils import Database

from bot.assistant import Assistant
from bot.config import Config
from bot.flood import FloodGuard
from bot.knowledge.reloader import EngineHolder
from bot.store.database import open_database
from bot.store.handoffs import HandoffDesk
from bot.store.inquiries import InquiryLog
from bot.store.pseudonyms import Pseudonymiser, load_secret

logger = logging.getLogger(__name__)


@dataclass
class Services:
    config: Config
    db: Database
    engines: EngineHolder
    log: InquiryLog
    assistant: Assistant
    flood: FloodGuard
    handoffs: HandoffDesk

    database_identity: tuple[int, int] | None = None
    database_missing_reported: bool = False

    def watch_database(self) -> bool:
        """Report at ERROR when the database file was deleted or replaced under the running bot.

        The open connection keeps writing to the old file, which nobody else can then see; the
        message says what to do. Returns True while the file is the one opened at start-up.
        """
        path = self.config.database_path
        try:
            status = path.stat()
            identity: tuple[int, int] | None = (status.st_dev, status.st_ino)
        except OSError:
            identity = None
        if identity is not None and identity == self.database_identity:
            self.database_missing_reported = False
            return True
        if not self.database_missing_reported:
            logger.error("The database file %s was %s while the bot runs: new inquiries go to the file opened at "
                         "start-up, which is no longer there. Restore the file (naeringsbot restore) or restart "
                         "the bot; queued rows are kept", path, "deleted" if identity is None else "replaced")
            self.database_missing_reported = True
        return False

    @cached_property
    def person_reachable(self) -> bool:
        """Whether citizens are offered a person (``staff.reach()``): the config is fixed while the bot runs."""
        return self.config.staff.reach() is not None

    def is_staff(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.config.staff.user_ids

    def close(self) -> None:
        self.log.flush()
        if not self.log.durable:
            logger.error("At shutdown %d inquiry-log row(s) could be saved neither to the database nor to the "
                         "spool file; their updates were not confirmed, so Telegram delivers them again at the "
                         "next start", self.log.unsaved)
        elif self.log.pending:
            logger.error("The inquiry log is still not writable at shutdown: %d queued row(s) stay in the "
                         "spool file beside the database and are written at the next start", self.log.pending)
        self.db.conn.close()


def load_engines(config: Config) -> EngineHolder:
    """Load the knowledge base and build its matcher: the slow part of start-up, done once."""
    return EngineHolder(config.knowledge_dir, config.matching, config.knowledge.max_file_kb)


def build_services(config: Config, engines: EngineHolder | None = None) -> Services:
    """Open the database and wire the assistant over it and the (already built) knowledge base."""
    database_path = config.database_path
    db = open_database(database_path)
    engines = engines or load_engines(config)
    log = InquiryLog(db, spool=database_path.with_name(database_path.name + "-queued.jsonl"))
    pseudonymise = Pseudonymiser(load_secret(database_path))
    status = database_path.stat()
    return Services(
        database_identity=(status.st_dev, status.st_ino),
        config=config,
        db=db,
        engines=engines,
        log=log,
        assistant=Assistant(config, engines, log, pseudonymise),
        flood=FloodGuard(config.flood.max_messages, config.flood.per_seconds),
        handoffs=HandoffDesk(db),
    )

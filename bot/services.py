"""The long-lived objects of a running bot, built once at start-up and closed at shutdown."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlite_utils import Database

from bot.assistant import Assistant
from bot.config import Config
from bot.database import open_database
from bot.flood import FloodGuard
from bot.handoffs import HandoffDesk
from bot.inquiries import InquiryLog
from bot.pseudonyms import Pseudonymiser, load_secret
from bot.reloader import EngineHolder

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

    def is_staff(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.config.staff.user_ids

    def close(self) -> None:
        self.log.flush()
        if self.log.pending:
            logger.error("The inquiry log is still not writable at shutdown: %d queued row(s) stay in the "
                         "spool file beside the database and are written at the next start", self.log.pending)
        self.db.conn.close()


def build_services(config: Config) -> Services:
    """Open the database, load the knowledge base and wire the assistant over them."""
    database_path = config.database_path
    db = open_database(database_path)
    engines = EngineHolder(config.knowledge_dir, config.matching)
    log = InquiryLog(db, spool=database_path.with_name(database_path.name + "-queued.jsonl"))
    pseudonymise = Pseudonymiser(load_secret(database_path))
    return Services(
        config=config,
        db=db,
        engines=engines,
        log=log,
        assistant=Assistant(config, engines, log, pseudonymise),
        flood=FloodGuard(config.flood.max_messages, config.flood.per_seconds),
        handoffs=HandoffDesk(db),
    )

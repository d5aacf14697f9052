"""Pseudonymous user references: a keyed hash of the Telegram user id, never the id itself."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

logger = logging.getLogger(__name__)

SECRET_FILE_NAME = "secret.key"
REF_LENGTH = 20  # 80 bits of HMAC: no collisions at a municipality's scale, short enough to read


def load_secret(database_path: Path) -> bytes:
    """``NAERINGSBOT_SECRET``, else a key generated once into a 0600 file beside the database.

    Losing the key only means returning users get new pseudonyms; it must never be committed.
    """
    from_environment = os.environ.get("NAERINGSBOT_SECRET")
    if from_environment:
        return from_environment.encode("utf-8")
    path = database_path.parent / SECRET_FILE_NAME
    if path.exists():
        return path.read_text("utf-8").strip().encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secrets.token_hex(32))
    logger.info("Generated a new pseudonymisation key in %s", path)
    return path.read_text("utf-8").strip().encode("utf-8")


class Pseudonymiser:
    """Turns a raw user id into the ``user_ref`` stored in every table."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def __call__(self, user_id: int | str) -> str:
        digest = hmac.new(self._secret, str(user_id).encode("utf-8"), hashlib.sha256)
        return digest.hexdigest()[:REF_LENGTH]

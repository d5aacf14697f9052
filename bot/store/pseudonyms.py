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
CACHE_SIZE = 10_000  # remembered pseudonyms; emptied when full (the users of the last minutes come back)


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
    """Turns a raw user id into the ``user_ref`` stored in every table.

    One update asks for its sender's pseudonym several times (flood control, the language, the
    log row, the profile), so recent ones are remembered: the key never changes while the process
    runs. ``forget`` drops a user's, so after /forget the process holds no link from their
    Telegram id to the erased pseudonym.
    """

    def __init__(self, secret: bytes, cache_size: int = CACHE_SIZE) -> None:
        self._secret = secret
        self._cache_size = cache_size
        self._cache: dict[str, str] = {}

    def __call__(self, user_id: int | str) -> str:
        key = str(user_id)
        ref = self._cache.get(key)
        if ref is None:
            ref = hmac.new(self._secret, key.encode("utf-8"), hashlib.sha256).hexdigest()[:REF_LENGTH]
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[key] = ref
        return ref

    def forget(self, user_id: int | str) -> None:
        self._cache.pop(str(user_id), None)

    def forget_all(self) -> None:
        self._cache.clear()

    def remembers(self, user_id: int | str) -> bool:
        return str(user_id) in self._cache

"""Plain data objects of the Bot API test server (users, chats, log records, faults).

They render themselves to the exact JSON shapes of the Bot API, so that python-telegram-bot's
``de_json`` accepts them without ``api_kwargs`` surprises.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tests.support.botapi_wire import UploadedFile

JsonDict = dict[str, Any]
MessagePredicate = Callable[[JsonDict], bool]

# Update types a bot does not get unless it lists them in allowed_updates (Bot API docs).
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
DEFAULT_TOPIC_COLOR = 7322096


def now() -> int:
    """Bot API dates are Unix time in whole seconds."""
    return int(time.time())


@dataclass
class User:
    """A Telegram account that can talk to the bot."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    started: bool = False

    def to_json(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value:
                data[key] = value
        return data


@dataclass
class Topic:
    """A forum topic; its id is the id of the service message that created it."""

    message_thread_id: int
    name: str
    creation_message: JsonDict
    closed: bool = False


@dataclass
class Chat:
    """A private chat, group or supergroup and every message in it."""

    id: int
    type: str
    chat_instance: str
    title: str | None = None
    user: User | None = None
    is_forum: bool = False
    bot_is_admin: bool = False
    next_message_id: int = 1
    messages: dict[int, JsonDict] = field(default_factory=dict)
    bot_message_ids: list[int] = field(default_factory=list)
    topics: dict[int, Topic] = field(default_factory=dict)

    def allocate_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def to_json(self) -> JsonDict:
        if self.user is not None:
            data = self.user.to_json()
            data.pop("is_bot", None)
            data.pop("language_code", None)
            return data | {"type": "private"}
        data = {"id": self.id, "type": self.type, "title": self.title}
        if self.is_forum:
            data["is_forum"] = True
        return data


@dataclass
class RecordedRequest:
    """One call the bot made, logged on arrival.

    ``status`` and ``response`` stay None while the call is in flight (a long poll, say); a
    dropped connection ends with status 0 and no response.
    """

    method: str
    params: JsonDict
    files: dict[str, UploadedFile]
    time: float
    http_method: str
    status: int | None = None
    response: JsonDict | None = None


@dataclass(frozen=True)
class BotEvent:
    """Something the bot did to a message: ``sent`` or ``edited``."""

    seq: int
    chat_id: int
    kind: str
    message: JsonDict


@dataclass
class WebhookConfig:
    """What setWebhook stored."""

    url: str
    secret_token: str | None = None


@dataclass
class Fault:
    """An injected failure for the next call of one method."""

    kind: str  # "error", "drop" or "delay"
    status: int = 500
    description: str | None = None
    retry_after: int | None = None
    seconds: float = 0.0
    after_processing: bool = False


class Injected(NamedTuple):
    """What a simulated user did: ``update_id`` is None if the bot does not get to see it."""

    update_id: int | None
    message: JsonDict | None

"""Plain data objects of the Bot API test server (users, chats, files, log records).

They render themselves to the exact JSON shapes of the Bot API so that
python-telegram-bot's ``de_json`` accepts them without ``api_kwargs`` surprises.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tests.support.botapi_wire import UploadedFile

JsonDict = dict[str, Any]
MessagePredicate = Callable[[JsonDict], bool]

# Update types a bot receives when it never specified allowed_updates (Bot API docs).
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
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
    blocked_bot: bool = False

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
    icon_color: int
    creation_message: JsonDict
    closed: bool = False

    def to_json(self) -> JsonDict:
        return {
            "message_thread_id": self.message_thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }


@dataclass
class Chat:
    """A private chat, group, supergroup or channel and every message in it."""

    id: int
    type: str
    chat_instance: str
    title: str | None = None
    user: User | None = None
    username: str | None = None
    is_forum: bool = False
    bot_is_admin: bool = False
    next_message_id: int = 1
    messages: dict[int, JsonDict] = field(default_factory=dict)
    bot_message_ids: list[int] = field(default_factory=list)
    topics: dict[int, Topic] = field(default_factory=dict)
    reply_keyboard: JsonDict | None = None

    def allocate_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def to_json(self) -> JsonDict:
        if self.user is not None:
            data = self.user.to_json()
            data.pop("is_bot", None)
            data.pop("language_code", None)
            data["type"] = "private"
            return data
        data = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            data["username"] = self.username
        if self.is_forum:
            data["is_forum"] = True
        return data


@dataclass
class StoredFile:
    """Bytes behind a file_id, uploaded by the bot or attached to a user's message."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    filename: str = ""
    mime_type: str = ""

    def to_json(self) -> JsonDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class RecordedRequest:
    """One HTTP call the bot made, logged on arrival.

    ``status`` and ``response`` stay None while the call is in flight (a long
    poll, say); a dropped connection ends with status 0 and no response.
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
    """Something the bot did to a message: ``sent``, ``edited`` or ``deleted``."""

    seq: int
    chat_id: int
    kind: str
    message: JsonDict


@dataclass(frozen=True)
class WebhookAttempt:
    """One POST of an update to the bot's webhook and how it went."""

    update_id: int
    status: int | None
    error: str | None
    time: float


@dataclass
class WebhookConfig:
    """What setWebhook stored; delivery state is tracked here too."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str = "127.0.0.1"
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class Fault:
    """An injected failure for the next call(s) of one method."""

    kind: str  # "error", "drop" or "delay"
    status: int = 500
    description: str | None = None
    retry_after: int | None = None
    seconds: float = 0.0
    after_processing: bool = False


class Injected(NamedTuple):
    """What an injection helper produced: ``update_id`` is None if the bot can't see it."""

    update_id: int | None
    message: JsonDict | None
    update: JsonDict | None

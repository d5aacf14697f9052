"""Wire-level pieces of the Bot API test server: errors and parameter decoding.

The Bot API takes the same parameters as a query string, a form (urlencoded or multipart) or a
JSON body. In the form encodings every value is a string (python-telegram-bot JSON-encodes nested
values such as ``reply_markup``), while a JSON body keeps native types. :class:`Params` hides the
difference, so method handlers read values the way Telegram does: leniently for integers and
booleans, strictly for JSON objects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Parameters of the methods the bot calls that the Bot API documents as JSON-serialized.
JSON_FIELDS = frozenset({"reply_markup", "allowed_updates", "commands", "reply_parameters", "link_preview_options"})
# Decoded in the request log, so tests compare ints and bools however the client encoded them.
INT_FIELDS = frozenset({"chat_id", "message_id", "offset", "limit", "timeout", "message_thread_id",
                        "reply_to_message_id"})
BOOL_FIELDS = frozenset({"drop_pending_updates", "show_alert", "disable_web_page_preview",
                         "allow_sending_without_reply", "disable_notification", "protect_content"})

HTTP_STATUS_PREFIX = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                      409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway"}


class ApiError(Exception):
    """A Bot API failure; rendered as ``{"ok": false, "error_code": ..., ...}``."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        """Body exactly as Telegram sends it, ``parameters`` only when present."""
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(message: str) -> ApiError:
    """Telegram prefixes every 400 description with ``Bad Request: ``."""
    return ApiError(400, f"Bad Request: {message}")


def error_for_status(status: int, description: str | None, retry_after: int | None) -> ApiError:
    """Build an injected fault that looks like the real one for ``status``."""
    if status == 429:
        seconds = retry_after if retry_after is not None else 1
        return ApiError(429, description or f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
    return ApiError(status, description or HTTP_STATUS_PREFIX.get(status, "Error"))


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request, kept byte for byte for assertions."""

    field_name: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Params:
    """Typed, Telegram-lenient access to the parameters of one request."""

    values: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        """Telegram treats empty strings like missing parameters."""
        return self.values.get(name) not in (None, "")

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            return json.dumps(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        """Like the server's ``to_integer``: garbage reads as 0, floats truncate."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, int):
            return int(value)
        try:
            return int(float(str(value).strip()))
        except ValueError:
            return 0

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"true", "1"}

    def get_json(self, name: str, what: str | None = None) -> Any:
        """Decode a JSON-serialized parameter, failing like Telegram does."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, (dict, list)):
            return value
        try:
            return json.loads(value)
        except (TypeError, ValueError):
            raise bad_request(f"can't parse {what or name} JSON object") from None


def normalise(values: dict[str, Any]) -> dict[str, Any]:
    """A request's parameters with native types, for the request log.

    Tests assert on ``params["reply_markup"]["inline_keyboard"]`` or ``params["chat_id"] == 42``
    however the client encoded them. Values that do not decode are kept as sent.
    """
    return {name: _normalise_one(name, value) for name, value in values.items()}


def _normalise_one(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if name in JSON_FIELDS:
            return json.loads(value)
        if name in INT_FIELDS:
            return int(value)
    except ValueError:
        return value
    if name in BOOL_FIELDS:
        return value.strip().lower() in {"true", "1"}
    return value

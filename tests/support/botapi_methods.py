"""The Bot API methods the bot calls, as the test server implements them.

Each handler takes the state and the request's :class:`Params`, runs with the state lock held,
and either returns the ``result`` value or raises :class:`ApiError` with Telegram's own wording.
getUpdates' long polling lives in :mod:`tests.support.botapi`; only its bookkeeping is here. A
method the bot does not call is answered 404 "method not found", as Telegram answers unknown ones.
"""

from __future__ import annotations

import copy
import re
import struct
from collections.abc import Callable
from typing import Any, NamedTuple

from tests.support.botapi_commands import set_message_reaction, set_my_commands
from tests.support.botapi_format import MAX_CAPTION_LENGTH, check_inline_keyboard, check_text
from tests.support.botapi_model import DEFAULT_TOPIC_COLOR, Chat, JsonDict, Topic, WebhookConfig, now
from tests.support.botapi_state import BotApiState
from tests.support.botapi_wire import ApiError, Params, bad_request


class Described(NamedTuple):
    """A successful result that Telegram accompanies with a ``description``."""

    result: Any
    description: str


Handler = Callable[[BotApiState, Params], Any]
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)


# ------------------------------------------------------------------- chats


def _find_chat(state: BotApiState, p: Params) -> Chat:
    if not p.has("chat_id"):
        raise bad_request("chat_id is empty")
    chat = state.chats.get(p.get_int("chat_id") or 0)
    if chat is None:
        raise bad_request("chat not found")
    return chat


def _writable_chat(state: BotApiState, p: Params) -> Chat:
    """A chat the bot may post to; private chats need a user who has written to the bot."""
    chat = _find_chat(state, p)
    if chat.user is not None and not chat.user.started:
        raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
    return chat


def _reply_target(chat: Chat, p: Params) -> JsonDict | None:
    reply = p.get_json("reply_parameters", "reply parameters") or {}
    message_id = reply.get("message_id") or p.get_int("reply_to_message_id")
    if not message_id:
        return None
    found = chat.messages.get(int(message_id))
    if found is None:
        if reply.get("allow_sending_without_reply") or p.get_bool("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    quoted = copy.deepcopy(found)
    quoted.pop("reply_to_message", None)
    return quoted


def _thread_fields(chat: Chat, p: Params) -> JsonDict:
    """message_thread_id only means something in forum supergroups."""
    thread_id = p.get_int("message_thread_id")
    if not thread_id or not chat.is_forum:
        return {}
    topic = chat.topics.get(thread_id)
    if topic is None:
        raise bad_request("message thread not found")
    return {
        "message_thread_id": thread_id,
        "is_topic_message": True,
        "reply_to_message": copy.deepcopy(topic.creation_message),
    }


def _post(state: BotApiState, chat: Chat, p: Params, content: JsonDict) -> JsonDict:
    """Create a bot message with keyboard, thread and reply fields, and log it."""
    markup = check_inline_keyboard(p.get_json("reply_markup", "reply keyboard markup"))
    thread = _thread_fields(chat, p)
    reply = _reply_target(chat, p)
    message: JsonDict = {
        "message_id": chat.allocate_message_id(),
        "from": state.bot_user.to_json(),
        "chat": chat.to_json(),
        "date": now(),
    }
    message.update(thread)
    if reply is not None:
        message["reply_to_message"] = reply
    message.update(content)
    if markup is not None:
        message["reply_markup"] = markup
    chat.messages[message["message_id"]] = message
    chat.bot_message_ids.append(message["message_id"])
    state._record_bot_event(chat, "sent", message)
    return copy.deepcopy(message)


def _text_content(text: str, entities: list[JsonDict], key: str = "text") -> JsonDict:
    content: JsonDict = {key: text}
    if entities:
        content[f"{key}_entities" if key == "caption" else "entities"] = entities
    return content


# ---------------------------------------------------------------- messages


def get_me(state: BotApiState, p: Params) -> JsonDict:
    return state.bot_user.to_json() | {
        "can_join_groups": True,
        "can_read_all_group_messages": not state.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def send_message(state: BotApiState, p: Params) -> JsonDict:
    chat = _writable_chat(state, p)
    return _post(state, chat, p, _text_content(*check_text(p.get_str("text"), p.get_str("parse_mode"))))


def edit_message_text(state: BotApiState, p: Params) -> JsonDict:
    """Edits take an InlineKeyboardMarkup; leaving it out removes the keyboard."""
    if p.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = _find_chat(state, p)
    message_id = p.get_int("message_id")
    if not message_id:
        raise bad_request("message identifier is not specified")
    message = chat.messages.get(message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if message_id not in chat.bot_message_ids:
        raise bad_request("message can't be edited")
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    text, entities = check_text(p.get_str("text"), p.get_str("parse_mode"))
    changes = {"text": text, "entities": entities or None,
               "reply_markup": check_inline_keyboard(p.get_json("reply_markup", "reply keyboard markup"))}
    if {key: message.get(key) for key in changes} == changes:
        raise bad_request("message is not modified: specified new message content and reply markup are "
                          "exactly the same as a current content and reply markup of the message")
    for key, value in changes.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edit_date"] = now()
    state._record_bot_event(chat, "edited", message)
    return copy.deepcopy(message)


def answer_callback_query(state: BotApiState, p: Params) -> bool:
    query_id = p.get_str("callback_query_id") or ""
    if not query_id:
        raise bad_request('parameter "callback_query_id" is required')
    if query_id not in state.callback_queries or query_id in state.callback_answers:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    if len(p.get_str("text") or "") > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    state.callback_answers[query_id] = dict(p.values)
    state._changed()
    return True


def _png_size(data: bytes) -> tuple[int, int]:
    """PhotoSize reports the picture's dimensions; the bot's charts are PNG."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 512, 512


def send_photo(state: BotApiState, p: Params) -> JsonDict:
    """A multipart upload (what the bot sends); file_ids and URLs are not simulated."""
    chat = _writable_chat(state, p)
    reference = p.get_str("photo") or ""
    upload = p.files.get(reference.removeprefix("attach://") or "photo")
    if upload is None:
        missing = "wrong file identifier/HTTP URL specified" if reference else "there is no photo in the request"
        raise bad_request(missing)
    content: JsonDict = {}
    if p.has("caption"):
        content = _text_content(*check_text(p.get_str("caption"), p.get_str("parse_mode"), MAX_CAPTION_LENGTH),
                                key="caption")
    file_id, unique_id = state._file_id()
    width, height = _png_size(upload.data)
    size = {"file_id": file_id, "file_unique_id": unique_id, "file_size": len(upload.data), "width": width,
            "height": height}
    return _post(state, chat, p, {"photo": [size], **content})


# ----------------------------------------------------------------- forums


def _forum(state: BotApiState, p: Params, what: str) -> Chat:
    chat = _find_chat(state, p)
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    if not chat.bot_is_admin:
        raise bad_request(f"not enough rights to {what}")
    return chat


def create_forum_topic(state: BotApiState, p: Params) -> JsonDict:
    chat = _forum(state, p, "create a topic")
    name = (p.get_str("name") or "").strip()
    if not 1 <= len(name) <= 128:
        raise bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
    thread_id = chat.allocate_message_id()
    service: JsonDict = {
        "message_id": thread_id,
        "from": state.bot_user.to_json(),
        "chat": chat.to_json(),
        "date": now(),
        "message_thread_id": thread_id,
        "is_topic_message": True,
        "forum_topic_created": {"name": name, "icon_color": DEFAULT_TOPIC_COLOR},
    }
    chat.messages[thread_id] = service
    chat.topics[thread_id] = Topic(thread_id, name, copy.deepcopy(service))
    return {"message_thread_id": thread_id, "name": name, "icon_color": DEFAULT_TOPIC_COLOR}


def close_forum_topic(state: BotApiState, p: Params) -> bool:
    chat = _forum(state, p, "manage topics")
    topic = chat.topics.get(p.get_int("message_thread_id") or 0)
    if topic is None:
        raise bad_request("message thread not found")
    if topic.closed:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.closed = True
    return True


# --------------------------------------------------------- updates, webhook


def prepare_get_updates(state: BotApiState, p: Params) -> tuple[int, int]:
    """Confirm by offset and store allowed_updates; returns (limit, timeout) clamped like Telegram."""
    if state.webhook is not None:
        raise ApiError(409, CONFLICT_WEBHOOK)
    _store_allowed_updates(state, p)
    state.confirm_updates(p.get_int("offset", 0) or 0)
    limit = min(max(p.get_int("limit", 100) or 0, 1), 100)
    timeout = min(max(p.get_int("timeout", 0) or 0, 0), 50)
    return limit, timeout


def _store_allowed_updates(state: BotApiState, p: Params) -> None:
    """Omitted means "keep the previous setting"; an empty list means the default set."""
    if not p.has("allowed_updates"):
        return
    allowed = p.get_json("allowed_updates", "allowed_updates")
    if not isinstance(allowed, list):
        raise bad_request("can't parse allowed_updates JSON object")
    state.allowed_updates = [str(kind) for kind in allowed] or None


def set_webhook(state: BotApiState, p: Params) -> Described:
    url = (p.get_str("url") or "").strip()
    if not url:
        return delete_webhook(state, p)
    if not re.match(r"^https?://[^/\s]+", url):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get_str("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("secret token contains unallowed characters")
    _store_allowed_updates(state, p)
    if p.get_bool("drop_pending_updates"):
        state.drop_pending_updates()
    new = WebhookConfig(url, secret or None)
    unchanged = new == state.webhook
    state.webhook = new
    state._changed()
    return Described(True, "Webhook is already set" if unchanged else "Webhook was set")


def delete_webhook(state: BotApiState, p: Params) -> Described:
    if p.get_bool("drop_pending_updates"):
        state.drop_pending_updates()
    existed = state.webhook is not None
    state.webhook = None
    state._changed()
    return Described(True, "Webhook was deleted" if existed else "Webhook is already deleted")


METHODS: dict[str, Handler] = {
    "getme": get_me,
    "sendmessage": send_message,
    "editmessagetext": edit_message_text,
    "answercallbackquery": answer_callback_query,
    "sendphoto": send_photo,
    "setmycommands": set_my_commands,
    "setmessagereaction": set_message_reaction,
    "createforumtopic": create_forum_topic,
    "closeforumtopic": close_forum_topic,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
}

"""Bot API method implementations for the test server.

Each handler takes the state and the request's :class:`Params`, runs with the
state lock held, and either returns the ``result`` value or raises
:class:`ApiError` with Telegram's own wording.  getUpdates' long polling lives
in the HTTP layer; only its bookkeeping is here.
"""

from __future__ import annotations

import copy
import re
import struct
from collections.abc import Callable
from typing import Any, NamedTuple

from tests.support.botapi_format import check_caption, check_reply_markup, check_text
from tests.support.botapi_model import DEFAULT_TOPIC_COLOR, Chat, JsonDict, Topic, WebhookConfig, now
from tests.support.botapi_state import BotApiState, scope_key
from tests.support.botapi_wire import ApiError, Params, UploadedFile, bad_request


class Described(NamedTuple):
    """A successful result that Telegram accompanies with a ``description``."""

    result: Any
    description: str


Handler = Callable[[BotApiState, Params], Any]

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_TOPIC_COLORS = frozenset({7322096, 16766590, 13338331, 9367192, 16749490, 16478047})
_SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)


# ------------------------------------------------------------------- chats


def _find_chat(state: BotApiState, p: Params) -> Chat:
    ref = p.chat_id()
    if ref is None:
        raise bad_request("chat_id is empty")
    if isinstance(ref, int):
        chat = state.chats.get(ref)
    else:
        name = ref.lstrip("@").lower()
        chat = next((c for c in state.chats.values() if (c.username or "").lower() == name), None)
    if chat is None:
        raise bad_request("chat not found")
    return chat


def _writable_chat(state: BotApiState, p: Params) -> Chat:
    """A chat the bot may post to; private chats need a user who started the bot."""
    chat = _find_chat(state, p)
    if chat.user is not None:
        if chat.user.blocked_bot:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not chat.user.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
    return chat


def _reply_target(chat: Chat, p: Params) -> JsonDict | None:
    reply = p.get_json("reply_parameters", "reply parameters") or {}
    message_id = reply.get("message_id") or p.get_int("reply_to_message_id")
    if not message_id:
        return None
    allow = bool(reply.get("allow_sending_without_reply")) or p.get_bool("allow_sending_without_reply")
    found = chat.messages.get(int(message_id))
    if found is None:
        if allow:
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
    """Create a bot message with markup, thread and reply fields, and log it."""
    markup = check_reply_markup(p.get_json("reply_markup", "reply keyboard markup"))
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
    _apply_markup(chat, message, markup)
    chat.messages[message["message_id"]] = message
    chat.bot_message_ids.append(message["message_id"])
    state._record_bot_event(chat, "sent", message)
    return copy.deepcopy(message)


def _apply_markup(chat: Chat, message: JsonDict, markup: JsonDict | None) -> None:
    """Only inline keyboards are part of a Message; reply keyboards belong to the chat."""
    if markup is None:
        return
    if "inline_keyboard" in markup:
        message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
    elif "keyboard" in markup:
        chat.reply_keyboard = markup
    elif markup.get("remove_keyboard"):
        chat.reply_keyboard = None


def _text_content(text: str, entities: list[JsonDict]) -> JsonDict:
    content: JsonDict = {"text": text}
    if entities:
        content["entities"] = entities
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
    text, entities = check_text(p.get_str("text"), p.get_str("parse_mode"), p.get_json("entities"))
    return _post(state, chat, p, _text_content(text, entities))


def _editable(state: BotApiState, p: Params) -> tuple[Chat, JsonDict]:
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
    return chat, message


def _edited_markup(p: Params) -> JsonDict | None:
    """Edits take an InlineKeyboardMarkup; leaving it out removes the keyboard."""
    markup = check_reply_markup(p.get_json("reply_markup", "reply keyboard markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request('can\'t find field "inline_keyboard"')
    return {"inline_keyboard": markup["inline_keyboard"]} if markup else None


def _apply_edit(state: BotApiState, chat: Chat, message: JsonDict, changes: JsonDict) -> JsonDict:
    current = {key: message.get(key) for key in changes}
    if current == changes:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    for key, value in changes.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edit_date"] = now()
    state._record_bot_event(chat, "edited", message)
    return copy.deepcopy(message)


def edit_message_text(state: BotApiState, p: Params) -> JsonDict:
    chat, message = _editable(state, p)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    text, entities = check_text(p.get_str("text"), p.get_str("parse_mode"), p.get_json("entities"))
    changes = {"text": text, "entities": entities or None, "reply_markup": _edited_markup(p)}
    return _apply_edit(state, chat, message, changes)


def edit_message_caption(state: BotApiState, p: Params) -> JsonDict:
    chat, message = _editable(state, p)
    if "text" in message:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = check_caption(p.get_str("caption"), p.get_str("parse_mode"), p.get_json("caption_entities"))
    changes = {
        "caption": caption or None,
        "caption_entities": entities or None,
        "reply_markup": _edited_markup(p),
    }
    return _apply_edit(state, chat, message, changes)


def edit_message_reply_markup(state: BotApiState, p: Params) -> JsonDict:
    chat, message = _editable(state, p)
    return _apply_edit(state, chat, message, {"reply_markup": _edited_markup(p)})


def delete_message(state: BotApiState, p: Params) -> bool:
    chat = _find_chat(state, p)
    message_id = p.get_int("message_id") or 0
    message = chat.messages.get(message_id)
    if message is None:
        raise bad_request("message to delete not found")
    own = message_id in chat.bot_message_ids
    if not (own or chat.type == "private" or chat.bot_is_admin):
        raise bad_request("message can't be deleted")
    del chat.messages[message_id]
    state._record_bot_event(chat, "deleted", message)
    return True


def send_chat_action(state: BotApiState, p: Params) -> bool:
    chat = _writable_chat(state, p)
    if p.get_str("action") not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    _thread_fields(chat, p)
    return True


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


# ------------------------------------------------------------------- media


def _image_size(data: bytes) -> tuple[int, int]:
    """Read PNG/GIF/JPEG dimensions so PhotoSize looks like what Telegram reports."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    i = 2
    while data[:2] == b"\xff\xd8" and i + 9 < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        i += 2 + length
    return 512, 512


def _input_file(state: BotApiState, p: Params, field: str) -> tuple[bytes, str, str]:
    """Resolve an InputFile: multipart upload, attach://name, known file_id or URL."""
    upload: UploadedFile | None = p.files.get(field)
    reference = p.get_str(field) or ""
    if upload is None and reference.startswith("attach://"):
        upload = p.files.get(reference.removeprefix("attach://"))
    if upload is not None:
        return upload.data, upload.filename, upload.content_type
    if not reference:
        raise bad_request(f"there is no {field} in the request")
    if reference in state.files:
        stored = state.files[reference]
        return stored.data, stored.filename, stored.mime_type
    if re.match(r"^https?://", reference):
        return b"", reference.rsplit("/", 1)[-1], ""
    raise bad_request("wrong file identifier/HTTP URL specified")


def send_photo(state: BotApiState, p: Params) -> JsonDict:
    chat = _writable_chat(state, p)
    data, filename, mime = _input_file(state, p, "photo")
    caption, entities = check_caption(p.get_str("caption"), p.get_str("parse_mode"), p.get_json("caption_entities"))
    width, height = _image_size(data)
    sizes = []
    for scale in (min(1.0, 90 / max(width, height, 1)), 1.0):
        stored = state._store_file(data, "photos", filename or "photo.jpg", mime)
        sizes.append(
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(data),
                "width": max(1, round(width * scale)),
                "height": max(1, round(height * scale)),
            }
        )
    return _post(state, chat, p, _captioned({"photo": sizes}, caption, entities))


def send_document(state: BotApiState, p: Params) -> JsonDict:
    chat = _writable_chat(state, p)
    data, filename, mime = _input_file(state, p, "document")
    caption, entities = check_caption(p.get_str("caption"), p.get_str("parse_mode"), p.get_json("caption_entities"))
    stored = state._store_file(data, "documents", filename, mime)
    document = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(data),
        "file_name": filename,
        "mime_type": mime or "application/octet-stream",
    }
    return _post(state, chat, p, _captioned({"document": document}, caption, entities))


def _captioned(content: JsonDict, caption: str, entities: list[JsonDict]) -> JsonDict:
    if caption:
        content["caption"] = caption
    if entities:
        content["caption_entities"] = entities
    return content


def get_file(state: BotApiState, p: Params) -> JsonDict:
    stored = state.files.get(p.get_str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.to_json()


def get_chat(state: BotApiState, p: Params) -> JsonDict:
    chat = _find_chat(state, p)
    return chat.to_json() | {"accent_color_id": 0, "max_reaction_count": 11}


# ---------------------------------------------------------------- commands


def _command_scope(p: Params) -> JsonDict | None:
    scope = p.get_json("scope", "BotCommandScope")
    if scope is None:
        return None
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
        raise bad_request("unsupported bot command scope type")
    return scope


def _language(p: Params) -> str:
    code = p.get_str("language_code") or ""
    if code and not re.fullmatch(r"[a-z]{2}", code):
        raise bad_request("invalid language code specified")
    return code


def set_my_commands(state: BotApiState, p: Params) -> bool:
    commands = p.get_json("commands", "commands")
    if not isinstance(commands, list):
        raise bad_request('parameter "commands" is required')
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand")
        if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", "")).lstrip("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = (scope_key(_command_scope(p)), _language(p))
    cleaned = [{"command": str(c["command"]).lstrip("/"), "description": c["description"]} for c in commands]
    if cleaned:
        state.commands[key] = cleaned
    else:
        state.commands.pop(key, None)
    return True


def get_my_commands(state: BotApiState, p: Params) -> list[JsonDict]:
    return copy.deepcopy(state.commands.get((scope_key(_command_scope(p)), _language(p)), []))


def delete_my_commands(state: BotApiState, p: Params) -> bool:
    state.commands.pop((scope_key(_command_scope(p)), _language(p)), None)
    return True


# ------------------------------------------------------------------ forums


def _forum(state: BotApiState, p: Params) -> Chat:
    chat = _find_chat(state, p)
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    if not chat.bot_is_admin:
        raise bad_request("not enough rights to manage topics")
    return chat


def create_forum_topic(state: BotApiState, p: Params) -> JsonDict:
    chat = _find_chat(state, p)
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    if not chat.bot_is_admin:
        raise bad_request("not enough rights to create a topic")
    name = (p.get_str("name") or "").strip()
    if not 1 <= len(name) <= 128:
        raise bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
    color = p.get_int("icon_color", DEFAULT_TOPIC_COLOR) or DEFAULT_TOPIC_COLOR
    if color not in _TOPIC_COLORS:
        raise bad_request("invalid icon_color specified")
    thread_id = chat.allocate_message_id()
    created = {"name": name, "icon_color": color}
    service: JsonDict = {
        "message_id": thread_id,
        "from": state.bot_user.to_json(),
        "chat": chat.to_json(),
        "date": now(),
        "message_thread_id": thread_id,
        "is_topic_message": True,
        "forum_topic_created": created,
    }
    if p.has("icon_custom_emoji_id"):
        created["icon_custom_emoji_id"] = p.get_str("icon_custom_emoji_id")
    chat.messages[thread_id] = service
    topic = Topic(thread_id, name, color, copy.deepcopy(service))
    chat.topics[thread_id] = topic
    return topic.to_json() | (
        {"icon_custom_emoji_id": created["icon_custom_emoji_id"]} if "icon_custom_emoji_id" in created else {}
    )


def _set_topic_closed(state: BotApiState, p: Params, closed: bool) -> bool:
    chat = _forum(state, p)
    topic = chat.topics.get(p.get_int("message_thread_id") or 0)
    if topic is None:
        raise bad_request("message thread not found")
    if topic.closed == closed:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.closed = closed
    return True


def close_forum_topic(state: BotApiState, p: Params) -> bool:
    return _set_topic_closed(state, p, True)


def reopen_forum_topic(state: BotApiState, p: Params) -> bool:
    return _set_topic_closed(state, p, False)


# --------------------------------------------------------- updates/webhook


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
    connections = min(max(p.get_int("max_connections", 40) or 40, 1), 100)
    new = WebhookConfig(url, secret or None, connections)
    unchanged = state.webhook is not None and (
        (state.webhook.url, state.webhook.secret_token, state.webhook.max_connections)
        == (new.url, new.secret_token, new.max_connections)
    )
    if not unchanged:
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


def get_webhook_info(state: BotApiState, p: Params) -> JsonDict:
    info: JsonDict = {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": len(state._updates),
    }
    hook = state.webhook
    if hook is None:
        return info
    info.update(url=hook.url, max_connections=hook.max_connections, ip_address=hook.ip_address)
    if state.allowed_updates:
        info["allowed_updates"] = list(state.allowed_updates)
    if hook.last_error_date:
        info["last_error_date"] = hook.last_error_date
        info["last_error_message"] = hook.last_error_message
    return info


def acknowledge(state: BotApiState, p: Params) -> bool:
    """close and logOut: accepted and recorded; nothing to tear down locally."""
    return True


METHODS: dict[str, Handler] = {
    "getme": get_me,
    "sendmessage": send_message,
    "editmessagetext": edit_message_text,
    "editmessagecaption": edit_message_caption,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "sendchataction": send_chat_action,
    "answercallbackquery": answer_callback_query,
    "sendphoto": send_photo,
    "senddocument": send_document,
    "getfile": get_file,
    "getchat": get_chat,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "createforumtopic": create_forum_topic,
    "closeforumtopic": close_forum_topic,
    "reopenforumtopic": reopen_forum_topic,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "close": acknowledge,
    "logout": acknowledge,
}

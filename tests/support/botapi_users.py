"""Simulated Telegram users: the update-injection half of the test server's control API.

Each helper builds the Message/CallbackQuery JSON a real client would cause,
stores it in the chat, and queues the update unless Telegram would withhold
it from the bot (privacy mode in groups, allowed_updates).  Helpers return
:class:`Injected` ``(update_id, message, update)``; ``update_id`` is None when
the bot does not get to see the update.
"""

from __future__ import annotations

import copy
import re

from tests.support.botapi_format import inline_buttons, utf16_len
from tests.support.botapi_model import Chat, Injected, JsonDict, StoredFile, User, now
from tests.support.botapi_state import BotApiState, ChatRef

_COMMAND = re.compile(r"(?:^|(?<=\s))/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}\b")


class SimulatedUsers(BotApiState):
    """What users do: write, edit, send media, press buttons; channels post."""

    def send_message(
        self,
        user: User,
        text: str,
        chat: ChatRef | None = None,
        reply_to: JsonDict | int | None = None,
        entities: list[JsonDict] | None = None,
        *,
        message_thread_id: int | None = None,
    ) -> Injected:
        """The user writes ``text``; commands and @mentions get entities automatically."""
        found = self._auto_entities(text) if entities is None else entities
        extra: JsonDict = {"text": text}
        if found:
            extra["entities"] = found
        return self._inject_user_message(user, chat, extra, reply_to, message_thread_id)

    def _auto_entities(self, text: str) -> list[JsonDict]:
        entities: list[JsonDict] = []
        for pattern, kind in ((_COMMAND, "bot_command"), (_MENTION, "mention")):
            for match in pattern.finditer(text):
                offset = utf16_len(text[: match.start()])
                entities.append({"type": kind, "offset": offset, "length": utf16_len(match.group())})
        return sorted(entities, key=lambda e: e["offset"])

    def send_edited_message(
        self, user: User, message: JsonDict | int, text: str, chat: ChatRef | None = None
    ) -> Injected:
        """The user edits one of their earlier text messages."""
        with self._lock:
            target = self._chat_for(user, chat if chat is not None or isinstance(message, int) else message)
            message_id = message if isinstance(message, int) else message["message_id"]
            stored = target.messages[message_id]
            stored["text"] = text
            stored["edit_date"] = now()
            stored.pop("entities", None)
            found = self._auto_entities(text)
            if found:
                stored["entities"] = found
            kind = "edited_channel_post" if target.type == "channel" else "edited_message"
            update_id = self.inject_update(kind, stored) if self._bot_sees(target, stored) else None
            return Injected(update_id, copy.deepcopy(stored), self._update(update_id))

    def send_photo(
        self,
        user: User,
        chat: ChatRef | None = None,
        *,
        caption: str | None = None,
        content: bytes = b"\x89PNG\r\n\x1a\n",
        width: int = 1280,
        height: int = 960,
    ) -> Injected:
        """A photo message (no text); the bytes are downloadable through getFile."""
        with self._lock:
            stored = self._store_file(content, "photos", "photo.jpg", "image/jpeg")
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(content),
            "width": width,
            "height": height,
        }
        return self._inject_media(user, chat, {"photo": [size]}, caption)

    def send_document(
        self,
        user: User,
        chat: ChatRef | None = None,
        *,
        filename: str = "document.pdf",
        content: bytes = b"%PDF-1.4\n",
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> Injected:
        with self._lock:
            stored = self._store_file(content, "documents", filename, mime_type)
        document = self._file_fields(stored) | {"file_name": filename, "mime_type": mime_type}
        return self._inject_media(user, chat, {"document": document}, caption)

    def send_voice(
        self, user: User, chat: ChatRef | None = None, *, content: bytes = b"OggS", duration: int = 3
    ) -> Injected:
        with self._lock:
            stored = self._store_file(content, "voice", "voice.oga", "audio/ogg")
        voice = self._file_fields(stored) | {"duration": duration, "mime_type": "audio/ogg"}
        return self._inject_media(user, chat, {"voice": voice}, None)

    def send_sticker(self, user: User, chat: ChatRef | None = None, *, emoji: str = "👍") -> Injected:
        with self._lock:
            stored = self._store_file(b"RIFF", "stickers", "sticker.webp", "image/webp")
        sticker = self._file_fields(stored) | {
            "width": 512,
            "height": 512,
            "emoji": emoji,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
        return self._inject_media(user, chat, {"sticker": sticker}, None)

    def send_location(
        self,
        user: User,
        chat: ChatRef | None = None,
        *,
        latitude: float = 59.7439,
        longitude: float = 10.2045,
    ) -> Injected:
        location = {"latitude": latitude, "longitude": longitude}
        return self._inject_media(user, chat, {"location": location}, None)

    def send_contact(
        self,
        user: User,
        chat: ChatRef | None = None,
        *,
        phone_number: str = "+4791234567",
        first_name: str | None = None,
        share_own: bool = True,
    ) -> Injected:
        contact: JsonDict = {"phone_number": phone_number, "first_name": first_name or user.first_name}
        if share_own:
            contact["user_id"] = user.id
        return self._inject_media(user, chat, {"contact": contact}, None)

    @staticmethod
    def _file_fields(stored: StoredFile) -> JsonDict:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }

    def _inject_media(self, user: User, chat: ChatRef | None, extra: JsonDict, caption: str | None) -> Injected:
        if caption:
            extra["caption"] = caption
        return self._inject_user_message(user, chat, extra, None, None)

    def _chat_for(self, user: User, chat: ChatRef | None) -> Chat:
        return self.chats[user.id] if chat is None else self.chats[self._chat_id_of(chat)]

    def _inject_user_message(
        self,
        user: User,
        chat: ChatRef | None,
        extra: JsonDict,
        reply_to: JsonDict | int | None,
        thread_id: int | None,
    ) -> Injected:
        with self._lock:
            target = self._chat_for(user, chat)
            message: JsonDict = {
                "message_id": target.allocate_message_id(),
                "from": user.to_json(),
                "chat": target.to_json(),
                "date": now(),
            }
            self._attach_thread(target, message, thread_id, reply_to)
            message.update(copy.deepcopy(extra))
            target.messages[message["message_id"]] = message
            if target.type == "private":
                user.started = True
            update_id = self.inject_update("message", message) if self._bot_sees(target, message) else None
            return Injected(update_id, copy.deepcopy(message), self._update(update_id))

    def _attach_thread(
        self, chat: Chat, message: JsonDict, thread_id: int | None, reply_to: JsonDict | int | None
    ) -> None:
        """Forum topic messages carry the topic id and 'reply' to the topic's creation message."""
        if reply_to is not None:
            reply_id = reply_to if isinstance(reply_to, int) else reply_to["message_id"]
            message["reply_to_message"] = self._quoted(chat, reply_id)
        if thread_id is None:
            return
        message["message_thread_id"] = thread_id
        if chat.is_forum:
            message["is_topic_message"] = True
            topic = chat.topics.get(thread_id)
            if topic is not None and "reply_to_message" not in message:
                message["reply_to_message"] = copy.deepcopy(topic.creation_message)

    @staticmethod
    def _quoted(chat: Chat, message_id: int) -> JsonDict:
        """A replied-to message is embedded without its own reply_to_message."""
        quoted = copy.deepcopy(chat.messages[message_id])
        quoted.pop("reply_to_message", None)
        return quoted

    def _bot_sees(self, chat: Chat, message: JsonDict) -> bool:
        """Privacy mode: in groups a non-admin bot only sees commands, replies and mentions."""
        if chat.type in ("private", "channel") or chat.bot_is_admin or not self.privacy_mode:
            return True
        text = message.get("text") or message.get("caption") or ""
        command = _COMMAND.match(text)
        if command and text.startswith("/"):
            addressee = command.group().partition("@")[2]
            return not addressee or addressee.lower() == self.bot_username.lower()
        replied = message.get("reply_to_message") or {}
        if (replied.get("from") or {}).get("id") == self.bot_user.id and not replied.get("forum_topic_created"):
            return True
        return f"@{self.bot_username}".lower() in text.lower()

    def press_button(
        self,
        user: User,
        message: JsonDict | int,
        callback_data: str | None = None,
        *,
        text: str | None = None,
        chat: ChatRef | None = None,
    ) -> Injected:
        """Press an inline button of a bot message, chosen by callback_data or by its label.

        Raises ValueError when the message has no such button: a real user
        cannot press a button the bot never showed.
        """
        with self._lock:
            target = self._chat_for(user, chat if chat is not None or isinstance(message, int) else message)
            message_id = message if isinstance(message, int) else message["message_id"]
            current = target.messages.get(message_id)
            if current is None:
                raise ValueError(f"no message {message_id} in chat {target.id}")
            button = self._find_button(current, callback_data, text)
            query_id = str(next(self._callback_ids))
            query: JsonDict = {
                "id": query_id,
                "from": user.to_json(),
                "message": copy.deepcopy(current),
                "chat_instance": target.chat_instance,
                "data": button["callback_data"],
            }
            self.callback_queries[query_id] = query
            update_id = self.inject_update("callback_query", query)
            return Injected(update_id, copy.deepcopy(current), self._update(update_id))

    @staticmethod
    def _find_button(message: JsonDict, callback_data: str | None, text: str | None) -> JsonDict:
        for button in inline_buttons(message.get("reply_markup")):
            if "callback_data" not in button:
                continue
            if callback_data is not None and button["callback_data"] == callback_data:
                return button
            if callback_data is None and text is not None and button["text"] == text:
                return button
        labels = [b.get("text") for b in inline_buttons(message.get("reply_markup"))]
        raise ValueError(f"no button {callback_data or text!r} on message; buttons: {labels}")

    def send_channel_post(self, channel: Chat, text: str) -> Injected:
        """A post in a channel where the bot is admin (update type ``channel_post``)."""
        with self._lock:
            target = self.chats[channel.id]
            post: JsonDict = {
                "message_id": target.allocate_message_id(),
                "sender_chat": target.to_json(),
                "chat": target.to_json(),
                "date": now(),
                "text": text,
            }
            found = self._auto_entities(text)
            if found:
                post["entities"] = found
            target.messages[post["message_id"]] = post
            update_id = self.inject_update("channel_post", post)
            return Injected(update_id, copy.deepcopy(post), self._update(update_id))

    def _update(self, update_id: int | None) -> JsonDict | None:
        for update in self._updates:
            if update["update_id"] == update_id:
                return copy.deepcopy(update)
        return None

"""Simulated Telegram users: the update-injection half of the test server's control API.

Each helper builds the Message/CallbackQuery JSON a real client would cause, stores it in the
chat, and queues the update unless Telegram would withhold it from the bot (privacy mode in
groups, allowed_updates). Helpers return :class:`Injected` ``(update_id, message)``;
``update_id`` is None when the bot does not get to see the update.
"""

from __future__ import annotations

import copy
import re

from tests.support.botapi_format import inline_buttons, utf16_len
from tests.support.botapi_model import Chat, Injected, JsonDict, User, now
from tests.support.botapi_state import BotApiState, ChatRef

_COMMAND = re.compile(r"(?:^|(?<=\s))/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}\b")


class SimulatedUsers(BotApiState):
    """What users do: write (in private chats, groups and forum topics), send stickers, press buttons."""

    def send_message(self, user: User, text: str, chat: ChatRef | None = None, reply_to: JsonDict | int | None = None,
                     *, message_thread_id: int | None = None) -> Injected:
        """The user writes ``text``; commands and @mentions get entities, as Telegram's clients add them."""
        extra: JsonDict = {"text": text}
        entities = [
            {"type": kind, "offset": utf16_len(text[: match.start()]), "length": utf16_len(match.group())}
            for pattern, kind in ((_COMMAND, "bot_command"), (_MENTION, "mention"))
            for match in pattern.finditer(text)
        ]
        if entities:
            extra["entities"] = sorted(entities, key=lambda e: e["offset"])
        return self._inject_user_message(user, chat, extra, reply_to, message_thread_id)

    def send_sticker(self, user: User, chat: ChatRef | None = None, *, emoji: str = "👍") -> Injected:
        """A message without text, the way most of what people send looks to a text-only bot."""
        with self._lock:
            file_id, unique_id = self._file_id()
        sticker = {"file_id": file_id, "file_unique_id": unique_id, "file_size": 4, "width": 512, "height": 512,
                   "emoji": emoji, "is_animated": False, "is_video": False, "type": "regular"}
        return self._inject_user_message(user, chat, {"sticker": sticker}, None, None)

    def _chat_for(self, user: User, chat: ChatRef | None) -> Chat:
        return self.chats[user.id] if chat is None else self.chats[self._chat_id_of(chat)]

    def _inject_user_message(self, user: User, chat: ChatRef | None, extra: JsonDict, reply_to: JsonDict | int | None,
                             thread_id: int | None) -> Injected:
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
            return Injected(update_id, copy.deepcopy(message))

    @staticmethod
    def _attach_thread(chat: Chat, message: JsonDict, thread_id: int | None, reply_to: JsonDict | int | None) -> None:
        """Forum topic messages carry the topic id and 'reply' to the topic's creation message."""
        if reply_to is not None:
            quoted = copy.deepcopy(chat.messages[reply_to if isinstance(reply_to, int) else reply_to["message_id"]])
            quoted.pop("reply_to_message", None)  # a replied-to message comes without its own reply
            message["reply_to_message"] = quoted
        if thread_id is None:
            return
        message["message_thread_id"] = thread_id
        if chat.is_forum:
            message["is_topic_message"] = True
            topic = chat.topics.get(thread_id)
            if topic is not None and "reply_to_message" not in message:
                message["reply_to_message"] = copy.deepcopy(topic.creation_message)

    def _bot_sees(self, chat: Chat, message: JsonDict) -> bool:
        """Privacy mode: in groups a non-admin bot only sees commands, replies to it and mentions."""
        if chat.type == "private" or chat.bot_is_admin or not self.privacy_mode:
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

    def press_button(self, user: User, message: JsonDict | int, callback_data: str | None = None, *,
                     text: str | None = None, chat: ChatRef | None = None) -> Injected:
        """Press an inline button of a bot message, chosen by callback_data or by its label.

        Raises ValueError when the message has no such button: a real user cannot press a
        button the bot never showed.
        """
        with self._lock:
            target = self._chat_for(user, chat if chat is not None or isinstance(message, int) else message)
            message_id = message if isinstance(message, int) else message["message_id"]
            current = target.messages.get(message_id)
            if current is None:
                raise ValueError(f"no message {message_id} in chat {target.id}")
            buttons = [b for b in inline_buttons(current.get("reply_markup")) if "callback_data" in b]
            button = next((b for b in buttons if b["callback_data"] == callback_data
                           or (callback_data is None and b["text"] == text)), None)
            if button is None:
                labels = [b["text"] for b in buttons]
                raise ValueError(f"no button {callback_data or text!r} on message; buttons: {labels}")
            query_id = str(next(self._callback_ids))
            query: JsonDict = {
                "id": query_id,
                "from": user.to_json(),
                "message": copy.deepcopy(current),
                "chat_instance": target.chat_instance,
                "data": button["callback_data"],
            }
            self.callback_queries[query_id] = query
            return Injected(self.inject_update("callback_query", query), copy.deepcopy(current))

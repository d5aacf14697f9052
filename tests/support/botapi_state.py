"""The world a Bot API test server simulates, and the bot-side half of its control API.

(What simulated users do lives in :mod:`tests.support.botapi_users`.)

Everything here is synchronous and guarded by one re-entrant lock, so tests may call it from any
thread (the Bot API side runs on an asyncio loop, possibly in a background thread). Waiting
helpers come in a blocking flavour for plain pytest functions and an ``*_async`` flavour for
coroutines.

Update delivery follows the Bot API: an update stays pending until the bot confirms it (a
getUpdates ``offset`` above its ``update_id``, or a 2xx answer from its webhook), so a bot that
dies before confirming gets it again.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from tests.support.botapi_model import (
    NOT_BY_DEFAULT,
    BotEvent,
    Chat,
    Fault,
    JsonDict,
    MessagePredicate,
    RecordedRequest,
    User,
    WebhookConfig,
)

ChatRef = int | Chat | User | JsonDict


class BotApiState:
    """Users, chats, messages, pending updates, the request log and injected faults."""

    def __init__(self, token: str = "123:ABC", bot_username: str = "naeringsbot_test_bot", *,
                 privacy_mode: bool = True, first_update_id: int = 100_000) -> None:
        self.token = token
        self.bot_username = bot_username
        self.privacy_mode = privacy_mode
        bot_id = token.split(":", 1)[0]
        self.bot_user = User(int(bot_id) if bot_id.isdigit() else 1, "Næringsbot", username=bot_username, is_bot=True)
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._listeners: list[Callable[[], None]] = []
        self._loop_thread: int | None = None
        self._ids = itertools.count(1_000_001)
        self._group_ids = itertools.count(4_000_001)
        self._callback_ids = itertools.count(5_000_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self._next_update_id = first_update_id
        self._updates: list[JsonDict] = []
        self._confirmed_offset = 0
        self.allowed_updates: list[str] | None = None
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.commands: dict[str, list[JsonDict]] = {}  # setMyCommands, by language_code ("" for all)
        self.scoped_commands: dict[str, dict[str, list[JsonDict]]] = {}  # other scopes, see botapi_commands
        self.reactions: dict[tuple[int, int], list[str]] = {}  # setMessageReaction, by (chat id, message id)
        self.webhook: WebhookConfig | None = None
        self.callback_queries: dict[str, JsonDict] = {}
        self.callback_answers: dict[str, JsonDict] = {}
        self._requests: list[RecordedRequest] = []
        self._events: list[BotEvent] = []
        self._cursors: dict[int, int] = {}
        self._faults: dict[str, deque[Fault]] = {}

    # ------------------------------------------------------------- plumbing

    def add_listener(self, listener: Callable[[], None]) -> None:
        """The Bot API side registers a wake-up for long polls and webhook delivery."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _changed(self) -> None:
        """Wake every waiter; called with the lock held after any mutation."""
        self._cond.notify_all()
        for listener in list(self._listeners):
            listener()

    def _wait_until(self, find: Callable[[], Any], timeout: float, what: str) -> Any:
        """Block until ``find()`` returns something not None, or fail with context."""
        if self._loop_thread == threading.get_ident():
            raise RuntimeError("this blocking helper would freeze the Bot API's event loop; "
                               "use the *_async variant or ThreadedBotApiServer")
        deadline = time.monotonic() + timeout
        with self._cond:
            while (found := find()) is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
                self._cond.wait(remaining)
            return found

    async def _wait_until_async(self, find: Callable[[], Any], timeout: float, what: str) -> Any:
        """Polling keeps this usable from any event loop, including the Bot API's own."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = find()
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            await asyncio.sleep(0.01)

    # ------------------------------------------------------------ the world

    def add_user(self, first_name: str = "Kari", *, last_name: str | None = None, username: str | None = None,
                 language_code: str | None = None, user_id: int | None = None, started: bool = False) -> User:
        """A user with an implied private chat (chat id == user id).

        ``started=False`` mirrors Telegram: the bot gets 403 "bot can't initiate conversation
        with a user" until the user has written to it.
        """
        with self._lock:
            user = User(user_id or next(self._ids), first_name, last_name, username, language_code, started=started)
            self.users[user.id] = user
            self.chats[user.id] = Chat(user.id, "private", self._chat_instance(user.id), user=user)
            return user

    def add_group(self, title: str = "Test group", type: str = "group", is_forum: bool = False, *,
                  bot_is_admin: bool = False) -> Chat:
        """A group the bot is a member of; forums must be supergroups, like on Telegram."""
        if type not in ("group", "supergroup") or (is_forum and type != "supergroup"):
            raise ValueError("type must be 'group' or 'supergroup', and only supergroups can be forums")
        with self._lock:
            number = next(self._group_ids)
            chat_id = -number if type == "group" else -(1_000_000_000_000 + number)
            chat = Chat(chat_id, type, self._chat_instance(chat_id), title=title, is_forum=is_forum,
                        bot_is_admin=bot_is_admin)
            self.chats[chat_id] = chat
            return chat

    @staticmethod
    def _chat_instance(chat_id: int) -> str:
        return str((abs(chat_id) * 2_654_435_761) % 9_000_000_000_000_000_000 - 4_500_000)

    @staticmethod
    def _chat_id_of(ref: ChatRef) -> int:
        """A chat id, Chat, User (their private chat) or Message dict."""
        if isinstance(ref, (Chat, User)):
            return ref.id
        if isinstance(ref, dict):
            return int(ref["chat"]["id"] if "chat" in ref else ref["id"])
        return int(ref)

    def _file_id(self) -> tuple[str, str]:
        """A new (file_id, file_unique_id) pair shaped like Telegram's."""
        number = next(self._file_ids)
        return f"BQACAgIAAx0C{number:010d}{self.bot_user.id}", f"AgAD{number:06d}"

    # ---------------------------------------------------------- update queue

    def inject_update(self, kind: str, payload: JsonDict) -> int | None:
        """Queue an update of any type; dropped (None) if allowed_updates excludes it.

        Like Telegram, the filter applies when the update is created, so changing
        allowed_updates later does not resurrect or hide already queued updates.
        """
        with self._lock:
            allowed = self.allowed_updates
            if (kind not in allowed) if allowed else (kind in NOT_BY_DEFAULT):
                return None
            update_id = self._next_update_id
            self._next_update_id += 1
            self._updates.append({"update_id": update_id, kind: copy.deepcopy(payload)})
            self._changed()
            return update_id

    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet confirmed by the bot, oldest first."""
        with self._lock:
            return copy.deepcopy(self._updates)

    @property
    def confirmed_offset(self) -> int:
        """Every update with ``update_id`` below this has been confirmed (0: none yet)."""
        with self._lock:
            return self._confirmed_offset

    def confirm_updates(self, offset: int) -> None:
        """getUpdates semantics: forget the updates below ``offset``."""
        with self._lock:
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                self._confirmed_offset = max(self._confirmed_offset, offset)
                self._changed()

    def drop_pending_updates(self) -> None:
        with self._lock:
            if self._updates:
                self.confirm_updates(self._updates[-1]["update_id"] + 1)

    def take_updates(self, limit: int) -> list[JsonDict]:
        with self._lock:
            return copy.deepcopy(self._updates[:limit])

    def wait_for_confirmation(self, update_id: int, timeout: float = 10.0) -> None:
        """Block until the bot has confirmed ``update_id`` (next offset, or webhook 2xx)."""
        self._wait_until(lambda: True if self._confirmed_offset > update_id else None, timeout,
                         f"confirmation of update {update_id}")

    async def wait_for_confirmation_async(self, update_id: int, timeout: float = 10.0) -> None:
        await self._wait_until_async(lambda: True if self._confirmed_offset > update_id else None, timeout,
                                     f"confirmation of update {update_id}")

    # -------------------------------------------------------- what the bot did

    def _record_bot_event(self, chat: Chat, kind: str, message: JsonDict) -> None:
        self._events.append(BotEvent(len(self._events), chat.id, kind, copy.deepcopy(message)))
        self._changed()

    def _record_request(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)
            self._changed()

    def _finish_request(self, request: RecordedRequest, status: int, response: JsonDict | None) -> None:
        with self._lock:
            request.status = status
            request.response = response
            self._changed()

    def bot_messages(self, chat: ChatRef) -> list[JsonDict]:
        """Current state of every message the bot sent in a chat (edits applied)."""
        with self._lock:
            target = self.chats[self._chat_id_of(chat)]
            return [copy.deepcopy(target.messages[mid]) for mid in target.bot_message_ids]

    def _next_bot_message(self, chat_id: int, predicate: MessagePredicate | None,
                          include_edits: bool) -> JsonDict | None:
        kinds = ("sent", "edited") if include_edits else ("sent",)
        for event in self._events[self._cursors.get(chat_id, 0):]:
            self._cursors[chat_id] = event.seq + 1
            if event.chat_id == chat_id and event.kind in kinds and (predicate is None or predicate(event.message)):
                return copy.deepcopy(event.message)
        return None

    def wait_for_bot_message(self, chat: ChatRef, predicate: MessagePredicate | None = None, timeout: float = 10.0,
                             *, include_edits: bool = True) -> JsonDict:
        """Block until the bot sends (or edits) a message in ``chat`` not returned before.

        Each chat has a cursor: messages skipped because ``predicate`` rejected them are
        consumed too. Edited messages come back with ``edit_date``.
        """
        chat_id = self._chat_id_of(chat)
        return self._wait_until(lambda: self._next_bot_message(chat_id, predicate, include_edits), timeout,
                                self._describe_wait(chat_id))

    async def wait_for_bot_message_async(self, chat: ChatRef, predicate: MessagePredicate | None = None,
                                         timeout: float = 10.0, *, include_edits: bool = True) -> JsonDict:
        """Coroutine version of :meth:`wait_for_bot_message`."""
        chat_id = self._chat_id_of(chat)
        return await self._wait_until_async(lambda: self._next_bot_message(chat_id, predicate, include_edits),
                                            timeout, self._describe_wait(chat_id))

    def _describe_wait(self, chat_id: int) -> str:
        with self._lock:
            recent = [e.message.get("text") for e in self._events if e.chat_id == chat_id][-5:]
            methods = [r.method for r in self._requests][-8:]
        return f"a bot message in chat {chat_id} (recent texts {recent}, recent calls {methods})"

    def requests(self, method: str | None = None) -> list[RecordedRequest]:
        """Every call the bot made (method names compare case-insensitively)."""
        with self._lock:
            return [r for r in self._requests if method is None or r.method.lower() == method.lower()]

    def wait_for_request(self, method: str, predicate: Callable[[RecordedRequest], bool] | None = None,
                         timeout: float = 10.0, *, after: int = 0) -> RecordedRequest:
        """Block until a matching request exists at index >= ``after`` of the log."""
        return self._wait_until(self._request_finder(method, predicate, after), timeout, f"a {method} request")

    async def wait_for_request_async(self, method: str, predicate: Callable[[RecordedRequest], bool] | None = None,
                                     timeout: float = 10.0, *, after: int = 0) -> RecordedRequest:
        return await self._wait_until_async(self._request_finder(method, predicate, after), timeout,
                                            f"a {method} request")

    def _request_finder(self, method: str, predicate: Callable[[RecordedRequest], bool] | None,
                        after: int) -> Callable[[], RecordedRequest | None]:
        def find() -> RecordedRequest | None:
            for request in self._requests[after:]:
                if request.method.lower() == method.lower() and (predicate is None or predicate(request)):
                    return request
            return None

        return find

    @property
    def answered_callback_ids(self) -> list[str]:
        with self._lock:
            return list(self.callback_answers)

    # ------------------------------------------------------------- faults

    def fail_next(self, method: str, status: int = 500, count: int = 1, description: str | None = None, *,
                  retry_after: int | None = None, after_processing: bool = False) -> None:
        """Answer the next ``count`` calls of ``method`` with an error.

        429 carries ``parameters.retry_after`` (default 1 s). With ``after_processing`` the call
        takes effect first and only the answer is an error.
        """
        self._add_fault(method, Fault("error", status, description, retry_after, after_processing=after_processing),
                        count)

    def drop_connection_next(self, method: str, count: int = 1, *, after_processing: bool = False) -> None:
        """Close the connection without any answer for the next ``count`` calls: before handling
        them, or after (the message is delivered, the bot never hears so, and sends again)."""
        self._add_fault(method, Fault("drop", after_processing=after_processing), count)

    def delay_next(self, method: str, seconds: float, count: int = 1, *, after_processing: bool = False) -> None:
        """Hold the next ``count`` calls for ``seconds``: before handling them, or after (the call
        takes effect at once, the answer comes late, e.g. past the client's read timeout)."""
        self._add_fault(method, Fault("delay", seconds=seconds, after_processing=after_processing), count)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _add_fault(self, method: str, fault: Fault, count: int) -> None:
        with self._lock:
            self._faults.setdefault(method.lower(), deque()).extend(copy.copy(fault) for _ in range(count))

    def take_fault(self, method: str) -> Fault | None:
        """Pop the fault due for this call of ``method``, if any."""
        with self._lock:
            queue = self._faults.get(method.lower())
            return queue.popleft() if queue else None

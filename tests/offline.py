"""An offline Bot API for handler tests: records every call and answers like Telegram would."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.chat import run_chat
from bot.config import Config
from bot.knowledge.reloader import EngineHolder
from bot.services import Services, load_engines
from handlers.app import build_application

SHIPPED_KNOWLEDGE = (Path(__file__).resolve().parent.parent / "knowledge").resolve()
BOT_ID = 999
BOT_USERNAME = "naeringsbot_test_bot"


class OfflineRequest(BaseRequest):
    """Records ``(method, parameters)`` and answers with minimal, valid Bot API objects."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.results: list[Any] = []
        self.failing: dict[str, str] = {}
        self.refusing_chats: set[int] = set()  # chats that answer 403, like a group that removed the bot
        self._message_ids = itertools.count(1000)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        parameters = request_data.parameters if request_data else {}
        self.calls.append((endpoint, parameters))
        if self.refusing_chats and str(parameters.get("chat_id")) in {str(c) for c in self.refusing_chats}:
            self.results.append(None)
            return 403, json.dumps({"ok": False, "error_code": 403,
                                    "description": "Forbidden: bot is not a member of the supergroup chat"}).encode()
        if endpoint in self.failing:
            self.results.append(None)
            return 400, json.dumps({"ok": False, "error_code": 400, "description": self.failing[endpoint]}).encode()
        result = self._result(endpoint, parameters)
        self.results.append(result)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _result(self, endpoint: str, parameters: dict[str, Any]) -> Any:
        if endpoint == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "Næringsbot", "username": BOT_USERNAME,
                    "can_join_groups": True, "can_read_all_group_messages": False,
                    "supports_inline_queries": False}
        if endpoint in ("sendMessage", "editMessageText", "sendPhoto"):
            chat_id = parameters.get("chat_id", 1)
            return {"message_id": next(self._message_ids), "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"},
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Næringsbot"},
                    "text": parameters.get("text", "")}
        if endpoint == "getUpdates":
            return []
        if endpoint == "createForumTopic":
            return {"message_thread_id": 77, "name": parameters.get("name", ""), "icon_color": 7322096}
        return True

    def message_id_of(self, predicate: Any) -> int:
        """The message id Telegram gave the last sent message matching ``predicate``."""
        for (endpoint, parameters), result in reversed(list(zip(self.calls, self.results, strict=True))):
            if endpoint == "sendMessage" and predicate(parameters):
                return int(result["message_id"])
        raise LookupError("no such message was sent")

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [parameters for endpoint, parameters in self.calls if endpoint == method]

    def last_text(self) -> str:
        return str(self.sent()[-1]["text"])

    def buttons(self, parameters: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        """(text, callback_data) of every inline button in the last sent message."""
        parameters = parameters or self.sent()[-1]
        markup = parameters.get("reply_markup")
        if markup is None:
            return []
        data = markup if isinstance(markup, dict) else json.loads(markup.to_json())
        return [(b["text"], b.get("callback_data", "")) for row in data["inline_keyboard"] for b in row]


_ENGINES: dict[str, EngineHolder] = {}


def shared_engines(config: Config) -> EngineHolder | None:
    """One built matcher per knowledge folder and matching settings for the shipped knowledge base.

    Building it is the slow part of start-up; tests with a knowledge base of their own (which may
    edit and reload it) get a fresh one.
    """
    if config.knowledge_dir.resolve() != SHIPPED_KNOWLEDGE:
        return None
    key = config.matching.model_dump_json() + str(config.knowledge.max_file_kb)
    if key not in _ENGINES:
        _ENGINES[key] = load_engines(config)
    return _ENGINES[key]


def offline_application(config: Config) -> tuple[Application[Any, Any, Any, Any, Any, Any], OfflineRequest]:
    request = OfflineRequest()
    application = build_application(config, "123:TEST", request=request, get_updates_request=OfflineRequest(),
                                     rate_limit=False, engines=shared_engines(config))
    return application, request


class Users:
    """Builds update payloads as Telegram would send them."""

    def __init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def message(self, text: str | None, user_id: int = 42, lang: str = "nb", chat: dict[str, Any] | None = None,
                **extra: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat or {"id": user_id, "type": "private", "first_name": "Kari"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Kari", "language_code": lang},
            **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": self.next_update_id(), "message": message}

    def press(self, data: str, user_id: int = 42, lang: str = "nb") -> dict[str, Any]:
        return {
            "update_id": self.next_update_id(),
            "callback_query": {
                "id": str(next(self._message_ids)),
                "from": {"id": user_id, "is_bot": False, "first_name": "Kari", "language_code": lang},
                "chat_instance": "ci-1",
                "data": data,
                "message": {
                    "message_id": 500, "date": int(time.time()),
                    "chat": {"id": user_id, "type": "private"},
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Næringsbot"},
                    "text": "menu",
                },
            },
        }


async def feed(application: Application[Any, Any, Any, Any, Any, Any], payload: dict[str, Any]) -> None:
    await application.process_update(Update.de_json(payload, application.bot))


def iter_texts(request: OfflineRequest) -> Iterator[str]:
    return (str(parameters.get("text")) for parameters in request.sent())


def terminal_chat(services: Services, lines: list[str], lang: str = "nb") -> list[str]:
    """The terminal chat fed ``lines`` (then Ctrl-D), and everything it printed."""
    inputs = iter(lines)
    output: list[str] = []

    def read(_prompt: str) -> str:
        try:
            return next(inputs)
        except StopIteration:
            raise EOFError from None

    run_chat(services.assistant, "en" if lang == "en" else "nb", read, output.append, user="tester")
    return output


def config_for(tmp_path: Path, base: Config, **overrides: Any) -> Config:
    """The shipped config with the database in ``tmp_path`` and optional section overrides."""
    data = base.model_dump(exclude={"base_dir"})
    data["storage"]["database"] = str(tmp_path / "inquiries.db")
    for key, value in overrides.items():
        section, _, name = key.partition("__")
        if name:
            data[section][name] = value
        else:
            data[section] = value
    return Config.model_validate({**data, "base_dir": base.base_dir})


class Harness:
    def __init__(self, application: Any, request: OfflineRequest, users: Users) -> None:
        self.app = application
        self.request = request
        self.users = users

    async def say(self, text: str | None, **kwargs: Any) -> dict[str, Any]:
        payload = self.users.message(text, **kwargs)
        await feed(self.app, payload)
        return payload

    async def press(self, data: str, **kwargs: Any) -> dict[str, Any]:
        payload = self.users.press(data, **kwargs)
        await feed(self.app, payload)
        return payload

    def rows(self, where: str = "1 = 1") -> list[dict[str, Any]]:
        return list(self.app.bot_data.services.db.query(f"select * from inquiries where {where} order by id"))


async def harness_for(config: Config) -> AsyncIterator[Harness]:
    application, request = offline_application(config)
    async with application:
        await application.post_init(application)  # type: ignore[misc]
        yield Harness(application, request, Users())
        await application.post_shutdown(application)  # type: ignore[misc]

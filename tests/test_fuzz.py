"""Fuzzing: whatever Telegram delivers, no exception reaches the error handler and replies stay few."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot.config import Config
from tests.offline import BOT_USERNAME, config_for, offline_application

MAX_REPLIES_PER_UPDATE = 3

texts = st.text(max_size=4096) | st.sampled_from(
    ["/start", "/start flyer", "/help x y", "/language", "/forget", "/contact", "/reload", "/stats 2026",
     f"/topics@{BOT_USERNAME}", f"@{BOT_USERNAME}", "", " ", "\u202e", "🙂" * 40]
)
entities = st.lists(
    st.fixed_dictionaries({
        "type": st.sampled_from(["bot_command", "mention", "bold", "url", "text_link", "hashtag"]),
        "offset": st.integers(0, 50),
        "length": st.integers(0, 50),
    }),
    max_size=3,
)
chats = st.sampled_from([
    {"id": 42, "type": "private", "first_name": "Kari"},
    {"id": -100, "type": "group", "title": "Gruppe"},
    {"id": -1001, "type": "supergroup", "title": "Super", "is_forum": True},
])
users = st.fixed_dictionaries(
    {"id": st.integers(1, 10**10), "is_bot": st.just(False), "first_name": st.text(min_size=1, max_size=20)},
    optional={"language_code": st.sampled_from(["nb", "nn", "en", "de", "", "zh-hans"]),
              "username": st.text(max_size=10)},
)


@st.composite
def messages(draw: st.DrawFn) -> dict[str, Any]:
    message: dict[str, Any] = {"message_id": draw(st.integers(1, 10**6)), "date": 0, "chat": draw(chats)}
    if draw(st.booleans()):
        message["from"] = draw(users)
    kind = draw(st.sampled_from(["text", "caption", "photo", "empty"]))
    if kind == "text":
        message["text"] = draw(texts)
        message["entities"] = draw(entities)
    elif kind == "caption":
        message["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
        message["caption"] = draw(texts)
        message["caption_entities"] = draw(entities)
    elif kind == "photo":
        message["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    return message


@st.composite
def callbacks(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(st.text(max_size=64) | st.from_regex(r"[a-z]:[a-z0-9:+\-]{0,40}", fullmatch=True))
    query: dict[str, Any] = {"id": str(draw(st.integers(1, 10**9))), "from": draw(users), "chat_instance": "x",
                             "data": data}
    if draw(st.booleans()):
        query["message"] = {"message_id": 5, "date": 0, "chat": draw(chats), "text": "menu"}
    return query


updates = st.one_of(
    st.builds(lambda m: {"message": m}, messages()),
    st.builds(lambda m: {"edited_message": {**m, "edit_date": 1}}, messages()),
    st.builds(lambda m: {"channel_post": {**m, "chat": {"id": -5, "type": "channel", "title": "C"}}}, messages()),
    st.builds(lambda q: {"callback_query": q}, callbacks()),
)


class Runner:
    """One application and event loop for all examples: building it per example would be slow."""

    def __init__(self, config: Config) -> None:
        self.loop = asyncio.new_event_loop()
        self.application, self.request = offline_application(config)
        self.loop.run_until_complete(self.application.initialize())
        self.loop.run_until_complete(self.application.post_init(self.application))  # type: ignore[misc]
        self.update_id = 0

    def feed(self, payload: dict[str, Any]) -> int:
        self.update_id += 1
        before = len(self.request.calls)
        update = Update.de_json({"update_id": self.update_id, **payload}, self.application.bot)
        self.loop.run_until_complete(self.application.process_update(update))
        return sum(1 for endpoint, _ in self.request.calls[before:] if endpoint.startswith("send"))

    def close(self) -> None:
        self.loop.run_until_complete(self.application.post_shutdown(self.application))  # type: ignore[misc]
        self.loop.run_until_complete(self.application.shutdown())
        self.loop.close()


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory, shipped_config: Config) -> Iterator[Runner]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    built = Runner(config_for(folder, shipped_config, flood={"max_messages": 10**6, "per_seconds": 1}))
    yield built
    built.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(payload=updates)
def test_no_update_raises_or_floods_the_chat(runner: Runner, payload: dict[str, Any],
                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        replies = runner.feed(payload)
    assert "Error while handling" not in caplog.text
    assert replies <= MAX_REPLIES_PER_UPDATE


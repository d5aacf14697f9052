"""Faults on the wire: Telegram answers 429 and 5xx now and then, connections drop, answers arrive too late.

Whatever happens, every user message is answered (at worst with "please try again"), the bot carries
on, and the inquiry log holds exactly one row per message, also across a restart.

The bot's own code meets the faults in process: ``handlers.runner.poll`` over the application
``handlers.app.build_application`` builds (rate limiter, handlers, database and all), with
python-telegram-bot talking to the simulated Bot API through a ``BaseRequest`` that gives the same
answers and raises the same errors as its HTTP transport. Only a bot stopped before it could confirm a
question, and started again, needs the real process against the HTTP server.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from bot.config import Config
from bot.phrases import phrase
from handlers.app import build_application
from handlers.runner import AnyApplication, poll
from tests.offline import config_for
from tests.support.botapi import InProcessBotApi, ThreadedBotApiServer
from tests.support.botapi_model import JsonDict, RecordedRequest, User
from tests.support.botprocess import TOKEN, BotProcess

QUESTION = "hva er visit drammensregionen"
ANSWERED = "Visit Drammensregionen"
SORRY = phrase("error", "nb")
POLL_TIMEOUT = 1
GET_UPDATES_READ_TIMEOUT = POLL_TIMEOUT + 0.5  # handlers.runner: telegram.poll_timeout + read_timeout_margin
SEND_READ_TIMEOUT = 1.0  # stands in for python-telegram-bot's 5 s default: the same TimedOut, sooner
NO_FLOOD = {"max_messages": 1000, "per_seconds": 1}

# The bot reads RetryAfter.retry_after as python-telegram-bot 22 hands it over (an int, for now).
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
in_process = pytest.mark.asyncio(loop_scope="module")  # one bot for the module, as one process served them before


@dataclass
class Bot:
    """The bot under test, polling the in-process Bot API."""

    api: InProcessBotApi
    application: AnyApplication
    users: int = 0

    def new_user(self) -> User:
        self.users += 1
        return self.api.add_user(f"Bruker {self.users}", language_code="nb")

    def ask(self, user: User, text: str = QUESTION) -> int:
        update_id = self.api.send_message(user, text).update_id
        assert update_id is not None
        return update_id

    async def reply(self, user: User, timeout: float = 15) -> JsonDict:
        return await self.api.wait_for_bot_message_async(user, timeout=timeout)

    async def settle(self, update_id: int) -> None:
        """Wait until the bot has confirmed the update: handled and logged, as far as it knows."""
        await self.api.wait_for_confirmation_async(update_id, timeout=20)

    def rows_for(self, update_id: int) -> int:
        db = self.application.bot_data.services.db
        return len(list(db.query("select id from inquiries where update_id = ?", [update_id])))

    def answers(self, user: User) -> list[str]:
        return [text for message in self.api.bot_messages(user) if ANSWERED in (text := message.get("text", ""))]

    def requests_since(self, index: int, method: str) -> list[RecordedRequest]:
        return [request for request in self.api.requests()[index:] if request.method.lower() == method.lower()]

    async def answered(self, method: str, status: int, after: int) -> RecordedRequest:
        """The first ``method`` call after index ``after`` of the request log that was answered ``status``."""
        return await self.api.wait_for_request_async(method, lambda request: request.status == status, timeout=15,
                                                     after=after)

    async def next_call(self, method: str, request: RecordedRequest) -> RecordedRequest:
        index = self.api.requests().index(request) + 1
        return await self.api.wait_for_request_async(method, timeout=15, after=index)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def running(tmp_path_factory: pytest.TempPathFactory, shipped_config: Config) -> AsyncIterator[Bot]:
    """The bot as ``naeringsbot run`` serves it (``handlers.runner.serve`` without its signal handlers)."""
    config = config_for(tmp_path_factory.mktemp("faults"), shipped_config, telegram__poll_timeout=POLL_TIMEOUT,
                        telegram__read_timeout_margin=GET_UPDATES_READ_TIMEOUT - POLL_TIMEOUT,
                        flood__max_messages=NO_FLOOD["max_messages"], flood__per_seconds=NO_FLOOD["per_seconds"],
                        profile__ask=False)
    async with InProcessBotApi(token=TOKEN) as api:
        application = build_application(config, TOKEN, request=api.request(SEND_READ_TIMEOUT),
                                        get_updates_request=api.request(SEND_READ_TIMEOUT))
        assert application.post_init is not None and application.post_shutdown is not None
        stop = asyncio.Event()
        await application.initialize()
        await application.post_init(application)
        await application.start()
        polling = asyncio.create_task(poll(application, config.telegram, stop))
        try:
            yield Bot(api, application)
            db = application.bot_data.services.db
            assert list(db.query("select update_id from inquiries group by update_id having count(*) > 1")) == []
        finally:
            stop.set()
            await polling
            await application.stop()
            await application.shutdown()
            await application.post_shutdown(application)
    assert api.errors == []


@pytest.fixture
def bot(running: Bot) -> Iterator[Bot]:
    """The module's bot; each test talks to it as a new user, and its leftover faults are cleared."""
    yield running
    running.api.clear_faults()


# 429 Too Many Requests ------------------------------------------------------------------------------

@in_process
async def test_429_on_send_is_waited_out_and_the_answer_arrives_once(bot: Bot) -> None:
    user = bot.new_user()
    start = len(bot.api.requests())
    bot.api.fail_next("sendMessage", 429, retry_after=1)
    update_id = bot.ask(user)
    await bot.reply(user)
    await bot.settle(update_id)
    assert len(bot.answers(user)) == 1
    sends = bot.requests_since(start, "sendMessage")
    assert [request.status for request in sends][:2] == [429, 200]
    assert sends[1].time - sends[0].time >= 1 - 0.05  # as long as Telegram asked
    assert bot.rows_for(update_id) == 1


@in_process
async def test_429_beyond_the_rate_limiters_retries_is_logged_once_and_the_bot_carries_on(bot: Bot) -> None:
    """Four 429s in a row exhaust AIORateLimiter(max_retries=3); send() does not retry a 429 itself.

    The user then gets "please try again" from the error handler instead of the answer: the inquiry
    is still logged once, the update confirmed, and the next question answered normally.
    """
    user = bot.new_user()
    bot.api.fail_next("sendMessage", 429, count=4, retry_after=1)
    update_id = bot.ask(user)
    reply = await bot.reply(user, timeout=20)
    assert ANSWERED in reply["text"] or reply["text"] == SORRY
    await bot.settle(update_id)
    assert bot.rows_for(update_id) == 1

    again = bot.ask(user)
    assert ANSWERED in (await bot.reply(user))["text"]
    await bot.settle(again)
    assert bot.rows_for(again) == 1


@in_process
async def test_429_on_get_updates_waits_retry_after_then_fetches_again(bot: Bot) -> None:
    user = bot.new_user()
    start = len(bot.api.requests())
    bot.api.fail_next("getUpdates", 429, retry_after=2)
    refused = await bot.answered("getUpdates", 429, after=start)
    update_id = bot.ask(user)
    assert ANSWERED in (await bot.reply(user))["text"]
    await bot.settle(update_id)
    assert (await bot.next_call("getUpdates", refused)).time - refused.time >= 2 - 0.05
    assert bot.rows_for(update_id) == 1


# 5xx -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [500, 502])
@in_process
async def test_5xx_on_send_is_retried_and_the_answer_arrives_once(bot: Bot, status: int) -> None:
    user = bot.new_user()
    bot.api.fail_next("sendMessage", status, count=2)
    update_id = bot.ask(user)
    await bot.reply(user)
    await bot.settle(update_id)
    assert len(bot.answers(user)) == 1  # the failed calls delivered nothing, the third did
    assert bot.rows_for(update_id) == 1


@in_process
async def test_5xx_on_get_updates_backs_off_then_recovers(bot: Bot) -> None:
    user = bot.new_user()
    start = len(bot.api.requests())
    bot.api.fail_next("getUpdates", 500)
    bot.api.fail_next("getUpdates", 502)
    first = await bot.answered("getUpdates", 500, after=start)
    second = await bot.answered("getUpdates", 502, after=start)
    update_id = bot.ask(user)
    assert ANSWERED in (await bot.reply(user))["text"]
    await bot.settle(update_id)
    assert second.time - first.time >= 1 - 0.05  # then 1 s, then 2 s: no hot loop against a failing API
    assert (await bot.next_call("getUpdates", second)).time - second.time >= 2 - 0.05
    assert bot.rows_for(update_id) == 1


# Dropped connections and timeouts ------------------------------------------------------------------

@in_process
async def test_a_dropped_get_updates_connection_is_retried(bot: Bot) -> None:
    user = bot.new_user()
    start = len(bot.api.requests())
    bot.api.drop_connection_next("getUpdates")
    await bot.answered("getUpdates", 0, after=start)  # 0: no answer at all
    update_id = bot.ask(user)
    assert ANSWERED in (await bot.reply(user))["text"]
    await bot.settle(update_id)
    assert bot.rows_for(update_id) == 1


@pytest.mark.parametrize("after_processing", [False, True], ids=["before-delivery", "after-delivery"])
@in_process
async def test_a_dropped_send_is_retried_and_logged_once(bot: Bot, after_processing: bool) -> None:
    """After delivery the bot never sees Telegram's answer, so it sends again: twice beats never."""
    user = bot.new_user()
    bot.api.drop_connection_next("sendMessage", after_processing=after_processing)
    update_id = bot.ask(user)
    await bot.reply(user)
    await bot.settle(update_id)
    assert len(bot.answers(user)) == (2 if after_processing else 1)
    assert bot.rows_for(update_id) == 1


@in_process
async def test_a_send_answered_after_the_read_timeout_is_retried_and_logged_once(bot: Bot) -> None:
    user = bot.new_user()
    bot.api.delay_next("sendMessage", SEND_READ_TIMEOUT + 0.5, after_processing=True)
    update_id = bot.ask(user)
    await bot.reply(user)  # delivered at once, confirmed too late
    await bot.settle(update_id)
    assert len(bot.answers(user)) == 2
    assert bot.rows_for(update_id) == 1


@in_process
async def test_updates_in_a_get_updates_answer_that_came_too_late_are_fetched_again(bot: Bot) -> None:
    user = bot.new_user()
    start = len(bot.api.requests())
    bot.api.fail_next("getUpdates", 500)  # the bot pauses a second, so the question waits for the next call
    bot.api.delay_next("getUpdates", GET_UPDATES_READ_TIMEOUT + 0.5, after_processing=True)
    failed = await bot.answered("getUpdates", 500, after=start)
    update_id = bot.ask(user)
    assert ANSWERED in (await bot.reply(user, timeout=30))["text"]
    await bot.settle(update_id)
    late = await bot.next_call("getUpdates", failed)
    await bot.api.wait_for_request_async("getUpdates", lambda request: request is late and request.status == 200)
    assert late.response is not None
    assert update_id in [update["update_id"] for update in late.response["result"]]  # lost on the way
    assert len(bot.answers(user)) == 1
    assert bot.rows_for(update_id) == 1


# A restart -----------------------------------------------------------------------------------------

def answer_from(process: BotProcess, server: ThreadedBotApiServer, user: User) -> str:
    try:
        return str(server.wait_for_bot_message(user, timeout=30)["text"])
    except TimeoutError as error:
        raise AssertionError(f"no answer from the bot process; its log:\n{process.log}") from error


@pytest.mark.e2e
def test_a_question_the_bot_could_not_confirm_before_it_stopped_is_answered_after_a_restart_and_logged_once(
    tmp_path: Path,
) -> None:
    """The real process against the HTTP server: stopped before it could confirm a question, then started again."""
    with ThreadedBotApiServer(token=TOKEN) as server:
        user = server.add_user("Bruker", language_code="nb")
        update_id = server.send_message(user, QUESTION).update_id
        assert update_id is not None
        server.delay_next("getUpdates", 0)  # the first call fetches the question, ...
        server.fail_next("getUpdates", 500, count=50)  # ... but none can confirm it, not even the one at shutdown
        process = BotProcess(tmp_path, server, flood=NO_FLOOD).start()
        try:
            assert ANSWERED in answer_from(process, server, user)
            server.wait_for_request("getUpdates", lambda request: request.status == 500, timeout=15)
        finally:
            assert process.stop() == 0, process.log
        server.clear_faults()
        assert [update["update_id"] for update in server.pending_updates()] == [update_id]

        process.start()  # a new process; Telegram delivers the unconfirmed question again
        try:
            assert ANSWERED in answer_from(process, server, user)
            server.wait_for_confirmation(update_id, timeout=20)
        finally:
            assert process.stop() == 0, process.log
        assert len([m for m in server.bot_messages(user) if ANSWERED in m.get("text", "")]) == 2
        assert server.errors == []
    assert [row["update_id"] for row in process.rows("select update_id from inquiries")] == [update_id]
    assert TOKEN not in process.log

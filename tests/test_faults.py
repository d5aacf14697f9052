"""Faults on the wire: the real bot process against a Bot API test server that misbehaves on purpose.

Telegram answers 429 and 5xx now and then, connections drop, answers arrive too late. Whatever
happens, every user message is answered (at worst with "please try again"), the bot carries on,
and the inquiry log holds exactly one row per message, also across a restart.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.phrases import phrase
from tests.support.botapi import ThreadedBotApiServer
from tests.support.botapi_model import RecordedRequest, User
from tests.support.botprocess import TOKEN, BotProcess

pytestmark = pytest.mark.e2e

QUESTION = "hva er visit drammensregionen"
ANSWERED = "Visit Drammensregionen"
SORRY = phrase("error", "nb")
GET_UPDATES_READ_TIMEOUT = 1 + 1  # handlers.runner: telegram.poll_timeout + read_timeout_margin (both 1 here)
SEND_READ_TIMEOUT = 5.0  # python-telegram-bot's default read timeout for every other call


def bot_process(tmp_path: Path, server: ThreadedBotApiServer) -> BotProcess:
    return BotProcess(tmp_path, server, flood={"max_messages": 1000, "per_seconds": 1})


@dataclass
class Run:
    """The bot process under test and every user message injected while it ran."""

    tmp_path: Path
    server: ThreadedBotApiServer
    process: BotProcess
    injected: list[int] = field(default_factory=list)
    users: int = 0

    def start(self) -> None:
        self.process = bot_process(self.tmp_path, self.server).start()

    def new_user(self) -> User:
        self.users += 1
        return self.server.add_user(f"Bruker {self.users}", language_code="nb")

    def ask(self, user: User, text: str = QUESTION) -> int:
        update_id = self.server.send_message(user, text).update_id
        assert update_id is not None
        self.injected.append(update_id)
        return update_id

    def rows_for(self, update_id: int) -> int:
        return len(self.process.rows("select id from inquiries where update_id = ?", [update_id]))

    def answers(self, user: User) -> list[str]:
        texts = [message.get("text", "") for message in self.server.bot_messages(user)]
        return [text for text in texts if ANSWERED in text]

    def settle(self, update_id: int) -> None:
        """Wait until the bot has confirmed the update: handled and logged, as far as it knows."""
        self.server.wait_for_confirmation(update_id, timeout=20)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """A server of its own, so that no other bot process polls it, and one bot for the module."""
    with ThreadedBotApiServer(token=TOKEN, bot_username="naeringsbot_test_bot") as server:
        tmp_path = tmp_path_factory.mktemp("faults")
        run = Run(tmp_path, server, bot_process(tmp_path, server).start())
        warm_up = run.new_user()
        run.server.send_message(warm_up, "/start")
        run.server.wait_for_bot_message(warm_up, timeout=30)
        yield run
        assert run.process.stop() == 0, run.process.log
        assert TOKEN not in run.process.log
        assert server.errors == []


@pytest.fixture(autouse=True)
def _no_leftover_faults(run: Run) -> Iterator[None]:
    yield
    run.server.clear_faults()


def requests_since(run: Run, index: int, method: str) -> list[RecordedRequest]:
    return [request for request in run.server.requests()[index:] if request.method.lower() == method.lower()]


def wait_for_status(run: Run, method: str, status: int, after: int) -> RecordedRequest:
    """The first ``method`` call after index ``after`` of the request log that was answered ``status``."""
    return run.server.wait_for_request(method, lambda request: request.status == status, timeout=15, after=after)


def next_request_after(run: Run, method: str, request: RecordedRequest) -> RecordedRequest:
    index = run.server.requests().index(request) + 1
    return run.server.wait_for_request(method, timeout=15, after=index)


# 429 Too Many Requests ------------------------------------------------------------------------------

def test_429_on_send_is_waited_out_and_the_answer_arrives_once(run: Run) -> None:
    user = run.new_user()
    start = len(run.server.requests())
    run.server.fail_next("sendMessage", 429, retry_after=1)
    update_id = run.ask(user)
    run.server.wait_for_bot_message(user, timeout=15)
    run.settle(update_id)
    assert len(run.answers(user)) == 1
    sends = requests_since(run, start, "sendMessage")
    assert [request.status for request in sends][:2] == [429, 200]
    assert sends[1].time - sends[0].time >= 1 - 0.05  # as long as Telegram asked
    assert run.rows_for(update_id) == 1


def test_429_beyond_the_rate_limiters_retries_is_logged_once_and_the_bot_carries_on(run: Run) -> None:
    """Four 429s in a row exhaust AIORateLimiter(max_retries=3); send() does not retry a 429 itself.

    The user then gets "please try again" from the error handler instead of the answer: the inquiry
    is still logged once, the update confirmed, and the next question answered normally.
    """
    user = run.new_user()
    run.server.fail_next("sendMessage", 429, count=4, retry_after=1)
    update_id = run.ask(user)
    reply = run.server.wait_for_bot_message(user, timeout=20)
    assert ANSWERED in reply["text"] or reply["text"] == SORRY
    run.settle(update_id)
    assert run.rows_for(update_id) == 1

    again = run.ask(user)
    assert ANSWERED in run.server.wait_for_bot_message(user)["text"]
    run.settle(again)
    assert run.rows_for(again) == 1


def test_429_on_get_updates_waits_retry_after_then_fetches_again(run: Run) -> None:
    user = run.new_user()
    start = len(run.server.requests())
    run.server.fail_next("getUpdates", 429, retry_after=2)
    refused = wait_for_status(run, "getUpdates", 429, after=start)
    update_id = run.ask(user)
    assert ANSWERED in run.server.wait_for_bot_message(user, timeout=15)["text"]
    run.settle(update_id)
    assert next_request_after(run, "getUpdates", refused).time - refused.time >= 2 - 0.05
    assert run.rows_for(update_id) == 1


# 5xx -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [500, 502])
def test_5xx_on_send_is_retried_and_the_answer_arrives_once(run: Run, status: int) -> None:
    user = run.new_user()
    run.server.fail_next("sendMessage", status, count=2)
    update_id = run.ask(user)
    run.server.wait_for_bot_message(user, timeout=15)
    run.settle(update_id)
    assert len(run.answers(user)) == 1  # the failed calls delivered nothing, the third did
    assert run.rows_for(update_id) == 1


def test_5xx_on_get_updates_backs_off_then_recovers(run: Run) -> None:
    user = run.new_user()
    start = len(run.server.requests())
    run.server.fail_next("getUpdates", 500)
    run.server.fail_next("getUpdates", 502)
    first = wait_for_status(run, "getUpdates", 500, after=start)
    second = wait_for_status(run, "getUpdates", 502, after=start)
    update_id = run.ask(user)
    assert ANSWERED in run.server.wait_for_bot_message(user, timeout=15)["text"]
    run.settle(update_id)
    assert second.time - first.time >= 1 - 0.05  # then 1 s, then 2 s: no hot loop against a failing API
    assert next_request_after(run, "getUpdates", second).time - second.time >= 2 - 0.05
    assert run.rows_for(update_id) == 1


# Dropped connections and timeouts ------------------------------------------------------------------

def test_a_dropped_get_updates_connection_is_retried(run: Run) -> None:
    user = run.new_user()
    start = len(run.server.requests())
    run.server.drop_connection_next("getUpdates")
    wait_for_status(run, "getUpdates", 0, after=start)  # 0: no HTTP answer at all
    update_id = run.ask(user)
    assert ANSWERED in run.server.wait_for_bot_message(user, timeout=15)["text"]
    run.settle(update_id)
    assert run.rows_for(update_id) == 1


@pytest.mark.parametrize("after_processing", [False, True], ids=["before-delivery", "after-delivery"])
def test_a_dropped_send_is_retried_and_logged_once(run: Run, after_processing: bool) -> None:
    """After delivery the bot never sees Telegram's answer, so it sends again: twice beats never."""
    user = run.new_user()
    run.server.drop_connection_next("sendMessage", after_processing=after_processing)
    update_id = run.ask(user)
    run.server.wait_for_bot_message(user, timeout=15)
    run.settle(update_id)
    assert len(run.answers(user)) == (2 if after_processing else 1)
    assert run.rows_for(update_id) == 1


def test_a_send_answered_after_the_read_timeout_is_retried_and_logged_once(run: Run) -> None:
    user = run.new_user()
    run.server.delay_next("sendMessage", SEND_READ_TIMEOUT + 0.5, after_processing=True)
    update_id = run.ask(user)
    run.server.wait_for_bot_message(user, timeout=15)  # delivered at once, confirmed too late
    run.settle(update_id)
    assert len(run.answers(user)) == 2
    assert run.rows_for(update_id) == 1


def test_updates_in_a_get_updates_answer_that_came_too_late_are_fetched_again(run: Run) -> None:
    user = run.new_user()
    start = len(run.server.requests())
    run.server.fail_next("getUpdates", 500)  # the bot pauses a second, so the question waits for the next call
    run.server.delay_next("getUpdates", GET_UPDATES_READ_TIMEOUT + 0.5, after_processing=True)
    wait_for_status(run, "getUpdates", 500, after=start)
    update_id = run.ask(user)
    assert ANSWERED in run.server.wait_for_bot_message(user, timeout=30)["text"]
    run.settle(update_id)
    late = wait_for_status(run, "getUpdates", 200, after=start)
    assert update_id in [update["update_id"] for update in late.response["result"]]  # lost on the way
    assert len(run.answers(user)) == 1
    assert run.rows_for(update_id) == 1


# After everything ----------------------------------------------------------------------------------

def test_after_every_fault_and_a_restart_each_message_has_exactly_one_row(run: Run) -> None:
    """Last in the module: the bot is stopped before it could confirm a question, then started again."""
    user = run.new_user()
    start = len(run.server.requests())
    run.server.fail_next("getUpdates", 500)  # the bot pauses a second, then ...
    run.server.delay_next("getUpdates", 0)  # ... fetches the question normally, ...
    run.server.fail_next("getUpdates", 500, count=50)  # ... but cannot confirm it, not even at shutdown
    wait_for_status(run, "getUpdates", 500, after=start)
    update_id = run.ask(user)
    assert ANSWERED in run.server.wait_for_bot_message(user, timeout=15)["text"]
    assert run.process.stop() == 0, run.process.log
    run.server.clear_faults()
    assert update_id in [update["update_id"] for update in run.server.pending_updates()]

    run.start()  # a new process; Telegram delivers the unconfirmed question again
    assert ANSWERED in run.server.wait_for_bot_message(user, timeout=30)["text"]
    run.settle(update_id)
    assert len(run.answers(user)) == 2

    deadline = time.monotonic() + 10
    while run.server.pending_updates() and time.monotonic() < deadline:
        time.sleep(0.05)
    duplicates = run.process.rows("select update_id, count(*) as n from inquiries group by update_id having n > 1")
    assert duplicates == []
    logged = {row["update_id"] for row in run.process.rows("select update_id from inquiries")}
    assert set(run.injected) <= logged, sorted(set(run.injected) - logged)

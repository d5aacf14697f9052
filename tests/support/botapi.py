"""A local Telegram Bot API for tests of Næringsbot: in process, or served over HTTP.

:class:`InProcessBotApi` answers python-telegram-bot through :class:`BotApiTransport`, a
``BaseRequest`` with no sockets, for tests of how the bot's own code handles Bot API answers and
faults. :class:`BotApiServer` serves the same API over HTTP (JSON, form and multipart bodies;
long-polling getUpdates; webhook delivery with retries and the secret header), and
:class:`ThreadedBotApiServer` does so from a thread of its own, for the real bot process::

    with ThreadedBotApiServer(token="123:ABC") as server:
        kari = server.add_user("Kari", language_code="nb")
        server.send_message(kari, "/start")
        reply = server.wait_for_bot_message(kari)

Tests act as Telegram users through :class:`~tests.support.botapi_users.SimulatedUsers` and
read, wait and inject faults (error statuses, 429 with ``retry_after``, dropped connections,
late answers) through :class:`~tests.support.botapi_state.BotApiState`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
import time
import traceback
from typing import Any

import aiohttp
from aiohttp import web
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from tests.support.botapi_methods import METHODS, Described, prepare_get_updates
from tests.support.botapi_model import Fault, JsonDict, RecordedRequest, WebhookConfig
from tests.support.botapi_state import BotApiState
from tests.support.botapi_users import SimulatedUsers
from tests.support.botapi_wire import ApiError, Params, UploadedFile, bad_request, error_for_status, normalise

__all__ = ["ApiError", "BotApiServer", "BotApiTransport", "InProcessBotApi", "ThreadedBotApiServer"]

Answer = tuple[int, JsonDict]
HTTPX_READ_TIMEOUT = 5.0  # python-telegram-bot's default, which the bot keeps for every call but getUpdates
_TOKEN_FORMAT = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_METHOD_NOT_FOUND = ApiError(404, "Not Found: method not found")
_SUPERSEDED = ApiError(
    409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
_WEBHOOK_SET = ApiError(409, "Conflict: terminated by setWebhook request")


class _Dispatcher:
    """Runs Bot API calls against the state on one event loop: faults, long polls, the request log."""

    def __init__(self, state: BotApiState) -> None:
        self.state = state
        self.errors: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event = asyncio.Event()
        self._poll_generation = 0
        self._calls: set[asyncio.Future[Answer | None]] = set()

    def attach(self) -> None:
        """Serve from the running event loop."""
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        self.state._loop_thread = threading.get_ident()
        self.state.add_listener(self._notify)

    async def detach(self) -> None:
        """End every long poll and wait for the calls still running."""
        self.state.remove_listener(self._notify)
        self._poll_generation += 1
        self._wake()
        await asyncio.gather(*self._calls, return_exceptions=True)
        self.state._loop_thread = None

    def _notify(self) -> None:
        """State listener; may run on any thread, so hop onto the loop."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    def changed(self) -> asyncio.Event:
        """An event that is set at the next change of the state."""
        return self._event

    def refuse(self, token: str) -> Answer | None:
        """Telegram's answer to a malformed (404) or wrong (401) token, or None for the bot's own."""
        if not _TOKEN_FORMAT.match(token):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if token != self.state.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        return None

    async def call(self, http_method: str, method: str, params: Params, timeout: float | None = None) -> Answer | None:
        """One call as Telegram answers it, faults included; None means the connection drops.

        The call runs to its end even when the client stops waiting (``timeout``, then
        TimeoutError), so its effects and the request log are what Telegram's side would have.
        """
        task = asyncio.ensure_future(self._run(http_method, method, params))
        self._calls.add(task)
        task.add_done_callback(self._calls.discard)
        return await asyncio.wait_for(asyncio.shield(task), timeout)

    async def _run(self, http_method: str, method: str, params: Params) -> Answer | None:
        record = RecordedRequest(method, normalise(params.values), dict(params.files), time.time(), http_method)
        self.state._record_request(record)
        fault = self.state.take_fault(method)
        answer: Answer | None
        if fault is not None and not fault.after_processing and fault.kind != "delay":
            answer = self._injected(fault)
        else:
            if fault is not None and not fault.after_processing:
                await asyncio.sleep(fault.seconds)
            answer = await self.execute(method, params)
            if fault is not None and fault.after_processing:
                if fault.kind == "delay":
                    await asyncio.sleep(fault.seconds)
                else:
                    answer = self._injected(fault)
        status, body = answer or (0, None)
        self.state._finish_request(record, status, body)
        return answer

    @staticmethod
    def _injected(fault: Fault) -> Answer | None:
        if fault.kind == "drop":
            return None
        error = error_for_status(fault.status, fault.description, fault.retry_after)
        return error.code, error.to_json()

    async def execute(self, method: str, params: Params) -> Answer:
        """Run one Bot API method and build its response envelope."""
        try:
            if method.lower() == "getupdates":
                result: Any = await self._get_updates(params)
            else:
                handler = METHODS.get(method.lower())
                if handler is None:
                    raise _METHOD_NOT_FOUND
                with self.state._lock:
                    result = handler(self.state, params)
        except ApiError as error:
            return error.code, error.to_json()
        except Exception:
            self.errors.append(traceback.format_exc())
            traceback.print_exc()
            return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        if isinstance(result, Described):
            return 200, {"ok": True, "result": result.result, "description": result.description}
        return 200, {"ok": True, "result": result}

    async def _get_updates(self, params: Params) -> list[JsonDict]:
        """Long poll: answer at once if updates are pending, else wait up to ``timeout``.

        A newer getUpdates call (a second bot instance) or a setWebhook ends it with 409.
        """
        with self.state._lock:
            limit, timeout = prepare_get_updates(self.state, params)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()
        deadline = time.monotonic() + timeout
        while True:
            event = self._event
            if generation != self._poll_generation:
                raise _SUPERSEDED
            with self.state._lock:
                if self.state.webhook is not None:
                    raise _WEBHOOK_SET
                updates = self.state.take_updates(limit)
            remaining = deadline - time.monotonic()
            if updates or remaining <= 0:
                return updates
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


class BotApiTransport(BaseRequest):
    """python-telegram-bot's transport straight into an :class:`InProcessBotApi`: no sockets.

    Answers reach the library as through its own HTTPXRequest: error statuses as the same JSON
    bodies, a dropped connection as ``NetworkError``, an answer later than the read timeout as
    ``TimedOut`` (while the call itself runs on, as it would on Telegram's side).
    """

    def __init__(self, dispatcher: _Dispatcher, read_timeout: float = HTTPX_READ_TIMEOUT) -> None:
        self._dispatcher = dispatcher
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        head, _, name = url.rpartition("/")
        answer = self._dispatcher.refuse(head.rpartition("/")[2].removeprefix("bot"))
        if answer is None:
            # The form fields and file parts HTTPXRequest would send.
            values = dict(request_data.json_parameters) if request_data else {}
            files = {}
            for part, (filename, content, mime) in (request_data.multipart_data if request_data else {}).items():
                data = content if isinstance(content, bytes) else content.read()
                files[part] = UploadedFile(part, filename, mime, data)
            timeout = self._read_timeout if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout
            try:
                answer = await self._dispatcher.call(method, name, Params(values, files), timeout)
            except TimeoutError:
                raise TimedOut from None
            if answer is None:
                raise NetworkError("httpx.RemoteProtocolError: Server disconnected without sending a response.")
        return answer[0], json.dumps(answer[1]).encode()


class InProcessBotApi(SimulatedUsers):
    """The simulated Bot API on the caller's event loop, for python-telegram-bot without sockets::

        async with InProcessBotApi(token=TOKEN) as api:
            bot = telegram.Bot(TOKEN, request=api.request(), get_updates_request=api.request())
    """

    def __init__(self, token: str = "123:ABC", bot_username: str = "naeringsbot_test_bot", *,
                 privacy_mode: bool = True, first_update_id: int = 100_000) -> None:
        super().__init__(token, bot_username, privacy_mode=privacy_mode, first_update_id=first_update_id)
        self._dispatcher = _Dispatcher(self)

    def request(self, read_timeout: float = HTTPX_READ_TIMEOUT) -> BotApiTransport:
        """A transport for ``ApplicationBuilder.request()``/``get_updates_request()`` or ``telegram.Bot``."""
        return BotApiTransport(self._dispatcher, read_timeout)

    @property
    def errors(self) -> list[str]:
        """Tracebacks of bugs in the simulation (answered as 500); tests can assert it is empty."""
        return list(self._dispatcher.errors)

    async def start(self) -> InProcessBotApi:
        self._dispatcher.attach()
        return self

    async def stop(self) -> None:
        await self._dispatcher.detach()

    async def __aenter__(self) -> InProcessBotApi:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


class BotApiServer(InProcessBotApi):
    """The same Bot API over HTTP, on the caller's event loop: ``await start()`` / ``await stop()``."""

    def __init__(self, token: str = "123:ABC", bot_username: str = "naeringsbot_test_bot", *,
                 host: str = "127.0.0.1", port: int = 0, webhook_retry_delay: float = 0.05,
                 webhook_timeout: float = 5.0, privacy_mode: bool = True, first_update_id: int = 100_000) -> None:
        super().__init__(token, bot_username, privacy_mode=privacy_mode, first_update_id=first_update_id)
        self.host = host
        self.port = port
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_timeout = webhook_timeout
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        """Root URL of the server, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What the bot gets as TELEGRAM_API_BASE_URL (PTB's ``base_url``): ``.../bot``."""
        return f"{self.url}/bot"

    async def start(self) -> BotApiServer:
        await super().start()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = int(self._runner.addresses[0][1])
        self._webhook_task = asyncio.create_task(self._webhook_loop())
        return self

    async def stop(self) -> None:
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        await super().stop()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> BotApiServer:
        return await self.start()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        answer = self._dispatcher.refuse(request.match_info["token"])
        if answer is None:
            try:
                params = await _read_params(request)
            except ApiError as error:
                return web.json_response(error.to_json(), status=error.code)
            answer = await self._dispatcher.call(request.method, request.match_info["method"], params)
        if answer is None:  # an injected drop: close the socket without an answer
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        return web.json_response(answer[1], status=answer[0])

    async def _webhook_loop(self) -> None:
        """Deliver pending updates one at a time, retrying each until a 2xx answer."""
        failures = 0
        async with aiohttp.ClientSession() as session:
            while True:
                event = self._dispatcher.changed()
                with self._lock:
                    hook = self.webhook
                    pending = self.take_updates(1) if hook else []
                if hook is None or not pending:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(event.wait(), 1.0)
                    continue
                failures = 0 if await self._deliver(session, hook, pending[0]) else failures + 1
                if failures:
                    await asyncio.sleep(min(self.webhook_retry_delay * 2 ** (failures - 1), 2.0))

    async def _deliver(self, session: aiohttp.ClientSession, hook: WebhookConfig, update: JsonDict) -> bool:
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
            async with session.post(hook.url, data=json.dumps(update), headers=headers, timeout=timeout) as response:
                delivered = 200 <= response.status < 300
        except (aiohttp.ClientError, TimeoutError, OSError):
            delivered = False
        with self._lock:
            if delivered and self._updates and self._updates[0]["update_id"] == update["update_id"]:
                self.confirm_updates(update["update_id"] + 1)
        return delivered


async def _read_params(request: web.Request) -> Params:
    """Merge query string and body (JSON, urlencoded or multipart) like the Bot API does."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.can_read_body:
        return Params(values, files)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON encoded request body") from None
        if not isinstance(body, dict):
            raise bad_request("JSON object expected in request body")
        return Params(values | body, files)
    for name, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            files[name] = UploadedFile(name, value.filename, value.content_type, value.file.read())
        else:
            values[name] = value
    return Params(values, files)


class ThreadedBotApiServer(BotApiServer):
    """The same server on its own event loop in a daemon thread, for sync tests and the bot process.

    ``start()``/``stop()`` are blocking here; every control helper is thread-safe, and the
    blocking ``wait_for_*`` helpers work from the test thread while the bot talks to the server.
    """

    _thread: threading.Thread | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> ThreadedBotApiServer:  # type: ignore[override]
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(BotApiServer.start(self))
            except BaseException as exc:
                failure.append(exc)
                return
            finally:
                ready.set()
            loop.run_forever()
            loop.run_until_complete(BotApiServer.stop(self))
            loop.close()

        self._thread = threading.Thread(target=run, name="botapi-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:  # type: ignore[override]
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> ThreadedBotApiServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

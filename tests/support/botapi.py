"""A local Telegram Bot API test server for end-to-end tests of Næringsbot.

Start it, point the real bot at ``server.base_url`` (TELEGRAM_API_BASE_URL),
and act as Telegram users through the control API inherited from
:class:`~tests.support.botapi_users.SimulatedUsers` (user actions) and
:class:`~tests.support.botapi_state.BotApiState` (world, reads, waits, faults)::

    with ThreadedBotApiServer(token="123:ABC") as server:
        kari = server.add_user("Kari", language_code="nb")
        server.send_message(kari, "/start")
        reply = server.wait_for_bot_message(kari)

The HTTP side speaks the Bot API wire protocol (JSON, form and multipart
bodies; ``{"ok": ..., ...}`` envelopes; long-polling getUpdates; webhook
delivery with retries) and can inject faults: error statuses, 429 with
``retry_after``, dropped connections and delays.

Run standalone with ``python -m tests.support.botapi --port 9000 --token 123:ABC``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import sys
import threading
import time
import traceback
from typing import Any

import aiohttp
from aiohttp import web

from tests.support.botapi_methods import METHODS, Described, prepare_get_updates
from tests.support.botapi_model import Fault, RecordedRequest, WebhookAttempt, WebhookConfig, now
from tests.support.botapi_state import BotApiState
from tests.support.botapi_users import SimulatedUsers
from tests.support.botapi_wire import (
    ApiError,
    Params,
    UploadedFile,
    bad_request,
    error_for_status,
    normalise,
)

__all__ = ["ApiError", "BotApiServer", "BotApiState", "ThreadedBotApiServer"]

_TOKEN_FORMAT = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}
_METHOD_NOT_FOUND = ApiError(404, "Not Found: method not found")
_SUPERSEDED = ApiError(
    409,
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
)
_WEBHOOK_SET = ApiError(409, "Conflict: terminated by setWebhook request")


class _HttpFrontend:
    """The aiohttp application in front of a :class:`BotApiState`."""

    def __init__(
        self,
        state: BotApiState,
        host: str,
        port: int,
        webhook_retry_delay: float,
        webhook_timeout: float,
    ) -> None:
        self.state = state
        self.host = host
        self.requested_port = port
        self.port = 0
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_timeout = webhook_timeout
        self.errors: list[str] = []
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event = asyncio.Event()
        self._poll_generation = 0
        self._webhook_task: asyncio.Task[None] | None = None

    # ----------------------------------------------------------- lifecycle

    async def start(self) -> int:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        self.state._loop_thread = threading.get_ident()
        self.state.add_listener(self._notify)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.requested_port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._webhook_task = asyncio.create_task(self._webhook_loop())
        return self.port

    async def stop(self) -> None:
        self.state.remove_listener(self._notify)
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        self._poll_generation += 1
        self._wake()
        if self._runner is not None:
            await self._runner.cleanup()
        self.state._loop_thread = None

    def _notify(self) -> None:
        """State listener; may run on any thread, so hop onto the server loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    # ------------------------------------------------------------ requests

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        token, method = request.match_info["token"], request.match_info["method"]
        if not _TOKEN_FORMAT.match(token):
            return web.json_response(_NOT_FOUND, status=404)
        if token != self.state.token:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return web.json_response(body, status=401)
        try:
            params = await _read_params(request)
        except ApiError as error:
            return web.json_response(error.to_json(), status=error.code)
        record = self._record(request.method, method, params)
        fault = self.state.take_fault(method)
        if fault is not None and not fault.after_processing:
            if fault.kind != "delay":
                return self._inject(request, record, fault)
            await asyncio.sleep(fault.seconds)
        status, body = await self.execute(method, params)
        if fault is not None and fault.after_processing:
            if fault.kind != "delay":
                return self._inject(request, record, fault)
            await asyncio.sleep(fault.seconds)
        self.state._finish_request(record, status, body)
        return web.json_response(body, status=status)

    def _inject(self, request: web.Request, record: RecordedRequest, fault: Fault) -> web.StreamResponse:
        """Answer with an injected fault instead of the real outcome."""
        if fault.kind == "drop":
            self.state._finish_request(record, 0, None)
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        error = error_for_status(fault.status, fault.description, fault.retry_after)
        body = error.to_json()
        self.state._finish_request(record, error.code, body)
        return web.json_response(body, status=error.code)

    def _record(self, http_method: str, method: str, params: Params) -> RecordedRequest:
        record = RecordedRequest(
            method=method,
            params=normalise(params.values),
            files=dict(params.files),
            time=time.time(),
            http_method=http_method,
        )
        self.state._record_request(record)
        return record

    async def execute(self, method: str, params: Params) -> tuple[int, dict[str, Any]]:
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

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        """Long poll: answer at once if updates are pending, else wait up to ``timeout``."""
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

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.state.token:
            return web.json_response(_NOT_FOUND, status=404)
        path = request.match_info["path"]
        with self.state._lock:
            stored = next((f for f in self.state.files.values() if f.file_path == path), None)
        if stored is None:
            return web.json_response(_NOT_FOUND, status=404)
        return web.Response(body=stored.data, content_type="application/octet-stream")

    # ------------------------------------------------------------- webhook

    async def _webhook_loop(self) -> None:
        """Deliver pending updates one at a time, retrying each until a 2xx answer."""
        failures = 0
        async with aiohttp.ClientSession() as session:
            while True:
                event = self._event
                with self.state._lock:
                    hook = self.state.webhook
                    pending = self.state.take_updates(1) if hook else []
                if hook is None or not pending:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(event.wait(), 1.0)
                    continue
                delivered = await self._deliver(session, hook, pending[0])
                failures = 0 if delivered else failures + 1
                if failures:
                    await asyncio.sleep(min(self.webhook_retry_delay * 2 ** (failures - 1), 2.0))

    async def _deliver(self, session: aiohttp.ClientSession, hook: WebhookConfig, update: dict[str, Any]) -> bool:
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        status: int | None = None
        error: str | None = None
        reply: Any = None
        try:
            timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
            async with session.post(hook.url, data=json.dumps(update), headers=headers, timeout=timeout) as response:
                status = response.status
                if 200 <= status < 300:
                    reply = await _json_or_none(response)
                else:
                    error = f"Wrong response from the webhook: {status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = "Connection timed out" if isinstance(exc, TimeoutError) else "Connection refused"
        ok = error is None
        self._after_delivery(hook, update["update_id"], status, error)
        if ok and isinstance(reply, dict) and "method" in reply:
            await self._run_webhook_reply(reply)
        return ok

    def _after_delivery(self, hook: WebhookConfig, update_id: int, status: int | None, error: str | None) -> None:
        with self.state._lock:
            self.state.webhook_attempts.append(WebhookAttempt(update_id, status, error, time.time()))
            if error is None:
                if self.state._updates and self.state._updates[0]["update_id"] == update_id:
                    self.state.confirm_updates(update_id + 1)
            else:
                hook.last_error_date = now()
                hook.last_error_message = error
            self.state._changed()

    async def _run_webhook_reply(self, reply: dict[str, Any]) -> None:
        """Telegram executes a method the bot puts in its webhook response body."""
        values = {key: value for key, value in reply.items() if key != "method"}
        params = Params(values)
        record = self._record("WEBHOOK-REPLY", str(reply["method"]), params)
        status, body = await self.execute(str(reply["method"]), params)
        self.state._finish_request(record, status, body)


async def _json_or_none(response: aiohttp.ClientResponse) -> Any:
    try:
        return await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return None


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
        values.update(body)
        return Params(values, files)
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            data = value.file.read()
            files[name] = UploadedFile(name, value.filename, value.content_type, data)
        else:
            values[name] = value
    return Params(values, files)


class BotApiServer(SimulatedUsers):
    """The test server on the caller's event loop: ``await start()`` / ``await stop()``."""

    def __init__(
        self,
        token: str = "123:ABC",
        bot_username: str = "naeringsbot_test_bot",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        webhook_retry_delay: float = 0.05,
        webhook_timeout: float = 5.0,
        bot_first_name: str = "Næringsbot",
        privacy_mode: bool = True,
        first_update_id: int = 100_000,
    ) -> None:
        super().__init__(
            token,
            bot_username,
            bot_first_name=bot_first_name,
            privacy_mode=privacy_mode,
            first_update_id=first_update_id,
        )
        self._http = _HttpFrontend(self, host, port, webhook_retry_delay, webhook_timeout)

    @property
    def port(self) -> int:
        return self._http.port

    @property
    def url(self) -> str:
        """Root URL of the server, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self._http.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What the bot gets as TELEGRAM_API_BASE_URL (PTB's ``base_url``): ``.../bot``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def errors(self) -> list[str]:
        """Tracebacks of server-side bugs (answered as 500); tests can assert it is empty."""
        return list(self._http.errors)

    async def start(self) -> BotApiServer:
        await self._http.start()
        return self

    async def stop(self) -> None:
        await self._http.stop()

    async def __aenter__(self) -> BotApiServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


class ThreadedBotApiServer(BotApiServer):
    """The same server on its own event loop in a daemon thread, for sync tests.

    ``start()``/``stop()`` are blocking here; every control helper is
    thread-safe, and the blocking ``wait_for_*`` helpers work from the test
    thread while the bot subprocess talks to the server.
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
                loop.run_until_complete(self._http.start())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._http.stop())
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


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted; prints the base URL for TELEGRAM_API_BASE_URL."""
    parser = argparse.ArgumentParser(description="Local Telegram Bot API test server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="123:ABC")
    parser.add_argument("--username", default="naeringsbot_test_bot")
    parser.add_argument("--no-privacy", action="store_true", help="bot sees all group messages")
    args = parser.parse_args(argv)
    server = ThreadedBotApiServer(
        args.token,
        args.username,
        host=args.host,
        port=args.port,
        privacy_mode=not args.no_privacy,
    )
    server.start()
    print(f"Bot API test server: TELEGRAM_API_BASE_URL={server.base_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        sys.stdout.flush()


if __name__ == "__main__":
    main()

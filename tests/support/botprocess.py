"""The real ``naeringsbot run`` process, for end-to-end tests against the local Bot API server."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.support.botapi import ThreadedBotApiServer

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token_e2e"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """``naeringsbot run`` as a child process with its own config, database and log file."""

    def __init__(self, tmp_path: Path, server: ThreadedBotApiServer, **config: Any) -> None:
        self.tmp_path = tmp_path
        self.log_path = tmp_path / "bot.log"
        self.database = tmp_path / "inquiries.db"
        settings: dict[str, Any] = {
            "knowledge": {"dir": str(ROOT / "knowledge"), "reload_seconds": 1},
            "telegram": {"poll_timeout": 1, "read_timeout_margin": 1},
            "profile": {"ask": False},
        }
        for section, values in config.items():
            settings.setdefault(section, {}).update(values)
        self.config_path = tmp_path / "config.yaml"
        self.config_path.write_text(yaml.safe_dump(settings, allow_unicode=True), "utf-8")
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "NAERINGSBOT_DATABASE": str(self.database),
            "NAERINGSBOT_SECRET": "e2e-secret",
            "TELEGRAM_WEBHOOK_SECRET": "hook-secret_1",
            "PYTHONPATH": str(ROOT),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> BotProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--config", str(self.config_path)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=self.env, cwd=self.tmp_path,
        )
        return self

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    @property
    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace") if self.log_path.exists() else ""

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        connection = sqlite3.connect(self.database)
        connection.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in connection.execute(sql, params or [])]
        finally:
            connection.close()

    def command(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        """Another ``naeringsbot`` command (``report``, ``doctor --live`` …) on this bot's config and database."""
        return subprocess.run([sys.executable, "-m", "bot", *args, "--config", str(self.config_path)],
                              capture_output=True, text=True, env=self.env, cwd=self.tmp_path, check=check,
                              timeout=60)



def eventually(condition: Callable[[], object], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())

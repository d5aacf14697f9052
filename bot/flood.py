"""Per-user flood control: one "slow down" reply, then silence until the window clears."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Literal

Verdict = Literal["ok", "warn", "drop"]


class FloodGuard:
    def __init__(
        self, max_messages: int, per_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_messages = max_messages
        self.per_seconds = per_seconds
        self._clock = clock
        self._times: dict[str, deque[float]] = defaultdict(deque)
        self._warned: set[str] = set()

    def check(self, user_key: str) -> Verdict:
        now = self._clock()
        times = self._times[user_key]
        while times and now - times[0] >= self.per_seconds:
            times.popleft()
        if len(times) < self.max_messages:
            times.append(now)
            self._warned.discard(user_key)
            return "ok"
        if user_key in self._warned:
            return "drop"
        self._warned.add(user_key)
        return "warn"

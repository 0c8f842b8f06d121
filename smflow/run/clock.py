"""One clock for sleeping and telling time, injected everywhere that waits.

The executor, the retry policies and the pollers never call ``time.sleep`` or ``time.monotonic``
themselves: they take a ``Clock``. Live runs use ``RealClock``; tests and cassette replays use
``VirtualClock``, whose ``sleep`` advances time instantly, so a replay never really sleeps while
deadlines still expire exactly as they did live.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "RealClock", "VirtualClock"]


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (for deadlines and elapsed times)."""
        ...

    def sleep(self, seconds: float) -> None: ...

    def now(self) -> datetime:
        """The wall-clock time, timezone-aware UTC (for the flow builtin ``now()`` and journals)."""
        ...


class RealClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def now(self) -> datetime:
        return datetime.now(UTC)


class VirtualClock:
    """A clock that only moves when something sleeps on it (or ``advance`` is called)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._elapsed = 0.0
        self._start = start or datetime(2026, 1, 1, tzinfo=UTC)
        self.slept: list[float] = []  # every sleep, in order: tests assert on backoff schedules

    def monotonic(self) -> float:
        with self._lock:
            return self._elapsed

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            if seconds > 0:
                self._elapsed += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._elapsed += max(seconds, 0.0)

    def now(self) -> datetime:
        with self._lock:
            return self._start + timedelta(seconds=self._elapsed)

"""How each node has been doing, and the circuit breaker that stops asking a failing one.

After ``failures_to_open`` failures in a row a node's circuit opens: queries skip it (answering
at once with the reason) for ``cooldown`` seconds. Then one query is let through as a trial; a
success closes the circuit, a failure opens it for another cool-down. The state is per process
(each gunicorn worker learns on its own), which costs at most a few extra trials per worker.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class BreakerSettings:
    failures_to_open: int = 3
    cooldown: float = 30.0


class NodeHealth:
    def __init__(self, settings: BreakerSettings, clock=time.monotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self.last_success: datetime | None = None
        self.last_error: str | None = None
        self.last_error_at: datetime | None = None
        self.latency_seconds: float | None = None
        self.failures_in_a_row = 0
        self._open_until: float | None = None
        self._trial_running = False

    def admits(self) -> bool:
        """Whether a query may go to the node now (closed circuit, or the one trial after a
        cool-down)."""
        with self._lock:
            if self._open_until is None:
                return True
            if self._clock() < self._open_until or self._trial_running:
                return False
            self._trial_running = True
            return True

    def succeeded(self, seconds: float) -> None:
        with self._lock:
            self.last_success = _now()
            self.latency_seconds = seconds
            self.failures_in_a_row = 0
            self._open_until = None
            self._trial_running = False

    def failed(self, reason: str) -> None:
        with self._lock:
            self.last_error, self.last_error_at = reason, _now()
            self.failures_in_a_row += 1
            self._trial_running = False
            if self.failures_in_a_row >= self._settings.failures_to_open:
                self._open_until = self._clock() + self._settings.cooldown

    @property
    def circuit_open(self) -> bool:
        with self._lock:
            return self._open_until is not None and self._clock() < self._open_until

    def seconds_until_retry(self) -> float:
        with self._lock:
            return max(0.0, (self._open_until or 0.0) - self._clock())

    def report(self) -> dict[str, Any]:
        """What the hub's /info says of the node."""
        with self._lock:
            return {
                "lastSuccess": _iso(self.last_success),
                "lastError": self.last_error,
                "lastErrorAt": _iso(self.last_error_at),
                "latencyMs": round(self.latency_seconds * 1000, 1)
                if self.latency_seconds is not None
                else None,
                "failuresInARow": self.failures_in_a_row,
                "circuitOpen": self._open_until is not None and self._clock() < self._open_until,
            }


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z") if moment else None

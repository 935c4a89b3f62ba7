"""Holding a request's reads to one release: the first read inside ``holding`` resolves which
release is served, and every later read in the same context (a request's thread) gets that one.
Resolving at the first read, not when the hold begins, keeps requests that read no released
data (health checks, informational pages) from touching the database at all."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class ReleaseHold(Generic[T]):
    """What a backend remembers of the release a context reads (its parts, its version)."""

    def __init__(self, name: str) -> None:
        self._held: contextvars.ContextVar[list[T] | None] = contextvars.ContextVar(
            name, default=None
        )

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Reads inside share one release (a hold inside a hold is the outer one)."""
        if self._held.get() is not None:
            yield
            return
        token = self._held.set([])
        try:
            yield
        finally:
            self._held.reset(token)

    def held(self, current: Callable[[], T]) -> T | None:
        """Inside ``holding``: what ``current()`` gave at the first call; outside: None."""
        held = self._held.get()
        if held is None:
            return None
        if not held:
            held.append(current())
        return held[0]

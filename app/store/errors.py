"""Failures of the storage itself, as opposed to a query's: the disk is full, or a stored file is
not what was written. Each names the file, so that an operator knows where to look."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# errno values that mean "no room left": the device is full, or the user's quota is
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


class StorageFullError(Exception):
    """A write found no space left; what it was writing was thrown away, and the store is as it
    was before the write began."""

    def __init__(self, path: str | Path, detail: str = "no space left on device") -> None:
        self.path = str(path)
        self.detail = detail
        super().__init__(f"disk full: cannot write {self.path} ({detail})")


class StoreDamagedError(Exception):
    """A stored file cannot be what was written: its checksum differs, or it does not decode.

    ``name`` is the file's path inside the store's directory (what a readiness answer may
    show); ``path`` the full one (for the server's log and the operator).
    """

    def __init__(self, path: str | Path, name: str, problem: str) -> None:
        self.path = str(path)
        self.name = name
        self.problem = problem
        super().__init__(f"damaged store file {self.path}: {problem}")


@contextmanager
def full_disk_named(path: str | Path) -> Iterator[None]:
    """Turn a write's ``OSError`` for a full disk into :class:`StorageFullError` naming the file
    (the error's own, else ``path``); other errors pass unchanged."""
    try:
        yield
    except OSError as error:
        if error.errno in FULL_ERRNOS:
            where = error.filename or path
            raise StorageFullError(where, error.strerror or "no space left on device") from error
        raise


class QueryBudgetError(Exception):
    """A query ran past its time budget, or its answer past its row budget; the message says
    which, for the client."""


class QueryRefusedError(Exception):
    """The engine refused a query it was given (a column or function it does not have, a type
    it cannot compare); the message is the engine's, meant for the client."""

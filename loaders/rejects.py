"""Where a load that skips invalid input puts what it rejected, shared by every loader.

One rejects file per input file, named ``<stem>.rejects<extension>``, beside the input file or
in the folder the user names (``--rejects DIR``); a rejects file that cannot be written stops
the load with a LoadError naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from loaders.errors import LoadError


def rejects_path(source: Path, stem: str, extension: str, directory: Path | None) -> Path:
    """``<stem>.rejects<extension>`` beside ``source``, or in ``directory`` when one is given."""
    return (directory if directory is not None else source.parent) / f"{stem}.rejects{extension}"


@contextmanager
def writing_rejects(path: Path, what: str) -> Iterator[None]:
    """Create the rejects file's folder; turn a failure to write it into a LoadError.

    ``what`` names the rejected things in the message (``rows``, ``records``).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield
    except OSError as error:
        raise LoadError(str(path), f"cannot write the rejected {what}: {error.strerror}") from None

"""The rule every load keeps: it never replaces stored data with nothing.

A load is refused, before its release is committed, when it would leave a dataset without the
entries of a type it holds today, or without any entries at all, or when it rejected every row
of one of its input files (even if other files had rows): such a load is almost always a broken
export or the wrong folder, and serving it would hide good data. A caller that means it passes
``allow_empty`` (the command line's ``--allow-empty``).

A loader calls :func:`refuse_emptying` with what its release would leave, either before the
release (when it knows the counts up front) or inside it (when it learns them by writing): the
raised :class:`EmptyingLoadError` then aborts the release, so nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.entry_types import ENTRY_TYPES
from app.store import Store
from app.store.collections import DATASETS
from loaders.datasets import dataset_collections
from loaders.errors import CombinedLoadError, LoadError

# Where a dataset's entries live, and how a message names them.
ENTRY_NAMES = {
    entry.store_collection: entry.name.lower()
    for entry in ENTRY_TYPES
    if entry.store_collection != DATASETS
}


@dataclass(frozen=True)
class FileRows:
    """What one input file gave a load: rows read, rows loaded, and where the others went."""

    path: str
    read: int
    loaded: int
    rejects_file: str | None = None
    unit: str = "rows"  # what the file is made of, for messages: "rows", "records"

    @property
    def rejected(self) -> int:
        return self.read - self.loaded


class EmptyingLoadError(CombinedLoadError):
    """A load refused because it would replace stored data with nothing; ``problems`` says
    why, one ``WHERE: why`` each."""


def refuse_emptying(
    store: Store,
    dataset_id: str,
    left: Mapping[str, int],
    files: Iterable[FileRows] = (),
    *,
    allow_empty: bool = False,
) -> None:
    """Raise :class:`EmptyingLoadError` unless ``allow_empty`` when the load would empty
    something (see the module). ``left``: for each entry collection the load replaces
    (``genomicVariations``, ``individuals``...), how many of the dataset's documents it would
    leave there; the store, read as served, tells what the dataset holds today."""
    if allow_empty:
        return
    problems = emptying_problems(store, dataset_id, left, files)
    if problems:
        raise EmptyingLoadError(problems)


def emptying_problems(
    store: Store, dataset_id: str, left: Mapping[str, int], files: Iterable[FileRows] = ()
) -> list[LoadError]:
    """Why the load would replace stored data with nothing; empty when it would not."""
    problems = [
        LoadError(
            file.path,
            f"all {file.read} {file.unit} were rejected"
            + (f" (see {file.rejects_file})" if file.rejects_file else ""),
        )
        for file in files
        if file.read and not file.loaded
    ]
    held = set(dataset_collections(store, dataset_id)) & set(ENTRY_NAMES)
    where = f"dataset {dataset_id}"
    emptied = [name for name in ENTRY_NAMES if name in held and left.get(name, 1) == 0]
    problems.extend(
        LoadError(where, f"it holds {ENTRY_NAMES[name]} now; this load would leave none")
        for name in emptied
    )
    kept = held - set(left)
    if held and not kept and not any(left.get(name) for name in ENTRY_NAMES):
        problems.append(LoadError(where, "this load would leave it without any entries"))
    return problems

"""Segments: immutable runs of documents with their indexes, the embedded store's unit of data.

A segment is written once (documents as concatenated BSON, each index as sorted key columns)
and never changed, so every serving process can map its files and share them through the page
cache, decode only the documents a query matched, and cache it forever under its id. On disk a
segment is a directory, written under a temporary name and renamed into place when complete.
"""

from __future__ import annotations

import itertools
import json
import mmap
import os
import shutil
import uuid
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bson
import numpy as np
from bson.codec_options import CodecOptions

from app.store.keys import keys_of

DOCUMENTS_FILE = "documents.bson"
OFFSETS_FILE = "offsets.npy"
META_FILE = "meta.json"
ID_INDEX = "_id_"
CODEC = CodecOptions(tz_aware=False)
_CONSTANT_TYPES = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class SegmentIndex:
    """Sorted keys of one index: ``columns[i][j]`` is the key of ``paths[i]`` in entry ``j``,
    entries sorted on the columns in order (as a compound B-tree index sorts them)."""

    name: str
    paths: tuple[str, ...]
    columns: tuple[np.ndarray, ...]
    ordinals: np.ndarray

    def __len__(self) -> int:
        return len(self.ordinals)


class Segment:
    """Read side: documents by ordinal, their count, their indexes, their constant fields."""

    def __init__(
        self,
        segment_id: str,
        buffer: Any,
        offsets: np.ndarray,
        indexes: dict[str, SegmentIndex],
        constants: dict[str, Any],
        multikey: frozenset[str] = frozenset(),
    ) -> None:
        self.id = segment_id
        self._buffer = buffer
        self._offsets = offsets
        self.indexes = indexes
        # top-level fields holding one same value in every document (``datasetId`` of a load)
        self.constants = constants
        # paths some document holds several values at (a range may then match two elements)
        self.multikey = multikey

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def raw(self, ordinal: int) -> bytes:
        start, end = int(self._offsets[ordinal]), int(self._offsets[ordinal + 1])
        return bytes(self._buffer[start:end])

    def document(self, ordinal: int) -> dict[str, Any]:
        return bson.decode(self.raw(ordinal), CODEC)

    def documents(self) -> Iterable[dict[str, Any]]:
        for ordinal in range(len(self)):
            yield self.document(ordinal)


class SegmentBuilder:
    """Write side: documents are encoded and their index keys collected as they arrive."""

    def __init__(
        self, index_paths: dict[str, tuple[str, ...]], directory: Path | None = None
    ) -> None:
        """With a ``directory``, documents stream to a file there (nothing is held in memory
        but the index keys); without one, the segment is built in memory."""
        self._index_paths = {ID_INDEX: ("_id",), **index_paths}
        self.id = new_segment_id()
        self._chunks: list[bytes] = []
        self._directory = directory
        self._temporary: Path | None = None
        self._file: Any = None
        if directory is not None:
            self._temporary = directory / f".tmp-{self.id}"
            self._temporary.mkdir(parents=True)
            self._file = open(self._temporary / DOCUMENTS_FILE, "wb")  # noqa: SIM115
        self._offsets = array("q", [0])
        self._keys = {
            name: tuple(array("d") for _ in paths) for name, paths in self._index_paths.items()
        }
        self._ordinals = {name: array("q") for name in self._index_paths}
        self._paths = sorted({path for paths in self._index_paths.values() for path in paths})
        self._constants: dict[str, Any] | None = None
        self._multikey: set[str] = set()

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def add(self, document: dict[str, Any], encoded: bytes | None = None) -> None:
        """Add one document (an ``_id`` is given to it if it has none)."""
        if "_id" not in document:
            document["_id"] = bson.ObjectId()
        data = encoded if encoded is not None else bson.encode(document)
        ordinal = len(self)
        if self._file is not None:
            self._file.write(data)
        else:
            self._chunks.append(data)
        self._offsets.append(self._offsets[-1] + len(data))
        keys_at = {path: keys_of(document, path) for path in self._paths}
        for path in self._paths:
            if len(keys_at[path]) > 1:
                self._multikey.add(path)
        for name, paths in self._index_paths.items():
            columns, ordinals = self._keys[name], self._ordinals[name]
            if len(paths) == 1:
                keys = keys_at[paths[0]]
                columns[0].extend(keys)
                ordinals.extend([ordinal] * len(keys))
                continue
            per_path = [keys_at[path] for path in paths]
            if all(len(keys) == 1 for keys in per_path):
                for column, keys in zip(columns, per_path, strict=True):
                    column.append(keys[0])
                ordinals.append(ordinal)
                continue
            for entry in itertools.product(*per_path):
                for column, key in zip(columns, entry, strict=True):
                    column.append(key)
                ordinals.append(ordinal)
        self._track_constants(document)

    def _track_constants(self, document: dict[str, Any]) -> None:
        if self._constants is None:
            self._constants = {
                field: value
                for field, value in document.items()
                if field != "_id" and isinstance(value, _CONSTANT_TYPES)
            }
            return
        for field in [f for f, v in self._constants.items() if document.get(f, v) != v]:
            del self._constants[field]
        for field in [f for f in self._constants if f not in document]:
            del self._constants[field]

    def build_in_memory(self) -> Segment:
        offsets = np.frombuffer(self._offsets, dtype=np.int64)
        return Segment(
            self.id,
            b"".join(self._chunks),
            offsets,
            self._sorted_indexes(),
            self._constants or {},
            frozenset(self._multikey),
        )

    def finish(self) -> str:
        """Complete the segment's files and rename its directory into place; its id. Until
        then it sits under a temporary name that readers never look at."""
        assert self._temporary is not None and self._directory is not None
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            _save_array(self._temporary / OFFSETS_FILE, np.frombuffer(self._offsets, np.int64))
            meta = {
                "count": len(self),
                "indexes": {},
                "constants": self._constants or {},
                "multikey": sorted(self._multikey),
            }
            for position, (name, index) in enumerate(self._sorted_indexes().items()):
                _save_array(
                    self._temporary / f"index-{position}.keys.npy", np.vstack(index.columns)
                )
                _save_array(self._temporary / f"index-{position}.ordinals.npy", index.ordinals)
                meta["indexes"][name] = list(index.paths)
            _write_json(self._temporary / META_FILE, meta)
            os.replace(self._temporary, self._directory / self.id)
        except BaseException:
            self.abandon()
            raise
        return self.id

    def abandon(self) -> None:
        """Throw away what was written (a load that failed)."""
        if self._file is not None and not self._file.closed:
            self._file.close()
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)

    def _sorted_indexes(self) -> dict[str, SegmentIndex]:
        indexes = {}
        for name, paths in self._index_paths.items():
            columns = [np.frombuffer(column, dtype=np.float64) for column in self._keys[name]]
            ordinals = np.frombuffer(self._ordinals[name], dtype=np.int64)
            # lexsort sorts on its last key first; ordinals last keep documents in order
            order = np.lexsort([ordinals, *reversed(columns)])
            indexes[name] = SegmentIndex(
                name,
                paths,
                tuple(np.ascontiguousarray(column[order]) for column in columns),
                np.ascontiguousarray(ordinals[order]),
            )
        return indexes


def new_segment_id() -> str:
    return f"seg-{uuid.uuid4().hex}"


def open_segment(directory: Path, segment_id: str) -> Segment:
    """Map a written segment's files; nothing is decoded until a query asks for a document."""
    path = directory / segment_id
    meta = json.loads((path / META_FILE).read_text())
    offsets = np.load(path / OFFSETS_FILE, mmap_mode="r")
    indexes = {}
    for position, (name, paths) in enumerate(meta["indexes"].items()):
        keys = np.load(path / f"index-{position}.keys.npy", mmap_mode="r")
        ordinals = np.load(path / f"index-{position}.ordinals.npy", mmap_mode="r")
        indexes[name] = SegmentIndex(name, tuple(paths), tuple(keys), ordinals)
    buffer: Any = b""
    if meta["count"]:
        with open(path / DOCUMENTS_FILE, "rb") as handle:
            buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    return Segment(
        segment_id, buffer, offsets, indexes, meta["constants"], frozenset(meta["multikey"])
    )


def copy_documents(
    builder: SegmentBuilder, segment: Segment, ordinals: Sequence[int] | np.ndarray
) -> None:
    """Carry documents over into a new segment without re-encoding them."""
    for ordinal in ordinals:
        builder.add(segment.document(int(ordinal)), segment.raw(int(ordinal)))


def _save_array(path: Path, values: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.save(handle, values)
        handle.flush()
        os.fsync(handle.fileno())


def _write_json(path: Path, value: Any) -> None:
    with open(path, "w") as handle:
        json.dump(value, handle)
        handle.flush()
        os.fsync(handle.fileno())

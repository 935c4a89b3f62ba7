"""Segments: immutable runs of documents with their indexes, the embedded store's unit of data.

A segment is written once (documents as concatenated BSON, each index as sorted key columns)
and never changed, so every serving process can map its files and share them through the page
cache, decode only the documents a query matched, and cache it forever under its id. On disk a
segment is a directory, written under a temporary name and renamed into place when complete.

Its ``meta.json`` records the size and CRC-32 of every other file, and a CRC-32 of itself: a
segment is checked whole when a process opens it (once; reads then cost nothing more), and a
file that differs raises :class:`StoreDamagedError` naming it. Segments written before checksums
were kept are opened after the checks their sizes allow, and said to be unverified.
"""

from __future__ import annotations

import itertools
import json
import logging
import mmap
import os
import shutil
import uuid
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bson
import numpy as np
from bson.codec_options import CodecOptions

from app.store.errors import StoreDamagedError, full_disk_named
from app.store.keys import keys_of

DOCUMENTS_FILE = "documents.bson"
OFFSETS_FILE = "offsets.npy"
META_FILE = "meta.json"
META_CHECKSUM = "crc32"  # meta.json's own checksum, over the rest of it
ID_INDEX = "_id_"
CODEC = CodecOptions(tz_aware=False)
CHECKSUM_CHUNK = 8 << 20  # bytes read at a time while checking a file
_CONSTANT_TYPES = (str, int, float, bool, type(None))

log = logging.getLogger(__name__)


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
        self._file_path: Path | None = None
        if directory is not None:
            self._temporary = directory / f".tmp-{self.id}"
            self._file_path = self._temporary / DOCUMENTS_FILE
            try:
                with full_disk_named(self._temporary):
                    self._temporary.mkdir(parents=True)
                    self._file = open(self._file_path, "wb")  # noqa: SIM115
            except BaseException:
                shutil.rmtree(self._temporary, ignore_errors=True)
                raise
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
            with full_disk_named(self._file_path):
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
        then it sits under a temporary name that readers never look at; a failure (a full
        disk among them) removes it."""
        assert self._temporary is not None and self._directory is not None
        try:
            with full_disk_named(self._temporary):
                self._write_files()
            os.replace(self._temporary, self._directory / self.id)
        except BaseException:
            self.abandon()
            raise
        return self.id

    def _write_files(self) -> None:
        assert self._temporary is not None
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        _save_array(self._temporary / OFFSETS_FILE, np.frombuffer(self._offsets, np.int64))
        meta: dict[str, Any] = {
            "count": len(self),
            "indexes": {},
            "constants": self._constants or {},
            "multikey": sorted(self._multikey),
        }
        for position, (name, index) in enumerate(self._sorted_indexes().items()):
            _save_array(self._temporary / f"index-{position}.keys.npy", np.vstack(index.columns))
            _save_array(self._temporary / f"index-{position}.ordinals.npy", index.ordinals)
            meta["indexes"][name] = list(index.paths)
        meta["files"] = {
            entry.name: _file_record(entry)
            for entry in sorted(self._temporary.iterdir())
            if entry.name != META_FILE
        }
        meta[META_CHECKSUM] = _json_checksum(meta)
        _write_json(self._temporary / META_FILE, meta)

    def abandon(self) -> None:
        """Throw away what was written (a load that failed)."""
        if self._file is not None and not self._file.closed:
            # its buffer may not be writable (a full disk): it is thrown away with the rest
            with suppress(OSError):
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
    """Check a written segment's files and map them; nothing is decoded until a query asks for
    a document. A file that is not what was written raises :class:`StoreDamagedError`; a
    segment directory that does not exist raises ``FileNotFoundError``."""
    path = directory / segment_id
    if not path.is_dir():
        raise FileNotFoundError(f"no segment {segment_id} in {directory}")
    checked = _SegmentFiles(directory, segment_id)
    meta = checked.meta()
    if "files" in meta:
        for name, expected in meta["files"].items():
            checked.verify(name, expected)
    else:
        log.warning(
            "segment %s was written before segments kept checksums: opened unverified "
            "(load its dataset again to have it checked)",
            path,
        )
    with checked.reading(OFFSETS_FILE):
        offsets = np.load(path / OFFSETS_FILE, mmap_mode="r")
    count = meta["count"]
    checked.expect(OFFSETS_FILE, offsets.shape == (count + 1,), "wrong number of offsets")
    indexes = {}
    for position, (name, paths) in enumerate(meta["indexes"].items()):
        keys_file = f"index-{position}.keys.npy"
        ordinals_file = f"index-{position}.ordinals.npy"
        with checked.reading(keys_file):
            keys = np.load(path / keys_file, mmap_mode="r")
        with checked.reading(ordinals_file):
            ordinals = np.load(path / ordinals_file, mmap_mode="r")
        checked.expect(keys_file, keys.ndim == 2 and keys.shape[0] == len(paths), "wrong shape")
        checked.expect(ordinals_file, keys.shape[1:] == ordinals.shape, "wrong length")
        indexes[name] = SegmentIndex(name, tuple(paths), tuple(keys), ordinals)
    buffer: Any = b""
    if count:
        with checked.reading(DOCUMENTS_FILE), open(path / DOCUMENTS_FILE, "rb") as handle:
            buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        checked.expect(DOCUMENTS_FILE, len(buffer) == int(offsets[-1]), "wrong size")
    return Segment(
        segment_id, buffer, offsets, indexes, meta["constants"], frozenset(meta["multikey"])
    )


def segment_constants(directory: Path, segment_id: str) -> dict[str, Any]:
    """The constant fields a segment's meta records (checked against the meta's own checksum;
    the other files are not read)."""
    return _SegmentFiles(directory, segment_id).meta()["constants"]


class _SegmentFiles:
    """The checks of one segment's files, each failure a :class:`StoreDamagedError` naming the
    file as ``segments/<id>/<file>``."""

    def __init__(self, directory: Path, segment_id: str) -> None:
        self._path = directory / segment_id
        self._prefix = f"{directory.name}/{segment_id}"

    def damaged(self, name: str, problem: str) -> StoreDamagedError:
        return StoreDamagedError(self._path / name, f"{self._prefix}/{name}", problem)

    def expect(self, name: str, holds: bool, problem: str) -> None:
        if not holds:
            raise self.damaged(name, problem)

    @contextmanager
    def reading(self, name: str) -> Iterator[None]:
        """A file that is missing or does not decode is damaged."""
        try:
            yield
        except (OSError, ValueError, EOFError) as error:
            raise self.damaged(name, f"cannot be read ({error})") from error

    def meta(self) -> dict[str, Any]:
        with self.reading(META_FILE):
            meta = json.loads((self._path / META_FILE).read_text())
            if not isinstance(meta, dict):
                raise ValueError("not a JSON object")
        recorded = meta.pop(META_CHECKSUM, None)
        if recorded is not None:
            self.expect(META_FILE, recorded == _json_checksum(meta), "checksum differs")
        for key, kind in (("count", int), ("indexes", dict), ("constants", dict)):
            self.expect(META_FILE, isinstance(meta.get(key), kind), f"no valid {key!r}")
        self.expect(META_FILE, isinstance(meta.get("multikey"), list), "no valid 'multikey'")
        return meta

    def verify(self, name: str, expected: dict[str, int]) -> None:
        with self.reading(name):
            size, checksum = file_checksum(self._path / name)
        if size != expected.get("bytes"):
            raise self.damaged(name, f"{size} bytes where {expected.get('bytes')} were written")
        self.expect(name, checksum == expected.get("crc32"), "checksum differs")


def file_checksum(path: Path) -> tuple[int, int]:
    """A file's size and the CRC-32 of its bytes (read in chunks: segments can be large)."""
    size, checksum = 0, 0
    buffer = bytearray(CHECKSUM_CHUNK)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while read := handle.readinto(buffer):
            checksum = zlib.crc32(view[:read], checksum)
            size += read
    return size, checksum


def _file_record(path: Path) -> dict[str, int]:
    size, checksum = file_checksum(path)
    return {"bytes": size, "crc32": checksum}


def _json_checksum(value: Any) -> int:
    """CRC-32 of a JSON value's canonical text (what was written, whatever the key order)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return zlib.crc32(text.encode())


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

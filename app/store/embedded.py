"""The embedded store: MongoDB's query semantics over indexed, immutable segments.

A collection is a list of segments (see ``segment.py``); which segments make up each collection
is the active release of the manifest (``releases.py``). Reads plan each segment from its
indexes, decode only the candidates and keep those mongomock's own matcher accepts, so results
are what mongomock would give over the same documents. Writes never change a segment: they
write new ones and then switch the manifest, under a lock that serialises writers. On disk the
manifest is one JSON file replaced by rename; every process notices a new one on its next read.
Without a directory everything lives in this process (tests, throwaway stores).

A request reads one release from start to end (``one_release``), and a damaged file (a segment's,
a journal's, the manifest) raises :class:`StoreDamagedError` naming it and is remembered, so that
``check`` (readiness) reports it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mongomock
from mongomock.aggregate import process_pipeline
from mongomock.filtering import filter_applies
from pymongo.errors import DuplicateKeyError
from pymongo.results import DeleteResult, InsertManyResult, InsertOneResult, UpdateResult

from app.store import releases
from app.store.collections import PROCESS_LOCAL_COLLECTIONS, RUNTIME_COLLECTIONS
from app.store.cursor import MatchCursor, distinct_values, included, scratch_collection
from app.store.errors import StoreDamagedError, full_disk_named
from app.store.indexes import INDEXES
from app.store.journal import SUFFIX as JOURNAL_SUFFIX
from app.store.journal import SqliteAuditLog, SqliteBudgets, SqliteJournal
from app.store.pinning import ReleaseHold
from app.store.planner import candidates
from app.store.segment import (
    Segment,
    SegmentBuilder,
    copy_documents,
    open_segment,
    segment_constants,
)

MANIFEST_FILE = "manifest.json"
SEGMENTS_DIR = "segments"
JOURNALS_DIR = "journals"
LOCK_FILE = "write.lock"
MANIFEST_CHECKSUM = "checksum"  # {"crc32": …, "sequence": …} of the rest of the manifest
# Documents per segment a load writes: bounds the index keys a load holds in memory (about
# 650 MB at 500 samples) while keeping the segments a query plans over few.
SEGMENT_DOCUMENTS = 100_000


def index_paths(collection_name: str) -> dict[str, tuple[str, ...]]:
    """The declared MongoDB indexes of a collection, as key paths the segments index."""
    return {
        spec.name: tuple(path for path, _ in spec.keys)
        for spec in INDEXES.get(collection_name, ())
        if spec.expire_after_seconds is None
    }


class EmbeddedDatabase:
    """One database: the manifest, the segments it names, and the collections over them."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.segment_size = SEGMENT_DOCUMENTS
        self._memory_segments: dict[str, Segment] = {}
        self._opened: dict[str, Segment] = {}
        self._thread_lock = threading.RLock()
        # the newest committed manifest and its generation (counts the manifests taken up)
        self._current: tuple[releases.Manifest, int] = (releases.empty_manifest(), 0)
        self._stamp: tuple[int, int, int] | None = None
        self._served: tuple[releases.Manifest, releases.Parts] | None = None
        self._local = mongomock.MongoClient()["process_local"]
        # the journals (outside releases; every process writes them)
        self.budgets = SqliteBudgets(
            self._journal_path(SqliteBudgets), self._damage_of(SqliteBudgets)
        )
        self.audit_log = SqliteAuditLog(
            self._journal_path(SqliteAuditLog), self._damage_of(SqliteAuditLog)
        )
        # segment ids and journal names found damaged, with what was found
        self._damaged: dict[str, StoreDamagedError] = {}
        # the release a request reads (one_release): its parts and generation
        self._hold: ReleaseHold[tuple[releases.Parts, int]] = ReleaseHold(
            f"embedded-release-{id(self)}"
        )
        if directory is not None:
            (directory / SEGMENTS_DIR).mkdir(parents=True, exist_ok=True)

    # -- reading -------------------------------------------------------------------------

    def manifest(self) -> releases.Manifest:
        """The newest committed manifest (one ``stat`` per call tells whether it changed)."""
        return self._newest()[0]

    def _newest(self) -> tuple[releases.Manifest, int]:
        if self.directory is None:
            return self._current
        path = self.directory / MANIFEST_FILE
        try:
            status = path.stat()
        except FileNotFoundError:
            return self._current
        stamp = (status.st_ino, status.st_mtime_ns, status.st_size)
        if stamp != self._stamp:
            with self._thread_lock:
                manifest = read_manifest(path)
                self._current = (manifest, self._current[1] + 1)
                self._stamp = stamp
                # let go of segments no release uses (a long-running server sees many loads)
                kept = releases.referenced_parts(manifest)
                for segment_id in [s for s in self._opened if s not in kept]:
                    del self._opened[segment_id]
        return self._current

    def data_version(self) -> Any:
        """Changes whenever the committed manifest does (every write makes a new one); within
        ``one_release``, that release's."""
        held = self._hold.held(self._served_release)
        return self._newest()[1] if held is None else held[1]

    def served_parts(self) -> releases.Parts:
        """The served release's parts (read-only; computed once per manifest); within
        ``one_release``, those of the release its first read found served."""
        held = self._hold.held(self._served_release)
        return self._served_parts(self.manifest()) if held is None else held[0]

    def _served_parts(self, manifest: releases.Manifest) -> releases.Parts:
        cached = self._served
        if cached is None or cached[0] is not manifest:
            cached = (manifest, releases.active_parts(manifest))
            self._served = cached
        return cached[1]

    @contextmanager
    def one_release(self) -> Iterator[None]:
        """Every read inside (in this thread) reads the release served at its first read,
        whatever loads or release changes are committed meanwhile."""
        with self._hold.holding():
            yield

    def _served_release(self) -> tuple[releases.Parts, int]:
        manifest, generation = self._newest()
        return self._served_parts(manifest), generation

    def segments(self, parts: list[str]) -> list[Segment]:
        return [self._segment(part) for part in parts]

    def _segment(self, segment_id: str) -> Segment:
        if self.directory is None:
            return self._memory_segments[segment_id]
        found = self._opened.get(segment_id)
        if found is None:
            if segment_id in self._damaged:  # checked once: a damaged file stays damaged
                raise self._damaged[segment_id]
            try:
                found = open_segment(self.directory / SEGMENTS_DIR, segment_id)
            except StoreDamagedError as error:
                self._note_damage(segment_id, error)
                raise
            except FileNotFoundError:
                if segment_id not in releases.referenced_parts(self.manifest()):
                    raise  # its release was dropped while this request read it
                missing = StoreDamagedError(
                    self.directory / SEGMENTS_DIR / segment_id,
                    f"{SEGMENTS_DIR}/{segment_id}",
                    "missing, though the manifest names it",
                )
                self._note_damage(segment_id, missing)
                raise missing from None
            self._opened[segment_id] = found
        return found

    def constants(self, segment_id: str) -> dict[str, Any]:
        """A segment's constant fields, from its meta alone (the segment is not opened)."""
        if self.directory is None:
            return self._memory_segments[segment_id].constants
        found = self._opened.get(segment_id)
        if found is not None:
            return found.constants
        return segment_constants(self.directory / SEGMENTS_DIR, segment_id)

    def _note_damage(self, key: str, error: StoreDamagedError) -> None:
        self._damaged[key] = error

    def _journal_path(self, journal: type[SqliteJournal]) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / JOURNALS_DIR / f"{journal.name}{JOURNAL_SUFFIX}"

    def _damage_of(self, journal: type[SqliteJournal]) -> Callable[[StoreDamagedError], None]:
        return lambda error: self._note_damage(journal.name, error)

    def _journals(self) -> tuple[SqliteJournal, ...]:
        return (self.budgets, self.audit_log)

    def check(self) -> None:
        """Raise :class:`StoreDamagedError` if the manifest, a segment the served release
        uses or a journal was found damaged (readiness)."""
        served = {part for parts in self._served_parts(self.manifest()).values() for part in parts}
        for key, error in list(self._damaged.items()):
            if key in served or key in RUNTIME_COLLECTIONS:
                raise error
        if self.directory is not None:
            for journal in self._journals():
                journal.check()

    def collection(self, name: str) -> Any:
        if name in PROCESS_LOCAL_COLLECTIONS or ".aggregate-" in name:
            return self._local[name]
        return EmbeddedCollection(self, name)

    def scratch_database(self) -> Any:
        return mongomock.MongoClient()["scratch"]

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[releases.Manifest]:
        """Hold the writers' lock (threads and processes); yield the newest manifest."""
        with self._thread_lock:
            if self.directory is None:
                yield self._current[0]
                return
            with open(self.directory / LOCK_FILE, "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    self._remove_abandoned()
                    yield self.manifest()
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    def new_builder(self, name: str) -> SegmentBuilder:
        directory = None if self.directory is None else self.directory / SEGMENTS_DIR
        return SegmentBuilder(index_paths(name), directory)

    def finish(self, builder: SegmentBuilder) -> str:
        if self.directory is None:
            segment = builder.build_in_memory()
            self._memory_segments[segment.id] = segment
            return segment.id
        return builder.finish()

    def discard(self, segment_id: str) -> None:
        """Delete a finished segment no release names (a load that failed after writing it)."""
        if self.directory is None:
            self._memory_segments.pop(segment_id, None)
        else:
            shutil.rmtree(self.directory / SEGMENTS_DIR / segment_id, ignore_errors=True)

    def commit(self, manifest: releases.Manifest) -> None:
        """Make ``manifest`` the committed one (caller holds the lock), then drop the segments
        no release uses any more."""
        if self.directory is None:
            self._current = (manifest, self._current[1] + 1)
            kept = releases.referenced_parts(manifest)
            for unused in set(self._memory_segments) - kept:
                del self._memory_segments[unused]
            return
        path = self.directory / MANIFEST_FILE
        temporary = path.with_suffix(".tmp")
        try:
            with full_disk_named(temporary), open(temporary, "w") as handle:
                json.dump(
                    {**manifest, MANIFEST_CHECKSUM: manifest_checksum(manifest)}, handle, indent=1
                )
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        os.replace(temporary, path)
        _sync_directory(self.directory)
        self.manifest()
        kept = releases.referenced_parts(manifest)
        for entry in (self.directory / SEGMENTS_DIR).iterdir():
            if entry.name.startswith("seg-") and entry.name not in kept:
                shutil.rmtree(entry, ignore_errors=True)
                self._opened.pop(entry.name, None)

    def _remove_abandoned(self) -> None:
        """Temporary segments of a writer that died: nobody else writes while we hold the lock."""
        assert self.directory is not None
        for entry in (self.directory / SEGMENTS_DIR).iterdir():
            if entry.name.startswith(".tmp-"):
                shutil.rmtree(entry, ignore_errors=True)

    def close(self) -> None:
        self._opened.clear()
        for journal in self._journals():
            journal.close()


class PendingParts:
    """The collections a write is building: the served parts, then each change applied."""

    def __init__(self, database: EmbeddedDatabase, parts: releases.Parts) -> None:
        self.database = database
        self.parts = parts
        self._created: list[str] = []  # segments this write finished

    def _finish(self, builder: SegmentBuilder) -> str:
        segment_id = self.database.finish(builder)
        self._created.append(segment_id)
        return segment_id

    def abandon(self) -> None:
        """Delete every segment this write finished that no committed release names (it failed
        before its commit, or in it: a full disk leaves no orphan segment behind)."""
        named = releases.referenced_parts(self.database.manifest())
        for segment_id in self._created:
            if segment_id not in named:
                self.database.discard(segment_id)
        self._created.clear()

    def segments(self, name: str) -> list[Segment]:
        return self.database.segments(self.parts.get(name, []))

    def replace(
        self, name: str, selector: dict[str, Any], documents: Iterable[dict[str, Any]]
    ) -> int:
        """Write the new documents' segments first (a failing input leaves nothing behind),
        then drop what ``selector`` matched from the other segments."""
        written, new = self._write_segments(name, documents)
        self.parts[name] = [*self._without(name, selector), *new]
        return written

    def _write_segments(
        self, name: str, documents: Iterable[dict[str, Any]]
    ) -> tuple[int, list[str]]:
        """Segments of at most ``segment_size`` documents each, so that a load holds the index
        keys of one segment in memory at a time, whatever the size of its input."""
        finished: list[str] = []
        written = 0
        builder = self.database.new_builder(name)
        try:
            for document in documents:
                builder.add(document)
                written += 1
                if len(builder) >= self.database.segment_size:
                    finished.append(self._finish(builder))
                    builder = self.database.new_builder(name)
        except BaseException:
            builder.abandon()
            for segment_id in finished:
                self.database.discard(segment_id)
            raise
        if len(builder):
            finished.append(self._finish(builder))
        else:
            builder.abandon()
        return written, finished

    def upsert_by_id(self, name: str, documents: list[dict[str, Any]]) -> int:
        ids = [document["_id"] for document in documents]
        return self.replace(name, {"_id": {"$in": ids}}, documents)

    def _without(self, name: str, selector: dict[str, Any]) -> list[str]:
        """The collection's segments with the documents ``selector`` matches left out."""
        kept = []
        for segment_id in self.parts.get(name, []):
            # decided from its constants alone: a segment replaced whole is never opened, so a
            # load replaces a segment whose documents or indexes were damaged
            if _all_match(self.database.constants(segment_id), selector):
                continue
            (segment,) = self.database.segments([segment_id])
            matched = set(matching_ordinals(segment, selector))
            if not matched:
                kept.append(segment.id)
                continue
            remaining = [o for o in range(len(segment)) if o not in matched]
            if remaining:
                builder = self.database.new_builder(name)
                copy_documents(builder, segment, remaining)
                kept.append(self._finish(builder))
        return kept

    def rewrite_with(
        self, name: str, selector: dict[str, Any], operation: Callable[[Any], Any], *, one: bool
    ) -> list[Any]:
        """Apply a mongomock write to the segments holding matches (or to an empty scratch
        collection when none does, for upserts); rewrite those segments; the results."""
        results = []
        new_parts = []
        touched = False
        for segment in self.segments(name):
            if (one and touched) or not any(True for _ in matching_ordinals(segment, selector)):
                new_parts.append(segment.id)
                continue
            touched = True
            scratch = scratch_collection(segment.documents())
            results.append(operation(scratch))
            new_parts.extend(self._segments_from(name, scratch))
        if not touched:
            scratch = scratch_collection(())
            results.append(operation(scratch))
            new_parts.extend(self._segments_from(name, scratch))
        self.parts[name] = new_parts
        return results

    def append(self, name: str, documents: list[dict[str, Any]]) -> None:
        _, new = self._write_segments(name, documents)
        self.parts[name] = [*self.parts.get(name, []), *new]

    def drop(self, name: str) -> None:
        self.parts.pop(name, None)

    def _segments_from(self, name: str, scratch: Any) -> list[str]:
        documents = list(scratch.find({}))
        if not documents:
            return []
        builder = self.database.new_builder(name)
        for document in documents:
            builder.add(document)
        return [self._finish(builder)]


def matching_documents(
    segment: Segment, selector: dict[str, Any]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The segment's documents that match, with their ordinals, in stored order: the index
    candidates, each checked by mongomock's own matcher."""
    found = candidates(segment, selector)
    ordinals: Iterable[int] = range(len(segment)) if found is None else found.tolist()
    for ordinal in ordinals:
        document = segment.document(ordinal)
        if filter_applies(selector, document):
            yield ordinal, document


def matching_ordinals(segment: Segment, selector: dict[str, Any]) -> Iterator[int]:
    return (ordinal for ordinal, _ in matching_documents(segment, selector))


def _all_match(constants: dict[str, Any], selector: dict[str, Any]) -> bool:
    """Whether a plain equality selector matches a whole segment by its constant fields
    (a load's segment, replaced by the next load of the same dataset, is dropped unread)."""
    return bool(selector) and all(
        not field.startswith("$")
        and not isinstance(value, dict | list)
        and field in constants
        and constants[field] == value
        and type(constants[field]) is type(value)
        for field, value in selector.items()
    )


def manifest_checksum(manifest: releases.Manifest) -> dict[str, Any]:
    """What ``manifest.json`` records of itself: the CRC-32 of its canonical text, and the
    sequence it was computed at."""
    text = json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return {"crc32": zlib.crc32(text.encode()), "sequence": manifest.get("sequence")}


def read_manifest(path: Path) -> releases.Manifest:
    """The manifest in ``path``, checked: a file that does not decode, or whose checksum or
    shape is wrong, raises :class:`StoreDamagedError`. A checksum recorded at another
    sequence than the manifest's was carried over by a version that kept none: not checked."""

    def damaged(problem: str) -> StoreDamagedError:
        return StoreDamagedError(path, MANIFEST_FILE, problem)

    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise damaged(f"cannot be read ({error})") from error
    if not isinstance(manifest, dict):
        raise damaged("not a JSON object")
    recorded = manifest.pop(MANIFEST_CHECKSUM, None)
    if (
        isinstance(recorded, dict)
        and recorded.get("sequence") == manifest.get("sequence")
        and recorded != manifest_checksum(manifest)
    ):
        raise damaged("checksum differs")
    problem = releases.manifest_problem(manifest)
    if problem is not None:
        raise damaged(problem)
    return manifest


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class EmbeddedCollection:
    """pymongo's collection calls the beacon makes, over a collection's segments.

    ``parts`` pins the collection to a pending write's state (a load reading what it wrote);
    otherwise each call reads the newest committed release.
    """

    def __init__(
        self, database: EmbeddedDatabase, name: str, parts: releases.Parts | None = None
    ) -> None:
        self._database = database
        self.name = name
        self._parts = parts

    @property
    def database(self) -> Any:
        return self._database

    def _segments(self) -> list[Segment]:
        parts = self._parts if self._parts is not None else self._database.served_parts()
        return self._database.segments(parts.get(self.name, []))

    # -- reads -----------------------------------------------------------------------------

    def _matches(self, selector: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
        selector = selector or {}
        for segment in self._segments():
            for _, document in matching_documents(segment, selector):
                yield document

    def find(
        self, filter: dict[str, Any] | None = None, projection: Any = None, **kwargs: Any
    ) -> Any:
        """A cursor over the matches; see ``cursor.py`` for how it keeps mongomock's behaviour."""
        if kwargs:
            return scratch_collection(self._matches(filter)).find({}, projection, **kwargs)
        return MatchCursor(self._matches(filter), projection)

    def find_one(self, filter: Any = None, *args: Any, **kwargs: Any) -> Any:
        if filter is not None and not isinstance(filter, dict):
            filter = {"_id": filter}
        if kwargs.get("sort") or kwargs.get("skip"):
            return scratch_collection(self._matches(filter)).find_one({}, *args, **kwargs)
        first = next(self._matches(filter), None)
        if first is None or not (args or kwargs):
            return first
        return next(MatchCursor([first], args[0] if args else kwargs.get("projection")), None)

    def count_documents(self, filter: dict[str, Any], **kwargs: Any) -> int:
        if kwargs:
            return scratch_collection(self._matches(filter)).count_documents({}, **kwargs)
        return sum(1 for _ in self._matches(filter))

    def estimated_document_count(self, **kwargs: Any) -> int:
        return sum(len(segment) for segment in self._segments())

    def distinct(self, key: str, filter: dict[str, Any] | None = None) -> list[Any]:
        if "." in key:
            return scratch_collection(self._matches(filter)).distinct(key)
        return distinct_values(self._matches(filter), key)

    def aggregate(self, pipeline: list[dict[str, Any]], **kwargs: Any) -> Any:
        """A leading ``$match`` selects through the indexes; the rest runs in mongomock over
        the matches, beside copies of the collections ``$lookup`` stages read."""
        selector: dict[str, Any] = {}
        rest = list(pipeline)
        if rest and "$match" in rest[0]:
            selector, rest = rest[0]["$match"], rest[1:]
        scratch = self._database.scratch_database()
        for other in _collections_read_by(rest):
            documents = list(self._database.collection(other).find({}))
            if documents:
                scratch[other].insert_many(documents)
        matches: Iterable[dict[str, Any]] = self._matches(selector)
        rest, kept = _leading_inclusion(rest)
        if kept is not None:  # cut each match down first, rather than copy it whole stage by stage
            matches = (included(document, kept) for document in matches)
        # the decoded matches are this call's own: mongomock's pipeline runs over them as they are
        return process_pipeline(list(matches), scratch, rest, None)

    def index_information(self) -> dict[str, Any]:
        information: dict[str, Any] = {"_id_": {"key": [("_id", 1)]}}
        for spec in INDEXES.get(self.name, ()):
            information[spec.name] = {"key": list(spec.keys), "unique": spec.unique}
        return information

    def create_index(self, keys: Any, **options: Any) -> str:
        """Indexes are those ``app/store/indexes.py`` declares; every segment builds them."""
        return str(options.get("name") or "_".join(f"{k}_{d}" for k, d in keys))

    # -- writes: each one changes the active release in place --------------------------------

    def _write(self, change: Callable[[PendingParts], Any]) -> Any:
        if self._parts is not None:
            raise TypeError("a pending load's collection is read-only; write through the load")
        with self._database.writing() as manifest:
            pending = PendingParts(self._database, releases.active_parts(manifest))
            try:
                result = change(pending)
                self._database.commit(
                    releases.with_active_parts(manifest, pending.parts, f"write to {self.name}")
                )
            except BaseException:
                pending.abandon()
                raise
        return result

    def insert_one(self, document: dict[str, Any]) -> InsertOneResult:
        self.insert_many([document])
        return InsertOneResult(document["_id"], acknowledged=True)

    def insert_many(self, documents: Iterable[dict[str, Any]], ordered: bool = True) -> Any:
        batch = list(documents)
        if not batch:
            raise TypeError("documents must be a non-empty list")

        def change(pending: PendingParts) -> InsertManyResult:
            _refuse_duplicate_ids(pending.segments(self.name), batch)
            pending.append(self.name, batch)
            return InsertManyResult([document["_id"] for document in batch], acknowledged=True)

        return self._write(change)

    def _rewrite(self, selector: Any, method: str, *args: Any, one: bool, **kwargs: Any) -> Any:
        selector = selector or {}
        return self._write(
            lambda pending: _combined(
                pending.rewrite_with(
                    self.name,
                    selector,
                    lambda scratch: getattr(scratch, method)(selector, *args, **kwargs),
                    one=one,
                )
            )
        )

    def replace_one(self, filter: dict, replacement: dict, upsert: bool = False) -> Any:
        return self._rewrite(filter, "replace_one", replacement, one=True, upsert=upsert)

    def update_one(self, filter: dict, update: Any, upsert: bool = False) -> Any:
        return self._rewrite(filter, "update_one", update, one=True, upsert=upsert)

    def update_many(self, filter: dict, update: Any, upsert: bool = False) -> Any:
        return self._rewrite(filter, "update_many", update, one=False, upsert=upsert)

    def delete_one(self, filter: dict) -> Any:
        return self._rewrite(filter, "delete_one", one=True)

    def delete_many(self, filter: dict) -> Any:
        return self._rewrite(filter, "delete_many", one=False)

    def find_one_and_update(self, filter: dict, update: Any, **kwargs: Any) -> Any:
        return self._rewrite(filter, "find_one_and_update", update, one=True, **kwargs)

    def drop(self) -> None:
        self._write(lambda pending: pending.drop(self.name))


def _refuse_duplicate_ids(segments: list[Segment], documents: list[dict[str, Any]]) -> None:
    ids = [document["_id"] for document in documents if "_id" in document]
    if len(set(map(repr, ids))) != len(ids):
        raise DuplicateKeyError("E11000 duplicate key error: _id repeated in the batch")
    if ids:
        selector = {"_id": {"$in": ids}}
        for segment in segments:
            for _ in matching_ordinals(segment, selector):
                raise DuplicateKeyError("E11000 duplicate key error collection: _id exists")


def _combined(results: list[Any]) -> Any:
    """One pymongo result for a write that touched several segments."""
    if len(results) == 1:
        return results[0]
    if all(isinstance(result, DeleteResult) for result in results):
        return DeleteResult({"n": sum(r.deleted_count for r in results)}, acknowledged=True)
    if all(isinstance(result, UpdateResult) for result in results):
        matched = sum(r.matched_count for r in results)
        modified = sum(r.modified_count or 0 for r in results)
        upserted = next((r.upserted_id for r in results if r.upserted_id is not None), None)
        raw = {"n": matched, "nModified": modified, "updatedExisting": matched > 0}
        if upserted is not None:
            raw["upserted"] = upserted
        return UpdateResult(raw, acknowledged=True)
    return next((result for result in results if result is not None), None)


def _leading_inclusion(
    pipeline: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[str] | None]:
    """An inclusion ``$project`` reached only through ``$sort`` stages on fields it keeps: it can
    run first. The pipeline without it, and the paths it keeps (``None`` if there is none)."""
    for position, stage in enumerate(pipeline):
        if "$project" in stage:
            projection = stage["$project"]
            if not projection or not all(value in (1, True) for value in projection.values()):
                return pipeline, None
            kept = ["_id", *projection]
            sorted_on = {key for earlier in pipeline[:position] for key in earlier["$sort"]}
            if not sorted_on <= set(kept):
                return pipeline, None
            return pipeline[:position] + pipeline[position + 1 :], kept
        if set(stage) != {"$sort"}:
            return pipeline, None
    return pipeline, None


def _collections_read_by(pipeline: list[dict[str, Any]]) -> set[str]:
    """Collections named by ``$lookup``/``$unionWith``/``$graphLookup``, at any depth."""
    found: set[str] = set()

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in ("$lookup", "$graphLookup") and isinstance(inner, dict):
                    if isinstance(inner.get("from"), str):
                        found.add(inner["from"])
                elif key == "$unionWith":
                    found.add(inner if isinstance(inner, str) else inner.get("coll", ""))
                visit(inner)
        elif isinstance(value, list):
            for inner in value:
                visit(inner)

    visit(pipeline)
    found.discard("")
    return found

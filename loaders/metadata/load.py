"""The metadata loader: read every file -> check every row -> write all, or nothing.

Unlike a VCF, metadata is checked as a whole before anything is written: ids must be unique
and links must point to records of the same load (or stored ones the load keeps), so every
row is read first. Every problem found is reported at once; with ``skip_invalid`` the valid
rows are loaded and the others written to rejects files. A load that would replace stored
entries with nothing is refused (``loaders.emptying``) unless ``allow_empty``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.store import Release, Store
from app.store.collections import (
    BIOSAMPLES,
    METADATA_ENTRIES,
    METADATA_STATS,
    VARIANT_STATS,
)
from app.store.query import HasLink, in_dataset
from loaders.emptying import FileRows, refuse_emptying
from loaders.errors import CombinedLoadError, LoadError
from loaders.metadata.checks import (
    ENTRY_TYPE_IDS,
    REFERENCES,
    check_one_cohort,
    check_references,
    check_unique_ids,
    fill_links,
    validate_rows,
)
from loaders.metadata.documents import LINK_FIELDS, entry_document, filtering_term_documents
from loaders.metadata.rejects import write_rejects
from loaders.metadata.sources import (
    EntryFileContent,
    SourceRow,
    find_entry_files,
    read_entry_file,
)

LISTED_IDS = 20  # ids named in a warning; the count says how many there are


class MetadataLoadError(CombinedLoadError):
    """Every problem of a metadata load; ``str()`` gives one ``FILE:ROW:COLUMN: message`` a line."""


@dataclass(frozen=True)
class MetadataLoadSummary:
    dataset_id: str
    loaded: Mapping[str, int]  # records written per entry type present in the input
    rejected: int = 0  # rows set aside (``skip_invalid``)
    rejects_files: tuple[str, ...] = ()
    filtering_terms: int = 0  # the dataset's metadata filtering terms after the load
    warnings: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # "<file>: why", for files not loaded
    files: tuple[FileRows, ...] = ()  # per input file: rows read, loaded, rejected


def load_metadata(
    store: Store,
    paths: Iterable[str | Path],
    dataset_id: str,
    skip_invalid: bool = False,
    rejects_dir: str | Path | None = None,
    allow_empty: bool = False,
) -> MetadataLoadSummary:
    """Load metadata entry files (or directories of them) into a dataset, all or nothing.

    Each entry type present in the input replaces that type's records of the dataset; the
    dataset's metadata filtering terms are then recomputed from everything it holds. Raises
    :class:`MetadataLoadError` listing every problem (nothing is written), unless
    ``skip_invalid``, which loads the valid rows and writes the others to rejects files
    (beside each input file, or in ``rejects_dir``). Problems with a whole file (unreadable,
    malformed header, no records) stop the load in either case. Unless ``allow_empty``, a load
    that would leave the dataset without entries of a type it holds, or that rejected every
    row of a file, raises :class:`~loaders.emptying.EmptyingLoadError` (the rejects files are
    written first, to say why) and writes nothing.
    """
    paths = list(paths)
    contents, skipped, file_problems = _read(paths, dataset_id)
    rows: dict[str, list[SourceRow]] = {}
    for content in contents:
        rows.setdefault(content.source.entry, []).extend(content.rows)
    _check(store, rows, dataset_id, skip_invalid)

    row_problems = [problem for content in contents for problem in _row_problems(content)]
    if file_problems or (row_problems and not skip_invalid):
        raise MetadataLoadError(_in_input_order(file_problems + row_problems, contents))
    rejects = write_rejects(contents, rejects_dir) if row_problems else []
    accepted = {
        entry: [row for row in entry_rows if not row.problems] for entry, entry_rows in rows.items()
    }
    files = _file_rows(contents, rejects)
    left = {entry: len(entry_rows) for entry, entry_rows in accepted.items()}
    refuse_emptying(store, dataset_id, left, files, allow_empty=allow_empty)
    terms = _write(store, dataset_id, accepted)
    return MetadataLoadSummary(
        dataset_id=dataset_id,
        loaded={entry: len(accepted[entry]) for entry in METADATA_ENTRIES if entry in accepted},
        rejected=sum(len(rows[entry]) - len(accepted[entry]) for entry in rows),
        rejects_files=tuple(str(path) for path in rejects),
        filtering_terms=terms,
        warnings=tuple(
            _stored_dangling_warnings(store, dataset_id, set(accepted))
            + _unmatched_samples_warning(store, dataset_id)
        ),
        skipped=tuple(skipped),
        files=files,
    )


def _file_rows(contents: list[EntryFileContent], rejects: list[Path]) -> tuple[FileRows, ...]:
    """Each input file's rows read and loaded, and its rejects file (``write_rejects`` writes
    one per file with rejected rows, in input order)."""
    rejected_contents = [content for content in contents if _row_problems(content)]
    rejects_of = {
        id(content): str(path) for content, path in zip(rejected_contents, rejects, strict=True)
    }
    return tuple(
        FileRows(
            path=str(content.source.path),
            read=len(content.rows),
            loaded=sum(1 for row in content.rows if not row.problems),
            rejects_file=rejects_of.get(id(content)),
        )
        for content in contents
    )


def _read(
    paths: list[str | Path], dataset_id: str
) -> tuple[list[EntryFileContent], list[str], list[LoadError]]:
    """Every entry file's rows, notices for skipped files, and problems of whole files."""
    entry_files, skipped, problems = find_entry_files(paths)
    if not entry_files and not problems:
        where = ", ".join(str(path) for path in paths) or "no path given"
        problems.append(LoadError(where, "no metadata entry files found"))
    contents = [read_entry_file(source, dataset_id) for source in entry_files]
    problems.extend(problem for content in contents for problem in content.problems)
    return contents, skipped, problems


def _check(
    store: Store, rows: dict[str, list[SourceRow]], dataset_id: str, skip_invalid: bool
) -> None:
    stored = _stored_links(store, dataset_id, keep=set(METADATA_ENTRIES) - set(rows))
    validate_rows(rows)
    check_unique_ids(rows)
    check_one_cohort(rows)
    fill_links(rows, stored)
    check_references(rows, stored, dataset_id, skip_invalid=skip_invalid)


def _write(store: Store, dataset_id: str, accepted: dict[str, list[SourceRow]]) -> int:
    """Replace each loaded entry type's documents and the dataset's filtering terms in one
    staged swap (nothing is touched unless every document was built); the terms' count."""
    records = {
        entry: [row.record for row in accepted[entry] if row.record is not None]
        for entry in METADATA_ENTRIES
        if entry in accepted
    }
    documents = {
        entry: [entry_document(entry, dataset_id, record) for record in entry_records]
        for entry, entry_records in records.items()
    }
    terms = _filtering_terms(store, dataset_id, records)
    scopes = [ENTRY_TYPE_IDS[entry] for entry in METADATA_ENTRIES]
    with store.release(f"metadata into dataset {dataset_id}") as release:
        for entry, entry_documents in documents.items():
            release.replace_dataset(entry, dataset_id, entry_documents)
        release.replace_terms(dataset_id, scopes, terms)
        _write_stats(release, dataset_id)
    # After the writes: ids were checked unique already, and the embedded store checks a unique
    # index by scanning the collection on every insert.
    store.ensure_indexes()
    return len(terms)


def _row_problems(content: EntryFileContent) -> list[LoadError]:
    return [problem for row in content.rows for problem in row.problems]


def _in_input_order(problems: list[LoadError], contents: list[EntryFileContent]) -> list[LoadError]:
    """By file as read, then by row (file-wide problems first); stable within a row."""
    file_order = {str(content.source.path): index for index, content in enumerate(contents)}
    return sorted(
        problems, key=lambda problem: (file_order.get(problem.path, -1), problem.line or 0)
    )


def _stored_links(
    store: Store, dataset_id: str, keep: set[str]
) -> dict[str, dict[str, dict[str, Any]]]:
    """id -> link fields of the dataset's stored records, for referenced types the load keeps."""
    wanted = {reference.target for reference in REFERENCES} & keep
    fields = ("id", *LINK_FIELDS)
    return {
        entry: {
            document["id"]: document
            for document in store.project(entry, in_dataset(dataset_id), fields)
        }
        for entry in sorted(wanted)
    }


def _write_stats(release: Release, dataset_id: str) -> None:
    """How many entries of each type the dataset now holds (the Data Connect catalog's counts),
    as ``individualCount``, ``biosampleCount``, ``runCount``, ``analysisCount``, ``cohortCount``."""
    counts = {
        f"{ENTRY_TYPE_IDS[entry]}Count": release.count(entry, in_dataset(dataset_id))
        for entry in METADATA_ENTRIES
    }
    release.put_stats(METADATA_STATS, dataset_id, counts)


def _filtering_terms(
    store: Store, dataset_id: str, loaded: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The dataset's metadata filtering terms once the load is applied: from the loaded records
    of the types it replaces and the stored records of the types it keeps."""
    rows: list[dict[str, Any]] = []
    for entry in METADATA_ENTRIES:
        records: Iterable[dict[str, Any]]
        if entry in loaded:
            records = loaded[entry]
        else:
            stored = store.project(entry, in_dataset(dataset_id), ("record",))
            records = (document["record"] for document in stored)
        rows.extend(filtering_term_documents(dataset_id, ENTRY_TYPE_IDS[entry], records))
    return rows


def _stored_dangling_warnings(store: Store, dataset_id: str, replaced: set[str]) -> list[str]:
    """Stored records of a type this load kept that name a record of a type it replaced, which
    the new records do not have (a later load of their own type will be checked)."""
    warnings = []
    for reference in REFERENCES:
        if reference.holder in replaced or reference.target not in replaced:
            continue
        of_dataset = in_dataset(dataset_id)
        target_ids = set(store.distinct(reference.target, "id", of_dataset))
        linked = in_dataset(dataset_id, HasLink(reference.field))
        dangling = sorted(
            set(store.distinct(reference.holder, reference.field, linked)) - target_ids
        )
        if dangling:
            warnings.append(
                f"stored {reference.holder} of dataset {dataset_id} name {len(dangling)} "
                f"{reference.target} this load does not have ({reference.field}): "
                f"{_first(dangling)}"
            )
    return warnings


def _first(ids: list[str]) -> str:
    more = ", ..." if len(ids) > LISTED_IDS else ""
    return ", ".join(ids[:LISTED_IDS]) + more


def _unmatched_samples_warning(store: Store, dataset_id: str) -> list[str]:
    """VCF samples of the dataset without a biosample: their variants join to nothing."""
    of_dataset = in_dataset(dataset_id)
    stats = next(store.project(VARIANT_STATS, of_dataset, ("sampleIds",)), None)
    samples = (stats or {}).get("sampleIds") or []
    if not samples:
        return []
    biosamples = set(store.distinct(BIOSAMPLES, "id", of_dataset))
    unmatched = [sample for sample in samples if sample not in biosamples]
    if not unmatched:
        return []
    return [
        f"{len(unmatched)} of the {len(samples)} VCF samples of dataset {dataset_id} have no "
        f"biosample, so their variants are not linked to metadata: {_first(unmatched)}"
    ]

"""What a metadata load checks before it writes anything.

Each record against its entry type's schema; ids unique per entry type; links that follow from
others filled in (and checked when given); every link pointing to a record of this load or,
for an entry type the load does not replace, to a stored record of the dataset. Problems are
attached to the row they concern, so that all of them can be reported at once or the rows
carrying them set aside.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError

from app.entry_types import ENTRY_TYPES
from app.store.collections import (
    ANALYSES,
    BIOSAMPLES,
    COHORTS,
    INDIVIDUALS,
    METADATA_ENTRIES,
    RUNS,
)
from loaders.metadata.sources import SourceRow
from schemas.metadata import load_entry, scalar_list_paths
from schemas.metadata.flat import column_of

Rows = Mapping[str, list[SourceRow]]  # entry type (collection) -> its rows, in reading order
Links = Mapping[str, Mapping[str, Mapping[str, Any]]]  # entry type -> id -> its link fields

ENTRY_TYPE_IDS = {
    entry.store_collection: entry.id
    for entry in ENTRY_TYPES
    if entry.store_collection in METADATA_ENTRIES
}


@dataclass(frozen=True)
class Reference:
    holder: str  # entry type whose records hold the field
    field: str
    target: str  # entry type the field names a record of


REFERENCES = (
    Reference(BIOSAMPLES, "individualId", INDIVIDUALS),
    Reference(RUNS, "biosampleId", BIOSAMPLES),
    Reference(RUNS, "individualId", INDIVIDUALS),
    Reference(ANALYSES, "runId", RUNS),
    Reference(ANALYSES, "biosampleId", BIOSAMPLES),
    Reference(ANALYSES, "individualId", INDIVIDUALS),
)


@dataclass(frozen=True)
class DerivedLink:
    """``holder.field`` is ``parent.field`` for the parent ``holder.via`` names."""

    holder: str
    via: str
    parent: str
    field: str


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_DEPTH = 90  # MongoDB refuses documents nested 100 levels deep; the stored record sits lower

# In this order: a run's individual is filled before an analysis takes it from the run.
DERIVED_LINKS = (
    DerivedLink(RUNS, "biosampleId", BIOSAMPLES, "individualId"),
    DerivedLink(ANALYSES, "runId", RUNS, "biosampleId"),
    DerivedLink(ANALYSES, "runId", RUNS, "individualId"),
    DerivedLink(ANALYSES, "biosampleId", BIOSAMPLES, "individualId"),
)


def validate_rows(rows: Rows) -> None:
    """Each readable row through its entry type's schema; the record is kept when valid."""
    for entry, entry_rows in rows.items():
        for row in entry_rows:
            if row.data is None:
                continue
            try:
                record = load_entry(entry, row.data)
            except ValidationError as error:
                for path, message in _message_paths(error.messages, ()):
                    row.problem(message, _column(row, path))
                continue
            for path, message in unstorable_values(record):
                row.problem(message, _column(row, path))
            if "/" in str(record.get("id", "")):
                # an id is one segment of the entry's URL: /individuals/{id}/g_variants
                row.problem("an id cannot contain '/', which would split its URL", "id")
            if not row.problems:
                row.record = record


def unstorable_values(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple, str]]:
    """Values neither JSON nor MongoDB can hold: integers beyond 64 bits, NaN and infinities,
    nesting deeper than MongoDB's 100 levels (free-form ``info`` objects are not checked by the
    schema)."""
    if len(path) > MAX_DEPTH:
        yield path[:MAX_DEPTH], f"nested deeper than {MAX_DEPTH} levels"
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from unstorable_values(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unstorable_values(item, (*path, index))
    elif isinstance(value, bool):
        return
    elif isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        yield path, f"{value} is beyond the 64-bit integer range"
    elif isinstance(value, float) and not math.isfinite(value):
        yield path, f"{value} is not a finite number"


def check_unique_ids(rows: Rows) -> None:
    """A repeated id is a problem on every row after the first that uses it."""
    for entry_rows in rows.values():
        first: dict[str, SourceRow] = {}
        for row in entry_rows:
            if row.id is None:
                continue
            if row.id in first:
                row.problem(
                    f"duplicate id {row.id!r} (first at {_where(first[row.id], row)})", "id"
                )
            else:
                first[row.id] = row


def check_one_cohort(rows: Rows) -> None:
    """A dataset describes at most one cohort: a cohort's members are its dataset's
    individuals (the Beacon model links individuals to no cohort), so a second cohort in the
    same dataset could not say who its members are."""
    cohorts = [row for row in rows.get(COHORTS, []) if row.data is not None]
    for row in cohorts[1:]:
        row.problem(
            f"a dataset describes one cohort (first at {_where(cohorts[0], row)}): its members "
            "are the dataset's individuals; load another cohort as a dataset of its own",
            "id",
        )


def fill_links(rows: Rows, stored: Links) -> None:
    """Fill links that follow from the parent's; a given link that contradicts it is a problem.

    Queries join entry types through biosample links, so an analysis that names only its run
    gets the run's biosample (and individual), and a run its biosample's individual.
    """
    for derived in DERIVED_LINKS:
        parents = _links_of(derived.parent, rows, stored)
        for row in rows.get(derived.holder, ()):
            record = row.record
            if record is None or not isinstance(record.get(derived.via), str):
                continue
            inherited = parents.get(record[derived.via], {}).get(derived.field)
            if not isinstance(inherited, str):
                continue
            if derived.field not in record:
                record[derived.field] = inherited
                row.filled.add(derived.field)
            elif record[derived.field] != inherited:
                parent = ENTRY_TYPE_IDS[derived.parent]
                row.problem(
                    f"{record[derived.field]!r} contradicts the {derived.field} of {parent} "
                    f"{record[derived.via]!r} ({inherited!r})",
                    derived.field,
                )


def check_references(
    rows: Rows, stored: Links, dataset_id: str, *, skip_invalid: bool = False
) -> None:
    """Every link names a record of this load, or a stored one of a type this load keeps.

    With ``skip_invalid``, rows whose target is rejected are rejected in turn, until no more
    rows change.
    """
    loaded = {entry: {row.id for row in entry_rows if row.id} for entry, entry_rows in rows.items()}
    for reference, row, target_id in _references(rows):
        in_load = reference.target in rows
        known = loaded[reference.target] if in_load else stored.get(reference.target, {})
        if target_id not in known:
            where = "this load" if in_load else f"this load or dataset {dataset_id}"
            name = ENTRY_TYPE_IDS[reference.target]
            row.problem(f"no {name} {target_id!r} in {where}", reference.field)
    while skip_invalid:
        accepted = {
            entry: {row.id for row in entry_rows if row.id and not row.problems}
            for entry, entry_rows in rows.items()
        }
        newly_rejected = [
            (reference, row, target_id)
            for reference, row, target_id in _references(rows)
            if not row.problems
            and reference.target in rows
            and target_id not in accepted[reference.target]
        ]
        if not newly_rejected:
            return
        for reference, row, target_id in newly_rejected:
            name = ENTRY_TYPE_IDS[reference.target]
            row.problem(f"{name} {target_id!r} is rejected", reference.field)


def _references(rows: Rows) -> Iterator[tuple[Reference, SourceRow, str]]:
    """The links each row gives (a filled link is checked through the row it came from)."""
    for reference in REFERENCES:
        for row in rows.get(reference.holder, ()):
            if reference.field in row.filled:
                continue
            target_id = row.fields.get(reference.field)
            if isinstance(target_id, str) and target_id:
                yield reference, row, target_id


def _links_of(entry: str, rows: Rows, stored: Links) -> Mapping[str, Mapping[str, Any]]:
    """id -> record of the entry type: from this load when it holds the type, else stored."""
    if entry not in rows:
        return stored.get(entry, {})
    found: dict[str, Mapping[str, Any]] = {}
    for row in rows[entry]:
        if row.record is not None:
            found.setdefault(row.record["id"], row.record)
    return found


def _where(first: SourceRow, row: SourceRow) -> str:
    if first.source.path != row.source.path:
        return f"{first.source.path}:{first.number}"
    return f"line {first.number}" if first.source.flat else f"record {first.number}"


def _column(row: SourceRow, path: tuple[str | int, ...]) -> str | None:
    """Where a problem is, as the input names it: a template column or a record's dot path."""
    if not path:
        return None
    if row.source.flat:
        return column_of(path, scalar_list_paths(row.entry))
    return ".".join(str(part) for part in path)


def _message_paths(messages: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple, str]]:
    """marshmallow's nested messages as (field path, message); list items keyed by index."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                yield from _message_paths(value, path)
            elif value == ["Unknown field."]:
                yield (*path, key), "unknown field"
            else:
                yield from _message_paths(value, (*path, key))
    elif isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        yield path, " ".join(messages)
    elif isinstance(messages, list):
        for item in messages:
            yield from _message_paths(item, path)
    else:
        yield path, str(messages)

"""Beacon metadata record -> stored document, plus the filtering terms a load makes queryable.

A stored document keeps the Beacon record untouched under ``record`` and beside it the flat
fields queries use: the links between entry types (indexed, for joins), every ontology term id
found anywhere in the record (one multikey index answers every ontology filter) and ISO 8601
durations converted to days (so ``ageOfOnset > P18Y`` is an index range, not a string compare).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from app.durations import DURATION_KEY, duration_days
from app.store.collections import DATASET_ID
from schemas.metadata import leaf_fields

LINK_FIELDS = ("individualId", "biosampleId", "runId")
TERM_PARTS = ("id", "label", DURATION_KEY)
ENUMERATED_VALUES = 20  # a field with at most this many distinct values lists them
_CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*:\S+$")


def ontology_terms(record: Any) -> dict[str, str | None]:
    """Every ontology term object (a mapping with a CURIE ``id``) in the record, with its label;
    terms of an excluded phenotype are not the record's."""
    found: dict[str, str | None] = {}
    children = record.values() if isinstance(record, Mapping) else [record]
    for value in (mapping for child in children for mapping in _mappings(child)):
        term_id = value.get("id")
        if isinstance(term_id, str) and _CURIE.match(term_id):
            label = value.get("label")
            if found.get(term_id) is None:
                found[term_id] = label if isinstance(label, str) else None
    return found


def durations(record: Any, duration_paths: Collection[str] = ()) -> list[dict[str, Any]]:
    """``{"path", "days"}`` for every ISO 8601 duration in the record (paths without indices):
    the ``iso8601duration`` of age objects, and the fields named in ``duration_paths`` (a
    biosample's ``collectionMoment`` is a duration without that key)."""
    rows = []
    for path, value in _leaves(record, ()):
        is_duration = path and (path[-1] == DURATION_KEY or ".".join(path) in duration_paths)
        if is_duration and isinstance(value, str):
            days = duration_days(value)
            if days is not None:
                rows.append({"path": ".".join(path), "days": days})
    return rows


def entry_document(entry: str, dataset_id: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of one validated record of entry type ``entry`` (a collection name)."""
    document: dict[str, Any] = {DATASET_ID: dataset_id, "id": record["id"], "record": dict(record)}
    for link in LINK_FIELDS:
        if isinstance(record.get(link), str):
            document[link] = record[link]
    document["ontologyTerms"] = sorted(ontology_terms(record))
    document["durations"] = durations(record, _duration_paths(entry))
    return document


def filtering_term_documents(
    dataset_id: str, scope: str, records: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The terms one scope's records can be filtered by (``scope`` is an entry type id).

    * ``ontology``: every ontology term id present, with its label;
    * ``alphanumeric``: every field path holding a value (ids of the records themselves and
      links excepted), with the distinct values when there are few;
    * ``custom``: ``<path>:<value>`` for plain-text fields with few distinct values (not the
      ``id``/``label`` of ontology terms, which the ontology terms already cover).
    """
    labels: dict[str, str | None] = {}
    values: dict[str, set[str]] = {}
    not_text: set[str] = set()
    for record in records:
        for term_id, label in ontology_terms(record).items():
            if labels.get(term_id) is None:
                labels[term_id] = label
        for path, value in _leaves(record, ()):
            if path and not (len(path) == 1 and path[0] in ("id", *LINK_FIELDS)):
                key = ".".join(path)
                values.setdefault(key, set()).add(str(value))
                if not isinstance(value, str):
                    not_text.add(key)
    rows: list[dict[str, Any]] = [
        _term_row(dataset_id, scope, "ontology", term_id, label)
        for term_id, label in sorted(labels.items())
    ]
    for path, distinct in sorted(values.items()):
        enumerable = len(distinct) <= ENUMERATED_VALUES
        row = _term_row(dataset_id, scope, "alphanumeric", path)
        if enumerable:
            row["values"] = sorted(distinct)
        rows.append(row)
        plain_text = path not in not_text and path.rsplit(".", 1)[-1] not in TERM_PARTS
        if enumerable and plain_text:
            rows.extend(
                _term_row(dataset_id, scope, "custom", f"{path}:{value}", f"{path} = {value}")
                for value in sorted(distinct)
            )
    return rows


def _term_row(
    dataset_id: str, scope: str, kind: str, term_id: str, label: str | None = None
) -> dict[str, Any]:
    return {DATASET_ID: dataset_id, "scope": scope, "kind": kind, "id": term_id, "label": label}


@functools.cache
def _duration_paths(entry: str) -> frozenset[str]:
    """Fields of the model holding an ISO 8601 duration without an ``iso8601duration`` key."""
    return frozenset(path for path, kind in leaf_fields(entry).items() if kind == "duration")


def _mappings(value: Any) -> Iterator[Mapping[str, Any]]:
    """Every mapping in ``value``, except what is marked absent (``"excluded": true``: a
    phenotype looked for and not found must not match a filter for it)."""
    if isinstance(value, Mapping):
        if value.get("excluded") is True:
            return
        yield value
        for item in value.values():
            yield from _mappings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _mappings(item)


def _leaves(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _leaves(item, (*path, str(key)))
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, path)
    else:
        yield path, value

"""Dataset descriptions (a JSON or YAML list of Beacon dataset records) loaded into
``datasets``; and datasets retired, with everything the store holds of them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError

from app.catalog.duo import labelled
from app.catalog.laws import PrivacyLawRegistry, bundled_registry
from app.store import DATASETS, Store
from app.store.collections import DATASET_SUMMARIES
from loaders.errors import LoadError
from schemas.dataset import DatasetSchema
from schemas.messages import validation_problems


@dataclass(frozen=True)
class DatasetLoadSummary:
    path: str
    dataset_ids: tuple[str, ...]
    # what a catalog needs and a record lacks (no country, no consent codes, no law)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatasetDropSummary:
    dataset_id: str
    collections: tuple[str, ...]  # those its documents were removed from
    release_id: str | None  # the release without it (``releases rollback`` brings it back)


class UnknownDatasetError(LoadError):
    """No served collection holds a document of the dataset named."""


def read_dataset_descriptions(path: str | Path) -> list[dict[str, Any]]:
    """Parse and validate every record; all problems are reported together, by record and field."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise LoadError(source, f"cannot read the file: {error.strerror}") from None
    try:
        parsed = json.loads(text) if source.endswith(".json") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise LoadError(source, f"not valid JSON/YAML: {error}") from None
    # an empty file (or one of comments only) holds no record
    records = [] if parsed is None else parsed if isinstance(parsed, list) else [parsed]
    problems: list[str] = []
    documents: list[dict[str, Any]] = []
    seen: set[str] = set()
    schema = DatasetSchema()
    registry = bundled_registry()
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            problems.append(f"record {index + 1}: must be a mapping of dataset fields")
            continue
        label = f"record {index + 1} ({record.get('id', 'no id')})"
        try:
            schema.load(record)
        except ValidationError as error:
            problems.extend(f"{label}: {issue}" for issue in validation_problems(error.messages))
            continue
        if record["id"] in seen:
            problems.append(f"{label}: id: duplicate dataset id")
        seen.add(record["id"])
        unknown_laws = [law for law in record.get("privacyLaws", []) if not registry.by_id(law)]
        if unknown_laws:
            problems.append(
                f"{label}: privacyLaws: {', '.join(unknown_laws)} not in the privacy-law registry"
            )
        documents.append({"_id": record["id"], **_catalogued(_json_ready(record), registry)})
    if problems:
        raise LoadError(source, "; ".join(problems))
    if not documents:
        raise LoadError(source, "no dataset records found")
    return documents


def load_datasets(store: Store, path: str | Path) -> DatasetLoadSummary:
    """Validate the whole file first, then insert or replace each dataset by id."""
    documents = read_dataset_descriptions(path)
    store.upsert_by_id(DATASETS, documents)
    warnings = [warning for document in documents for warning in catalog_gaps(document)]
    return DatasetLoadSummary(str(path), tuple(doc["_id"] for doc in documents), tuple(warnings))


def dataset_collections(store: Store, dataset_id: str) -> list[str]:
    """The served collections holding documents of the dataset, in ``DATASET_FIELDS`` order."""
    return store.collections_holding(dataset_id)


def drop_dataset(store: Store, dataset_id: str) -> DatasetDropSummary:
    """Remove every document of the dataset (description, variants and their stats, metadata
    entries and their stats, filtering terms) in one release, so a rollback brings it back.
    The audit log and the query budgets are not part of releases and keep their documents.
    Raises :class:`UnknownDatasetError` when the store holds nothing of it."""
    with store.release(f"drop dataset {dataset_id}") as release:
        holding = release.drop_dataset(dataset_id)
        if not holding:
            raise UnknownDatasetError(dataset_id, _unknown(store))
    return DatasetDropSummary(dataset_id, tuple(holding), store.active_release())


def _unknown(store: Store) -> str:
    """The message for an id no collection holds, naming the ids it does hold (every load
    writes a document keyed by the dataset id: a description or a load's stats)."""
    keyed = (DATASETS, *DATASET_SUMMARIES)
    known = sorted(set().union(*(store.dataset_ids_of(name) for name in keyed)))
    return "no such dataset in the served release; " + (
        f"its datasets: {', '.join(known)}" if known else "it holds no dataset"
    )


def catalog_gaps(document: dict[str, Any]) -> list[str]:
    """What the catalog will show as unknown for this dataset, said while loading it."""
    gaps = []
    if not document.get("country"):
        gaps.append("no country (ISO 3166-1 alpha-2 code): the catalog cannot place it")
    if not document.get("dataUseConditions"):
        gaps.append("no consent codes (dataUseConditions.duoDataUse): its data use is unknown")
    if document.get("country") and not document.get("privacyLaws"):
        gaps.append(f"no law of {document['country']} in the privacy-law registry")
    return [f"dataset {document['_id']}: {gap}" for gap in gaps]


def _catalogued(record: dict[str, Any], registry: PrivacyLawRegistry) -> dict[str, Any]:
    """The record with DUO labels filled in and, unless given, the laws of its country."""
    conditions = record.get("dataUseConditions")
    if conditions:
        terms = []
        for term in conditions["duoDataUse"]:
            modifiers = [labelled(modifier) for modifier in term.get("modifiers", [])]
            terms.append({**labelled(term), **({"modifiers": modifiers} if modifiers else {})})
        record = {**record, "dataUseConditions": {**conditions, "duoDataUse": terms}}
    if "privacyLaws" not in record and record.get("country"):
        laws = [entry["id"] for entry in registry.for_country(record["country"])]
        if laws:
            record = {**record, "privacyLaws": laws}
    return record


def _json_ready(record: dict[str, Any]) -> dict[str, Any]:
    """YAML turns unquoted timestamps into datetimes; the stored record keeps ISO strings."""
    return json.loads(json.dumps(record, default=lambda value: value.isoformat()))

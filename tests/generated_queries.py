"""Generated documents and predicates of every kind, for tests that ask two backends the same.

Documents are shaped as the loaders write them (``docs/storage.md``), with what older loads and
odd records leave: variants without gene keys (loaded before they existed) or without their
array fields, unknown frequencies (missing or null), records with nulls, mixed types, arrays of
objects and nested arrays. Predicates are those of :mod:`app.store.query`, nested in
``All``/``AnyOf``/``Not``, with values drawn from what the documents hold (so they match some)
and beside it (so they match none).

Numbers in records and in number conditions are never 0 or 1: mongomock takes ``True == 1``
for an equality (Python's), where MongoDB does not (a boolean is never a number). Booleans sit
under their own path; ``test_lower_sql`` checks the SQL side keeps MongoDB's rule.
"""

from __future__ import annotations

import random
from typing import Any

from app.genome import gene_key
from app.query.wildcards import wildcard_regex
from app.store import query as q

OPERATORS = ("=", "!", *q.ORDERINGS)
DATASETS = ("ds-a", "ds-b", "ds-c")
ASSEMBLIES = ("GRCh38", "GRCh37")
CHROMOSOMES = ("1", "2", "X", "MT")
GENES = ("BRCA2", "brca2", "Aldh2", "ALDH2", "C9orf72", "TP53", "ß-gene")
TYPES = ("SNP", "INDEL", "DEL", "MNP")
BASES = ("A", "C", "G", "T", "AT", "ACG", "GT", "<DEL>")
CHANGES = ("V600E", "R175H", "G12D")
SAMPLES = tuple(f"S{n}" for n in range(10))
FREQUENCIES = (0.001, 0.01, 0.02, 0.3, 0.5)
TERMS = ("HP:0001", "HP:0002", "NCIT:C20197", "NCIT:C16576")
DURATION_PATHS = ("diseases.ageOfOnset.iso8601duration", "collectionMoment")
DAYS = (30.0, 365.25, 6574.5, 7305.0)
TEXTS = ("alpha", "Alpha", "beta", "gamma ray", "Ωmega", "5", "2.5", "", "a%b")
NUMBERS = (2, 2.5, 5, 7.0, 40, -3)
RECORD_PATHS = (
    "age",
    "score",
    "note",
    "flag",
    "sex.id",
    "diseases.diseaseCode.id",
    "diseases.stage",
    "info.level",
    "tags",
    "matrix",
    "missing.field",
)


def variant_documents(rng: random.Random, count: int) -> list[dict[str, Any]]:
    return [_variant(rng, number) for number in range(count)]


def _variant(rng: random.Random, number: int) -> dict[str, Any]:
    start = rng.randrange(0, 400)
    ref = rng.choice(BASES[:-1])
    internal = f"v{rng.randrange(40)}"  # repeated: pages fall back on the tie-breaker
    record: dict[str, Any] = {"variantInternalId": internal, "tag": number}
    if rng.random() < 0.6:
        hgvs = rng.choice([f"NC_1:g.{start}A>G", None])
        record["identifiers"] = {} if rng.random() < 0.1 else {"genomicHGVSId": hgvs}
    genes = rng.sample(GENES, rng.choice([0, 1, 1, 2]))
    document: dict[str, Any] = {
        "datasetId": rng.choice(DATASETS),
        "assemblyId": rng.choice(ASSEMBLIES),
        "referenceName": rng.choice(CHROMOSOMES),
        "start": start,
        "end": start + rng.choice([1, 1, 2, 5, 60]),
        "referenceBases": ref,
        "alternateBases": rng.choice(BASES),
        "variantType": rng.choice(TYPES),
        "variantLength": rng.choice([1, 2, 5, 60]),
        "geneIds": genes,
        "geneKeys": list(dict.fromkeys(gene_key(gene) for gene in genes)),
        "aminoacidChanges": rng.sample(CHANGES, rng.choice([0, 0, 1, 2])),
        "identifiers": [f"rs{rng.randrange(30)}"] if rng.random() < 0.6 else [],
        "variantInternalId": internal,
        "biosampleIds": rng.sample(SAMPLES, rng.randrange(0, 4)),
        "alleleFrequency": rng.choice([None, *FREQUENCIES]),
        "record": record,
    }
    if rng.random() < 0.2:  # loaded before gene keys were written
        del document["geneKeys"]
    for field in ("geneIds", "aminoacidChanges", "identifiers", "biosampleIds", "alleleFrequency"):
        if rng.random() < 0.08:
            del document[field]  # missing, not empty
    return document


def entry_documents(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Entries with ids unique per dataset (as the unique index keeps them), some ids shared
    between datasets."""
    documents, seen = [], set()
    while len(documents) < count:
        dataset, ident = rng.choice(DATASETS), f"e{rng.randrange(count)}"
        if (dataset, ident) not in seen:
            seen.add((dataset, ident))
            documents.append(_entry(rng, dataset, ident, len(documents)))
    return documents


def _entry(rng: random.Random, dataset: str, ident: str, number: int) -> dict[str, Any]:
    record: dict[str, Any] = {"id": ident, "tag": number}
    for path in RECORD_PATHS:
        if rng.random() < 0.6:
            _put(rng, record, path.split("."), _record_value(rng, path))
    document: dict[str, Any] = {"datasetId": dataset, "id": ident, "record": record}
    for link in ("individualId", "biosampleId", "runId"):
        if rng.random() < 0.5:
            document[link] = rng.choice(SAMPLES)
    if rng.random() < 0.9:
        document["ontologyTerms"] = sorted(rng.sample(TERMS, rng.randrange(0, 3)))
    if rng.random() < 0.9:
        document["durations"] = [
            {"path": rng.choice(DURATION_PATHS), "days": rng.choice(DAYS)}
            for _ in range(rng.randrange(0, 3))
        ]
    return document


def _record_value(rng: random.Random, path: str) -> Any:
    if path == "flag":
        return rng.choice([True, False, None, [True, False]])
    if path.startswith("diseases"):
        return None  # _put makes the diseases array
    if path == "tags":
        return rng.sample(TEXTS, rng.randrange(0, 3))
    if path == "matrix":
        return rng.choice([[[5, 2]], [5, [2.5]], [[["alpha"]]], 40])
    return rng.choice([*NUMBERS, *TEXTS, None, {"id": "HP:0001"}, [5, "alpha"], []])


def _put(rng: random.Random, record: dict[str, Any], steps: list[str], value: Any) -> None:
    if steps[0] == "diseases":  # an array of objects, each maybe holding the field
        for disease in record.setdefault("diseases", [{} for _ in range(rng.randrange(0, 3))]):
            if rng.random() < 0.7:
                if steps[1] == "diseaseCode":
                    disease["diseaseCode"] = {"id": rng.choice(TERMS)}
                else:
                    disease["stage"] = rng.choice([*NUMBERS, *TEXTS])
        return
    for step in steps[:-1]:
        record = record.setdefault(step, {})
    record[steps[-1]] = value


# -- predicates -------------------------------------------------------------------------------


def variant_predicate(rng: random.Random, documents: list[dict[str, Any]], depth: int = 0):
    return _combined(rng, lambda: _variant_leaf(rng, documents), depth)


def entry_predicate(rng: random.Random, documents: list[dict[str, Any]], depth: int = 0):
    return _combined(rng, lambda: _entry_leaf(rng, documents), depth)


def _combined(rng: random.Random, leaf: Any, depth: int) -> q.Predicate:
    roll = rng.random()
    if depth >= 3 or roll < 0.45:
        return leaf()
    parts = tuple(_combined(rng, leaf, depth + 1) for _ in range(rng.randrange(0, 4)))
    if roll < 0.7:
        return q.All(parts)
    if roll < 0.9:
        return q.AnyOf(parts)
    return q.Not(_combined(rng, leaf, depth + 1))


def _variant_leaf(rng: random.Random, documents: list[dict[str, Any]]) -> q.Predicate:
    some = rng.choice(documents)
    start = some["start"] + rng.choice([-3, 0, 0, 1])
    kind = rng.randrange(16)
    if kind == 0:
        return q.Assembly(rng.choice([*ASSEMBLIES, "hg19"]))
    if kind == 1:
        return q.Chromosome(rng.choice([*CHROMOSOMES, "Y"]))
    if kind == 2:
        return q.StartsAt(start)
    if kind == 3:
        longest = rng.choice([None, 60, 5, 0])
        return q.Overlaps(start, start + rng.choice([1, 10, 100]), longest)
    if kind == 4:
        return q.Bracket(start, start + 20, start + 1, start + rng.choice([2, 30, 90]))
    if kind == 5:
        return q.Bases(
            rng.choice([None, some["referenceBases"], "N", "AN", "NNN"]),
            rng.choice([None, some["alternateBases"], "N", "NT", "<DEL>", "NNNNN"]),
        )
    if kind == 6:
        return q.VariantTypes(tuple(rng.sample(TYPES, rng.randrange(0, 3))))
    if kind == 7:
        return q.LengthBetween(rng.choice([None, 1, 2, 6]), rng.choice([None, 1, 5, 100]))
    if kind == 8:
        return q.Gene(rng.choice(OPERATORS), rng.choice([*GENES, "brCA2", "SS-GENE", "none"]))
    if kind == 9:
        field = rng.choice(list(q.VariantField))
        return q.VariantValue(field, rng.choice(OPERATORS), _variant_value(rng, some, field))
    if kind == 10:
        field = rng.choice(list(q.VariantField))
        values = tuple(_variant_value(rng, rng.choice(documents), field) for _ in range(3))
        return q.VariantValueIn(field, values[: rng.randrange(0, 4)])
    if kind == 11:
        names = [some["variantInternalId"], *(some.get("identifiers") or []), "rs999"]
        names.append(_variant_value(rng, some, q.VariantField.HGVS_ID))
        return q.NamedVariant(rng.choice(names))
    if kind == 12:
        return q.CommonAllele(rng.choice([0.0, *FREQUENCIES]))
    if kind == 13:
        return q.RareAllele(rng.choice([0.0, *FREQUENCIES]))
    if kind == 14:
        return q.LinkedTo("biosampleIds", tuple(rng.sample(SAMPLES, rng.randrange(0, 3))))
    return q.InDatasets(tuple(rng.sample([*DATASETS, "ds-z"], rng.randrange(0, 3))))


def _variant_value(rng: random.Random, document: dict[str, Any], field: q.VariantField) -> str:
    if field == q.VariantField.HGVS_ID:
        identifiers = document["record"].get("identifiers") or {}
        return identifiers.get("genomicHGVSId") or f"NC_1:g.{rng.randrange(400)}A>G"
    if field == q.VariantField.TYPE:
        return rng.choice(TYPES)
    if field == q.VariantField.INTERNAL_ID:
        return document["variantInternalId"]
    held = {
        q.VariantField.IDENTIFIERS: document.get("identifiers"),
        q.VariantField.CARRIERS: document.get("biosampleIds"),
        q.VariantField.AMINOACID_CHANGES: document.get("aminoacidChanges"),
    }[field]
    other = {
        q.VariantField.IDENTIFIERS: "rs7",
        q.VariantField.CARRIERS: "S3",
        q.VariantField.AMINOACID_CHANGES: "G12D",
    }[field]
    return rng.choice(held) if held and rng.random() < 0.7 else other


def _entry_leaf(rng: random.Random, documents: list[dict[str, Any]]) -> q.Predicate:
    some = rng.choice(documents)
    kind = rng.randrange(8)
    if kind == 0:
        return q.EntryIds(tuple({some["id"], f"e{rng.randrange(99)}"})[: rng.randrange(0, 3)])
    if kind == 1:
        return q.HasOntologyTerm(tuple(rng.sample([*TERMS, "HP:9999"], rng.randrange(0, 3))))
    if kind in (2, 3, 4):
        return record_value(rng)
    if kind == 5:
        days = rng.choice([*DAYS, 100.0])
        return q.DurationAt(rng.choice([*DURATION_PATHS, "age"]), rng.choice(OPERATORS), days)
    if kind == 6:
        field = rng.choice(["individualId", "biosampleId", "runId", "id"])
        if rng.random() < 0.2:
            return q.HasLink(field)
        ids = tuple(rng.sample([*SAMPLES, some["id"]], rng.randrange(0, 3)))
        return q.LinkedTo(field, ids)
    return q.InDatasets(tuple(rng.sample([*DATASETS, "ds-z"], rng.randrange(0, 3))))


def record_value(rng: random.Random) -> q.RecordValue:
    """A record condition as ``app.query.filters`` builds them, for each kind of field."""
    path, operator = rng.choice(RECORD_PATHS), rng.choice(OPERATORS)
    kind = rng.choice(["number", "boolean", "text", "text", "number or text"])
    if kind == "number":
        return q.RecordValue(path, operator, float(rng.choice(NUMBERS)), "number")
    if kind == "boolean":
        return q.RecordValue(path, operator, rng.choice([True, False]), "boolean")
    if kind == "number or text":
        return q.RecordValue(path, operator, rng.choice(["5", "2.5", "40", "-3"]), kind)
    value = rng.choice([*TEXTS[:-2], "al%", "%a%", "%ray", "HP:0001", "g%m%a%y"])
    pattern = None
    if operator in ("=", "!") and rng.random() < 0.85:  # as filters.py; else an unanchored search
        pattern = wildcard_regex(value)
    return q.RecordValue(path, operator, value, "text", pattern)

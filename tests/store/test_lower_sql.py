"""The SQL lowering answers as the MongoDB lowering does.

The same generated documents go into mongomock (queried through ``lower_mongo.mongo_filter``)
and into SQLite (the tables of ``sqlite_schema``, queried through ``lower_sql``); the same
generated predicates must count, exist, page (in the same order) and give the same distinct
values on both. Then the places where the two are made to agree by a rule rather than by
construction: type bracketing, values never in the SQL text, predicates of another collection.
"""

from __future__ import annotations

import json
import random
import sqlite3
from typing import Any, get_args

import mongomock
import pytest
from generated_queries import (
    entry_documents,
    entry_predicate,
    record_value,
    variant_documents,
    variant_predicate,
)

from app.query.wildcards import wildcard_regex
from app.store import lower_sql
from app.store import query as q
from app.store.collections import BIOSAMPLES, DATASETS, INDIVIDUALS, VARIANT_STATS, VARIANTS
from app.store.lower_mongo import mongo_filter
from app.store.lower_sql import (
    PartsRead,
    register_functions,
    sql_count,
    sql_count_meeting,
    sql_distinct,
    sql_exists,
    sql_records,
    sql_where,
)
from app.store.reads import ENTRY_ORDER, VARIANT_ORDER
from app.store.sqlite_carriers import SampleNames
from app.store.sqlite_documents import (
    DocumentShapeError,
    create_tables,
    insert_documents,
    stored_record,
)

SEED = 20261207
CASES = 120  # per chunk; five chunks of variants, five of entries
# The page order of each collection made total, as lower_sql orders: the position (or the id),
# then the internal id and the dataset, then the row (here _id, inserted in the same order).
MONGO_ORDER = {
    VARIANTS: [*VARIANT_ORDER, ("_id", 1)],
    INDIVIDUALS: ENTRY_ORDER,
}
DISTINCT_FIELDS = {
    VARIANTS: (
        "biosampleIds",
        "datasetId",
        "identifiers",
        "geneIds",
        "geneKeys",
        "aminoacidChanges",
        "variantInternalId",
        "referenceName",
    ),
    INDIVIDUALS: ("id", "datasetId", "individualId", "biosampleId", "runId", "ontologyTerms"),
}


def _mongo_filter(where: q.Predicate) -> dict[str, Any]:
    return mongo_filter(where)


class MongoSide:
    def __init__(self, collections: dict[str, list[dict[str, Any]]]) -> None:
        database = mongomock.MongoClient().db
        for name, documents in collections.items():
            rows = [
                {"_id": number, **json.loads(json.dumps(d))} for number, d in enumerate(documents)
            ]
            if rows:
                database[name].insert_many(rows)
        self.database = database

    def count(self, name: str, where: q.Predicate) -> int:
        return self.database[name].count_documents(_mongo_filter(where))

    def exists(self, name: str, where: q.Predicate) -> bool:
        return self.database[name].find_one(_mongo_filter(where), {"_id": 1}) is not None

    def count_meeting(self, name: str, where: q.Predicate, also: q.Predicate) -> tuple[int, bool]:
        return self.count(name, where), self.exists(name, q.every(where, also))

    def page(self, name: str, where: q.Predicate, skip: int, limit: int) -> list[int]:
        found = self.database[name].find(_mongo_filter(where), {"_id": 0, "record": 1})
        found = found.sort(MONGO_ORDER[name]).skip(skip).limit(limit)
        return [document["record"]["tag"] for document in found]

    def distinct(self, name: str, field: str, where: q.Predicate) -> set[Any]:
        values = self.database[name].distinct(field, _mongo_filter(where))
        return {value for value in values if value is not None}


class SqlSide:
    """The documents in SQLite; ``reading``: each statement over the parts written, as the
    store reads them (their datasets, and whether all their variants have gene keys), else
    over every row."""

    def __init__(self, collections: dict[str, list[dict[str, Any]]], reading: bool = False):
        connection = sqlite3.connect(":memory:")
        create_tables(connection)
        register_functions(connection)
        for name, documents in collections.items():
            insert_documents(connection, name, documents)
        self.connection = connection
        self.reading = reading

    def parts(self, name: str) -> PartsRead | None:
        if not self.reading:
            return None
        rows = self.connection.execute(
            "SELECT part, dataset_id, unkeyed_genes FROM stored_part WHERE collection = ?",
            (name,),
        ).fetchall()
        datasets = {part: dataset for part, dataset, _ in rows}
        return PartsRead(tuple(datasets), datasets, not any(count for *_, count in rows))

    def _run(self, statement: tuple[str, list[Any]]) -> list[tuple[Any, ...]]:
        text, parameters = statement
        return self.connection.execute(text, parameters).fetchall()

    def count(self, name: str, where: q.Predicate) -> int:
        return self._run(sql_count(name, where, self.parts(name)))[0][0]

    def exists(self, name: str, where: q.Predicate) -> bool:
        return bool(self._run(sql_exists(name, where, self.parts(name))))

    def count_meeting(self, name: str, where: q.Predicate, also: q.Predicate) -> tuple[int, bool]:
        ((value,),) = self._run(sql_count_meeting(name, where, also, self.parts(name)))
        return value >> 1, bool(value & 1)

    def page(self, name: str, where: q.Predicate, skip: int, limit: int) -> list[int]:
        names = SampleNames()
        rows = self._run(sql_records(name, where, skip, limit, self.parts(name)))
        return [stored_record(self.connection, names, row)["tag"] for row in rows]

    def distinct(self, name: str, field: str, where: q.Predicate) -> set[Any]:
        statement = sql_distinct(name, field, where, self.parts(name))
        values = [value for (value,) in self._run(statement)]
        assert len(values) == len(set(values))
        return set(values)


def _both(collections: dict[str, list[dict[str, Any]]]) -> tuple[MongoSide, SqlSide]:
    return MongoSide(collections), SqlSide(collections)


def _answers(
    side: Any, name: str, where: q.Predicate, rng: random.Random, also: q.Predicate
) -> dict[str, Any]:
    skip, limit = rng.choice([(0, 0), (0, 5), (3, 4), (10, 0)])
    field = rng.choice(DISTINCT_FIELDS[name])
    return {
        "count": side.count(name, where),
        "exists": side.exists(name, where),
        "everything in order": side.page(name, where, 0, 0),
        f"page {skip}+{limit}": side.page(name, where, skip, limit),
        f"distinct {field}": side.distinct(name, field, where),
        f"count meeting {also!r}": side.count_meeting(name, where, also),
    }


def _differences(
    mongo: MongoSide, sql: SqlSide, name: str, predicates, seed: int, checks
) -> list[str]:
    """What the two sides answer differently; ``checks``: what each predicate's count also
    checks its rows against (``count_meeting``)."""
    found = []
    for number, (where, also) in enumerate(zip(predicates, checks, strict=True)):
        expected = _answers(mongo, name, where, random.Random(seed + number), also)
        answered = _answers(sql, name, where, random.Random(seed + number), also)
        if answered != expected:
            found.append(f"{where!r}\n  mongo: {expected}\n  sql:   {answered}")
    return found


def _checks(rng: random.Random, count: int, generated) -> list[q.Predicate]:
    """What counts check their rows against: the frequency rules (the query budget's check)
    and generated predicates of every kind, in turn."""
    rules = [q.RareAllele(0.3), q.CommonAllele(0.3), q.RareAllele(0.01)]
    return [rng.choice(rules) if number % 2 else generated() for number in range(count)]


@pytest.mark.parametrize("chunk", range(5))
def test_generated_variant_queries_answer_alike(chunk):
    rng = random.Random(SEED + chunk)
    documents = variant_documents(rng, 150)
    mongo, sql = _both({VARIANTS: documents})
    predicates = [variant_predicate(rng, documents) for _ in range(CASES)]
    checks = _checks(rng, CASES, lambda: variant_predicate(rng, documents))
    differences = _differences(mongo, sql, VARIANTS, predicates, SEED + chunk, checks)
    assert not differences, "\n".join(differences[:5])
    counts = [mongo.count(VARIANTS, where) for where in predicates]
    assert sum(0 < count < len(documents) for count in counts) > CASES // 3  # selective ones
    met = [mongo.count_meeting(VARIANTS, *pair)[1] for pair in zip(predicates, checks, strict=True)]
    assert CASES // 10 < sum(met) < sum(count > 0 for count in counts)  # checks that fail too


@pytest.mark.parametrize("keyed_only", [False, True])
@pytest.mark.parametrize("chunk", range(3))
def test_generated_variant_queries_answer_alike_over_the_parts_read(chunk, keyed_only):
    """As the store reads: ``InDatasets`` as a list of parts, and (every variant with gene
    keys) ``Gene`` without the branch for variants that have none, a gene count from the
    gene-key table."""
    rng = random.Random(SEED + 50 + chunk)
    documents = variant_documents(rng, 150)
    if keyed_only:
        documents = [document for document in documents if "geneKeys" in document]
    mongo, sql = MongoSide({VARIANTS: documents}), SqlSide({VARIANTS: documents}, reading=True)
    assert sql.parts(VARIANTS).genes_keyed == keyed_only
    genes = sorted({gene for document in documents for gene in document.get("geneIds", [])})
    predicates = [variant_predicate(rng, documents) for _ in range(CASES)]
    predicates += [
        q.in_dataset(dataset, q.Gene("=", rng.choice(genes).swapcase()), rule(0.3))
        for dataset in ("ds-a", "ds-b", "nowhere")
        for rule in (q.CommonAllele, q.RareAllele)
    ]
    checks = _checks(rng, len(predicates), lambda: variant_predicate(rng, documents))
    differences = _differences(mongo, sql, VARIANTS, predicates, SEED + 50 + chunk, checks)
    assert not differences, "\n".join(differences[:5])
    gene_counts = [sql_count(VARIANTS, where, sql.parts(VARIANTS))[0] for where in predicates[-6:]]
    from_keys = [text.startswith("SELECT count(*) FROM variant_gene_key ") for text in gene_counts]
    assert from_keys == [keyed_only] * 6
    rare = q.RareAllele(0.3)
    meeting = [sql_count_meeting(VARIANTS, where, rare, sql.parts(VARIANTS))[0]
               for where in predicates[-6:]]  # fmt: skip
    from_table = [text.split(" WHERE ", 1)[0].rsplit(" FROM ", 1)[1] for text in meeting]
    assert from_table == ["variant_gene_key" if keyed_only else "variant"] * 6
    assert sum(mongo.count(VARIANTS, where) > 0 for where in predicates[-6:]) >= 2


def test_a_shape_is_lowered_once_and_answers_each_of_its_values(monkeypatch):
    """The text of a predicate's shape (its values taken out) is made at its first call;
    later calls of the shape only collect the values, and answer for them."""
    documents = variant_documents(random.Random(SEED), 60)
    mongo, sql = MongoSide({VARIANTS: documents}), SqlSide({VARIANTS: documents}, reading=True)
    made = []
    lowering = lower_sql._where_lowered
    monkeypatch.setattr(
        lower_sql, "_where_lowered", lambda *arguments: made.append(1) or lowering(*arguments)
    )
    lower_sql._TEMPLATES.clear()
    for document in documents:
        where = q.in_dataset(
            document["datasetId"],
            q.Chromosome(document["referenceName"]),
            q.StartsAt(document["start"]),
            q.Bases(document["referenceBases"], document["alternateBases"]),
        )
        assert sql.count(VARIANTS, where) == mongo.count(VARIANTS, where) > 0
    assert len(made) == 1


def test_every_signature_gives_the_parameters_and_shape_of_its_lowering():
    """For every generated predicate, with the templates made by all the others first: the
    cached text and parameters are those the predicate lowers to on its own."""
    rng = random.Random(SEED + 7)
    variants, entries = variant_documents(rng, 80), entry_documents(rng, 80)
    asked = {
        VARIANTS: [variant_predicate(rng, variants) for _ in range(600)],
        INDIVIDUALS: [entry_predicate(rng, entries) for _ in range(300)],
    }
    for predicates in asked.values():
        predicates += [p.parts[0] for p in predicates if isinstance(p, q.All) and p.parts]
    sql = SqlSide({VARIANTS: variants}, reading=True)
    for name, predicates in asked.items():
        for parts in (
            None,
            [1, 2],
            sql.parts(VARIANTS),
            PartsRead((1, 2), {1: "ds-a", 2: "ds-c"}, True),
        ):
            lower_sql._TEMPLATES.clear()
            for where in predicates:
                sql_count(name, where, parts)
            for where in predicates:
                lowered = lower_sql._where_lowered(name, where, parts)
                assert sql_where(name, where, parts) == lowered, where
                # a shape of kinds that all have signatures is cached, never lowered again
                signed = _kinds(where) <= set(lower_sql._SIGNATURES)
                assert (lower_sql._where(name, where, parts)[2] is not None) == signed, where
            assert sum(_kinds(where) <= set(lower_sql._SIGNATURES) for where in predicates) > 100


def _kinds(where: q.Predicate) -> set[type]:
    inner = where.parts if isinstance(where, q.All | q.AnyOf) else ()
    inner = (where.part,) if isinstance(where, q.Not) else inner
    return {type(where)}.union(*(_kinds(part) for part in inner))


@pytest.mark.parametrize("chunk", range(5))
def test_generated_entry_queries_answer_alike(chunk):
    rng = random.Random(SEED + 100 + chunk)
    documents = entry_documents(rng, 120)
    others = entry_documents(rng, 40)  # biosamples in the same table must never be counted
    mongo, sql = _both({INDIVIDUALS: documents, BIOSAMPLES: others})
    predicates = [entry_predicate(rng, documents) for _ in range(CASES)]
    checks = [entry_predicate(rng, documents) for _ in range(CASES)]
    differences = _differences(mongo, sql, INDIVIDUALS, predicates, SEED + 100 + chunk, checks)
    assert not differences, "\n".join(differences[:5])
    counts = [mongo.count(INDIVIDUALS, where) for where in predicates]
    assert sum(0 < count < len(documents) for count in counts) > CASES // 3


def test_the_generated_predicates_are_of_every_kind():
    rng = random.Random(SEED)
    variants, entries = variant_documents(rng, 50), entry_documents(rng, 50)
    seen: set[type] = set()

    def walk(where: q.Predicate) -> None:
        seen.add(type(where))
        for part in getattr(where, "parts", ()) or (
            [where.part] if isinstance(where, q.Not) else []
        ):
            walk(part)

    for _ in range(400):
        walk(variant_predicate(rng, variants))
        walk(entry_predicate(rng, entries))
    assert seen == set(get_args(q.Predicate))


def test_record_conditions_of_every_kind_on_one_path_each():
    """Each record path against each kind of condition, one at a time: a failure names it."""
    rng = random.Random(SEED + 7)
    documents = entry_documents(rng, 150)
    mongo, sql = _both({INDIVIDUALS: documents})
    for _ in range(600):
        where = record_value(rng)
        assert sql.count(INDIVIDUALS, where) == mongo.count(INDIVIDUALS, where), where


def test_per_dataset_documents_are_selected_by_dataset():
    descriptions = [{"_id": "a", "name": "A"}, {"_id": "b", "name": "B"}]
    stats = [{"_id": "b", "variantCount": 3}]
    sql = SqlSide({DATASETS: descriptions, VARIANT_STATS: stats})
    both = q.InDatasets(("a", "b", "z"))
    assert sql._run(sql_distinct(DATASETS, "_id", both)) in ([("a",), ("b",)], [("b",), ("a",)])
    assert sql._run(sql_distinct(VARIANT_STATS, "_id", both)) == [("b",)]
    assert sql._run(sql_count(VARIANT_STATS, q.Not(q.InDatasets(("b",))))) == [(0,)]
    with pytest.raises(ValueError, match="does not select datasets"):
        sql_where(DATASETS, q.Chromosome("1"))


# -- where agreement is a rule, not the data ---------------------------------------------------


def test_booleans_and_numbers_never_compare_equal():
    """MongoDB brackets types: ``true`` is not 1. (mongomock, matching with Python's ``==``,
    takes them as equal; the generated data avoids 0 and 1 for that reason.)"""
    documents = [
        {"datasetId": "a", "id": "yes", "record": {"tag": 0, "x": True}},
        {"datasetId": "a", "id": "one", "record": {"tag": 1, "x": 1}},
        {"datasetId": "a", "id": "text", "record": {"tag": 2, "x": "1"}},
    ]
    sql = SqlSide({INDIVIDUALS: documents})
    assert sql.page(INDIVIDUALS, q.RecordValue("x", "=", True, "boolean"), 0, 0) == [0]
    assert sql.page(INDIVIDUALS, q.RecordValue("x", "=", 1.0, "number"), 0, 0) == [1]
    assert sql.page(INDIVIDUALS, q.RecordValue("x", "!", 1.0, "number"), 0, 0) == [2, 0]
    both = q.RecordValue("x", "=", "1", "number or text")
    assert sql.page(INDIVIDUALS, both, 0, 0) == [1, 2]
    assert sql.page(INDIVIDUALS, q.RecordValue("x", ">", False, "boolean"), 0, 0) == [0]


def test_a_typed_column_refuses_a_value_of_another_type():
    """MongoDB's numeric ranges never match a text ``start``; SQLite would store ``"5"`` as 5 and
    match it, so the document is refused instead (the loaders never write one)."""
    document = variant_documents(random.Random(SEED), 1)[0]
    connection = sqlite3.connect(":memory:")
    create_tables(connection)
    refused = [("start", "5"), ("start", True), ("biosampleIds", "S1"), ("end", None)]
    refused += [
        ("geneIds", "TP53"),
        ("identifiers", 0),
        ("aminoacidChanges", [1]),
        ("geneKeys", ""),
    ]
    for field, value in refused:
        with pytest.raises(DocumentShapeError, match=f"document 2: {field}"):
            insert_documents(connection, VARIANTS, [document, {**document, field: value}])
        assert connection.execute("SELECT count(*) FROM variant").fetchone() == (0,)  # all or none
    with pytest.raises(DocumentShapeError, match="individualId 5 is not text"):
        insert_documents(
            connection,
            INDIVIDUALS,
            [{"datasetId": "a", "id": "i", "individualId": 5, "record": {}}],
        )


def test_gene_symbols_of_variants_without_keys_compare_as_stored():
    base = variant_documents(random.Random(SEED), 1)[0]
    base = {key: value for key, value in base.items() if key not in ("geneIds", "geneKeys")}
    genes = [
        {"geneIds": ["ALDH2"], "geneKeys": ["aldh2"]},
        {"geneIds": ["ALDH2"]},  # loaded before keys existed: no geneKeys at all
        {"geneIds": [], "geneKeys": []},
    ]
    documents = [{**base, **held, "record": {"tag": n}} for n, held in enumerate(genes)]
    mongo, sql = _both({VARIANTS: documents})
    for symbol, expected in (("aldh2", [0]), ("ALDH2", [0, 1]), ("Aldh2", [0])):
        for side in (mongo, sql):
            assert side.page(VARIANTS, q.Gene("=", symbol), 0, 0) == expected
            assert side.page(VARIANTS, q.Gene("!", symbol), 0, 0) == sorted({0, 1, 2} - {*expected})


def test_values_are_parameters_never_sql_text():
    odd = "x'); DROP TABLE variant; --\"%"
    variants = [
        q.Assembly(odd),
        q.Bases(odd + "N", odd),
        q.Gene(">", odd),
        q.NamedVariant(odd),
        q.VariantValueIn(q.VariantField.CARRIERS, (odd,)),
        *(q.VariantValue(field, "<", odd) for field in q.VariantField),
        q.LinkedTo("biosampleIds", (odd,)),
        q.InDatasets((odd,)),
    ]
    entries = [
        q.EntryIds((odd,)),
        q.RecordValue("note", "=", odd, "text", odd),
        q.RecordValue("note", "<", odd, "text"),
        q.DurationAt(odd, ">", 3.0),
        q.LinkedTo("individualId", (odd,)),
    ]
    sql = SqlSide({})
    for name, predicates in ((VARIANTS, variants), (INDIVIDUALS, entries)):
        for where in predicates:
            text, _ = sql_where(name, where)
            assert "DROP" not in text, where
            assert sql.count(name, where) == 0
    assert sql._run(("SELECT count(*) FROM variant", [])) == [(0,)]


def test_predicates_of_another_collection_or_of_no_kind_are_refused():
    with pytest.raises(ValueError, match="Chromosome does not select individuals"):
        sql_where(INDIVIDUALS, q.All((q.EntryIds(("a",)), q.Chromosome("1"))))
    with pytest.raises(ValueError, match="EntryIds does not select genomicVariations"):
        sql_where(VARIANTS, q.EntryIds(("a",)))
    with pytest.raises(ValueError, match="HasLink does not select genomicVariations"):
        sql_where(VARIANTS, q.HasLink("biosampleIds"))
    # a link the collection's documents never hold selects nothing, as MongoDB's $in there
    assert sql_where(VARIANTS, q.LinkedTo("runId", ("r",))) == ("0", [])
    with pytest.raises(TypeError, match="no SQL lowering for dict"):
        sql_where(VARIANTS, {"start": 5})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a field name"):
        sql_where(INDIVIDUALS, q.RecordValue("diseases.0.id", "=", "x", "text", "x"))


def test_a_page_limit_of_zero_is_every_row_after_the_skip():
    documents = variant_documents(random.Random(SEED), 30)
    mongo, sql = _both({VARIANTS: documents})
    on_one = q.StartsAt(documents[0]["start"])
    for skip in (0, 1, 29, 2**63 - 1):
        assert sql.page(VARIANTS, q.All(()), skip, 0) == mongo.page(VARIANTS, q.All(()), skip, 0)
    assert sql.page(VARIANTS, on_one, 0, 0) == mongo.page(VARIANTS, on_one, 0, 0)


def test_text_patterns_match_in_linear_time():
    """The beacon's patterns hold up to 8 ``%``; a backtracking ``.*`` per ``%`` would try about
    n**8 splits of this text, the atomic groups of wildcard_regex one pass each."""
    text = "a" * 20_000
    documents = [{"datasetId": "a", "id": "i", "record": {"tag": 0, "note": [text, "ab"]}}]
    sql = SqlSide({INDIVIDUALS: documents})
    for value, expected in (("%a%a%a%a%a%a%a%c", 0), ("%a%a%a%a%a%a%a%", 1), ("A%B", 1)):
        where = q.RecordValue("note", "=", value, "text", wildcard_regex(value))
        assert sql.count(INDIVIDUALS, where) == expected, value


@pytest.mark.parametrize(
    ("name", "where"),
    [
        (VARIANTS, q.in_dataset("a", q.Assembly("GRCh38"), q.Chromosome("1"), q.StartsAt(5))),
        (
            VARIANTS,
            q.in_dataset("a", q.Chromosome("1"), q.Overlaps(5, 9000, 60), q.CommonAllele(0.01)),
        ),
        (
            VARIANTS,
            q.in_dataset("a", q.Chromosome("1"), q.Bracket(5, 9, 9, 20), q.RareAllele(0.01)),
        ),
        (VARIANTS, q.in_dataset("a", q.Gene("=", "BRCA2"))),
        (VARIANTS, q.NamedVariant("rs671")),
        (VARIANTS, q.VariantValue(q.VariantField.INTERNAL_ID, "=", "GRCh38:1:5:A:G")),
        (VARIANTS, q.VariantValue(q.VariantField.HGVS_ID, "=", "NC_000001.11:g.5A>G")),
        (VARIANTS, q.VariantValueIn(q.VariantField.INTERNAL_ID, ("GRCh38:1:5:A:G", "x"))),
        (VARIANTS, q.in_dataset("a", q.LinkedTo("biosampleIds", ("S1", "S2")))),
        (VARIANTS, q.VariantValue(q.VariantField.AMINOACID_CHANGES, "=", "V600E")),
        (INDIVIDUALS, q.in_dataset("a", q.EntryIds(("i1",)))),
        (INDIVIDUALS, q.in_dataset("a", q.HasOntologyTerm(("HP:0001",)))),
        (INDIVIDUALS, q.in_dataset("a", q.DurationAt("ageOfOnset.iso8601duration", ">", 30.0))),
        (BIOSAMPLES, q.in_dataset("a", q.LinkedTo("individualId", ("i1",)))),
    ],
)
def test_the_beacons_lookups_are_answered_from_an_index(name, where):
    """No full scan of the variants or the entries: each shape has its index."""
    sql = SqlSide({})
    text, parameters = sql_count(name, where)
    plan = [row[-1] for row in sql.connection.execute("EXPLAIN QUERY PLAN " + text, parameters)]
    assert not [step for step in plan if step.startswith("SCAN")], plan


def test_no_text_match_includes_records_with_no_value_on_the_path():
    """``!`` on a text pattern: no value matches, records without a value included, as MongoDB
    answers: lower_mongo's ``$nor`` of the match keeps ``diseases: []`` on mongomock too (its
    ``$not`` of a regex left it out), and SQL keeps it."""
    documents = [
        {"datasetId": "a", "id": "i0", "record": {"tag": 0, "diseases": []}},
        {"datasetId": "a", "id": "i1", "record": {"tag": 1, "diseases": [{"stage": "late"}]}},
        {"datasetId": "a", "id": "i2", "record": {"tag": 2, "diseases": [{"stage": "Early"}]}},
    ]
    where = q.RecordValue("diseases.stage", "!", "early", "text", wildcard_regex("early"))
    mongo, sql = _both({INDIVIDUALS: documents})
    assert sql.page(INDIVIDUALS, where, 0, 0) == mongo.page(INDIVIDUALS, where, 0, 0) == [0, 1]
    as_lowered = mongo.database[INDIVIDUALS].find(mongo_filter(where))
    assert [document["record"]["tag"] for document in as_lowered] == [0, 1]

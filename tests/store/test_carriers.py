"""Carriers as sample-index bitmaps in the embedded store: what a load wrote is read back as it
was (the record's caseLevelData and the document's biosampleIds, in their order), the plain
form costs no text, and carrier conditions select what a Python reading of the documents
selects."""

from __future__ import annotations

import copy
import json
import pickle
import random
import sqlite3
from typing import Any

import numpy as np
import pytest
from store_backends import variant_document

from app.genome import HEMIZYGOUS, HETEROZYGOUS, HOMOZYGOUS
from app.store import query as q
from app.store.carrier_cases import CarrierBatch, CarrierCases, CarrierNames
from app.store.collections import VARIANTS
from app.store.lower_sql import register_functions, sql_count, sql_distinct, sql_where
from app.store.sqlite_carriers import CarrierWriter, SampleNames
from app.store.sqlite_documents import (
    DocumentShapeError,
    create_tables,
    insert_documents,
    read_documents,
)

SAMPLES = [f"S{number:03d}" for number in range(60)]
TERMS = (HETEROZYGOUS, HOMOZYGOUS, HEMIZYGOUS)


def _connection() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    create_tables(connection)
    register_functions(connection)
    return connection


def _carried(number: int, carriers: list[str], rng: random.Random | None = None) -> dict[str, Any]:
    """A variant carried by ``carriers``, with the plain caseLevelData the VCF loader writes."""
    rng = rng or random.Random(number)
    cases = [{"biosampleId": name, "zygosity": dict(rng.choice(TERMS))} for name in carriers]
    document = variant_document("ds", f"v{number}", 100 + number, biosampleIds=carriers)
    document["record"] = {"variantInternalId": f"v{number}", "tag": number}
    if carriers:
        document["record"]["caseLevelData"] = cases
    return document


def _read(connection: sqlite3.Connection) -> list[dict[str, Any]]:
    documents = read_documents(connection, VARIANTS, "1", [], names=SampleNames())
    return [{k: v for k, v in d.items() if k != "_id"} for d in documents]


def _declared(connection: sqlite3.Connection, names: list[str]) -> None:
    connection.execute("SAVEPOINT declare")
    CarrierWriter(connection).declare(names)
    connection.execute("RELEASE declare")


def test_plain_carriers_in_file_order_are_bitmaps_only_and_read_back_whole():
    rng = random.Random(1)
    connection = _connection()
    _declared(connection, SAMPLES)
    documents = [
        _carried(n, sorted(rng.sample(SAMPLES, rng.randrange(0, 20))) if n % 7 else [])
        for n in range(40)
    ]
    insert_documents(connection, VARIANTS, documents)
    assert _read(connection) == documents
    stored = connection.execute(
        "SELECT count(*), count(case_level), count(carrier_order), sum(cases_rebuilt), "
        "count(carriers) FROM variant"
    ).fetchone()
    with_carriers = sum(1 for d in documents if d["biosampleIds"])
    assert stored == (40, 0, 0, with_carriers, with_carriers), "no carrier text is stored"
    text = "".join(record for (record,) in connection.execute("SELECT record FROM variant"))
    assert "caseLevelData" not in text and "S0" not in text


def test_carriers_in_any_order_and_any_form_are_read_back_as_written():
    rng = random.Random(2)
    connection = _connection()  # nothing declared: indexes given as names are met
    documents = [_carried(n, rng.sample(SAMPLES, rng.randrange(1, 12))) for n in range(30)]
    documents[3]["record"]["caseLevelData"][0]["analysisId"] = "a1"  # not the plain form
    documents[4]["record"]["caseLevelData"][0]["zygosity"] = {"id": "GENO:0000137"}
    documents[5]["record"]["caseLevelData"].reverse()  # not in biosampleIds' order
    documents[6]["record"].pop("caseLevelData")  # carriers without case-level data
    documents[7]["record"]["caseLevelData"] = []
    insert_documents(connection, VARIANTS, documents)
    assert _read(connection) == documents
    kept = {
        json.loads(record)["tag"]
        for record, case_level in connection.execute("SELECT record, case_level FROM variant")
        if case_level is not None
    }
    assert kept == {3, 4, 5, 7}, "only the forms the bitmaps cannot rebuild are kept as JSON"


def test_a_failed_write_numbers_no_sample():
    connection = _connection()
    insert_documents(connection, VARIANTS, [_carried(0, ["S001", "S002"])])
    bad = _carried(1, ["S003", "S004"])
    bad["start"] = "101"
    with pytest.raises(DocumentShapeError):
        insert_documents(connection, VARIANTS, [_carried(2, ["S005"]), bad])
    names = connection.execute("SELECT biosample_id FROM sample_name ORDER BY sample").fetchall()
    assert [name for (name,) in names] == ["S001", "S002"]
    insert_documents(connection, VARIANTS, [_carried(3, ["S009", "S001"])])
    assert [d["biosampleIds"] for d in _read(connection)] == [["S001", "S002"], ["S009", "S001"]]


def _python_selects(document: dict[str, Any], where: q.Predicate) -> bool:
    carriers = document["biosampleIds"]
    if isinstance(where, q.Not):
        return not _python_selects(document, where.part)
    if isinstance(where, q.LinkedTo):
        return any(name in where.ids for name in carriers)
    if isinstance(where, q.VariantValueIn):
        return any(name in where.values for name in carriers)
    assert isinstance(where, q.VariantValue)
    if where.operator == "!":
        return where.value not in carriers
    compare = {"=": str.__eq__, "<": str.__lt__, ">=": str.__ge__}[where.operator]
    return any(compare(name, where.value) for name in carriers)


CARRIERS = q.VariantField.CARRIERS


@pytest.mark.parametrize("seed", range(4))
def test_carrier_conditions_select_what_the_documents_say(seed):
    rng = random.Random(seed)
    connection = _connection()
    documents = [_carried(n, rng.sample(SAMPLES, rng.choice([0, 1, 3, 9]))) for n in range(80)]
    insert_documents(connection, VARIANTS, documents)
    for _ in range(25):
        name, other = rng.choice(SAMPLES), rng.choice([*SAMPLES, "nobody"])
        where = rng.choice(
            [
                q.LinkedTo("biosampleIds", (name, other)),
                q.LinkedTo("biosampleIds", ()),
                q.VariantValueIn(CARRIERS, (name,)),
                q.VariantValue(CARRIERS, "=", other),
                q.VariantValue(CARRIERS, "!", name),
                q.VariantValue(CARRIERS, "<", name),
                q.VariantValue(CARRIERS, ">=", name),
                q.Not(q.VariantValue(CARRIERS, "=", name)),
            ]
        )
        expected = [d for d in documents if _python_selects(d, where)]
        statement = sql_count(VARIANTS, where)
        assert connection.execute(*statement).fetchone()[0] == len(expected), where
        text, parameters = sql_where(VARIANTS, where)
        tags = [
            d["record"]["tag"]
            for d in read_documents(connection, VARIANTS, text, parameters, names=SampleNames())
        ]
        assert tags == [d["record"]["tag"] for d in expected], where
        found = connection.execute(*sql_distinct(VARIANTS, "biosampleIds", where)).fetchall()
        assert sorted(value for (value,) in found) == sorted(
            {name for d in expected for name in d["biosampleIds"]}
        ), where


def test_case_level_data_naming_others_numbers_no_sample_and_is_kept():
    """Entries shared between records (as the loader shares them) are checked once; an entry
    naming a sample that is not among the variant's carriers gives it no sample index."""
    connection = _connection()
    shared = [{"biosampleId": name, "zygosity": dict(HETEROZYGOUS)} for name in SAMPLES[:3]]
    first = _carried(1, SAMPLES[:3])
    first["record"]["caseLevelData"] = shared
    second = _carried(2, SAMPLES[:3])
    second["record"]["caseLevelData"] = list(shared)  # the same entries again: met before
    other = _carried(3, ["S010"])
    other["record"]["caseLevelData"] = [
        {"biosampleId": "NOT-A-CARRIER", "zygosity": dict(HOMOZYGOUS)}
    ]
    insert_documents(connection, VARIANTS, [first, second, other])
    assert _read(connection) == [first, second, other]
    names = {name for (name,) in connection.execute("SELECT biosample_id FROM sample_name")}
    assert names == {*SAMPLES[:3], "S010"}
    (kept,) = connection.execute("SELECT count(case_level) FROM variant").fetchone()
    assert kept == 1, "only the entries naming another sample are kept as JSON"


def _positioned(document: dict[str, Any], samples: tuple[str, ...]) -> dict[str, Any]:
    """The document as the VCF loader writes it: its caseLevelData a ``CarrierCases`` saying
    where each carrier sits among ``samples``."""
    cases = document["record"].get("caseLevelData", [])
    positions = [samples.index(case["biosampleId"]) for case in cases]
    of_term = {
        label: [at for at, case in zip(positions, cases, strict=True) if case["zygosity"] == term]
        for label, term in (("hom", HOMOZYGOUS), ("hemi", HEMIZYGOUS))
    }
    positioned = dict(document, record=dict(document["record"]))
    if cases:
        names = CarrierNames(case["biosampleId"] for case in cases)
        # a batch of one variant, after another's carriers: the spans are offsets
        batch = CarrierBatch(
            samples,
            np.array([0, *positions]),
            np.array([0, *of_term["hom"]]),
            np.array([0, *of_term["hemi"]]),
        )
        positioned["biosampleIds"] = names
        positioned["record"]["caseLevelData"] = CarrierCases(
            cases,
            names,
            batch,
            (1, 1 + len(names)),
            (1, 1 + len(of_term["hom"])),
            (1, 1 + len(of_term["hemi"])),
        )
    return positioned


def _carrier_columns(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return connection.execute(
        "SELECT carriers, carrier_order, homozygous, hemizygous, cases_rebuilt, case_level "
        "FROM variant ORDER BY vid"
    ).fetchall()


@pytest.mark.parametrize("declared", ["in file order", "in reverse", "not declared"])
def test_carriers_the_loader_positioned_are_stored_as_their_checked_form(declared):
    """Taking a ``CarrierCases``'s positions writes the very rows that checking its entries
    writes, whether the samples were numbered in the VCF's order or in another (the carriers'
    order is then stored). Not numbered before (a VCF load always numbers them first), every
    sample of the file is numbered at its first carrier list, in the file's order: the
    numbers differ from the checked form's, what is read back does not."""
    rng = random.Random(5)
    samples = tuple(SAMPLES)
    documents = [
        _carried(n, sorted(rng.sample(SAMPLES, rng.randrange(0, 25)), key=samples.index))
        for n in range(50)
    ]
    order = {"in file order": SAMPLES, "in reverse": SAMPLES[::-1], "not declared": None}
    written = {}
    for form in ("checked", "positioned"):
        connection = _connection()
        if order[declared] is not None:
            _declared(connection, order[declared])
        batch = documents if form == "checked" else [_positioned(d, samples) for d in documents]
        insert_documents(connection, VARIANTS, batch)
        assert _read(connection) == documents
        written[form] = _carrier_columns(connection)
    assert (written["positioned"] == written["checked"]) == (declared != "not declared")
    stored_orders = [row[1] for row in written["checked"] if row[1] is not None]
    assert bool(stored_orders) == (declared != "in file order")


def test_positioned_carriers_whose_names_were_changed_are_read_from_their_entries():
    """A document whose biosampleIds is not the list its CarrierCases names is written from
    what its entries say, as any other document is."""
    samples = tuple(SAMPLES)
    document = _positioned(_carried(1, ["S001", "S004", "S007"]), samples)
    document["biosampleIds"] = ["S007", "S004", "S001"]  # another list, in another order
    connection = _connection()
    insert_documents(connection, VARIANTS, [document])
    (read,) = _read(connection)
    assert read["biosampleIds"] == ["S007", "S004", "S001"]
    assert read["record"]["caseLevelData"] == list(document["record"]["caseLevelData"])
    assert _carrier_columns(connection)[0][5] is not None, "kept as JSON: not the plain form"


@pytest.mark.parametrize("field", ["caseLevelData", "biosampleIds"])
def test_the_loader_carrier_lists_are_read_only_and_copy_to_plain_lists(field):
    document = _positioned(_carried(1, ["S001", "S002"]), tuple(SAMPLES))
    listed = document["record"][field] if field == "caseLevelData" else document[field]
    for change in (
        lambda: listed.append({}),
        lambda: listed.__setitem__(0, {}),
        lambda: listed.sort(),
        lambda: listed.__iadd__([{}]),
        lambda: listed.clear(),
    ):
        with pytest.raises(TypeError):
            change()
    assert len(listed) == 2
    for copied in (copy.copy(listed), copy.deepcopy(listed), pickle.loads(pickle.dumps(listed))):
        assert type(copied) is list and copied == listed

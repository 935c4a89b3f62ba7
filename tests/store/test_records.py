"""Variant records compressed with their part's dictionary in the embedded store: what a write
gave is what every read gives back (Python's and SQL's, on another connection too), a part too
small to learn from stays JSON text, and a dictionary goes with the last part using it."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from store_backends import variant_document

from app.store.collections import VARIANTS
from app.store.lower_sql import register_functions
from app.store.sqlite_carriers import SampleNames
from app.store.sqlite_documents import (
    NewParts,
    create_tables,
    delete_parts,
    insert_documents,
    read_documents,
)
from app.store.sqlite_records import FEWEST_TO_LEARN


def _connection(path: Path | str = ":memory:") -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    create_tables(connection)
    register_functions(connection)
    return connection


def _panel_variant(dataset: str, number: int, rng: random.Random) -> dict[str, Any]:
    """A sites-only variant as a frequency panel's load writes it (its record's own values)."""
    start = 10_000 + 37 * number
    document = variant_document(dataset, f"1:{start + 1}:A:G", start)
    count, total = rng.randrange(1, 40), rng.randrange(19_000, 20_000)
    document["record"] = {
        "variantInternalId": f"GRCh38:1:{start + 1}:A:G",
        "identifiers": {"genomicHGVSId": f"NC_000001.11:g.{start + 1}A>G"},
        "frequencyInPopulations": [
            {
                "source": dataset,
                "sourceReference": f"datasets/{dataset}",
                "frequencies": [
                    {
                        "population": "ALL",
                        "alleleFrequency": count / total,
                        "alleleCount": count,
                        "alleleNumber": total,
                    }
                ],
            }
        ],
        "note": "é ünïcode",
    }
    return document


def _read(connection: sqlite3.Connection) -> list[dict[str, Any]]:
    documents = read_documents(connection, VARIANTS, "1", [], names=SampleNames())
    return [{k: v for k, v in d.items() if k != "_id"} for d in documents]


def _stored_forms(connection: sqlite3.Connection) -> list[tuple[str, int]]:
    return connection.execute(
        "SELECT typeof(record), count(*) FROM variant GROUP BY 1 ORDER BY 1"
    ).fetchall()


def test_a_part_large_enough_is_compressed_and_read_back_whole():
    rng = random.Random(3)
    connection = _connection()
    documents = [_panel_variant("ds", n, rng) for n in range(400)]
    insert_documents(connection, VARIANTS, documents)
    assert _stored_forms(connection) == [("blob", 400)]
    assert _read(connection) == documents
    (stored,) = connection.execute("SELECT sum(length(record)) FROM variant").fetchone()
    text = sum(len(json.dumps(d["record"], separators=(",", ":")).encode()) for d in documents)
    assert stored < text / 3  # the dictionary holds what the records repeat


def test_sql_reads_the_json_on_another_connection(tmp_path):
    rng = random.Random(4)
    path = tmp_path / "store.sqlite3"
    writer = _connection(path)
    documents = [_panel_variant("ds", n, rng) for n in range(200)]
    insert_documents(writer, VARIANTS, documents)
    reader = _connection(path)  # a worker's connection, its own dictionary cache
    rows = reader.execute(
        "SELECT json_extract(record_json(record), '$.frequencyInPopulations[0].frequencies[0]"
        ".alleleCount'), json_extract(record_json(record), '$.note') FROM variant ORDER BY vid"
    ).fetchall()
    expected = [
        (d["record"]["frequencyInPopulations"][0]["frequencies"][0]["alleleCount"], "é ünïcode")
        for d in documents
    ]
    assert rows == expected


def test_a_small_part_stays_text_and_later_batches_of_its_write_too():
    rng = random.Random(5)
    connection = _connection()
    parts = NewParts(connection)
    first = [_panel_variant("ds", n, rng) for n in range(FEWEST_TO_LEARN - 1)]
    later = [_panel_variant("ds", n, rng) for n in range(FEWEST_TO_LEARN, 3 * FEWEST_TO_LEARN)]
    insert_documents(connection, VARIANTS, first, parts)
    insert_documents(connection, VARIANTS, later, parts)
    assert _stored_forms(connection) == [("text", len(first) + len(later))]
    assert _read(connection) == first + later
    (dictionaries,) = connection.execute("SELECT count(*) FROM record_dictionary").fetchone()
    assert dictionaries == 0


def test_every_batch_of_a_write_uses_the_dictionary_its_first_learnt():
    rng = random.Random(6)
    connection = _connection()
    parts = NewParts(connection)
    batches = [[_panel_variant("ds", 100 * b + n, rng) for n in range(100)] for b in range(3)]
    for batch in batches:
        insert_documents(connection, VARIANTS, batch, parts)
    assert _read(connection) == [d for batch in batches for d in batch]
    assert connection.execute(
        "SELECT count(*), count(DISTINCT record_dictionary) FROM stored_part"
    ).fetchone() == (1, 1)
    assert connection.execute("SELECT count(*) FROM record_dictionary").fetchone() == (1,)


def test_a_dictionary_goes_with_the_last_part_using_it():
    rng = random.Random(7)
    connection = _connection()
    insert_documents(connection, VARIANTS, [_panel_variant("a", n, rng) for n in range(100)])
    kept = [_panel_variant("b", n, rng) for n in range(100)]
    insert_documents(connection, VARIANTS, kept)
    parts = dict(connection.execute("SELECT dataset_id, part FROM stored_part").fetchall())
    assert connection.execute("SELECT count(*) FROM record_dictionary").fetchone() == (2,)
    delete_parts(connection, [parts["a"]])
    assert (
        connection.execute("SELECT dictionary_id FROM record_dictionary").fetchall()
        == connection.execute("SELECT record_dictionary FROM stored_part").fetchall()
    )
    assert _read(connection) == kept


def test_a_dictionary_id_already_taken_is_drawn_again(monkeypatch):
    rng = random.Random(8)
    connection = _connection()
    insert_documents(connection, VARIANTS, [_panel_variant("a", n, rng) for n in range(100)])
    ((taken,),) = connection.execute("SELECT dictionary_id FROM record_dictionary").fetchall()
    draws = iter([taken - 32_768, taken - 32_768 + 1])
    monkeypatch.setattr("app.store.sqlite_records.secrets.randbelow", lambda _: next(draws))
    documents = [_panel_variant("b", n, rng) for n in range(100)]
    insert_documents(connection, VARIANTS, documents)
    assert sorted(
        i for (i,) in connection.execute("SELECT dictionary_id FROM record_dictionary")
    ) == [taken, taken + 1]
    assert _read(connection)[100:] == documents


def test_a_record_naming_a_missing_dictionary_is_an_error_not_a_wrong_answer(tmp_path):
    rng = random.Random(9)
    path = tmp_path / "store.sqlite3"
    writer = _connection(path)
    insert_documents(writer, VARIANTS, [_panel_variant("a", n, rng) for n in range(100)])
    writer.execute("DELETE FROM record_dictionary")
    with pytest.raises(sqlite3.OperationalError, match="user-defined function raised"):
        _read(_connection(path))  # a connection that has cached no dictionary

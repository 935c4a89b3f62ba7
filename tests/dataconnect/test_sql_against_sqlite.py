"""Data Connect SQL answered through MongoDB (mongomock) against sqlite3 as the truth.

One fixed table of 200 variant rows (seeded random) is loaded into both. Each case runs the
Trino query through :func:`parse_search` and the generated pipeline, and the same question on
sqlite3, written differently where the dialects differ:

* NULL order: Trino's default is NULLS LAST whatever the direction; sqlite's is NULLS FIRST for
  ASC and NULLS LAST for DESC, so the sqlite side spells ``NULLS LAST`` out.
* LIKE: case-sensitive in Trino, case-insensitive (ASCII) in sqlite unless
  ``PRAGMA case_sensitive_like = ON``, which the sqlite connection sets.
* Booleans: sqlite stores 0/1; Python's ``True == 1`` makes the rows compare equal as they are.
* Paging: Trino writes ``OFFSET n LIMIT m`` and ``FETCH FIRST``; sqlite only ``LIMIT m OFFSET n``
  (``LIMIT -1`` for no limit).
* Table names: the Trino query names ``asia_beacon.beacon.variants``, sqlite has ``variants``.

No case uses arithmetic, so integer division never comes up.
"""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from typing import Any, NamedTuple

import mongomock
import pytest

from app.dataconnect.sql import Column, parse_search

TABLE = "asia_beacon.beacon.variants"
COLUMNS = (
    Column("id", "string"),
    Column("dataset", "string"),
    Column("chromosome", "string"),
    Column("start", "integer"),
    Column("end", "integer"),
    Column("ref", "string"),
    Column("alt", "string"),
    Column("variant_type", "string"),
    Column("allele_count", "integer"),
    Column("allele_number", "integer"),
    Column("allele_frequency", "number"),
    Column("gene", "string"),
    Column("is_common", "boolean"),
)
SQLITE_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "BOOLEAN"}
GENES = ("BRCA1", "BRCA2", "brca2", "TP53", "EGFR", "KRAS", "MT-ND1", "A_B", None, None)
BASES = ("A", "C", "G", "T", "AT", "GCA", "TTTG")


def variant_rows(count: int = 200, seed: int = 20240607) -> list[dict[str, Any]]:
    """Rows with NULLs in gene, allele counts, frequency and is_common (MT-ND1: never counted)."""
    generator = random.Random(seed)
    rows = []
    for number in range(count):
        ref = generator.choice(BASES)
        alt = generator.choice([base for base in BASES if base != ref])
        start = generator.randrange(1, 1_000_000)
        gene = generator.choice(GENES)
        allele_number = generator.randrange(1000, 5000, 2)
        allele_count = None if gene == "MT-ND1" or generator.random() < 0.1 else 0
        if allele_count is not None:
            allele_count = generator.choice([0, 1, 2, generator.randrange(allele_number)])
        frequency = None if allele_count is None else round(allele_count / allele_number, 4)
        rows.append(
            {
                "id": f"var{number:04d}",
                "dataset": generator.choice(["ds-japan", "ds-korea", "ds-taiwan"]),
                "chromosome": generator.choice(["1", "2", "22", "X", "MT"]),
                "start": start,
                "end": start + len(ref) - 1,
                "ref": ref,
                "alt": alt,
                "variant_type": "SNP" if len(ref) == len(alt) == 1 else "INDEL",
                "allele_count": allele_count,
                "allele_number": allele_number,
                "allele_frequency": frequency,
                "gene": gene,
                "is_common": None if generator.random() < 0.15 else generator.random() < 0.4,
            }
        )
    return rows


def as_documents(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """NULL stored both ways MongoDB can hold it: every other NULL is a missing field."""
    documents = []
    nulls = 0
    for row in rows:
        document = {}
        for name, value in row.items():
            if value is None:
                nulls += 1
                if nulls % 2:
                    continue
            document[name] = value
        documents.append(document)
    return documents


@pytest.fixture(scope="module")
def collection():
    collection = mongomock.MongoClient().db.variants
    collection.insert_many(as_documents(variant_rows()))
    return collection


@pytest.fixture(scope="module")
def database():
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA case_sensitive_like = ON")
    declared = ", ".join(f'"{c.name}" {SQLITE_TYPES[c.type]}' for c in COLUMNS)
    connection.execute(f"CREATE TABLE variants ({declared})")
    names = [column.name for column in COLUMNS]
    quoted = ", ".join(f'"{name}"' for name in names)
    connection.executemany(
        f"INSERT INTO variants ({quoted}) VALUES ({', '.join('?' for _ in names)})",
        [[row[name] for name in names] for row in variant_rows()],
    )
    yield connection
    connection.close()


class Case(NamedTuple):
    trino: str
    sqlite: str | None = None  # None: the same text, with the table name shortened
    parameters: tuple[Any, ...] = ()
    ordered: bool = False  # the ORDER BY makes the row order unique


T = TABLE
CASES = [
    # projection
    Case(f"SELECT * FROM {T}"),
    Case(f"SELECT id, gene AS symbol, start FROM {T}"),
    Case(f'SELECT id, "end" FROM {T} WHERE "end" > 500000'),
    Case(f"SELECT ID, Gene FROM {T} WHERE GENE = 'TP53'"),
    Case(
        f"SELECT v.id, v.gene FROM {T} v WHERE v.gene = 'EGFR'",
        "SELECT v.id, v.gene FROM variants v WHERE v.gene = 'EGFR'",
    ),
    Case(f"SELECT variants.id FROM {T} WHERE variants.start < 50000"),
    # comparisons
    Case(f"SELECT id, gene FROM {T} WHERE gene = 'BRCA1'"),
    Case(f"SELECT id, gene FROM {T} WHERE gene <> 'BRCA1'"),
    Case(f"SELECT id, gene FROM {T} WHERE gene != 'BRCA1'"),
    Case(f"SELECT id, gene FROM {T} WHERE NOT (gene = 'BRCA1')"),
    Case(f"SELECT id FROM {T} WHERE start < 500000"),
    Case(f"SELECT id FROM {T} WHERE start >= 100000 AND start <= 500000"),
    Case(f"SELECT id FROM {T} WHERE 100000 > start"),
    Case(f"SELECT id FROM {T} WHERE start < 250000.5"),
    Case(f"SELECT id FROM {T} WHERE allele_frequency > 0.05"),
    Case(f"SELECT id FROM {T} WHERE allele_frequency > -0.5"),
    Case(f"SELECT id FROM {T} WHERE allele_frequency >= 0.5 OR allele_count = 0"),
    Case(f"SELECT id FROM {T} WHERE NOT (allele_count < 10)"),
    Case(f"SELECT id FROM {T} WHERE gene = NULL"),
    Case(f"SELECT id FROM {T} WHERE gene <> NULL"),
    Case(f"SELECT id FROM {T} WHERE TRUE"),
    Case(f"SELECT id FROM {T} WHERE FALSE"),
    # IN, BETWEEN
    Case(f"SELECT id FROM {T} WHERE chromosome IN ('1', 'X')"),
    Case(f"SELECT id FROM {T} WHERE chromosome NOT IN ('1', 'X')"),
    Case(f"SELECT id FROM {T} WHERE gene IN ('BRCA1', NULL)"),
    Case(f"SELECT id FROM {T} WHERE gene NOT IN ('BRCA1', NULL)"),
    Case(f"SELECT id FROM {T} WHERE gene NOT IN ('BRCA1', 'TP53')"),
    Case(f"SELECT id FROM {T} WHERE NOT (gene NOT IN ('BRCA1', 'TP53'))"),
    Case(f"SELECT id FROM {T} WHERE allele_count IN (0, 1)"),
    Case(f"SELECT id FROM {T} WHERE start BETWEEN 100000 AND 300000"),
    Case(f"SELECT id FROM {T} WHERE start NOT BETWEEN 100000 AND 300000"),
    Case(f"SELECT id FROM {T} WHERE allele_frequency NOT BETWEEN 0 AND 0.01"),
    # LIKE
    Case(f"SELECT id, gene FROM {T} WHERE gene LIKE 'BRCA%'"),
    Case(f"SELECT id, gene FROM {T} WHERE gene LIKE 'brca%'"),
    Case(f"SELECT id, gene FROM {T} WHERE gene LIKE '%A_'"),
    Case(f"SELECT id, gene FROM {T} WHERE gene NOT LIKE 'BRCA%'"),
    Case(f"SELECT id, gene FROM {T} WHERE gene LIKE 'A!_B' ESCAPE '!'"),
    Case(f"SELECT id, gene FROM {T} WHERE gene LIKE 'A_B'"),
    Case(f"SELECT id FROM {T} WHERE chromosome LIKE '_'"),
    Case(f"SELECT id FROM {T} WHERE ref LIKE '%'"),
    # NULL tests, booleans
    Case(f"SELECT id FROM {T} WHERE gene IS NULL"),
    Case(f"SELECT id FROM {T} WHERE gene IS NOT NULL"),
    Case(f"SELECT id FROM {T} WHERE NOT (gene IS NULL) AND allele_count IS NULL"),
    Case(f"SELECT id, is_common FROM {T} WHERE is_common"),
    Case(f"SELECT id FROM {T} WHERE NOT is_common"),
    Case(f"SELECT id FROM {T} WHERE is_common = TRUE"),
    Case(f"SELECT id FROM {T} WHERE is_common <> FALSE"),
    Case(f"SELECT id FROM {T} WHERE is_common IS NULL"),
    # AND / OR / NOT over NULLs
    Case(f"SELECT id FROM {T} WHERE (gene = 'BRCA1' OR gene = 'TP53') AND NOT allele_count < 10"),
    Case(f"SELECT id FROM {T} WHERE NOT (gene = 'BRCA1' OR allele_frequency > 0.1)"),
    Case(f"SELECT id FROM {T} WHERE NOT (gene = 'BRCA1' AND allele_frequency > 0.1)"),
    Case(f"SELECT id FROM {T} WHERE NOT (NOT is_common OR gene LIKE 'B%')"),
    # parameters
    Case(f"SELECT id FROM {T} WHERE gene = ? AND start > ?", parameters=("TP53", 1000)),
    Case(f"SELECT id FROM {T} WHERE chromosome IN (?, ?)", parameters=("2", "MT")),
    Case(f"SELECT id FROM {T} WHERE is_common = ? AND gene LIKE ?", parameters=(True, "%A%")),
    # ORDER BY, LIMIT, OFFSET
    Case(f"SELECT id, start FROM {T} ORDER BY start, id", ordered=True),
    Case(
        f"SELECT id, gene FROM {T} ORDER BY gene, id",
        "SELECT id, gene FROM variants ORDER BY gene NULLS LAST, id",
        ordered=True,
    ),
    Case(
        f"SELECT id, gene FROM {T} ORDER BY gene DESC, id",
        "SELECT id, gene FROM variants ORDER BY gene DESC NULLS LAST, id",
        ordered=True,
    ),
    Case(f"SELECT id, gene FROM {T} ORDER BY gene NULLS FIRST, id DESC", ordered=True),
    Case(f"SELECT id, gene FROM {T} ORDER BY gene DESC NULLS FIRST, id", ordered=True),
    Case(
        f"SELECT id, allele_frequency FROM {T} ORDER BY allele_frequency DESC, id LIMIT 10",
        "SELECT id, allele_frequency FROM variants "
        "ORDER BY allele_frequency DESC NULLS LAST, id LIMIT 10",
        ordered=True,
    ),
    Case(
        f"SELECT id, start AS position FROM {T} ORDER BY position DESC, id OFFSET 5 LIMIT 10",
        "SELECT id, start AS position FROM variants ORDER BY position DESC, id LIMIT 10 OFFSET 5",
        ordered=True,
    ),
    Case(f"SELECT chromosome, id FROM {T} ORDER BY 1 DESC, 2", ordered=True),
    Case(f"SELECT id FROM {T} ORDER BY start, id LIMIT 20", ordered=True),
    Case(f"SELECT id FROM {T} ORDER BY id LIMIT 0", ordered=True),
    Case(
        f"SELECT id FROM {T} ORDER BY id OFFSET 190",
        "SELECT id FROM variants ORDER BY id LIMIT -1 OFFSET 190",
        ordered=True,
    ),
    Case(
        f"SELECT id FROM {T} ORDER BY id FETCH FIRST 5 ROWS ONLY",
        "SELECT id FROM variants ORDER BY id LIMIT 5",
        ordered=True,
    ),
    Case(
        f"SELECT id FROM {T} WHERE start > ? ORDER BY id OFFSET ? LIMIT ?",
        "SELECT id FROM variants WHERE start > ? ORDER BY id LIMIT ? OFFSET ?",
        parameters=(500000, 3, 4),
        ordered=True,
    ),
    # DISTINCT
    Case(f"SELECT DISTINCT chromosome FROM {T}"),
    Case(
        f"SELECT DISTINCT gene FROM {T} ORDER BY gene",
        "SELECT DISTINCT gene FROM variants ORDER BY gene NULLS LAST",
        ordered=True,
    ),
    Case(
        f"SELECT DISTINCT chromosome, variant_type FROM {T} ORDER BY chromosome, variant_type",
        ordered=True,
    ),
    Case(f"SELECT DISTINCT is_common FROM {T}"),
    # aggregates
    Case(f"SELECT count(*) FROM {T}"),
    Case(
        f"SELECT count(*), count(gene), count(DISTINCT gene), min(start), max(start), "
        f"sum(allele_count), avg(allele_frequency), min(gene), max(ref) FROM {T}"
    ),
    Case(
        f"SELECT count(*), count(gene), count(DISTINCT gene), sum(allele_count), "
        f"avg(allele_frequency), max(start) FROM {T} WHERE start < 0"
    ),
    Case(f"SELECT count(*) AS n FROM {T} WHERE gene LIKE 'BRCA%' AND is_common"),
    Case(
        f"SELECT chromosome, count(*) AS n FROM {T} "
        "GROUP BY chromosome ORDER BY n DESC, chromosome",
        ordered=True,
    ),
    Case(
        f"SELECT gene, count(*), count(allele_count), sum(allele_count), avg(allele_frequency) "
        f"FROM {T} GROUP BY gene ORDER BY gene",
        "SELECT gene, count(*), count(allele_count), sum(allele_count), avg(allele_frequency) "
        "FROM variants GROUP BY gene ORDER BY gene NULLS LAST",
        ordered=True,
    ),
    Case(
        f"SELECT chromosome, variant_type, avg(allele_frequency), min(gene), max(gene), "
        f"min(is_common) FROM {T} GROUP BY chromosome, variant_type"
    ),
    Case(f"SELECT dataset, count(*) FROM {T} GROUP BY 1"),
    Case(f"SELECT dataset, count(DISTINCT chromosome) AS chromosomes FROM {T} GROUP BY dataset"),
    Case(
        f"SELECT chromosome, count(DISTINCT gene) AS genes, count(*), count(gene), "
        f"sum(allele_count), avg(allele_frequency), min(start), max(gene) FROM {T} "
        "GROUP BY chromosome ORDER BY genes DESC, chromosome",
        ordered=True,
    ),
    Case(
        f"SELECT is_common, count(DISTINCT is_common), count(DISTINCT is_common) AS again "
        f"FROM {T} WHERE gene IS NOT NULL GROUP BY is_common"
    ),
    Case(f"SELECT count(DISTINCT allele_count) AS counts, sum(allele_number) FROM {T}"),
    Case(
        f"SELECT gene FROM {T} GROUP BY gene ORDER BY count(*) DESC, gene LIMIT 4",
        "SELECT gene FROM variants GROUP BY gene ORDER BY count(*) DESC, gene NULLS LAST LIMIT 4",
        ordered=True,
    ),
    Case(f"SELECT chromosome FROM {T} GROUP BY chromosome"),
    Case(
        f"SELECT is_common, sum(allele_number) AS total FROM {T} WHERE chromosome <> 'MT' "
        f"GROUP BY is_common ORDER BY total",
        ordered=True,
    ),
    Case(
        f"SELECT dataset, max(allele_frequency) AS top FROM {T} GROUP BY dataset "
        f"ORDER BY top DESC OFFSET 1 LIMIT 1",
        "SELECT dataset, max(allele_frequency) AS top FROM variants GROUP BY dataset "
        "ORDER BY top DESC LIMIT 1 OFFSET 1",
        ordered=True,
    ),
]


def sqlite_parameters(case: Case) -> tuple[Any, ...]:
    """The parameters in the order of sqlite's text (LIMIT before OFFSET)."""
    if "OFFSET ? LIMIT ?" in case.trino:
        *rest, offset, limit = case.parameters
        return (*rest, limit, offset)
    return case.parameters


def normalized(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Floats rounded: MongoDB and sqlite may add the same numbers in another order."""
    return tuple(round(value, 9) if isinstance(value, float) else value for value in row)


@pytest.mark.parametrize("case", CASES, ids=[case.trino.replace(T, "t") for case in CASES])
def test_pipeline_answers_as_sqlite(case: Case, collection, database) -> None:
    query = parse_search(case.trino, list(case.parameters))
    assert query.table == TABLE
    names = query.output_names(COLUMNS)

    documents = list(collection.aggregate(query.pipeline(COLUMNS)))

    assert all(list(document) == list(names) for document in documents)
    answer = [normalized(tuple(document[name] for name in names)) for document in documents]
    sqlite_text = case.sqlite or case.trino.replace(TABLE, "variants")
    truth = [normalized(row) for row in database.execute(sqlite_text, sqlite_parameters(case))]
    assert len(truth[0]) == len(names) if truth else True
    if case.ordered:
        assert answer == truth
    else:
        assert Counter(answer) == Counter(truth)


def test_cases_cover_the_subset() -> None:
    assert len(CASES) >= 50


def test_the_table_holds_nulls_both_ways(collection) -> None:
    """Missing fields and explicit nulls: both must read as SQL NULL."""
    genes = [document.get("gene", "missing") for document in collection.find()]
    assert genes.count("missing") > 0
    assert genes.count(None) > 0

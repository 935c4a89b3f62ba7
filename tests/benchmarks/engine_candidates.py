"""The candidate engines' side of ``bench_engines.py``: the sites-only data, one bulk parser of
it, the record encodings, and per engine its schema, its bulk load and its readers. The schema
and the SQL are what an embedded backend on either engine would be built on; the docstring of
``bench_engines.py`` lays them out.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from variant_store import ASSEMBLY, DATASET, TEN_SAMPLES, cached_vcf

from app.config import DEFAULTS
from app.genome import gene_key
from loaders.vcf.alleles import variant_internal_id
from loaders.vcf.documents import chromosome_names

try:
    import duckdb
except ImportError:  # pragma: no cover - bench_engines.py says how to install it
    duckdb = None

ALLELE_NUMBER = 10_000  # a 5,000-sample panel
RARE_SHARE = 0.9  # alleles below 1%, as on real sites-only panels
RARE = float(DEFAULTS["RARE_ALLELE_FREQUENCY"])
BATCH = 50_000  # VCF lines parsed, and rows inserted, at a time


# -- data ------------------------------------------------------------------------------------


def sites_only_vcf(cache: Path, size: int) -> Path:
    """variant_store's VCF of ``size`` sites without samples, with a panel's AC/AN in INFO."""
    path = cache / f"sites_{size}.vcf.gz"
    if path.exists():
        return path
    # the ten-samples VCF: its INFO holds no AC/AN of its own to repeat
    source = cached_vcf(cache, size, spectrum=TEN_SAMPLES)
    rng = np.random.default_rng(19)
    partial = path.with_name(path.name + ".partial")
    print(f"writing {path} ...", flush=True)
    import pysam

    with gzip.open(source, "rt") as lines, pysam.BGZFile(str(partial), "wb") as out:
        block: list[str] = []
        for line in lines:
            if line.startswith("##FORMAT"):
                continue
            if line.startswith("##INFO"):
                out.write(line.encode())
                out.write(
                    b'##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count">\n'
                    b'##INFO=<ID=AN,Number=1,Type=Integer,Description="Allele number">\n'
                )
                continue
            if line.startswith("#"):
                out.write(("\t".join(line.split("\t")[:8]).rstrip("\n") + "\n").encode())
                continue
            block.append(line.split("\t", 8)[:8])
            if len(block) == 100_000:
                out.write(_sites_text(block, rng).encode())
                block = []
        if block:
            out.write(_sites_text(block, rng).encode())
    partial.rename(path)
    return path


def _sites_text(block: list[list[str]], rng: np.random.Generator) -> str:
    rare = rng.random(len(block)) < RARE_SHARE
    rare_counts = rng.integers(1, int(ALLELE_NUMBER * RARE), len(block))
    common = 10 ** rng.uniform(np.log10(RARE), np.log10(0.6), len(block))
    counts = np.where(rare, rare_counts, np.ceil(common * ALLELE_NUMBER)).astype(int).tolist()
    out = []
    for fields, count in zip(block, counts, strict=True):
        info = f"AC={count};AN={ALLELE_NUMBER}"
        if fields[7] != ".":
            info += ";" + fields[7]
        out.append("\t".join([*fields[:7], info]))
    return "\n".join(out) + "\n"


# -- the bulk parser -------------------------------------------------------------------------


@dataclass
class Batch:
    """Ready rows, one per (dataset, allele), as columns."""

    chrom: list[str] = field(default_factory=list)
    start: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    ref: list[str] = field(default_factory=list)
    alt: list[str] = field(default_factory=list)
    variant_type: list[str] = field(default_factory=list)
    variant_length: list[int] = field(default_factory=list)
    internal_id: list[str] = field(default_factory=list)
    af: list[float | None] = field(default_factory=list)
    gene_keys: list[list[str]] = field(default_factory=list)
    identifiers: list[list[str]] = field(default_factory=list)
    record: list[str] = field(default_factory=list)  # JSON text

    def __len__(self) -> int:
        return len(self.start)


def read_blocks(path: Path, lines_per_block: int = BATCH) -> Iterator[list[str]]:
    """The body lines of a (b)gzipped VCF, in blocks."""
    with gzip.open(path, "rt") as handle:
        block: list[str] = []
        for line in handle:
            if line.startswith("#"):
                continue
            block.append(line)
            if len(block) == lines_per_block:
                yield block
                block = []
        if block:
            yield block


class SiteParser:
    """Sites-only VCF lines -> rows and Beacon records, as ``loaders.vcf`` would make them."""

    def __init__(self, dataset_id: str, assembly: str) -> None:
        self.assembly = assembly
        self.source = json.dumps(dataset_id)[1:-1]

    def parse(self, lines: list[str]) -> Batch:
        batch = Batch()
        assembly, source = self.assembly, self.source
        for line in lines:
            chrom, pos_text, ids_text, ref, alts, _, _, info = line.rstrip("\n").split("\t", 8)[:8]
            name, sequence, accession = chromosome_names(self.assembly, chrom)
            pos = int(pos_text)
            ref = ref.upper()
            fields = dict(item.split("=", 1) for item in info.split(";") if "=" in item)
            counts = fields.get("AC", "").split(",")
            number = int(fields["AN"]) if "AN" in fields else None
            genes = [g for g in fields.get("GENE", "").replace("|", ",").split(",") if g]
            ids = [] if ids_text == "." else ids_text.split(";")
            keys = list(dict.fromkeys(gene_key(g) for g in genes))
            for index, alt in enumerate(alts.upper().split(",")):
                if alt in ("*", "."):
                    continue
                count = int(counts[index]) if index < len(counts) and counts[index] != "." else None
                if count == 0:
                    continue
                start, end = pos - 1, pos - 1 + len(ref)
                if len(ref) == len(alt):
                    kind, length = ("SNP" if len(ref) == 1 else "MNP"), len(ref)
                else:
                    kind, length = "INDEL", abs(len(alt) - len(ref))
                internal = variant_internal_id(assembly, name, pos, ref, alt, end)
                parts = [
                    f'{{"variantInternalId":"{internal}","variation":{{"variantType":"{kind}",'
                    f'"referenceBases":"{ref}","alternateBases":"{alt}","location":{{"type":'
                    f'"SequenceLocation","sequence_id":"{sequence}","interval":{{"type":'
                    f'"SequenceInterval","start":{{"type":"Number","value":{start}}},"end":'
                    f'{{"type":"Number","value":{end}}}}}}}}}'
                ]
                hgvs = accession and kind == "SNP"
                if ids or hgvs:
                    identifiers = {}
                    if ids:
                        identifiers["variantAlternativeIds"] = [
                            {
                                "id": f"dbSNP:{i}",
                                "reference": f"https://www.ncbi.nlm.nih.gov/snp/{i}",
                            }
                            if i.startswith("rs") and i[2:].isdigit()
                            else {"id": i}
                            for i in ids
                        ]
                    if hgvs:
                        identifiers["genomicHGVSId"] = f"{accession}:g.{pos}{ref}>{alt}"
                    parts.append(f',"identifiers":{_compact_json(identifiers)}')
                if genes:
                    parts.append(f',"molecularAttributes":{{"geneIds":{_compact_json(genes)}}}')
                frequency = None
                if number and count is not None:
                    frequency = count / number
                    parts.append(
                        f',"frequencyInPopulations":[{{"source":"{source}","sourceReference":'
                        f'"datasets/{source}","frequencies":[{{"population":"ALL",'
                        f'"alleleFrequency":{frequency!r},"alleleCount":{count},'
                        f'"alleleNumber":{number}}}]}}]'
                    )
                parts.append("}")
                batch.chrom.append(name)
                batch.start.append(start)
                batch.end.append(end)
                batch.ref.append(ref)
                batch.alt.append(alt)
                batch.variant_type.append(kind)
                batch.variant_length.append(length)
                batch.internal_id.append(internal)
                batch.af.append(frequency)
                batch.gene_keys.append(keys)
                batch.identifiers.append(ids)
                batch.record.append("".join(parts))
        return batch


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def check_parser(vcf: Path, records: int = 2_000) -> None:
    """The bulk parser's rows and records equal the loader's documents (or raise)."""
    from loaders.vcf import iter_variant_documents

    lines = next(read_blocks(vcf, records))
    batch = SiteParser(DATASET, ASSEMBLY).parse(lines)
    documents = iter_variant_documents(str(vcf), DATASET, ASSEMBLY)
    for index, document in zip(range(len(batch)), documents, strict=False):
        row = {
            "referenceName": batch.chrom[index],
            "start": batch.start[index],
            "end": batch.end[index],
            "referenceBases": batch.ref[index],
            "alternateBases": batch.alt[index],
            "variantType": batch.variant_type[index],
            "variantLength": batch.variant_length[index],
            "variantInternalId": batch.internal_id[index],
            "alleleFrequency": batch.af[index],
            "geneKeys": batch.gene_keys[index],
            "identifiers": batch.identifiers[index],
        }
        expected = {key: document[key] for key in row}
        if row != expected or json.loads(batch.record[index]) != document["record"]:
            raise RuntimeError(f"bulk parser differs from the loader at body line {index + 1}")


# -- record encodings ------------------------------------------------------------------------


def record_dictionary(records: list[str]) -> bytes:
    """A zlib preset dictionary: records spread over the batch, the last 4 KiB of them (a 32 KiB
    one saves 15% more and costs 5x the time per record, to compress and to decompress)."""
    step = max(1, len(records) // 200)
    return "".join(records[::step]).encode()[-4_096:]


class Codec:
    """How one encoding stores and reads back a record."""

    def __init__(self, kind: str, dictionary: bytes | None = None) -> None:
        self.kind, self.dictionary = kind, dictionary

    def encode(self, record: str) -> Any:
        if self.kind == "json":
            return record
        if self.kind == "zlib":
            return zlib.compress(record.encode(), 6)
        compressor = zlib.compressobj(6, zdict=self.dictionary)
        return compressor.compress(record.encode()) + compressor.flush()

    def decode(self, stored: Any) -> dict[str, Any]:
        if self.kind == "json":
            return json.loads(stored)
        if self.kind == "zlib":
            return json.loads(zlib.decompress(stored))
        if self.kind == "struct":
            return _without_nulls(stored)
        decompressor = zlib.decompressobj(zdict=self.dictionary)
        return json.loads(decompressor.decompress(stored))


def _without_nulls(value: Any) -> Any:
    """A DuckDB STRUCT read back as the JSON it came from (absent fields come back as None)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


# -- SQLite ----------------------------------------------------------------------------------

SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS dataset (ds INTEGER PRIMARY KEY, dataset_id TEXT NOT NULL UNIQUE,
    longest_variant INTEGER NOT NULL, variant_count INTEGER NOT NULL, record_dictionary BLOB);
CREATE TABLE IF NOT EXISTS variant (vid INTEGER PRIMARY KEY, ds INTEGER NOT NULL,
    assembly TEXT NOT NULL, chrom TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    ref TEXT NOT NULL, alt TEXT NOT NULL, variant_type TEXT NOT NULL,
    variant_length INTEGER NOT NULL, internal_id TEXT NOT NULL, af REAL, record BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS gene (ds INTEGER NOT NULL, gene_key TEXT NOT NULL, af REAL,
    vid INTEGER NOT NULL, PRIMARY KEY (ds, gene_key, vid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS identifier (ds INTEGER NOT NULL, identifier TEXT NOT NULL,
    vid INTEGER NOT NULL, PRIMARY KEY (ds, identifier, vid)) WITHOUT ROWID;
"""
SQLITE_INDEXES = """
CREATE INDEX IF NOT EXISTS variant_position
    ON variant (ds, chrom, start, "end", assembly, ref, alt, af);
CREATE INDEX IF NOT EXISTS variant_internal_id ON variant (internal_id);
"""
_SEQUENCE = (
    "ds = ? AND chrom = ? AND start = ? AND assembly = ? AND ref = ? AND alt = ? AND af >= ?"
)
_RANGE = (
    'ds = ? AND chrom = ? AND start > ? AND start < ? AND "end" > ? AND assembly = ? AND af >= ?'
)
# The same SQL serves both engines (``?`` parameters, "end" quoted).
QUERY_SQL = {
    "sequence count": f"SELECT count(*) FROM variant WHERE {_SEQUENCE}",
    "sequence exists": f"SELECT 1 FROM variant WHERE {_SEQUENCE} LIMIT 1",
    "range count": f"SELECT count(*) FROM variant WHERE {_RANGE}",
    "gene count": "SELECT count(*) FROM gene WHERE ds = ? AND gene_key = ? AND af >= ?",
    "page": f'SELECT record FROM variant WHERE {_RANGE} ORDER BY start, "end" LIMIT 10',
    "DC GROUP BY chromosome": (
        "SELECT chrom, count(*) FROM variant WHERE ds = ? AND af >= ? GROUP BY chrom"
    ),
    "DC region LIMIT 100": (
        "SELECT chrom, start, ref, alt, af FROM variant "
        "WHERE ds = ? AND af >= ? AND chrom = ? AND start BETWEEN ? AND ? LIMIT 100"
    ),
}


def sqlite_connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    else:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache per connection
    connection.execute("PRAGMA mmap_size=1073741824")
    return connection


def sqlite_load(path: Path, encoding: str, vcf: Path, dataset_id: str, timing: dict) -> int:
    """One release: the dataset's rows, genes and indexes in one transaction."""
    connection = sqlite_connect(path)
    connection.execute("PRAGMA cache_size=-262144")
    connection.executescript(SQLITE_SCHEMA)
    had_indexes = connection.execute(
        "SELECT count(*) FROM sqlite_master WHERE name = 'variant_position'"
    ).fetchone()[0]
    connection.execute("BEGIN IMMEDIATE")
    ds = connection.execute("SELECT coalesce(max(ds), 0) + 1 FROM dataset").fetchone()[0]
    first_vid = connection.execute("SELECT coalesce(max(vid), 0) + 1 FROM variant").fetchone()[0]
    codec: Codec | None = None
    rows = longest = 0
    for batch in parsed_batches(vcf, dataset_id, timing):
        began = time.perf_counter()
        if codec is None:
            dictionary = record_dictionary(batch.record)
            codec = Codec(encoding.split("-")[1], dictionary)
        vids = range(first_vid + rows, first_vid + rows + len(batch))
        records = [codec.encode(record) for record in batch.record]
        connection.executemany(
            "INSERT INTO variant VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            zip(
                vids, [ds] * len(batch), [ASSEMBLY] * len(batch), batch.chrom, batch.start,
                batch.end, batch.ref, batch.alt, batch.variant_type, batch.variant_length,
                batch.internal_id, batch.af, records, strict=True,
            ),
        )  # fmt: skip
        connection.executemany(
            "INSERT INTO gene VALUES (?, ?, ?, ?)",
            (
                (ds, key, af, vid)
                for vid, keys, af in zip(vids, batch.gene_keys, batch.af, strict=True)
                for key in keys
            ),
        )
        connection.executemany(
            "INSERT INTO identifier VALUES (?, ?, ?)",
            ((ds, i, vid) for vid, ids in zip(vids, batch.identifiers, strict=True) for i in ids),
        )
        longest = max(longest, max(e - s for s, e in zip(batch.start, batch.end, strict=True)))
        rows += len(batch)
        timing["insert"] += time.perf_counter() - began
    began = time.perf_counter()
    connection.execute(
        "INSERT INTO dataset VALUES (?, ?, ?, ?, ?)",
        (ds, dataset_id, longest, rows, codec.dictionary if codec else None),
    )
    for statement in SQLITE_INDEXES.split(";"):
        if statement.strip():
            connection.execute(statement)
    if not had_indexes:
        connection.execute("ANALYZE")
    connection.execute("COMMIT")
    timing["insert"] += time.perf_counter() - began
    began = time.perf_counter()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    timing["checkpoint"] += time.perf_counter() - began
    connection.close()
    return rows


def parsed_batches(vcf: Path, dataset_id: str, timing: dict) -> Iterator[Batch]:
    """The VCF's rows in batches, reading and parsing them timed in ``timing["parse"]``."""
    parser = SiteParser(dataset_id, ASSEMBLY)
    for lines in _timed(read_blocks(vcf), timing, "parse"):
        began = time.perf_counter()
        batch = parser.parse(lines)
        timing["parse"] += time.perf_counter() - began
        yield batch


def _timed(blocks: Iterator[list[str]], timing: dict, key: str) -> Iterator[list[str]]:
    """The blocks, the time spent reading (decompressing) each added to ``timing[key]``."""
    while True:
        began = time.perf_counter()
        block = next(blocks, None)
        timing[key] += time.perf_counter() - began
        if block is None:
            return
        yield block


class SqliteReader:
    """Queries over a SQLite file, read-only."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.connection = sqlite_connect(path, read_only=True)
        self.kind = encoding.split("-")[1]
        self.datasets: dict[str, tuple[int, int, Codec]] = {}
        self._read_datasets()

    def _read_datasets(self) -> None:
        for ds, dataset_id, longest, dictionary in self.connection.execute(
            "SELECT ds, dataset_id, longest_variant, record_dictionary FROM dataset"
        ):
            self.datasets[dataset_id] = (ds, longest, Codec(self.kind, dictionary))

    def dataset(self, dataset_id: str) -> tuple[int, int, Codec] | None:
        """The dataset's key, longest variant and record codec (read again when unknown: a
        release committed since the last read may have added it)."""
        if dataset_id not in self.datasets:
            self._read_datasets()
        return self.datasets.get(dataset_id)

    def one(self, sql: str, parameters: tuple) -> Any:
        return self.connection.execute(sql, parameters).fetchone()

    def all(self, sql: str, parameters: tuple) -> list[tuple]:
        return self.connection.execute(sql, parameters).fetchall()


# -- DuckDB ----------------------------------------------------------------------------------

DUCKDB_RECORD_STRUCT = (
    "STRUCT(variantInternalId VARCHAR, variation STRUCT(variantType VARCHAR, referenceBases "
    "VARCHAR, alternateBases VARCHAR, location STRUCT(type VARCHAR, sequence_id VARCHAR, "
    'interval STRUCT(type VARCHAR, start STRUCT(type VARCHAR, value BIGINT), "end" '
    "STRUCT(type VARCHAR, value BIGINT)))), identifiers STRUCT(genomicHGVSId VARCHAR, "
    "variantAlternativeIds STRUCT(id VARCHAR, reference VARCHAR)[]), molecularAttributes "
    "STRUCT(geneIds VARCHAR[], aminoacidChanges VARCHAR[]), frequencyInPopulations "
    "STRUCT(source VARCHAR, sourceReference VARCHAR, frequencies STRUCT(population VARCHAR, "
    "alleleFrequency DOUBLE, alleleCount BIGINT, alleleNumber BIGINT)[])[])"
)
DUCKDB_RECORD_TYPES = {"json": "JSON", "struct": DUCKDB_RECORD_STRUCT, "zdict": "BLOB"}


def duckdb_schema(kind: str) -> str:
    return f"""
CREATE TABLE IF NOT EXISTS dataset (ds INTEGER, dataset_id VARCHAR, longest_variant INTEGER,
    variant_count BIGINT, record_dictionary BLOB);
CREATE TABLE IF NOT EXISTS variant (vid BIGINT, ds INTEGER, assembly VARCHAR, chrom VARCHAR,
    start INTEGER, "end" INTEGER, ref VARCHAR, alt VARCHAR, variant_type VARCHAR,
    variant_length INTEGER, internal_id VARCHAR, af DOUBLE, gene_keys VARCHAR[],
    identifiers VARCHAR[], record {DUCKDB_RECORD_TYPES[kind]});
"""


def duckdb_load(path: Path, encoding: str, vcf: Path, dataset_id: str, timing: dict) -> int:
    """One release in one new file, written by this process alone."""
    kind = encoding.split("-")[1]
    connection = duckdb.connect(str(path))
    _run(connection, duckdb_schema(kind))
    _run(connection, "BEGIN")
    ds = connection.execute("SELECT coalesce(max(ds), 0) + 1 FROM dataset").fetchall()[0][0]
    codec: Codec | None = None
    rows = longest = 0
    record_value = (
        "json_transform(record, $$" + _struct_shape() + "$$)" if kind == "struct" else "record"
    )
    for batch in parsed_batches(vcf, dataset_id, timing):
        began = time.perf_counter()
        if codec is None:
            codec = Codec("zdict" if kind == "zdict" else "json", record_dictionary(batch.record))
        count = len(batch)
        columns = {
            "vid": np.arange(rows + 1, rows + 1 + count, dtype=np.int64),
            "ds": np.full(count, ds, dtype=np.int32),
            "assembly": np.array([ASSEMBLY] * count, dtype=object),
            "chrom": np.array(batch.chrom, dtype=object),
            "start": np.array(batch.start, dtype=np.int32),
            "end": np.array(batch.end, dtype=np.int32),
            "ref": np.array(batch.ref, dtype=object),
            "alt": np.array(batch.alt, dtype=object),
            "variant_type": np.array(batch.variant_type, dtype=object),
            "variant_length": np.array(batch.variant_length, dtype=np.int32),
            "internal_id": np.array(batch.internal_id, dtype=object),
            "af": np.array([np.nan if f is None else f for f in batch.af], dtype=np.float64),
            "gene_keys": _object_array(batch.gene_keys),
            "identifiers": _object_array(batch.identifiers),
            "record": np.array(
                batch.record if kind != "zdict" else [codec.encode(r) for r in batch.record],
                dtype=object,
            ),
        }
        connection.register("batch", columns)
        _run(
            connection,
            'INSERT INTO variant SELECT vid, ds, assembly, chrom, start, "end", ref, alt, '
            "variant_type, variant_length, internal_id, CASE WHEN isnan(af) THEN NULL ELSE af "
            f"END, gene_keys, identifiers, {record_value} FROM batch",
        )
        connection.unregister("batch")
        longest = max(longest, max(e - s for s, e in zip(batch.start, batch.end, strict=True)))
        rows += count
        timing["insert"] += time.perf_counter() - began
    began = time.perf_counter()
    _run(
        connection,
        "INSERT INTO dataset VALUES (?, ?, ?, ?, ?)",
        [ds, dataset_id, longest, rows, codec.dictionary if codec else None],
    )
    _run(
        connection,
        "CREATE TABLE gene AS SELECT ds, unnest(gene_keys) AS gene_key, af, vid FROM variant "
        "ORDER BY ds, gene_key",
    )
    _run(connection, "COMMIT")
    _run(connection, "CHECKPOINT")
    timing["insert"] += time.perf_counter() - began
    connection.close()
    return rows


def _run(connection: Any, sql: str, parameters: list | None = None) -> list[tuple]:
    """A DuckDB statement run to its end (a connection refuses new work before that)."""
    return connection.execute(sql, parameters).fetchall()


def _object_array(values: list[list[str]]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _struct_shape() -> str:
    """The JSON structure ``json_transform`` casts a record to (the STRUCT above)."""
    return json.dumps(
        {
            "variantInternalId": "VARCHAR",
            "variation": {
                "variantType": "VARCHAR",
                "referenceBases": "VARCHAR",
                "alternateBases": "VARCHAR",
                "location": {
                    "type": "VARCHAR",
                    "sequence_id": "VARCHAR",
                    "interval": {
                        "type": "VARCHAR",
                        "start": {"type": "VARCHAR", "value": "BIGINT"},
                        "end": {"type": "VARCHAR", "value": "BIGINT"},
                    },
                },
            },
            "identifiers": {
                "genomicHGVSId": "VARCHAR",
                "variantAlternativeIds": [{"id": "VARCHAR", "reference": "VARCHAR"}],
            },
            "molecularAttributes": {"geneIds": ["VARCHAR"], "aminoacidChanges": ["VARCHAR"]},
            "frequencyInPopulations": [
                {
                    "source": "VARCHAR",
                    "sourceReference": "VARCHAR",
                    "frequencies": [
                        {
                            "population": "VARCHAR",
                            "alleleFrequency": "DOUBLE",
                            "alleleCount": "BIGINT",
                            "alleleNumber": "BIGINT",
                        }
                    ],
                }
            ],
        }
    )


class DuckdbReader:
    """Queries over DuckDB release files, each opened read-only."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.connection = duckdb.connect(str(path), read_only=True)
        self.kind = encoding.split("-")[1]
        self.datasets: dict[str, tuple[int, int, Codec]] = {}
        self._read_datasets()

    def _read_datasets(self) -> None:
        for ds, dataset_id, longest, dictionary in self.connection.execute(
            "SELECT ds, dataset_id, longest_variant, record_dictionary FROM dataset"
        ).fetchall():
            self.datasets[dataset_id] = (ds, longest, Codec(self.kind, dictionary))

    def dataset(self, dataset_id: str) -> tuple[int, int, Codec] | None:
        return self.datasets.get(dataset_id)

    def one(self, sql: str, parameters: tuple) -> Any:
        rows = self.connection.execute(sql, list(parameters)).fetchall()
        return rows[0] if rows else None

    def all(self, sql: str, parameters: tuple) -> list[tuple]:
        return self.connection.execute(sql, list(parameters)).fetchall()


# -- queries


def engine_queries(reader: Any, dataset_id: str) -> dict[str, Callable[[dict], Any]]:
    """Each query as a call on one target; what it returns is compared across engines."""
    ds, longest, codec = reader.dataset(dataset_id)
    bound = max(longest, 1)

    def sequence(t: dict) -> tuple:
        return (
            ds, t["referenceName"], t["start"], ASSEMBLY, t["referenceBases"],
            t["alternateBases"], RARE,
        )  # fmt: skip

    def window(t: dict) -> tuple:
        return (ds, t["referenceName"], t["start"] - bound, t["end"], t["start"], ASSEMBLY, RARE)

    def page(t: dict) -> tuple[int, list[dict]]:
        (count,) = reader.one(QUERY_SQL["range count"], window(t))
        rows = reader.all(QUERY_SQL["page"], window(t)) if count else []
        return count, [codec.decode(stored) for (stored,) in rows]

    return {
        "sequence count": lambda t: reader.one(QUERY_SQL["sequence count"], sequence(t))[0],
        "sequence exists": lambda t: (
            reader.one(QUERY_SQL["sequence exists"], sequence(t)) is not None
        ),
        "range 10 kb count": lambda t: reader.one(QUERY_SQL["range count"], window(t))[0],
        "range 1 Mb count": lambda t: reader.one(QUERY_SQL["range count"], window(t))[0],
        "gene count": lambda t: reader.one(
            QUERY_SQL["gene count"], (ds, gene_key(t["geneId"]), RARE)
        )[0],
        "page of 10 records": page,
        "DC GROUP BY chromosome": lambda t: sorted(
            reader.all(QUERY_SQL["DC GROUP BY chromosome"], (ds, RARE))
        ),
        "DC region LIMIT 100": lambda t: len(
            reader.all(
                QUERY_SQL["DC region LIMIT 100"],
                (ds, RARE, t["referenceName"], t["start"], t["end"] - 1),
            )
        ),
    }

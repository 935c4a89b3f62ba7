"""The embedded store's tables in SQLite, and where each document field of ours lives in them.

One row per (dataset, variant allele) in ``variant`` and per (dataset, entry) in ``entry``, as in
the documents of ``docs/storage.md``: typed columns for what a query compares, child tables for
the fields holding several values (one row per value, so ``=`` is "any value" and ``!`` "no
value"), and the Beacon record whole beside them. Each row names its part (``stored_part``):
the rows of one dataset in one collection written by one load, which releases list
(:mod:`app.store.releases`). The variant columns and the position index are the ones
``tests/benchmarks/bench_engines.py`` measured; :mod:`app.store.lower_sql` writes the queries
over these tables, and :mod:`app.store.sqlite_documents` the rows from our documents.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.genome import GENE_IDS, GENE_KEYS, REFSEQ_ACCESSIONS
from app.store.collections import (
    ALLELE_FREQUENCY,
    DATASETS,
    METADATA_ENTRIES,
    METADATA_STATS,
    VARIANT_STATS,
    VARIANTS,
)
from app.store.query import VariantField


def _internal_id_expression(qualifier: str) -> str:
    """The internal id from a row's columns named with ``qualifier`` ("" in the index)."""
    return (
        f"coalesce({qualifier}internal_id, {qualifier}assembly || ':' || {qualifier}chrom || "
        f"':' || ({qualifier}start + 1) || ':' || {qualifier}ref || ':' || {qualifier}alt)"
    )


TABLES = """
CREATE TABLE IF NOT EXISTS stored_part (  -- the rows of one dataset in one collection, one load
    part INTEGER PRIMARY KEY,
    collection TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    longest_variant INTEGER NOT NULL DEFAULT 0,  -- largest end - start: bounds range scans
    variant_count INTEGER NOT NULL DEFAULT 0,
    unkeyed_genes INTEGER NOT NULL DEFAULT 0,    -- its variants without case-folded gene keys
    record_dictionary INTEGER,                   -- the dictionary of its variant records, if any
    loader_pid INTEGER,                          -- the process writing it, until a release names it
    dropped_at REAL                              -- when the last release naming it went
);
CREATE TABLE IF NOT EXISTS variant (
    vid INTEGER PRIMARY KEY,
    part INTEGER NOT NULL,
    assembly TEXT NOT NULL,
    chrom TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    ref TEXT NOT NULL,
    alt TEXT NOT NULL,
    variant_type TEXT NOT NULL,
    variant_length INTEGER NOT NULL,
    internal_id TEXT,                 -- NULL: the id its columns spell (app.store.variant_names)
    hgvs_id TEXT,                     -- the record's identifiers.genomicHGVSId, if not derived
    hgvs_derived INTEGER NOT NULL DEFAULT 0,  -- 1: that id is the one its columns spell
    af REAL,                          -- NULL: unknown, rare under the rare-allele rule
    gene_keyed INTEGER NOT NULL,      -- 0: loaded before case-folded keys, genes match as stored
    record BLOB NOT NULL,             -- JSON text, or a zstandard frame (app.store.sqlite_records)
    -- the carriers (app.store.sqlite_carriers): roaring bitmaps of sample indexes
    carriers BLOB,                    -- every carrier (biosampleIds); NULL: none
    carrier_order TEXT,               -- biosampleIds as JSON where not in sample-index order
    homozygous BLOB,                  -- the homozygous and hemizygous carriers among them
    hemizygous BLOB,
    cases_rebuilt INTEGER NOT NULL DEFAULT 0,  -- 1: caseLevelData is rebuilt from the bitmaps
    case_level TEXT                   -- caseLevelData (JSON) of any other form, kept apart
);
CREATE TABLE IF NOT EXISTS record_dictionary (  -- zstandard dictionaries of variant records
    dictionary_id INTEGER PRIMARY KEY,  -- as each frame made with it names it
    dictionary BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS sample_name (  -- a carrier's sample index, given once, never changed
    sample INTEGER PRIMARY KEY,
    biosample_id TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS variant_gene_symbol (symbol TEXT NOT NULL, vid INTEGER NOT NULL,
    position INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (symbol, vid)) WITHOUT ROWID;
-- the variant's part and frequency beside each key: a gene count reads this table alone
CREATE TABLE IF NOT EXISTS variant_gene_key (gene_key TEXT NOT NULL, part INTEGER NOT NULL,
    vid INTEGER NOT NULL, af REAL, position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (gene_key, part, vid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS variant_identifier (identifier TEXT NOT NULL, vid INTEGER NOT NULL,
    position INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (identifier, vid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS variant_aminoacid_change (change TEXT NOT NULL, vid INTEGER NOT NULL,
    position INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (change, vid)) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS entry (
    eid INTEGER PRIMARY KEY,
    collection TEXT NOT NULL,         -- individuals, biosamples, runs, analyses, cohorts
    part INTEGER NOT NULL,
    id TEXT NOT NULL,
    individual_id TEXT,               -- the links, where the record has them
    biosample_id TEXT,
    run_id TEXT,
    record TEXT NOT NULL              -- JSON: json_each walks it for record conditions
);
CREATE TABLE IF NOT EXISTS entry_term (term TEXT NOT NULL, eid INTEGER NOT NULL,
    position INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (term, eid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entry_duration (path TEXT NOT NULL, days REAL NOT NULL,
    eid INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS dataset_document (  -- descriptions and stats, one per dataset
    collection TEXT NOT NULL,         -- datasets, variantStats, metadataStats
    part INTEGER NOT NULL,
    document TEXT NOT NULL,           -- JSON, without its _id (the dataset id)
    PRIMARY KEY (collection, part)
);
CREATE TABLE IF NOT EXISTS filtering_term (
    part INTEGER NOT NULL,
    scope TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    label TEXT,
    term_values TEXT                  -- JSON list, where the field has few values
);

CREATE TABLE IF NOT EXISTS other_document (  -- collections of no declared layout (tools, tests)
    part INTEGER NOT NULL,
    document TEXT NOT NULL            -- MongoDB extended JSON
);

CREATE TABLE IF NOT EXISTS manifest (  -- the releases and the one served (app.store.releases)
    one INTEGER PRIMARY KEY CHECK (one = 1),
    document TEXT NOT NULL,
    version INTEGER NOT NULL          -- counts every change: what is cached per release
);
CREATE TABLE IF NOT EXISTS process_local (  -- tables each process rebuilds, outside releases
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (collection, id)
) WITHOUT ROWID;
"""

# One index per predicate's shape: equality on the dataset (and chromosome) then a range on
# start; each child table by value (the lookup) and by row (deleting, reading one row's values).
INDEXES = """
CREATE INDEX IF NOT EXISTS variant_position
    ON variant (part, chrom, start, "end", assembly, ref, alt, af);
-- the internal id as internal_id_sql() reads it: stored, else spelled by the row's columns
CREATE INDEX IF NOT EXISTS variant_internal_id ON variant ({internal_id});
CREATE INDEX IF NOT EXISTS variant_hgvs_id ON variant (hgvs_id) WHERE hgvs_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS variant_type ON variant (part, variant_type);
CREATE INDEX IF NOT EXISTS variant_length ON variant (part, variant_length);
CREATE INDEX IF NOT EXISTS variant_gene_symbol_row ON variant_gene_symbol (vid);
CREATE INDEX IF NOT EXISTS variant_gene_key_row ON variant_gene_key (vid);
CREATE INDEX IF NOT EXISTS variant_identifier_row ON variant_identifier (vid);
CREATE INDEX IF NOT EXISTS variant_aminoacid_change_row ON variant_aminoacid_change (vid);

CREATE UNIQUE INDEX IF NOT EXISTS entry_record_id ON entry (collection, part, id);
CREATE INDEX IF NOT EXISTS entry_id ON entry (collection, id);
CREATE INDEX IF NOT EXISTS entry_individual ON entry (collection, part, individual_id)
    WHERE individual_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS entry_biosample ON entry (collection, part, biosample_id)
    WHERE biosample_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS entry_run ON entry (collection, part, run_id) WHERE run_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS entry_term_row ON entry_term (eid);
CREATE INDEX IF NOT EXISTS entry_duration_days ON entry_duration (path, days, eid);
CREATE INDEX IF NOT EXISTS entry_duration_row ON entry_duration (eid);

CREATE INDEX IF NOT EXISTS filtering_term_dataset ON filtering_term (part, scope, kind, id);
CREATE INDEX IF NOT EXISTS stored_part_dataset ON stored_part (dataset_id, collection);
CREATE INDEX IF NOT EXISTS entry_part ON entry (part);
CREATE INDEX IF NOT EXISTS other_document_part ON other_document (part);
CREATE INDEX IF NOT EXISTS filtering_term_catalogue ON filtering_term (kind, scope, id);
"""

DDL = TABLES + INDEXES.replace("{internal_id}", _internal_id_expression(""))
# ``PRAGMA user_version`` of a store of these tables: a file of another layout is loaded again
STORE_FORMAT = 5


# -- where each field of our documents lives --------------------------------------------------


@dataclass(frozen=True)
class ValuesTable:
    """A child table holding one row per value of a field of several values."""

    table: str
    column: str
    row: str  # the column naming the parent row (vid, eid)


# Top-level variant fields held in one column each.
CARRIERS = VariantField.CARRIERS.value  # held as bitmaps (app.store.sqlite_carriers)
VARIANT_COLUMNS = {
    "assemblyId": "assembly",
    "referenceName": "chrom",
    "start": "start",
    "end": '"end"',
    "referenceBases": "ref",
    "alternateBases": "alt",
    "variantType": "variant_type",
    "variantLength": "variant_length",
    "variantInternalId": "internal_id",
    ALLELE_FREQUENCY: "af",
}
VARIANT_INTEGERS = ("start", "end", "variantLength")
VARIANT_TEXTS = ("assemblyId", "referenceName", "referenceBases", "alternateBases")
VARIANT_TEXTS += ("variantType", "variantInternalId")
HGVS_COLUMN = "hgvs_id"
HGVS_DERIVED = "hgvs_derived"
INTERNAL_ID_COLUMN = "internal_id"


def hgvs_id_sql(table: str = "variant") -> str:
    """A variant row's genomic HGVS id in SQL: the stored one, else the one its columns spell
    (``app.store.variant_names``); for comparisons no index serves."""
    accessions = " ".join(
        f"WHEN '{assembly}:{chrom}' THEN '{accession}'"
        for (assembly, chrom), accession in REFSEQ_ACCESSIONS.items()
    )
    return (
        f"CASE WHEN {table}.hgvs_derived = 1 THEN (CASE {table}.assembly || ':' || {table}.chrom "
        f"{accessions} END) || ':g.' || ({table}.start + 1) || {table}.ref || '>' || {table}.alt "
        f"ELSE {table}.hgvs_id END"
    )


def internal_id_sql(table: str = "variant") -> str:
    """A variant row's internal id in SQL: the stored one, else the one its columns spell
    (``app.store.variant_names``); the index ``variant_internal_id`` holds this expression, so
    an equality on it (a Beacon lookup, Data Connect's ``variant_id``) is a search."""
    return _internal_id_expression(f"{table}.")


def variant_column_sql(column: str, table: str = "variant") -> str:
    """How SQL reads a column of ``VARIANT_COLUMNS``: the internal id through
    :func:`internal_id_sql`, any other as it is stored."""
    return internal_id_sql(table) if column == INTERNAL_ID_COLUMN else f"{table}.{column}"


# Top-level variant fields of several values.
GENE_KEY_TABLE = "variant_gene_key"  # its rows also hold the variant's part and af
VARIANT_VALUES = {
    GENE_IDS: ValuesTable("variant_gene_symbol", "symbol", "vid"),
    GENE_KEYS: ValuesTable(GENE_KEY_TABLE, "gene_key", "vid"),
    VariantField.IDENTIFIERS.value: ValuesTable("variant_identifier", "identifier", "vid"),
    VariantField.AMINOACID_CHANGES.value: ValuesTable("variant_aminoacid_change", "change", "vid"),
}

# Metadata entries: the id and the links, one column each; ontology terms and durations.
ENTRY_COLUMNS = {
    "id": "id",
    "individualId": "individual_id",
    "biosampleId": "biosample_id",
    "runId": "run_id",
}
ONTOLOGY_TERMS = "ontologyTerms"
ENTRY_VALUES = {ONTOLOGY_TERMS: ValuesTable("entry_term", "term", "eid")}
DURATIONS = "durations"

# Collections of one document per dataset, kept in ``dataset_document``.
DATASET_DOCUMENTS = (DATASETS, VARIANT_STATS, METADATA_STATS)
ENTRY_COLLECTIONS = METADATA_ENTRIES
VARIANT_COLLECTION = VARIANTS

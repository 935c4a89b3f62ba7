"""A variant's carriers in the embedded store as sample-index bitmaps (pyroaring), not as text.

Listing carriers as text in every record costs thousands of bytes per variant at 500 samples and
cannot hold a national cohort. Here every biosample id gets a sample index once
(``sample_name``, never renumbered), and a variant row holds its carriers as a roaring bitmap of
those indexes, with the homozygous and hemizygous ones as two more bitmaps (the rest are
heterozygous). A record's ``caseLevelData`` in the plain form the VCF loader writes (one
``{"biosampleId", "zygosity"}`` per carrier, in the order of ``biosampleIds``, with a GENO
zygosity) is rebuilt from them on read; any other form is kept as JSON beside them.

"Who carries V" is reading V's bitmap; "variants carried by these biosamples" is an
intersection of each row's bitmap with theirs (``carried``); the carriers of a selection are the
union of its rows' bitmaps (``carrier_union``). :func:`register_carrier_functions` adds those
functions to a connection.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from pyroaring import BitMap

from app.genome import HEMIZYGOUS, HETEROZYGOUS, HOMOZYGOUS
from app.store.carrier_cases import CarrierBatch, CarrierCases

ZYGOSITIES = (HETEROZYGOUS, HOMOZYGOUS, HEMIZYGOUS)
_HET, _HOM, _HEMI = 0, 1, 2

# The carrier columns of ``variant``, in this order in rows written and read.
CARRIER_COLUMNS = ("carriers", "carrier_order", "homozygous", "hemizygous", "cases_rebuilt")
CarrierRow = tuple[bytes | None, str | None, bytes | None, bytes | None, int]
NO_CARRIERS: CarrierRow = (None, None, None, None, 0)


def _blob(indexes: Sequence[int]) -> bytes | None:
    return BitMap(indexes).serialize() if indexes else None


def members(blob: bytes | None) -> list[int]:
    return list(BitMap.deserialize(blob)) if blob is not None else []


class CarrierWriter:
    """Turns documents' carriers into bitmap columns within one write transaction, giving new
    biosample ids their sample index as it meets them."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self._index_of: dict[str, int] | None = None
        # id(entry) -> (entry, biosample id, zygosity code, sample index): the loader shares
        # one entry per sample and zygosity between records, so each is checked and numbered
        # once (the entry is kept to pin its id)
        self._plain: dict[int, tuple[Any, str, int, int]] = {}
        # the VCF sample names last met with their sample indexes, and the batch of positioned
        # carriers last met with its carriers' indexes (a write holds one file's batches)
        self._numbered: tuple[tuple[str, ...], np.ndarray] | None = None
        self._batch: tuple[CarrierBatch, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None

    def _indexes(self) -> dict[str, int]:
        if self._index_of is None:
            rows = self._connection.execute("SELECT biosample_id, sample FROM sample_name")
            self._index_of = dict(rows.fetchall())
        return self._index_of

    def declare(self, biosample_ids: Sequence[str]) -> None:
        """Give the samples not yet numbered their indexes in this order (a VCF's samples:
        carriers listed in file order are then in index order, and no order is stored)."""
        for name in biosample_ids:
            self._index(name)

    def _index(self, name: str) -> int:
        index_of = self._indexes()
        index = index_of.get(name)
        if index is None:
            cursor = self._connection.execute(
                "INSERT INTO sample_name (biosample_id) VALUES (?)", (name,)
            )
            assert cursor.lastrowid is not None
            index = index_of[name] = cursor.lastrowid
        return index

    def positioned_row(self, biosample_ids: Any, cases: Any) -> CarrierRow | None:
        """The carrier columns of a loader's :class:`CarrierCases`, from its positions alone
        (None: the record's case-level data is not one, or the document's ``biosampleIds`` is
        not the frozen list of names it carries). Its names are distinct: a VCF names each
        sample once."""
        if type(cases) is not CarrierCases or biosample_ids is not cases.names:
            return None
        carriers, homozygous, hemizygous = self._batch_indexes(cases.batch)
        indexes = carriers[cases.begin : cases.end].tolist()
        ascending = indexes == sorted(indexes)
        order = None if ascending else json.dumps(biosample_ids, ensure_ascii=False)
        return (
            _blob(indexes),
            order,
            _blob(homozygous[slice(*cases.homozygous_at)].tolist()),
            _blob(hemizygous[slice(*cases.hemizygous_at)].tolist()),
            1,
        )

    def _batch_indexes(self, batch: CarrierBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The sample indexes of a batch's carriers, homozygous and hemizygous ones (numpy,
        once per batch: its variants come one after the other)."""
        if self._batch is None or self._batch[0] is not batch:
            samples = batch.samples
            if self._numbered is None or self._numbered[0] is not samples:
                numbered = np.array(list(map(self._index, samples)), dtype=np.int64)
                self._numbered = (samples, numbered)
            index_at = self._numbered[1]
            self._batch = (
                batch,
                (index_at[batch.positions], index_at[batch.homozygous], index_at[batch.hemizygous]),
            )
        return self._batch[1]

    def row(self, biosample_ids: list[str], cases: Any) -> tuple[CarrierRow, bool]:
        """The carrier columns of a document with these (distinct) carriers and this
        ``caseLevelData`` (None: the record has none), and whether the record's case-level data
        is rebuilt from them (else the caller keeps it as JSON).

        A variant has tens to thousands of carriers, so the usual case (the loader's plain
        entries, each met before) is done in list operations rather than a loop per carrier:
        it was half of a 500-sample load's time.
        """
        if not biosample_ids:
            return NO_CARRIERS, False
        known = self._plain_entries(biosample_ids, cases)
        if known is None:
            index_of = self._indexes()
            indexes = [
                index_of[name] if name in index_of else self._index(name) for name in biosample_ids
            ]
            homozygous = hemizygous = None
        else:
            indexes = [entry[3] for entry in known]
            homozygous = _blob([entry[3] for entry in known if entry[2] == _HOM])
            hemizygous = _blob([entry[3] for entry in known if entry[2] == _HEMI])
        # distinct indexes (distinct ids) in ascending order are the file's order: not stored
        ascending = indexes == sorted(indexes)
        order = None if ascending else json.dumps(biosample_ids, ensure_ascii=False)
        rebuilt = known is not None
        return (_blob(indexes), order, homozygous, hemizygous, int(rebuilt)), rebuilt

    def _plain_entries(
        self, biosample_ids: list[str], cases: Any
    ) -> list[tuple[Any, str, int, int]] | None:
        """What the plain-form check found of each entry of ``cases``, where it is the plain
        form of these carriers (None: it is not, and is kept as JSON)."""
        if not isinstance(cases, list) or len(cases) != len(biosample_ids):
            return None
        plain = self._plain
        known = list(map(plain.get, map(id, cases)))
        met = None in known
        if met:  # entries not met before: checked here, numbered once they are the carriers'
            for at, entry in enumerate(cases):
                if known[at] is None:
                    code = _plain_code(entry)
                    if code is None:
                        return None
                    known[at] = (entry, entry["biosampleId"], code, -1)
        if [entry[1] for entry in known] != biosample_ids:
            return None
        if met:
            for at, (entry, name, code, index) in enumerate(known):  # type: ignore[misc]
                if index < 0:
                    known[at] = plain[id(entry)] = (entry, name, code, self._index(name))
        return known  # type: ignore[return-value]


def _plain_code(entry: Any) -> int | None:
    """The zygosity code of a plain carrier entry (None: another form, kept as JSON)."""
    if not isinstance(entry, Mapping) or list(entry) != ["biosampleId", "zygosity"]:
        return None
    if not isinstance(entry["biosampleId"], str):
        return None
    zygosity = entry["zygosity"]
    for code, term in enumerate(ZYGOSITIES):
        if isinstance(zygosity, Mapping) and list(zygosity) == list(term) and zygosity == term:
            return code
    return None


class SampleNames:
    """Sample index -> biosample id, read from ``sample_name`` as indexes are met. Indexes are
    never renumbered, so what a committed read found stays true; what a write's own open
    transaction shows is not kept (it may be rolled back)."""

    def __init__(self) -> None:
        self._names: dict[int, str] = {}
        self._lock = threading.Lock()

    def of(self, connection: sqlite3.Connection, indexes: Sequence[int]) -> list[str]:
        names = self._names
        missing = [index for index in indexes if index not in names]
        if missing:
            found = dict(
                connection.execute(
                    "SELECT sample, biosample_id FROM sample_name WHERE sample IN "
                    "(SELECT value FROM json_each(?))",
                    [json.dumps(missing)],
                ).fetchall()
            )
            if len(found) != len(set(missing)):
                raise LookupError(f"sample indexes without a name: {sorted(set(missing))[:5]}")
            if connection.in_transaction:
                names = {**names, **found}
            else:
                with self._lock:
                    self._names.update(found)
                    names = self._names
        return [names[index] for index in indexes]


def carrier_ids(
    connection: sqlite3.Connection, names: SampleNames, carriers: bytes | None, order: str | None
) -> list[str]:
    """The document's ``biosampleIds``, in their stored order."""
    if order is not None:
        return json.loads(order)
    return names.of(connection, members(carriers))


def rebuilt_cases(
    connection: sqlite3.Connection,
    names: SampleNames,
    row: Sequence[Any],
) -> list[dict[str, Any]]:
    """The plain ``caseLevelData`` of a row's carrier columns (``CARRIER_COLUMNS`` order)."""
    carriers, order, homozygous, hemizygous, _ = row
    if order is None:
        indexes = members(carriers)
        ids = names.of(connection, indexes)
    else:
        ids = json.loads(order)
        index_of = _indexes_of(connection, ids)
        indexes = [index_of[name] for name in ids]
    homozygous_set = BitMap.deserialize(homozygous) if homozygous is not None else BitMap()
    hemizygous_set = BitMap.deserialize(hemizygous) if hemizygous is not None else BitMap()
    cases = []
    for index, name in zip(indexes, ids, strict=True):
        code = _HOM if index in homozygous_set else _HEMI if index in hemizygous_set else _HET
        cases.append({"biosampleId": name, "zygosity": dict(ZYGOSITIES[code])})
    return cases


def _indexes_of(connection: sqlite3.Connection, ids: Sequence[str]) -> dict[str, int]:
    return dict(
        connection.execute(
            "SELECT biosample_id, sample FROM sample_name WHERE biosample_id IN "
            "(SELECT value FROM json_each(?))",
            [json.dumps(list(ids), ensure_ascii=False)],
        ).fetchall()
    )


# -- the SQL functions --------------------------------------------------------------------------


class _Wanted:
    """``carried(carriers, wanted)``: whether a row's bitmap meets the wanted one; the wanted
    bitmap (the same bytes for every row of a statement) is decoded once."""

    def __init__(self) -> None:
        self._last: tuple[bytes, BitMap] | None = None

    def __call__(self, carriers: bytes | None, wanted: bytes | None) -> int:
        if carriers is None or wanted is None:
            return 0
        last = self._last
        if last is None or last[0] != wanted:
            last = self._last = (wanted, BitMap.deserialize(wanted))
        return int(BitMap.deserialize(carriers).intersect(last[1]))


class _SampleSet:
    """``carrier_set(sample)``: the bitmap of the sample indexes aggregated (NULL: none)."""

    def __init__(self) -> None:
        self._indexes = BitMap()

    def step(self, sample: int) -> None:
        self._indexes.add(sample)

    def finalize(self) -> bytes | None:
        return self._indexes.serialize() if self._indexes else None


class _Union:
    """``carrier_union(carriers)``: the sample indexes of the rows' bitmaps, as a JSON list."""

    def __init__(self) -> None:
        self._indexes = BitMap()

    def step(self, carriers: bytes | None) -> None:
        if carriers is not None:
            self._indexes |= BitMap.deserialize(carriers)

    def finalize(self) -> str:
        return json.dumps(list(self._indexes))


def register_carrier_functions(connection: sqlite3.Connection) -> None:
    connection.create_function("carried", 2, _Wanted(), deterministic=True)
    connection.create_aggregate("carrier_set", 1, _SampleSet)
    connection.create_aggregate("carrier_union", 1, _Union)

"""Variant records on disk: zstandard frames with a dictionary trained on their part's rows.

A sites-only record is about 600 bytes of JSON whose keys and framing repeat from row to row;
compressed alone it keeps most of them, with a dictionary learnt from the first rows of its part
it takes about 70 (``docs/storage.md``). A part too small to learn from keeps its records as JSON
text. So a ``variant.record`` that is TEXT is JSON, and a BLOB is a zstandard frame naming its
dictionary, which the ``record_dictionary`` table holds. Every read goes through the SQL function
``record_json`` (:func:`register_record_functions`), on Beacon paths and in Data Connect's views
alike.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Sequence

import zstandard

DICTIONARY_BYTES = 16_384
LEARNT_FROM = 1_000  # rows of a part a dictionary is trained on
FEWEST_TO_LEARN = 64  # below this many rows in a part's first write, records stay text
LEVEL = 3
# zstandard reserves dictionary ids below 32768 and from 2**31 on
_FIRST_ID, _LAST_ID = 32_768, 2**31 - 1


class RecordPacker:
    """Compresses the records of one part, with the dictionary it learns from the first ones."""

    def __init__(self, connection: sqlite3.Connection, part: int) -> None:
        self._connection = connection
        self._part = part
        self._compressor: zstandard.ZstdCompressor | None = None
        self._learnt = False

    def packed(self, texts: Sequence[bytes]) -> list[str | bytes]:
        """The stored form of each record's JSON text (UTF-8), in order: a frame, or the text
        itself (the first call trains the dictionary, from these texts, when there are enough
        of them)."""
        if not self._learnt:
            self._learnt = True
            self._compressor = self._learn(list(texts[:LEARNT_FROM]))
        compressor = self._compressor
        if compressor is None:
            return [text.decode() for text in texts]
        return list(map(compressor.compress, texts))

    def _learn(self, samples: list[bytes]) -> zstandard.ZstdCompressor | None:
        if len(samples) < FEWEST_TO_LEARN:
            return None
        while True:  # an id another dictionary of this file holds is drawn again
            dictionary_id = _FIRST_ID + secrets.randbelow(_LAST_ID - _FIRST_ID)
            taken = self._connection.execute(
                "SELECT 1 FROM record_dictionary WHERE dictionary_id = ?", (dictionary_id,)
            ).fetchone()
            if not taken:
                break
        try:
            dictionary = zstandard.train_dictionary(
                DICTIONARY_BYTES, samples, dict_id=dictionary_id, level=LEVEL
            )
        except zstandard.ZstdError:  # samples too alike or too short to learn from
            return None
        self._connection.execute(
            "INSERT INTO record_dictionary (dictionary_id, dictionary) VALUES (?, ?)",
            (dictionary_id, dictionary.as_bytes()),
        )
        self._connection.execute(
            "UPDATE stored_part SET record_dictionary = ? WHERE part = ?",
            (dictionary_id, self._part),
        )
        return zstandard.ZstdCompressor(
            level=LEVEL,
            dict_data=dictionary,
            write_checksum=False,
            write_content_size=True,  # the exact buffer on reading
            write_dict_id=True,
        )


def register_record_functions(connection: sqlite3.Connection) -> None:
    """Add ``record_json(record)``: the stored record as JSON text, whichever form it has.

    Its dictionaries are read on first use through the same connection (so in the reading
    transaction, where the part that needs one is visible with it) and kept: a dictionary's id
    is never given to another while a part uses it.
    """
    decompressors: dict[int, zstandard.ZstdDecompressor] = {}

    def record_json(record: str | bytes | None) -> str | None:
        if not isinstance(record, bytes):
            return record
        dictionary_id = zstandard.get_frame_parameters(record).dict_id
        decompressor = decompressors.get(dictionary_id)
        if decompressor is None:
            found = connection.execute(
                "SELECT dictionary FROM record_dictionary WHERE dictionary_id = ?",
                (dictionary_id,),
            ).fetchone()
            if found is None:
                raise sqlite3.DataError(f"a record names dictionary {dictionary_id}, not stored")
            decompressor = zstandard.ZstdDecompressor(
                dict_data=zstandard.ZstdCompressionDict(found[0])
            )
            decompressors[dictionary_id] = decompressor
        return decompressor.decompress(record).decode()

    connection.create_function("record_json", 1, record_json, deterministic=True)

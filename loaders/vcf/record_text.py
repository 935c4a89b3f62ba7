"""A variant document's Beacon ``record`` that renders its own JSON text.

A store that keeps the record as JSON would encode each one with ``json.dumps``: 10 us for a
sites-only record and 100 us for one with 86 carriers (measured on the 2-core machine), as much
as or more than it takes to read the line and build the whole document. The record knows its
own shape, so :meth:`BeaconRecord.json_text` renders it from templates and from the text of
each carrier entry, rendered once per sample and zygosity: the same text as
``json.dumps(record, allow_nan=False, separators=(",", ":"), ensure_ascii=False)``, faster
(7.7 us for that sites-only record, 15 us for that one with 86 carriers). Both classes are plain
dicts to everything else (equal to them, encoded to BSON like them). The templates take a
part's fields in the order the builder writes them, so a record changed after it was built
should only gain or lose whole fields (those of other shapes are written by json).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

_DUMPS = json.JSONEncoder(allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode


class CaseLevelEntry(dict):
    """One carrier entry (``biosampleId`` and ``zygosity``), shared by every record that lists
    it, with its JSON text."""

    __slots__ = ("json",)

    def __init__(self, biosample_id: str, zygosity: dict[str, str]) -> None:
        super().__init__(biosampleId=biosample_id, zygosity=zygosity)
        self.json = _DUMPS(self)


class BeaconRecord(dict):
    """The Beacon ``genomicVariation`` of a document (see the module's doc)."""

    __slots__ = ()

    def json_text(self) -> str:
        """The record as ``json.dumps(record, allow_nan=False, separators=(",", ":"),
        ensure_ascii=False)`` would write it."""
        return _object_text(self.items())

    def json_text_apart(self, key: str, value_too: bool = True) -> tuple[str, str | None]:
        """The record's text without ``key``, and the text of ``key``'s value (None where the
        record has none, or not ``value_too``): for a store that keeps a field of it apart
        (the carriers), or holds it in another form."""
        rest = _object_text((name, value) for name, value in self.items() if name != key)
        if not value_too or key not in self:
            return rest, None
        return rest, _ENCODERS.get(key, _DUMPS)(self[key])


def _object_text(items: Any) -> str:
    return (
        "{"
        + ",".join(
            f"{encode_basestring(key)}:{_ENCODERS.get(key, _DUMPS)(value)}" for key, value in items
        )
        + "}"
    )


def _number(value: Any) -> str:
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is float and math.isfinite(value):
        return float.__repr__(value)
    return _DUMPS(value)  # what json.dumps makes of it, or its error


def _variation(variation: dict[str, Any]) -> str:
    """The LegacyVariation the builder writes, from a template; any other shape by json."""
    try:
        location = variation["location"]
        interval = location["interval"]
        start, end = interval["start"], interval["end"]
        if len(variation) == 4 and len(location) == 3 and len(interval) == 3 == len(start) + 1:
            return (
                (
                    f'{{"variantType":{encode_basestring(variation["variantType"])},'
                    f'"referenceBases":{encode_basestring(variation["referenceBases"])},'
                    f'"alternateBases":{encode_basestring(variation["alternateBases"])},'
                    f'"location":{{"type":{encode_basestring(location["type"])},'
                    f'"sequence_id":{encode_basestring(location["sequence_id"])},'
                    f'"interval":{{"type":{encode_basestring(interval["type"])},'
                    f'"start":{{"type":{encode_basestring(start["type"])},'
                    f'"value":{_number(start["value"])}}},'
                    f'"end":{{"type":{encode_basestring(end["type"])},'
                    f'"value":{_number(end["value"])}}}}}}}}}'
                )
                if len(end) == 2
                else _DUMPS(variation)
            )
    except (KeyError, TypeError):
        pass
    return _DUMPS(variation)


def _texts(values: dict[str, Any]) -> str:
    """An object of lists of text (``molecularAttributes``) or of text (``identifiers`` with
    only a genomic HGVS id); any other values by json."""
    fields = []
    for key, value in values.items():
        if type(value) is str:
            fields.append(f"{encode_basestring(key)}:{encode_basestring(value)}")
        elif type(value) is list and all(type(item) is str for item in value):
            fields.append(f"{encode_basestring(key)}:[{','.join(map(encode_basestring, value))}]")
        else:
            fields.append(f"{encode_basestring(key)}:{_DUMPS(value)}")
    return "{" + ",".join(fields) + "}"


def _cases(cases: list[Any]) -> str:
    return (
        "["
        + ",".join(case.json if type(case) is CaseLevelEntry else _DUMPS(case) for case in cases)
        + "]"
    )


def _frequencies(entries: list[dict[str, Any]]) -> str:
    """``frequencyInPopulations``: its sources and their PopulationFrequency entries."""
    rendered = []
    for entry in entries:
        try:
            if len(entry) != 3:
                raise KeyError
            items = [_frequency(item) for item in entry["frequencies"]]
            rendered.append(
                f'{{"source":{encode_basestring(entry["source"])},'
                f'"sourceReference":{encode_basestring(entry["sourceReference"])},'
                f'"frequencies":[{",".join(items)}]}}'
            )
        except (KeyError, TypeError):
            rendered.append(_DUMPS(entry))
    return "[" + ",".join(rendered) + "]"


def _frequency(item: dict[str, Any]) -> str:
    if len(item) != 4:
        return _DUMPS(item)
    return (
        f'{{"population":{encode_basestring(item["population"])},'
        f'"alleleFrequency":{_number(item["alleleFrequency"])},'
        f'"alleleCount":{_number(item["alleleCount"])},'
        f'"alleleNumber":{_number(item["alleleNumber"])}}}'
    )


_ENCODERS: dict[str, Callable[[Any], str]] = {
    "variantInternalId": lambda value: (
        encode_basestring(value) if type(value) is str else _DUMPS(value)
    ),
    "variation": _variation,
    "identifiers": _texts,
    "molecularAttributes": _texts,
    "caseLevelData": _cases,
    "frequencyInPopulations": _frequencies,
}

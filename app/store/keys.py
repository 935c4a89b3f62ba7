"""Index keys of the embedded store: one float per indexed value, stable across processes.

A key only narrows the documents a query must look at; every candidate is checked against the
full filter afterwards, so keys may collide (they then only cost a check) but must never miss.
Numbers keep their value, so ranges on ``start`` or ``days`` are slices of a sorted column;
every other value is hashed, so equality and ``$in`` are point lookups.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import bson

# An array with no elements: MongoDB indexes it, so the document still has an entry.
_EMPTY_ARRAY = object()
_HASH_CACHE_LIMIT = 200_000
_hash_cache: dict[Any, float] = {}
_string_keys: dict[str, float] = {}  # the same cache, by the string alone (the common case)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def key_of(value: Any) -> float:
    """The index key of one (non-array) value; equal values (``1`` and ``1.0``) share a key."""
    if is_number(value):
        return float(value)
    if value is _EMPTY_ARRAY:
        return _EMPTY_ARRAY_KEY
    cacheable = isinstance(value, str | bool) or value is None
    if cacheable:
        cached = _hash_cache.get((type(value), value))
        if cached is not None:
            return cached
    key = _hashed(value)
    if cacheable:
        if len(_hash_cache) >= _HASH_CACHE_LIMIT:
            _hash_cache.clear()
        _hash_cache[(type(value), value)] = key
    return key


def _hashed(value: Any) -> float:
    if value is _EMPTY_ARRAY:
        payload = b"\x00empty-array"
    elif isinstance(value, str):
        payload = b"s" + value.encode("utf-8", "surrogatepass")
    elif isinstance(value, bool):
        payload = b"b1" if value else b"b0"
    elif value is None:
        payload = b"\x00null"
    elif isinstance(value, bson.ObjectId):
        payload = b"i" + value.binary
    else:  # documents, ids, dates: their BSON bytes
        payload = b"o" + bson.encode({"v": value})
    digest = hashlib.blake2b(payload, digest_size=8).digest()
    # a large magnitude keeps hashed keys away from the numbers positions and days take
    return float(int.from_bytes(digest, "little", signed=True)) or 1.0


def keys_of(document: dict[str, Any], path: str) -> list[float]:
    """The index keys of every value at ``path`` (fast for the usual top-level fields)."""
    if "." not in path:
        value = document.get(path)
        if value is None:
            return [_NULL_KEY]
        if isinstance(value, str):
            return [_string_key(value)]
        if isinstance(value, int | float) and not isinstance(value, bool):
            return [float(value)]
        if isinstance(value, list):
            if not value:
                return [_EMPTY_ARRAY_KEY]
            if all(isinstance(v, str) for v in value):
                return [_string_key(v) for v in value]
    return [key_of(value) for value in values_at(document, path)]


def _string_key(value: str) -> float:
    key = _string_keys.get(value)
    if key is None:
        key = key_of(value)
        if len(_string_keys) >= _HASH_CACHE_LIMIT:
            _string_keys.clear()
        _string_keys[value] = key
    return key


def values_at(document: Any, path: str) -> list[Any]:
    """Every value a dotted path reaches, arrays expanded as MongoDB's multikey indexes do.

    A missing field gives ``[None]`` (MongoDB indexes it as null) and an empty array a marker
    of its own, so every document has at least one entry in every index.
    """
    found = list(_walk(document, path.split(".")))
    return found or [None]


def _walk(value: Any, parts: list[str]) -> Iterator[Any]:
    if not parts:
        if isinstance(value, list):
            if not value:
                yield _EMPTY_ARRAY
            for element in value:
                yield element
                if isinstance(element, list):  # an array inside an array is also a value
                    yield from element
        else:
            yield value
        return
    if isinstance(value, dict):
        if parts[0] in value:
            yield from _walk(value[parts[0]], parts[1:])
        else:
            yield None
    elif isinstance(value, list):
        for element in value:
            if isinstance(element, dict | list):
                yield from _walk(element, parts)
        if parts[0].isdigit() and int(parts[0]) < len(value):
            yield from _walk(value[int(parts[0])], parts[1:])
    else:
        yield None


_NULL_KEY = _hashed(None)
_EMPTY_ARRAY_KEY = _hashed(_EMPTY_ARRAY)

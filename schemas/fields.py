"""Field types shared by several schemas."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields, validate

BASE_CODES = "ACGTUNRYSWKMBDHV"  # IUPAC nucleotide codes
BASES_PATTERN = rf"^[{BASE_CODES}\-\.]*$"
_DECIMAL_INTEGER = re.compile(r"\s*-?[0-9]+\s*")
INT64_MAX = 2**63 - 1  # the specification's int64, and the largest integer MongoDB stores


def whole_number(value: Any, minimum: int) -> int:
    """An integer given as a number or as decimal digits, within [minimum, int64]."""
    if isinstance(value, bool):
        raise ValidationError(f"{value!r} is not an integer")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _DECIMAL_INTEGER.fullmatch(value):
        value = int(value)
    if not isinstance(value, int):
        raise ValidationError(f"{value!r} is not an integer")
    if not minimum <= value <= INT64_MAX:
        shown = str(value) if len(str(value)) <= 24 else f"{str(value)[:20]}..."
        raise ValidationError(f"{shown} is out of range [{minimum}, {INT64_MAX}]")
    return value


class WholeNumber(fields.Field):
    """A non-negative integer that refuses fractions, booleans and out-of-range values."""

    def __init__(self, minimum: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.minimum = minimum

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        return whole_number(value, self.minimum)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class Coordinates(fields.Field):
    """One or two integer coordinates: ``5``, ``[5]``, ``[5, 9]``, or GET's ``"5,9"``."""

    def __init__(self, minimum: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.minimum = minimum

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[int]:
        if isinstance(value, str):
            items: list[Any] = [part.strip() for part in value.split(",")]
        elif isinstance(value, list | tuple):
            items = list(value)
        else:
            items = [value]
        if not 1 <= len(items) <= 2:
            raise ValidationError("must hold one or two coordinates")
        return [whole_number(item, self.minimum) for item in items]

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class UpperCaseBases(fields.String):
    """Nucleotide bases in any case, kept upper-case as the specification spells them."""

    # What a client may send (any case, spaces around), checked against BASES_PATTERN once
    # stripped and upper-cased; the API documentation shows this one.
    SENT_PATTERN = rf"^\s*[{BASE_CODES}{BASE_CODES.lower()}\-\.]*\s*$"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip().upper()


class BoundedList(fields.List):
    """A list of at most ``maximum`` items, refused before any item is read, so that a request
    of many thousands of items costs no more than counting them. The API documentation shows
    the bounds (``minItems``, ``maxItems``)."""

    def __init__(
        self, inner: fields.Field, maximum: int, minimum: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(inner, validate=validate.Length(min=minimum, max=maximum), **kwargs)
        self.maximum = maximum

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, list | tuple) and len(value) > self.maximum:
            raise ValidationError(f"at most {self.maximum} items, not {len(value)}")
        return super()._deserialize(value, attr, data, **kwargs)

"""Field types shared by several schemas."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields

BASES_PATTERN = r"^[ACGTUNRYSWKMBDHV\-\.]*$"
CURIE_PATTERN = r"^\w[^:]+:.+$"


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
        coordinates = []
        for item in items:
            if isinstance(item, bool) or not _is_integer(item):
                raise ValidationError(f"{item!r} is not an integer coordinate")
            number = int(item)
            if number < self.minimum:
                raise ValidationError(f"coordinates must be >= {self.minimum}, got {number}")
            coordinates.append(number)
        return coordinates

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


def _is_integer(item: Any) -> bool:
    if isinstance(item, int):
        return True
    if isinstance(item, float):
        return item.is_integer()
    return isinstance(item, str) and item.lstrip("-").isdigit()


class UpperCaseBases(fields.String):
    """Nucleotide bases in any case, kept upper-case as the specification spells them."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip().upper()


class CommaSeparatedList(fields.List):
    """A list that GET requests spell as ``a,b,c``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return super()._deserialize(value, attr, data, **kwargs)

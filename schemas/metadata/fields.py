"""Field types of the metadata model: what a leaf value may be, and the two structural fields
(an ontology term with its id rule, and a choice between object shapes).

Each leaf field class has a ``kind`` (string, number, integer, boolean, date, datetime, duration,
ontology-id): the name the query side, the template side files and the JSON Schema use for it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from marshmallow import Schema, ValidationError, fields

from app.durations import duration_days
from schemas.fields import WholeNumber
from schemas.metadata.curies import TermRule, curie_problem

DURATION_EXAMPLE = "P45Y6M"
_WHOLE_DECIMAL = re.compile(r"\s*[0-9]+\.0*\s*")


class Text(fields.String):
    kind = "string"


class Curie(fields.String):
    """An ontology term id: a CURIE whose local part fits its prefix where the prefix is known."""

    kind = "ontology-id"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = curie_problem(text)
        if problem is not None:
            raise ValidationError(f"{text!r} {problem}")
        return text


class Duration(fields.String):
    """An ISO 8601 duration such as P45Y6M or P3W (the form ages and onsets take)."""

    kind = "duration"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if duration_days(text) is None:
            raise ValidationError(
                f"{text!r} is not an ISO 8601 duration (PnYnMnWnDTnHnMnS, e.g. {DURATION_EXAMPLE})"
            )
        return text


class Day(fields.Date):
    """A calendar date, ISO 8601 ``YYYY-MM-DD``."""

    kind = "date"
    default_error_messages = {"invalid": "Not a valid ISO 8601 date (YYYY-MM-DD)."}


class Timestamp(fields.AwareDateTime):
    """An ISO 8601 date-time with its time zone, e.g. 2021-04-23T10:20:30+07:00."""

    kind = "datetime"
    default_error_messages = {
        "invalid": "Not a valid ISO 8601 date-time (YYYY-MM-DDThh:mm:ss with a time zone).",
        "invalid_awareness": "Give the time zone, as in 2021-04-23T10:20:30+07:00 or ...Z.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)


class Number(fields.Float):
    kind = "number"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_nan=False, **kwargs)

    def _validated(self, value: Any) -> float:
        number = super()._validated(value)
        if math.isinf(number):
            raise self.make_error("invalid")
        return number


class Count(WholeNumber):
    """A whole number from 0, also given as text (``"12"``, or a spreadsheet's ``"12.0"``)."""

    kind = "integer"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str) and _WHOLE_DECIMAL.fullmatch(value):
            value = value.strip().split(".")[0]
        return super()._deserialize(value, attr, data, **kwargs)


class Flag(fields.Boolean):
    kind = "boolean"


class OntologyTermField(fields.Nested):
    """An ontology term object ``{id, label}`` whose id follows the field's ``TermRule``.

    The rule lives in the field's metadata (``term_rule``) beside its description, so the checks,
    the template side files and the JSON Schema read one declaration. A refused id is reported on
    ``<field>.id``.
    """

    def __init__(self, schema: type[Schema], **kwargs: Any) -> None:
        super().__init__(schema, **kwargs)

    @property
    def rule(self) -> TermRule:
        return self.metadata.get("term_rule") or TermRule()

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        loaded = super()._deserialize(value, attr, data, **kwargs)
        problem = self.rule.problem(loaded["id"])
        if problem is not None:
            raise ValidationError({"id": [f"{loaded['id']!r} {problem}"]})
        return loaded


class Variant(NamedTuple):
    """One shape a ``OneOf`` field accepts: named, with its schema; ``applies`` tells it apart
    from a variant with the same field names (e.g. an age range from a time interval)."""

    name: str
    schema: type[Schema]
    applies: Callable[[Mapping[str, Any]], bool] | None = None

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(field.data_key or name for name, field in self.schema().fields.items())


class OneOf(fields.Field):
    """An object of one of several shapes (JSON Schema ``oneOf``), chosen by the keys it has.

    The value is kept as the chosen variant's JSON form, so dumping returns it unchanged.
    """

    def __init__(self, variants: Sequence[Variant], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.variants = tuple(variants)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ValidationError(f"must be an object: {self.shapes()}")
        variant = self.variant_of(value)
        schema = variant.schema()
        return schema.dump(schema.load(value))

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value

    def variant_of(self, value: Mapping[str, Any]) -> Variant:
        keys = set(value)
        fitting = [
            variant
            for variant in self.variants
            if keys and keys <= variant.keys and (variant.applies is None or variant.applies(value))
        ]
        if len(fitting) == 1:
            return fitting[0]
        if not keys:
            raise ValidationError(f"is empty; give the fields of one shape: {self.shapes()}")
        known = set().union(*(variant.keys for variant in self.variants))
        unknown = sorted(keys - known)
        if unknown:
            raise ValidationError({key: ["Unknown field."] for key in unknown})
        raise ValidationError(f"mixes fields ({', '.join(sorted(keys))}) of {self.shapes()}")

    def shapes(self) -> str:
        return "; ".join(
            f"{variant.name} ({', '.join(sorted(variant.keys))})" for variant in self.variants
        )

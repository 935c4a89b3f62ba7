"""A compiled dump writes exactly what marshmallow's ``Schema.dump`` writes, for every shape in
``schemas/`` and any data those shapes may be given: keys absent, None, values of each field's
type, nested shapes and lists of them, dicts and objects alike."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields, post_dump
from schema_shapes import project_shapes

from schemas.dumping import compiled_dump

SHAPES = project_shapes()
TEXT = st.text(max_size=4)
LEAVES = st.none() | st.booleans() | st.integers(-5, 5) | TEXT


def _value(field: fields.Field, depth: int) -> st.SearchStrategy[Any]:
    if isinstance(field, fields.Pluck):
        return st.none() | TEXT
    if isinstance(field, fields.Nested):
        one = _data(type(field.schema), depth + 1) if depth < 3 else st.none()
        return st.lists(one, max_size=2) if field.many else one
    if isinstance(field, fields.List):
        return st.lists(_value(field.inner, depth), max_size=2)
    if isinstance(field, fields.Dict):
        return st.dictionaries(TEXT, LEAVES, max_size=2)
    if isinstance(field, fields.Boolean):
        return st.booleans() | st.sampled_from([0, 1, "true", "no"])
    if isinstance(field, fields.Integer):
        return st.integers(-(2**40), 2**40)
    if isinstance(field, fields.Float):
        return st.floats(allow_nan=False) | st.integers(-5, 5)
    if isinstance(field, fields.DateTime):
        return st.datetimes(timezones=st.just(datetime.UTC))
    if isinstance(field, fields.String):
        return TEXT | st.integers(0, 9)
    return LEAVES | st.lists(LEAVES, max_size=2) | st.dictionaries(TEXT, LEAVES, max_size=2)


def _data(shape: type[Schema], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    optional = {
        field.attribute or name: st.none() | _value(field, depth)
        for name, field in shape().dump_fields.items()
    }
    return st.fixed_dictionaries({}, optional=optional)


def _outcome(dump, data: Any) -> Any:
    try:
        return ("written", dump(data))
    except Exception as error:  # both ways must fail alike on what they cannot write
        return ("refused", type(error))


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.__qualname__)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_compiled_dump_writes_what_marshmallow_writes(shape, data):
    schema = shape()
    given_data = data.draw(_data(shape))
    compiled = compiled_dump(schema)
    assert _outcome(compiled, given_data) == _outcome(schema.dump, given_data)
    as_object = SimpleNamespace(**given_data)  # read by attribute, not by key
    assert _outcome(compiled, as_object) == _outcome(schema.dump, as_object)


def test_the_response_shapes_are_compiled_not_handed_back():
    """The shapes of the hot path are compiled (a fallback would pass the test above too)."""
    from schemas import requests, responses

    for schema in (responses.ResultsetsResponseSchema(), requests.VariantParametersSchema()):
        assert compiled_dump(schema) != schema.dump


class _Hooked(Schema):
    name = fields.String()

    @post_dump
    def _shout(self, data: dict, **kwargs: Any) -> dict:
        return {key: value.upper() for key, value in data.items()}


class _Looped(Schema):
    name = fields.String()
    parent = fields.Nested(lambda: _Looped())


class _Shadowing(Schema):
    items = fields.String()  # a dict's own attribute: marshmallow reads dict.items when absent


@pytest.mark.parametrize("shape", [_Hooked, _Looped, _Shadowing])
def test_what_is_not_reproduced_keeps_marshmallow_dump(shape):
    schema = shape()
    data = {"name": "a"}
    assert compiled_dump(schema) == schema.dump
    assert compiled_dump(schema)(data) == schema.dump(data)


def test_a_default_and_a_many_schema_are_written_as_marshmallow_writes_them():
    class Defaults(Schema):
        kind = fields.String(dump_default="dataset")
        made = fields.List(fields.Integer(), dump_default=list)
        renamed = fields.Integer(attribute="other", data_key="shown")

    many = Defaults(many=True)
    rows = [{}, {"kind": None, "other": 3}, SimpleNamespace(made=[1, 2])]
    assert compiled_dump(many)(rows) == many.dump(rows)
    assert compiled_dump(many)(rows)[0] == {"kind": "dataset", "made": []}
    assert compiled_dump(many)(None) == many.dump(None) == {"kind": "dataset", "made": []}

"""A compiled load gives exactly what marshmallow's ``Schema.load`` gives, for every shape in
``schemas/`` and any data a client may send it: the same object for what it accepts, the same
refusal (its messages) for what it does not."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields, validate, validates
from schema_shapes import project_shapes

from schemas.loading import compiled_load
from schemas.requests import BeaconRequestBodySchema, VariantRequestParametersSchema

SHAPES = project_shapes()
TEXT = st.text(max_size=4)
JUNK = st.none() | st.booleans() | st.integers(-3, 3) | TEXT | st.lists(TEXT, max_size=2)


def _choices(field: fields.Field) -> list[Any]:
    checks = field.validators
    return [
        choice for check in checks if isinstance(check, validate.OneOf) for choice in check.choices
    ]


def _sent(field: fields.Field, depth: int) -> st.SearchStrategy[Any]:
    """Values a client might send for the field: mostly of its kind, sometimes not."""
    choices = _choices(field)
    if choices:
        return st.sampled_from(choices) | JUNK
    if isinstance(field, fields.Nested):
        one = _body(type(field.schema), depth + 1) if depth < 3 else st.just({})
        return (st.lists(one, max_size=2) if field.many else one) | JUNK
    if isinstance(field, fields.List):
        return st.lists(_sent(field.inner, depth), max_size=3) | JUNK
    if isinstance(field, fields.Dict | fields.Raw):
        return st.dictionaries(TEXT, JUNK, max_size=2) | JUNK
    if isinstance(field, fields.Boolean):
        return st.booleans() | st.sampled_from(["true", "0", "maybe"])
    if isinstance(field, fields.Integer | fields.Float):
        return st.integers(-5, 2**40) | st.sampled_from(["7", "x"])
    bases = st.text("ACGTacgtN", max_size=3)
    digits = st.integers(0, 2**31).map(str)
    pairs = st.lists(st.integers(0, 10**9), min_size=1, max_size=3)
    return bases | digits | pairs | st.sampled_from(["GRCh38", "HP:0001250", " 5 , 9"]) | JUNK


def _body(shape: type[Schema], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    optional = {
        field.data_key or name: _sent(field, depth) for name, field in shape().load_fields.items()
    }
    optional["x-extra"] = JUNK  # a key no shape declares
    return st.fixed_dictionaries({}, optional=optional)


def _outcome(load, data: Any) -> Any:
    try:
        return ("loaded", load(data))
    except ValidationError as error:
        return ("refused", error.messages)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.__qualname__)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_compiled_load_gives_what_marshmallow_gives(shape, data):
    schema = shape()
    sent = data.draw(_body(shape) | JUNK)
    assert _outcome(compiled_load(schema), sent) == _outcome(schema.load, sent)


def _refusing_marshmallow(schema: Schema, monkeypatch) -> None:
    def refused(*args, **kwargs):
        raise AssertionError("marshmallow's own load was asked")

    monkeypatch.setattr(schema, "load", refused)


def test_a_plain_request_is_read_without_marshmallow_load(monkeypatch):
    """The hot path is compiled: a valid body and valid parameters never reach
    ``Schema.load`` (the comparison above would also pass if every load fell back)."""
    body_schema, parameters_schema = BeaconRequestBodySchema(), VariantRequestParametersSchema()
    body, parameters = compiled_load(body_schema), compiled_load(parameters_schema)
    sent = {
        "meta": {"apiVersion": "v2.0.1"},
        "query": {"requestParameters": {"start": [5]}, "pagination": {"skip": 1, "limit": 5}},
    }
    wanted = (body_schema.load(sent), parameters_schema.load({"start": "5", "assemblyId": "x"}))
    _refusing_marshmallow(body_schema, monkeypatch)
    _refusing_marshmallow(parameters_schema, monkeypatch)
    assert (body(sent), parameters({"start": "5", "assemblyId": "x"})) == wanted


def test_a_refusal_is_marshmallows_own():
    schema = VariantRequestParametersSchema()
    with pytest.raises(ValidationError) as error:
        compiled_load(schema)({"start": "five", "color": "red"})
    assert error.value.messages == {
        "start": ["'five' is not an integer"],
        "color": ["Unknown field."],
    }


class _Validated(Schema):
    name = fields.String()

    @validates("name")
    def _not_empty(self, value: str, **kwargs: Any) -> None:
        if not value:
            raise ValidationError("empty")


def test_a_shape_with_validators_of_its_own_keeps_marshmallow_load():
    schema = _Validated()
    assert compiled_load(schema) == schema.load


class _Inner(Schema):
    count = fields.Integer()


class _Outer(Schema):
    inner = fields.Nested(_Inner, validate=validate.Length(min=1))
    many = fields.Nested(_Inner, many=True, allow_none=True)


@pytest.mark.parametrize(
    "sent",
    [
        {"inner": {"count": 2}},
        {"inner": {}},
        {"many": None},
        {"many": [{"count": "3"}]},
        {"many": 5},
    ],
)
def test_a_nested_field_is_validated_and_read_as_marshmallow_reads_it(sent):
    schema = _Outer()
    assert _outcome(compiled_load(schema), sent) == _outcome(schema.load, sent)

"""JSON Schema (draft 2020-12) of an entry type, generated from the marshmallow model.

The JSON Schema says what ``load_entry`` accepts: the same fields, required fields, enumerations,
id rules (as patterns or enums), ISO 8601 shapes, descriptions and examples. Each nested schema
used is one ``$defs`` entry, named after its class; ontology-term fields with a rule refine the
shared ``OntologyTerm`` definition with ``allOf``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from schemas.metadata import ENTRY_SCHEMAS, entry_schema
from schemas.metadata.curies import strict_curie_pattern
from schemas.metadata.fields import OneOf, OntologyTermField

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# ISO 8601 duration, as app.durations reads it, in syntax that ECMA-262 and Python share
DURATION_PATTERN = (
    r"^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
    r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$"
)
TITLES = {
    "individuals": "Individual",
    "biosamples": "Biosample",
    "runs": "Run",
    "analyses": "Analysis",
    "cohorts": "Cohort",
}


def entry_json_schema(entry: str) -> dict[str, Any]:
    """The JSON Schema of one record of ``entry`` (a key of ``ENTRY_SCHEMAS``)."""
    schema = entry_schema(entry)
    defs: dict[str, Any] = {}
    body = _object(schema, defs)
    return {
        "$schema": DRAFT,
        "title": TITLES[entry],
        "description": (
            f"One {TITLES[entry].lower()} record of the Beacon v2 default model as asia-beacon "
            "accepts it: unknown fields are refused and ontology ids follow the stated rules."
        ),
        **body,
        "$defs": dict(sorted(defs.items())),
    }


def _object(schema: Schema, defs: dict[str, Any]) -> dict[str, Any]:
    properties = {
        field.data_key or name: _field(field, defs) for name, field in schema.fields.items()
    }
    required = [field.data_key or name for name, field in schema.fields.items() if field.required]
    body: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        body["required"] = required
    body["additionalProperties"] = False
    return body


def _ref(schema: Schema | type[Schema], defs: dict[str, Any]) -> dict[str, str]:
    schema_class = schema if isinstance(schema, type) else type(schema)
    name = schema_class.__name__.removesuffix("Schema")
    if name not in defs:
        defs[name] = {}  # reserved first: a schema may refer to itself
        instance = schema_class() if isinstance(schema, type) else schema
        defs[name] = {"title": name, **_object(instance, defs)}
    return {"$ref": f"#/$defs/{name}"}


def _field(field: fields.Field, defs: dict[str, Any]) -> dict[str, Any]:
    found = _shape(field, defs)
    description = field.metadata.get("description")
    if isinstance(field, OntologyTermField) and field.rule.describe() != "any CURIE":
        description = f"{description} Expected: {field.rule.describe()}."
    if description:
        found["description"] = description
    if "example" in field.metadata:
        found["examples"] = [field.metadata["example"]]
    return found


def _shape(field: fields.Field, defs: dict[str, Any]) -> dict[str, Any]:
    if isinstance(field, fields.List):
        shape: dict[str, Any] = {"type": "array", "items": _field(field.inner, defs)}
        for validator in _validators(field):
            if isinstance(validator, validate.Length) and validator.min:
                shape["minItems"] = validator.min
        return shape
    if isinstance(field, OntologyTermField):
        reference = _ref(field.schema, defs)
        rule = field.rule
        if rule.ids:
            refined = {"enum": list(rule.ids)}
        elif rule.prefixes:
            refined = {"pattern": rule.id_pattern()}
        else:
            return reference
        return {"allOf": [reference, {"properties": {"id": refined}}]}
    if isinstance(field, fields.Nested):
        return _ref(field.schema, defs)
    if isinstance(field, OneOf):
        return {"oneOf": [_ref(variant.schema, defs) for variant in field.variants]}
    if isinstance(field, fields.Dict):
        shape = {"type": "object"}
        if field.value_field is not None:
            shape["additionalProperties"] = _shape(field.value_field, defs)
        return shape
    return _leaf(field)


def _leaf(field: fields.Field) -> dict[str, Any]:
    kind = getattr(field, "kind", "string")
    shape: dict[str, Any] = {
        "string": {"type": "string"},
        "number": {"type": "number"},
        "integer": {"type": "integer", "minimum": 0},
        "boolean": {"type": "boolean"},
        "date": {"type": "string", "format": "date"},
        "datetime": {"type": "string", "format": "date-time"},
        "duration": {"type": "string", "pattern": DURATION_PATTERN},
        "ontology-id": {"type": "string", "pattern": strict_curie_pattern()},
    }[kind]
    for validator in _validators(field):
        if isinstance(validator, validate.OneOf):
            shape["enum"] = list(validator.choices)
    return shape


def _validators(field: fields.Field) -> list[Any]:
    return list(getattr(field, "validators", []) or [])


__all__ = ["ENTRY_SCHEMAS", "entry_json_schema"]

"""A response shape's dump without marshmallow's per-call machinery.

Marshmallow walks a schema's fields anew on every ``dump`` (accessors, defaults, hooks, nested
schema look-ups); for a count answer that walk was a tenth of the request's CPU. A compiled dump
reads the same fields once, at start, and calls each leaf field's own conversion
(``Field._serialize``), so what it writes is what ``Schema.dump`` writes: the tests compare the
two. A shape using what it does not reproduce (dump hooks, dotted attributes, a custom accessor,
``Pluck``) keeps marshmallow's own ``dump``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields, missing
from marshmallow.utils import get_value

Dump = Callable[[Any], Any]


def compiled_dump(schema: Schema) -> Dump:
    """``schema.dump`` as one function built once (marshmallow's own where it cannot be)."""
    one = _compiled(schema, frozenset())
    if one is None:
        return schema.dump
    if schema.many:
        # marshmallow dumps None of a many schema as one object with no fields
        return lambda obj: one(obj) if obj is None else [one(each) for each in obj]
    return one


def _compiled(schema: Schema, within: frozenset[type]) -> Dump | None:
    """None where the shape holds what is not reproduced, or holds itself (``"self"``)."""
    if not _plain(schema) or type(schema) in within:
        return None
    within = within | {type(schema)}
    steps = []
    for name, field in schema.dump_fields.items():
        step = _step(field, within)
        attribute = field.attribute or name
        if step is None or "." in attribute or hasattr({}, attribute):
            return None
        steps.append((field.data_key or name, attribute, step, field))
    make = schema.dict_class

    def dump(obj: Any) -> Any:
        written = make()
        for key, attribute, step, field in steps:
            if not field._CHECK_ATTRIBUTE:
                value = step(None, attribute, obj)
            else:
                value = _value(obj, attribute)
                if value is missing:
                    default = field.dump_default
                    value = default() if callable(default) else default
                    if value is missing:
                        continue
                value = step(value, attribute, obj)
            if value is not missing:
                written[key] = value
        return written

    return dump


def _plain(schema: Schema) -> bool:
    """No dump hooks and marshmallow's own accessor: nothing a compiled dump would skip."""
    return (
        not schema._hooks["pre_dump"]
        and not schema._hooks["post_dump"]
        and type(schema).get_attribute is Schema.get_attribute
    )


def _step(field: fields.Field, within: frozenset[type]) -> Callable[[Any, str, Any], Any] | None:
    """The conversion of one field's value (None: one this module does not reproduce)."""
    if isinstance(field, fields.Pluck):
        return None
    if isinstance(field, fields.Nested):
        return _nested(field, within)
    if type(field) is fields.List and isinstance(field.inner, fields.Nested):
        inner = _nested(field.inner, within)
        if inner is None:
            return None
        return lambda value, attribute, obj: (
            None if value is None else [inner(each, attribute, obj) for each in value]
        )
    return field._serialize


def _nested(field: fields.Nested, within: frozenset[type]) -> Callable[[Any, str, Any], Any] | None:
    if type(field) is not fields.Nested:
        return None
    schema = field.schema
    one = _compiled(schema, within)
    if one is None:
        return None
    if schema.many or field.many:
        return lambda value, attribute, obj: (
            None if value is None else [one(each) for each in value]
        )
    return lambda value, attribute, obj: None if value is None else one(value)


def _value(obj: Any, attribute: str) -> Any:
    """The attribute's value as marshmallow's accessor reads it (``missing`` when absent)."""
    if type(obj) is dict:
        value = obj.get(attribute, missing)
        return getattr(obj, attribute, missing) if value is missing else value
    return get_value(obj, attribute)

"""The leaves of an entry type's schema tree, read from the marshmallow schemas themselves.

A leaf is a field holding a value (text, number, date, term id...), reached through objects,
lists of objects and the shapes of a ``OneOf``. Queries use the leaves' dot paths (no indices) and
kinds; templates use them as columns (``[0]`` after each list of objects).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from marshmallow import Schema, fields

from schemas.metadata.curies import TermRule
from schemas.metadata.fields import OneOf, OntologyTermField

FREE_OBJECT = "object"  # the kind of a free-form object such as ``info``


@dataclass(frozen=True)
class Step:
    """One name on the way to a leaf: is it a list of objects, is it required in its object."""

    name: str
    is_list: bool
    required: bool


@dataclass(frozen=True)
class Leaf:
    steps: tuple[Step, ...]
    field: fields.Field
    kind: str
    scalar_list: bool = False
    term_rule: TermRule | None = None  # for the id of an ontology term: the field's rule
    owner: fields.Field | None = None  # the term or OneOf field whose object holds the leaf
    shape: str | None = None  # the OneOf variant the leaf belongs to, if any

    @property
    def path(self) -> str:
        """Dot path without indices: ``diseases.diseaseCode.id``."""
        return ".".join(step.name for step in self.steps)

    @property
    def column(self) -> str:
        """Template column, first item of every list: ``diseases[0].diseaseCode.id``."""
        return ".".join(f"{s.name}[0]" if s.is_list else s.name for s in self.steps)


def schema_leaves(schema: Schema) -> Iterator[Leaf]:
    """Every leaf of the schema, depth first in declaration order (a path may repeat across the
    shapes of a ``OneOf``)."""
    yield from _object_leaves(schema, (), None, None)


def _object_leaves(
    schema: Schema, steps: tuple[Step, ...], owner: fields.Field | None, shape: str | None
) -> Iterator[Leaf]:
    for name, field in schema.fields.items():
        step = Step(field.data_key or name, False, field.required)
        yield from _field_leaves(field, (*steps, step), owner, shape)


def _field_leaves(
    field: fields.Field,
    steps: tuple[Step, ...],
    owner: fields.Field | None,
    shape: str | None,
) -> Iterator[Leaf]:
    if isinstance(field, fields.List):
        inner = field.inner
        if isinstance(inner, fields.Nested | OneOf):
            last = steps[-1]
            listed = (*steps[:-1], Step(last.name, True, last.required))
            yield from _field_leaves(inner, listed, owner, shape)
        else:
            yield Leaf(steps, inner, _kind(inner), scalar_list=True, shape=shape)
    elif isinstance(field, OntologyTermField):
        for leaf in _object_leaves(field.schema, steps, field, shape):
            rule = field.rule if leaf.steps[-1].name == "id" else None
            yield Leaf(leaf.steps, leaf.field, leaf.kind, term_rule=rule, owner=field, shape=shape)
    elif isinstance(field, fields.Nested):
        yield from _object_leaves(field.schema, steps, None, shape)
    elif isinstance(field, OneOf):
        for variant in field.variants:
            yield from _object_leaves(variant.schema(), steps, field, variant.name)
    else:
        yield Leaf(steps, field, _kind(field), owner=owner, shape=shape)


def _kind(field: fields.Field) -> str:
    if isinstance(field, fields.Dict):
        return FREE_OBJECT
    kind = getattr(field, "kind", None)
    if kind is None:
        raise TypeError(f"{type(field).__name__} is not a metadata leaf field (no kind)")
    return kind


def leaf_kinds(schema: Schema) -> dict[str, str]:
    """Dot path (no indices) -> kind for every leaf holding a value (free objects left out)."""
    kinds: dict[str, str] = {}
    for leaf in schema_leaves(schema):
        if leaf.kind != FREE_OBJECT:
            kinds.setdefault(leaf.path, leaf.kind)
    return kinds


def scalar_lists(schema: Schema) -> frozenset[str]:
    """Dot paths (no indices) of the lists of scalars, whose items share one template cell."""
    return frozenset(leaf.path for leaf in schema_leaves(schema) if leaf.scalar_list)

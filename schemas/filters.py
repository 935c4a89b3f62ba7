"""Request filters: a bare term (GET ``filters=A,B`` or a string in POST ``query.filters``) or an
ontology, alphanumeric or custom filter object (framework ``filteringTerms.json``)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

from app.query.filters import ALPHANUMERIC_OPERATORS, SIMILARITIES, Filter


class FilterObjectSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Length(min=1))
    scope = fields.String(validate=validate.Length(min=1))
    operator = fields.String(validate=validate.OneOf(ALPHANUMERIC_OPERATORS))
    value = fields.String(validate=validate.Length(min=1))
    include_descendant_terms = fields.Boolean(data_key="includeDescendantTerms", load_default=True)
    similarity = fields.String(validate=validate.OneOf(SIMILARITIES), load_default="exact")

    @post_load
    def _to_filter(self, data: dict[str, Any], **kwargs: Any) -> Filter:
        alphanumeric = "operator" in data or "value" in data
        if alphanumeric and "value" not in data:
            raise ValidationError("an alphanumeric filter needs a value", "value")
        return Filter(
            id=data["id"],
            scope=data.get("scope"),
            operator=data.get("operator", "=") if alphanumeric else None,
            value=data.get("value"),
            include_descendant_terms=data["include_descendant_terms"],
            similarity=data["similarity"],
        )


class FilterField(fields.Field):
    """A term string or a filter object, loaded into a :class:`Filter`."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Filter:
        if isinstance(value, str):
            if not value.strip():
                raise ValidationError("a filter term cannot be empty")
            return Filter(id=value.strip())
        if isinstance(value, dict):
            return _FILTER_OBJECT.load(value)
        raise ValidationError("a filter is a term string or an object with an id")


_FILTER_OBJECT = FilterObjectSchema()

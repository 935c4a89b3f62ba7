"""A Beacon v2 dataset description as data stewards write it (datasets defaultSchema + ours)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

DUO_PATTERN = r"^DUO:\d{7}$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"


class OntologyTermSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Regexp(r"^\w[^:]+:.+$"))
    label = fields.String()


class DuoDataUseSchema(OntologyTermSchema):
    id = fields.String(
        required=True,
        validate=validate.Regexp(DUO_PATTERN, error="must be one DUO code like DUO:0000042"),
    )
    version = fields.String(required=True)
    modifiers = fields.List(fields.Nested(OntologyTermSchema))


class DataUseConditionsSchema(Schema):
    class Meta:
        unknown = RAISE

    duo_data_use = fields.List(
        fields.Nested(DuoDataUseSchema),
        data_key="duoDataUse",
        required=True,
        validate=validate.Length(min=1),
    )


class DatasetSchema(Schema):
    """Unknown keys are refused so that a misspelt field is reported, not silently dropped."""

    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$"))
    name = fields.String(required=True, validate=validate.Length(min=1))
    description = fields.String()
    version = fields.String()
    create_date_time = fields.DateTime(data_key="createDateTime", format="iso")
    update_date_time = fields.DateTime(data_key="updateDateTime", format="iso")
    external_url = fields.Url(data_key="externalUrl")
    data_use_conditions = fields.Nested(DataUseConditionsSchema, data_key="dataUseConditions")
    info = fields.Dict()
    country = fields.String(
        validate=validate.Regexp(COUNTRY_PATTERN, error="must be an ISO 3166-1 alpha-2 code")
    )
    populations = fields.List(fields.String(validate=validate.Length(min=1)))
    organization = fields.String(validate=validate.Length(min=1))
    # ids of the privacy-law registry's entries governing the dataset (default: its country's)
    privacy_laws = fields.List(
        fields.String(validate=validate.Length(min=1)), data_key="privacyLaws"
    )

    @validates_schema
    def _dates_in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        created, updated = data.get("create_date_time"), data.get("update_date_time")
        if not (created and updated):
            return
        if (created.tzinfo is None) != (updated.tzinfo is None):
            raise ValidationError(
                "give a time zone in both createDateTime and updateDateTime, or in neither",
                "updateDateTime",
            )
        if updated < created:
            raise ValidationError("must not be before createDateTime", "updateDateTime")

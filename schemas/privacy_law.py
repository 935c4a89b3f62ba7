"""One entry of the privacy-law registry (``app/catalog/data/privacy_laws.yaml``).

This schema is the single definition of an entry: it validates the registry file, and the Data
Connect table model and the JSON answer are derived from it, so every field carries a
``description`` and keeps to strings, integers, lists of strings and one nested object (a source).
Dates stay ISO strings so that a loaded entry is JSON-ready as it is.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from schemas.metadata.countries import COUNTRY_NAMES

SPECIAL_CATEGORY_ANSWERS = ("yes", "no", "partly", "uncertain")
"""Whether a law names a kind of data as a special (sensitive) category."""

REGION_CODES = ("EU",)
"""Codes accepted in ``country`` besides ISO 3166-1 alpha-2: laws of a union of countries."""

LAW_ID_PATTERN = r"^[a-z]{2}(-[a-z0-9]+)+$"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")


def iso_date(value: str) -> None:
    """Accept a calendar date written ``YYYY-MM-DD``."""
    if not _ISO_DATE.fullmatch(value):
        raise ValidationError("must be an ISO date (YYYY-MM-DD)")
    try:
        datetime.date.fromisoformat(value)
    except ValueError as error:
        raise ValidationError(f"is not a calendar date: {error}") from None


def iso_date_or_year(value: str) -> None:
    """Accept ``YYYY-MM-DD`` or a bare year ``YYYY``."""
    if not _YEAR.fullmatch(value):
        iso_date(value)


def country_code(value: str) -> None:
    if value not in COUNTRY_NAMES and value not in REGION_CODES:
        raise ValidationError(
            f"must be an ISO 3166-1 alpha-2 code or one of {', '.join(REGION_CODES)}"
        )


def _text(description: str, **kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Length(min=1), metadata={"description": description}, **kwargs
    )


def _texts(description: str, minimum: int = 0, **kwargs: Any) -> fields.List:
    return fields.List(
        fields.String(validate=validate.Length(min=1)),
        validate=validate.Length(min=minimum),
        metadata={"description": description},
        **kwargs,
    )


def _special_category(description: str) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.OneOf(SPECIAL_CATEGORY_ANSWERS),
        metadata={"description": description, "enum": list(SPECIAL_CATEGORY_ANSWERS)},
    )


class LawSourceSchema(Schema):
    """A public, authoritative text of or about the law."""

    class Meta:
        unknown = RAISE

    title = _text("What the source is, e.g. the official English translation.", required=True)
    url = fields.Url(
        required=True,
        schemes={"https"},
        error_messages={"invalid": "must be an https URL"},
        metadata={"description": "Where the source is published (https)."},
    )


class PrivacyLawSchema(Schema):
    """A jurisdiction's main personal-data law, summarised for genomic data sharing.

    Unknown fields are refused so that a misspelt field is reported, not silently dropped.
    """

    class Meta:
        unknown = RAISE

    id = fields.String(
        required=True,
        validate=validate.Regexp(LAW_ID_PATTERN, error="must look like 'th-pdpa' (lower case)"),
        metadata={"description": "Stable identifier: country code, then the law's short name."},
    )
    jurisdiction = _text("Name of the country or union the law applies in.", required=True)
    country = fields.String(
        required=True,
        validate=country_code,
        metadata={"description": "ISO 3166-1 alpha-2 code of the jurisdiction, or EU."},
    )
    official_name = _text("The law's official name, in English.", required=True)
    short_name = _text("The abbreviation the law is commonly known by.", required=True)
    year_enacted = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1900, max=2100),
        metadata={"description": "Year the law (in its current form) was enacted or issued."},
    )
    in_force = fields.String(
        required=True,
        validate=iso_date_or_year,
        metadata={
            "description": "When the law took (or takes) full effect: YYYY-MM-DD or YYYY; "
            "doubts are stated in uncertainties."
        },
    )
    status_note = _text(
        "Amendments, successor laws or phased commencement that affect this summary."
    )
    genetic_data_special_category = _special_category(
        "Whether genetic data is a special (sensitive) category: yes, no, partly or uncertain."
    )
    genetic_data_note = _text("How the law treats genetic data.", required=True)
    health_data_special_category = _special_category(
        "Whether health data is a special (sensitive) category: yes, no, partly or uncertain."
    )
    health_data_note = _text("How the law treats health data.", required=True)
    research_legal_bases = _texts(
        "Grounds on which personal data may be processed for research.", minimum=1, required=True
    )
    cross_border_transfer = _text(
        "The rule for sending personal data to another country.", required=True
    )
    regulator = _text("The supervisory authority that enforces the law.", required=True)
    genome_specific_rules = _texts(
        "Other laws or regulations specific to genomic, biobank or human genetic resource data.",
        required=True,
    )
    genome_specific_note = _text(
        "Context for genome_specific_rules; required when that list is empty."
    )
    uncertainties = _texts(
        "Facts in this entry the reviewers could not confirm; check the sources.", required=True
    )
    sources = fields.List(
        fields.Nested(LawSourceSchema),
        required=True,
        validate=validate.Length(min=1, error="needs at least one source"),
        metadata={"description": "Official or authoritative public sources for the entry."},
    )
    last_reviewed = fields.String(
        required=True,
        validate=iso_date,
        metadata={"description": "Date the entry was last reviewed (YYYY-MM-DD)."},
    )

    @validates_schema
    def _genome_rules_explained(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("genome_specific_rules") and not data.get("genome_specific_note"):
            raise ValidationError(
                "required when genome_specific_rules is empty", "genome_specific_note"
            )


class PrivacyLawRegistrySchema(Schema):
    """The registry file: a versioned, dated list of entries."""

    class Meta:
        unknown = RAISE

    version = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{4}\.\d{1,2}\.\d+$", error="must look like 2026.11.0"),
        metadata={"description": "Version of the registry: year, month, then a patch number."},
    )
    reviewed = fields.String(
        required=True,
        validate=iso_date,
        metadata={"description": "Date the registry as a whole was last reviewed (YYYY-MM-DD)."},
    )
    disclaimer = _text("How the summaries may be used.")
    entries = fields.List(
        fields.Nested(PrivacyLawSchema),
        required=True,
        validate=validate.Length(min=1, error="needs at least one entry"),
        metadata={"description": "One entry per jurisdiction."},
    )

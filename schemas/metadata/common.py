"""Components shared by the Beacon v2 entry types (the default model's ``common`` folder and
``framework/json/common/ontologyTerm.json``), with our expectations for Asian national projects.

Every schema refuses unknown fields, so a misspelt template column or JSON key is reported rather
than dropped. Python names are snake_case; the wire names (``data_key``) are the specification's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from app.durations import duration_days
from schemas.metadata.curies import TermRule
from schemas.metadata.fields import (
    Count,
    Curie,
    Day,
    Duration,
    Flag,
    Number,
    OneOf,
    OntologyTermField,
    Text,
    Timestamp,
    Variant,
)

SEX_TERMS = {
    "NCIT:C20197": "Male",
    "NCIT:C16576": "Female",
    "NCIT:C17998": "Unknown",
    "NCIT:C124294": "Undetermined",
}
DISEASE_PREFIXES = ("ICD10", "MONDO", "NCIT", "ORPHA", "OMIM")
GEOGRAPHIC_PREFIXES = ("ISO3166", "GAZ")


class ModelSchema(Schema):
    """A part of a Beacon record; unknown keys are errors."""

    class Meta:
        unknown = RAISE


def text(description: str, example: Any = None, **kwargs: Any) -> Text:
    return Text(metadata=field_metadata(description, example), **kwargs)


def field_metadata(description: str, example: Any = None, **more: Any) -> dict[str, Any]:
    found = {"description": description, **more}
    if example is not None:
        found["example"] = example
    return found


def term(
    description: str,
    *,
    prefixes: tuple[str, ...] = (),
    ids: Mapping[str, str] | None = None,
    recommended: tuple[str, ...] = (),
    **kwargs: Any,
) -> OntologyTermField:
    """An ontology term field: its description and id rule are declared here, once."""
    rule = TermRule(prefixes, dict(ids or {}), recommended)
    return OntologyTermField(
        OntologyTermSchema, metadata=field_metadata(description, term_rule=rule), **kwargs
    )


def term_list(
    description: str,
    *,
    prefixes: tuple[str, ...] = (),
    recommended: tuple[str, ...] = (),
    **kwargs: Any,
) -> fields.List:
    item = term(description, prefixes=prefixes, recommended=recommended)
    return fields.List(item, metadata=field_metadata(description), **kwargs)


def nested_list(schema: type[Schema], description: str, **kwargs: Any) -> fields.List:
    return fields.List(fields.Nested(schema), metadata=field_metadata(description), **kwargs)


def sex(description: str, **kwargs: Any) -> OntologyTermField:
    return term(description, ids=SEX_TERMS, **kwargs)


def geographic_location(description: str, **kwargs: Any) -> OntologyTermField:
    return term(description, prefixes=GEOGRAPHIC_PREFIXES, **kwargs)


class OntologyTermSchema(ModelSchema):
    id = Curie(required=True, metadata=field_metadata("Term id as a CURIE, PREFIX:local."))
    label = text("The term's label (its preferred name, or a clearer wording).")


class AgeSchema(ModelSchema):
    iso8601duration = Duration(
        required=True, metadata=field_metadata("Age as an ISO 8601 duration.", "P45Y6M")
    )


class AgeRangeSchema(ModelSchema):
    start = fields.Nested(AgeSchema, required=True, metadata=field_metadata("Lowest age."))
    end = fields.Nested(AgeSchema, required=True, metadata=field_metadata("Highest age."))

    @validates_schema
    def _in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        start = duration_days(data["start"]["iso8601duration"])
        end = duration_days(data["end"]["iso8601duration"])
        if start is not None and end is not None and end < start:
            raise ValidationError("must not be below the start age", "end")


class GestationalAgeSchema(ModelSchema):
    weeks = Count(required=True, metadata=field_metadata("Completed weeks of gestation.", 32))
    days = Count(metadata=field_metadata("Days beyond the completed weeks.", 3))


class TimeIntervalSchema(ModelSchema):
    start = Timestamp(required=True, metadata=field_metadata("Start, ISO 8601 date-time."))
    end = Timestamp(required=True, metadata=field_metadata("End, ISO 8601 date-time."))


def _holds_objects(value: Mapping[str, Any]) -> bool:
    return any(isinstance(value.get(key), Mapping) for key in ("start", "end"))


TIME_ELEMENT = (
    Variant("Age", AgeSchema),
    Variant("AgeRange", AgeRangeSchema, _holds_objects),
    Variant("GestationalAge", GestationalAgeSchema),
    Variant("TimeInterval", TimeIntervalSchema, lambda value: not _holds_objects(value)),
    Variant("OntologyTerm", OntologyTermSchema),
)


def time_element(description: str, **kwargs: Any) -> OneOf:
    """An age (``iso8601duration``), age range, gestational age, time interval or age-group term."""
    return OneOf(TIME_ELEMENT, metadata=field_metadata(description), **kwargs)


class ReferenceRangeSchema(ModelSchema):
    unit = term("Unit of low and high.", recommended=("NCIT",), required=True)
    low = Number(required=True, metadata=field_metadata("Lower end of the normal range.", 10.5))
    high = Number(required=True, metadata=field_metadata("Upper end of the normal range.", 14.5))


class QuantitySchema(ModelSchema):
    unit = term("Unit of the value.", recommended=("NCIT",), required=True)
    value = Number(required=True, metadata=field_metadata("The value, in the unit.", 162.5))
    reference_range = fields.Nested(
        ReferenceRangeSchema, data_key="referenceRange", metadata=field_metadata("Normal range.")
    )


class TypedQuantitySchema(ModelSchema):
    quantity_type = term("What the quantity measures.", data_key="quantityType", required=True)
    quantity = fields.Nested(
        QuantitySchema, required=True, metadata=field_metadata("The quantity.")
    )


class ComplexValueSchema(ModelSchema):
    typed_quantities = nested_list(
        TypedQuantitySchema,
        "Quantities that together make the value.",
        data_key="typedQuantities",
        required=True,
    )


MEASUREMENT_VALUE = (
    Variant("Quantity", QuantitySchema),
    Variant("OntologyTerm", OntologyTermSchema),
    Variant("ComplexValue", ComplexValueSchema),
)


class ExternalReferenceSchema(ModelSchema):
    id = text("Identifier in the referenced resource.", "PMID:15254584")
    notes = text("What the reference is.")
    reference = text("URL of the reference.", "https://pubmed.ncbi.nlm.nih.gov/15254584/")


class EvidenceSchema(ModelSchema):
    evidence_code = term("Kind of evidence.", data_key="evidenceCode", required=True)
    reference = fields.Nested(ExternalReferenceSchema, metadata=field_metadata("Source of it."))


class ProcedureSchema(ModelSchema):
    procedure_code = term(
        "Procedure or intervention performed.",
        recommended=("MAXO", "NCIT"),
        data_key="procedureCode",
        required=True,
    )
    body_site = term("Where on the body.", recommended=("UBERON",), data_key="bodySite")
    date_of_procedure = Day(
        data_key="dateOfProcedure", metadata=field_metadata("Date of the procedure.", "2021-04-23")
    )
    age_at_procedure = time_element("Age or time of the procedure.", data_key="ageAtProcedure")


class MeasurementSchema(ModelSchema):
    assay_code = term(
        "What was measured.", recommended=("LOINC", "NCIT"), data_key="assayCode", required=True
    )
    measurement_value = OneOf(
        MEASUREMENT_VALUE,
        data_key="measurementValue",
        required=True,
        metadata=field_metadata(
            "The result: a quantity (value, unit), a term, or typed quantities."
        ),
    )
    date = Day(metadata=field_metadata("Date of the measurement.", "2021-04-23"))
    notes = text("Free-text notes.")
    observation_moment = time_element(
        "Age or time of the measurement.", data_key="observationMoment"
    )
    procedure = fields.Nested(
        ProcedureSchema, metadata=field_metadata("Procedure that obtained the measured sample.")
    )


class DiseaseSchema(ModelSchema):
    disease_code = term(
        "The disease or condition diagnosed.",
        prefixes=DISEASE_PREFIXES,
        data_key="diseaseCode",
        required=True,
    )
    age_of_onset = time_element("Age or time of onset.", data_key="ageOfOnset")
    family_history = Flag(
        data_key="familyHistory",
        metadata=field_metadata("Whether a family history of the disease is known.", True),
    )
    notes = text("Free-text notes.")
    severity = term("Severity.", recommended=("HP",))
    stage = term("Disease stage.", recommended=("OGMS", "NCIT"))


class PhenotypicFeatureSchema(ModelSchema):
    feature_type = term(
        "The phenotype observed (or looked for and not found, see excluded).",
        prefixes=("HP",),
        data_key="featureType",
        required=True,
    )
    excluded = Flag(
        metadata=field_metadata("true when the feature was looked for and absent.", False)
    )
    evidence = fields.Nested(
        EvidenceSchema, metadata=field_metadata("Evidence for the observation.")
    )
    modifiers = term_list("Modifiers such as severity or laterality.", recommended=("HP",))
    notes = text("Free-text notes.")
    onset = time_element("Age or time the feature was first seen.")
    resolution = time_element("Age or time the feature resolved.")
    severity = term("Severity.", recommended=("HP",))


class ExposureSchema(ModelSchema):
    exposure_code = term(
        "What the individual was exposed to.", data_key="exposureCode", required=True
    )
    age_at_exposure = fields.Nested(
        AgeSchema,
        data_key="ageAtExposure",
        required=True,
        metadata=field_metadata("Age at exposure."),
    )
    date = Day(metadata=field_metadata("Date of the exposure.", "2019-06-01"))
    duration = Duration(
        required=True, metadata=field_metadata("How long, ISO 8601 duration.", "P5Y")
    )
    unit = term("Unit of the value.", recommended=("NCIT",), required=True)
    value = Number(metadata=field_metadata("Amount of the exposure.", 10))


class DoseIntervalSchema(ModelSchema):
    quantity = fields.Nested(QuantitySchema, required=True, metadata=field_metadata("One dose."))
    interval = fields.Nested(
        TimeIntervalSchema, required=True, metadata=field_metadata("When this dose was given.")
    )
    schedule_frequency = term(
        "How often the dose was given.", data_key="scheduleFrequency", required=True
    )


class TreatmentSchema(ModelSchema):
    treatment_code = term(
        "Treatment or agent.", recommended=("NCIT",), data_key="treatmentCode", required=True
    )
    age_at_onset = fields.Nested(
        AgeSchema, data_key="ageAtOnset", metadata=field_metadata("Age when the treatment started.")
    )
    cumulative_dose = fields.Nested(
        QuantitySchema, data_key="cumulativeDose", metadata=field_metadata("Total dose given.")
    )
    dose_intervals = nested_list(
        DoseIntervalSchema, "Periods of constant dosage.", data_key="doseIntervals"
    )
    route_of_administration = term(
        "Route of administration.", recommended=("NCIT",), data_key="routeOfAdministration"
    )


class PedigreeMemberSchema(ModelSchema):
    member_id = text(
        "Individual id of the member (this dataset's id where the member is in it).",
        "IND-0001",
        data_key="memberId",
        required=True,
    )
    role = term("Relationship to the proband.", recommended=("NCIT",), required=True)
    affected = Flag(required=True, metadata=field_metadata("Whether the member is affected.", True))


class PedigreeSchema(ModelSchema):
    id = text("Pedigree id.", "FAM-001", required=True)
    disease = fields.Nested(
        DiseaseSchema,
        required=True,
        metadata=field_metadata("Disease the pedigree is studied for."),
    )
    members = nested_list(
        PedigreeMemberSchema, "Members of the pedigree.", required=True, validate=validate.Length(1)
    )
    num_subjects = Count(
        data_key="numSubjects", metadata=field_metadata("Number of people in the pedigree.", 4)
    )

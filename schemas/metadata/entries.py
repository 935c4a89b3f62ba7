"""The five Beacon v2 metadata entry types (default model ``<entry>/defaultSchema.json``): every
property of each, required as the default model requires, unknown keys refused."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.metadata.common import (
    AgeRangeSchema,
    DiseaseSchema,
    ExposureSchema,
    MeasurementSchema,
    ModelSchema,
    PedigreeSchema,
    PhenotypicFeatureSchema,
    ProcedureSchema,
    TreatmentSchema,
    field_metadata,
    geographic_location,
    nested_list,
    sex,
    term,
    term_list,
    text,
)
from schemas.metadata.fields import Count, Day, Duration, Flag, Text, Timestamp

KARYOTYPIC_SEXES = (
    "UNKNOWN_KARYOTYPE",
    "XX",
    "XY",
    "XO",
    "XXY",
    "XXX",
    "XXYY",
    "XXXY",
    "XXXX",
    "XYY",
    "OTHER_KARYOTYPE",
)
LIBRARY_LAYOUTS = ("PAIRED", "SINGLE")
COHORT_TYPES = ("study-defined", "beacon-defined", "user-defined")


def _info() -> fields.Dict:
    return fields.Dict(
        metadata=field_metadata("Any further information, as an object (template: info.<name>).")
    )


def _choice(choices: tuple[str, ...], description: str, **kwargs) -> Text:
    return Text(
        validate=validate.OneOf(choices),
        metadata=field_metadata(description, choices[0], choices=choices),
        **kwargs,
    )


class IndividualSchema(ModelSchema):
    id = text("Individual id, unique in the dataset.", "IND-0001", required=True)
    sex = sex("Sex of the individual (NCIt term).", required=True)
    ethnicity = term(
        "Ethnic background: an NCIt ethnic-group term (descendant of NCIT:C17049 Race).",
        recommended=("NCIT",),
    )
    geographic_origin = geographic_location(
        "Country of origin as ISO3166:<alpha-2> with the country name as label, or a GAZ place.",
        data_key="geographicOrigin",
    )
    karyotypic_sex = _choice(
        KARYOTYPIC_SEXES, "Chromosomal sex, one of the listed values.", data_key="karyotypicSex"
    )
    diseases = nested_list(DiseaseSchema, "Diseases diagnosed.")
    exposures = nested_list(ExposureSchema, "Exposures (lifestyle, environment).")
    interventions_or_procedures = nested_list(
        ProcedureSchema,
        "Clinical procedures or interventions.",
        data_key="interventionsOrProcedures",
    )
    measures = nested_list(MeasurementSchema, "Measurements (height, laboratory values...).")
    pedigrees = nested_list(PedigreeSchema, "Pedigrees the individual belongs to.")
    phenotypic_features = nested_list(
        PhenotypicFeatureSchema, "Phenotypic features (HPO).", data_key="phenotypicFeatures"
    )
    treatments = nested_list(TreatmentSchema, "Treatments given.")
    info = _info()


class BiosampleSchema(ModelSchema):
    id = text("Biosample id, unique in the dataset.", "BS-0001", required=True)
    individual_id = text(
        "Id of the individual the sample comes from.", "IND-0001", data_key="individualId"
    )
    biosample_status = term(
        "Reference (normal) or abnormal sample.",
        prefixes=("EFO", "NCIT"),
        data_key="biosampleStatus",
        required=True,
    )
    sample_origin_type = term(
        "What the sample is: the tissue or material (UBERON), or an NCIt or OBI specimen type.",
        prefixes=("UBERON", "NCIT", "OBI"),
        data_key="sampleOriginType",
        required=True,
    )
    sample_origin_detail = term(
        "The precise tissue or cell type.",
        recommended=("UBERON", "BTO", "OBI", "CLO"),
        data_key="sampleOriginDetail",
    )
    collection_date = Day(
        data_key="collectionDate", metadata=field_metadata("Date of collection.", "2021-04-23")
    )
    collection_moment = Duration(
        data_key="collectionMoment",
        metadata=field_metadata(
            "Age of the individual at collection, ISO 8601 duration.", "P32Y6M"
        ),
    )
    diagnostic_markers = term_list("Clinically relevant biomarkers.", data_key="diagnosticMarkers")
    histological_diagnosis = term(
        "Diagnosis from histology.", recommended=("NCIT",), data_key="histologicalDiagnosis"
    )
    measurements = nested_list(MeasurementSchema, "Measurements of the sample.")
    notes = text("Free-text notes.")
    obtention_procedure = fields.Nested(
        ProcedureSchema,
        data_key="obtentionProcedure",
        metadata=field_metadata("How the sample was obtained (e.g. biopsy)."),
    )
    pathological_stage = term(
        "Pathological stage.", recommended=("NCIT",), data_key="pathologicalStage"
    )
    pathological_tnm_finding = term_list(
        "Pathological TNM findings.", recommended=("NCIT",), data_key="pathologicalTnmFinding"
    )
    phenotypic_features = nested_list(
        PhenotypicFeatureSchema, "Phenotypic features of the sample.", data_key="phenotypicFeatures"
    )
    sample_processing = term(
        "How the sample was processed.", recommended=("EFO",), data_key="sampleProcessing"
    )
    sample_storage = term("How the sample was stored.", data_key="sampleStorage")
    tumor_grade = term("Tumour grade.", recommended=("NCIT",), data_key="tumorGrade")
    tumor_progression = term(
        "Primary, metastatic or recurrent tumour.",
        recommended=("NCIT",),
        data_key="tumorProgression",
    )
    info = _info()


class RunSchema(ModelSchema):
    id = text("Run id, unique in the dataset.", "RUN-0001", required=True)
    biosample_id = text(
        "Id of the biosample sequenced.", "BS-0001", data_key="biosampleId", required=True
    )
    individual_id = text("Id of the individual.", "IND-0001", data_key="individualId")
    run_date = Day(
        data_key="runDate", required=True, metadata=field_metadata("Date of the run.", "2022-01-15")
    )
    library_layout = _choice(LIBRARY_LAYOUTS, "Library layout.", data_key="libraryLayout")
    library_selection = text("Library selection method.", "RANDOM", data_key="librarySelection")
    library_source = term(
        "Source of the library (genomic, transcriptomic...).",
        recommended=("GENEPIO",),
        data_key="librarySource",
    )
    library_strategy = text("Library strategy.", "WGS", data_key="libraryStrategy")
    platform = text("Platform technology.", "Illumina")
    platform_model = term("Instrument model.", recommended=("OBI",), data_key="platformModel")
    info = _info()


class AnalysisSchema(ModelSchema):
    id = text("Analysis id, unique in the dataset.", "AN-0001", required=True)
    analysis_date = Day(
        data_key="analysisDate",
        required=True,
        metadata=field_metadata("Date of the analysis.", "2022-02-01"),
    )
    pipeline_name = text(
        "Pipeline name and version.", "nf-core/sarek 3.4", data_key="pipelineName", required=True
    )
    run_id = text("Id of the run analysed.", "RUN-0001", data_key="runId")
    biosample_id = text("Id of the biosample analysed.", "BS-0001", data_key="biosampleId")
    individual_id = text("Id of the individual analysed.", "IND-0001", data_key="individualId")
    aligner = text("Aligner and version.", "bwa-mem2 2.2.1")
    pipeline_ref = text("Link to the pipeline.", "https://nf-co.re/sarek", data_key="pipelineRef")
    variant_caller = text("Variant caller and version.", "GATK 4.5", data_key="variantCaller")
    info = _info()


class CohortCriteriaSchema(ModelSchema):
    age_range = fields.Nested(
        AgeRangeSchema, data_key="ageRange", metadata=field_metadata("Age range of the members.")
    )
    disease_conditions = nested_list(
        DiseaseSchema, "Diseases of the criteria.", data_key="diseaseConditions"
    )
    ethnicities = term_list("Ethnic groups (NCIt).", recommended=("NCIT",))
    genders = fields.List(
        sex("Sex (NCIt term)."), metadata=field_metadata("Sexes of the criteria.")
    )
    locations = fields.List(
        geographic_location("Country (ISO3166:<alpha-2>) or GAZ place."),
        metadata=field_metadata("Geographic locations of the criteria."),
    )
    phenotypic_conditions = nested_list(
        PhenotypicFeatureSchema, "Phenotypes of the criteria.", data_key="phenotypicConditions"
    )


class DataAvailabilitySchema(ModelSchema):
    availability = Flag(required=True, metadata=field_metadata("Whether the data exist.", True))
    availability_count = Count(
        data_key="availabilityCount",
        metadata=field_metadata("Number of individuals with the data.", 120),
    )
    distribution = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        metadata=field_metadata('Counts per category, e.g. {"genders": {"female": 51}}.'),
    )


class EventTimelineSchema(ModelSchema):
    start = Timestamp(metadata=field_metadata("Earliest date of the events, ISO 8601 date-time."))
    end = Timestamp(metadata=field_metadata("Latest date of the events, ISO 8601 date-time."))


def _availability(description: str, data_key: str) -> fields.Nested:
    return fields.Nested(
        DataAvailabilitySchema, data_key=data_key, metadata=field_metadata(description)
    )


class CollectionEventSchema(ModelSchema):
    event_age_range = _availability("Ages available.", "eventAgeRange")
    event_cases = Count(data_key="eventCases", metadata=field_metadata("Number of cases.", 543))
    event_controls = Count(
        data_key="eventControls", metadata=field_metadata("Number of controls.", 1000)
    )
    event_data_types = _availability("Data types available.", "eventDataTypes")
    event_date = Timestamp(
        data_key="eventDate", metadata=field_metadata("Date of the event, ISO 8601 date-time.")
    )
    event_diseases = _availability("Diseases available.", "eventDiseases")
    event_ethnicities = _availability("Ethnicities available.", "eventEthnicities")
    event_genders = _availability("Sexes available.", "eventGenders")
    event_locations = _availability("Locations available.", "eventLocations")
    event_num = Count(data_key="eventNum", metadata=field_metadata("Number of the event.", 1))
    event_phenotypes = _availability("Phenotypes available.", "eventPhenotypes")
    event_size = Count(
        data_key="eventSize",
        metadata=field_metadata("Individuals in the cohort at the event.", 1543),
    )
    event_timeline = fields.Nested(
        EventTimelineSchema,
        data_key="eventTimeline",
        metadata=field_metadata("Dates of visits, diagnoses or inclusions."),
    )


class CohortSchema(ModelSchema):
    id = text("Cohort id.", "COHORT-1", required=True)
    name = text("Name of the cohort.", "Asia Genome Cohort", required=True)
    cohort_type = _choice(
        COHORT_TYPES, "How the cohort is defined.", data_key="cohortType", required=True
    )
    cohort_data_types = term_list(
        "Types of data collected.",
        recommended=("OGMS", "OBI", "OMIABIS"),
        data_key="cohortDataTypes",
    )
    cohort_design = term("Study design.", recommended=("OMIABIS", "OBI"), data_key="cohortDesign")
    cohort_size = Count(
        data_key="cohortSize", metadata=field_metadata("Number of individuals in the cohort.", 6)
    )
    collection_events = nested_list(
        CollectionEventSchema, "Data collection events.", data_key="collectionEvents"
    )
    exclusion_criteria = fields.Nested(
        CohortCriteriaSchema,
        data_key="exclusionCriteria",
        metadata=field_metadata("No member matches these criteria."),
    )
    inclusion_criteria = fields.Nested(
        CohortCriteriaSchema,
        data_key="inclusionCriteria",
        metadata=field_metadata("Every member matches these criteria."),
    )

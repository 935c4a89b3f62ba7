"""The filled template example: six individuals from six Asian countries, each with a biosample,
a run and an analysis, and one cohort, built from the verified vocabulary and checked by the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from loaders.templates import vocabulary as v
from schemas.metadata import load_entry


def _term(term: v.Term) -> dict[str, str]:
    return {"id": term.id, "label": term.label}


def _disease(code: v.Term, onset: str | None = None, **more: Any) -> dict[str, Any]:
    disease: dict[str, Any] = {"diseaseCode": _term(code)}
    if onset:
        disease["ageOfOnset"] = {"iso8601duration": onset}
    return {**disease, **more}


def _feature(feature: v.Term, **more: Any) -> dict[str, Any]:
    return {"featureType": _term(feature), **more}


@dataclass(frozen=True)
class Participant:
    """What differs between the example's people; the rest of their records is shared."""

    number: int
    country: v.Term
    sex: v.Term
    ethnicity: v.Term
    diseases: Sequence[Mapping[str, Any]]
    features: Sequence[Mapping[str, Any]]
    height_cm: float
    sample_origin: v.Term
    age_at_collection: str
    collection_date: str

    @property
    def code(self) -> str:
        return f"{self.country.id.partition(':')[2]}-{self.number:03d}"


PARTICIPANTS = (
    Participant(
        1,
        v.COUNTRIES[0],
        v.FEMALE,
        v.ASIAN,
        [_disease(v.ICD10_TYPE_2_DIABETES, "P45Y", familyHistory=True)],
        [_feature(v.OBESITY, onset={"iso8601duration": "P40Y"})],
        155.2,
        v.BLOOD,
        "P52Y3M",
        "2023-03-14",
    ),
    Participant(
        2,
        v.COUNTRIES[1],
        v.MALE,
        v.EAST_ASIAN,
        [_disease(v.ICD10_HYPERTENSION, "P50Y")],
        [_feature(v.HYPERTENSION), _feature(v.OBESITY, excluded=True)],
        171.0,
        v.BLOOD,
        "P61Y",
        "2023-04-02",
    ),
    Participant(
        3,
        v.COUNTRIES[2],
        v.FEMALE,
        v.EAST_ASIAN,
        [_disease(v.MONDO_TYPE_2_DIABETES, "P38Y", familyHistory=False)],
        [_feature(v.OBESITY)],
        160.4,
        v.SALIVA,
        "P44Y8M",
        "2023-05-21",
    ),
    Participant(
        4,
        v.COUNTRIES[3],
        v.MALE,
        v.ASIAN,
        [
            _disease(v.ICD10_LIVER_CELL_CARCINOMA, "P58Y"),
            _disease(v.MONDO_HEPATOCELLULAR_CARCINOMA, "P58Y"),
        ],
        [_feature(v.HEPATOMEGALY)],
        168.9,
        v.BLOOD,
        "P59Y2M",
        "2023-06-09",
    ),
    Participant(
        5,
        v.COUNTRIES[4],
        v.MALE,
        v.ASIAN,
        [],
        [],
        174.3,
        v.SALIVA,
        "P33Y",
        "2023-07-30",
    ),
    Participant(
        6,
        v.COUNTRIES[5],
        v.FEMALE,
        v.ASIAN,
        [_disease(v.MONDO_BETA_THALASSEMIA, "P2Y")],
        [_feature(v.ANEMIA, onset={"iso8601duration": "P1Y6M"}), _feature(v.SPLENOMEGALY)],
        152.8,
        v.BLOOD,
        "P27Y",
        "2023-08-18",
    ),
)
COHORT_AGE_RANGE = ("P18Y", "P80Y")


def _individual(person: Participant) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": f"IND-{person.code}",
        "sex": _term(person.sex),
        "ethnicity": _term(person.ethnicity),
        "geographicOrigin": _term(person.country),
    }
    if person.diseases:
        record["diseases"] = [dict(disease) for disease in person.diseases]
    if person.features:
        record["phenotypicFeatures"] = [dict(feature) for feature in person.features]
    record["measures"] = [
        {
            "assayCode": _term(v.BODY_HEIGHT),
            "measurementValue": {"value": person.height_cm, "unit": _term(v.CENTIMETER)},
            "date": person.collection_date,
        }
    ]
    return record


def _biosample(person: Participant) -> dict[str, Any]:
    return {
        "id": f"BS-{person.code}",
        "individualId": f"IND-{person.code}",
        "biosampleStatus": _term(v.REFERENCE_SAMPLE),
        "sampleOriginType": _term(person.sample_origin),
        "collectionDate": person.collection_date,
        "collectionMoment": person.age_at_collection,
    }


def _run(person: Participant) -> dict[str, Any]:
    return {
        "id": f"RUN-{person.code}",
        "biosampleId": f"BS-{person.code}",
        "individualId": f"IND-{person.code}",
        "runDate": "2024-01-15",
        "libraryLayout": "PAIRED",
        "librarySelection": "RANDOM",
        "librarySource": _term(v.GENOMIC_SOURCE),
        "libraryStrategy": "WGS",
        "platform": "Illumina",
        "platformModel": _term(v.NOVASEQ_6000),
    }


def _analysis(person: Participant) -> dict[str, Any]:
    return {
        "id": f"AN-{person.code}",
        "runId": f"RUN-{person.code}",
        "biosampleId": f"BS-{person.code}",
        "individualId": f"IND-{person.code}",
        "analysisDate": "2024-02-20",
        "pipelineName": "nf-core/sarek 3.4",
        "pipelineRef": "https://nf-co.re/sarek",
        "aligner": "bwa-mem2 2.2.1",
        "variantCaller": "GATK 4.5 HaplotypeCaller",
    }


def _cohort(people: Sequence[Participant]) -> dict[str, Any]:
    start, end = COHORT_AGE_RANGE
    diseases = {disease["diseaseCode"]["id"]: disease for p in people for disease in p.diseases}
    return {
        "id": "COHORT-ASIA-EXAMPLE",
        "name": "asia-beacon template example cohort",
        "cohortType": "study-defined",
        "cohortSize": len(people),
        "cohortDataTypes": [_term(v.CLINICAL_HISTORY)],
        "inclusionCriteria": {
            "ageRange": {"start": {"iso8601duration": start}, "end": {"iso8601duration": end}},
            "genders": [_term(v.MALE), _term(v.FEMALE)],
            "ethnicities": [_term(term) for term in v.ETHNICITIES],
            "locations": [_term(person.country) for person in people],
            "diseaseConditions": [
                {"diseaseCode": dict(disease["diseaseCode"])} for disease in diseases.values()
            ],
        },
    }


def example_records() -> dict[str, list[dict[str, Any]]]:
    """The example's records per entry type, each validated (and normalized) by the model."""
    people = PARTICIPANTS
    records = {
        "individuals": [_individual(person) for person in people],
        "biosamples": [_biosample(person) for person in people],
        "runs": [_run(person) for person in people],
        "analyses": [_analysis(person) for person in people],
        "cohorts": [_cohort(people)],
    }
    return {
        entry: [load_entry(entry, record) for record in entry_records]
        for entry, entry_records in records.items()
    }

"""The demo cohort's metadata, as filled-in templates (``metadata/*.csv``): one individual per
VCF sample with sex, ethnicity, country of origin, diseases and phenotypes; a biosample named
like the sample's VCF column; one sequencing run and one analysis per biosample; one cohort.

Drawn from its own fixed seed, so the VCF stays as it is when only the metadata changes. Every
ontology id comes from ``loaders.templates.vocabulary`` (ids checked against the ontologies).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from loaders.templates import vocabulary as terms
from schemas.metadata.countries import COUNTRY_NAMES
from schemas.metadata.flat import flatten

SEED = 20261124
PIPELINE = "asia-demo-wgs-1.0"
COHORT_ID = "asia-demo-cohort"
EAST_ASIAN_POPULATIONS = {"Japanese", "Korean", "Han Chinese"}
THALASSEMIA_POPULATIONS = {"Thai", "Malay"}  # where beta thalassemia is common


@dataclass(frozen=True)
class DemoSample:
    id: str
    population: str
    country: str
    male: bool  # as the VCF's genotypes say: haploid on chrX outside the pseudo-autosomal parts


def demo_metadata(samples: Sequence[DemoSample]) -> dict[str, list[dict[str, Any]]]:
    """Beacon records per entry type; ids derive from the sample ids (``TH0001`` -> ``IND-TH0001``
    for its individual; the biosample keeps the sample id)."""
    rng = np.random.default_rng(SEED)
    metadata: dict[str, list[dict[str, Any]]] = {
        "individuals": [],
        "biosamples": [],
        "runs": [],
        "analyses": [],
    }
    for sample in samples:
        individual_id = f"IND-{sample.id}"
        metadata["individuals"].append(_individual(rng, sample, individual_id))
        metadata["biosamples"].append(_biosample(rng, sample, individual_id))
        run_date = f"2024-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}"
        metadata["runs"].append(
            {
                "id": f"RUN-{sample.id}",
                "biosampleId": sample.id,
                "individualId": individual_id,
                "runDate": run_date,
                "libraryStrategy": "WGS",
                "librarySource": _term(terms.GENOMIC_SOURCE),
                "librarySelection": "RANDOM",
                "libraryLayout": "PAIRED",
                "platform": "Illumina",
                "platformModel": _term(terms.NOVASEQ_6000),
            }
        )
        metadata["analyses"].append(
            {
                "id": f"ANA-{sample.id}",
                "runId": f"RUN-{sample.id}",
                "biosampleId": sample.id,
                "individualId": individual_id,
                "analysisDate": "2025-01-01",
                "pipelineName": PIPELINE,
                "aligner": "bwa-mem2",
                "variantCaller": "GATK HaplotypeCaller",
            }
        )
    metadata["cohorts"] = [
        {
            "id": COHORT_ID,
            "name": "asia-beacon demo cohort (synthetic)",
            "cohortType": "study-defined",
            "cohortSize": len(samples),
            "cohortDataTypes": [_term(terms.CLINICAL_HISTORY)],
        }
    ]
    return metadata


def _individual(rng: np.random.Generator, sample: DemoSample, individual_id: str) -> dict:
    ethnicity = terms.EAST_ASIAN if sample.population in EAST_ASIAN_POPULATIONS else terms.ASIAN
    individual: dict[str, Any] = {
        "id": individual_id,
        "sex": _term(terms.MALE if sample.male else terms.FEMALE),
        "ethnicity": _term(ethnicity),
        "geographicOrigin": {
            "id": f"ISO3166:{sample.country}",
            "label": COUNTRY_NAMES[sample.country],
        },
    }
    diseases = []
    if rng.random() < 0.12:
        code = terms.ICD10_TYPE_2_DIABETES if rng.random() < 0.5 else terms.MONDO_TYPE_2_DIABETES
        diseases.append(_disease(code, int(rng.integers(35, 70))))
    if sample.population in THALASSEMIA_POPULATIONS and rng.random() < 0.05:
        diseases.append(_disease(terms.MONDO_BETA_THALASSEMIA, int(rng.integers(1, 10))))
    if rng.random() < 0.02:
        diseases.append(_disease(terms.ICD10_LIVER_CELL_CARCINOMA, int(rng.integers(45, 80))))
    phenotypes = [
        phenotype
        for phenotype, share in (
            (terms.HYPERTENSION, 0.25),
            (terms.OBESITY, 0.10),
            (terms.ANEMIA, 0.05),
        )
        if rng.random() < share
    ]
    if any(d["diseaseCode"]["id"] == terms.MONDO_BETA_THALASSEMIA.id for d in diseases):
        phenotypes += [terms.ANEMIA, terms.SPLENOMEGALY]
    if diseases:
        individual["diseases"] = diseases
    if phenotypes:
        unique = list(dict.fromkeys(phenotypes))
        individual["phenotypicFeatures"] = [{"featureType": _term(term)} for term in unique]
    return individual


def _biosample(rng: np.random.Generator, sample: DemoSample, individual_id: str) -> dict:
    origin = terms.SALIVA if rng.random() < 0.15 else terms.BLOOD
    year, month = int(rng.integers(2019, 2025)), int(rng.integers(1, 13))
    return {
        "id": sample.id,  # the VCF column name: the link from variants to this biosample
        "individualId": individual_id,
        "biosampleStatus": _term(terms.REFERENCE_SAMPLE),
        "sampleOriginType": _term(origin),
        "collectionDate": f"{year}-{month:02d}-{int(rng.integers(1, 29)):02d}",
    }


def _disease(code: terms.Term, onset_years: int) -> dict:
    return {"diseaseCode": _term(code), "ageOfOnset": {"iso8601duration": f"P{onset_years}Y"}}


def _term(term: terms.Term) -> dict[str, str]:
    return {"id": term.id, "label": term.label}


def metadata_csv(records: Iterable[Mapping[str, Any]]) -> str:
    """A filled template: one flattened row per record; the columns of one field together,
    fields in the order first met, items of a list in index order."""
    rows = [flatten(record) for record in records]
    seen = list(dict.fromkeys(column for row in rows for column in row))
    field_order = {field: rank for rank, field in enumerate(dict.fromkeys(map(_field, seen)))}
    columns = sorted(seen, key=lambda column: (field_order[_field(column)], column))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _field(column: str) -> str:
    """The top-level field a column belongs to: ``diseases[1].ageOfOnset`` -> ``diseases``."""
    return column.split(".", 1)[0].split("[", 1)[0]

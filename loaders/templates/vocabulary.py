"""Every ontology term the filled template example uses: one list, so the example, the docs and the
ontology hierarchy built for the demo agree on ids and labels.

Each id was checked against independent public sources before it was written here (ontology files,
ontology-backed curation data, or the GA4GH Beacon v2 documentation); the comment above each group
says which. Labels are the ontology's own preferred labels. Do not add an id without doing the same.
"""

from __future__ import annotations

from typing import NamedTuple

from schemas.metadata.common import SEX_TERMS
from schemas.metadata.countries import COUNTRY_NAMES


class Term(NamedTuple):
    id: str
    label: str


# NCIt sex terms, the only ids `sex` accepts (schemas.metadata.common.SEX_TERMS): the values of
# NCIT:C28421 "Sex" used across GA4GH/EJP-RD beacons; the Beacon v2 description of `sex` names
# C16576, C20197 and C17998. (NCIT:C1799, seen in some beacons for "unknown", is not that term.)
SEXES = tuple(Term(term_id, label) for term_id, label in SEX_TERMS.items())
MALE, FEMALE, UNKNOWN_SEX, UNDETERMINED_SEX = SEXES

# NCIt race/ethnic-group terms (descendants of NCIT:C17049 Race, as the Beacon model asks).
# C41260: OMB race category "Asian" in the NIH CDE value sets and the Beacon v2 docs;
# C161419: "East Asian" in two unrelated genomics code bases' NCIt ethnicity enumerations.
ASIAN = Term("NCIT:C41260", "Asian")
EAST_ASIAN = Term("NCIT:C161419", "East Asian")
ETHNICITIES = (ASIAN, EAST_ASIAN)

# ICD-10 (WHO) categories, labels as in the ICD-10 tabular list (UK Biobank data codings).
ICD10_TYPE_2_DIABETES = Term("ICD10:E11", "Type 2 diabetes mellitus")
ICD10_HYPERTENSION = Term("ICD10:I10", "Essential (primary) hypertension")
ICD10_LIVER_CELL_CARCINOMA = Term("ICD10:C22.0", "Liver cell carcinoma")
# MONDO (mondo.obo excerpts and MONDO-grounded curation data).
MONDO_TYPE_2_DIABETES = Term("MONDO:0005148", "type 2 diabetes mellitus")
MONDO_HEPATOCELLULAR_CARCINOMA = Term("MONDO:0007256", "hepatocellular carcinoma")
MONDO_BETA_THALASSEMIA = Term("MONDO:0019402", "beta thalassemia")
DISEASES = (
    ICD10_TYPE_2_DIABETES,
    ICD10_HYPERTENSION,
    ICD10_LIVER_CELL_CARCINOMA,
    MONDO_TYPE_2_DIABETES,
    MONDO_HEPATOCELLULAR_CARCINOMA,
    MONDO_BETA_THALASSEMIA,
)

# Human Phenotype Ontology (hp.obo excerpts and HPO-label-checked curation data).
HYPERTENSION = Term("HP:0000822", "Hypertension")
OBESITY = Term("HP:0001513", "Obesity")
ANEMIA = Term("HP:0001903", "Anemia")
SPLENOMEGALY = Term("HP:0001744", "Splenomegaly")
HEPATOMEGALY = Term("HP:0002240", "Hepatomegaly")
PHENOTYPES = (HYPERTENSION, OBESITY, ANEMIA, SPLENOMEGALY, HEPATOMEGALY)

# UBERON anatomy (CELLxGENE tissue ids, UBERON-label-checked curation data).
BLOOD = Term("UBERON:0000178", "blood")
SALIVA = Term("UBERON:0001836", "saliva")
SAMPLE_ORIGINS = (BLOOD, SALIVA)

# EFO sample status (Beacon v2 biosample schema; ICGC ARGO and Progenetix usage).
REFERENCE_SAMPLE = Term("EFO:0009654", "reference sample")
ABNORMAL_SAMPLE = Term("EFO:0009655", "abnormal sample")
BIOSAMPLE_STATUSES = (REFERENCE_SAMPLE, ABNORMAL_SAMPLE)

# Runs: GENEPIO library source (Beacon v2 run schema, EGA Beacon data); OBI instrument
# (NMDC/MONet instrument enumeration and sequencing metadata).
GENOMIC_SOURCE = Term("GENEPIO:0001966", "genomic source")
NOVASEQ_6000 = Term("OBI:0002630", "Illumina NovaSeq 6000")

# Measurements: LOINC body height (OMOP/FHIR mappings); NCIt unit (Beacon/CINECA data).
BODY_HEIGHT = Term("LOINC:8302-2", "Body height")
CENTIMETER = Term("NCIT:C49668", "Centimeter")

# Cohorts: OGMS data type (Beacon v2 cohort schema, EGA Beacon cohort builders).
CLINICAL_HISTORY = Term("OGMS:0000015", "clinical history")

# Countries of origin: ISO 3166-1 alpha-2 codes, named as in schemas.metadata.countries.
COUNTRY_CODES = ("TH", "JP", "KR", "SG", "IN", "MY")
COUNTRIES = tuple(Term(f"ISO3166:{code}", COUNTRY_NAMES[code]) for code in COUNTRY_CODES)

TERMS: tuple[Term, ...] = (
    *SEXES,
    *ETHNICITIES,
    *DISEASES,
    *PHENOTYPES,
    *SAMPLE_ORIGINS,
    *BIOSAMPLE_STATUSES,
    GENOMIC_SOURCE,
    NOVASEQ_6000,
    BODY_HEIGHT,
    CENTIMETER,
    CLINICAL_HISTORY,
    *COUNTRIES,
)

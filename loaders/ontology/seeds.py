"""The terms the bundled hierarchy is cut around (their ancestors come along).

They are every term of ``loaders.templates.vocabulary`` (the templates' example and the demo)
plus the ones below: terms common in Asian cohort studies and the CINECA synthetic cohort's
ontology terms (its ICD-10 ``F3181`` is not a WHO ICD-10 code and is left out; ``F31`` is in).
Every id here was checked against the release named in ``app/ontology/data/SOURCE.txt``.
"""

from __future__ import annotations

from app.ontology.resources import prefix_of
from loaders.templates.vocabulary import TERMS

EXTRA_SEEDS: dict[str, tuple[str, ...]] = {
    "HP": (
        "HP:0000083",  # Renal insufficiency
        "HP:0000365",  # Hearing impairment
        "HP:0000716",  # Depression
        "HP:0000739",  # Anxiety
        "HP:0000787",  # Nephrolithiasis
        "HP:0000819",  # Diabetes mellitus
        "HP:0000822",  # Hypertension
        "HP:0000855",  # Insulin resistance
        "HP:0000964",  # Eczematoid dermatitis
        "HP:0001250",  # Seizure
        "HP:0001297",  # Stroke
        "HP:0001394",  # Cirrhosis
        "HP:0001395",  # Hepatic fibrosis
        "HP:0001397",  # Hepatic steatosis
        "HP:0001513",  # Obesity
        "HP:0001635",  # Congestive heart failure
        "HP:0001658",  # Myocardial infarction
        "HP:0001677",  # Coronary artery atherosclerosis
        "HP:0001824",  # Weight loss
        "HP:0001903",  # Anemia
        "HP:0001945",  # Fever
        "HP:0002014",  # Diarrhea
        "HP:0002027",  # Abdominal pain
        "HP:0002090",  # Pneumonia
        "HP:0002099",  # Asthma
        "HP:0002149",  # Hyperuricemia
        "HP:0002155",  # Hypertriglyceridemia
        "HP:0002315",  # Headache
        "HP:0002664",  # Neoplasm
        "HP:0003077",  # Hyperlipidemia
        "HP:0003124",  # Hypercholesterolemia
        "HP:0004322",  # Short stature
        "HP:0005978",  # Type II diabetes mellitus
        "HP:0012378",  # Fatigue
        "HP:0012622",  # Chronic kidney disease
        "HP:0100651",  # Type I diabetes mellitus
        "HP:0100806",  # Sepsis
    ),
    "MONDO": (
        "MONDO:0001056",  # gastric cancer
        "MONDO:0001134",  # essential hypertension
        "MONDO:0004975",  # Alzheimer disease
        "MONDO:0004979",  # asthma
        "MONDO:0004992",  # cancer
        "MONDO:0005010",  # coronary artery disorder
        "MONDO:0005044",  # hypertensive disorder
        "MONDO:0005068",  # myocardial infarction
        "MONDO:0005090",  # schizophrenia
        "MONDO:0005098",  # stroke disorder
        "MONDO:0005147",  # type 1 diabetes mellitus
        "MONDO:0005148",  # type 2 diabetes mellitus
        "MONDO:0005180",  # Parkinson disease
        "MONDO:0005300",  # chronic kidney disease
        "MONDO:0005344",  # hepatitis B virus infection
        "MONDO:0007256",  # hepatocellular carcinoma
        "MONDO:0008383",  # rheumatoid arthritis
        "MONDO:0010480",  # anemia, nonspherocytic hemolytic, due to G6PD deficiency
        "MONDO:0011122",  # obesity disorder
        "MONDO:0011399",  # alpha thalassemia spectrum
        "MONDO:0015459",  # nasopharyngeal carcinoma
        "MONDO:0019402",  # beta thalassemia
    ),
    "UBERON": (
        "UBERON:0000178",  # blood
        "UBERON:0001088",  # urine
        "UBERON:0001836",  # saliva
        "UBERON:0001969",  # blood plasma
        "UBERON:0002097",  # skin of body
        "UBERON:0002371",  # bone marrow
        "UBERON:0006956",  # buccal mucosa
    ),
    "EFO": (
        "EFO:0009654",  # reference sample
        "EFO:0009655",  # abnormal sample
        "EFO:0009656",  # neoplastic sample
    ),
    # Categories; their subcategories (E11.0 ... E11.9) are bundled too.
    "ICD10": (
        "ICD10:B18",  # Chronic viral hepatitis
        "ICD10:C11",  # Malignant neoplasm of nasopharynx
        "ICD10:C16",  # Malignant neoplasm of stomach
        "ICD10:C22",  # Malignant neoplasm of liver and intrahepatic bile ducts
        "ICD10:D50",  # Iron deficiency anaemia
        "ICD10:D55",  # Anaemia due to enzyme disorders
        "ICD10:D56",  # Thalassaemia
        "ICD10:D70",  # Agranulocytosis
        "ICD10:D86",  # Sarcoidosis
        "ICD10:E06",  # Thyroiditis
        "ICD10:E10",  # Type 1 diabetes mellitus
        "ICD10:E11",  # Type 2 diabetes mellitus
        "ICD10:E14",  # Unspecified diabetes mellitus
        "ICD10:E66",  # Obesity
        "ICD10:E78",  # Disorders of lipoprotein metabolism and other lipidaemias
        "ICD10:F20",  # Schizophrenia
        "ICD10:F31",  # Bipolar affective disorder
        "ICD10:F50",  # Eating disorders
        "ICD10:G35",  # Multiple sclerosis
        "ICD10:I10",  # Essential (primary) hypertension
        "ICD10:I21",  # Acute myocardial infarction
        "ICD10:I42",  # Cardiomyopathy
        "ICD10:I63",  # Cerebral infarction
        "ICD10:I83",  # Varicose veins of lower extremities
        "ICD10:J11",  # Influenza, virus not identified
        "ICD10:J40",  # Bronchitis, not specified as acute or chronic
        "ICD10:J45",  # Asthma
        "ICD10:K02",  # Dental caries
        "ICD10:K21",  # Gastro-oesophageal reflux disease
        "ICD10:K64",  # Haemorrhoids and perianal venous thrombosis
        "ICD10:K74",  # Fibrosis and cirrhosis of liver
        "ICD10:N18",  # Chronic kidney disease
    ),
}


BUNDLE_SEEDS: dict[str, tuple[str, ...]] = {
    prefix: tuple(sorted({*extra, *(term.id for term in TERMS if prefix_of(term.id) == prefix)}))
    for prefix, extra in EXTRA_SEEDS.items()
}
"""Seeds per ontology built from a release (NCIt is curated by hand in ``ncit.tsv``)."""

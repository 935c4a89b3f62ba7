"""Records and readers shared by the metadata model tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared_data import shared_file

ENTRIES = ("individuals", "biosamples", "runs", "analyses", "cohorts")
STORAGE_KEYS = ("_id", "datasetId")

INDIVIDUAL = {
    "id": "IND-1",
    "sex": {"id": "NCIT:C16576", "label": "Female"},
    "geographicOrigin": {"id": "ISO3166:TH", "label": "Thailand"},
    "diseases": [{"diseaseCode": {"id": "ICD10:E11"}, "ageOfOnset": {"iso8601duration": "P45Y"}}],
    "phenotypicFeatures": [{"featureType": {"id": "HP:0001513"}, "excluded": False}],
}
BIOSAMPLE = {
    "id": "BS-1",
    "biosampleStatus": {"id": "EFO:0009654"},
    "sampleOriginType": {"id": "UBERON:0000178"},
    "collectionDate": "2023-03-14",
}


def cineca_records(entry: str) -> list[dict[str, Any]]:
    path: Path = shared_file(Path("data", "cineca", "bff", f"{entry}.json"))
    records = json.loads(path.read_text(encoding="utf-8"))
    return [{k: v for k, v in record.items() if k not in STORAGE_KEYS} for record in records]

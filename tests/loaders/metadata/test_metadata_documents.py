"""Record -> stored document: the flat fields queries rely on, and the filtering-term rows."""

from __future__ import annotations

from loaders.metadata.documents import entry_document, filtering_term_documents

INDIVIDUAL = {
    "id": "IND-1",
    "sex": {"id": "NCIT:C16576", "label": "Female"},
    "diseases": [
        {
            "diseaseCode": {"id": "ICD10:E11", "label": "T2D"},
            "ageOfOnset": {"iso8601duration": "P45Y6M"},
        }
    ],
    "phenotypicFeatures": [
        {"featureType": {"id": "HP:0000822", "label": "Hypertension"}},
        {"featureType": {"id": "HP:0001513", "label": "Obesity"}, "excluded": True},
    ],
}


def test_document_keeps_the_record_and_adds_query_fields():
    document = entry_document("individuals", "ds", INDIVIDUAL)
    assert document["record"] == INDIVIDUAL
    assert (document["datasetId"], document["id"]) == ("ds", "IND-1")
    # an excluded phenotype is not one the individual has
    assert document["ontologyTerms"] == ["HP:0000822", "ICD10:E11", "NCIT:C16576"]
    (duration,) = document["durations"]
    assert duration["path"] == "diseases.ageOfOnset.iso8601duration"
    assert duration["days"] == 45 * 365.25 + 6 * 30.4375


def test_links_are_copied_beside_the_record():
    run = {"id": "R1", "biosampleId": "S1", "individualId": "I1", "runDate": "2024-01-01"}
    document = entry_document("runs", "ds", run)
    assert (document["biosampleId"], document["individualId"]) == ("S1", "I1")
    assert "runId" not in document


def test_the_record_id_is_not_a_term_even_when_it_looks_like_one():
    document = entry_document("biosamples", "ds", {"id": "TH:0001", "individualId": "X:1"})
    assert document["ontologyTerms"] == []


def test_filtering_terms_list_ontology_terms_fields_and_custom_values():
    runs = [
        {"id": f"R{n}", "biosampleId": f"S{n}", "libraryStrategy": strategy, "runDate": date}
        for n, (strategy, date) in enumerate([("WGS", "2024-01-01"), ("WES", "2024-02-01")])
    ]
    rows = filtering_term_documents("ds", "run", runs)
    by_kind: dict[str, set[str]] = {}
    for row in rows:
        assert (row["datasetId"], row["scope"]) == ("ds", "run")
        by_kind.setdefault(row["kind"], set()).add(row["id"])
    assert by_kind["alphanumeric"] == {"libraryStrategy", "runDate"}  # ids and links are not
    assert by_kind["custom"] == {
        "libraryStrategy:WES",
        "libraryStrategy:WGS",
        "runDate:2024-01-01",
        "runDate:2024-02-01",
    }
    assert "ontology" not in by_kind
    terms = filtering_term_documents("ds", "individual", [INDIVIDUAL])
    ontology = {row["id"]: row["label"] for row in terms if row["kind"] == "ontology"}
    assert ontology == {
        "HP:0000822": "Hypertension",
        "ICD10:E11": "T2D",
        "NCIT:C16576": "Female",
    }

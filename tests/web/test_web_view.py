"""The catalog page's view data, built from plain records with no Flask and no database."""

from __future__ import annotations

from app.web.view import UNPLACED, Consent, GoverningLaw, catalog_by_country

LAWS = {
    "th-pdpa": {"id": "th-pdpa", "short_name": "PDPA", "jurisdiction": "Thailand"},
    "jp-appi": {"id": "jp-appi", "short_name": "APPI", "jurisdiction": "Japan"},
}


def record(dataset_id: str, **fields) -> dict:
    return {"id": dataset_id, "accessLevel": "PUBLIC", **fields}


def test_datasets_are_grouped_by_country_name_with_unplaced_ones_last():
    records = [
        record("th-1", country="TH"),
        record("none-1"),
        record("jp-1", country="JP"),
        record("th-2", country="TH"),
    ]
    groups = catalog_by_country(records, {}, {}, LAWS.get)
    assert [(group.code, group.name) for group in groups] == [
        ("JP", "Japan"),
        ("TH", "Thailand"),
        ("", UNPLACED),
    ]
    assert [entry.id for entry in groups[1].datasets] == ["th-1", "th-2"]


def test_an_entry_carries_consent_access_laws_and_counts():
    described = record(
        "th-1",
        name="Thai cohort",
        description="Whole genomes",
        country="TH",
        organization="Example Genome Centre",
        populations=["Thai"],
        dataUseConditions={"duoDataUse": [{"id": "DUO:0000042", "label": "general research use"}]},
        privacyLaws=["th-pdpa"],
        accessLevel="CONTROLLED",
    )
    [group] = catalog_by_country(
        [described],
        {"th-1": 12},
        {"th-1": {"_id": "th-1", "individualCount": 3, "biosampleCount": 4}},
        LAWS.get,
    )
    [entry] = group.datasets
    assert (entry.name, entry.description, entry.organization) == (
        "Thai cohort",
        "Whole genomes",
        "Example Genome Centre",
    )
    assert entry.populations == ("Thai",)
    assert entry.consents == (Consent("DUO:0000042", "general research use"),)
    assert entry.access_level == "CONTROLLED"
    assert entry.laws == (GoverningLaw("th-pdpa", "PDPA", "Thailand", known=True),)
    assert (entry.variant_count, entry.individual_count, entry.biosample_count) == (12, 3, 4)


def test_a_minimal_record_gets_defaults_and_an_unknown_law_is_marked():
    [group] = catalog_by_country([record("bare", privacyLaws=["xx-gone"])], {}, {}, LAWS.get)
    [entry] = group.datasets
    assert entry.name == "bare"
    assert (entry.populations, entry.consents) == ((), ())
    assert entry.laws == (GoverningLaw("xx-gone", "xx-gone", "", known=False),)
    assert (entry.variant_count, entry.individual_count, entry.biosample_count) == (0, 0, 0)


def test_no_records_no_groups():
    assert catalog_by_country([], {}, {}, LAWS.get) == []

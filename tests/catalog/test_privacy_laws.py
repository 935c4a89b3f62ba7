"""The privacy-law registry: the bundled file is complete and valid, faulty files are refused with
messages naming the entry and field, and look-ups answer from the loaded entries."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from marshmallow import fields

from app.catalog.laws import RegistryError, bundled_registry, load_registry
from schemas.privacy_law import LawSourceSchema, PrivacyLawRegistrySchema, PrivacyLawSchema

REQUIRED_COUNTRIES = {"TH", "JP", "KR", "CN", "TW", "SG", "MY", "ID", "VN", "PH", "IN", "EU"}

ENTRY: dict[str, Any] = {
    "id": "xx-law",
    "jurisdiction": "Exampleland",
    "country": "TH",
    "official_name": "Example Data Act",
    "short_name": "EDA",
    "year_enacted": 2019,
    "in_force": "2022-06-01",
    "genetic_data_special_category": "yes",
    "genetic_data_note": "Listed as sensitive.",
    "health_data_special_category": "partly",
    "health_data_note": "Medical records only.",
    "research_legal_bases": ["explicit consent"],
    "cross_border_transfer": "Allowed to adequate countries.",
    "regulator": "Example Commission",
    "genome_specific_rules": ["Biobank Act"],
    "uncertainties": [],
    "sources": [{"title": "Official text", "url": "https://example.org/act"}],
    "last_reviewed": "2026-11-24",
}


def registry_file(tmp_path: Path, *entries: dict[str, Any], **top: Any) -> Path:
    document = {"version": "2026.11.0", "reviewed": "2026-11-24", "entries": list(entries)}
    document.update(top)
    path = tmp_path / "laws.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def entry(**changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(ENTRY)
    for field, value in changes.items():
        if value is None:
            del changed[field]
        else:
            changed[field] = value
    return changed


def refusal(path: Path) -> str:
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    return str(caught.value)


# --- the bundled registry ---------------------------------------------------------------------


def test_bundled_registry_validates_and_is_read_once():
    registry = bundled_registry()
    assert registry is bundled_registry()
    assert registry.version == "2026.11.0"
    assert registry.reviewed == "2026-11-24"


def test_bundled_registry_covers_every_listed_jurisdiction():
    countries = {law["country"] for law in bundled_registry().entries}
    assert countries >= REQUIRED_COUNTRIES


def test_bundled_ids_are_unique():
    ids = [law["id"] for law in bundled_registry().entries]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("law", bundled_registry().entries, ids=lambda law: law["id"])
def test_every_bundled_entry_is_sourced_and_dated(law):
    assert law["sources"]
    assert all(source["url"].startswith("https://") for source in law["sources"])
    assert datetime.date.fromisoformat(law["last_reviewed"]) <= datetime.date(2026, 11, 24)
    assert law["genome_specific_rules"] or law.get("genome_specific_note")


def test_bundled_entries_name_the_genome_laws_the_registry_promises():
    def rules(law_id: str) -> str:
        return " ".join(bundled_registry().by_id(law_id)["genome_specific_rules"])

    assert "Bioethics and Safety Act" in rules("kr-pipa")
    assert "Human Genetic Resources" in rules("cn-pipl")
    assert "Human Biobank Management Act" in rules("tw-pdpa")
    assert "Human Biomedical Research Act" in rules("sg-pdpa")


def test_entries_are_plain_json_data():
    law = bundled_registry().by_id("eu-gdpr")
    assert isinstance(law["last_reviewed"], str)
    assert isinstance(law["year_enacted"], int)
    assert isinstance(law["sources"][0], dict)


def test_every_schema_field_is_described_and_simple():
    """Table models and JSON answers are derived from these schemas, so they must stay plain."""
    simple = fields.String | fields.Integer | fields.Boolean
    for schema in (PrivacyLawSchema, LawSourceSchema, PrivacyLawRegistrySchema):
        for name, field in schema().fields.items():
            assert field.metadata.get("description"), f"{schema.__name__}.{name}"
            inner = field.inner if isinstance(field, fields.List) else field
            assert isinstance(inner, simple | fields.Nested), f"{schema.__name__}.{name}"


# --- look-ups ---------------------------------------------------------------------------------


def test_by_id_finds_an_entry_or_none():
    registry = bundled_registry()
    assert registry.by_id("th-pdpa")["country"] == "TH"
    assert registry.by_id("xx-none") is None


def test_for_country_matches_the_code_exactly(tmp_path):
    second = entry(id="th-other", country="TH")
    registry = load_registry(registry_file(tmp_path, ENTRY, second, entry(id="eu-x", country="EU")))
    assert [law["id"] for law in registry.for_country("TH")] == ["xx-law", "th-other"]
    assert [law["id"] for law in registry.for_country("th")] == ["xx-law", "th-other"]
    assert registry.for_country("FR") == []
    assert [law["id"] for law in registry.for_country("EU")] == ["eu-x"]


# --- faulty registries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"genetic_note": "typo"}, ["genetic_note", "Unknown field"]),
        ({"sources": []}, ["sources", "at least one source"]),
        ({"sources": None}, ["sources", "Missing data"]),
        ({"sources": [{"title": "Old", "url": "http://example.org"}]}, ["sources.0.url", "https"]),
        ({"sources": [{"url": "https://example.org"}]}, ["sources.0.title", "Missing data"]),
        ({"regulator": None}, ["regulator", "Missing data"]),
        ({"genetic_data_special_category": "maybe"}, ["genetic_data_special_category"]),
        ({"health_data_special_category": "Yes"}, ["health_data_special_category"]),
        ({"country": "Thailand"}, ["country", "ISO 3166-1"]),
        ({"country": "ZZ"}, ["country", "ISO 3166-1"]),
        ({"last_reviewed": "2026-02-30"}, ["last_reviewed", "calendar date"]),
        ({"last_reviewed": "24/11/2026"}, ["last_reviewed", "YYYY-MM-DD"]),
        ({"in_force": "June 2022"}, ["in_force", "YYYY-MM-DD"]),
        ({"year_enacted": "2019"}, ["year_enacted"]),
        ({"id": "TH PDPA"}, ["id", "th-pdpa"]),
        ({"research_legal_bases": []}, ["research_legal_bases"]),
        ({"genome_specific_rules": []}, ["genome_specific_note", "required when"]),
    ],
)
def test_a_faulty_entry_is_refused_naming_entry_and_field(tmp_path, changes, expected):
    faulty = entry(**{"id": "ph-bad", **changes})
    message = refusal(registry_file(tmp_path, ENTRY, faulty))
    assert str(tmp_path / "laws.yaml") in message
    assert "entry 1 (" in message
    for fragment in expected:
        assert fragment in message
    assert "entry 0" not in message


def test_a_duplicate_id_is_refused(tmp_path):
    message = refusal(registry_file(tmp_path, ENTRY, entry(country="JP")))
    assert "entry 1 (xx-law): id: duplicate of entry 0" in message


def test_every_problem_is_listed_at_once(tmp_path):
    message = refusal(
        registry_file(tmp_path, entry(country="ZZ"), entry(last_reviewed="2026-13-01"), ENTRY)
    )
    assert "entry 0 (xx-law): country" in message
    assert "entry 1 (xx-law): last_reviewed" in message
    assert "entry 2 (xx-law): id: duplicate of entry 0" in message


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        ({"entries": []}, "entries: needs at least one entry"),
        ({"reviewed": "2026-11-31"}, "reviewed:"),
        ({"version": "v1"}, "version:"),
        ({"editor": "someone"}, "editor: Unknown field"),
        ({"entries": ["th-pdpa"]}, "entry 0: Invalid input type"),
    ],
)
def test_a_faulty_registry_header_is_refused(tmp_path, top, expected):
    assert expected in refusal(registry_file(tmp_path, ENTRY, **top))


def test_unquoted_yaml_dates_and_country_codes_stay_strings(tmp_path):
    text = yaml.safe_dump({"version": "2026.11.0", "entries": [entry(country="NO")]})
    text = text.replace("country: 'NO'", "country: NO") + "reviewed: 2026-11-24\n"
    text = text.replace("last_reviewed: '2026-11-24'", "last_reviewed: 2026-11-24")
    assert "country: NO\n" in text and "last_reviewed: 2026-11-24\n" in text
    path = tmp_path / "laws.yaml"
    path.write_text(text, encoding="utf-8")
    registry = load_registry(path)
    assert registry.reviewed == "2026-11-24"
    assert registry.entries[0]["country"] == "NO"
    assert registry.entries[0]["last_reviewed"] == "2026-11-24"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("entries: [unclosed\n", "not valid YAML"), ("- just\n- a list\n", "must be a mapping")],
)
def test_an_unreadable_registry_is_refused(tmp_path, text, expected):
    path = tmp_path / "laws.yaml"
    path.write_text(text, encoding="utf-8")
    assert expected in refusal(path)


def test_a_missing_file_is_refused(tmp_path):
    assert "cannot be read" in refusal(tmp_path / "absent.yaml")

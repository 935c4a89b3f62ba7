"""ONTOLOGY_FILES: extra hierarchy files, empty by default, a comma-separated list in the
environment (ASIA_BEACON_ONTOLOGY_FILES) like every other list setting."""

from __future__ import annotations

from flask import Config

from app.config import DEFAULTS, ENV_PREFIX
from app.settings import BeaconSettings


def settings_from_environment(monkeypatch, value: str | None) -> BeaconSettings:
    if value is not None:
        monkeypatch.setenv(f"{ENV_PREFIX}_ONTOLOGY_FILES", value)
    config = Config(".")
    config.from_mapping(DEFAULTS)
    config.from_prefixed_env(ENV_PREFIX)
    return BeaconSettings.from_config(config)


def test_no_extra_files_by_default(monkeypatch):
    monkeypatch.delenv(f"{ENV_PREFIX}_ONTOLOGY_FILES", raising=False)
    assert settings_from_environment(monkeypatch, None).ontology_files == ()


def test_the_environment_lists_files_separated_by_commas(monkeypatch):
    settings = settings_from_environment(monkeypatch, "/srv/o/hp.tsv, /srv/o/mondo.tsv")
    assert settings.ontology_files == ("/srv/o/hp.tsv", "/srv/o/mondo.tsv")
    assert settings_from_environment(monkeypatch, "/srv/o/hp.tsv").ontology_files == (
        "/srv/o/hp.tsv",
    )


def test_a_list_in_the_configuration_mapping_is_taken_as_is():
    config = {**DEFAULTS, "ONTOLOGY_FILES": ["a.tsv", "b.tsv"]}
    assert BeaconSettings.from_config(config).ontology_files == ("a.tsv", "b.tsv")

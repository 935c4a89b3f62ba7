"""Every setting is checked before anything is built: a bad value is one ConfigurationError whose
message names its variable and what is wrong, whether create_app meets it or a command that
checks before serving."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest

from app import create_app
from app.config import DEFAULTS, ConfigurationError

# (variable, value, the start of the one message)
BAD_SETTINGS = [
    (
        "ACCESS_GRANULARITY",
        "PUBLIC=count",
        "ASIA_BEACON_ACCESS_GRANULARITY: must give each of PUBLIC, REGISTERED, CONTROLLED",
    ),
    (
        "ACCESS_GRANULARITY",
        "PUBLIC=all,REGISTERED=count,CONTROLLED=record",
        "ASIA_BEACON_ACCESS_GRANULARITY: PUBLIC has 'all'; use one of boolean, count, record",
    ),
    ("DATASET_ACCESS", "a=SECRET", "ASIA_BEACON_DATASET_ACCESS: 'a' has level 'SECRET'"),
    ("DATASET_ACCESS", "a", "ASIA_BEACON_DATASET_ACCESS: must be a mapping or 'key=value"),
    ("DEFAULT_ACCESS_LEVEL", "OPEN", "ASIA_BEACON_DEFAULT_ACCESS_LEVEL: must be one of PUBLIC"),
    (
        "DEFAULT_PAGE_SIZE",
        "ten",
        "ASIA_BEACON_DEFAULT_PAGE_SIZE: must be a whole number, not 'ten'",
    ),
    ("DEFAULT_PAGE_SIZE", "500", "ASIA_BEACON_DEFAULT_PAGE_SIZE: must be between 1 and MAX_PAGE"),
    ("MAX_GRANULARITY", "all", "ASIA_BEACON_MAX_GRANULARITY: must be one of boolean, count"),
    ("ENVIRONMENT", "production", "ASIA_BEACON_ENVIRONMENT: must be one of dev, test"),
    ("SMALL_COUNT_THRESHOLD", "-1", "ASIA_BEACON_SMALL_COUNT_THRESHOLD: must not be negative"),
    ("QUERY_BUDGET", "-1", "ASIA_BEACON_QUERY_BUDGET: must not be negative"),
    ("QUERY_BUDGET_PERIOD", "0", "ASIA_BEACON_QUERY_BUDGET_PERIOD: must be a positive number"),
    ("RARE_ALLELE_FREQUENCY", "often", "ASIA_BEACON_RARE_ALLELE_FREQUENCY: must be a number"),
    (
        "QUERY_BUDGET_RARE_FREQUENCY",
        "2",
        "ASIA_BEACON_QUERY_BUDGET_RARE_FREQUENCY: must be a frequency between 0 and 1",
    ),
    ("AUDIT_LOG", "maybe", "ASIA_BEACON_AUDIT_LOG: must be true or false, not 'maybe'"),
    ("TRUSTED_PROXIES", "one", "ASIA_BEACON_TRUSTED_PROXIES: must be a whole number"),
    ("LOG_FORMAT", "xml", "ASIA_BEACON_LOG_FORMAT: must be one of json, text"),
    ("MAX_CONTENT_LENGTH", "100", "ASIA_BEACON_MAX_CONTENT_LENGTH: must be at least 1024 (bytes)"),
    (
        "MAX_CONTENT_LENGTH",
        "1MB",
        "ASIA_BEACON_MAX_CONTENT_LENGTH: must be a whole number, not '1MB'",
    ),
    ("ONTOLOGY_FILES", "/nonexistent/hp.tsv", "ASIA_BEACON_ONTOLOGY_FILES: /nonexistent/hp.tsv"),
    ("MONGO_URI", "redis://x", "ASIA_BEACON_MONGO_URI: unsupported storage URI scheme 'redis'"),
    ("TOKEN_JWKS", "https://login.example.org/jwks.json", "ASIA_BEACON_TOKEN_ISSUERS: accepting"),
    ("TOKEN_JWKS", "/nonexistent/jwks.json", "ASIA_BEACON_TOKEN_JWKS: cannot read the JWKS file"),
]
# what the tokens need besides the key set, so that the key set is what is wrong
TOKEN_TRUST = {"TOKEN_ISSUERS": "https://login.example.org/", "TOKEN_AUDIENCES": "beacon"}


@pytest.mark.parametrize(("setting", "value", "message"), BAD_SETTINGS)
def test_create_app_refuses_a_bad_setting_with_one_error_naming_it(
    monkeypatch, setting, value, message
):
    monkeypatch.setenv(f"ASIA_BEACON_{setting}", value)
    if value.startswith("/nonexistent/jwks"):
        for name, trusted in TOKEN_TRUST.items():
            monkeypatch.setenv(f"ASIA_BEACON_{name}", trusted)
    with pytest.raises(ConfigurationError) as refused:
        create_app()
    assert str(refused.value).startswith(message)
    assert message.startswith(f"{refused.value.variable}: ")


def test_settings_given_in_code_are_checked_and_named_alike(empty_store):
    with pytest.raises(ConfigurationError, match=r"^ASIA_BEACON_NETWORK_TIMEOUT: must be above 0"):
        create_app({"NETWORK_NODES": "nodes.yaml", "NETWORK_TIMEOUT": 0}, store=empty_store)
    with pytest.raises(ConfigurationError, match=r"^ASIA_BEACON_MAX_PAGE_SIZE: must be a whole"):
        create_app({"MAX_PAGE_SIZE": [100]}, store=empty_store)


def test_a_variable_setting_one_key_of_a_mapping_leaves_the_defaults_alone(
    monkeypatch, empty_store
):
    before = copy.deepcopy(DEFAULTS)
    monkeypatch.setenv("ASIA_BEACON_ACCESS_GRANULARITY__PUBLIC", "record")
    app = create_app(store=empty_store)
    assert app.config["ACCESS_GRANULARITY"]["PUBLIC"] == "record"
    assert before == DEFAULTS


def test_a_worker_starts_without_importing_the_schema_validator(tmp_path):
    """jsonschema, with the format checkers its extras bring, takes a second to import: more
    than the rest of a worker's start. Only a hub checking its nodes' answers needs it."""
    script = (
        "import sys\n"
        "from app import create_app\n"
        f"create_app({{'MONGO_URI': 'sqlite://{tmp_path}/store'}})\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'jsonschema'))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert found.stdout.strip() == "[]"

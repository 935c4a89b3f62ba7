"""Three datasets, one per security level, loaded from the demo's VCF and metadata: ``pub``
(PUBLIC), ``reg`` (REGISTERED) and ``ctl`` (CONTROLLED); signing keys and the tokens of every
case the access rules must tell apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from access.keys import (
    AUDIENCE,
    ISSUER,
    SUBJECT,
    access_token,
    forge,
    new_rsa,
    passport,
    visa,
    write_jwks,
)

from app.store import DATASETS, Store, open_store
from loaders.demo.load import DEMO_ASSEMBLY, demo_data_dir
from loaders.metadata.load import load_metadata
from loaders.vcf.load import load_vcf

LEVEL_OF = {"pub": "PUBLIC", "reg": "REGISTERED", "ctl": "CONTROLLED"}
BASE_URL = "https://beacon.example.org"


def load_datasets(store: Store, dataset_ids: list[str]) -> Store:
    data = demo_data_dir()
    for dataset_id in dataset_ids:
        load_vcf(store, data / "demo.vcf.gz", dataset_id, DEMO_ASSEMBLY)
        load_metadata(store, [data / "metadata"], dataset_id)
    described = [{"_id": ident, "id": ident, "name": f"Dataset {ident}"} for ident in dataset_ids]
    store.upsert_by_id(DATASETS, described)
    return store


@pytest.fixture(scope="session")
def tiered_store() -> Store:
    """``pub``, ``reg`` and ``ctl`` (tests must only read it)."""
    return load_datasets(open_store("mongomock://localhost/access_tiers"), list(LEVEL_OF))


@pytest.fixture(scope="session")
def keys(tmp_path_factory) -> dict:
    """The trusted key (published in the JWKS) and an impostor using the same key id."""
    trusted, impostor = new_rsa("rsa-1"), new_rsa("rsa-1")
    jwks = write_jwks(tmp_path_factory.mktemp("jwks") / "jwks.json", trusted)
    return {"trusted": trusted, "impostor": impostor, "jwks": jwks}


def access_config(jwks: Path, **overrides) -> dict:
    """Every level answers records and the protections are off unless ``overrides`` say so."""
    return {
        "TESTING": True,
        "BASE_URL": BASE_URL,
        "DATASET_ACCESS": dict(LEVEL_OF),
        "ACCESS_GRANULARITY": {level: "record" for level in LEVEL_OF.values()},
        "SMALL_COUNT_THRESHOLD": 0,
        "RARE_ALLELE_FREQUENCY": 0,
        "QUERY_BUDGET": 0,
        "TOKEN_JWKS": str(jwks),
        "TOKEN_ISSUERS": [ISSUER],
        "TOKEN_AUDIENCES": [AUDIENCE],
        **overrides,
    }


# token case -> the datasets it sees (None: the token is refused with 401)
SEES: dict[str, set[str] | None] = {
    "none": {"pub"},
    "registered": {"pub", "reg"},
    "granted by visa": {"pub", "reg", "ctl"},
    "granted by URL": {"pub", "reg", "ctl"},
    "without grant": {"pub", "reg"},
    "expired": None,
    "wrong audience": None,
    "bad signature": None,
    "alg none": None,
}


@pytest.fixture(scope="session")
def tokens(keys) -> dict[str, str | None]:
    trusted, impostor = keys["trusted"], keys["impostor"]
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": SUBJECT, "exp": 4_000_000_000}
    return {
        "none": None,
        "registered": access_token(trusted),
        "granted by visa": passport(trusted, [visa(trusted, SUBJECT, "ctl")]),
        "granted by URL": access_token(trusted, datasets=[f"{BASE_URL}/datasets/ctl"]),
        "without grant": passport(trusted, [visa(trusted, SUBJECT, "another-dataset")]),
        "expired": access_token(trusted, exp_in=-3600),
        "wrong audience": access_token(trusted, aud="another-beacon"),
        "bad signature": access_token(impostor),
        "alg none": forge({"alg": "none", "typ": "JWT"}, claims),
    }


def headers(token: str | None) -> dict[str, str]:
    return {} if token is None else {"Authorization": f"Bearer {token}"}

"""Three datasets, one per security level, loaded from the demo's VCF and metadata: ``pub``
(PUBLIC), ``reg`` (REGISTERED) and ``ctl`` (CONTROLLED); the configuration the access tests
start from, and the token cases they tell apart."""

from __future__ import annotations

from pathlib import Path

from access.keys import AUDIENCE, ISSUER

from app.store import DATASETS, Store
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
    "granted elsewhere": {"pub", "reg"},
    "visa as token": None,
    "without grant": {"pub", "reg"},
    "expired": None,
    "wrong audience": None,
    "bad signature": None,
    "alg none": None,
}


def headers(token: str | None) -> dict[str, str]:
    return {} if token is None else {"Authorization": f"Bearer {token}"}

"""Fixtures of the access tests: the three-level store, signing keys, and a token per case."""

from __future__ import annotations

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
from access.tiers import BASE_URL, LEVEL_OF, load_datasets

from app.store import Store, open_store


@pytest.fixture(scope="session")
def tiered_store() -> Store:
    """``pub``, ``reg`` and ``ctl`` (tests must only read it)."""
    return load_datasets(open_store("mongomock://memory/access_tiers"), list(LEVEL_OF))


@pytest.fixture(scope="session")
def keys(tmp_path_factory) -> dict:
    """The trusted key (published in the JWKS) and an impostor using the same key id."""
    trusted, impostor = new_rsa("rsa-1"), new_rsa("rsa-1")
    jwks = write_jwks(tmp_path_factory.mktemp("jwks") / "jwks.json", trusted)
    return {"trusted": trusted, "impostor": impostor, "jwks": jwks}


@pytest.fixture(scope="session")
def tokens(keys) -> dict[str, str | None]:
    trusted, impostor = keys["trusted"], keys["impostor"]
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": SUBJECT, "exp": 4_000_000_000}
    return {
        "none": None,
        "registered": access_token(trusted),
        "granted by visa": passport(trusted, [visa(trusted, SUBJECT, "ctl")]),
        "granted by URL": access_token(trusted, datasets=[f"{BASE_URL}/datasets/ctl"]),
        # the same path on another host, or another scheme: a grant of another beacon's dataset
        "granted elsewhere": access_token(
            trusted,
            datasets=[
                "https://evil.example.com/x/datasets/ctl",
                "https://evil.example.com/datasets/ctl",
                f"{BASE_URL.replace('https:', 'http:')}/datasets/ctl",
            ],
        ),
        # a visa naming this beacon as its audience, sent as if it were the access token
        "visa as token": visa(trusted, SUBJECT, "ctl", aud=AUDIENCE),
        "without grant": passport(trusted, [visa(trusted, SUBJECT, "another-dataset")]),
        "expired": access_token(trusted, exp_in=-3600),
        "wrong audience": access_token(trusted, aud="another-beacon"),
        "bad signature": access_token(impostor),
        "alg none": forge({"alg": "none", "typ": "JWT"}, claims),
    }

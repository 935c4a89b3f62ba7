"""The network's token issuer: a signing key, its JWKS file, and tokens for the controlled node.

Keys and tokens come from ``access.keys`` (made on the spot, nothing reaches a network). The
nodes that accept tokens trust ``ISSUER`` for ``AUDIENCE`` with the keys of ``jwks_path``; a hub
forwarding a caller's token should see each node answer as that token allows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from access.keys import (
    AUDIENCE,
    ISSUER,
    SUBJECT,
    KeyPair,
    access_token,
    new_rsa,
    passport,
    visa,
    write_jwks,
)

TOKEN_LIFETIME = 6 * 3600  # seconds: longer than any test run


@dataclass(frozen=True)
class NetworkCredentials:
    """``tokens`` by case:

    - ``granted``: grants the controlled datasets in its ``datasets`` claim;
    - ``granted_by_visa``: grants them through a GA4GH passport visa;
    - ``ungranted``: valid, from the trusted issuer, granting nothing;
    - ``bad_signature``: signed by an impostor key with the trusted key's id (401 on a node);
    - ``expired``: expired an hour ago (401 on a node).
    """

    issuer: str
    audience: str
    subject: str
    jwks_path: Path
    signing_key: KeyPair
    tokens: dict[str, str] = field(default_factory=dict)

    def bearer(self, case: str) -> dict[str, str]:
        """The ``Authorization`` header carrying the token of ``case``."""
        return {"Authorization": f"Bearer {self.tokens[case]}"}

    def token_granting(self, *dataset_ids: str, **claims: Any) -> str:
        """A further valid token granting ``dataset_ids`` (claims such as ``sub`` override)."""
        return access_token(
            self.signing_key, exp_in=TOKEN_LIFETIME, datasets=list(dataset_ids), **claims
        )

    def node_settings(self) -> dict[str, Any]:
        """The ``create_app`` settings making a node trust these tokens."""
        return {
            "TOKEN_JWKS": str(self.jwks_path),
            "TOKEN_ISSUERS": [self.issuer],
            "TOKEN_AUDIENCES": [self.audience],
        }


def make_credentials(directory: Path, granted_datasets: tuple[str, ...]) -> NetworkCredentials:
    """A fresh key published in ``directory/jwks.json`` and the token cases for the datasets."""
    directory.mkdir(parents=True, exist_ok=True)
    trusted, impostor = new_rsa("network-key-1"), new_rsa("network-key-1")
    jwks = write_jwks(directory / "jwks.json", trusted)
    visas = [
        visa(trusted, SUBJECT, dataset_id, exp_in=TOKEN_LIFETIME) for dataset_id in granted_datasets
    ]
    tokens = {
        "granted": access_token(trusted, exp_in=TOKEN_LIFETIME, datasets=list(granted_datasets)),
        "granted_by_visa": passport(trusted, visas, exp_in=TOKEN_LIFETIME),
        "ungranted": access_token(trusted, exp_in=TOKEN_LIFETIME),
        "bad_signature": access_token(
            impostor, exp_in=TOKEN_LIFETIME, datasets=list(granted_datasets)
        ),
        "expired": access_token(trusted, exp_in=-3600, datasets=list(granted_datasets)),
    }
    return NetworkCredentials(ISSUER, AUDIENCE, SUBJECT, jwks, trusted, tokens)

"""Signing keys made on the spot, and the tokens, visas and passports tests sign with them.

Nothing here reaches a network: keys are generated locally, published as a JWKS file, and the
tests point ``TokenSettings.jwks`` at it. ``forge`` builds a JWS by hand for the tokens a
library refuses to make (``alg: none``, HMAC with a public key as the secret).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import get_default_algorithms

from app.access.tokens import GRANT_VISA_TYPE, PASSPORT_CLAIM, VISA_CLAIM, TokenSettings

ISSUER = "https://login.example.org/"
AUDIENCE = "asia-beacon"
SUBJECT = "alice@example.org"


@dataclass(frozen=True)
class KeyPair:
    """A private signing key and its public half as the JWKS publishes it."""

    kid: str
    alg: str
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    public_jwk: dict[str, Any]

    @property
    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def new_rsa(kid: str = "rsa-1") -> KeyPair:
    return _pair(kid, "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))


def new_ec(kid: str = "ec-1") -> KeyPair:
    return _pair(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))


def _pair(kid: str, alg: str, private_key: Any) -> KeyPair:
    public_jwk = get_default_algorithms()[alg].to_jwk(private_key.public_key(), as_dict=True)
    public_jwk |= {"kid": kid, "alg": alg, "use": "sig"}
    return KeyPair(kid, alg, private_key, public_jwk)


def write_jwks(path: Path, *pairs: KeyPair) -> Path:
    """Publish the public halves of ``pairs`` as a JWKS file at ``path``."""
    path = Path(path)
    path.write_text(json.dumps({"keys": [pair.public_jwk for pair in pairs]}), encoding="utf-8")
    return path


def token_settings(jwks: str | Path, **overrides: Any) -> TokenSettings:
    """Settings trusting ``ISSUER`` for ``AUDIENCE`` with the keys at ``jwks``."""
    fields = {"jwks": str(jwks), "issuers": (ISSUER,), "audience": (AUDIENCE,)} | overrides
    return TokenSettings(**fields)


def mint(pair: KeyPair, *, headers: Mapping[str, Any] | None = None, **claims: Any) -> str:
    """A JWT signed by ``pair`` with ``iat`` filled in; the caller gives iss/sub/aud/exp.
    ``headers`` adds to or overrides the header; a None value (header or claim) leaves it out."""
    header = _present({"kid": pair.kid} | dict(headers or {}))
    payload = _present({"iat": _now()} | claims)
    return jwt.encode(payload, pair.private_key, pair.alg, headers=header)


def _present(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


def access_token(pair: KeyPair, sub: str = SUBJECT, exp_in: int = 600, **claims: Any) -> str:
    """An access token from ``ISSUER`` for ``AUDIENCE``, valid for ``exp_in`` seconds."""
    defaults = {"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "exp": _now() + exp_in}
    return mint(pair, **(defaults | claims))


def visa(
    pair: KeyPair,
    sub: str,
    value: str,
    iss: str = ISSUER,
    type_: str = GRANT_VISA_TYPE,
    exp_in: int = 3600,
    **claims: Any,
) -> str:
    """A GA4GH visa JWT asserting ``value`` (for a grant: a dataset id or URL) about ``sub``."""
    body = {
        "type": type_,
        "value": value,
        "source": "https://dac.example.org",
        "by": "dac",
        "asserted": _now() - 60,
    }
    return mint(pair, iss=iss, sub=sub, exp=_now() + exp_in, **({VISA_CLAIM: body} | claims))


def passport(pair: KeyPair, visas: list[Any], sub: str = SUBJECT, **claims: Any) -> str:
    """An access token carrying ``visas`` as its GA4GH passport."""
    return access_token(pair, sub=sub, **({PASSPORT_CLAIM: visas} | claims))


def forge(
    header: Mapping[str, Any],
    claims: Mapping[str, Any],
    sign: Callable[[bytes], bytes] | None = None,
) -> str:
    """A compact JWS built by hand; without ``sign`` the signature is empty (unsigned)."""
    signing_input = f"{_segment(header)}.{_segment(claims)}".encode("ascii")
    signature = sign(signing_input) if sign else b""
    return f"{signing_input.decode('ascii')}.{_b64url(signature)}"


def _segment(part: Mapping[str, Any]) -> str:
    return _b64url(json.dumps(dict(part), separators=(",", ":")).encode("utf-8"))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _now() -> int:
    return int(time.time())

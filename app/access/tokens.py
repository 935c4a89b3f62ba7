"""Bearer tokens and GA4GH passports: who the caller is and which datasets they are granted.

A token is a JWT signed by a key of one JWKS: a file read once at start-up, or an http(s) URL
fetched and cached by ``jwt.PyJWKClient``. Only asymmetric algorithms are accepted, so a public
key can never be replayed as an HMAC secret (key confusion), and ``alg: none`` never verifies.

A token grants datasets two ways: the values of its ``ControlledAccessGrants`` visas (GA4GH
Passport, ``ga4gh_passport_v1``) and a plain list claim (``TokenSettings.grants_claim``). A visa
that does not check out is left out rather than failing the token: the caller just sees less.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jwt
from jwt.algorithms import get_default_algorithms
from jwt.exceptions import InvalidSubjectError

from app.config import ConfigurationError

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
JWKS_FETCH_TIMEOUT_SECONDS = 5
PASSPORT_CLAIM = "ga4gh_passport_v1"
VISA_CLAIM = "ga4gh_visa_v1"
GRANT_VISA_TYPE = "ControlledAccessGrants"
# JWT ``typ`` values (RFC 7515 4.1.9, "application/" left out) of GA4GH AAI 1.2 and OAuth
VISA_TYPE = "vnd.ga4gh.visa+jwt"
NOT_VISA_TYPES = frozenset({"vnd.ga4gh.passport+jwt", "at+jwt"})
DEFAULT_PORTS = {"http": 80, "https": 443}

# Why PyJWT refused a token, in words for the caller; subclasses come before their bases.
_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet (nbf or iat in the future)"),
    (jwt.InvalidAudienceError, "the token is not for this beacon (audience)"),
    (jwt.InvalidIssuerError, "the token's issuer is not trusted"),
    (jwt.InvalidSignatureError, "the token's signature is not valid"),
    (jwt.InvalidIssuedAtError, "the token's issue time (iat) is not a number"),
    (InvalidSubjectError, "the token's subject (sub) is not a string"),
    (jwt.InvalidAlgorithmError, "the token's algorithm does not match its signing key"),
    (jwt.DecodeError, "the token is malformed"),
)


@dataclass(frozen=True)
class Identity:
    """Who a valid token says the caller is, and the datasets it grants."""

    issuer: str
    subject: str
    grants: frozenset[str]  # dataset ids or URLs (ControlledAccessGrants visas + grants claim)


class InvalidTokenError(Exception):
    """The caller's token is not acceptable (answered with 401); the message says why and never
    repeats the token."""


class SigningKeysUnavailableError(Exception):
    """The signing keys could not be fetched: a fault on our side or the issuer's, not the
    caller's (answered with 503)."""


@dataclass(frozen=True)
class TokenSettings:
    jwks: str  # path of a JWKS JSON file or an http(s) URL of one; "" = no token is accepted
    issuers: tuple[str, ...]  # trusted issuers of tokens and visas
    audience: tuple[str, ...]  # a token's aud must name one of these
    algorithms: tuple[str, ...] = ("RS256", "ES256")
    grants_claim: str = "datasets"  # optional top-level list claim of granted datasets
    leeway_seconds: int = 30  # clock skew allowed on exp, nbf and iat


class TokenVerifier:
    """Checks bearer tokens against one configuration; build it once and share it (the URL key
    set is cached for five minutes, so a rotated key is seen within that time)."""

    def __init__(self, settings: TokenSettings) -> None:
        self.settings = settings
        self._file_keys: tuple[jwt.PyJWK, ...] = ()
        self._client: jwt.PyJWKClient | None = None
        if not settings.jwks:
            return
        _check_settings(settings)
        if urlsplit(settings.jwks).scheme.lower() in ("http", "https"):
            self._client = jwt.PyJWKClient(settings.jwks, timeout=JWKS_FETCH_TIMEOUT_SECONDS)
        else:
            self._file_keys = _read_jwks_file(Path(settings.jwks))

    def verify(self, token: str) -> Identity:
        """The identity a token proves; raises InvalidTokenError, or SigningKeysUnavailableError
        when the keys to judge it cannot be fetched."""
        if not self.settings.jwks:
            raise InvalidTokenError("this beacon accepts no tokens")
        header, claims = self._decode(token, audience=self.settings.audience)
        if _is_visa(header, claims):
            raise InvalidTokenError(
                "a GA4GH visa is not an access token: send the passport or token carrying it"
            )
        subject = claims["sub"]
        grants_claim = self.settings.grants_claim
        grants = set(_strings(claims.get(grants_claim))) if grants_claim else set()
        for visa in _strings(claims.get(PASSPORT_CLAIM)):
            if (grant := self._visa_grant(visa, subject)) is not None:
                grants.add(grant)
        return Identity(issuer=claims["iss"], subject=subject, grants=frozenset(grants))

    def _visa_grant(self, visa: str, subject: str) -> str | None:
        """The dataset a visa grants, or None when it does not verify, is about someone else, is
        not a grant, or carries conditions this beacon does not evaluate."""
        try:
            header, claims = self._decode(visa, audience=None)
        except InvalidTokenError:
            return None
        body = claims.get(VISA_CLAIM)
        if claims["sub"] != subject or not isinstance(body, dict) or not _is_visa(header, claims):
            return None
        if "aud" in claims and not _names_one_of(claims["aud"], self.settings.audience):
            return None
        if body.get("type") != GRANT_VISA_TYPE or body.get("conditions"):
            return None
        value = body.get("value")
        return value if isinstance(value, str) and value else None

    def _decode(
        self, token: str, *, audience: tuple[str, ...] | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The header and verified claims of a JWT; ``audience=None`` (visas) leaves aud to the
        caller."""
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, TypeError, ValueError):
            raise InvalidTokenError("the token is malformed") from None
        algorithm = header.get("alg")
        if isinstance(algorithm, str) and algorithm.lower() == "none":
            raise InvalidTokenError("unsigned tokens are not accepted")
        if algorithm not in self.settings.algorithms:
            raise InvalidTokenError(_not_accepted(algorithm))
        key = self._signing_key(header.get("kid"), algorithm)
        required = ["exp", "iss", "sub"] if audience is None else ["exp", "iss", "sub", "aud"]
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=audience,
                issuer=self.settings.issuers,
                leeway=self.settings.leeway_seconds,
                options={"require": required, "verify_aud": audience is not None},
            )
        except jwt.MissingRequiredClaimError as error:
            raise InvalidTokenError(f"the token has no {error.claim!r} claim") from None
        except jwt.PyJWTError as error:
            raise InvalidTokenError(_reason(error)) from None
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise InvalidTokenError("the token's subject (sub) is not a non-empty string")
        return header, claims

    def _signing_key(self, kid: str | None, algorithm: str) -> jwt.PyJWK:
        """The key named by ``kid``, or without a kid the one key usable with the algorithm. A
        JWK without ``alg`` serves the one PyJWT infers (RS256 for RSA, ES256 for P-256...)."""
        usable = [
            key
            for key in self._keys()
            if key.algorithm_name == algorithm and key.public_key_use in (None, "sig")
        ]
        if kid is not None:
            usable = [key for key in usable if key.key_id == kid]
        if not usable:
            raise InvalidTokenError("the token's signing key is not known to this beacon")
        if kid is None and len(usable) > 1:
            raise InvalidTokenError("the token names no key (kid) and several keys could sign it")
        return usable[0]

    def _keys(self) -> tuple[jwt.PyJWK, ...]:
        if self._client is None:
            return self._file_keys
        try:
            return tuple(self._client.get_jwk_set().keys)
        except (jwt.PyJWTError, OSError, ValueError) as error:
            raise SigningKeysUnavailableError(
                f"cannot fetch the signing keys from {self.settings.jwks}"
            ) from error


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None when there is no header.
    A header of another scheme or a malformed one raises InvalidTokenError."""
    if authorization is None:
        return None
    parts = authorization.split()
    if not parts or parts[0].lower() != "bearer":
        raise InvalidTokenError("only Bearer authorization is accepted")
    if len(parts) != 2:
        raise InvalidTokenError("the Authorization header is not 'Bearer <token>'")
    return parts[1]


def grants_dataset(grants: frozenset[str], dataset_id: str, beacon_url: str = "") -> bool:
    """Whether the grants name a dataset of this beacon: by id, or by its URL, which is this
    beacon's own base URL (``beacon_url``: scheme, host and port alike, and its path) followed
    by ``/datasets/<id>`` (query, fragment and a trailing slash aside). Without a base URL, no
    URL grant names a dataset here: the host a request names is the caller's to choose."""
    if not dataset_id:
        return False
    if dataset_id in grants:
        return True
    own = _location(beacon_url)
    return own is not None and any(_url_dataset(grant, own) == dataset_id for grant in grants)


def _url_dataset(grant: str, own: tuple[str, str, int, str]) -> str | None:
    """The dataset id a URL grant names at the location ``own``; None for anything else."""
    location = _location(grant)
    if location is None or location[:3] != own[:3]:
        return None
    prefix = f"{own[3]}/datasets/"
    path = location[3]
    if not path.startswith(prefix) or "/" in path[len(prefix) :]:
        return None
    return unquote(path[len(prefix) :]) or None


def _location(url: str) -> tuple[str, str, int, str] | None:
    """An http(s) URL as (scheme, host, port, path without its trailing slash); None when it
    is not one, or names a user (``user@host``)."""
    try:
        parts = urlsplit(url)
        scheme, port = parts.scheme.lower(), parts.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme], parts.path.rstrip("/")


def _check_settings(settings: TokenSettings) -> None:
    """Refuse configurations under which no token could pass, or a forged one could."""
    if not settings.issuers:
        raise ConfigurationError(
            "TOKEN_ISSUERS",
            "accepting tokens (TOKEN_JWKS is set) needs at least one trusted issuer",
        )
    if not settings.audience:
        raise ConfigurationError(
            "TOKEN_AUDIENCES",
            "accepting tokens (TOKEN_JWKS is set) needs at least one audience naming this beacon",
        )
    unsafe = [name for name in settings.algorithms if name not in ASYMMETRIC_ALGORITHMS]
    if unsafe or not settings.algorithms:
        raise ConfigurationError(
            "TOKEN_ALGORITHMS",
            f"token algorithms must be asymmetric, one or more of {sorted(ASYMMETRIC_ALGORITHMS)};"
            f" not {unsafe or 'none at all'}",
        )


def _read_jwks_file(path: Path) -> tuple[jwt.PyJWK, ...]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict):
            raise ValueError("it is not a JSON object")
        return tuple(jwt.PyJWKSet.from_dict(document).keys)
    except (OSError, ValueError, jwt.PyJWTError) as error:
        raise ConfigurationError(
            "TOKEN_JWKS", f"cannot read the JWKS file {path}: {error}"
        ) from error


def _reason(error: jwt.PyJWTError) -> str:
    for kind, reason in _REASONS:
        if isinstance(error, kind):
            return reason
    return "the token is not valid"


def _not_accepted(algorithm: object) -> str:
    """Names the algorithm only when it is a known one, so the message never carries token text."""
    if isinstance(algorithm, str) and algorithm in get_default_algorithms():
        return f"the token's algorithm {algorithm} is not accepted"
    return "the token's algorithm is missing or unknown"


def _is_visa(header: dict[str, Any], claims: dict[str, Any]) -> bool:
    """A visa carries the visa claim and never a passport, and its ``typ``, when it says, is
    the visa's: an access token (or passport) is everything else. A visa whose ``aud`` names
    this beacon must still not pass for an access token."""
    kind = header.get("typ")
    kind = kind.lower().removeprefix("application/") if isinstance(kind, str) else None
    if kind == VISA_TYPE:
        return True
    return VISA_CLAIM in claims and PASSPORT_CLAIM not in claims and kind not in NOT_VISA_TYPES


def _names_one_of(aud: object, audience: tuple[str, ...]) -> bool:
    names = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    return any(name in audience for name in names if isinstance(name, str))


def _strings(value: object) -> list[str]:
    """The non-empty strings of a list claim; anything else in it (or a non-list) is ignored."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str) and item]

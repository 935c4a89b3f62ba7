"""Bearer tokens and passports checked against keys generated here and published as a JWKS."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
from access.keys import (
    AUDIENCE,
    ISSUER,
    SUBJECT,
    KeyPair,
    access_token,
    forge,
    mint,
    new_ec,
    new_rsa,
    passport,
    token_settings,
    visa,
    write_jwks,
)

from app.access.tokens import (
    GRANT_VISA_TYPE,
    VISA_CLAIM,
    Identity,
    InvalidTokenError,
    SigningKeysUnavailableError,
    TokenSettings,
    TokenVerifier,
    bearer_token,
    grants_dataset,
)


@pytest.fixture(scope="module")
def rsa_key() -> KeyPair:
    return new_rsa()


@pytest.fixture(scope="module")
def ec_key() -> KeyPair:
    return new_ec()


@pytest.fixture(scope="module")
def impostor() -> KeyPair:
    """Another RSA key claiming the trusted key's kid."""
    return new_rsa("rsa-1")


@pytest.fixture(scope="module")
def jwks_path(tmp_path_factory, rsa_key: KeyPair, ec_key: KeyPair) -> Path:
    return write_jwks(tmp_path_factory.mktemp("jwks") / "jwks.json", rsa_key, ec_key)


@pytest.fixture(scope="module")
def verifier(jwks_path: Path) -> TokenVerifier:
    return TokenVerifier(token_settings(jwks_path))


def rejection(verifier: TokenVerifier, token: str) -> str:
    """Why the verifier refuses ``token``; the reason must not repeat it."""
    with pytest.raises(InvalidTokenError) as caught:
        verifier.verify(token)
    message = str(caught.value)
    assert not token or token not in message
    return message


# --- valid tokens ---------------------------------------------------------------------------


@pytest.mark.parametrize("key_name", ["rsa_key", "ec_key"])
def test_valid_token_gives_the_identity(verifier, key_name, request):
    key = request.getfixturevalue(key_name)
    identity = verifier.verify(access_token(key))
    assert identity == Identity(issuer=ISSUER, subject=SUBJECT, grants=frozenset())


def test_audience_list_naming_this_beacon_is_accepted(verifier, rsa_key):
    token = access_token(rsa_key, aud=["another-service", AUDIENCE])
    assert verifier.verify(token).subject == SUBJECT


def test_token_without_kid_uses_the_one_key_for_its_algorithm(verifier, ec_key):
    token = access_token(ec_key, headers={"kid": None})
    assert verifier.verify(token).subject == SUBJECT


def test_token_without_kid_is_refused_when_several_keys_fit(tmp_path, rsa_key):
    jwks = write_jwks(tmp_path / "jwks.json", rsa_key, new_rsa("rsa-2"))
    token = access_token(rsa_key, headers={"kid": None})
    assert "kid" in rejection(TokenVerifier(token_settings(jwks)), token)


def test_clock_skew_within_the_leeway_is_tolerated(verifier, rsa_key):
    assert verifier.verify(access_token(rsa_key, exp_in=-10)).subject == SUBJECT


# --- refused tokens -------------------------------------------------------------------------


def test_expired_token(verifier, rsa_key):
    assert rejection(verifier, access_token(rsa_key, exp_in=-120)) == "the token has expired"


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_token_not_valid_yet(verifier, rsa_key, claim):
    token = access_token(rsa_key, **{claim: int(time.time()) + 600})
    assert "not valid yet" in rejection(verifier, token)


def test_wrong_audience(verifier, rsa_key):
    token = access_token(rsa_key, aud="some-other-beacon")
    assert rejection(verifier, token) == "the token is not for this beacon (audience)"


def test_wrong_issuer(verifier, rsa_key):
    token = access_token(rsa_key, iss="https://evil.example.com/")
    assert rejection(verifier, token) == "the token's issuer is not trusted"


def test_signature_by_another_key_with_the_same_kid(verifier, impostor):
    assert rejection(verifier, access_token(impostor)) == "the token's signature is not valid"


def test_unknown_kid(verifier, rsa_key):
    token = access_token(rsa_key, headers={"kid": "rotated-away"})
    assert "signing key is not known" in rejection(verifier, token)


def test_algorithm_not_matching_the_named_key(verifier, ec_key):
    token = access_token(ec_key, headers={"kid": "rsa-1"})
    assert "signing key is not known" in rejection(verifier, token)


def test_unsigned_token(verifier):
    claims = {"iss": ISSUER, "sub": SUBJECT, "aud": AUDIENCE, "exp": int(time.time()) + 600}
    for alg in ("none", "None", "NONE"):
        token = forge({"alg": alg, "typ": "JWT"}, claims)
        assert rejection(verifier, token) == "unsigned tokens are not accepted"


def _hmac_sha256(secret: bytes, data: bytes) -> bytes:
    return hmac.new(secret, data, hashlib.sha256).digest()


def test_hmac_signed_with_the_public_key_is_refused(verifier, rsa_key):
    """Key confusion: a verifier that let the token pick HS256 would take the published PEM as
    the HMAC secret and accept anything."""
    claims = {"iss": ISSUER, "sub": SUBJECT, "aud": AUDIENCE, "exp": int(time.time()) + 600}
    sign = partial(_hmac_sha256, rsa_key.public_pem)
    token = forge({"alg": "HS256", "typ": "JWT", "kid": rsa_key.kid}, claims, sign)
    assert rejection(verifier, token) == "the token's algorithm HS256 is not accepted"


def test_algorithm_outside_the_allowed_list(tmp_path, rsa_key, ec_key):
    jwks = write_jwks(tmp_path / "jwks.json", rsa_key, ec_key)
    only_rsa = TokenVerifier(token_settings(jwks, algorithms=("RS256",)))
    token = access_token(ec_key)
    assert rejection(only_rsa, token) == "the token's algorithm ES256 is not accepted"


@pytest.mark.parametrize("claim", ["exp", "sub", "iss", "aud"])
def test_required_claim_missing(verifier, rsa_key, claim):
    token = access_token(rsa_key, **{claim: None})
    assert rejection(verifier, token) == f"the token has no '{claim}' claim"


@pytest.mark.parametrize("sub", ["", 42])
def test_subject_must_be_a_non_empty_string(verifier, rsa_key, sub):
    assert "subject" in rejection(verifier, access_token(rsa_key, sub=sub))


@pytest.mark.parametrize(
    "garbage", ["garbage", "", "a.b.c", "....", "eyJhbGciOiJSUzI1NiJ9.e30", "é.é.é"]
)
def test_garbage_is_malformed(verifier, garbage):
    assert rejection(verifier, garbage) == "the token is malformed"


def test_beacon_without_keys_accepts_no_tokens(rsa_key):
    no_tokens = TokenVerifier(TokenSettings(jwks="", issuers=(), audience=()))
    token = access_token(rsa_key)
    assert rejection(no_tokens, token) == "this beacon accepts no tokens"


# --- configuration --------------------------------------------------------------------------


def test_unreadable_jwks_file_fails_at_construction(tmp_path):
    with pytest.raises(ValueError, match="cannot read the JWKS file"):
        TokenVerifier(token_settings(tmp_path / "missing.json"))


@pytest.mark.parametrize("content", ["not json", "[]", '{"keys": []}', '{"keys": [{"kty": "?"}]}'])
def test_invalid_jwks_file_fails_at_construction(tmp_path, content):
    path = tmp_path / "jwks.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="cannot read the JWKS file"):
        TokenVerifier(token_settings(path))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"issuers": ()}, "trusted issuer"),
        ({"audience": ()}, "audience"),
        ({"algorithms": ("RS256", "HS256")}, "asymmetric"),
        ({"algorithms": ("none",)}, "asymmetric"),
        ({"algorithms": ()}, "asymmetric"),
    ],
)
def test_unsafe_or_useless_settings_fail_at_construction(jwks_path, overrides, message):
    with pytest.raises(ValueError, match=message):
        TokenVerifier(token_settings(jwks_path, **overrides))


# --- JWKS served over HTTP ------------------------------------------------------------------


@pytest.fixture(scope="module")
def jwks_server(jwks_path: Path) -> Iterator[str]:
    """The JWKS file's directory served on 127.0.0.1; yields the base URL."""
    handler = partial(_QuietHandler, directory=str(jwks_path.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def test_jwks_from_a_url(jwks_server, jwks_path, rsa_key, ec_key, impostor):
    from_url = TokenVerifier(token_settings(f"{jwks_server}/{jwks_path.name}"))
    assert from_url.verify(access_token(rsa_key)).subject == SUBJECT
    assert from_url.verify(access_token(ec_key)).subject == SUBJECT
    assert rejection(from_url, access_token(impostor)) == "the token's signature is not valid"


@pytest.mark.parametrize("path", ["missing.json", ""])
def test_unfetchable_jwks_is_a_server_problem(jwks_server, rsa_key, path):
    """A 404, or a directory listing that is not JSON: the caller's token is not at fault."""
    from_url = TokenVerifier(token_settings(f"{jwks_server}/{path}"))
    with pytest.raises(SigningKeysUnavailableError, match="cannot fetch the signing keys"):
        from_url.verify(access_token(rsa_key))


# --- passports and grants -------------------------------------------------------------------


def test_grant_visa_grants_its_dataset(verifier, rsa_key, ec_key):
    visas = [
        visa(ec_key, SUBJECT, "ds-1"),
        visa(rsa_key, SUBJECT, "https://b.example/datasets/ds-2"),
    ]
    identity = verifier.verify(passport(rsa_key, visas))
    assert identity.grants == {"ds-1", "https://b.example/datasets/ds-2"}


@pytest.fixture(scope="module")
def bad_visas(rsa_key: KeyPair) -> dict[str, object]:
    """Passport entries that must grant nothing, by what is wrong with them."""
    stranger = new_ec("ec-1")  # claims a published kid but is not the published key
    body = {"type": GRANT_VISA_TYPE, "value": "ds-9", "source": "s", "by": "dac", "asserted": 1}
    conditions = [[{"type": "AffiliationAndRole", "value": "faculty@example.org"}]]
    unsigned = {"iss": ISSUER, "sub": SUBJECT, "exp": int(time.time()) + 600, VISA_CLAIM: body}
    return {
        "expired": visa(rsa_key, SUBJECT, "ds-9", exp_in=-600),
        "other-type": visa(rsa_key, SUBJECT, "ds-9", type_="LinkedIdentities"),
        "unknown-key": visa(stranger, SUBJECT, "ds-9"),
        "other-subject": visa(rsa_key, "mallory@example.org", "ds-9"),
        "untrusted-issuer": visa(rsa_key, SUBJECT, "ds-9", iss="https://evil.test/"),
        "other-audience": visa(rsa_key, SUBJECT, "ds-9", aud="other-beacon"),
        "empty-value": visa(rsa_key, SUBJECT, ""),
        # Conditions name other visas the caller must also hold; this beacon does not evaluate
        # them, so such a grant is not honoured.
        "conditions": visa(
            rsa_key, SUBJECT, "ds-9", **{VISA_CLAIM: body | {"conditions": conditions}}
        ),
        "visa-claim-not-an-object": visa(rsa_key, SUBJECT, "ds-9", **{VISA_CLAIM: "ds-9"}),
        "unsigned": forge({"alg": "none"}, unsigned),
        "garbage": "not a jwt",
        "not-a-string": {"value": "ds-9"},
    }


@pytest.mark.parametrize(
    "case",
    [
        "expired",
        "other-type",
        "unknown-key",
        "other-subject",
        "untrusted-issuer",
        "other-audience",
        "empty-value",
        "conditions",
        "visa-claim-not-an-object",
        "unsigned",
        "garbage",
        "not-a-string",
    ],
)
def test_bad_visa_is_ignored_not_fatal(verifier, rsa_key, bad_visas, case):
    visas = [bad_visas[case], visa(rsa_key, SUBJECT, "ds-1")]
    assert verifier.verify(passport(rsa_key, visas)).grants == {"ds-1"}


def test_visa_naming_this_beacon_as_audience_grants(verifier, rsa_key):
    token = passport(rsa_key, [visa(rsa_key, SUBJECT, "ds-1", aud=AUDIENCE)])
    assert verifier.verify(token).grants == {"ds-1"}


def test_passport_claim_that_is_not_a_list_grants_nothing(verifier, rsa_key):
    assert verifier.verify(passport(rsa_key, "ds-1")).grants == frozenset()  # type: ignore[arg-type]


def test_grants_claim_grants_directly(verifier, rsa_key):
    token = access_token(rsa_key, datasets=["ds-1", 7, None, "", "https://b.example/datasets/ds-2"])
    assert verifier.verify(token).grants == {"ds-1", "https://b.example/datasets/ds-2"}


def test_grants_claim_name_is_configurable(jwks_path, rsa_key):
    custom = TokenVerifier(token_settings(jwks_path, grants_claim="beacon_datasets"))
    token = access_token(rsa_key, beacon_datasets=["ds-3"], datasets=["ds-1"])
    assert custom.verify(token).grants == {"ds-3"}


def test_grants_claim_and_visas_add_up(verifier, rsa_key):
    token = passport(rsa_key, [visa(rsa_key, SUBJECT, "ds-1")], datasets=["ds-2"])
    assert verifier.verify(token).grants == {"ds-1", "ds-2"}


HERE = "https://beacon.example"


@pytest.mark.parametrize(
    ("grants", "dataset_id", "beacon_url", "expected"),
    [
        ({"ds-1"}, "ds-1", HERE, True),
        ({"ds-1"}, "ds-1", "", True),
        ({"ds-1"}, "ds-2", HERE, False),
        ({"ds-10"}, "ds-1", HERE, False),
        ({"https://beacon.example/datasets/ds-1"}, "ds-1", HERE, True),
        ({"https://BEACON.example:443/datasets/ds-1/"}, "ds-1", HERE, True),
        ({"https://beacon.example/datasets/ds-1?v=2#top"}, "ds-1", HERE, True),
        ({"http://beacon.example/datasets/ds%201"}, "ds 1", "http://beacon.example", True),
        ({"https://host.example/api/datasets/ds-1"}, "ds-1", "https://host.example/api/", True),
        # another beacon's dataset of the same name: host, scheme, port and path all count
        ({"https://evil.example.com/x/datasets/ds-1"}, "ds-1", HERE, False),
        ({"https://evil.example.com/datasets/ds-1"}, "ds-1", HERE, False),
        ({"http://beacon.example/datasets/ds-1"}, "ds-1", HERE, False),
        ({"https://beacon.example:8443/datasets/ds-1"}, "ds-1", HERE, False),
        ({"https://beacon.example/api/datasets/ds-1"}, "ds-1", HERE, False),
        ({"https://host.example/datasets/ds-1"}, "ds-1", "https://host.example/api", False),
        ({"https://beacon.example.evil.com/datasets/ds-1"}, "ds-1", HERE, False),
        ({"https://beacon.example@evil.com/datasets/ds-1"}, "ds-1", HERE, False),
        ({"https://evil.com@beacon.example/datasets/ds-1"}, "ds-1", HERE, False),
        ({"https://beacon.example/x/../datasets/ds-1"}, "ds-1", HERE, False),
        # without its own base URL a beacon cannot tell its URLs from others': ids only
        ({"https://beacon.example/datasets/ds-1"}, "ds-1", "", False),
        ({"https://beacon.example/datasets/ds-10"}, "ds-1", HERE, False),
        ({"https://beacon.example/datasets/xds-1"}, "ds-1", HERE, False),
        ({"https://beacon.example/datasets/ds-1/variants"}, "ds-1", HERE, False),
        ({"https://beacon.example/ds-1"}, "ds-1", HERE, False),
        ({"/datasets/ds-1"}, "ds-1", HERE, False),
        ({"ftp://beacon.example/datasets/ds-1"}, "ds-1", HERE, False),
        ({"http://[broken/datasets/ds-1"}, "ds-1", HERE, False),
        (set(), "ds-1", HERE, False),
        ({""}, "", HERE, False),
    ],
)
def test_grants_dataset(grants, dataset_id, beacon_url, expected):
    assert grants_dataset(frozenset(grants), dataset_id, beacon_url) is expected


def test_a_visa_is_not_an_access_token(verifier, rsa_key):
    """A visa is signed by a trusted issuer about the caller, and may name this beacon as its
    audience: it still only grants inside a passport, and is refused as the token itself."""
    for token in (
        visa(rsa_key, SUBJECT, "ds-1", aud=AUDIENCE),
        visa(rsa_key, SUBJECT, "ds-1", aud=AUDIENCE, headers={"typ": "JWT"}),
        access_token(rsa_key, headers={"typ": "application/vnd.ga4gh.visa+jwt"}),
    ):
        assert "visa" in rejection(verifier, token)


def test_passports_and_access_tokens_are_told_by_their_type(verifier, rsa_key):
    """A passport (an access token carrying visas) is accepted whatever its visa-like claims;
    an entry of the passport that is one is not a visa."""
    inner = visa(rsa_key, SUBJECT, "ds-1")
    typed = {"typ": "vnd.ga4gh.passport+jwt"}
    token = passport(rsa_key, [inner], headers=typed)
    assert verifier.verify(token).grants == {"ds-1"}
    disguised = access_token(rsa_key, aud=None, ga4gh_visa_v1=_grant_body("ds-2"), headers=typed)
    assert verifier.verify(passport(rsa_key, [disguised])).grants == frozenset()
    nested = mint(
        rsa_key,
        iss=ISSUER,
        sub=SUBJECT,
        exp=int(time.time()) + 600,
        ga4gh_visa_v1=_grant_body("ds-3"),
        ga4gh_passport_v1=[inner],
    )
    assert verifier.verify(passport(rsa_key, [nested])).grants == frozenset()


def _grant_body(value: str) -> dict:
    return {"type": GRANT_VISA_TYPE, "value": value, "source": "s", "by": "dac", "asserted": 1}


# --- the Authorization header ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "token"),
    [(None, None), ("Bearer abc.def.ghi", "abc.def.ghi"), ("bearer x", "x"), ("BEARER  x ", "x")],
)
def test_bearer_token(header, token):
    assert bearer_token(header) == token


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "", "   "])
def test_bearer_token_refuses_other_schemes_and_malformed_headers(header):
    with pytest.raises(InvalidTokenError):
        bearer_token(header)


def test_mint_fills_iat(rsa_key):
    """The helper other test files rely on: tokens carry iat and the pair's kid."""
    token = mint(rsa_key, iss=ISSUER, sub=SUBJECT)
    assert jwt.get_unverified_header(token)["kid"] == rsa_key.kid
    assert abs(jwt.decode(token, options={"verify_signature": False})["iat"] - time.time()) < 5

"""Access in a running application: who the caller of this request is, the datasets it may
see, its query budget, and the audit record written after each query (refused ones included).

Every request's bearer token is checked before anything else, so a bad token gets 401 on every
endpoint; a request without one is anonymous (PUBLIC datasets only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, request

from app.access import audit
from app.access.budget import QueryBudget
from app.access.policy import (
    AccessPolicy,
    Caller,
    DatasetView,
    lowest_granularity,
    visible_views,
)
from app.access.tokens import (
    InvalidTokenError,
    SigningKeysUnavailableError,
    TokenVerifier,
    bearer_token,
)
from app.errors import ServiceUnavailableError, UnauthorizedError
from app.ops.health import add_readiness_check
from app.ops.request_ids import current_request_id
from app.store import Store

ACCESS_KEY = "asia_beacon.access"
CHALLENGE = 'Bearer realm="asia-beacon"'


@dataclass(frozen=True)
class Access:
    """The application's access machinery, built once from its configuration."""

    policy: AccessPolicy
    verifier: TokenVerifier
    budget: QueryBudget
    audited_blueprints: frozenset[str]
    store: Store
    audit_log: bool
    audit_trail: audit.AuditTrail


def install_access(
    app: Flask,
    store: Store,
    policy: AccessPolicy,
    verifier: TokenVerifier,
    audited_blueprints: Iterable[str],
) -> None:
    """Check tokens (with ``verifier``) before every request and audit the queries after them."""
    config = app.config
    protections = policy.protections
    budget = QueryBudget(store, protections.query_budget, protections.query_budget_period)
    trail = audit.AuditTrail(store)
    app.extensions[ACCESS_KEY] = Access(
        policy,
        verifier,
        budget,
        frozenset(audited_blueprints),
        store,
        bool(config["AUDIT_LOG"]),
        trail,
    )
    app.before_request(_check_token)
    app.after_request(_audit)
    add_readiness_check(app, trail.readiness_problem)  # lost audit entries: not ready


def current_access() -> Access:
    return current_app.extensions[ACCESS_KEY]


def current_caller() -> Caller:
    """The caller of this request, from its bearer token (checked once per request)."""
    if "caller" not in g:
        g.caller = _caller()
    return g.caller


def current_views(dataset_ids: Iterable[str]) -> dict[str, DatasetView]:
    """How this request's caller sees each of the datasets it may see, by id."""
    return visible_views(current_access().policy, current_caller(), dataset_ids)


def note_answer(views: Iterable[DatasetView], granularity: str) -> None:
    """Remember, for the audit record, which datasets answered this request and how."""
    g.answered = tuple(
        (view.dataset_id, lowest_granularity([view.granularity], granularity)) for view in views
    )


def _check_token() -> None:
    """Before any endpoint runs: a bad token is refused whatever was asked."""
    current_caller()


def _caller() -> Caller:
    address = f"address:{request.remote_addr or 'unknown'}"
    try:
        token = bearer_token(request.headers.get("Authorization"))
        if token is None:
            return Caller(address)
        identity = current_access().verifier.verify(token)
    except InvalidTokenError as error:
        g.caller = Caller(address)  # the audit record still says who sent it
        raise UnauthorizedError(
            str(error), {"WWW-Authenticate": f'{CHALLENGE}, error="invalid_token"'}
        ) from None
    except SigningKeysUnavailableError as error:
        g.caller = Caller(address)
        raise ServiceUnavailableError(str(error)) from None
    return Caller(
        f"token:{identity.issuer}|{identity.subject}", True, identity.grants, identity.issuer
    )


def _audit(response: Response) -> Response:
    access = current_access()
    if not access.audit_log or request.blueprint not in access.audited_blueprints:
        return response
    if request.method == "OPTIONS":  # a browser's CORS preflight asks nothing
        return response
    caller = g.get("caller") or Caller(f"address:{request.remote_addr or 'unknown'}")
    entry = audit.AuditEntry(
        at=datetime.now(UTC),
        who=caller.identity,
        authenticated=caller.registered,
        method=request.method,
        endpoint=request.path,
        status=response.status_code,
        datasets=g.get("answered", ()),
        request_id=current_request_id(),
        query=audit.recorded_query(_asked()),
    )
    access.audit_trail.record(entry)  # an entry that cannot be written is counted, not raised
    return response


def _asked() -> Any:
    """What the request asked: a GET's query string, a POST's body (read here if the endpoint
    refused the request before reading it, unless it is large). Headers, and so the
    Authorization header, are never part of it."""
    if request.method != "POST":
        return audit.query_string_parameters(request.args.lists())
    length = request.content_length
    limit = min(audit.BODY_BYTES, request.max_content_length or audit.BODY_BYTES)
    if length is None or length > limit:  # over MAX_CONTENT_LENGTH, reading it would raise
        return audit.unread_body(length)
    return audit.body_query(request.get_data())

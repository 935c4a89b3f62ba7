"""Turns an HTTP request into a :class:`BeaconRequest`, mapping every shape error to a 400."""

from __future__ import annotations

from flask import Request
from marshmallow import ValidationError

from app.errors import BadRequestError
from app.query.request import BeaconRequest
from app.query.variants import VariantQuery
from app.request_body import json_body
from schemas.messages import validation_problems
from schemas.requests import (
    request_from_body,
    request_from_query_string,
    variant_query_from_parameters,
)


def beacon_request(http_request: Request) -> BeaconRequest:
    try:
        if http_request.method == "POST":
            return request_from_body(json_body(http_request, default={}))
        repeated = sorted(key for key, values in http_request.args.lists() if len(values) > 1)
        if repeated:
            raise BadRequestError(
                f"{repeated[0]}: given more than once; write two coordinates as start=a,b"
            )
        return request_from_query_string(http_request.args.to_dict(flat=True))
    except ValidationError as error:
        raise BadRequestError("; ".join(validation_problems(error.messages))) from None


def variant_query(request: BeaconRequest) -> tuple[VariantQuery, list[str] | None]:
    """The variant query and the dataset ids it is restricted to (None: every dataset)."""
    try:
        return variant_query_from_parameters(request.request_parameters)
    except ValidationError as error:
        raise BadRequestError("; ".join(validation_problems(error.messages))) from None


def reject_filters(request: BeaconRequest) -> None:
    if request.filters:
        raise BadRequestError("filters are not supported on this endpoint yet")

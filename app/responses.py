"""Beacon v2 response envelopes: meta, summary and per-dataset result sets at the returned
granularity. Shapes come from :mod:`schemas.responses`; this module decides the content.
"""

from __future__ import annotations

from typing import Any

from app.entry_types import EntryType
from app.query.request import BeaconRequest, included_result_sets
from app.services.entries import DatasetResult
from app.settings import BeaconSettings
from schemas import responses as shapes
from schemas.dumping import compiled_dump


def _schema_reference(entry_type: EntryType) -> dict[str, str]:
    return {"entity_type": entry_type.id, "schema": entry_type.schema_reference}


def response_meta(
    settings: BeaconSettings,
    request: BeaconRequest,
    default_granularity: str,
    granularity: str,
    entry_type: EntryType | None,
    request_parameters: dict[str, Any],
    limit: int,
) -> dict[str, Any]:
    """Meta of a query answer; ``limit`` is the page size really applied."""
    return {
        "beacon_id": settings.beacon_id,
        "api_version": settings.api_version,
        "returned_granularity": granularity,
        "returned_schemas": [_schema_reference(entry_type)] if entry_type else [],
        "test_mode": request.test_mode,
        "received_request_summary": {
            "api_version": request.api_version or settings.api_version,
            "requested_schemas": request.requested_schemas,
            "filters": [item.id for item in request.filters],
            "request_parameters": request_parameters,
            "include_resultset_responses": request.include_resultset_responses,
            "pagination": {"skip": request.pagination.skip, "limit": limit},
            "requested_granularity": request.requested_granularity or default_granularity,
            "test_mode": request.test_mode,
        },
    }


def resultsets_response(
    meta: dict[str, Any],
    granularity: str,
    results: list[DatasetResult],
    inclusion: str,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """beaconBooleanResponse, beaconCountResponse or beaconResultsetsResponse per granularity.

    Boolean answers carry no result sets (a result set must state a count). Count answers list
    the per-dataset counts with empty ``results``; record answers add the records.
    """
    exists = any(result.exists for result in results)
    summary: dict[str, Any] = {"exists": exists}
    body: dict[str, Any] = {"meta": meta, "response_summary": summary, **_info(warnings)}
    if granularity == "boolean":
        return _RESULTSETS(body)
    summary["num_total_results"] = sum(result.count or 0 for result in results)
    shown = set(included_result_sets({r.dataset_id: r.exists for r in results}, inclusion))
    body["response"] = {
        "result_sets": [_result_set(result) for result in results if result.dataset_id in shown]
    }
    return _RESULTSETS(body)


def _result_set(result: DatasetResult) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": result.dataset_id,
        "set_type": "dataset",
        "exists": result.exists,
        "results_count": result.count or 0,
        "results": result.records,
    }
    if result.count_band is not None:
        low, high = result.count_band
        shown["info"] = {"count_band": {"min": low, "max": high}}
    return shown


def collections_response(
    meta: dict[str, Any],
    granularity: str,
    page: list[dict[str, Any]],
    total: int,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """beaconCollectionsResponse (or its boolean/count reduction) for datasets and cohorts.

    ``page`` is the requested page of collections, ``total`` how many there are in all.
    """
    summary: dict[str, Any] = {"exists": total > 0}
    body: dict[str, Any] = {"meta": meta, "response_summary": summary, **_info(warnings)}
    if granularity != "boolean":
        summary["num_total_results"] = total
    if granularity == "record":
        body["response"] = {"collections": page}
    return _COLLECTIONS(body)


def _info(warnings: list[str] | None) -> dict[str, Any]:
    """The response ``info`` block: what the client should know, e.g. filters matching nothing."""
    return {"info": {"warnings": warnings}} if warnings else {}


def error_response(settings: BeaconSettings, status: int, message: str) -> dict[str, Any]:
    """beaconErrorResponse; its meta still names this beacon and the API version."""
    body = {
        "meta": {
            "beacon_id": settings.beacon_id,
            "api_version": settings.api_version,
            "returned_granularity": "boolean",
            "returned_schemas": [],
            "received_request_summary": {
                "api_version": settings.api_version,
                "requested_schemas": [],
                "pagination": {"skip": 0, "limit": 0},
                "requested_granularity": "boolean",
            },
        },
        "error": {"error_code": status, "error_message": message},
    }
    return _ERROR(body)


_RESULTSETS = compiled_dump(shapes.ResultsetsResponseSchema())
_COLLECTIONS = compiled_dump(shapes.CollectionsResponseSchema())
_ERROR = compiled_dump(shapes.ErrorResponseSchema())

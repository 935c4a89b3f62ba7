"""GA4GH Data Connect endpoints, under ``/data-connect``: tables, table info and data, search, over
the application's table set (``current_tables``: a node's own data, or a hub's network catalog)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from marshmallow import ValidationError

from app.access.flask_access import current_views, note_answer
from app.context import base_url, current_settings, current_store, current_tables
from app.dataconnect import service
from app.dataconnect.access import row_access
from app.dataconnect.backend import MongoBackend, QueryBackend
from app.dataconnect.native import NativeBackend
from app.dataconnect.service import DataConnectError
from app.dataconnect.tables import TableSet
from app.errors import BadRequestError
from app.request_body import json_body
from app.services.datasets import known_datasets
from schemas import dataconnect as shapes
from schemas.dumping import compiled_dump
from schemas.messages import validation_problems

PREFIX = "/data-connect"
blueprint = Blueprint("dataconnect", __name__, url_prefix=PREFIX)


@blueprint.get("/tables")
def tables():
    return jsonify(_LIST(service.list_tables(current_tables())))


@blueprint.get("/table/<path:name>/info")
def table_info(name: str):
    return jsonify(_TABLE(service.table_info(current_tables(), name)))


@blueprint.get("/table/<path:name>/data")
def table_data(name: str):
    url = f"{base_url()}{PREFIX}/table/{name}/data"
    tables, backend = _readable()
    token = request.args.get("page_token")
    body = service.table_data(tables, backend, name, token, _page_size(), url)
    return jsonify(_DATA(body))


@blueprint.post("/search")
def search():
    try:
        body = json_body(request, {})
    except BadRequestError as error:
        raise DataConnectError(400, "Bad request", error.message) from None
    try:
        search_request = _SEARCH.load(body if isinstance(body, dict) else {"query": None})
    except ValidationError as error:
        detail = "; ".join(validation_problems(error.messages))
        raise DataConnectError(400, "Bad request", detail) from None
    tables, backend = _readable()
    body = service.search(
        tables,
        backend,
        search_request["query"],
        search_request["parameters"],
        None,
        _page_size(),
        f"{base_url()}{PREFIX}/search",
    )
    return jsonify(_DATA(body))


@blueprint.get("/search")
def search_page():
    """A later page of a search: ``next_page_url`` is followed with GET, as the spec says."""
    token = request.args.get("page_token")
    if token is None:
        raise DataConnectError(400, "Bad request", "GET /search continues a search: page_token")
    url = f"{base_url()}{PREFIX}/search"
    tables, backend = _readable()
    return jsonify(_DATA(service.search(tables, backend, None, (), token, _page_size(), url)))


@blueprint.get("/service-info")
def service_info():
    settings = current_settings()
    return jsonify(
        {
            "id": f"{settings.beacon_id}.data-connect",
            "name": f"{settings.name} Data Connect",
            "type": {"group": "org.ga4gh", "artifact": "data-connect", "version": "1.0.0"},
            "description": "SQL access (GA4GH Data Connect) to the data this beacon serves.",
            "organization": {
                "name": settings.organization_name,
                "url": settings.organization_url,
            },
            "version": settings.version,
        }
    )


@blueprint.errorhandler(DataConnectError)
def _data_connect_error(error: DataConnectError):
    return jsonify(error_body(error.title, error.detail)), error.status


def error_body(title: str, detail: str) -> dict:
    return _ERRORS({"errors": [{"title": title, "detail": detail}]})


def _readable() -> tuple[TableSet, QueryBackend]:
    """The tables, their rows brought up to date, and a backend reading what this request's
    caller may see; the audit log records which."""
    tables = current_tables()
    if tables.prepare is not None:
        tables.prepare()
    store = current_store()
    views = current_views(dataset.id for dataset in known_datasets(store))
    access = row_access(views, current_settings().access.protections)
    note_answer([views[ident] for ident in access.readable], "record")
    sql_tables = store.sql_tables()
    if sql_tables is not None:  # the store's engine answers the SQL itself
        settings = current_settings()
        budgets = (settings.data_connect_time_budget, settings.data_connect_row_budget)
        return tables, NativeBackend(sql_tables, access, *budgets)
    return tables, MongoBackend(store, access)


def _page_size() -> int:
    return current_settings().data_connect_page_size


_LIST = compiled_dump(shapes.ListTablesResponseSchema())
_TABLE = compiled_dump(shapes.TableSchema())
_DATA = compiled_dump(shapes.TableDataSchema())
_ERRORS = compiled_dump(shapes.ErrorResponseSchema())
_SEARCH = shapes.SearchRequestSchema()

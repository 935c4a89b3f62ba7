"""The audit log: every query says who asked, when, where, and which datasets answered how; the
CLI exports it."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

from access.keys import ISSUER, SUBJECT
from access.tiers import access_config, headers, load_datasets
from click.testing import CliRunner

from app import cli, create_app
from app.access import audit
from app.store import AuditEntry, open_store

SNV = "assemblyId=GRCh38&referenceName=1&start=11786073&referenceBases=G&alternateBases=A"


def test_queries_are_logged_with_who_what_and_how(keys, tokens):
    store = open_store("mongomock://memory/audited")
    load_datasets(store, ["pub", "reg", "ctl"])
    caps = {"PUBLIC": "count", "REGISTERED": "record", "CONTROLLED": "record"}
    client = create_app(
        access_config(keys["jwks"], ACCESS_GRANULARITY=caps), store=store
    ).test_client()
    before = datetime.now(UTC)
    client.get(
        f"/g_variants?{SNV}&requestedGranularity=record", environ_base={"REMOTE_ADDR": "10.1.1.1"}
    )
    client.get(
        f"/g_variants?{SNV}&requestedGranularity=record", headers=headers(tokens["granted by visa"])
    )
    client.get("/individuals", headers=headers(tokens["expired"]))
    client.post(
        "/data-connect/search",
        json={"query": "SELECT id FROM asia_beacon.beacon.individuals LIMIT 1"},
        headers=headers(tokens["registered"]),
    )
    client.get("/info")  # informational: not a query
    logged = list(store.audit.entries())
    assert [entry.endpoint for entry in logged] == [
        "/g_variants",
        "/g_variants",
        "/individuals",
        "/data-connect/search",
    ]
    anonymous, granted, refused, searched = logged
    assert anonymous.who == "address:10.1.1.1" and not anonymous.authenticated
    assert anonymous.datasets == (("pub", "count"),)
    assert granted.who == f"token:{ISSUER}|{SUBJECT}" and granted.authenticated
    # the response is at count (the lowest level's maximum): every dataset answered at count
    assert granted.datasets == tuple((ident, "count") for ident in ("ctl", "pub", "reg"))
    assert (refused.status, refused.datasets) == (401, ())
    # Data Connect rows: only datasets read at record granularity
    assert searched.datasets == (("reg", "record"),)
    assert all(before <= entry.at for entry in logged)


def test_the_cli_exports_the_log(monkeypatch):
    store = open_store("mongomock://memory/audit_export")
    start = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    for hour in range(3):
        store.audit.append(
            AuditEntry(
                at=start + timedelta(hours=hour),
                who=f"address:10.0.0.{hour}",
                authenticated=False,
                method="GET",
                endpoint="/g_variants",
                status=200,
                datasets=(("pub", "count"),),
            )
        )
    monkeypatch.setattr(cli, "_open", lambda uri: store)
    runner = CliRunner()
    exported = runner.invoke(cli.main, ["audit", "export", "--since", "2026-11-01T13:00:00"])
    assert exported.exit_code == 0, exported.output
    lines = [json.loads(line) for line in exported.output.splitlines()]
    assert [line["who"] for line in lines] == ["address:10.0.0.1", "address:10.0.0.2"]
    assert lines[0]["at"] == "2026-11-01T13:00:00Z"
    as_csv = runner.invoke(
        cli.main, ["audit", "export", "--format", "csv", "--until", "2026-11-01T13:00:00"]
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [(row["who"], row["datasets"]) for row in rows] == [("address:10.0.0.0", "pub:count")]


def test_the_client_address_comes_from_trusted_proxies_only(keys):
    store = open_store("mongomock://memory/audited_proxy")
    forwarded = {"X-Forwarded-For": "203.0.113.9, 10.0.0.2"}
    for proxies in (0, 1):
        client = create_app(
            access_config(keys["jwks"], TRUSTED_PROXIES=proxies), store=store
        ).test_client()
        client.get(
            f"/g_variants?{SNV}", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.1"}
        )
    logged = [entry.who for entry in store.audit.entries()]
    # untrusted headers are ignored; one trusted proxy vouches for the last address it saw
    assert logged == ["address:10.0.0.1", "address:10.0.0.2"]


def _logged(store) -> list[AuditEntry]:
    return list(store.audit.entries())


def _audited_client(keys, name: str):
    store = open_store(f"mongomock://memory/{name}")
    return store, create_app(access_config(keys["jwks"]), store=store).test_client()


def test_what_was_asked_is_recorded_for_beacon_and_data_connect_queries(keys, tokens):
    store, client = _audited_client(keys, "audited_queries")
    beacon_query = {
        "requestParameters": {"geneId": "aldh2", "variantType": "SNP"},
        "filters": [{"id": "NCIT:C16576"}],
        "requestedGranularity": "count",
        "pagination": {"skip": 0, "limit": 5},
        "includeResultsetResponses": "ALL",
    }
    sql = "SELECT id FROM asia_beacon.beacon.individuals WHERE sex_id = ? LIMIT 1"
    client.get("/g_variants?geneId=aldh2&requestedGranularity=count")
    client.post("/g_variants", json={"meta": {"apiVersion": "v2.0.1"}, "query": beacon_query})
    client.post("/data-connect/search", json={"query": sql, "parameters": ["NCIT:C16576"]})
    client.get("/data-connect/table/asia_beacon.beacon.individuals/data")
    client.get("/individuals/HG00096")  # the path says what was asked
    logged = _logged(store)
    assert [json.loads(entry.query) for entry in logged] == [
        {"geneId": "aldh2", "requestedGranularity": "count"},
        {"query": beacon_query},  # the body without its meta
        {"query": sql, "parameters": ["NCIT:C16576"]},
        {},
        {},
    ]
    assert all(entry.status == 200 for entry in logged)


def test_refused_queries_are_recorded_with_what_they_asked(keys, tokens):
    store, client = _audited_client(keys, "audited_refusals")
    client.get("/individuals?geneId=BRCA2", headers=headers(tokens["expired"]))
    client.get("/g_variants?start=1&start=2&referenceName=1")  # start given twice
    client.post("/g_variants", data="geneId=ALDH2", content_type="application/json")
    client.post(
        "/g_variants",
        json={"query": {"requestParameters": {"mateName": "BCR"}}},
        headers=headers(tokens["registered"]),
    )
    client.post("/data-connect/search", json={"query": "DROP TABLE individuals"})
    logged = _logged(store)
    assert [(entry.status, json.loads(entry.query)) for entry in logged] == [
        (401, {"geneId": "BRCA2"}),
        (400, {"start": ["1", "2"], "referenceName": "1"}),
        (400, "geneId=ALDH2"),  # not JSON: the text as sent
        (400, {"query": {"requestParameters": {"mateName": "BCR"}}}),
        (400, {"query": "DROP TABLE individuals"}),
    ]


def test_tokens_are_never_recorded(keys, tokens):
    store, client = _audited_client(keys, "audited_tokens")
    token = tokens["registered"]
    client.get(f"/g_variants?geneId=ALDH2&access_token={token}", headers=headers(token))
    client.post(
        "/g_variants",
        json={
            "meta": {"token": token},
            "query": {
                "requestParameters": {"geneId": f"Bearer {token}"},
                "filters": [{"id": "x", "operator": "=", "value": token}],
                "Authorization": "Basic dXNlcjpwYXNz",
            },
        },
        headers=headers(token),
    )
    client.get("/individuals", headers=headers(tokens["expired"]))
    logged = _logged(store)
    assert len(logged) == 3
    for entry in logged:
        text = json.dumps(entry, default=str)
        assert token not in text and tokens["expired"] not in text
        assert "dXNlcjpwYXNz" not in text and "Bearer" not in text
    first, second, _ = (json.loads(entry.query) for entry in logged)
    assert first == {"geneId": "ALDH2", "access_token": "[redacted]"}
    assert second["query"]["filters"][0]["value"] == "[redacted]"
    assert second["query"]["Authorization"] == "[redacted]"


def test_a_huge_query_is_recorded_cut_short_and_says_so(keys):
    store, client = _audited_client(keys, "audited_huge")
    many = [{"id": f"HP:{number:07d}"} for number in range(20_000)]  # about 400 kB
    client.post("/g_variants", json={"query": {"filters": many}})
    sql = "SELECT id FROM asia_beacon.beacon.individuals WHERE id IN (" + "'x', " * 5000 + "'y')"
    client.post("/data-connect/search", json={"query": sql})
    client.post("/g_variants", data=b"[" * 2_000_000, content_type="application/json")
    filters, search, unread = (entry.query for entry in _logged(store))
    for query in (filters, search):
        assert len(query) < audit.QUERY_CHARACTERS + 50
        assert re.search(r"\.\.\.\[truncated: \d+ characters in all\]$", query), query[-80:]
    assert filters.startswith('{"query": {"filters": [{"id": "HP:0000000"}')
    assert search.startswith('{"query": "SELECT id FROM')
    assert json.loads(unread) == "[not read: a body of 2000000 bytes]"


def test_recorded_queries_are_bounded_redacted_text():
    small = {"geneId": "ALDH2", "limit": "5"}
    assert audit.recorded_query(small) == '{"geneId": "ALDH2", "limit": "5"}'
    big = {"geneId": "A" * (3 * audit.QUERY_CHARACTERS)}
    recorded = audit.recorded_query(big)
    total = len(json.dumps(big))
    assert recorded == json.dumps(big)[: audit.QUERY_CHARACTERS] + (
        f"...[truncated: {total} characters in all]"
    )
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    assert audit.recorded_query({"q": f"see {jwt} and bearer abc.def"}) == (
        '{"q": "see [redacted] and [redacted]"}'
    )
    assert audit.recorded_query({"Password": "x", "API_KEY": ["y"]}) == (
        '{"Password": "[redacted]", "API_KEY": "[redacted]"}'
    )
    nested: list = []
    for _ in range(5000):
        nested = [nested]
    assert json.loads(audit.recorded_query(nested)) == audit.NESTED_TOO_DEEPLY


def test_whatever_a_client_sends_can_be_recorded(keys):
    """Names MongoDB would refuse as keys, bodies nested too deeply to parse, lone surrogates:
    each request is still answered and logged."""
    store, client = _audited_client(keys, "audited_odd")
    deep = b"[" * 100_000 + b"]" * 100_000
    answers = [
        client.get("/g_variants?$where=1&a.b=2"),
        client.post("/g_variants", json={"query": {"$where": "sleep(1)", "a.b": 1}}),
        client.post("/data-connect/search", data=deep, content_type="application/json"),
        client.post("/data-connect/search", data=b'{"query": "\\ud800"}'),
    ]
    assert all(answer.status_code in (200, 400) for answer in answers)
    where, body, nested, surrogate = (entry.query for entry in _logged(store))
    assert json.loads(where) == {"$where": "1", "a.b": "2"}
    assert json.loads(body) == {"query": {"$where": "sleep(1)", "a.b": 1}}
    assert nested.startswith('"[[[[')  # too deep to parse: the text as sent, cut short
    assert json.loads(surrogate) == {"query": "\ud800"}


def test_the_export_has_the_recorded_queries_in_both_formats(monkeypatch, keys):
    store, client = _audited_client(keys, "audited_export")
    client.get("/g_variants?geneId=aldh2&requestedGranularity=count")
    client.post("/data-connect/search", json={"query": "SELECT 1", "parameters": []})
    store.audit.append(  # written before queries (and request ids) were recorded
        AuditEntry(
            at=datetime.now(UTC) + timedelta(seconds=5),
            who="address:10.0.0.1",
            authenticated=False,
            method="GET",
            endpoint="/g_variants",
            status=200,
            request_id=None,
            query=None,
        )
    )
    monkeypatch.setattr(cli, "_open", lambda uri: store)
    runner = CliRunner()
    lines = runner.invoke(cli.main, ["audit", "export"]).output.splitlines()
    exported = [json.loads(line).get("query") for line in lines]
    assert exported == [
        '{"geneId": "aldh2", "requestedGranularity": "count"}',
        '{"query": "SELECT 1", "parameters": []}',
        None,
    ]
    as_csv = runner.invoke(cli.main, ["audit", "export", "--format", "csv"]).output
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert [row["query"] for row in rows] == [*exported[:2], ""]
    assert [row["endpoint"] for row in rows] == [
        "/g_variants",
        "/data-connect/search",
        "/g_variants",
    ]

"""The audit log: every query says who asked, when, where, and which datasets answered how; the
CLI exports it."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from access.keys import ISSUER, SUBJECT
from access.tiers import access_config, headers, load_datasets
from click.testing import CliRunner

from app import cli, create_app
from app.store import open_store
from app.store.collections import AUDIT_LOG

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
    logged = list(store.collection(AUDIT_LOG).find({}, {"_id": 0}).sort([("at", 1)]))
    assert [entry["endpoint"] for entry in logged] == [
        "/g_variants",
        "/g_variants",
        "/individuals",
        "/data-connect/search",
    ]
    anonymous, granted, refused, searched = logged
    assert anonymous["who"] == "address:10.1.1.1" and not anonymous["authenticated"]
    assert anonymous["datasets"] == [{"id": "pub", "granularity": "count"}]
    assert granted["who"] == f"token:{ISSUER}|{SUBJECT}" and granted["authenticated"]
    # the response is at count (the lowest level's maximum): every dataset answered at count
    assert granted["datasets"] == [
        {"id": ident, "granularity": "count"} for ident in ("ctl", "pub", "reg")
    ]
    assert (refused["status"], refused["datasets"]) == (401, [])
    # Data Connect rows: only datasets read at record granularity
    assert searched["datasets"] == [{"id": "reg", "granularity": "record"}]
    assert all(before <= entry["at"].replace(tzinfo=UTC) for entry in logged)


def test_the_cli_exports_the_log(monkeypatch):
    store = open_store("mongomock://memory/audit_export")
    store.collection(AUDIT_LOG).delete_many({})
    start = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    store.collection(AUDIT_LOG).insert_many(
        [
            {
                "at": start + timedelta(hours=hour),
                "who": f"address:10.0.0.{hour}",
                "authenticated": False,
                "method": "GET",
                "endpoint": "/g_variants",
                "status": 200,
                "datasets": [{"id": "pub", "granularity": "count"}],
            }
            for hour in range(3)
        ]
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
    store.collection(AUDIT_LOG).delete_many({})
    forwarded = {"X-Forwarded-For": "203.0.113.9, 10.0.0.2"}
    for proxies in (0, 1):
        client = create_app(
            access_config(keys["jwks"], TRUSTED_PROXIES=proxies), store=store
        ).test_client()
        client.get(
            f"/g_variants?{SNV}", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.1"}
        )
    logged = [entry["who"] for entry in store.collection(AUDIT_LOG).find({}).sort([("at", 1)])]
    # untrusted headers are ignored; one trusted proxy vouches for the last address it saw
    assert logged == ["address:10.0.0.1", "address:10.0.0.2"]

"""A full disk under the audit log: answers still go out, the loss is logged, counted and
reported by /readyz until a record of it is in the log; a torn record does not break the
export."""

from __future__ import annotations

import csv
import errno
import io
import json
import logging
from datetime import datetime

import bson
import pytest
from click.testing import CliRunner
from open_access import OPEN_ACCESS
from store_backends import fill_journal, free_journal

from app import cli, create_app
from app.store import open_store
from app.store.collections import AUDIT_LOG
from app.store.journal import SqliteAuditLog


def _no_space(self, entry):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("failure", ["ENOSPC at the write", "SQLite finds the disk full"])
def test_answers_go_out_when_their_audit_entries_cannot_be_written(
    failure, tmp_path, monkeypatch, caplog
):
    store = open_store(f"mongomock://{tmp_path}")
    client = create_app(OPEN_ACCESS, store=store).test_client()
    assert client.get("/individuals").status_code == 200
    assert client.get("/readyz").json == {"status": "ready"}
    if failure == "ENOSPC at the write":
        monkeypatch.setattr(SqliteAuditLog, "append", _no_space)
    else:
        fill_journal(store.audit)
    with caplog.at_level(logging.ERROR, logger="app.access.audit"):
        answers = [
            client.get("/individuals", headers={"X-Request-ID": f"lost-{n}"}) for n in (1, 2, 3)
        ]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    losses = [r.getMessage() for r in caplog.records if "entry LOST" in r.getMessage()]
    assert len(losses) == 3
    assert "GET /individuals" in losses[2] and "request lost-3" in losses[2]
    assert "3 not yet recorded" in losses[2]
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["status"] == "unavailable"
    assert ready.json["detail"].startswith("3 audit log entries could not be written since ")
    assert client.get("/readyz").status_code == 503  # still full: still not ready

    # space is freed: the next readiness check writes the record of the loss, and is ready
    if failure == "ENOSPC at the write":
        monkeypatch.undo()
    else:
        free_journal(store.audit)
    assert client.get("/readyz").json == {"status": "ready"}
    assert client.get("/individuals", headers={"X-Request-ID": "after"}).status_code == 200
    logged = list(store.audit.entries())
    assert [entry.lost for entry in logged] == [None, 3, None]
    assert logged[1].who.startswith("server:") and logged[1].lost_since
    assert logged[2].request_id == "after"


def test_the_export_shows_how_many_entries_were_lost(tmp_path, monkeypatch):
    store = open_store(f"mongomock://{tmp_path}")
    client = create_app(OPEN_ACCESS, store=store).test_client()
    fill_journal(store.audit)
    client.get("/individuals")
    client.get("/individuals")
    free_journal(store.audit)
    client.get("/biosamples")  # first the record of the two losses, then this entry
    monkeypatch.setattr(cli, "_open", lambda uri: store)
    runner = CliRunner()
    as_csv = runner.invoke(cli.main, ["audit", "export", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [(row["endpoint"], row["lost"]) for row in rows] == [("", "2"), ("/biosamples", "")]
    as_json = runner.invoke(cli.main, ["audit", "export"]).output.splitlines()
    (loss,) = [json.loads(line) for line in as_json if '"lost"' in line]
    assert loss["lost"] == 2 and loss["status"] == 0


def test_a_torn_record_is_skipped_and_reported_and_the_rest_exported(tmp_path):
    """What a full disk left in a journal of the earlier format: a record cut short, and the
    entries appended after it once space was freed."""
    entries = [
        {
            "_id": bson.ObjectId(),
            "at": f"2026-11-01T12:0{n}:00",
            "who": f"address:10.0.0.{n}",
            "authenticated": False,
            "method": "GET",
            "endpoint": "/g_variants",
            "status": 200,
            "datasets": [],
        }
        for n in range(4)
    ]
    for entry in entries:
        entry["at"] = datetime.fromisoformat(entry["at"])
    records = [bson.encode(entry) for entry in entries]
    records[1] = records[1][:40]
    journal = tmp_path / "journals" / f"{AUDIT_LOG}.bson"
    journal.parent.mkdir(parents=True)
    journal.write_bytes(b"".join(records))
    exported = CliRunner().invoke(
        cli.main, ["audit", "export", "--mongo-uri", f"mongomock://{tmp_path}"]
    )
    assert exported.exit_code == 0, exported.output
    lines = exported.output.splitlines()
    who = [json.loads(line)["who"] for line in lines if line.startswith("{")]
    assert who == ["address:10.0.0.0", "address:10.0.0.2", "address:10.0.0.3"]
    (warning,) = [line for line in lines if line.startswith("warning:")]
    assert "audit log record skipped" in warning and f"{AUDIT_LOG}.bson" in warning

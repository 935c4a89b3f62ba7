"""The embedded store across processes: load in one command, serve in another, kill a loader.

Every process here is real: loaders run as ``asia-beacon load vcf`` subprocesses, the server
as ``asia-beacon serve`` (gunicorn, two workers), all on one data directory.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import closing
from pathlib import Path

import pysam
import pytest

from app.store import open_store
from app.store.collections import VARIANTS

CLI = [sys.executable, "-c", "from app.cli import main; main()"]
SAMPLES = ("S1", "S2", "S3", "S4")


def write_vcf(path: Path, records: int, alternate: str) -> Path:
    """Every site is carried by several samples, so every allele is counted and shown."""
    lines = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=1>",
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"])
        + "\t"
        + "\t".join(SAMPLES),
        *(
            f"1\t{1000 + 3 * i}\t.\tA\t{alternate}\t.\tPASS\t.\tGT\t0/1\t1/1\t0/1\t0/0"
            for i in range(records)
        ),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def records_in(path: Path) -> int:
    """The independent count: pysam's reading of the same file."""
    with pysam.VariantFile(str(path)) as vcf:
        return sum(1 for _ in vcf)


def load_command(uri: str, vcf: Path, dataset: str = "d") -> list[str]:
    return [
        *CLI,
        "load",
        "vcf",
        str(vcf),
        "--dataset",
        dataset,
        "--assembly",
        "GRCh38",
        "--no-progress",
        "--mongo-uri",
        uri,
    ]


def alternates(uri: str) -> dict[str, int]:
    variants = open_store(uri).collection(VARIANTS)
    return {base: variants.count_documents({"alternateBases": base}) for base in ("G", "T")}


def unnamed_parts(directory: Path) -> int:
    """Rows a load has written that no release names yet (read as any process would)."""
    path = directory / "store.sqlite3"
    if not path.exists():
        return 0
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as database:
        query = "SELECT count(*) FROM stored_part WHERE loader_pid IS NOT NULL"
        return database.execute(query).fetchone()[0]


def wait_until_writing(loader: subprocess.Popen, directory: Path) -> None:
    """Until the loader's new rows are being written (a moment no sleep can be sure to hit)."""
    deadline = time.monotonic() + 60
    while not unnamed_parts(directory):
        assert time.monotonic() < deadline and loader.poll() is None
        time.sleep(0.01)


def test_a_load_in_one_process_is_read_in_another(tmp_path):
    uri = f"mongomock://{tmp_path / 'store'}"
    vcf = write_vcf(tmp_path / "one.vcf", 120, "G")
    done = subprocess.run(load_command(uri, vcf), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "release r000001 is served from" in done.stderr
    assert alternates(uri) == {"G": records_in(vcf), "T": 0}
    stats = open_store(uri).collection("variantStats").find_one({"_id": "d"})
    assert stats["variantCount"] == records_in(vcf)


def test_killing_a_loader_at_any_moment_leaves_one_whole_release_served(tmp_path):
    """Before the switch the old release is served whole; after it, the new one, whole."""
    uri = f"mongomock://{tmp_path / 'store'}"
    old = write_vcf(tmp_path / "old.vcf", 50, "G")
    new = write_vcf(tmp_path / "new.vcf", 20_000, "T")
    assert subprocess.run(load_command(uri, old), capture_output=True, timeout=120).returncode == 0
    whole_old, whole_new = {"G": 50, "T": 0}, {"G": 0, "T": records_in(new)}
    killed_while_writing = 0
    for delay in (0.0, 0.3, 0.8, 1.5, 2.5, "writing"):
        loader = subprocess.Popen(
            load_command(uri, new), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if delay == "writing":
            wait_until_writing(loader, tmp_path / "store")
        else:
            time.sleep(float(delay))
        loader.send_signal(signal.SIGKILL)
        loader.wait(timeout=30)
        if unnamed_parts(tmp_path / "store"):
            killed_while_writing += 1
        served = alternates(uri)
        assert served in (whole_old, whole_new), (delay, served)
        if served == whole_new:  # it finished before the kill: go back for the next round
            open_store(uri).rollback()
        assert alternates(uri) == whole_old
    assert killed_while_writing >= 1  # at least one kill really hit a half-written load
    # the next load cleans up what the killed ones left and succeeds
    assert subprocess.run(load_command(uri, new), capture_output=True, timeout=300).returncode == 0
    assert alternates(uri) == whole_new
    assert not unnamed_parts(tmp_path / "store")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _count(base: str) -> int:
    query = "/g_variants?referenceName=1&start=0&end=10000000&requestedGranularity=count"
    with urllib.request.urlopen(base + query, timeout=10) as answer:
        return json.load(answer)["responseSummary"]["numTotalResults"]


@pytest.fixture
def served(tmp_path):
    """``asia-beacon serve`` with two gunicorn workers over a data directory."""
    uri = f"mongomock://{tmp_path / 'store'}"
    first = write_vcf(tmp_path / "first.vcf", 40, "G")
    assert (
        subprocess.run(load_command(uri, first), capture_output=True, timeout=120).returncode == 0
    )
    port = _free_port()
    environment = {**os.environ, "ASIA_BEACON_SMALL_COUNT_THRESHOLD": "0"}
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", "2", "--mongo-uri", uri],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
    yield uri, base, tmp_path
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


def test_a_running_server_serves_each_new_release_without_a_restart(served):
    uri, base, folder = served
    assert {_count(base) for _ in range(12)} == {40}  # both workers see the loaded data
    second = write_vcf(folder / "second.vcf", 65, "T")
    assert (
        subprocess.run(load_command(uri, second), capture_output=True, timeout=120).returncode == 0
    )
    assert {_count(base) for _ in range(12)} == {records_in(second)}
    big = write_vcf(folder / "big.vcf", 20_000, "C")
    loader = subprocess.Popen(
        load_command(uri, big), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_until_writing(loader, folder / "store")
    loader.send_signal(signal.SIGSTOP)  # held there, however fast it loads, while we ask
    during = {_count(base) for _ in range(6)}
    loader.send_signal(signal.SIGKILL)
    loader.wait(timeout=30)
    assert during == {65}
    assert {_count(base) for _ in range(12)} == {65}  # the killed load changed nothing
    subprocess.run([*CLI, "releases", "rollback", "--mongo-uri", uri], check=True, timeout=60)
    assert {_count(base) for _ in range(12)} == {40}

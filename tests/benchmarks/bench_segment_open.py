"""What checking a segment when a process opens it costs, on a store of generated variants.

    python tests/benchmarks/bench_segment_open.py [--variants 1000000] [--store DIR] [--runs 3]
        [--spectrum panel|ten-samples]

Every segment of the served release is opened as a serving process opens it (its files read
and their CRC-32s compared with those its meta recorded, then mapped), in a store object of its
own each run, so nothing is cached but the operating system's page cache. Two references are
measured in the same run over the same files: mapping them without checking anything (what
opening cost before segments kept checksums), and only reading their bytes (the I/O a check
cannot avoid). The files are read once before timing, so all three run from the page cache (a
cold start adds reading the store from disk once, which the check then warms for the queries).
"""

from __future__ import annotations

import argparse
import json
import mmap
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "benchmarks"))

from measure import best_of, load_line, machine_line  # noqa: E402
from variant_store import PANEL, SPECTRA, build_store, store_directory  # noqa: E402

from app.store import open_store, releases  # noqa: E402
from app.store.segment import CHECKSUM_CHUNK, META_FILE, open_segment  # noqa: E402


def served_segments(directory: Path) -> list[str]:
    manifest = json.loads((directory / "manifest.json").read_text())
    return [part for parts in releases.active_parts(manifest).values() for part in parts]


def read_only(segment: Path) -> int:
    """Every file's bytes read, nothing computed: the floor of any check."""
    total = 0
    for entry in segment.iterdir():
        with open(entry, "rb") as handle:
            while chunk := handle.read(CHECKSUM_CHUNK):
                total += len(chunk)
    return total


def map_unchecked(segment: Path) -> None:
    """What opening did before checksums: the meta parsed, the arrays and documents mapped."""
    meta = json.loads((segment / META_FILE).read_text())
    np.load(segment / "offsets.npy", mmap_mode="r")
    for position in range(len(meta["indexes"])):
        np.load(segment / f"index-{position}.keys.npy", mmap_mode="r")
        np.load(segment / f"index-{position}.ordinals.npy", mmap_mode="r")
    if meta["count"]:
        with open(segment / "documents.bson", "rb") as handle:
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ).close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, default=1_000_000)
    parser.add_argument("--store", type=Path, help="default: asia-beacon-bench in the temp dir")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--spectrum", choices=SPECTRA, default=PANEL, help="allele frequencies of the data"
    )
    arguments = parser.parse_args()
    root = arguments.store or Path(tempfile.gettempdir()) / "asia-beacon-bench"
    print(machine_line())
    print(load_line("before"))
    wanted = store_directory(root, arguments.variants, arguments.spectrum)
    built = build_store(wanted, arguments.variants, root / "vcf", arguments.spectrum)
    directory = built.directory
    segments_dir = directory / "segments"
    ids = served_segments(directory)
    size = sum(read_only(segments_dir / segment_id) for segment_id in ids)  # and warm the cache

    def open_checked() -> None:
        store = open_store(built.uri)  # a process's first open of every segment
        for segment_id in ids:
            open_segment(segments_dir, segment_id)
        store.close()

    checked = best_of(arguments.runs, open_checked)
    unchecked = best_of(arguments.runs, lambda: [map_unchecked(segments_dir / i) for i in ids])
    reading = best_of(arguments.runs, lambda: [read_only(segments_dir / i) for i in ids])
    print(
        f"{len(ids)} segments, {size / 2**20:,.0f} MiB, {arguments.variants:,} variants "
        "(files in the page cache)"
    )
    print(f"  open, checked (CRC-32 of every file)  {checked * 1000:9.1f} ms")
    print(
        f"  open, unchecked (map only)            {unchecked * 1000:9.1f} ms  "
        f"(checked costs {checked / unchecked:,.0f}x)"
    )
    print(
        f"  read every byte, no checksum          {reading * 1000:9.1f} ms  "
        f"(checked costs {checked / reading:.2f}x; {size / 2**20 / checked:,.0f} MiB/s checked)"
    )
    print(load_line("after"))


if __name__ == "__main__":
    main()

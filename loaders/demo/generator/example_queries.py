"""The demo's example queries as the beacon answers them, to state the expected counts."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl, urlsplit

from loaders.demo.generator.records import Record


def example_query_parameters(path_and_query: str) -> dict[str, str]:
    """The request parameters of one of the demo's example GET queries."""
    return dict(parse_qsl(urlsplit(path_and_query).query))


def matching_alleles(
    records: Sequence[Record], parameters: dict[str, str]
) -> list[tuple[int, int]]:
    """(record, ALT) pairs a Beacon query matches: exact start, or overlap when ``end`` is given."""
    found = []
    for number, record in enumerate(records):
        site = record.site
        chrom = site.chrom.removeprefix("chr")
        if parameters.get("referenceName", chrom) != chrom:
            continue
        start, end = site.pos - 1, site.allele_end()
        if "start" in parameters:
            low = int(parameters["start"])
            if "end" in parameters:
                if not (start < int(parameters["end"]) and end > low):
                    continue
            elif start != low:
                continue
        if parameters.get("referenceBases", site.ref) != site.ref:
            continue
        for alt_index, alt in enumerate(site.alts):
            if parameters.get("alternateBases", alt) != alt:
                continue
            if "geneId" in parameters and parameters["geneId"] not in record.genes(alt_index):
                continue
            found.append((number, alt_index))
    return found

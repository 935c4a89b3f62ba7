"""The network harness tells the truth: each served node is who it says, holds what the generated
variants say (checked with pysam over the very VCFs it loaded), and answers every generated query
with the count counted independently here, banded or hidden exactly where its settings say."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pysam
import pytest
from network.calls import Answer, call
from network.genomes import generate_network_genomes
from network.layout import (
    CHROMOSOMES,
    GRCH37,
    GRCH38,
    NODE_OF_DATASET,
    NODES,
    SMALL_COUNT_THRESHOLD,
    TW_CONTROLLED,
)
from network.nodes import Network, ServedNode
from network.queries import (
    GENE,
    RANGE,
    SEQUENCE,
    NetworkQuery,
    generate_queries,
    reported_count,
)


def ask(node: ServedNode, query: NetworkQuery, granularity: str = "count", **headers) -> Answer:
    return call(f"{node.url}/g_variants?{query.query_string(granularity)}", headers=headers)


def as_granted(network: Network, node: ServedNode) -> dict[str, str]:
    """The controlled node needs a granting token to show its dataset; the others need none."""
    return network.credentials.bearer("granted") if node.spec.controlled_dataset_ids else {}


@pytest.mark.parametrize("name", sorted(NODES))
def test_each_node_answers_info_as_itself(network, name):
    node = network.nodes[name]
    answer = call(f"{node.url}/info")
    assert answer.status == 200
    info = answer.json()
    assert info["meta"]["beaconId"] == node.beacon_id == NODES[name].beacon_id
    assert info["response"]["id"] == node.beacon_id
    assert info["response"]["name"] == NODES[name].beacon_name
    assert info["response"]["organization"]["name"] == NODES[name].organization


@pytest.mark.parametrize("name", sorted(NODES))
def test_datasets_carry_country_consent_and_laws(network, name):
    node = network.nodes[name]
    answer = call(f"{node.url}/datasets", headers=as_granted(network, node))
    collections = {record["id"]: record for record in answer.json()["response"]["collections"]}
    assert set(collections) == set(node.dataset_ids)
    for spec in node.spec.datasets:
        record = collections[spec.id]
        assert record["country"] == node.country
        assert record["privacyLaws"] == list(node.spec.privacy_laws)
        assert [term["id"] for term in record["dataUseConditions"]["duoDataUse"]] == list(
            spec.duo_codes
        )
        assert record["accessLevel"] == spec.access_level


def test_the_nodes_differ_as_the_layout_says(network):
    jp, kr, tw = (network.nodes[name] for name in ("jp", "kr", "tw"))
    assert (jp.country, kr.country, tw.country) == ("JP", "KR", "TW")
    assert (jp.assembly, kr.assembly, tw.assembly) == (GRCH38, GRCH37, GRCH38)
    assert len({jp.url, kr.url, tw.url}) == 3
    assert tw.dataset_ids == (TW_CONTROLLED.id,)
    for dataset_id, path in network.vcf_paths.items():
        prefix = "chr" if NODE_OF_DATASET[dataset_id].chr_prefix else ""
        chromosomes = {line.split("\t", 1)[0] for line in _data_lines(path)}
        assert chromosomes == {prefix + chrom for chrom in CHROMOSOMES}, dataset_id


def _data_lines(path) -> list[str]:
    return [line for line in path.read_text().splitlines() if not line.startswith("#")]


def test_pysam_reads_back_the_generated_variants(network):
    for dataset_id, path in network.vcf_paths.items():
        generated = network.genomes[dataset_id]
        with pysam.VariantFile(str(path)) as vcf:
            read = [
                (
                    record.chrom.removeprefix("chr"),
                    record.pos,
                    record.ref,
                    record.alts[0],
                    record.info["ANN"][0].split("|")[3] if "ANN" in record.info else None,
                    tuple(
                        name
                        for name in vcf.header.samples
                        if 1 in (record.samples[name]["GT"] or ())
                    ),
                )
                for record in vcf
            ]
        expected = [
            (v.site.chrom, v.site.pos, v.site.ref, v.site.alt, v.site.gene, v.carriers)
            for v in generated.variants
        ]
        assert read == expected, dataset_id


def test_the_queries_hit_one_node_two_or_none(network_queries):
    assert len({query.label for query in network_queries}) == len(network_queries)
    assert {query.kind for query in network_queries} == {SEQUENCE, RANGE, GENE}
    patterns = Counter(tuple(sorted(query.hit_nodes)) for query in network_queries)
    for pattern in [(), ("jp",), ("tw",), ("kr",), ("jp", "tw")]:
        assert patterns[pattern] >= 3, pattern
    kr_counts = [query.count_on("kr") for query in network_queries]
    assert any(0 < count < SMALL_COUNT_THRESHOLD for count in kr_counts)
    assert any(count >= SMALL_COUNT_THRESHOLD for count in kr_counts)
    assert any(query.count_on("jp") >= 2 for query in network_queries if query.kind == SEQUENCE)


def test_the_same_seed_generates_the_same_network(network, network_queries):
    again = generate_network_genomes()
    assert again == network.genomes
    assert generate_queries(again) == network_queries


@pytest.mark.parametrize("name", sorted(NODES))
def test_every_query_is_counted_as_the_data_says(network, network_queries, name):
    node = network.nodes[name]
    wrong = []
    for query in network_queries:
        answer = ask(node, query, **as_granted(network, node))
        assert answer.status == 200, (query.label, answer.body[:300])
        body = answer.json()
        summary = body["responseSummary"]
        per_dataset = {s["id"]: s["resultsCount"] for s in body["response"]["resultSets"]}
        hits = {
            d: reported_count(name, query.dataset_counts[d], len(network.genomes[d].variants))
            for d in node.dataset_ids
        }
        expected = sum(hits.values())
        if (summary["numTotalResults"], summary["exists"], per_dataset) != (
            expected,
            expected > 0,
            {d: count for d, count in hits.items() if count},
        ):
            wrong.append((query.label, summary, per_dataset, hits))
    assert not wrong, wrong[:3]


def test_a_node_answers_parallel_queries_truly(network, network_queries):
    jp = network.nodes["jp"]
    chosen = [q for q in network_queries if q.count_on("jp")][:16]
    with ThreadPoolExecutor(max_workers=8) as pool:
        bodies = list(pool.map(lambda query: ask(jp, query).json(), chosen))
    counts = [body["responseSummary"]["numTotalResults"] for body in bodies]
    assert counts == [query.count_on("jp") for query in chosen]


def test_kr_bands_small_counts_and_larger_ones(network, network_queries):
    kr = network.nodes["kr"]
    small = next(q for q in network_queries if 0 < q.count_on("kr") < SMALL_COUNT_THRESHOLD)
    large = next(q for q in network_queries if q.count_on("kr") > SMALL_COUNT_THRESHOLD + 1)
    banded = ask(kr, small).json()
    result_set = banded["response"]["resultSets"][0]
    assert result_set["resultsCount"] == SMALL_COUNT_THRESHOLD
    assert result_set["info"]["countBand"] == {"min": 1, "max": SMALL_COUNT_THRESHOLD - 1}
    assert banded["responseSummary"]["numTotalResults"] == SMALL_COUNT_THRESHOLD
    rounded = ask(kr, large).json()["response"]["resultSets"][0]
    low = large.count_on("kr") // SMALL_COUNT_THRESHOLD * SMALL_COUNT_THRESHOLD
    assert rounded["resultsCount"] == low
    assert rounded["info"]["countBand"] == {"min": low, "max": low + SMALL_COUNT_THRESHOLD - 1}


def test_granularity_ceilings_differ_per_node(network, network_queries):
    """jp answers records, kr stops at counts, tw answers records to a granted token."""
    both = next(q for q in network_queries if q.hit_nodes == {"jp", "tw"} and q.kind == SEQUENCE)
    kr_hit = next(q for q in network_queries if q.hit_nodes == {"kr"})
    returned = {
        "jp": ask(network.nodes["jp"], both, "record").json(),
        "kr": ask(network.nodes["kr"], kr_hit, "record").json(),
        "tw": ask(
            network.nodes["tw"], both, "record", **as_granted(network, network.nodes["tw"])
        ).json(),
    }
    granularity = {name: body["meta"]["returnedGranularity"] for name, body in returned.items()}
    assert granularity == {"jp": "record", "kr": "count", "tw": "record"}
    for name in ("jp", "tw"):
        records = [r for s in returned[name]["response"]["resultSets"] for r in s["results"]]
        assert len(records) == both.count_on(name)
        for record in records:
            location = record["variation"]["location"]["interval"]
            assert location["start"]["value"] == both.parameters["start"][0]


def test_a_query_on_another_assembly_finds_nothing(network, network_queries):
    """Sites held at the same coordinates on another assembly are not found."""
    elsewhere = [q for q in network_queries if "only" in q.label and not q.hit_nodes]
    assert elsewhere
    for query in elsewhere:
        for name, node in network.nodes.items():
            body = ask(node, query, **as_granted(network, node)).json()
            assert body["responseSummary"]["exists"] is False, (name, query.label)


@pytest.mark.parametrize(
    ("case", "sees"),
    [
        (None, False),
        ("ungranted", False),
        ("granted", True),
        ("granted_by_visa", True),
    ],
)
def test_the_controlled_node_answers_only_a_granted_token(network, network_queries, case, sees):
    tw = network.nodes["tw"]
    query = next(q for q in network_queries if q.hit_nodes == {"tw"} and q.kind == SEQUENCE)
    headers = network.credentials.bearer(case) if case else {}
    body = ask(tw, query, "record", **headers).json()
    assert body["responseSummary"]["exists"] is sees
    info = call(f"{tw.url}/info", headers=headers).json()["response"]["info"]
    assert info["datasets"] == (1 if sees else 0)
    if sees:
        records = body["response"]["resultSets"][0]["results"]
        assert len(records) == query.count_on("tw")


def test_a_node_records_what_it_was_sent(fresh_network, network_queries):
    tw = fresh_network.nodes["tw"]
    query = network_queries[0]
    body = query.request_body("count", includeResultsetResponses="ALL")
    headers = {**fresh_network.credentials.bearer("granted"), "X-Beacon-Request-Id": "r-1"}
    call(f"{tw.url}/g_variants", body=body, headers=headers)
    (seen,) = tw.seen.snapshot()
    assert (seen.method, seen.path) == ("POST", "/g_variants")
    assert seen.authorization == f"Bearer {fresh_network.tokens['granted']}"
    assert seen.beacon_headers == {"X-Beacon-Request-Id": "r-1"}
    assert seen.json() == body
    assert not fresh_network.nodes["jp"].seen.snapshot()


@pytest.mark.parametrize("case", ["bad_signature", "expired"])
def test_the_controlled_node_refuses_an_invalid_token(network, network_queries, case):
    answer = ask(network.nodes["tw"], network_queries[0], **network.credentials.bearer(case))
    assert answer.status == 401
    assert answer.json()["error"]["errorCode"] == 401


def test_individuals_are_the_carriers_of_matching_variants(network, network_queries):
    jp = network.nodes["jp"]
    checked = 0
    for query in network_queries:
        if query.count_on("jp") == 0 or query.kind == GENE:
            continue
        answer = call(f"{jp.url}/individuals?{query.query_string('count')}").json()
        counts = {s["id"]: s["resultsCount"] for s in answer["response"]["resultSets"]}
        expected = {d: query.individual_counts[d] for d in jp.dataset_ids}
        assert counts == {d: n for d, n in expected.items() if n}, query.label
        checked += 1
    assert checked >= 5


def test_a_banding_copy_of_jp_bands_what_jp_counts_exactly(extra_node, network_queries):
    banding = extra_node("jp", settings={"SMALL_COUNT_THRESHOLD": SMALL_COUNT_THRESHOLD})
    query = next(q for q in network_queries if q.count_on("jp") == 1)
    result_set = ask(banding, query).json()["response"]["resultSets"][0]
    assert result_set["resultsCount"] == SMALL_COUNT_THRESHOLD
    assert result_set["info"]["countBand"]["max"] == SMALL_COUNT_THRESHOLD - 1
    assert banding.beacon_id == "org.example.jp-node"

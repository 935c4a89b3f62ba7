"""A hub over the three real nodes answers what the nodes answer directly, merged.

For every generated sequence, range and gene query, at each granularity, GET and POST: the hub's
answer is compared with the nodes' own answers to the same query (asked directly, every result
set included), and with the counts the generated data implies. The hub is always asked with
``chr``-prefixed names; the GRCh37 node takes only bare names and must be asked with them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pytest
from beacon_schemas import validate_framework
from network.calls import call
from network.hub_fixtures import entry, make_hub
from network.layout import GRCH37, NODES
from network.queries import NetworkQuery, reported_count
from network.served import ServedApp

from app import create_app

GRANULARITY_ORDER = ("boolean", "count", "record")
HUB_ADDITIONS = ("url", "nodeId", "country")  # a registry entry beyond the node's service-info


@pytest.fixture(scope="module")
def hub(network, tmp_path_factory):
    urls = network.urls
    return make_hub(
        tmp_path_factory.mktemp("hub"),
        [
            entry("jp", urls["jp"], "JP", referenceNaming="ucsc"),
            entry("kr", urls["kr"], "KR", referenceNaming="ensembl"),
            # its datasets are all CONTROLLED: an anonymous /info names no assembly, so the
            # registry says which it serves
            entry("tw", urls["tw"], "TW", referenceNaming="ucsc", assemblies=["GRCh38"]),
        ],
    )


def as_asked_of_hub(query: NetworkQuery) -> dict[str, Any]:
    """The query's parameters, with the chromosome spelled ``chr1`` whatever the node's way."""
    parameters = dict(query.parameters)
    if "referenceName" in parameters and not parameters["referenceName"].startswith("chr"):
        parameters["referenceName"] = "chr" + parameters["referenceName"]
    return parameters


def flat(parameters: Mapping[str, Any], **extra: Any) -> str:
    fields = {**parameters, **extra}
    return urlencode(
        {k: ",".join(map(str, v)) if isinstance(v, list) else v for k, v in fields.items()}
    )


def direct_answers(network, query: NetworkQuery, granularity: str) -> dict[str, dict]:
    """Each node's own answer, every result set included."""
    arguments = flat(
        query.parameters, requestedGranularity=granularity, includeResultsetResponses="ALL"
    )
    return {
        name: call(f"{node.url}/g_variants?{arguments}").json()
        for name, node in network.nodes.items()
    }


def expected_merge(query: NetworkQuery, direct: dict[str, dict]) -> dict[str, Any]:
    """What merging the nodes' direct answers gives, written out plainly: nodes on another
    assembly are not asked; a node without result sets is one set of its own."""
    asked = {
        name: answer for name, answer in direct.items() if NODES[name].assembly == query.assembly
    }
    sets: dict[tuple[str, str], tuple[bool, int, bool]] = {}  # -> exists, count, exact
    at_least = 0  # exact counts, the low end of each band, 1 for a yes without a count
    for answer in asked.values():
        beacon_id = answer["meta"]["beaconId"]
        listed = answer.get("response", {}).get("resultSets")
        if listed:
            for item in listed:
                band = item.get("info", {}).get("countBand")
                sets[(beacon_id, item["id"])] = (item["exists"], item["resultsCount"], not band)
                at_least += band["min"] if band else item["resultsCount"]
        else:
            exists = answer["responseSummary"]["exists"]
            sets[(beacon_id, beacon_id)] = (exists, int(exists), not exists)
            at_least += int(exists)
    granularity = min(
        (answer["meta"]["returnedGranularity"] for answer in asked.values()),
        key=GRANULARITY_ORDER.index,
    )
    return {
        "exists": any(answer["responseSummary"]["exists"] for answer in asked.values()),
        "granularity": granularity,
        "sets": sets,
        "total": at_least,
        "lower_bound": any(exists and not exact for exists, _, exact in sets.values()),
    }


def hub_answer(hub, query: NetworkQuery, granularity: str, method: str) -> dict:
    parameters = as_asked_of_hub(query)
    if method == "GET":
        arguments = flat(
            parameters, requestedGranularity=granularity, includeResultsetResponses="ALL"
        )
        response = hub.client.get(f"/g_variants?{arguments}")
    else:
        body = {
            "meta": {"apiVersion": "v2.0.1"},
            "query": {
                "requestParameters": parameters,
                "requestedGranularity": granularity,
                "includeResultsetResponses": "ALL",
            },
        }
        response = hub.client.post("/g_variants", json=body)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    validate_framework(answer, "responses/beaconResultsetsResponse.json")
    return answer


@pytest.mark.parametrize("granularity", GRANULARITY_ORDER)
def test_hub_answers_equal_the_merge_of_the_nodes_direct_answers(
    network, network_queries, hub, granularity
):
    for number, query in enumerate(network_queries):
        method = "GET" if number % 2 else "POST"
        answer = hub_answer(hub, query, granularity, method)
        expected = expected_merge(query, direct_answers(network, query, granularity))
        where = f"{query.label} {method} {granularity}"
        assert answer["responseSummary"]["exists"] is expected["exists"], where
        assert answer["meta"]["returnedGranularity"] == expected["granularity"], where
        got = {
            (item["beaconId"], item["id"]): (
                item["exists"],
                item["resultsCount"],
                item["info"]["countPrecision"] == "exact",
            )
            for item in answer["response"]["resultSets"]
        }
        assert got == expected["sets"], where
        if expected["granularity"] != "boolean":
            assert answer["responseSummary"]["numTotalResults"] == expected["total"], where
        lower_bound = answer["info"]["network"]["numTotalResultsIsLowerBound"]
        assert lower_bound is expected["lower_bound"], where


def test_hub_counts_equal_the_generated_data(network, network_queries, hub):
    """An independent truth: the counts the generated variants imply, per dataset (kr's
    counts banded, the controlled tw dataset absent without a token)."""
    for query in network_queries:
        answer = hub_answer(hub, query, "count", "GET")
        counts = {item["id"]: item for item in answer["response"]["resultSets"]}
        for node in ("jp", "kr"):
            if NODES[node].assembly != query.assembly:
                continue
            for dataset_id in NODES[node].dataset_ids:
                true_count = query.dataset_counts[dataset_id]
                shown = counts[dataset_id]
                total = len(network.genomes[dataset_id].variants)
                reported = reported_count(node, true_count, total)
                assert shown["resultsCount"] == reported, query.label
                if node == "kr" and true_count:
                    band = shown["info"]["countBand"]
                    assert band["min"] <= true_count <= band["max"], query.label
        assert "tw-biobank-controlled" not in counts  # no token: the dataset does not exist
        visible = {"jp", "kr"}
        assert answer["responseSummary"]["exists"] is bool(query.hit_nodes & visible)


def test_each_node_is_asked_in_its_own_chromosome_names_and_only_about_its_assembly(
    fresh_network, network_queries, hub
):
    grch37 = next(query for query in network_queries if query.assembly == GRCH37)
    hub_answer(hub, grch37, "count", "GET")
    kr_queries = fresh_network.nodes["kr"].seen.to("/g_variants")
    assert [seen.query["referenceName"][0] for seen in kr_queries] == [
        grch37.parameters["referenceName"]
    ]
    assert not kr_queries[0].query["referenceName"][0].startswith("chr")
    for other in ("jp", "tw"):  # GRCh38 nodes are not asked about GRCh37
        assert fresh_network.nodes[other].seen.to("/g_variants") == []
    answer = hub_answer(hub, grch37, "count", "POST")
    reports = {report["nodeId"]: report for report in answer["info"]["network"]["nodes"]}
    assert reports["jp"]["status"] == "skipped"
    assert reports["jp"]["reason"] == "it holds no GRCh37 data"
    posted = fresh_network.nodes["kr"].seen.to("/g_variants")[-1].json()
    assert (
        posted["query"]["requestParameters"]["referenceName"] == grch37.parameters["referenceName"]
    )


@pytest.mark.parametrize("inclusion", ["HIT", "MISS", "NONE"])
def test_result_set_inclusion_is_applied_over_all_nodes(network, network_queries, hub, inclusion):
    query = next(q for q in network_queries if len(q.hit_datasets) >= 1 and q.assembly != GRCH37)
    arguments = flat(
        as_asked_of_hub(query), requestedGranularity="count", includeResultsetResponses=inclusion
    )
    answer = hub.client.get(f"/g_variants?{arguments}").get_json()
    everything = hub_answer(hub, query, "count", "GET")["response"]["resultSets"]
    wanted = {
        "HIT": [s["id"] for s in everything if s["exists"]],
        "MISS": [s["id"] for s in everything if not s["exists"]],
        "NONE": [],
    }[inclusion]
    assert [s["id"] for s in answer["response"]["resultSets"]] == wanted
    assert answer["responseSummary"]["numTotalResults"] == sum(  # over every set, shown or not
        s["info"]["countBand"]["min"] if "countBand" in s["info"] else s["resultsCount"]
        for s in everything
    )


def test_records_from_the_nodes_reach_the_hub_with_their_population_frequencies(
    network, network_queries, hub
):
    query = next(q for q in network_queries if "jp" in q.hit_nodes and q.kind == "sequence")
    answer = hub_answer(hub, query, "record", "GET")
    direct = direct_answers(network, query, "record")["jp"]
    direct_records = {
        item["id"]: item["results"] for item in direct["response"]["resultSets"] if item["results"]
    }
    for item in answer["response"]["resultSets"]:
        if item["beaconId"] == NODES["jp"].beacon_id and item["id"] in direct_records:
            assert item["results"] == direct_records[item["id"]]
            assert item["results"][0]["frequencyInPopulations"]
    assert direct_records


def test_requests_every_node_would_refuse_are_refused_by_the_hub(fresh_network, hub):
    response = hub.client.get("/g_variants?referenceName=chr1&start=abc&assemblyId=GRCh38")
    assert response.status_code == 400
    validate_framework(response.get_json(), "responses/beaconErrorResponse.json")
    assert all(node.seen.to("/g_variants") == [] for node in fresh_network.nodes.values())


def test_informational_endpoints_are_the_unions_of_the_nodes(network, hub):
    client = hub.client
    info = client.get("/info").get_json()
    validate_framework(info, "responses/beaconInfoResponse.json")
    statuses = {node["id"]: node["status"] for node in info["response"]["info"]["network"]["nodes"]}
    assert statuses == {"jp": "healthy", "kr": "healthy", "tw": "healthy"}
    for path, schema in [
        ("/map", "responses/beaconMapResponse.json"),
        ("/configuration", "responses/beaconConfigurationResponse.json"),
        ("/entry_types", "responses/beaconEntryTypesResponse.json"),
        ("/filtering_terms", "responses/beaconFilteringTermsResponse.json"),
        ("/datasets", "responses/beaconCollectionsResponse.json"),
    ]:
        validate_framework(client.get(path).get_json(), schema)
    hub_map = client.get("/map").get_json()["response"]["endpointSets"]
    assert hub_map["genomicVariation"]["rootUrl"] == "http://localhost/g_variants"

    datasets = client.get("/datasets?limit=0").get_json()["response"]["collections"]
    direct = {
        (NODES[name].beacon_id, record["id"]): NODES[name].country
        for name, node in network.nodes.items()
        for record in call(f"{node.url}/datasets?limit=0").json()["response"]["collections"]
    }
    assert {(d["beaconId"], d["id"]): d["country"] for d in datasets} == direct

    terms = client.get("/filtering_terms").get_json()["response"]["filteringTerms"]
    direct_scopes: dict[str, set[str]] = {}
    for node in network.nodes.values():
        for term in call(f"{node.url}/filtering_terms").json()["response"]["filteringTerms"]:
            direct_scopes.setdefault(term["id"], set()).update(term.get("scopes", []))
    assert {t["id"]: set(t.get("scopes", [])) for t in terms} == direct_scopes


def test_a_body_nested_too_deeply_is_a_400_at_the_hub(hub):
    response = hub.client.post("/g_variants", data=b"[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    validate_framework(response.get_json(), "responses/beaconErrorResponse.json")
    assert "nested more than 32 levels deep" in response.get_json()["error"]["errorMessage"]


def test_the_hub_forwards_a_json_body_whatever_its_declared_type(network_queries, hub):
    """The nodes get the query the hub read, not an empty one."""
    query = next(query for query in network_queries if query.parameters.get("referenceName"))
    expected = hub_answer(hub, query, "count", "POST")
    body = {
        "query": {
            "requestParameters": as_asked_of_hub(query),
            "requestedGranularity": "count",
            "includeResultsetResponses": "ALL",
        }
    }
    response = hub.client.post("/g_variants", data=json.dumps(body), content_type="text/plain")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["responseSummary"] == expected["responseSummary"]
    assert response.get_json()["response"] == expected["response"]


def test_the_registry_is_served_as_a_service_registry(network, hub):
    services = hub.client.get("/services").get_json()
    assert [(s["nodeId"], s["url"], s["id"]) for s in services] == [
        (name, network.urls[name], NODES[name].beacon_id) for name in ("jp", "kr", "tw")
    ]
    for service in services:
        validate_framework(
            {key: value for key, value in service.items() if key not in HUB_ADDITIONS},
            "responses/ga4gh-service-info-1-0-0-schema.json",
        )
    assert hub.client.get("/services/kr").get_json()["url"] == network.urls["kr"]
    assert hub.client.get(f"/services/{NODES['tw'].beacon_id}").get_json()["nodeId"] == "tw"
    assert hub.client.get("/services/nowhere").status_code == 404
    types = hub.client.get("/services/types").get_json()
    assert types == [{"group": "org.ga4gh", "artifact": "beacon", "version": "v2.0.1"}]


def test_a_nodes_datasets_are_read_over_all_its_pages(extra_node, tmp_path):
    paged = extra_node(
        "jp",
        settings={
            "BEACON_ID": "org.example.jp-paged",
            "MAX_PAGE_SIZE": 1,
            "DEFAULT_PAGE_SIZE": 1,
        },
    )
    hub = make_hub(tmp_path, [entry("paged", paged.url, "JP")])
    datasets = hub.client.get("/datasets?limit=0").get_json()["response"]["collections"]
    assert sorted(d["id"] for d in datasets) == sorted(NODES["jp"].dataset_ids)
    asked = [seen.query_string for seen in paged.seen.to("/datasets")]
    assert len(asked) == len(NODES["jp"].dataset_ids)


def test_cohorts_are_the_union_of_the_nodes_cohorts(network, demo_store, tmp_path):
    """The session's nodes hold no cohort: a node over the demo data (which does) joins them."""
    demo = create_app({"BEACON_ID": "org.example.demo-node", "LOG_FORMAT": "text"}, demo_store)
    with ServedApp(demo) as demo_node:
        nodes = {**network.urls, "demo": demo_node.url}
        hub = make_hub(tmp_path, [entry(name, url, "TH") for name, url in nodes.items()])
        answer = hub.client.get("/cohorts?limit=0").get_json()
        direct = {
            (call(f"{url}/info").json()["meta"]["beaconId"], cohort["id"])
            for url in nodes.values()
            for cohort in call(f"{url}/cohorts?limit=0").json()["response"]["collections"]
        }
    validate_framework(answer, "responses/beaconCollectionsResponse.json")
    shown = {(c["beaconId"], c["id"]) for c in answer["response"]["collections"]}
    assert direct and shown == direct
    assert answer["responseSummary"]["numTotalResults"] == len(direct)


def test_a_network_whose_every_count_is_banded_answers_a_total_a_client_reads_as_present(
    network_queries, hub
):
    """kr is the only GRCh37 node and bands counts 1 to 4: the total is the band's low end."""
    query = next(q for q in network_queries if q.assembly == GRCH37 and 0 < q.count_on("kr") < 5)
    answer = hub_answer(hub, query, "count", "GET")
    assert answer["responseSummary"] == {"exists": True, "numTotalResults": 1}
    assert answer["info"]["network"]["numTotalResultsIsLowerBound"] is True
    assert any("at least" in warning for warning in answer["info"]["warnings"])

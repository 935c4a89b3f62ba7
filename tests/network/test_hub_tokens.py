"""No node receives a token it is not configured for: asserted on what each node saw.

The registry gives each node a policy: jp and kr ``none``; tw ``forward`` for the network's
issuer; a copy of tw ``forward`` for another issuer only; a copy of jp ``service``, with the
hub's own token for it. The hub verifies callers' tokens itself, like a node.
"""

from __future__ import annotations

import pytest
from beacon_schemas import validate_framework
from network.hub_fixtures import entry, make_hub
from network.layout import NODES

SERVICE_ENV = "HUB_TEST_JP_SERVICE_TOKEN"
OTHER_ISSUER = "https://login.other-network.example/"
TW_DATASET = NODES["tw"].dataset_ids[0]


@pytest.fixture
def token_network(network, extra_node, tmp_path, monkeypatch):
    credentials = network.credentials
    service_token = credentials.token_granting(sub="hub@example.org")
    monkeypatch.setenv(SERVICE_ENV, service_token)
    tw_elsewhere = extra_node("tw", settings={"BEACON_ID": "org.example.tw-elsewhere"})
    jp_service = extra_node(
        "jp", settings={"BEACON_ID": "org.example.jp-service", **credentials.node_settings()}
    )
    urls = network.urls
    hub = make_hub(
        tmp_path,
        [
            entry("jp", urls["jp"], "JP"),
            entry("kr", urls["kr"], "KR", referenceNaming="ensembl"),
            entry("tw", urls["tw"], "TW", token="forward", issuers=[credentials.issuer]),
            entry("tw-elsewhere", tw_elsewhere.url, "TW", token="forward", issuers=[OTHER_ISSUER]),
            entry("jp-service", jp_service.url, "JP", token="service", tokenEnv=SERVICE_ENV),
        ],
        **credentials.node_settings(),
    )
    nodes = {**network.nodes, "tw-elsewhere": tw_elsewhere, "jp-service": jp_service}
    for node in nodes.values():
        node.seen.clear()
    return hub, nodes, service_token


def tw_query(network_queries):
    return next(q for q in network_queries if q.dataset_counts[TW_DATASET] and q.kind == "range")


def authorizations(nodes, path: str = "/g_variants") -> dict[str, set[str | None]]:
    return {
        name: {seen.authorization for seen in node.seen.to(path)} for name, node in nodes.items()
    }


def test_each_node_gets_only_the_credential_its_policy_names(
    token_network, network_queries, network_credentials
):
    hub, nodes, service_token = token_network
    user_token = network_credentials.tokens["granted"]
    query = tw_query(network_queries)
    response = hub.client.get(
        f"/g_variants?{query.query_string('record')}",
        headers={"Authorization": f"Bearer {user_token}"},
    )
    assert response.status_code == 200
    answer = response.get_json()
    validate_framework(answer, "responses/beaconResultsetsResponse.json")
    seen = authorizations(nodes)
    assert seen["tw"] == {f"Bearer {user_token}"}
    assert seen["jp-service"] == {f"Bearer {service_token}"}
    for name in ("jp", "kr", "tw-elsewhere"):
        assert seen[name] <= {None}, name
    # the token opened the controlled dataset on tw only
    tw_sets = [s for s in answer["response"]["resultSets"] if s["id"] == TW_DATASET]
    assert [(s["beaconId"], s["resultsCount"]) for s in tw_sets] == [
        (NODES["tw"].beacon_id, query.dataset_counts[TW_DATASET])
    ]
    assert tw_sets[0]["results"]

    grch37 = next(q for q in network_queries if q.assembly == "GRCh37")
    hub.client.get(
        f"/g_variants?{grch37.query_string('count')}",
        headers={"Authorization": f"Bearer {user_token}"},
    )
    asked_kr = nodes["kr"].seen.to("/g_variants")
    assert asked_kr and {seen.authorization for seen in asked_kr} == {None}


def test_without_a_token_only_the_service_token_travels(token_network, network_queries):
    hub, nodes, service_token = token_network
    query = tw_query(network_queries)
    answer = hub.client.get(f"/g_variants?{query.query_string('count')}").get_json()
    seen = authorizations(nodes)
    assert seen["jp-service"] == {f"Bearer {service_token}"}
    for name in ("jp", "kr", "tw", "tw-elsewhere"):
        assert seen[name] <= {None}, name
    assert TW_DATASET not in {s["id"] for s in answer["response"]["resultSets"]}


def test_metadata_reads_carry_no_users_token(token_network, network_credentials):
    hub, nodes, service_token = token_network
    user = network_credentials.bearer("granted")
    network_hub = hub.app.extensions["asia_beacon.hub"]
    network_hub.refresh()  # the reads started with the hub are over
    for node in nodes.values():
        node.seen.clear()
    network_hub.refresh()
    assert hub.client.get("/info", headers=user).status_code == 200
    seen = authorizations(nodes, "/info")
    assert seen["jp-service"] == {f"Bearer {service_token}"}
    assert all(seen[name] <= {None} for name in ("jp", "kr", "tw", "tw-elsewhere"))


@pytest.mark.parametrize("case", ["bad_signature", "expired"])
def test_a_bad_token_stops_at_the_hub(token_network, network_queries, network_credentials, case):
    hub, nodes, _ = token_network
    query = tw_query(network_queries)
    response = hub.client.get(
        f"/g_variants?{query.query_string('count')}", headers=network_credentials.bearer(case)
    )
    assert response.status_code == 401
    validate_framework(response.get_json(), "responses/beaconErrorResponse.json")
    assert all(node.seen.to("/g_variants") == [] for node in nodes.values())


def test_a_hub_that_verifies_no_tokens_forwards_none(
    network, network_queries, network_credentials, tmp_path
):
    hub = make_hub(
        tmp_path,
        [entry("tw", network.urls["tw"], "TW", token="forward", issuers=[network.issuer])],
    )
    response = hub.client.get(
        f"/g_variants?{tw_query(network_queries).query_string('count')}",
        headers=network_credentials.bearer("granted"),
    )
    assert response.status_code == 401
    assert "accepts no tokens" in response.get_json()["error"]["errorMessage"]

"""The hub only ever calls the Beacon paths of a node's own base URL: what a caller puts in an
id stays in that id (percent-encoded), and an id with a ``.`` or ``..`` part is refused."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
from beacon_schemas import validate_framework
from network.hub_fixtures import entry, make_hub
from network.served import ServedApp

from app.errors import BadRequestError
from app.network.forwarding import node_path

TOKEN_ENV = "HUB_PATHS_TEST_TOKEN"


@pytest.mark.parametrize(
    ("segments", "sent"),
    [
        (("g_variants",), "g_variants"),
        (("g_variants", "GRCh38:1:100:A:G"), "g_variants/GRCh38%3A1%3A100%3AA%3AG"),
        (("individuals", "a?b=1#c", "g_variants"), "individuals/a%3Fb%3D1%23c/g_variants"),
        (("g_variants", "x/y%2Fz"), "g_variants/x%2Fy%252Fz"),
        (("cohorts", "..."), "cohorts/..."),
    ],
)
def test_each_segment_is_percent_encoded_whole(segments, sent):
    assert node_path(segments) == sent


@pytest.mark.parametrize(
    "segments",
    [
        ("g_variants", ".."),
        ("g_variants", "."),
        ("g_variants", "../../admin/drop-everything?confirm=yes#"),
        ("g_variants", "a/../b"),
        ("individuals", "..", "g_variants"),
        ("g_variants", ""),
    ],
)
def test_an_id_with_a_dot_segment_is_refused(segments):
    with pytest.raises(BadRequestError):
        node_path(segments)


def raw_get(url: str, path: str) -> tuple[int, dict]:
    """GET ``path`` exactly as written (``curl --path-as-is``)."""
    target = urlsplit(url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


BEACON_PATHS = ("/info", "/map", "/service-info", "/configuration", "/entry_types")
BEACON_PATHS += ("/filtering_terms", "/datasets", "/g_variants", "/individuals", "/cohorts")


def test_a_path_traversal_through_the_hub_never_reaches_a_nodes_host(
    fresh_network, tmp_path, monkeypatch
):
    token = fresh_network.tokens["granted"]  # tw grants it its controlled dataset
    monkeypatch.setenv(TOKEN_ENV, token)
    tw = fresh_network.nodes["tw"]
    hub = make_hub(tmp_path, [entry("tw", tw.url, "TW", token="service", tokenEnv=TOKEN_ENV)])
    with ServedApp(hub.app) as served:
        status, body = raw_get(
            served.url,
            "/g_variants/..%2F..%2Fadmin%2Fdrop-everything%3Fconfirm=yes%23?assemblyId=GRCh38",
        )
        assert status == 400
        validate_framework(body, "responses/beaconErrorResponse.json")

        status, body = raw_get(served.url, "/individuals/a%3Fconfirm=yes%23/g_variants")
        assert status == 200, body
    for seen in tw.seen:  # only Beacon paths of the node, with the hub's service token
        assert seen.path.startswith(BEACON_PATHS), seen.path
        assert "confirm" not in seen.query_string
    (asked,) = tw.seen.to("/individuals")
    assert asked.path == "/individuals/a?confirm=yes#/g_variants"  # the id, whole, in its place
    assert asked.authorization == f"Bearer {token}"

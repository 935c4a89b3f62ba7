"""The registry file: what it accepts, how it refuses, and edits taking effect while running."""

from __future__ import annotations

import json
import os

import pytest

from app.network.registry import RegistryError, RegistryFile, parse_registry, read_registry


def node(**fields):
    return {"id": "jp", "url": "http://127.0.0.1:5001/", "country": "jp", **fields}


def test_a_registry_in_yaml_with_every_field(tmp_path):
    path = tmp_path / "nodes.yaml"
    path.write_text(
        "nodes:\n"
        "  - id: jp\n    url: https://beacon.example.jp/api/\n    country: JP\n"
        "    name: Japan node\n    token: forward\n    issuers: [https://login.example.org/]\n"
        "    timeout: 2.5\n    referenceNaming: ucsc\n    assemblies: [hg38]\n"
        "  - id: kr\n    url: http://127.0.0.1:5002\n    country: kr\n"
        "    token: service\n    tokenEnv: KR_TOKEN\n"
    )
    jp, kr = read_registry(path)
    assert jp.url == "https://beacon.example.jp/api"
    assert (jp.name, jp.timeout, jp.reference_naming, jp.assemblies) == (
        "Japan node",
        2.5,
        "ucsc",
        ("GRCh38",),
    )
    assert (jp.token.kind, jp.token.issuers) == ("forward", ("https://login.example.org/",))
    assert (kr.country, kr.token.kind, kr.token.token_env, kr.name) == (
        "KR",
        "service",
        "KR_TOKEN",
        "kr",
    )
    assert kr.token.issuers == () and kr.timeout is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ([], "a mapping with a list of nodes"),
        ({"nodes": [node(id="")]}, "nodes[0].id: required"),
        ({"nodes": [node(url="ftp://x")]}, "nodes[0] (jp).url: 'ftp://x' is not an http(s) URL"),
        ({"nodes": [node(), node()]}, "nodes[1].id: 'jp' is listed twice"),
        ({"nodes": [node(token="always")]}, "token: 'always' is not one of none, forward"),
        ({"nodes": [node(token="forward")]}, "issuers: 'forward' needs the issuers"),
        ({"nodes": [node(token="service")]}, "tokenEnv: 'service' needs the environment"),
        ({"nodes": [node(issuers=["https://x/"])]}, "only a 'forward' token policy has issuers"),
        ({"nodes": [node(timeout=0)]}, "timeout: seconds"),
        ({"nodes": [node(timeout=True)]}, "timeout: seconds"),
        ({"nodes": [node(assemblies=["mm10"])]}, "assemblies: "),
        ({"nodes": [node(tokn="none")]}, "nodes[0].tokn: unknown field"),
        ({"nodes": [node(referenceNaming="refseq")]}, "referenceNaming: 'refseq' is not one of"),
        ({"nodes": [node(url="https://hub:secret@x.org")]}, "url: 'https://hub:secret@x.org' has"),
        ({"nodes": [node(url="https://x.org/api?v=2")]}, "has a query or a fragment"),
        ({"nodes": [node(url="https://x.org/api?")]}, "has a query or a fragment"),
        ({"nodes": [node(url="https://x.org/api#top")]}, "has a query or a fragment"),
        ({"nodes": [node(url="https://x.org/a/../admin")]}, "is not a plain base URL"),
        ({"nodes": [node(url="https://x.org:port/")]}, "is not an http(s) URL"),
        ({"nodes": [node(url="https:///api")]}, "is not an http(s) URL"),
        ({"nodes": [node(relays="org.a")]}, "relays: must be a list of beacon ids"),
        ({"nodes": [node(relays=["org.a", 3])]}, "relays: must be a list of beacon ids"),
    ],
)
def test_a_wrong_registry_is_refused_naming_file_node_and_field(content, message):
    with pytest.raises(RegistryError) as refused:
        parse_registry(content, "nodes.yaml")
    assert str(refused.value).startswith("nodes.yaml: ")
    assert message in str(refused.value)


def test_a_node_registered_as_a_hub_lists_the_beacons_it_may_relay():
    sea, plain = parse_registry(
        {"nodes": [node(id="sea", relays=["org.my", " org.th "]), node()]}, "nodes.yaml"
    )
    assert (sea.relays, plain.relays) == (frozenset({"org.my", "org.th"}), frozenset())


def test_an_unreadable_or_unparsable_file_is_refused(tmp_path):
    with pytest.raises(RegistryError, match="cannot be read"):
        read_registry(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("nodes: [\n")
    with pytest.raises(RegistryError, match="not valid YAML or JSON"):
        read_registry(broken)


def test_edits_take_effect_without_a_restart_and_a_broken_edit_keeps_the_last_good(tmp_path):
    path = tmp_path / "nodes.json"
    path.write_text(json.dumps({"nodes": [node()]}))
    registry = RegistryFile(path)
    assert [entry.id for entry in registry.entries()] == ["jp"]

    def rewrite(text: str, stamp: int) -> None:
        path.write_text(text)
        os.utime(path, ns=(stamp, stamp))  # a new modification time even within one tick

    rewrite(json.dumps({"nodes": [node(), node(id="kr", url="http://127.0.0.1:2")]}), 10**18)
    assert [entry.id for entry in registry.entries()] == ["jp", "kr"]
    assert registry.problem is None
    rewrite('{"nodes": [', 2 * 10**18)
    assert [entry.id for entry in registry.entries()] == ["jp", "kr"]
    assert "still serving the previous registry" in registry.problem
    rewrite(json.dumps({"nodes": [node(id="kr", url="http://127.0.0.1:2")]}), 3 * 10**18)
    assert [entry.id for entry in registry.entries()] == ["kr"]
    assert registry.problem is None


def test_a_registry_wrong_at_start_stops_the_start(tmp_path):
    path = tmp_path / "nodes.yaml"
    path.write_text("nodes:\n  - id: jp\n")
    with pytest.raises(RegistryError, match="url: required"):
        RegistryFile(path)

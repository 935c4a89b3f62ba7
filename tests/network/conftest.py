"""Fixtures of the network tests: three real asia-beacon nodes served over HTTP for the session,
further nodes (misbehaving, differently configured) per test, and the seeded queries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from network.credentials import NetworkCredentials
from network.nodes import Network, ServedNode, start_network
from network.queries import NetworkQuery, generate_queries
from network.served import closed_port_url, silent_port_url


@pytest.fixture(scope="session")
def network(tmp_path_factory) -> Iterator[Network]:
    """The jp, kr and tw nodes, served until the session ends (tests must only read them)."""
    started = start_network(tmp_path_factory.mktemp("network"))
    yield started
    started.stop()


@pytest.fixture
def fresh_network(network: Network) -> Network:
    """The session's network with every node's ``seen`` emptied: what this test sent only."""
    for node in network.nodes.values():
        node.seen.clear()
    return network


@pytest.fixture(scope="session")
def network_queries(network: Network) -> list[NetworkQuery]:
    """The seeded sequence, range and gene queries, with their expected counts."""
    return generate_queries(network.genomes)


@pytest.fixture(scope="session")
def network_credentials(network: Network) -> NetworkCredentials:
    return network.credentials


@pytest.fixture(scope="session")
def network_tokens(network: Network) -> dict[str, str]:
    """Bearer tokens by case: granted, granted_by_visa, ungranted, bad_signature, expired."""
    return network.credentials.tokens


@pytest.fixture
def extra_node(network: Network) -> Iterator[Callable[..., ServedNode]]:
    """Make further served nodes over a real node's data; all are stopped after the test.

    ``extra_node("jp", fault="hang", hang_seconds=0.5)``, ``extra_node("kr", misbehave=True)``
    (honest until its ``misbehaving.mode`` is set), ``extra_node("jp", settings={...})``.
    """
    made: list[ServedNode] = []

    def make(name: str, **options: Any) -> ServedNode:
        """``options`` as :meth:`Network.serve_copy` takes them."""
        node = network.serve_copy(name, **options)
        made.append(node)
        return node

    yield make
    for node in made:
        node.stop()


@pytest.fixture
def down_url() -> str:
    """A URL where nothing listens: connections are refused (``served.release_closed_port``
    frees it for a node that comes up late)."""
    return closed_port_url()


@pytest.fixture
def silent_url() -> str:
    """A URL that takes connections and never answers: every request times out."""
    return silent_port_url()

"""A Data Connect client from PyPI, unchanged, against the server: ``search-python-client``
(DNAstack's GA4GH Search/Data Connect client), over real HTTP on 127.0.0.1."""

from __future__ import annotations

import threading

import pytest
from open_access import OPEN_ACCESS
from search_python_client import search
from werkzeug.serving import make_server

from app import create_app

INDIVIDUALS = "asia_beacon.beacon.individuals"


@pytest.fixture(scope="module")
def base_url(demo_store):
    app = create_app({**OPEN_ACCESS, "DATA_CONNECT_PAGE_SIZE": 50}, store=demo_store)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/data-connect"
    server.shutdown()


def test_the_client_lists_reads_and_searches(base_url, demo_store):
    client = search.SearchClient(base_url=base_url)
    names = [table["name"] for table in client.get_table_list()]
    assert INDIVIDUALS in names
    info = client.get_table_info(INDIVIDUALS)
    assert "sex_id" in info["data_model"]["properties"]
    rows = list(client.get_table_data(INDIVIDUALS))  # follows next_page_url across 6 pages
    stored = demo_store.collection("individuals").count_documents({})
    assert len(rows) == stored and len({row["id"] for row in rows}) == stored
    found = list(
        client.search_table(
            f"SELECT id FROM {INDIVIDUALS} WHERE geographic_origin_id = 'ISO3166:KR' ORDER BY id"
        )
    )
    expected = sorted(
        document["id"]
        for document in demo_store.collection("individuals").find(
            {"record.geographicOrigin.id": "ISO3166:KR"}
        )
    )
    assert [row["id"] for row in found] == expected

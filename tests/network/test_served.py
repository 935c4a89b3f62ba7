"""The serving side of the harness: ``ServedApp`` records what it receives and serves requests in
parallel, a down URL refuses connections, and ``Misbehaving`` does exactly what each mode says
while leaving the node's informational endpoints alone."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import pytest
from beacon_schemas import validate_framework
from network.calls import call
from network.misbehaving import Fault, is_query_path
from network.served import ServedApp, closed_port_url

INFORMATIONAL_PATHS = [
    "/",
    "/info",
    "/service-info",
    "/configuration",
    "/map",
    "/entry_types",
    "/filtering_terms",
    "/individuals/filtering_terms",
    "/datasets",
    "/datasets/jp-biobank-wgs",
    "/cohorts",
]
HANG = 0.6  # seconds: long enough to measure, short enough for the run


def echo(environ, start_response):
    """Answers the request body back, after a pause given by ``?pause=seconds``."""
    pause = parse_qs(environ.get("QUERY_STRING", "")).get("pause")
    if pause:
        time.sleep(float(pause[0]))
    body = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def test_seen_records_method_path_query_headers_and_body():
    with ServedApp(echo) as served:
        sent = {
            "Authorization": "Bearer abc.def.ghi",
            "X-Beacon-Request-Id": "hub-42",
            "X-Beacon-Hops": "1",
        }
        answer = call(f"{served.url}/g_variants?start=5&end=9", body={"q": 1}, headers=sent)
        assert answer.status == 200
        assert answer.json() == {"q": 1}, "the application still reads the body"
        (seen,) = served.seen.snapshot()
    assert (seen.method, seen.path, seen.query_string) == ("POST", "/g_variants", "start=5&end=9")
    assert seen.query == {"start": ["5"], "end": ["9"]}
    assert seen.authorization == "Bearer abc.def.ghi"
    assert seen.header("x-beacon-request-id") == "hub-42"
    assert seen.beacon_headers == {"X-Beacon-Request-Id": "hub-42", "X-Beacon-Hops": "1"}
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.json() == {"q": 1}


def test_requests_are_served_in_parallel_and_all_recorded():
    with ServedApp(echo) as served:
        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(pool.map(lambda _: call(f"{served.url}/x?pause=0.3"), range(12)))
        elapsed = time.monotonic() - began
        assert [answer.status for answer in answers] == [200] * 12
        assert len(served.seen) == 12
    assert elapsed < 1.5, f"12 requests of 0.3 s took {elapsed:.2f} s: not served in parallel"


def test_a_stopped_app_and_the_down_url_refuse_connections(down_url):
    served = ServedApp(echo)
    url = served.url
    assert call(url).headers["Connection"] == "close", "no kept-alive connection outlives stop()"
    served.stop()
    for dead in (url, down_url, closed_port_url()):
        began = time.monotonic()
        with pytest.raises(urllib.error.URLError) as refused:
            urllib.request.urlopen(f"{dead}/info", timeout=5)
        assert isinstance(refused.value.reason, ConnectionRefusedError)
        assert time.monotonic() - began < 1.0, "refused at once, not timed out"


@pytest.mark.parametrize(
    ("path", "query"),
    [
        *((path, False) for path in INFORMATIONAL_PATHS),
        ("/cohorts/c1/filtering_terms", False),
        ("/g_variants", True),
        ("/g_variants/rs900001", True),
        ("/g_variants/v1/biosamples", True),
        ("/individuals", True),
        ("/biosamples/JPA-01/g_variants", True),
        ("/runs", True),
        ("/analyses", True),
        ("/datasets/jp-biobank-wgs/g_variants", True),
        ("/cohorts/c1/individuals", True),
    ],
)
def test_which_paths_are_queries(path, query):
    assert is_query_path(path) is query


@pytest.mark.parametrize("fault", list(Fault))
def test_informational_endpoints_pass_through_every_fault(extra_node, fault):
    node = extra_node("jp", fault=fault, hang_seconds=HANG)
    for path in INFORMATIONAL_PATHS:
        answer = call(node.url + path)
        assert answer.status == 200, path
        body = answer.json()
        beacon_id = body["id"] if path == "/service-info" else body["meta"]["beaconId"]
        assert beacon_id == node.beacon_id, path
    assert node.misbehaving.queries == 0, "no informational path was taken for a query"
    call(node.url + "/g_variants")
    assert node.misbehaving.queries == 1, "a query is counted, so the zero above means something"


def test_hang_delays_past_the_hang_then_answers_truly(extra_node, network_queries):
    node = extra_node("jp", fault="hang", hang_seconds=HANG)
    query = next(q for q in network_queries if q.count_on("jp"))
    began = time.monotonic()
    answer = call(f"{node.url}/g_variants?{query.query_string()}")
    assert time.monotonic() - began >= HANG
    assert answer.json()["responseSummary"]["numTotalResults"] == query.count_on("jp")


def test_release_ends_a_hang_early(extra_node):
    node = extra_node("kr", fault="hang", hang_seconds=30)
    answers = []
    asking = threading.Thread(target=lambda: answers.append(call(f"{node.url}/g_variants")))
    began = time.monotonic()
    asking.start()
    time.sleep(0.2)
    node.misbehaving.release()
    asking.join(timeout=5)
    assert answers and answers[0].status == 200
    assert time.monotonic() - began < 3


def test_error500_answers_a_beacon_error(extra_node):
    node = extra_node("tw", fault="error500")
    for path in ("/g_variants", "/datasets/tw-biobank-controlled/g_variants", "/individuals/x"):
        answer = call(node.url + path)
        assert answer.status == 500
        assert answer.content_type == "application/json"
        body = answer.json()
        assert body["error"]["errorCode"] == 500
        assert body["meta"]["beaconId"] == "org.example.tw-node"


def test_refuse_answers_a_beacon_error_403(extra_node):
    node = extra_node("jp", fault="refuse")
    answer = call(f"{node.url}/g_variants")
    assert answer.status == 403
    assert answer.json()["error"]["errorCode"] == 403


def test_invalid_json_is_json_but_not_a_beacon_response(extra_node):
    node = extra_node("jp", fault="invalid_json")
    answer = call(f"{node.url}/g_variants?requestedGranularity=count")
    assert answer.status == 200
    assert answer.content_type == "application/json"
    body = answer.json()
    assert "meta" not in body
    assert isinstance(body["responseSummary"]["exists"], str)
    with pytest.raises(AssertionError):
        validate_framework(body, "responses/beaconCountResponse.json")


def test_not_json_is_a_truncated_answer(extra_node, network_queries):
    node = extra_node("jp", fault="not_json")
    query = next(q for q in network_queries if q.count_on("jp"))
    answer = call(f"{node.url}/g_variants?{query.query_string()}")
    assert answer.status == 200
    assert answer.content_type == "application/json"
    with pytest.raises(ValueError):
        answer.json()
    assert answer.body.startswith(b'{"meta":')


def test_one_node_goes_through_every_mode(extra_node, network_queries):
    node = extra_node("jp", misbehave=True, hang_seconds=HANG)
    query = next(q for q in network_queries if q.count_on("jp"))
    url = f"{node.url}/g_variants?{query.query_string()}"

    honest = call(url)
    assert honest.status == 200
    validate_framework(honest.json(), "responses/beaconCountResponse.json")
    node.misbehaving.mode = "error500"
    assert call(url).status == 500
    node.misbehaving.mode = Fault.INVALID_JSON
    assert "meta" not in call(url).json()
    node.misbehaving.mode = "not_json"
    with pytest.raises(ValueError):
        call(url).json()
    node.misbehaving.mode = None
    assert call(url).json()["responseSummary"] == honest.json()["responseSummary"]
    assert len(node.seen.to("/g_variants")) == 5

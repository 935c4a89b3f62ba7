"""What a network hub adds to a query: latency through ``asia-beacon hub`` against the same
query asked of its nodes directly, with 1, 3 and 10 nodes, and with slow nodes.

    python tests/benchmarks/bench_hub.py [--quick] [--size 100000] [--store DIR] [--cache DIR]
        [--rounds 500] [--warmup 50] [--delay-ms 50] [--hub-workers 1]
        [--spectrum panel|ten-samples]

Ten real nodes (``asia-beacon serve``, gunicorn, one worker each) serve one generated
embedded store (``variant_store.py``; reused from ``--store DIR``): the store is read-only while
serving and built for several processes (its writers take a file lock), so the nodes share it as
one node's gunicorn workers would. Each node has its own beacon id, so the hub keeps their
answers apart. Every case starts one hub (``asia-beacon hub --nodes FILE``) over some of them.

A round asks one query of every node of the case directly, one node after the other, and then
of the hub (the order alternates from round to round, so neither side always finds the caches
warm), each over its own keep-alive connection at concurrency 1. The rounds cycle through
``--targets`` queries per shape (sequence, range 10 kb and gene queries at count granularity,
and in the full run sequence at boolean); the warm-up rounds are not counted. Per row:

- direct: node n1 asked directly; slowest: the highest p50 of the nodes asked directly;
  sum: the p50 of each round's direct latencies added up, what asking the nodes one after the
  other would take;
- hub: the same query through the hub; hub/direct (p50, p99) and overhead = hub p50 - slowest;
- hub CPU: the hub worker's CPU milliseconds per query; node CPU: the nodes' CPU milliseconds
  for one fan-out (half of what they spent in a round, which asks each node twice).

Every answer is checked: every node must have answered the hub, whose ``exists`` must be any
node's and ``numTotalResults`` the sum of the nodes' own (``bad`` counts rounds where not, and
the first few are printed).

Slow nodes: a delaying TCP proxy in this process holds each request for a node a fixed time
before passing it on (no CPU spent), and the hub lists the proxy instead of the node; the proxy
also notes when each request reached it, so the table shows how long after the query was sent
to the hub the slowest node got its part (``sent``). Three cases: ten nodes, one of them
``--delay-ms`` slower, listed last and then listed first in the registry (the hub sends the
requests in turn, so a node's place can matter); and three nodes delayed 10, 20 and 40 ms. The
hub should track the slowest node (plus its overhead), not the sum of the nodes.

Configuration, nodes and hub alike: the defaults with exact, cheap answers and quiet logs:
``SMALL_COUNT_THRESHOLD=0``, ``QUERY_BUDGET=0``, ``AUDIT_LOG=false``, ``LOG_FORMAT=text``,
``ACCESS_LOG=`` (none), and ``MAX_REQUESTS=0``: gunicorn would otherwise replace a worker after
about 5,000 requests, in the middle of a row (a pause, and its CPU count starts again).

On a 2-core machine the nodes, the hub and this client share the cores, so a fan-out to ten
nodes that each spend CPU cannot finish faster than their CPU time over two.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS.parents[1]))
sys.path.insert(0, str(BENCHMARKS))

from measure import load_line, machine_line, percentile  # noqa: E402
from served import Server, beacon_command, free_port, hub_command, serving  # noqa: E402
from variant_store import (  # noqa: E402
    PANEL,
    SPECTRA,
    Shape,
    build_store,
    draw_shapes,
    query_string,
    store_directory,
)

SERVER_ENVIRONMENT = {
    "ASIA_BEACON_SMALL_COUNT_THRESHOLD": "0",
    "ASIA_BEACON_QUERY_BUDGET": "0",
    "ASIA_BEACON_AUDIT_LOG": "false",
    "ASIA_BEACON_LOG_FORMAT": "text",
    "ASIA_BEACON_ACCESS_LOG": "",
    "ASIA_BEACON_MAX_REQUESTS": "0",  # no worker replaced mid-run (a restart, a CPU count reset)
}
COUNTRIES = ("JP", "KR", "TH", "SG", "MY", "ID", "VN", "PH", "IN", "TW")
STAGGERED_DELAYS_MS = (10.0, 20.0, 40.0)


class DelayingProxy:
    """A TCP proxy that holds each request ``delay`` seconds before passing it to a node: a
    node that answers that much later while spending no CPU on it.

    A request is the first bytes the client sends after the node's last answer began, so a
    request arriving in several pieces is held once, and keep-alive connections work.
    ``arrivals`` records when each request reached the proxy (``time.perf_counter``).
    """

    def __init__(self, upstream_port: int, delay: float) -> None:
        self.delay = delay
        self.arrivals: list[float] = []
        self._upstream = ("127.0.0.1", upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        upstream = socket.create_connection(self._upstream)
        for end in (client, upstream):
            end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        answered = threading.Event()
        answered.set()  # the next bytes from the client begin a request

        def answers() -> None:
            try:
                while chunk := upstream.recv(65536):
                    answered.set()
                    client.sendall(chunk)
            except OSError:
                pass
            finally:
                client.close()

        threading.Thread(target=answers, daemon=True).start()
        try:
            while chunk := client.recv(65536):
                if answered.is_set():
                    self.arrivals.append(time.perf_counter())
                    answered.clear()
                    time.sleep(self.delay)
                upstream.sendall(chunk)
        except OSError:
            pass
        finally:
            upstream.close()

    def close(self) -> None:
        self._listener.close()


@dataclass(frozen=True)
class Node:
    """A node as the hub and the client reach it: directly, or through a delaying proxy."""

    id: str
    server: Server
    proxy: DelayingProxy | None = None

    @property
    def url(self) -> str:
        return self.proxy.url if self.proxy else self.server.base_url

    @property
    def delay_ms(self) -> float:
        return self.proxy.delay * 1000 if self.proxy else 0.0


@dataclass(frozen=True)
class Row:
    """One shape of query: its name and the paths asked, cycled through."""

    name: str
    paths: list[str]


@dataclass(frozen=True)
class Answer:
    began: float  # time.perf_counter() as the request was sent
    seconds: float
    status: int
    body: bytes


@dataclass
class Measured:
    direct: list[list[float]]  # seconds, per node, per round
    hub: list[float] = field(default_factory=list)
    # seconds from sending a query to the hub until the most delayed node got it, per round
    dispatch: list[float] = field(default_factory=list)
    hub_cpu_ms: float = 0.0  # per hub query
    nodes_cpu_ms: float = 0.0  # per fan-out
    bad: int = 0
    problems: list[str] = field(default_factory=list)  # the first few bad rounds, why

    def node_p50(self, index: int) -> float:
        return percentile(self.direct[index], 50)

    @property
    def slowest_p50(self) -> float:
        return max(self.node_p50(index) for index in range(len(self.direct)))

    @property
    def sum_p50(self) -> float:
        return percentile([sum(times) for times in zip(*self.direct, strict=True)], 50)


class KeepAliveClient:
    """GET over one persistent HTTP/1.1 connection, opened again if the server closed it."""

    def __init__(self, base_url: str) -> None:
        target = urlsplit(base_url)
        self._address = (target.hostname or "127.0.0.1", target.port or 80)
        self._connection: http.client.HTTPConnection | None = None

    def get(self, path: str) -> Answer:
        """``GET path``; a connection the server dropped between requests is opened again and
        the request retried once."""
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(*self._address, timeout=60)
                self._connection.connect()
                self._connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            began = time.perf_counter()
            try:
                self._connection.request("GET", path)
                answer = self._connection.getresponse()
                body = answer.read()
            except (http.client.RemoteDisconnected, ConnectionError):
                self.close()
                if attempt == 2:
                    raise
                continue
            seconds = time.perf_counter() - began
            if answer.will_close:
                self.close()
            return Answer(began, seconds, answer.status, body)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def rows_for(shapes: list[Shape], full: bool) -> list[Row]:
    by_name = {shape.name: shape for shape in shapes}

    def paths(shape: str, granularity: str) -> list[str]:
        return [f"/g_variants?{query_string(p, granularity)}" for p in by_name[shape].parameters]

    rows = [
        Row("sequence count", paths("sequence", "count")),
        Row("range 10 kb count", paths("range 10 kb", "count")),
        Row("gene count", paths("gene", "count")),
    ]
    if full:
        rows.insert(0, Row("sequence boolean", paths("sequence", "boolean")))
    return rows


def start_nodes(stack: ExitStack, uri: str, count: int, log_dir: Path) -> list[Server]:
    """``count`` nodes over the store at ``uri``, started together, each with its beacon id."""
    servers = []
    for index in range(1, count + 1):
        port = free_port()
        environment = {**SERVER_ENVIRONMENT, "ASIA_BEACON_BEACON_ID": f"org.bench.node{index}"}
        server = stack.enter_context(
            serving(
                beacon_command(uri, port, 1),
                port,
                log_dir / f"node{index}.log",
                environment,
                ready_path=None,
            )
        )
        servers.append(server)
    for server in servers:
        server.seconds_until("/healthz")
    return servers


def write_registry(path: Path, nodes: list[Node]) -> Path:
    entries = [
        {"id": node.id, "url": node.url, "country": COUNTRIES[index % len(COUNTRIES)]}
        for index, node in enumerate(nodes)
    ]
    path.write_text(json.dumps({"nodes": entries}, indent=2))
    return path


def merge_problem(hub_body: bytes, node_bodies: list[bytes]) -> str | None:
    """Why the hub's answer is not the nodes' answers merged, or None: every node must have
    answered, ``exists`` is any node's and ``numTotalResults`` the sum of theirs."""
    answer = json.loads(hub_body)
    failed = [
        f"{report['nodeId']}: {report['reason']}"
        for report in answer["info"]["network"]["nodes"]
        if report["status"] != "answered"
    ]
    if failed:
        return "; ".join(failed)
    summaries = [json.loads(body)["responseSummary"] for body in node_bodies]
    merged = answer["responseSummary"]
    if merged["exists"] != any(summary["exists"] for summary in summaries):
        return f"exists {merged['exists']} where the nodes said {summaries}"
    counts = [summary.get("numTotalResults") for summary in summaries]
    if None not in counts and merged.get("numTotalResults") != sum(counts):
        return f"numTotalResults {merged.get('numTotalResults')} where the nodes said {counts}"
    return None


def measure_row(hub: Server, nodes: list[Node], row: Row, rounds: int, warmup: int) -> Measured:
    """``rounds`` rounds after ``warmup`` uncounted ones: each node directly, then the hub
    (or the hub first: the order alternates)."""
    clients = [KeepAliveClient(node.url) for node in nodes]
    through = KeepAliveClient(hub.base_url)
    measured = Measured([[] for _ in nodes])
    slowest = max(nodes, key=lambda node: node.delay_ms)
    watched = slowest.proxy

    def one_round(number: int, counted: bool) -> None:
        path = row.paths[number % len(row.paths)]
        if number % 2 == 0:
            hub_answer = through.get(path)
            direct = [client.get(path) for client in clients]
        else:
            direct = [client.get(path) for client in clients]
            hub_answer = through.get(path)
        if not counted:
            return
        for times, answer in zip(measured.direct, direct, strict=True):
            times.append(answer.seconds)
        measured.hub.append(hub_answer.seconds)
        if watched is not None:
            ended = hub_answer.began + hub_answer.seconds
            reached = [t for t in watched.arrivals if hub_answer.began <= t <= ended]
            measured.dispatch.append(reached[0] - hub_answer.began if reached else float("nan"))
            watched.arrivals.clear()
        statuses = [answer.status for answer in (*direct, hub_answer)]
        if any(status != 200 for status in statuses):
            problem: str | None = f"HTTP statuses {statuses}"
        else:
            problem = merge_problem(hub_answer.body, [answer.body for answer in direct])
        if problem:
            measured.bad += 1
            if len(measured.problems) < 3:
                measured.problems.append(f"round {number}: {problem}")

    for number in range(warmup):
        one_round(number, counted=False)
    if watched is not None:
        watched.arrivals.clear()
    servers = list({node.server.base_url: node.server for node in nodes}.values())
    hub_cpu, nodes_cpu = hub.workers_cpu_seconds(), sum(s.workers_cpu_seconds() for s in servers)
    for number in range(warmup, warmup + rounds):
        one_round(number, counted=True)
    measured.hub_cpu_ms = (hub.workers_cpu_seconds() - hub_cpu) / rounds * 1000
    nodes_spent = sum(s.workers_cpu_seconds() for s in servers) - nodes_cpu
    measured.nodes_cpu_ms = nodes_spent / (2 * rounds) * 1000
    for client in (*clients, through):
        client.close()
    return measured


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def print_overhead_table(results: list[tuple[int, str, Measured]]) -> None:
    print(
        "\nhub overhead at concurrency 1 (keep-alive), milliseconds; direct = node n1 asked "
        "directly,\nslowest = highest node p50, sum = p50 of a round's direct latencies added, "
        "overhead = hub p50 - slowest"
    )
    header = (
        f"  {'nodes':>5} {'shape':<18} {'direct p50':>10} {'p99':>7} {'slowest':>8} "
        f"{'sum':>7} {'hub p50':>8} {'p99':>7} {'hub/direct p50':>14} {'p99':>5} "
        f"{'overhead':>8} {'hub CPU':>7} {'node CPU':>8} {'bad':>4}"
    )
    print(header)
    for count, name, found in results:
        direct_p50, direct_p99 = found.node_p50(0), percentile(found.direct[0], 99)
        hub_p50, hub_p99 = percentile(found.hub, 50), percentile(found.hub, 99)
        print(
            f"  {count:>5} {name:<18} {ms(direct_p50):>10} {ms(direct_p99):>7} "
            f"{ms(found.slowest_p50):>8} {ms(found.sum_p50):>7} {ms(hub_p50):>8} "
            f"{ms(hub_p99):>7} {hub_p50 / direct_p50:>14.2f} {hub_p99 / direct_p99:>5.2f} "
            f"{ms(hub_p50 - found.slowest_p50):>8} {found.hub_cpu_ms:>7.2f} "
            f"{found.nodes_cpu_ms:>8.2f} {found.bad:>4}"
        )
        for problem in found.problems:
            print(f"        bad {problem}")


def print_slow_table(results: list[tuple[str, list[Node], Measured]], fixed: float) -> None:
    """``fixed``: the hub's overhead over one node (seconds), what it adds in either case."""
    print(
        "\nslow nodes (a proxy holds each request to them): does the hub wait for the slowest "
        "node or for the sum?\np50 milliseconds; sent = when the most delayed node got its "
        f"request, from sending the query to the hub; expected: slowest or sum + {ms(fixed)} "
        "(the overhead over one node)"
    )
    print(
        f"  {'case':<36} {'slowest':>8} {'sum':>7} {'hub':>7} {'hub p99':>7} "
        f"{'hub-slowest':>11} {'sent':>6} {'bad':>4}  nodes' p50"
    )
    for name, nodes, found in results:
        hub_p50 = percentile(found.hub, 50)
        sent = percentile([lag for lag in found.dispatch if lag == lag], 50)  # drop NaN
        each = " ".join(
            f"{node.id}{'+' + format(node.delay_ms, 'g') if node.delay_ms else ''}="
            f"{found.node_p50(index) * 1000:.1f}"
            for index, node in enumerate(nodes)
        )
        print(
            f"  {name:<36} {ms(found.slowest_p50):>8} {ms(found.sum_p50):>7} {ms(hub_p50):>7} "
            f"{ms(percentile(found.hub, 99)):>7} {ms(hub_p50 - found.slowest_p50):>11} "
            f"{ms(sent):>6} {found.bad:>4}  {each}"
        )
        parallel, serial = found.slowest_p50 + fixed, found.sum_p50 + fixed
        nearer = "PARALLEL" if abs(hub_p50 - parallel) < abs(hub_p50 - serial) else "SERIAL"
        print(
            f"  {'':<36} -> hub {ms(hub_p50)}: expected {ms(parallel)} if the nodes are asked "
            f"in parallel, {ms(serial)} if one after the other; nearer {nearer}"
        )
        for problem in found.problems:
            print(f"  {'':<36} bad {problem}")


def run_case(
    nodes: list[Node],
    rows: list[Row],
    rounds: int,
    warmup: int,
    workers: int,
    work: Path,
    name: str,
) -> list[Measured]:
    """Start a hub over ``nodes``, measure every row through it, stop it."""
    registry = write_registry(work / f"nodes-{name}.json", nodes)
    port = free_port()
    environment = {**SERVER_ENVIRONMENT, "ASIA_BEACON_BEACON_ID": "org.bench.hub"}
    with ExitStack() as case:
        hub = case.enter_context(
            serving(
                hub_command(registry, port, workers), port, work / f"hub-{name}.log", environment
            )
        )
        print(f"  {name}: hub over {len(nodes)} node(s) ...", flush=True)
        return [measure_row(hub, nodes, row, rounds, warmup) for row in rows]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds: about 2.5 minutes")
    parser.add_argument("--size", type=int, default=100_000, help="variants in the store")
    parser.add_argument("--store", type=Path, help="keep stores here and reuse them")
    parser.add_argument("--cache", type=Path, help="generated VCFs (default: in --store/vcf)")
    parser.add_argument("--targets", type=int, default=200, help="distinct queries per shape")
    parser.add_argument("--rounds", type=int, help="counted rounds per row [500; quick 150]")
    parser.add_argument("--warmup", type=int, help="uncounted rounds per row [50; quick 20]")
    parser.add_argument("--node-counts", default="1,3,10")
    parser.add_argument("--delay-ms", type=float, default=50.0, help="the one slow node's delay")
    parser.add_argument("--hub-workers", type=int, default=1)
    parser.add_argument(
        "--spectrum", choices=SPECTRA, default=PANEL, help="allele frequencies of the data"
    )
    arguments = parser.parse_args(argv)
    rounds = arguments.rounds or (150 if arguments.quick else 500)
    warmup = arguments.warmup if arguments.warmup is not None else (20 if arguments.quick else 50)
    counts = [int(part) for part in arguments.node_counts.split(",")]
    print(machine_line())
    print(load_line("before"))
    print(f"nodes and hub: asia-beacon defaults and {SERVER_ENVIRONMENT}")
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as scratch, ExitStack() as stack:
        root = arguments.store or Path(scratch)
        work = Path(scratch)
        built = build_store(
            store_directory(root, arguments.size, arguments.spectrum),
            arguments.size,
            arguments.cache or root / "vcf",
            arguments.spectrum,
        )
        rows = rows_for(draw_shapes(built.uri, arguments.targets), not arguments.quick)
        began = time.perf_counter()
        servers = start_nodes(stack, built.uri, max(counts), work / "logs")
        print(
            f"{len(servers)} nodes (asia-beacon serve, 1 gunicorn worker each) over one "
            f"{arguments.size:,}-variant store, up in {time.perf_counter() - began:.1f} s; "
            f"hub: asia-beacon hub --workers {arguments.hub_workers}; {rounds} rounds per row "
            f"after {warmup} warm-up rounds",
            flush=True,
        )
        nodes = [Node(f"n{index}", server) for index, server in enumerate(servers, start=1)]
        overhead: list[tuple[int, str, Measured]] = []
        for count in counts:
            found = run_case(
                nodes[:count], rows, rounds, warmup, arguments.hub_workers, work, f"{count}"
            )
            overhead.extend((count, row.name, item) for row, item in zip(rows, found, strict=True))
        print(load_line("after the overhead cases"))

        slow_row = next(row for row in rows if row.name == "sequence count")
        slow_rounds = max(rounds // 2, 50)
        slow: list[tuple[str, list[Node], Measured]] = []
        for index, (name, case_nodes) in enumerate(slow_cases(stack, nodes, arguments.delay_ms)):
            found = run_case(
                case_nodes,
                [slow_row],
                slow_rounds,
                warmup,
                arguments.hub_workers,
                work,
                f"slow{index}",
            )
            slow.append((name, case_nodes, found[0]))
        print(load_line("after the slow cases"))
        print_overhead_table(overhead)
        print(f"\n  ({slow_rounds} rounds of {slow_row.name} per slow case)")
        single = [found for count, name, found in overhead if count == 1 and name == slow_row.name]
        fixed = percentile(single[0].hub, 50) - single[0].slowest_p50 if single else 0.0
        print_slow_table(slow, fixed)
    print(load_line("after"))


def slow_cases(
    stack: ExitStack, nodes: list[Node], delay_ms: float
) -> list[tuple[str, list[Node]]]:
    """Every node with one ``delay_ms`` slower, listed last and listed first (the hub sends
    in turn); and the first three nodes with staggered delays."""
    count = len(nodes)
    last = [*nodes[:-1], delayed(stack, nodes[-1], delay_ms)]
    first = [delayed(stack, nodes[0], delay_ms), *nodes[1:]]
    staggered = [
        delayed(stack, node, delay) for node, delay in zip(nodes, STAGGERED_DELAYS_MS, strict=False)
    ]
    delays = "/".join(format(delay, "g") for delay in STAGGERED_DELAYS_MS)
    return [
        (f"{count} nodes, n{count} +{delay_ms:g} ms, listed last", last),
        (f"{count} nodes, n1 +{delay_ms:g} ms, listed first", first),
        (f"{len(staggered)} nodes, +{delays} ms", staggered),
    ]


def delayed(stack: ExitStack, node: Node, delay_ms: float) -> Node:
    """``node`` behind a proxy that holds each request ``delay_ms``, closed with ``stack``."""
    proxy = DelayingProxy(urlsplit(node.server.base_url).port or 80, delay_ms / 1000)
    stack.callback(proxy.close)
    return Node(node.id, node.server, proxy)


if __name__ == "__main__":
    main()

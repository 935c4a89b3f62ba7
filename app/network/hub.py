"""The hub's view of its network: the registry, each node's metadata and health, and the
parallel fan-out of one query.

One ``Hub`` lives per process (per gunicorn worker). Node metadata is read at start and again
once it is older than the refresh interval, in the background, so no query waits for it except
the first one after a node joins; a read that failed is tried again within seconds, then less
and less often. A query never waits longer than the slowest node's timeout.

Each node has its own share of the hub's threads (:mod:`app.network.bulkhead`), each call ends
at its deadline (:mod:`app.network.client`), and the answers of one query may take only so much
memory together, shared equally by the nodes asked: no node can take the time, threads or
memory the others need. Whatever goes wrong reading one node is that node's failure, never
the query's.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from app.network.bulkhead import CALLS_PER_NODE, Bulkhead, Bulkheads
from app.network.client import Fetched, NodeClient
from app.network.forwarding import LoopGuard, upstream_authorization
from app.network.health import BreakerSettings, NodeHealth
from app.network.identity import beacon_id_conflicts, derived_instance_id
from app.network.merge import ANSWERED, FAILED, SKIPPED, NodeAnswer
from app.network.metadata import NodeMetadata, NodeMetadataError, fetch_metadata
from app.network.registry import NodeEntry, RegistryFile
from app.network.validation import OfficialSchemas, answer_problems, query_answer_schema

# a query waits for its slowest node's timeout plus this, for the threads to hand back
COLLECT_MARGIN_SECONDS = 0.25
# a node whose metadata could not be read is read again after this, then twice as long after
# each failure in a row, up to NETWORK_COOLDOWN: a node starting after the hub is soon read
FIRST_METADATA_RETRY_SECONDS = 1.0
QUERY_MEMORY_BYTES = 32 * 1024 * 1024  # NETWORK_QUERY_MEMORY_MB's default

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NetworkSettings:
    nodes_file: str
    timeout: float = 5.0
    refresh_interval: float = 300.0
    max_hops: int = 2
    breaker: BreakerSettings = field(default_factory=BreakerSettings)
    schemas_dir: str = ""
    instance_id: str = ""  # empty: derived from the hub's configuration
    # what the nodes' answers to one query may take in memory together (client.answer_cost),
    # each node asked its equal share; also the most one node's metadata may take
    query_memory: int = QUERY_MEMORY_BYTES
    calls_per_node: int = CALLS_PER_NODE  # calls one node may have in flight (its bulkhead)


@dataclass(frozen=True)
class NodeQuery:
    """One query as each node gets it: ``build(node)`` gives the method, path and body."""

    path: str  # forwarding.node_path's, e.g. "g_variants" or "individuals/ind1/g_variants"
    method: str
    build: Callable[[NodeEntry], tuple[str, Any]]  # -> (URL query string or "", JSON body)
    assembly: str | None  # canonical; None: the query names none
    caller_token: str | None = None
    caller_issuer: str | None = None
    request_id: str | None = None
    collections: bool = False  # datasets or cohorts: answered as beaconCollectionsResponse


class Hub:
    def __init__(self, settings: NetworkSettings, own_beacon_id: str) -> None:
        self.settings = settings
        self.own_beacon_id = own_beacon_id
        # who this hub is among its nodes: never its beacon id, which a node may share
        self.instance_id = settings.instance_id or derived_instance_id(
            own_beacon_id, settings.nodes_file
        )
        self.registry = RegistryFile(settings.nodes_file)
        self.schemas = OfficialSchemas(settings.schemas_dir)
        self.client = NodeClient()
        # every call to a node: in that node's own share of threads
        self._bulkheads = Bulkheads(settings.calls_per_node)
        self._bulkheads_of: tuple[NodeEntry, ...] | None = None  # the registry they are for
        # reads of metadata waiting for the nodes' calls: never a call to a node itself
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="hub")
        self._lock = threading.Lock()
        self._metadata: dict[str, NodeMetadata] = {}
        self._metadata_errors: dict[str, str] = {}
        self._metadata_failures: dict[str, int] = {}  # failed reads in a row, by node
        self._refreshed_at: dict[str, float] = {}
        self._health: dict[str, NodeHealth] = {}
        self._refreshing = False
        # nodes whose metadata is being read, each with the event set when the read ends
        self._reading: dict[str, threading.Event] = {}

    # --- nodes and their metadata ------------------------------------------------------------
    def nodes(self) -> tuple[NodeEntry, ...]:
        return self.registry.entries()

    def health(self, node: NodeEntry) -> NodeHealth:
        with self._lock:
            if node.id not in self._health:
                self._health[node.id] = NodeHealth(self.settings.breaker)
            return self._health[node.id]

    def metadata(self, node: NodeEntry) -> NodeMetadata | None:
        return self._metadata.get(node.id)

    def metadata_error(self, node: NodeEntry) -> str | None:
        return self._metadata_errors.get(node.id)

    def is_self(self, node: NodeEntry) -> bool:
        """Whether the node is this very hub (one of its workers): its /info gives this hub's
        instance id."""
        metadata = self._metadata.get(node.id)
        return metadata is not None and metadata.instance_id == self.instance_id

    def beacon_id_conflicts(self) -> dict[str, str]:
        """Each read node whose beacon id is also this hub's or another node's, and the fix."""
        return beacon_id_conflicts(
            self.own_beacon_id,
            {node.id: metadata.beacon_id for node, metadata in self.read_nodes()},
        )

    def usable_nodes(self) -> list[tuple[NodeEntry, NodeMetadata]]:
        """Nodes whose metadata is known and healthy: those the hub's unions are made of."""
        return [
            (node, metadata)
            for node, metadata in self.read_nodes()
            if node.id not in self._metadata_errors and not self.health(node).circuit_open
        ]

    def start(self) -> None:
        """Read every node's metadata in the background, so the first queries need not wait."""
        self._executor.submit(self.refresh)

    def read_nodes(self) -> list[tuple[NodeEntry, NodeMetadata]]:
        """Nodes whose metadata was read at least once, whether or not they answer now (the
        catalog of what the network holds), but not this hub itself."""
        read = []
        for node in self.nodes():
            metadata = self._metadata.get(node.id)
            if metadata is not None and not self.is_self(node):
                read.append((node, metadata))
        return read

    def refresh(
        self, nodes: Iterable[NodeEntry] | None = None, longest_wait: float | None = None
    ) -> None:
        """Read the metadata of ``nodes`` (all by default) in parallel; waits for them all.

        A node already being read is not read again but waited for. A hub listing itself
        would otherwise read itself while answering its own read, without end.
        """
        chosen = list(self.nodes() if nodes is None else nodes)
        starting, reads = [], []
        with self._lock:
            for node in chosen:
                if node.id not in self._reading:
                    self._reading[node.id] = threading.Event()
                    starting.append(node)
                reads.append(self._reading[node.id])
        for node in starting:
            if self._bulkhead(node).submit(self._refresh_one, node) is None:
                self._metadata_failed(node, self._bulkhead_full(node))
                self._read_over(node)
        patience = self._read_deadline(chosen)
        deadline = time.monotonic() + min(
            patience, patience if longest_wait is None else longest_wait
        )
        for read in reads:
            read.wait(max(0.0, deadline - time.monotonic()))

    def keep_fresh(self, first_read_wait: float | None = None) -> None:
        """Before answering: nodes never read are read now, waiting for them at most
        ``first_read_wait`` seconds (None: as long as the reads may take); stale ones in the
        background. A node whose last read failed is stale much sooner (``_fresh_for``)."""
        now = time.monotonic()
        nodes = self.nodes()
        unread = [node for node in nodes if node.id not in self._refreshed_at]
        if unread:
            self.refresh(unread, first_read_wait)  # also waits for reads already started
        stale = [
            node
            for node in nodes
            if now - self._refreshed_at.get(node.id, now) >= self._fresh_for(node)
        ]
        with self._lock:
            if not stale or self._refreshing:
                return
            self._refreshing = True

        def refresh_in_background() -> None:
            try:
                self.refresh(stale)
            finally:
                with self._lock:
                    self._refreshing = False

        self._executor.submit(refresh_in_background)

    def _fresh_for(self, node: NodeEntry) -> float:
        """How long a node's last read holds: a failed one, a back-off from a second up to the
        cool-down, so a node down at the hub's start is read within seconds of coming up."""
        failures = self._metadata_failures.get(node.id, 0)
        if not failures:
            return self.settings.refresh_interval
        back_off = FIRST_METADATA_RETRY_SECONDS * 2 ** min(failures - 1, 16)
        return min(back_off, self.settings.breaker.cooldown, self.settings.refresh_interval)

    def _read_deadline(self, nodes: Iterable[NodeEntry]) -> float:
        """How long reading nodes' metadata may take: eight answers in a row, at most."""
        return self._longest_timeout(nodes) * 8 + COLLECT_MARGIN_SECONDS

    def _refresh_one(self, node: NodeEntry) -> None:
        headers = LoopGuard(0, ()).onward(self.instance_id)
        service = upstream_authorization(node, None, None)  # the hub's own token, never a user's
        if service:
            headers["Authorization"] = service
        began = time.perf_counter()
        try:
            metadata = fetch_metadata(
                self.client,
                node,
                self.schemas,
                self._timeout_of(node),
                headers,
                self.instance_id,
                self.settings.query_memory,
            )
        except NodeMetadataError as error:
            self._metadata_failed(node, str(error))
        except Exception as error:  # a fault reading this node is this node's, nobody else's
            log.exception("reading the metadata of node %s failed", node.id)
            self._metadata_failed(node, f"could not be read ({type(error).__name__})")
        else:
            self._metadata[node.id] = metadata
            self._metadata_errors.pop(node.id, None)
            self._metadata_failures.pop(node.id, None)
            self.health(node).succeeded(time.perf_counter() - began)
        finally:
            self._read_over(node)

    def _metadata_failed(self, node: NodeEntry, error: str) -> None:
        self._metadata_errors[node.id] = error
        self._metadata_failures[node.id] = self._metadata_failures.get(node.id, 0) + 1
        self.health(node).failed(f"metadata {error}")

    def _read_over(self, node: NodeEntry) -> None:
        self._refreshed_at[node.id] = time.monotonic()
        with self._lock:
            self._reading.pop(node.id).set()

    # --- one query ---------------------------------------------------------------------------
    def fan_out(self, query: NodeQuery, guard: LoopGuard) -> list[NodeAnswer]:
        """Every node's part in ``query``: asked in parallel, or why it was not asked.

        The requests leave one after the other, each after its share of the hub's CPU (about
        1 ms a node on 2 cores, docs/benchmarks.md#network-hub-overhead), so the nodes slowest
        at their last answer are sent theirs first: a slow node's wait then covers the time
        spent sending to the others and reading their answers, instead of adding to it.
        """
        self.keep_fresh()
        answers: dict[str, NodeAnswer] = {}
        to_ask: list[tuple[NodeEntry, NodeMetadata]] = []
        onward = guard.onward(self.instance_id)
        nodes = self.nodes()  # one snapshot of the registry for the whole query
        self._let_go_of_removed_nodes(nodes)
        for node in nodes:
            reason, status = self._not_asked(node, query, guard)
            metadata = self._metadata.get(node.id)
            if reason is not None:
                beacon_id = metadata.beacon_id if metadata else None
                answers[node.id] = NodeAnswer(node.id, node.country, beacon_id, status, reason)
                continue
            assert metadata is not None
            to_ask.append((node, metadata))
        to_ask.sort(key=lambda asking: self._last_seconds(asking[0]), reverse=True)
        share = self.settings.query_memory // max(1, len(to_ask))
        asked = {
            node.id: (node, metadata, self._send(node, query, onward, share))
            for node, metadata in to_ask
        }
        sent = [future for _, _, future in asked.values() if future is not None]
        if sent:
            deadline = max(self._timeout_of(node) for node, _, _ in asked.values())
            wait(sent, deadline + COLLECT_MARGIN_SECONDS)
        for node_id, (node, metadata, future) in asked.items():
            answers[node_id] = self._answer(node, metadata, future, query)
        return [answers[node.id] for node in nodes if node.id in answers]

    def _not_asked(
        self, node: NodeEntry, query: NodeQuery, guard: LoopGuard
    ) -> tuple[str | None, str]:
        """Why a node is not asked (and whether that is a failure), or (None, "")."""
        metadata = self._metadata.get(node.id)
        if metadata is None:
            error = self._metadata_errors.get(node.id)
            if error is None:
                return "its metadata is not read yet", FAILED
            return f"its metadata could not be read: {error}", FAILED
        if self.is_self(node):
            return "this hub itself", SKIPPED
        is_hub = metadata.is_hub or bool(node.relays)
        if is_hub and metadata.instance_id in guard.path:
            return "already on this query's path (a loop between hubs)", SKIPPED
        if is_hub and guard.hops + 1 >= self.settings.max_hops:
            return f"a hub beyond the hop limit ({self.settings.max_hops})", SKIPPED
        root = query.path.split("/", 1)[0]
        if root not in metadata.entry_paths:
            return f"it does not serve /{root}", SKIPPED
        assemblies = set(node.assemblies) or set(metadata.assemblies)
        if query.assembly and assemblies and query.assembly not in assemblies:
            return f"it holds no {query.assembly} data", SKIPPED
        health = self.health(node)
        if not health.admits():
            wait_for = health.seconds_until_retry()
            return (
                f"not asked for {wait_for:.0f} s more after {health.failures_in_a_row} "
                "failures in a row (circuit open)",
                FAILED,
            )
        return None, ""

    def _send(
        self, node: NodeEntry, query: NodeQuery, onward: dict[str, str], max_bytes: int
    ) -> Future[Fetched] | None:
        """The call to ``node`` in its own share of threads; None when that is all taken."""
        arguments, body = query.build(node)
        url = f"{node.url}/{query.path}" + (f"?{arguments}" if arguments else "")
        headers = dict(onward)
        authorization = upstream_authorization(node, query.caller_token, query.caller_issuer)
        if authorization:
            headers["Authorization"] = authorization
        if query.request_id:
            headers["X-Request-ID"] = query.request_id
        timeout = self._timeout_of(node)
        return self._bulkhead(node).submit(
            self.client.fetch, query.method, url, timeout, headers, body, max_bytes
        )

    def _bulkhead(self, node: NodeEntry) -> Bulkhead:
        return self._bulkheads.of(node.id)

    def _let_go_of_removed_nodes(self, nodes: tuple[NodeEntry, ...]) -> None:
        """The threads of nodes no longer in the registry are let go (once per new registry)."""
        if nodes is not self._bulkheads_of:
            self._bulkheads_of = nodes
            self._bulkheads.keep_only({entry.id for entry in nodes})

    def _bulkhead_full(self, node: NodeEntry) -> str:
        return (
            f"not asked: {self._bulkheads.limit} calls to it are still running (none of them "
            "answered yet)"
        )

    def _answer(
        self, node: NodeEntry, metadata: NodeMetadata, future: Future | None, query: NodeQuery
    ) -> NodeAnswer:
        """A node's answer as the merge takes it; its health learns from it. Whatever goes
        wrong here is the node's failure."""
        try:
            return self._checked_answer(node, metadata, future, query)
        except Exception as error:
            log.exception("reading the answer of node %s failed", node.id)
            reason = f"its answer could not be read ({type(error).__name__})"
            self.health(node).failed(reason)
            return NodeAnswer(node.id, node.country, metadata.beacon_id, FAILED, reason)

    def _checked_answer(
        self, node: NodeEntry, metadata: NodeMetadata, future: Future | None, query: NodeQuery
    ) -> NodeAnswer:
        health = self.health(node)
        timeout = self._timeout_of(node)

        def failed(
            reason: str, seconds: float | None, counts_against_node: bool, **how: Any
        ) -> NodeAnswer:
            if counts_against_node:
                health.failed(reason)
            return NodeAnswer(
                node.id, node.country, metadata.beacon_id, FAILED, reason, seconds=seconds, **how
            )

        if future is None:
            return failed(self._bulkhead_full(node), None, True)
        if not future.done():
            return failed(f"no answer within {timeout:g} s", timeout, True, timed_out=True)
        fetched: Fetched = future.result()
        if fetched.status == 404:  # nothing of that id there (/datasets/{id}/...): not a fault
            health.succeeded(fetched.seconds)
            return NodeAnswer(
                node.id, node.country, metadata.beacon_id, SKIPPED, _refusal(fetched),
                seconds=fetched.seconds,
            )  # fmt: skip
        if fetched.status is not None and 400 <= fetched.status < 500:
            # the node refused this query (bad request, token): the query's fault, not the node's
            health.succeeded(fetched.seconds)
            return failed(_refusal(fetched), fetched.seconds, False, http_status=fetched.status)
        if not fetched.ok:
            if fetched.status not in (None, 200):  # an HTTP error, with the node's message
                return failed(_refusal(fetched), fetched.seconds, True, http_status=fetched.status)
            reason = fetched.error or "no answer"
            return failed(reason, fetched.seconds, True, timed_out=fetched.timed_out)
        problems = answer_problems(fetched.body, query.collections) or self.schemas.problems(
            fetched.body, query_answer_schema(fetched.body, query.collections)
        )
        if problems:
            return failed(f"invalid answer ({'; '.join(problems)})", fetched.seconds, True)
        health.succeeded(fetched.seconds)
        return NodeAnswer(
            node.id,
            node.country,
            metadata.beacon_id,
            ANSWERED,
            body=fetched.body,
            seconds=fetched.seconds,
            relays=node.relays,
        )

    def _last_seconds(self, node: NodeEntry) -> float:
        """How long the node took to answer last time; never answered: as slow as can be."""
        seconds = self.health(node).latency_seconds
        return math.inf if seconds is None else seconds

    def _timeout_of(self, node: NodeEntry) -> float:
        return node.timeout or self.settings.timeout

    def _longest_timeout(self, nodes: Iterable[NodeEntry]) -> float:
        return max((self._timeout_of(node) for node in nodes), default=self.settings.timeout)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._bulkheads.shutdown()
        self.client.close()


def _refusal(fetched: Fetched) -> str:
    """A node's HTTP error in words, with its Beacon error message when it sent one."""
    body = fetched.body if isinstance(fetched.body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    message = error.get("errorMessage")
    return f"HTTP {fetched.status}" + (f": {message}" if isinstance(message, str) else "")

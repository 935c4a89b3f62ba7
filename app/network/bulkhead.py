"""Each node's own threads, so that a node holding its calls can only use up its own.

The hub calls a node from a :class:`Bulkhead` of at most ``limit`` threads that no other node
uses. A node that answers slowly, or trickles its answer until the deadline cuts it, fills its
own bulkhead; further calls to it are refused at once (the node is then reported as not asked)
while every other node is asked as usual. Threads are started as calls need them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Result = TypeVar("Result")

# calls one node may have in flight in one hub process: more than the requests a worker serves
# at once (THREADS) plus its metadata read, so a healthy node's calls never wait for each other
CALLS_PER_NODE = 16


class Bulkhead:
    def __init__(self, name: str, limit: int = CALLS_PER_NODE) -> None:
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)
        self._executor = ThreadPoolExecutor(max_workers=limit, thread_name_prefix=name)

    def submit(self, work: Callable[..., Result], *arguments: object) -> Future[Result] | None:
        """``work(*arguments)`` on one of the bulkhead's threads; None when all ``limit`` are
        taken (or the bulkhead is shut down): the call is not made."""
        if not self._slots.acquire(blocking=False):
            return None
        try:
            future = self._executor.submit(work, *arguments)
        except RuntimeError:  # shut down
            self._slots.release()
            return None
        future.add_done_callback(lambda _: self._slots.release())
        return future

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class Bulkheads:
    """One bulkhead per node id, made on first use; those of nodes no longer in the registry
    are shut down (their calls in flight end at their deadlines)."""

    def __init__(self, limit: int = CALLS_PER_NODE) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._by_node: dict[str, Bulkhead] = {}

    def of(self, node_id: str) -> Bulkhead:
        with self._lock:
            bulkhead = self._by_node.get(node_id)
            if bulkhead is None:
                bulkhead = self._by_node[node_id] = Bulkhead(f"hub-{node_id}", self.limit)
            return bulkhead

    def keep_only(self, node_ids: set[str]) -> None:
        with self._lock:
            for node_id in set(self._by_node) - node_ids:
                self._by_node.pop(node_id).shutdown()

    def shutdown(self) -> None:
        with self._lock:
            for bulkhead in self._by_node.values():
                bulkhead.shutdown()
            self._by_node.clear()

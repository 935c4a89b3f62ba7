"""A share of the hub's threads for each node, so that a node holding its calls can only use up
its own.

Every call to a node takes one of that node's ``limit`` slots (its :class:`Bulkhead`). A node
that answers slowly, or trickles its answer until the deadline cuts it, fills its own slots;
further calls to it are refused at once (the node is then reported as not asked) while every
other node is asked as usual. The calls run on one pool of threads that grows with the calls in
flight (the slots bound it), so a call never waits for a thread, and the calls of one query
start in the order they were sent (the slowest node's first, ``Hub.fan_out``).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Result = TypeVar("Result")

# calls one node may have in flight in one hub process: more than the requests a worker serves
# at once (THREADS) plus its metadata read, so a healthy node's calls never wait for each other
CALLS_PER_NODE = 16


class Bulkhead:
    """One node's slots, over the threads of its :class:`Bulkheads`."""

    def __init__(self, executor: ThreadPoolExecutor, limit: int) -> None:
        self.limit = limit
        self._executor = executor
        self._slots = threading.BoundedSemaphore(limit)

    def submit(self, work: Callable[..., Result], *arguments: object) -> Future[Result] | None:
        """``work(*arguments)`` on a thread of its own; None when the node's ``limit`` slots
        are all taken (or the hub is closing): the call is not made."""
        if not self._slots.acquire(blocking=False):
            return None
        try:
            future = self._executor.submit(work, *arguments)
        except RuntimeError:  # shut down
            self._slots.release()
            return None
        future.add_done_callback(lambda _: self._slots.release())
        return future


class Bulkheads:
    """One bulkhead per node id, made on first use; those of nodes no longer in the registry
    are let go (their calls in flight end at their deadlines)."""

    def __init__(self, limit: int = CALLS_PER_NODE) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._by_node: dict[str, Bulkhead] = {}
        # no bound of its own: the slots bound the calls in flight, node by node
        self._executor = ThreadPoolExecutor(max_workers=sys.maxsize, thread_name_prefix="hub")

    def of(self, node_id: str) -> Bulkhead:
        with self._lock:
            bulkhead = self._by_node.get(node_id)
            if bulkhead is None:
                bulkhead = self._by_node[node_id] = Bulkhead(self._executor, self.limit)
            return bulkhead

    def keep_only(self, node_ids: set[str]) -> None:
        with self._lock:
            for node_id in set(self._by_node) - node_ids:
                del self._by_node[node_id]

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

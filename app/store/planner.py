"""Which documents of a segment a filter could match, read from the segment's indexes.

The answer is a superset: every candidate is still checked against the whole filter, so the
planner only has to never miss. It reads the filter as MongoDB's planner would: equality and
``$in`` on a prefix of a compound index, then one range, and it picks the index that leaves the
fewest candidates. A filter no index serves gives ``None``: every document is a candidate.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from bson.regex import Regex

from app.store.keys import is_number, key_of
from app.store.segment import Segment, SegmentIndex

Ranges = list[tuple[int, int]]
_MAX_RANGES = 4096  # beyond this many index ranges, stop narrowing (the check still runs)
_RANGE_OPERATORS = ("$gt", "$gte", "$lt", "$lte")


@dataclass(frozen=True)
class Constraint:
    """What a filter demands of one field: one of a set of values, or a numeric interval."""

    keys: tuple[float, ...] | None = None
    low: float | None = None
    low_inclusive: bool = True
    high: float | None = None
    high_inclusive: bool = True

    @property
    def is_range(self) -> bool:
        return self.keys is None


def candidates(segment: Segment, selector: dict[str, Any]) -> np.ndarray | None:
    """Sorted ordinals of the documents that may match ``selector``; ``None`` for all."""
    return _plan(segment, selector, {})


def _plan(
    segment: Segment, selector: dict[str, Any], inherited: dict[str, list[Constraint]]
) -> np.ndarray | None:
    fields, alternatives = _conjuncts(selector)
    constraints: dict[str, list[Constraint]] = defaultdict(list)
    for path, found in inherited.items():
        constraints[path].extend(found)
    for path, conditions in fields.items():
        for condition in conditions:
            constraint = constraint_of(condition)
            if constraint is not None:
                constraints[path].append(constraint)
    best = _best_index_lookup(segment, constraints)
    for branches in alternatives:
        union = _union(segment, branches, constraints)
        if union is not None and (best is None or len(union) < len(best)):
            best = union
    return best


def _conjuncts(selector: dict[str, Any]) -> tuple[dict[str, list[Any]], list[list[dict]]]:
    """Field conditions that must all hold, and each ``$or`` whose branches may hold."""
    fields: dict[str, list[Any]] = defaultdict(list)
    alternatives: list[list[dict]] = []
    for key, value in selector.items():
        if key == "$and" and isinstance(value, list):
            for part in value:
                if isinstance(part, dict):
                    more_fields, more_alternatives = _conjuncts(part)
                    for path, conditions in more_fields.items():
                        fields[path].extend(conditions)
                    alternatives.extend(more_alternatives)
        elif key == "$or" and isinstance(value, list):
            if all(isinstance(branch, dict) for branch in value):
                alternatives.append(value)
        elif not key.startswith("$"):
            fields[key].append(value)
    return fields, alternatives


def constraint_of(condition: Any) -> Constraint | None:
    """The index constraint a field condition implies, if an index can serve it."""
    if isinstance(condition, dict) and condition and all(k.startswith("$") for k in condition):
        if "$eq" in condition:
            return _equal_to([condition["$eq"]])
        if "$in" in condition and isinstance(condition["$in"], list | tuple):
            return _equal_to(list(condition["$in"]))
        if "$all" in condition and isinstance(condition["$all"], list) and condition["$all"]:
            first = condition["$all"][0]
            return None if isinstance(first, dict) else _equal_to([first])
        return _range_of(condition)
    return _equal_to([condition])


def _equal_to(values: list[Any]) -> Constraint | None:
    if any(isinstance(value, dict | list | tuple | re.Pattern | Regex) for value in values):
        return None  # whole-array/document equality and patterns: not index point lookups
    return Constraint(keys=tuple(sorted({key_of(value) for value in values})))


def _range_of(condition: dict[str, Any]) -> Constraint | None:
    bounds = {op: condition[op] for op in _RANGE_OPERATORS if op in condition}
    if not bounds or not all(is_number(value) for value in bounds.values()):
        return None
    low = high = None
    low_inclusive = high_inclusive = True
    if "$gte" in bounds:
        low = float(bounds["$gte"])
    if "$gt" in bounds and (low is None or float(bounds["$gt"]) >= low):
        low, low_inclusive = float(bounds["$gt"]), False
    if "$lte" in bounds:
        high = float(bounds["$lte"])
    if "$lt" in bounds and (high is None or float(bounds["$lt"]) <= high):
        high, high_inclusive = float(bounds["$lt"]), False
    return Constraint(None, low, low_inclusive, high, high_inclusive)


def _union(
    segment: Segment, branches: list[dict], inherited: dict[str, list[Constraint]]
) -> np.ndarray | None:
    found = []
    for branch in branches:
        ordinals = _plan(segment, branch, inherited)
        if ordinals is None:
            return None
        found.append(ordinals)
    return np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)


def _best_index_lookup(
    segment: Segment, constraints: dict[str, list[Constraint]]
) -> np.ndarray | None:
    best: tuple[int, SegmentIndex, Ranges] | None = None
    for index in segment.indexes.values():
        ranges = index_ranges(index, constraints, segment.multikey)
        if ranges is None:
            continue
        size = sum(end - start for start, end in ranges)
        if best is None or size < best[0]:
            best = (size, index, ranges)
    if best is None:
        return None
    _, index, ranges = best
    if not ranges:
        return np.empty(0, dtype=np.int64)
    ordinals = np.concatenate([index.ordinals[start:end] for start, end in ranges])
    return np.unique(ordinals)


def index_ranges(
    index: SegmentIndex,
    constraints: dict[str, list[Constraint]],
    multikey: frozenset[str] = frozenset(),
) -> Ranges | None:
    """Entry ranges of ``index`` the constraints allow; ``None`` if they use none of its keys.

    Equality narrows column after column; a range ends the walk, as in a B-tree. A column with
    no constraint followed by constrained ones is skipped over value by value (few distinct
    values, such as assemblies) rather than ending the walk.
    """
    ranges: Ranges = [(0, len(index))]
    used = False
    for position, (path, column) in enumerate(zip(index.paths, index.columns, strict=True)):
        constraint = _pick(constraints.get(path, []))
        if constraint is None:
            later = any(constraints.get(p) for p in index.paths[position + 1 :])
            if not later:
                break
            skipped = _skip_scan(column, ranges)
            if skipped is None:
                break
            ranges = skipped
            continue
        used = True
        if constraint.is_range and path in multikey and constraint.high is not None:
            # two elements of one array may meet the two bounds: only the lower one narrows
            constraint = Constraint(None, constraint.low, constraint.low_inclusive)
        if constraint.is_range:
            return [
                r for r in (_range_within(column, r, constraint) for r in ranges) if r[1] > r[0]
            ]
        narrowed = [
            (start + int(low), start + int(high))
            for start, end in ranges
            for low, high in _equal_bounds(column[start:end], constraint.keys or ())
            if high > low
        ]
        ranges = narrowed
        if not ranges or len(ranges) > _MAX_RANGES:
            break
    return ranges if used else None


def _pick(found: list[Constraint]) -> Constraint | None:
    """Equality serves more of an index than a range; several ranges on a field intersect."""
    for constraint in found:
        if not constraint.is_range:
            return constraint
    if not found:
        return None
    low, low_inclusive, high, high_inclusive = None, True, None, True
    for constraint in found:
        if constraint.low is not None and (low is None or constraint.low > low):
            low, low_inclusive = constraint.low, constraint.low_inclusive
        if constraint.high is not None and (high is None or constraint.high < high):
            high, high_inclusive = constraint.high, constraint.high_inclusive
    return Constraint(None, low, low_inclusive, high, high_inclusive)


def _equal_bounds(column: np.ndarray, keys: Iterable[float]) -> list[tuple[int, int]]:
    wanted = np.asarray(list(keys), dtype=np.float64)
    lows = np.searchsorted(column, wanted, side="left")
    highs = np.searchsorted(column, wanted, side="right")
    return list(zip(lows.tolist(), highs.tolist(), strict=True))


def _range_within(column: np.ndarray, bounds: tuple[int, int], constraint: Constraint):
    start, end = bounds
    part = column[start:end]
    low = 0
    if constraint.low is not None:
        side = "left" if constraint.low_inclusive else "right"
        low = int(np.searchsorted(part, constraint.low, side=side))
    high = len(part)
    if constraint.high is not None:
        side = "right" if constraint.high_inclusive else "left"
        high = int(np.searchsorted(part, constraint.high, side=side))
    return start + low, start + max(low, high)


def _skip_scan(column: np.ndarray, ranges: Ranges) -> Ranges | None:
    """Split each range into runs of one key value, or give up if there are too many."""
    runs: Ranges = []
    for start, end in ranges:
        position = start
        while position < end:
            value = column[position]
            run_end = start + int(np.searchsorted(column[start:end], value, side="right"))
            runs.append((position, run_end))
            if len(runs) > _MAX_RANGES // 16:
                return None
            position = run_end
    return runs

"""Move a query's row filter in front of the table's projection, so the store filters its own
documents (MongoDB with its indexes) instead of projecting every document first.

A column that is a plain copy of one document field (``chromosome`` is ``referenceName``) means
the same thing before the projection as after it, absent values included. A query's leading
``$match`` is pushed down whole when every field it names is such a column; otherwise its
top-level ``$and`` parts that are, are pushed down and the whole ``$match`` still runs after the
projection (filtering twice by a condition changes nothing). Pure functions on plain data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

LOGICAL = ("$and", "$or", "$nor")


def pushed_down(
    stages: Sequence[dict[str, Any]], sources: Mapping[str, str]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The selector to run on the stored documents first, and the stages left for the rows.

    ``sources`` maps each plain-copy column to its document field.
    """
    if not stages or "$match" not in stages[0]:
        return None, list(stages)
    selector = stages[0]["$match"]
    renamed = _renamed(selector, sources)
    if renamed is not None:
        return renamed, list(stages[1:])
    parts = [_renamed(part, sources) for part in selector.get("$and", []) if isinstance(part, dict)]
    pushable = [part for part in parts if part is not None]
    if not pushable:
        return None, list(stages)
    return (pushable[0] if len(pushable) == 1 else {"$and": pushable}), list(stages)


def _renamed(selector: Any, sources: Mapping[str, str]) -> dict[str, Any] | None:
    """``selector`` with columns renamed to document fields; None if it names another field
    or uses an operator whose meaning could change (``$expr`` reads whole documents)."""
    if not isinstance(selector, dict):
        return None
    renamed: dict[str, Any] = {}
    for key, value in selector.items():
        if key in LOGICAL:
            if not isinstance(value, list):
                return None
            parts = [_renamed(part, sources) for part in value]
            if any(part is None for part in parts):
                return None
            renamed[key] = parts
        elif key.startswith("$") or key not in sources:
            return None
        else:
            renamed[sources[key]] = value
    return renamed

"""The spreadsheet (flat) form of a Beacon record: one row of text cells <-> one nested record.

Column names
    A column name is the dot path of a field of the record: ``sex.id``, ``geographicOrigin.label``,
    ``inclusionCriteria.ageRange.start.iso8601duration``. A field that is a list of objects takes a
    zero-based index in square brackets after its name: ``diseases[0].diseaseCode.id``,
    ``diseases[1].ageOfOnset.iso8601duration``, ``treatments[0].doseIntervals[2].quantity.value``.
    A field name is letters, digits and ``_`` (not starting with a digit); an index is decimal
    digits without sign or leading zero; an index is always followed by ``.`` and a field name.
    Names are case-sensitive and hold no blanks. A path cannot be both a value and an object
    (``sex`` beside ``sex.id``), nor both a list and an object (``diseases[0].notes`` beside
    ``diseases.notes``). A malformed name raises ``FlatColumnError(column, message)``.

Cells
    Every cell is text. ``unflatten`` keeps it as text (without surrounding blanks); the marshmallow
    schema converts numbers, booleans (``true``/``false``) and dates. An empty or blank cell means
    the field is absent. The items of a list of objects are kept in index order; indices need not
    be contiguous (gaps close up) and an item whose cells are all empty is absent, as is an object
    whose fields are all absent.

Lists of scalars
    A list of strings or numbers lives in ONE cell, items separated by ``|`` (``a|b``); blank
    items are dropped. A cell cannot tell a list from a text that contains ``|``, so ``unflatten``
    splits only the cells whose path is in ``scalar_lists``. Those paths are written in the
    normalized form: the dot path with every index removed, e.g. ``diseases.notes`` for the column
    ``diseases[3].notes`` (see ``schemas.metadata.scalar_list_paths`` for an entry type's set).
    ``flatten`` joins every list of scalars it meets; an item that holds ``|`` cannot be written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterator, Mapping
from datetime import date, datetime
from typing import Any

LIST_SEPARATOR = "|"
_SEGMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<index>0|[1-9][0-9]*)\])?$")
_LOOSE_SEGMENT = re.compile(r"^(?P<name>[^\[\]]*)(?:\[(?P<index>[^\]]*)\])?$")

Path = tuple[str | int, ...]
_ARTICLED = {"value": "a value", "list": "a list", "object": "an object"}


class FlatColumnError(ValueError):
    """A column name that does not follow the convention (or clashes with another column)."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"{column}: {message}")
        self.column = column
        self.message = message


class _Items(dict):
    """A list of objects under construction: index -> item (an object being filled)."""


@functools.lru_cache(maxsize=4096)  # a sheet repeats its few column names on every row
def parse_column(column: str) -> Path:
    """``"diseases[0].diseaseCode.id"`` -> ``("diseases", 0, "diseaseCode", "id")``."""
    if not column:
        raise FlatColumnError(column, "a column name cannot be empty")
    if any(character.isspace() for character in column):
        raise FlatColumnError(column, "a column name holds no blanks")
    path: list[str | int] = []
    segments = column.split(".")
    for position, segment in enumerate(segments):
        match = _SEGMENT.match(segment)
        if match is None:
            raise FlatColumnError(column, _segment_problem(segment))
        path.append(match["name"])
        if match["index"] is not None:
            if position == len(segments) - 1:
                raise FlatColumnError(
                    column,
                    "an index must be followed by a field name, as in diseases[0].diseaseCode.id "
                    f"(a list of values goes in one cell, separated by '{LIST_SEPARATOR}')",
                )
            path.append(int(match["index"]))
    return tuple(path)


def _segment_problem(segment: str) -> str:
    if not segment:
        return "empty field name (two dots together, or a dot at either end)"
    loose = _LOOSE_SEGMENT.match(segment)
    if loose is not None and not loose["name"]:
        return f"an index follows a field name, as in diseases[0], not {segment!r}"
    if loose is None:
        return f"malformed brackets in {segment!r}: one index per field, as in diseases[0]"
    if loose["index"] is not None and not re.fullmatch(r"0|[1-9][0-9]*", loose["index"]):
        return f"the index in {segment!r} must be a whole number from 0 (no sign, no leading zero)"
    return (
        f"{loose['name']!r} is not a field name (letters, digits and _, not starting with a digit)"
    )


def column_of(path: Path, scalar_lists: Collection[str] = ()) -> str:
    """The column holding the field at a marshmallow error path.

    ``("diseases", 0, "diseaseCode", "id")`` -> ``"diseases[0].diseaseCode.id"``. ``_schema`` (a
    whole-object problem) is dropped, and so is the item index under a list of scalars in
    ``scalar_lists``, whose items share one cell.
    """
    column = ""
    names: list[str] = []
    for part in path:
        if part == "_schema":
            continue
        if isinstance(part, int):
            if ".".join(names) not in scalar_lists:
                column += f"[{part}]"
            continue
        names.append(part)
        column = f"{column}.{part}" if column else part
    return column


def unflatten(row: Mapping[str, str], scalar_lists: Collection[str] = ()) -> dict[str, Any]:
    """The nested record of one spreadsheet row (column name -> cell text); see the module doc."""
    root: dict[str, Any] = {}
    owners: dict[Path, str] = {}  # path of each value, list and object -> first column using it
    for column, cell in row.items():
        path = parse_column(column)
        text = "" if cell is None else str(cell).strip()
        _place(root, path, column, text, scalar_lists, owners)
    return _finished(root)


def _place(
    root: dict[str, Any],
    path: Path,
    column: str,
    text: str,
    scalar_lists: Collection[str],
    owners: dict[Path, str],
) -> None:
    node: dict[Any, Any] = root
    for depth, part in enumerate(path):
        here = path[: depth + 1]
        last = depth == len(path) - 1
        following = None if last else path[depth + 1]
        kind = "value" if last else ("list" if isinstance(following, int) else "object")
        if isinstance(part, str):
            _claim(owners, here, kind, column)
        if last:
            if text:
                node[part] = _cell_value(path, text, scalar_lists)
            return
        if part not in node:
            node[part] = _Items() if kind == "list" else {}
        node = node[part]


def _claim(owners: dict[Path, str], path: Path, kind: str, column: str) -> None:
    """Record what ``path`` is; a second column that makes it something else is malformed."""
    for other_kind in ("value", "list", "object"):
        other = owners.get((*path, other_kind))
        if other_kind != kind and other is not None:
            both = f"{_ARTICLED[other_kind]} and {_ARTICLED[kind]}"
            raise FlatColumnError(
                column, f"clashes with column {other}: {column_of(path)} cannot be both {both}"
            )
    owners.setdefault((*path, kind), column)


def _cell_value(path: Path, text: str, scalar_lists: Collection[str]) -> Any:
    normalized = ".".join(part for part in path if isinstance(part, str))
    if normalized in scalar_lists:
        return [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()]
    return text


def _finished(node: Any) -> Any:
    """Objects without fields and list items without cells are absent; lists in index order."""
    if isinstance(node, _Items):
        items = [_finished(node[index]) for index in sorted(node)]
        return [item for item in items if item]
    if isinstance(node, dict):
        finished = {key: _finished(value) for key, value in node.items()}
        return {key: value for key, value in finished.items() if value not in ({}, [])}
    return node


def flatten(record: Mapping[str, Any]) -> dict[str, str]:
    """One spreadsheet row (column name -> cell text) holding the record; see the module doc.

    ``None``, empty texts, empty lists and empty objects are absent; booleans are written
    ``true``/``false``, dates in ISO 8601, whole floats without ``.0``. Raises ``ValueError`` for
    what a row cannot hold: a list of lists, a list mixing objects and values, or a list item
    holding ``|``.
    """
    return dict(_cells(record, ""))


def _cells(value: Any, column: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield from _cells(child, f"{column}.{key}" if column else str(key))
    elif isinstance(value, list | tuple):
        if all(isinstance(item, Mapping) for item in value):
            for index, item in enumerate(value):
                yield from _cells(item, f"{column}[{index}]")
        elif any(isinstance(item, Mapping | list | tuple) for item in value):
            raise ValueError(f"{column}: a row cannot hold a list of lists or of mixed items")
        else:
            items = [_text(item) for item in value if item is not None]
            if any(LIST_SEPARATOR in item for item in items):
                raise ValueError(f"{column}: a list item holds '{LIST_SEPARATOR}', the separator")
            if any(items):
                yield column, LIST_SEPARATOR.join(item for item in items if item)
    elif value is not None and (text := _text(value)):
        yield column, text


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # JSON does not tell 12.0 from 12; a count column reads "12"
    return str(value)

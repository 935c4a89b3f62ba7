"""The loaders ask the store in its own terms (``app.store.query`` predicates, typed release
writes): no module under ``loaders/`` builds a MongoDB filter or calls a collection's methods,
so a backend of another language serves them unchanged."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LOADERS = Path(__file__).resolve().parents[2] / "loaders"
# pymongo's collection API and the store's calls taking MongoDB selectors
COLLECTION_CALLS = {
    "collection",
    "count_documents",
    "find_one",
    "find_one_and_update",
    "aggregate",
    "insert_one",
    "insert_many",
    "replace_one",
    "update_one",
    "update_many",
    "delete_one",
    "delete_many",
    "bulk_write",
    "replace_documents",
    "replace_many",
}
# names shared with str (``line.find(b)``, ``text.replace(a, b)``): a selector is a mapping
SELECTOR_CALLS = {"find", "distinct", "replace"}


def _mongo_uses(source: str, name: str) -> list[str]:
    """Where ``source`` (the module ``name``) talks MongoDB, one ``name:line: what`` each."""
    found = []
    for node in ast.walk(ast.parse(source)):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Dict):
            operators = [
                key.value
                for key in node.keys
                if isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and key.value.startswith("$")
            ]
            found.extend(f"{where}: operator {operator}" for operator in operators)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            called = node.func.attr
            if called in COLLECTION_CALLS:
                found.append(f"{where}: .{called}()")
            elif called in SELECTOR_CALLS and any(isinstance(arg, ast.Dict) for arg in node.args):
                found.append(f"{where}: .{called}() with a selector")
    return found


def _loader_modules() -> list[Path]:
    return sorted(LOADERS.rglob("*.py"))


def test_the_loaders_are_all_scanned():
    names = {str(path.relative_to(LOADERS)) for path in _loader_modules()}
    assert {"vcf/load.py", "vcf/populations.py", "metadata/load.py", "datasets.py"} <= names


@pytest.mark.parametrize("path", _loader_modules(), ids=lambda path: str(path.relative_to(LOADERS)))
def test_no_loader_builds_a_mongodb_filter_or_calls_a_collection(path):
    name = str(path.relative_to(LOADERS.parent))
    assert _mongo_uses(path.read_text(encoding="utf-8"), name) == []


def test_the_scan_finds_what_it_looks_for():
    """The check itself: each way of talking MongoDB the loaders used to have is found."""
    source = (
        "store.collection(B).find({'datasetId': d, 'id': {'$in': ids}}, {'_id': 0})\n"
        "release.collection(e).count_documents({'datasetId': d})\n"
        "release.replace(V, {'datasetId': d}, documents)\n"
        "line.find(b'\\t'); text.replace('+00:00', 'Z'); store.project(B, where, ('id',))\n"
    )
    assert sorted(_mongo_uses(source, "example.py")) == [
        "example.py:1: .collection()",
        "example.py:1: .find() with a selector",
        "example.py:1: operator $in",
        "example.py:2: .collection()",
        "example.py:2: .count_documents()",
        "example.py:3: .replace() with a selector",
    ]

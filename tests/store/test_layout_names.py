"""The field naming a document's dataset is declared once (``app.store.collections.DATASET_ID``):
no other module spells the stored layout's name itself, so the layout can change in one place."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# reads the steward's metadata sheet, whose records may carry their own datasetId (input, not
# the stored layout)
INPUT_READERS = {Path("loaders/metadata/sources.py")}
DECLARED_IN = Path("app/store/collections.py")


def _spelled(path: Path, name: str) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value == name
    ]


def test_only_the_layout_module_spells_the_dataset_field():
    modules = [*(ROOT / "app").rglob("*.py"), *(ROOT / "loaders").rglob("*.py")]
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in modules
        if path.relative_to(ROOT) not in {*INPUT_READERS, DECLARED_IN}
        for line in _spelled(path, "datasetId")
    ]
    assert len(modules) > 100  # the scan reads the code, not an empty directory
    assert found == []

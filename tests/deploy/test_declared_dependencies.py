"""Every package the program imports is one ``pip install .`` installs: a module the tests' own
tools happen to bring along (urllib3 through requests, say) must not be what the program
relies on, or the README's install command would give a program that does not start."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROGRAM_PACKAGES = ("app", "schemas", "loaders")


def imported_top_levels() -> dict[str, str]:
    """Top-level module -> the first file importing it, over the program's packages."""
    found: dict[str, str] = {}
    for package in PROGRAM_PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(REPO)))
    return found


def declared_distributions() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        _normalised(re.split(r"[\[<>=!~;\s]", requirement)[0])
        for requirement in project["dependencies"]
    }


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_third_party_import_is_a_declared_dependency():
    provided_by = importlib.metadata.packages_distributions()
    declared = declared_distributions()
    own = set(PROGRAM_PACKAGES)
    missing = {
        module: where
        for module, where in imported_top_levels().items()
        if module not in own
        and module not in sys.stdlib_module_names
        and not declared & {_normalised(d) for d in provided_by.get(module, [module])}
    }
    assert missing == {}, f"imported but not in [project] dependencies: {missing}"

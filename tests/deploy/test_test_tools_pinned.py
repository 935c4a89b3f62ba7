"""The test command installs its tools at versions known to pass together (tests/constraints.txt):
a fresh machine takes the newest release of anything left unpinned, and a new pytest once broke
schemathesis's plugin there while older machines passed. The program's own dependencies stay
unpinned, so the tests run against what ``pip install .`` gives a user."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
CONSTRAINTS = REPO / "tests" / "constraints.txt"
INSTALLED_WITHOUT_DEPENDENCIES = {"ga4gh-vrs"}  # tests/run.sh: --no-deps, a schema file only


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned() -> dict[str, str]:
    """Distribution -> the exact version tests/constraints.txt gives it."""
    versions = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            requirement = Requirement(text)
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", f"{text}: pin an exact version"
            versions[_normalised(requirement.name)] = specifier.version
    return versions


def _wanted(requirement: Requirement, extras: tuple[str, ...]) -> bool:
    marker = requirement.marker
    return marker is None or any(marker.evaluate({"extra": e}) for e in ("", *extras))


def installed_closure(roots: list[Requirement]) -> set[str]:
    """The installed distributions ``roots`` need, directly or through each other."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    todo = [(_normalised(root.name), tuple(root.extras)) for root in roots]
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        try:
            requires = importlib.metadata.distribution(name).requires or []
        except importlib.metadata.PackageNotFoundError:
            continue  # a platform-only tool not installed here
        for text in requires:
            requirement = Requirement(text)
            if _wanted(requirement, extras):
                todo.append((_normalised(requirement.name), tuple(requirement.extras)))
    return {name for name, _ in seen}


def _own_requirements() -> tuple[list[Requirement], list[Requirement]]:
    try:
        requires = importlib.metadata.distribution("asia-beacon").requires or []
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("asia-beacon is not installed (tests/run.sh installs it)")
    runtime, test = [], []
    for text in requires:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            runtime.append(requirement)
        elif requirement.marker.evaluate({"extra": "test"}):
            test.append(requirement)
    return runtime, test


def test_every_test_tool_and_what_only_it_needs_is_pinned():
    runtime, test = _own_requirements()
    installed = {name for name in installed_closure(test) if _is_installed(name)}
    test_only = installed - installed_closure(runtime)
    missing = sorted(test_only - set(pinned()))
    assert missing == [], f"test tools not pinned in tests/constraints.txt: {missing}"


def test_the_programs_own_dependencies_are_left_to_the_newest_release():
    runtime, _ = _own_requirements()
    overlap = sorted(installed_closure(runtime) & set(pinned()))
    assert overlap == [], f"runtime dependencies pinned in tests/constraints.txt: {overlap}"


def test_pins_are_what_is_installed():
    wrong = {
        name: (version, importlib.metadata.version(name))
        for name, version in pinned().items()
        if name not in INSTALLED_WITHOUT_DEPENDENCIES
        and _is_installed(name)
        and importlib.metadata.version(name) != version
    }
    assert wrong == {}, f"pinned (tests/constraints.txt) -> installed: {wrong}"


def test_the_test_command_installs_with_the_constraints():
    script = (REPO / "tests" / "run.sh").read_text(encoding="utf-8")
    installs = [line for line in script.splitlines() if "pip install" in line]
    assert installs and all("-c tests/constraints.txt" in line for line in installs), installs


def _is_installed(name: str) -> bool:
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True

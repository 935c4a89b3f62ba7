"""What a user reads (docs/ and the command's help) speaks of the product only: it names no issue
of the project's tracker and no file outside the repository (``../shared/...``), which a user
of a released asia-beacon cannot see; and the docs do not contradict each other on whether a
load switches atomically (it does: app/store/releases.py, tests/store/test_across_processes.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from app.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs"
INTERNAL = {
    "an issue number": re.compile(r"\bissues? #?\d+", re.IGNORECASE),
    "an issue by name": re.compile(r"\b(?:the|this|that) [\w-]+ issue\b", re.IGNORECASE),
    "the development tree's shared folder": re.compile(r"\.\./shared\b"),
    "the project's internal performance notes": re.compile(r"\bPERFORMANCE\.md\b"),
}
SAYS_NOT_ATOMIC = re.compile(r"\bnot (?:yet )?(?:atomic|one transaction)\b", re.IGNORECASE)


def _internal_references(text: str) -> list[str]:
    return [
        f"{what}: {match.group(0)!r}"
        for what, pattern in INTERNAL.items()
        for match in pattern.finditer(text)
    ]


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name)


@pytest.mark.parametrize("doc", sorted(DOCS.rglob("*.md")), ids=lambda p: str(p.relative_to(DOCS)))
def test_docs_name_no_internal_material(doc: Path):
    assert _internal_references(doc.read_text(encoding="utf-8")) == []


def test_the_command_help_names_no_internal_material():
    runner = CliRunner()
    found = {}
    for path in _commands(main):
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        if problems := _internal_references(result.output):
            found[" ".join(path) or "asia-beacon"] = problems
    assert found == {}


def test_the_patterns_catch_what_they_are_for():
    text = "see issue 8, issues 7 and 8, the persistence issue and ../shared/PERFORMANCE.md"
    assert len(_internal_references(text)) == 5
    assert _internal_references("a trusted issuer issues the grant") == []


def test_no_doc_says_a_load_is_not_atomic():
    said = [
        f"{doc.relative_to(DOCS)}: {match.group(0)!r}"
        for doc in sorted(DOCS.rglob("*.md"))
        for match in SAYS_NOT_ATOMIC.finditer(doc.read_text(encoding="utf-8"))
    ]
    assert said == []

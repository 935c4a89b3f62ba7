"""Relative links in Markdown files, and whether they lead to a file and heading that exist:
the guides (tests/docs) and the deployment page (tests/deploy) keep their links true."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

FENCE = re.compile(r"^\s*```")
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def headings(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown file (code blocks left out)."""
    anchors: set[str] = set()
    inside = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            inside = not inside
        elif not inside and (match := re.match(r"^#{1,6}\s+(.+?)\s*#*$", line)):
            slug = re.sub(r"[^\w\- ]", "", match.group(1).lower()).replace(" ", "-")
            anchor, repeat = slug, 1
            while anchor in anchors:
                anchor, repeat = f"{slug}-{repeat}", repeat + 1
            anchors.add(anchor)
    return anchors


def relative_links(markdown: str) -> list[str]:
    """Link targets outside code blocks that are neither web addresses nor mail."""
    text = "\n".join(_outside_code(markdown))
    return [
        target
        for target in MARKDOWN_LINK.findall(text)
        if not target.startswith(("http://", "https://", "mailto:"))
    ]


def broken_target(source: Path, target: str) -> str | None:
    """Why ``target`` (``file#anchor``, relative to ``source``) leads nowhere, or None."""
    file_part, _, anchor = target.partition("#")
    destination = (source.parent / file_part).resolve() if file_part else source
    if not destination.exists():
        return f"{target}: no such file"
    if anchor and destination.suffix == ".md" and anchor not in _anchors(destination):
        return f"{target}: no heading with anchor #{anchor}"
    return None


def broken_links(source: Path) -> list[str]:
    """The relative links of a Markdown file that lead nowhere, each with the reason."""
    problems = (broken_target(source, target) for target in relative_links(source.read_text()))
    return [problem for problem in problems if problem]


def _outside_code(markdown: str) -> Iterator[str]:
    inside = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            inside = not inside
        elif not inside:
            yield line


def _anchors(markdown_file: Path) -> set[str]:
    return headings(markdown_file.read_text(encoding="utf-8"))

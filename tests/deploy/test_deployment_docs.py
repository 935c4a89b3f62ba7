"""docs/deployment.md stays true to the files it describes: its links lead somewhere, the
anchors the deployment files point at exist, and every server variable is in its table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_links import broken_links, headings

from app.serving import SERVER_DEFAULTS

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGE = REPO_ROOT / "docs" / "deployment.md"
POINTING_FILES = ("Dockerfile", "app/serving.py", "app/cli.py", "deploy")
ANCHOR_REFERENCE = re.compile(r"docs/deployment\.md#([\w-]+)")


@pytest.mark.parametrize("page", [PAGE, REPO_ROOT / "deploy" / "README.md"], ids=lambda p: p.name)
def test_links_lead_somewhere(page):
    assert not broken_links(page)


def test_anchors_named_in_the_deployment_files_exist():
    anchors = headings(PAGE.read_text())
    referenced = {}
    for name in POINTING_FILES:
        path = REPO_ROOT / name
        for file in [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]:
            for anchor in ANCHOR_REFERENCE.findall(file.read_text(errors="ignore")):
                referenced.setdefault(anchor, file.relative_to(REPO_ROOT).as_posix())
    assert referenced  # the files do point into the page
    missing = {anchor: file for anchor, file in referenced.items() if anchor not in anchors}
    assert not missing


def test_every_server_variable_is_documented():
    text = PAGE.read_text()
    for name in [*SERVER_DEFAULTS, "WORKERS", "LOG_FORMAT"]:
        assert f"`ASIA_BEACON_{name}`" in text, name

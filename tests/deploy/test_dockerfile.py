"""The Dockerfile, read by Docker's own parser (the ``dockerfile`` package wraps it): a slim
Python base, a non-root user, a health check that really asks /healthz, and a build context
that holds every file the package needs and nothing .dockerignore keeps out of it."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

dockerfile = pytest.importorskip("dockerfile", reason="the dockerfile parser is a test extra")

REPO_ROOT = Path(__file__).resolve().parents[2]
BASE_IMAGE = "python:3.11-slim"
CACHES = ("__pycache__", ".pyc")


def instructions() -> list:
    return list(dockerfile.parse_file(str(REPO_ROOT / "Dockerfile")))


def final_stage() -> list:
    parsed = instructions()
    last_from = max(i for i, instruction in enumerate(parsed) if instruction.cmd == "FROM")
    return parsed[last_from:]


def of(stage: list, command: str) -> list:
    return [instruction for instruction in stage if instruction.cmd == command]


def environment(stage: list) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for instruction in of(stage, "ENV"):
        values = instruction.value
        pairs.update(zip(values[::2], values[1::2], strict=True))
    return pairs


def test_every_stage_starts_from_the_slim_python_image():
    parsed = instructions()
    assert parsed[0].cmd == "FROM"
    assert [instruction.value[0] for instruction in of(parsed, "FROM")] == [BASE_IMAGE] * 2


def test_the_server_runs_as_a_numeric_non_root_user():
    (user,) = of(final_stage(), "USER")
    uid = user.value[0].split(":")[0]
    assert uid.isdigit() and int(uid) != 0


def test_the_image_serves_on_the_port_it_exposes():
    stage = final_stage()
    assert of(stage, "CMD")[-1].value == ("asia-beacon", "serve")
    assert of(stage, "CMD")[-1].json  # exec form: gunicorn gets SIGTERM itself, not a shell
    (expose,) = of(stage, "EXPOSE")
    assert environment(stage)["ASIA_BEACON_BIND"] == f"0.0.0.0:{expose.value[0]}"


def healthcheck_command() -> list[str]:
    (check,) = of(final_stage(), "HEALTHCHECK")
    assert check.json and check.value[0] == "CMD"
    command = list(check.value[1:])
    assert command[0] == "python"
    return [sys.executable, *command[1:]]


@pytest.fixture
def health_endpoint() -> Iterator[tuple[int, list[int]]]:
    """A stand-in server on a free port: /healthz answers the status the test puts first in
    the list; anything else 404."""
    statuses = [200]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(statuses[0] if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], statuses
    finally:
        server.shutdown()
        server.server_close()


def test_the_healthcheck_asks_healthz_on_the_configured_port(health_endpoint):
    port, statuses = health_endpoint
    command = healthcheck_command()

    def exit_code(bind: str) -> int:
        env = {"ASIA_BEACON_BIND": bind, "PATH": "/usr/bin:/bin"}
        return subprocess.run(command, env=env, capture_output=True, timeout=30).returncode

    assert exit_code(f"0.0.0.0:{port}") == 0
    statuses[0] = 503
    assert exit_code(f"0.0.0.0:{port}") != 0
    statuses[0] = 200
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        assert exit_code(f"0.0.0.0:{closed.getsockname()[1]}") != 0


def copied_sources() -> list[str]:
    """Sources of the COPY instructions that read the build context."""
    sources = []
    for instruction in of(instructions(), "COPY"):
        if any(flag.startswith("--from") for flag in instruction.flags):
            continue
        sources.extend(instruction.value[:-1])
    return sources


def test_copied_sources_hold_what_pip_install_needs():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    includes = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {
        path.name
        for path in REPO_ROOT.iterdir()
        if (path / "__init__.py").is_file()
        and any(re.fullmatch(pattern.replace("*", ".*"), path.name) for pattern in includes)
    }
    assert packages  # the include patterns still name top-level folders
    assert set(copied_sources()) >= {"pyproject.toml", project["project"]["readme"], *packages}


def dockerignore_excludes(patterns: list[str], path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parent folders decides;
    ``*`` stays within one path segment, ``**`` spans any number."""

    def matches(pattern: str, candidate: str) -> bool:
        expression = re.escape(pattern.strip("/"))
        expression = expression.replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*")
        expression = expression.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        return re.fullmatch(expression, candidate) is not None

    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for raw in patterns:
        negated = raw.startswith("!")
        pattern = raw[1:] if negated else raw
        if any(matches(pattern, candidate) for candidate in candidates):
            excluded = not negated
    return excluded


def test_dockerignore_lets_in_every_file_the_image_copies_and_nothing_else():
    patterns = [
        line.strip()
        for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    missing = []
    for source in copied_sources():
        root = REPO_ROOT / source
        assert root.exists(), f"COPY {source}: no such file in the repository"
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for file in files:
            relative = file.relative_to(REPO_ROOT).as_posix()
            is_cache = any(marker in relative for marker in CACHES)
            if dockerignore_excludes(patterns, relative) != is_cache:
                missing.append(relative)
    assert not missing, f"wrongly excluded or let in: {missing[:10]}"
    for outside in ("tests/conftest.py", ".git/HEAD", "docs/storage.md", "deploy/compose.yaml"):
        assert dockerignore_excludes(patterns, outside), outside


@pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint is not installed")
def test_hadolint_finds_nothing():
    result = subprocess.run(
        ["hadolint", str(REPO_ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr

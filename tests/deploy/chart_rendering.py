"""Rendering and linting the Helm chart offline, with the real Helm: the ``helm`` command
when it is on the PATH, else Helm's Go library through the ``helm-python-sdk`` test extra."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

CHART = Path(__file__).resolve().parents[2] / "deploy" / "helm" / "asia-beacon"
RELEASE = "th"
NAMESPACE = "beacon"


class ChartRenderError(Exception):
    """Helm refused to render the chart with the given values."""


def helm_available() -> str | None:
    """Which Helm renders here ('helm' or 'helm-python-sdk'), or None."""
    if shutil.which("helm"):
        return "helm"
    try:
        import helm_python  # noqa: F401
    except ImportError:
        return None
    return "helm-python-sdk"


def render(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifests ``helm template`` makes from the chart with ``values``."""
    if shutil.which("helm"):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as file:
            yaml.safe_dump(values, file)
            file.flush()
            command = ["template", RELEASE, str(CHART), "-n", NAMESPACE, "-f", file.name]
            result = subprocess.run(["helm", *command], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise ChartRenderError(result.stderr)
        texts = [result.stdout]
    else:
        import helm_python

        with helm_python.Chart.load(CHART) as chart:
            try:
                rendered = chart.render(values, name=RELEASE, namespace=NAMESPACE)
            except helm_python.HelmError as error:
                raise ChartRenderError(str(error)) from None
        texts = [text for path, text in rendered.items() if path.endswith((".yaml", ".yml"))]
    return [document for text in texts for document in yaml.safe_load_all(text) if document]


def lint_problems(values: dict[str, Any]) -> list[str]:
    """What ``helm lint --strict`` reports as warnings or errors."""
    if shutil.which("helm"):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as file:
            yaml.safe_dump(values, file)
            file.flush()
            result = subprocess.run(
                ["helm", "lint", "--strict", str(CHART), "-f", file.name],
                capture_output=True,
                text=True,
                timeout=120,
            )
        return [] if result.returncode == 0 else [result.stdout + result.stderr]
    import helm_python

    report = helm_python.lint(CHART, values, strict=True)
    warning = 2
    return [
        *report["errors"],
        *(m["error"] for m in report["messages"] if m["severity"] >= warning),
    ]

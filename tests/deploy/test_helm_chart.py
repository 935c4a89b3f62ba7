"""The Helm chart, rendered by Helm and checked against Kubernetes' own schemas (the
``kubernetes-validate`` test extra; ``kubectl --dry-run=client`` needs a cluster to map kinds),
and for what ties its objects together: probes on /healthz and /readyz, the MongoDB URI from a
Secret, selectors that select the pods, settings the beacon really has."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from chart_rendering import CHART, ChartRenderError, helm_available, lint_problems, render

from app import create_app
from app.config import DEFAULTS
from app.serving import SERVER_DEFAULTS, gunicorn_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
TEST_VALUES = yaml.safe_load((CHART / "ci" / "test-values.yaml").read_text())
IDENTITY = {
    "BEACON_ID": "org.example.beacon",
    "BEACON_NAME": "Example beacon",
    "ORGANIZATION_ID": "org.example",
    "ORGANIZATION_NAME": "Example genome project",
    "ORGANIZATION_URL": "https://genome.example.org",
}
MINIMAL_VALUES = {
    "mongo": {"uri": "mongodb://mongo/asia_beacon?replicaSet=rs0"},
    "config": IDENTITY,
}
KUBERNETES_VERSIONS = ("1.25.0", "1.33.0")  # the chart's kubeVersion floor, and a recent one

needs_helm = pytest.mark.skipif(
    helm_available() is None, reason="no helm on PATH and no helm-python-sdk (a test extra)"
)


def chart_file(name: str) -> dict[str, Any]:
    return yaml.safe_load((CHART / name).read_text())


def by_kind(documents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    kinds = [document["kind"] for document in documents]
    assert len(kinds) == len(set(kinds)), kinds
    return {document["kind"]: document for document in documents}


def test_chart_version_follows_the_package():
    chart = chart_file("Chart.yaml")
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert chart["apiVersion"] == "v2"
    assert chart["appVersion"] == project["project"]["version"]


def test_configured_settings_are_settings_the_beacon_has():
    values = chart_file("values.yaml")
    for config in (values["config"], TEST_VALUES["config"]):
        assert set(config) <= set(DEFAULTS) - {"MONGO_URI"}


@needs_helm
def test_helm_lint_is_clean():
    assert lint_problems(TEST_VALUES) == []


@needs_helm
@pytest.mark.parametrize("values", [TEST_VALUES, MINIMAL_VALUES], ids=["all-on", "minimal"])
def test_every_manifest_fits_the_kubernetes_schema(values):
    kubernetes_validate = pytest.importorskip(
        "kubernetes_validate", reason="kubernetes-validate is a test extra"
    )
    documents = render(values)
    assert documents
    problems = []
    for version in KUBERNETES_VERSIONS:
        for document in documents:
            try:
                kubernetes_validate.validate(document, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                problems.append(f"{document['kind']} for Kubernetes {version}: {error.message}")
    assert not problems


@needs_helm
def test_the_objects_fit_together():
    objects = by_kind(render(TEST_VALUES))
    deployment = objects["Deployment"]
    pod = deployment["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    pod_labels = pod["metadata"]["labels"]

    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert objects["Service"]["spec"]["selector"].items() <= pod_labels.items()
    pdb_selector = objects["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"]
    assert pdb_selector.items() <= pod_labels.items()
    target = objects["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"])
    assert "replicas" not in deployment["spec"]  # the autoscaler owns the count

    port_names = {port["name"] for port in container["ports"]}
    assert objects["Service"]["spec"]["ports"][0]["targetPort"] in port_names
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"

    (uri,) = [env for env in container["env"] if env["name"] == "ASIA_BEACON_MONGO_URI"]
    reference = uri["valueFrom"]["secretKeyRef"]
    secret = objects["Secret"]
    assert reference["name"] == secret["metadata"]["name"]
    assert reference["key"] in secret["data"]
    (config_source,) = container["envFrom"]
    assert config_source["configMapRef"]["name"] == objects["ConfigMap"]["metadata"]["name"]

    backend = objects["Ingress"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == objects["Service"]["metadata"]["name"]
    assert backend["port"]["name"] in {port["name"] for port in objects["Service"]["spec"]["ports"]}


@needs_helm
def test_the_pod_runs_as_the_images_user_and_stops_within_its_grace_period():
    (deployment,) = [d for d in render(MINIMAL_VALUES) if d["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    dockerfile_user = next(
        line.split()[1].split(":")[0]
        for line in (REPO_ROOT / "Dockerfile").read_text().splitlines()
        if line.startswith("USER ")
    )
    assert pod["securityContext"]["runAsUser"] == int(dockerfile_user)
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    env = {item["name"]: item.get("value") for item in container["env"]}
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    graceful = int(env["ASIA_BEACON_GRACEFUL_TIMEOUT"])
    assert pod["terminationGracePeriodSeconds"] > pre_stop + graceful


@needs_helm
def test_the_server_settings_it_sets_are_ones_serve_reads(monkeypatch):
    objects = by_kind(render(TEST_VALUES))
    (container,) = objects["Deployment"]["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item["value"] for item in container["env"] if "value" in item}
    known = {f"ASIA_BEACON_{name}" for name in [*SERVER_DEFAULTS, "WORKERS", *DEFAULTS]}
    assert set(env) <= known
    settings = gunicorn_settings(env, cpus=64)
    assert settings["bind"] == [f"0.0.0.0:{container['ports'][0]['containerPort']}"]
    assert settings["workers"] == int(env["ASIA_BEACON_WORKERS"])
    read_timeout = chart_file("values.yaml")["server"]["requestReadTimeout"]
    assert (
        settings["worker_class"].read_timeout
        == read_timeout
        == SERVER_DEFAULTS["REQUEST_READ_TIMEOUT"]
    )
    # and the beacon starts with the ConfigMap's settings
    for name, value in objects["ConfigMap"]["data"].items():
        monkeypatch.setenv(name, value)
    app = create_app({"MONGO_URI": "mongomock://localhost/helm_settings"})
    assert app.config["BASE_URL"] == TEST_VALUES["config"]["BASE_URL"]
    info = app.test_client().get("/info").json["response"]
    assert info["id"] == TEST_VALUES["config"]["BEACON_ID"]
    assert info["organization"]["contactUrl"] == TEST_VALUES["config"]["ORGANIZATION_CONTACT"]


@needs_helm
@pytest.mark.parametrize("missing", sorted(IDENTITY))
def test_without_the_beacons_identity_the_chart_refuses_to_render(missing):
    """Each pod has its own host name: a beacon left to a placeholder would change id from pod
    to pod, so the identity is required."""
    config = {name: value for name, value in IDENTITY.items() if name != missing}
    values = {**MINIMAL_VALUES, "config": config}
    with pytest.raises(ChartRenderError, match=rf"config\.{missing} is required"):
        render(values)
    assert "ORGANIZATION_CONTACT" in chart_file("values.yaml")["config"]  # optional, listed


@needs_helm
def test_without_a_mongo_uri_the_chart_refuses_to_render():
    with pytest.raises(ChartRenderError, match=r"mongo\.uri"):
        render({"config": IDENTITY})


@needs_helm
def test_an_existing_secret_replaces_the_charts_own():
    values = {
        "mongo": {"existingSecret": "beacon-mongo", "existingSecretKey": "uri"},
        "config": IDENTITY,
    }
    objects = by_kind(render(values))
    assert "Secret" not in objects
    assert "Ingress" not in objects
    (container,) = objects["Deployment"]["spec"]["template"]["spec"]["containers"]
    (uri,) = [env for env in container["env"] if env["name"] == "ASIA_BEACON_MONGO_URI"]
    assert uri["valueFrom"]["secretKeyRef"] == {"name": "beacon-mongo", "key": "uri"}


@needs_helm
def test_without_autoscaling_the_deployment_sets_its_replicas():
    objects = by_kind(render({**MINIMAL_VALUES, "autoscaling": {"enabled": False}}))
    assert "HorizontalPodAutoscaler" not in objects
    assert objects["Deployment"]["spec"]["replicas"] == chart_file("values.yaml")["replicaCount"]

"""deploy/compose.yaml: what docker-compose itself accepts, a replica set of one that the
beacon's URI names, a health check that initiates it once, and a loader command the real
``asia-beacon`` command line accepts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from click.testing import CliRunner

from app.cli import main
from loaders.errors import LoadError

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "deploy" / "compose.yaml"
# keys both docker-compose 1.29 and Compose v2 accept at the top (1.29 rejects `name`)
PORTABLE_TOP_LEVEL = {"services", "volumes", "networks", "configs", "secrets"}
# ${NAME}, ${NAME:-default} and ${NAME:?message} (a variable compose refuses to run without)
VARIABLE = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")
IDENTITY = {
    "ASIA_BEACON_BEACON_ID": "th.example.beacon",
    "ASIA_BEACON_BEACON_NAME": "Thai national beacon",
    "ASIA_BEACON_ORGANIZATION_ID": "th.example",
    "ASIA_BEACON_ORGANIZATION_NAME": "Example genome project",
    "ASIA_BEACON_ORGANIZATION_URL": "https://genome.example.th",
}


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def with_defaults(value: str) -> str:
    """Compose's interpolation with no variable set: each ``${NAME:-default}`` -> default."""
    return VARIABLE.sub(lambda match: match.group(3) if match.group(2) == "-" else "", value)


def required_variables(value: str) -> set[str]:
    return {name for name, kind, _ in VARIABLE.findall(value) if kind == "?"}


def test_only_keys_every_compose_version_accepts():
    document = compose()
    assert set(document) <= PORTABLE_TOP_LEVEL
    for name, service in document["services"].items():
        assert "start_interval" not in service.get("healthcheck", {}), name


def test_the_beacon_reaches_the_replica_set_mongo_declares():
    services = compose()["services"]
    command = services["mongo"]["command"]
    replica_set = command[command.index("--replSet") + 1]
    assert services["mongo"]["image"] == "mongo:7"
    for name in ("beacon", "loader"):
        uri = urlsplit(services[name]["environment"]["ASIA_BEACON_MONGO_URI"])
        assert uri.hostname in services, f"{name}: {uri.hostname} is no service"
        assert parse_qs(uri.query)["replicaSet"] == [replica_set]
        assert uri.path == "/asia_beacon"
        assert services[name]["depends_on"]["mongo"]["condition"] == "service_healthy"
    loader_uri = urlsplit(services["loader"]["environment"]["ASIA_BEACON_MONGO_URI"])
    assert parse_qs(loader_uri.query)["w"] == ["majority"]
    assert services["loader"]["profiles"] == ["load"]
    assert "profiles" not in services["beacon"]
    volume = services["mongo"]["volumes"][0].split(":")[0]
    assert volume in compose()["volumes"]


def test_the_published_port_is_the_one_the_image_serves_on():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    (port,) = re.findall(r"ASIA_BEACON_BIND=0\.0\.0\.0:(\d+)", dockerfile)
    (mapping,) = compose()["services"]["beacon"]["ports"]
    assert with_defaults(mapping).split(":")[-1] == port


def healthcheck_script() -> str:
    test = compose()["services"]["mongo"]["healthcheck"]["test"]
    assert test[:4] == ["CMD", "mongosh", "--quiet", "--eval"]
    return test[4]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize(
    ("initiated", "primary", "initiates", "exit_code"),
    [(False, False, True, 1), (True, False, False, 1), (True, True, False, 0)],
)
def test_the_healthcheck_initiates_the_replica_set_once(initiated, primary, initiates, exit_code):
    """The mongosh script run by node against stand-ins for ``rs``, ``db`` and ``quit``."""
    harness = f"""
    const vm = require("vm");
    const calls = [];
    const context = {{
      rs: {{
        status() {{ if (!{json.dumps(initiated)}) throw new Error("no replset config"); }},
        initiate(config) {{ calls.push(config); }},
      }},
      db: {{ hello: () => ({{ isWritablePrimary: {json.dumps(primary)} }}) }},
      quit(code) {{ throw {{ exitCode: code }}; }},
    }};
    let exitCode = null;
    try {{ vm.runInNewContext({json.dumps(healthcheck_script())}, context); }}
    catch (stop) {{ exitCode = stop.exitCode; }}
    console.log(JSON.stringify({{ calls, exitCode }}));
    """
    result = subprocess.run(["node", "-e", harness], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["exitCode"] == exit_code
    if initiates:
        (config,) = outcome["calls"]
        command = compose()["services"]["mongo"]["command"]
        assert config["_id"] == command[command.index("--replSet") + 1]
        assert [member["host"] for member in config["members"]] == ["mongo:27017"]
    else:
        assert outcome["calls"] == []


def test_the_loader_command_is_one_the_cli_accepts(monkeypatch):
    command = [with_defaults(part) for part in compose()["services"]["loader"]["command"]]
    assert command[0] == "asia-beacon"
    received: dict[str, Any] = {}

    def load_vcf(store: Any, path: str, dataset_id: str, assembly_id: str, **options: Any):
        received.update(path=path, dataset=dataset_id, assembly=assembly_id, **options)
        raise LoadError(path, "stopped by the test")

    monkeypatch.setattr("loaders.vcf.load_vcf", load_vcf)
    env = {"ASIA_BEACON_MONGO_URI": "mongomock://localhost/compose_loader"}
    result = CliRunner().invoke(main, command[1:], env=env)
    assert "stopped by the test" in result.output, result.output
    assert received == {
        "path": "/data/cohort.vcf.gz",
        "dataset": "my-dataset",
        "assembly": "GRCh38",
        "progress": False,
        "populations": None,
        "skip_invalid": False,
        "rejects_dir": None,
        "max_rejected": None,
        "allow_empty": False,
    }


def compose_commands() -> list[list[str]]:
    """The Compose implementations on this machine: docker-compose 1.29 (Debian's package,
    which tests/run.sh installs) and the Compose v2 plugin, when there."""
    commands = []
    if shutil.which("docker-compose"):
        commands.append([shutil.which("docker-compose")])
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        commands.append([docker, "compose"])
    return commands


def test_the_beacon_is_given_its_identity_and_runs_on_none_but_its_own():
    """A container's host name changes with every re-creation, so a placeholder identity would
    too: the beacon's identity settings are required variables (the contact is optional)."""
    environment = compose()["services"]["beacon"]["environment"]
    required = {
        name for name, value in environment.items() if required_variables(str(value)) == {name}
    }
    assert required == set(IDENTITY)
    assert with_defaults(environment["ASIA_BEACON_ORGANIZATION_CONTACT"]) == ""


def docker_compose_config(
    command: list[str], identity: dict[str, str]
) -> subprocess.CompletedProcess:
    used = {name for name, _, _ in VARIABLE.findall(COMPOSE_FILE.read_text())}
    env = {key: value for key, value in os.environ.items() if key not in used}
    return subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "--profile", "load", "config"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, **identity},
    )


def test_docker_compose_accepts_the_file():
    commands = compose_commands()
    if not commands:
        pytest.skip("no docker-compose (tests/run.sh installs it with apt-get when root)")
    for command in commands:
        result = docker_compose_config(command, IDENTITY)
        assert result.returncode == 0, f"{command}: {result.stderr}"
        resolved = yaml.safe_load(result.stdout)
        assert set(resolved["services"]) == {"mongo", "beacon", "loader"}
        assert resolved["services"]["beacon"]["build"]["context"] == str(REPO_ROOT)
        beacon = resolved["services"]["beacon"]["environment"]
        assert {name: beacon[name] for name in IDENTITY} == IDENTITY
        without_id = {key: value for key, value in IDENTITY.items() if "BEACON_ID" not in key}
        refused = docker_compose_config(command, without_id)
        assert refused.returncode != 0, f"{command} ran without ASIA_BEACON_BEACON_ID"
        assert "your beacon's id" in refused.stderr

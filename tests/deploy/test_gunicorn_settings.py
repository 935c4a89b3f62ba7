"""The gunicorn settings: what gunicorn itself reads from deploy/gunicorn.conf.py, the worker
count from CPUs and container quotas, and the command line winning over the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from gunicorn.app.wsgiapp import WSGIApplication
from gunicorn.config import Config
from gunicorn.workers.gthread import ThreadWorker

from app import serving
from app.cli import main
from app.serving import available_cpus, bind_address, gunicorn_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_FILE = REPO_ROOT / "deploy" / "gunicorn.conf.py"


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No server variable of the machine running the tests leaks in."""
    for variable in (
        "GUNICORN_CMD_ARGS",
        "WEB_CONCURRENCY",
        *(f"ASIA_BEACON_{name}" for name in serving.SERVER_DEFAULTS),
        "ASIA_BEACON_WORKERS",
        "ASIA_BEACON_LOG_FORMAT",
    ):
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def gunicorn_reads(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> Config:
    """The configuration gunicorn's own command line builds from ``argv``."""
    monkeypatch.setattr("sys.argv", ["gunicorn", *argv])
    return WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg


def test_gunicorn_reads_the_config_file(clean_environment):
    clean_environment.setenv("ASIA_BEACON_WORKERS", "3")
    clean_environment.setenv("ASIA_BEACON_BIND", "0.0.0.0:6123")
    clean_environment.setenv("ASIA_BEACON_KEEPALIVE", "9")
    clean_environment.setenv("ASIA_BEACON_REQUEST_READ_TIMEOUT", "7")
    config = gunicorn_reads(["-c", str(CONFIG_FILE)], clean_environment)
    assert config.workers == 3
    assert config.bind == ["0.0.0.0:6123"]
    assert config.keepalive == 9
    # gunicorn's threaded worker, reading each request in its event loop
    assert issubclass(config.worker_class, ThreadWorker)
    assert config.worker_class_str == "RequestBufferingWorker"
    assert config.worker_class.read_timeout == 7
    assert config.threads == serving.SERVER_DEFAULTS["THREADS"]
    assert config.preload_app is False
    assert config.max_requests == 5000
    assert config.max_requests_jitter == 500
    # the access log is on: its line is the one line per request, the application writes none
    assert config.wsgi_app == "app:create_app({'REQUEST_LOG': False})"
    assert config.logger_class.__name__ == "JsonLogger"
    assert config.accesslog == "-"
    assert config.errorlog == "-"


def test_without_an_access_log_the_application_writes_the_request_lines(clean_environment):
    clean_environment.setenv("ASIA_BEACON_ACCESS_LOG", "")
    config = gunicorn_reads(["-c", str(CONFIG_FILE)], clean_environment)
    assert config.accesslog is None
    assert config.wsgi_app == "app:create_app({})"


def test_gunicorn_command_line_wins_over_the_config_file(clean_environment):
    config = gunicorn_reads(["-c", str(CONFIG_FILE), "--workers", "5"], clean_environment)
    assert config.workers == 5


def test_every_setting_is_one_gunicorn_knows():
    """gunicorn silently skips unknown names in a config file, so a misspelt one would be lost."""
    names = set(gunicorn_settings({}, cpus=1)) | set(gunicorn_settings({}, cpus=1, workers=1))
    text = gunicorn_settings({"ASIA_BEACON_LOG_FORMAT": "text"}, cpus=1)
    unknown = (names | set(text)) - set(Config().settings)
    assert not unknown


@pytest.mark.parametrize(("cpus", "workers"), [(1, 3), (2, 5), (8, 17)])
def test_workers_follow_the_cpu_count(cpus, workers):
    assert gunicorn_settings({}, cpus=cpus)["workers"] == workers


def test_worker_variables_win_over_the_cpu_count_in_order():
    both = {"ASIA_BEACON_WORKERS": "4", "WEB_CONCURRENCY": "6"}
    assert gunicorn_settings(both, cpus=8)["workers"] == 4
    assert gunicorn_settings({"WEB_CONCURRENCY": "6"}, cpus=8)["workers"] == 6
    assert gunicorn_settings(both, cpus=8, workers=2)["workers"] == 2


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"ASIA_BEACON_WORKERS": "many"}, "^ASIA_BEACON_WORKERS: must be a whole number"),
        ({"WEB_CONCURRENCY": "0"}, "^WEB_CONCURRENCY: must be at least 1"),
        ({"ASIA_BEACON_THREADS": "0"}, "^ASIA_BEACON_THREADS: must be at least 1"),
        ({"ASIA_BEACON_TIMEOUT": "-1"}, "^ASIA_BEACON_TIMEOUT: must not be negative"),
        (
            {"ASIA_BEACON_REQUEST_READ_TIMEOUT": "0"},
            "^ASIA_BEACON_REQUEST_READ_TIMEOUT: must be at least 1",
        ),
        ({"ASIA_BEACON_LOG_FORMAT": "xml"}, "^ASIA_BEACON_LOG_FORMAT: must be json or text"),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(variables, message):
    with pytest.raises(ValueError, match=message):
        gunicorn_settings(variables, cpus=1)


def test_the_request_read_timeout_defaults_to_twenty_seconds():
    assert gunicorn_settings({}, cpus=1)["worker_class"].read_timeout == 20


def test_text_logs_keep_gunicorns_logger_with_the_request_id():
    settings = gunicorn_settings({"ASIA_BEACON_LOG_FORMAT": "text"}, cpus=1)
    assert "logger_class" not in settings
    assert "%({x-request-id}o)s" in settings["access_log_format"]


def test_an_empty_access_log_setting_turns_it_off():
    assert gunicorn_settings({"ASIA_BEACON_ACCESS_LOG": ""}, cpus=1)["accesslog"] is None


@pytest.mark.parametrize(
    ("cpu_max", "cpus"),
    [("150000 100000\n", 2), ("50000 100000\n", 1), ("max 100000\n", None), ("junk\n", None)],
)
def test_a_container_cpu_quota_bounds_the_cpus(tmp_path, cpu_max, cpus):
    (tmp_path / "cpu.max").write_text(cpu_max)
    unbounded = available_cpus(tmp_path / "absent")
    expected = unbounded if cpus is None else min(cpus, unbounded)
    assert available_cpus(tmp_path) == expected


@pytest.mark.parametrize(
    ("configured", "host", "port", "bound"),
    [
        ("0.0.0.0:5050", None, None, "0.0.0.0:5050"),
        ("0.0.0.0:5050", None, 6000, "0.0.0.0:6000"),
        ("0.0.0.0:5050", "127.0.0.1", None, "127.0.0.1:5050"),
        ("0.0.0.0:5050", "::", 7000, "[::]:7000"),
        ("unix:/run/beacon.sock", None, 6000, "127.0.0.1:6000"),
    ],
)
def test_command_line_address_parts_replace_the_configured_ones(configured, host, port, bound):
    assert bind_address(configured, host, port) == bound


def captured_serve(args: list[str], env: dict[str, str], monkeypatch) -> dict[str, Any]:
    """Run ``asia-beacon serve`` up to the point gunicorn would start; its settings."""
    captured: dict[str, Any] = {}

    def run_gunicorn(settings: dict[str, Any], app_config: dict[str, Any]) -> None:
        captured.update(settings, mongo_uri=app_config["MONGO_URI"])

    monkeypatch.setattr(serving, "run_gunicorn", run_gunicorn)
    result = CliRunner().invoke(main, ["serve", *args], env=env)
    assert result.exit_code == 0, result.output
    return captured


def test_serve_options_win_over_the_environment(clean_environment):
    env = {
        "ASIA_BEACON_BIND": "10.0.0.1:7000",
        "ASIA_BEACON_WORKERS": "9",
        "ASIA_BEACON_MONGO_URI": "mongomock://localhost/x",
    }
    settings = captured_serve(
        ["--host", "0.0.0.0", "--port", "6001", "--workers", "3"], env, clean_environment
    )
    assert settings["bind"] == ["0.0.0.0:6001"]
    assert settings["workers"] == 3
    assert settings["mongo_uri"] == "mongomock://localhost/x"
    only_port = captured_serve(["--port", "6002"], env, clean_environment)
    assert only_port["bind"] == ["10.0.0.1:6002"]
    assert only_port["workers"] == 9


def test_serve_without_options_takes_the_environment(clean_environment):
    env = {"ASIA_BEACON_BIND": "0.0.0.0:5000", "WEB_CONCURRENCY": "2"}
    settings = captured_serve([], env, clean_environment)
    assert settings["bind"] == ["0.0.0.0:5000"]
    assert settings["workers"] == 2


def test_serve_refuses_a_bad_setting_before_starting(clean_environment):
    result = CliRunner().invoke(main, ["serve"], env={"ASIA_BEACON_THREADS": "lots"})
    assert result.exit_code == 2
    assert result.output == "error: ASIA_BEACON_THREADS: must be a whole number, not 'lots'\n"

"""Running the application: gunicorn for deployments, one process for the embedded demo.

The gunicorn settings are built here, from ``ASIA_BEACON_*`` variables, so that
``asia-beacon serve`` and ``gunicorn -c deploy/gunicorn.conf.py`` run with the same ones
(docs/deployment.md#the-server-process explains each choice).
"""

from __future__ import annotations

import logging
import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from flask import Flask

from app.config import DEFAULTS, ENV_PREFIX, ConfigurationError
from app.ops.logs import LOG_FORMATS
from app.serving_worker import request_buffering_worker
from app.startup import CheckedConfiguration, check_configuration

# Server settings, each overridable by ASIA_BEACON_<NAME>; the beacon's own are in app/config.py
# (LOG_FORMAT, one of them, applies to gunicorn's logs too).
SERVER_DEFAULTS: dict[str, object] = {
    "BIND": "127.0.0.1:5050",
    "THREADS": 4,  # per worker: overlap MongoDB round trips; the GIL bounds CPU to one core
    "TIMEOUT": 60,  # seconds a worker may miss its heartbeat before the master replaces it
    "GRACEFUL_TIMEOUT": 30,  # seconds to finish requests in flight after SIGTERM
    "KEEPALIVE": 75,  # above the 60 s idle timeout of common load balancers: they close first
    "REQUEST_READ_TIMEOUT": 20,  # seconds a client has to send a request (head, small body)
    "MAX_REQUESTS": 5000,  # a worker is replaced after about this many requests
    "ACCESS_LOG": "-",  # stdout; empty: no access log
}
WORKERS_FALLBACK_VARIABLE = "WEB_CONCURRENCY"  # the name platforms (Heroku, buildpacks) set
SHARED_MEMORY = Path("/dev/shm")
CGROUP = Path("/sys/fs/cgroup")
TEXT_ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(b)s bytes %(M)s ms request %({x-request-id}o)s"


def available_cpus(cgroup: Path = CGROUP) -> int:
    """CPUs this process may use: its affinity, lowered by a cgroup v2 quota (a container's
    CPU limit), which ``os.cpu_count`` ignores and which would otherwise size the workers by
    the whole host."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpus = cpus or 1
    try:
        quota, period = (cgroup / "cpu.max").read_text().split()[:2]
        if quota == "max":
            return cpus
        return max(1, min(cpus, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError, ZeroDivisionError):
        return cpus


def default_workers(cpus: int) -> int:
    """gunicorn's rule of thumb: while one worker waits on the network, another computes."""
    return 2 * cpus + 1


def gunicorn_settings(
    environ: Mapping[str, str],
    cpus: int | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """gunicorn setting name -> value, from the environment; ``host``, ``port`` and ``workers``
    (the command line's) win over it. ``cpus`` defaults to :func:`available_cpus`. A bad value
    raises ConfigurationError."""
    log_format = environ.get(f"{ENV_PREFIX}_LOG_FORMAT", str(DEFAULTS["LOG_FORMAT"]))
    if log_format not in LOG_FORMATS:
        raise ConfigurationError("LOG_FORMAT", f"must be json or text, not {log_format!r}")
    if workers is None:
        workers = _worker_count(environ, cpus)
    threads = _integer(environ, "THREADS")
    if threads < 1:
        raise ConfigurationError("THREADS", "must be at least 1")
    max_requests = _integer(environ, "MAX_REQUESTS")
    read_timeout = _integer(environ, "REQUEST_READ_TIMEOUT")
    if read_timeout < 1:
        raise ConfigurationError("REQUEST_READ_TIMEOUT", "must be at least 1")
    settings: dict[str, Any] = {
        "bind": [bind_address(_text(environ, "BIND"), host, port)],
        "workers": workers,
        # gthread, whose event loop reads each request before a thread serves it
        "worker_class": request_buffering_worker(read_timeout),
        "threads": threads,
        "timeout": _integer(environ, "TIMEOUT"),
        "graceful_timeout": _integer(environ, "GRACEFUL_TIMEOUT"),
        "keepalive": _integer(environ, "KEEPALIVE"),
        "max_requests": max_requests,
        # spread the replacements so that the workers do not all restart at once
        "max_requests_jitter": max_requests // 10,
        # Each worker builds its own application, and with it its own MongoClient, after the
        # fork: pymongo clients must not cross a fork (docs/deployment.md#the-server-process).
        "preload_app": False,
        "accesslog": _text(environ, "ACCESS_LOG") or None,
        "errorlog": "-",
        "proc_name": "asia-beacon",
    }
    if log_format == "json":
        settings["logger_class"] = "app.ops.access_log.JsonLogger"
    else:
        settings["access_log_format"] = TEXT_ACCESS_FORMAT
    if "control_socket_disable" in _gunicorn_setting_names():
        # gunicorn 25.1+ opens a control socket at a per-user path, where two servers of one
        # user collide; nothing here uses it
        settings["control_socket_disable"] = True
    if SHARED_MEMORY.is_dir():
        # the heartbeat file: in memory, so a slow or read-only container disk cannot stall it
        settings["worker_tmp_dir"] = str(SHARED_MEMORY)
    return settings


def _gunicorn_setting_names() -> frozenset[str]:
    from gunicorn.config import KNOWN_SETTINGS

    return frozenset(setting.name for setting in KNOWN_SETTINGS)


def bind_address(configured: str, host: str | None, port: int | None) -> str:
    """The configured ``host:port``, with the parts the command line gave replaced."""
    if host is None and port is None:
        return configured
    if configured.startswith(("unix:", "fd://")):
        configured = str(SERVER_DEFAULTS["BIND"])
    configured_host, _, configured_port = configured.rpartition(":")
    if host is not None:
        configured_host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"{configured_host}:{port if port is not None else configured_port}"


def _worker_count(environ: Mapping[str, str], cpus: int | None) -> int:
    for variable in (f"{ENV_PREFIX}_WORKERS", WORKERS_FALLBACK_VARIABLE):
        if environ.get(variable):
            workers = _parse_integer(variable, environ[variable])
            if workers < 1:
                raise _bad(variable, "must be at least 1")
            return workers
    return default_workers(available_cpus() if cpus is None else cpus)


def _text(environ: Mapping[str, str], name: str) -> str:
    return environ.get(f"{ENV_PREFIX}_{name}", str(SERVER_DEFAULTS[name]))


def _integer(environ: Mapping[str, str], name: str) -> int:
    variable = f"{ENV_PREFIX}_{name}"
    return _parse_integer(variable, environ.get(variable, str(SERVER_DEFAULTS[name])))


def _parse_integer(variable: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise _bad(variable, f"must be a whole number, not {value!r}") from None
    if number < 0:
        raise _bad(variable, "must not be negative")
    return number


def _bad(variable: str, problem: str) -> ConfigurationError:
    return ConfigurationError(variable.removeprefix(f"{ENV_PREFIX}_"), problem, variable=variable)


def application_logging(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The application settings gunicorn's own ``settings`` imply: no request line of the
    application's where gunicorn's access line says the same."""
    return {"REQUEST_LOG": False} if settings.get("accesslog") else {}


def ready_to_serve(app_config: Mapping[str, Any]) -> CheckedConfiguration:
    """Check, in this process and before gunicorn binds a port, the configuration every worker
    will build its application from (``app_config`` over the environment); raises
    ConfigurationError. Warns on stderr when the beacon would present a placeholder identity.
    """
    checked = check_configuration(app_config)
    checked.store.close()  # each worker opens its own, after the fork
    if warning := checked.identity_warning:
        print(f"warning: {warning}", file=sys.stderr)
    return checked


def refuse_to_serve(error: ConfigurationError) -> NoReturn:
    """One line naming the setting, and exit code 2: nothing was started."""
    print(f"error: {error}", file=sys.stderr)
    raise SystemExit(2)


def run_in_process(app: Flask, host: str, port: int) -> None:
    """One threaded process, so every request sees the same in-memory store."""
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True)


def run_gunicorn(settings: Mapping[str, Any], app_config: Mapping[str, Any]) -> None:
    """Run gunicorn's master in this process until it is stopped (SIGTERM, SIGINT); each
    worker builds the application with ``app_config`` over the environment's settings."""
    from gunicorn.app.base import BaseApplication

    app_config = {**app_config, **application_logging(settings)}

    class _Server(BaseApplication):
        def load_config(self) -> None:
            for name, value in settings.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            # runs in each worker after the fork (preload_app is off)
            from app import create_app

            return create_app(app_config)

    from gunicorn.errors import HaltServer

    try:
        _Server().run()
    except HaltServer as halt:
        # gunicorn raises this anew while halting when a second worker also failed to boot
        logging.getLogger("gunicorn.error").error("Shutting down: %s", halt.reason)
        raise SystemExit(halt.exit_status) from None

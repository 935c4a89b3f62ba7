"""HTTP load with ``wrk`` (or, at concurrency 1 without it, a plain Python client).

wrk runs a generated Lua script that cycles through a list of requests (so a shape asks many
different variants, not one cached answer) and prints its summary as one JSON line: requests,
seconds, errors (non-2xx/3xx answers included) and latency percentiles in microseconds.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from measure import percentile

RESULT_MARK = "WRK_RESULT "
_LUA_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"errors":%d,"status_errors":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\\n',
    "RESULT_MARK", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
""".replace("RESULT_MARK", RESULT_MARK)


@dataclass(frozen=True)
class Request:
    path: str
    body: str | None = None  # JSON body: the request is a POST


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    errors: int  # socket errors and timeouts
    status_errors: int  # answers other than 2xx/3xx
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    client: str

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def _lua_string(text: str) -> str:
    """A Lua long-bracket literal: no escaping needed for JSON or URLs."""
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def lua_script(requests: list[Request]) -> str:
    """A wrk script cycling through ``requests`` and printing its summary as JSON."""
    paths = ",\n".join(_lua_string(request.path) for request in requests)
    bodies = ",\n".join(_lua_string(request.body or "") for request in requests)
    return (
        f"local paths = {{\n{paths}\n}}\nlocal bodies = {{\n{bodies}\n}}\n"
        "local posts = " + ("true" if requests[0].body is not None else "false") + "\n"
        "local index = 0\n"
        "request = function()\n"
        "  index = index % #paths + 1\n"
        "  if posts then\n"
        '    return wrk.format("POST", paths[index], '
        '{["Content-Type"] = "application/json"}, bodies[index])\n'
        "  end\n"
        '  return wrk.format("GET", paths[index])\n'
        "end\n" + _LUA_DONE
    )


def run_wrk(
    base_url: str,
    requests: list[Request],
    seconds: float,
    connections: int,
    threads: int = 1,
) -> LoadResult:
    """``wrk`` for ``seconds`` with ``connections`` open connections over ``threads`` threads."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(requests))
    try:
        done = subprocess.run(
            [
                "wrk",
                f"--threads={threads}",
                f"--connections={connections}",
                f"--duration={max(1, round(seconds))}s",
                "--timeout=30s",
                f"--script={script.name}",
                base_url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        Path(script.name).unlink()
    line = next(line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK))
    found = json.loads(line[len(RESULT_MARK) :])
    return LoadResult(
        requests=found["requests"],
        seconds=found["duration_us"] / 1e6,
        errors=found["errors"],
        status_errors=found["status_errors"],
        p50_ms=found["p50_us"] / 1000,
        p90_ms=found["p90_us"] / 1000,
        p99_ms=found["p99_us"] / 1000,
        max_ms=found["max_us"] / 1000,
        client=f"wrk -t{threads} -c{connections}",
    )


def run_sequential(base_url: str, requests: list[Request], seconds: float) -> LoadResult:
    """Concurrency 1 without wrk: one request at a time, a new connection each (gunicorn's
    sync workers close it after every answer anyway)."""
    target = urlsplit(base_url)
    latencies: list[float] = []
    status_errors = 0
    began = time.perf_counter()
    index = 0
    while time.perf_counter() - began < seconds:
        request = requests[index % len(requests)]
        index += 1
        sent = time.perf_counter()
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        if request.body is None:
            connection.request("GET", request.path)
        else:
            headers = {"Content-Type": "application/json"}
            connection.request("POST", request.path, request.body.encode(), headers)
        answer = connection.getresponse()
        answer.read()
        connection.close()
        latencies.append(time.perf_counter() - sent)
        if not 200 <= answer.status < 400:
            status_errors += 1
    elapsed = time.perf_counter() - began
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        errors=0,
        status_errors=status_errors,
        p50_ms=percentile(latencies, 50) * 1000,
        p90_ms=percentile(latencies, 90) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        max_ms=max(latencies) * 1000,
        client="python http.client, c=1",
    )


def run_load(
    base_url: str, requests: list[Request], seconds: float, connections: int
) -> LoadResult:
    """wrk when installed; at concurrency 1 the Python client otherwise."""
    if have_wrk():
        return run_wrk(base_url, requests, seconds, connections)
    if connections != 1:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    return run_sequential(base_url, requests, seconds)

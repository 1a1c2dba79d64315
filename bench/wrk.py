"""What every load benchmark shares: a free port, one `wrk --latency` run read into a Result,
and a figure printed as "-" when it is missing. Used by load.py, floors.py and edge.py."""

import math
import re
import socket
import subprocess
from dataclasses import dataclass

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Result:
    rps: float
    p50: float
    p99: float
    problems: str = ""
    requests: int = 0
    # CPU ms per request of the server, the database and wrk (bench/cpu.py), when measured
    cpu_ms: float = math.nan


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wrk_latency(output, percent):
    found = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    return float(found.group(1)) * UNITS_MS[found.group(2)] if found else math.nan


def wrk(url, args):
    """`wrk` with the run's threads, connections and duration against `url`."""
    argv = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}"]
    argv += ["--timeout", "30s", "--latency", url]
    output = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    completed = re.search(r"^\s*(\d+) requests in", output, re.MULTILINE)
    if not rps or not completed or completed.group(1) == "0":
        return Result(math.nan, math.nan, math.nan, "no request completed")
    problems = []
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        problems.append(f"{found.group(1)} non-2xx")
    if found := re.search(r"Socket errors: (.*)", output):
        problems.append(f"socket errors: {found.group(1).strip()}")
    return Result(
        float(rps.group(1)),
        wrk_latency(output, 50),
        wrk_latency(output, 99),
        "; ".join(problems),
        requests=int(completed.group(1)),
    )


def fmt(value, spec):
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    return "-" if missing else spec.format(value)

"""Load test of `kfpolicy serve`: concurrent keep-alive TLS clients on loopback, as the API server
would call it (the Service's DNS name as SNI, the certificate checked against ca.crt).

    python benchmarks/webhook_load.py                 # 1 and 2 workers, 10 s per phase
    python benchmarks/webhook_load.py --record        # also writes its section of RESULTS.md
    python benchmarks/webhook_load.py --seconds 2 --workers 1   # a quick look

Two phases per worker count, on benchmarks/pytorchjob.yaml under `baseline`:
- fixed rate (default 500 requests/s, open loop): latency is measured from the moment each request
  was due, so queueing inside the server or the client is counted, not hidden;
- saturation: every connection sends its next request as soon as the last is answered.
The load generator runs in this process (one core's worth of Python), the server in its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import yaml

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
SERVICE, NAMESPACE = "kfpolicy-webhook", "kfpolicy-system"
HOSTNAME = f"{SERVICE}.{NAMESPACE}.svc"
BEGIN, END = "<!-- webhook_load.py: begin -->", "<!-- webhook_load.py: end -->"


@dataclass
class Phase:
    name: str
    sent: int
    failed: int
    seconds: float
    latencies_ms: list[float]
    server_cpu_s: float = float("nan")  # CPU time the server processes used during the phase

    @property
    def cpu_per_request_us(self) -> float:
        return self.server_cpu_s / max(1, self.sent) * 1e6

    def percentile(self, p: float) -> float:
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else float("nan")

    @property
    def rate(self) -> float:
        return (self.sent - self.failed) / self.seconds


def review_body() -> bytes:
    job = yaml.safe_load((HERE / "pytorchjob.yaml").read_text())
    request = {"uid": "bench", "operation": "CREATE", "object": job}
    return json.dumps(
        {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}
    ).encode()


def start_server(workers: int, cert_dir: Path) -> tuple[subprocess.Popen[str], int]:
    cmd = [
        sys.executable,
        "-m",
        "kfpolicy",
        "serve",
        "--self-signed",
        "--tls-cert-dir",
        str(cert_dir),
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--workers",
        str(workers),
        "--profile",
        "baseline",
        "--service-name",
        SERVICE,
        "--service-namespace",
        NAMESPACE,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r":(\d+)$", line.strip())
    if not match:
        proc.kill()
        raise SystemExit(f"server did not start: {line!r}")
    return proc, int(match.group(1))


async def wait_ready(session: aiohttp.ClientSession, url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            async with session.get(url + "/readyz", server_hostname=HOSTNAME) as resp:
                if resp.status == 200:
                    return
        except (aiohttp.ClientError, ssl.SSLError, OSError):
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("server not ready")


async def post(session: aiohttp.ClientSession, url: str, body: bytes) -> bool:
    try:
        async with session.post(
            url + "/validate",
            data=body,
            server_hostname=HOSTNAME,
            headers={"Content-Type": "application/json"},
        ) as resp:
            answer = await resp.read()
            return resp.status == 200 and b'"allowed": true' in answer
    except (aiohttp.ClientError, ssl.SSLError, OSError):
        return False


async def fixed_rate(
    session: aiohttp.ClientSession, url: str, body: bytes, rate: int, seconds: float
) -> Phase:
    latencies: list[float] = []
    failed = 0
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def one(due: float) -> None:
        nonlocal failed
        ok = await post(session, url, body)
        latencies.append((loop.time() - due) * 1000)
        failed += not ok

    tasks = []
    total = int(rate * seconds)
    for i in range(total):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    return Phase(f"{rate} requests/s", total, failed, loop.time() - start, latencies)


async def saturate(
    session: aiohttp.ClientSession, url: str, body: bytes, connections: int, seconds: float
) -> Phase:
    latencies: list[float] = []
    failed = 0
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds

    async def client() -> None:
        nonlocal failed
        while loop.time() < end:
            sent = loop.time()
            ok = await post(session, url, body)
            latencies.append((loop.time() - sent) * 1000)
            failed += not ok

    start = loop.time()
    await asyncio.gather(*(client() for _ in range(connections)))
    return Phase(
        f"saturation, {connections} connections", len(latencies), failed, loop.time() - start, latencies
    )


def server_cpu(pid: int) -> float:
    """User + system CPU seconds of the server process and its children (the --workers processes)."""
    total, pids = 0.0, [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.is_file():
        pids += [int(c) for c in children.read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


async def timed(pid: int, phase: Awaitable[Phase]) -> Phase:
    before = server_cpu(pid)
    result = await phase
    result.server_cpu_s = server_cpu(pid) - before
    return result


async def measure(pid: int, port: int, cert_dir: Path, args: argparse.Namespace) -> list[Phase]:
    ctx = ssl.create_default_context(cafile=str(cert_dir / "ca.crt"))
    url = f"https://127.0.0.1:{port}"
    connector = aiohttp.TCPConnector(ssl=ctx, limit=args.connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        await wait_ready(session, url)
        await saturate(session, url, review_body(), args.connections, min(2.0, args.seconds))  # warm-up
        body = review_body()
        return [
            await timed(pid, fixed_rate(session, url, body, args.rate, args.seconds)),
            await timed(pid, saturate(session, url, body, args.connections, args.seconds)),
        ]


def run(workers: int, args: argparse.Namespace) -> list[Phase]:
    with tempfile.TemporaryDirectory() as tmp:
        proc, port = start_server(workers, Path(tmp))
        try:
            phases = asyncio.run(measure(proc.pid, port, Path(tmp), args))
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(60)
        if code != 0:
            raise SystemExit(f"server exited {code} after SIGTERM")
        return phases


def table(results: dict[int, list[Phase]]) -> str:
    lines = [
        "| workers | phase | requests | failed | requests/s | p50 | p99 | server CPU per request |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for workers, phases in results.items():
        for p in phases:
            lines.append(
                f"| {workers} | {p.name} | {p.sent:,} | {p.failed} | {p.rate:,.0f} | "
                f"{p.percentile(50):.2f} ms | {p.percentile(99):.2f} ms | {p.cpu_per_request_us:,.0f} µs |"
            )
    return "\n".join(lines)


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def record(text: str, args: argparse.Namespace, load_at_start: str) -> None:
    section = (
        f"{BEGIN}\n## Webhook load (`kfpolicy serve`)\n\nWritten by `python benchmarks/webhook_load.py "
        f"--record` ({args.seconds:g} s per phase, {args.connections} keep-alive TLS connections, "
        f"benchmarks/pytorchjob.yaml under baseline; client and server on the same {os.cpu_count()}-CPU "
        f"machine shared with other work, Python {platform.python_version()}; load average (1, 5, 15 min) "
        f"{load_at_start} at the start, {_load()} at the end). Target: p99 at most 5 ms at 500 "
        f"requests/s on one worker. Latency includes the client's own time (Python, same machine); "
        f"the last column is the server processes' CPU time divided by the requests of the phase, "
        f"the figure least disturbed by other load.\n\n{text}\n{END}\n"
    )
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else ""
    if BEGIN in current and END in current:
        current = current[: current.index(BEGIN)] + section + current[current.index(END) + len(END) + 1 :]
    else:
        current = current.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(current, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--rate", type=int, default=500, help="requests/s of the fixed-rate phase")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--record", action="store_true", help="write the table into benchmarks/RESULTS.md")
    args = parser.parse_args()
    load_at_start = _load()
    results = {w: run(w, args) for w in args.workers}
    text = table(results)
    print(text)
    if args.record:
        record(text, args, load_at_start)


if __name__ == "__main__":
    main()

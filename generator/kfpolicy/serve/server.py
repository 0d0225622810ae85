"""Start `kfpolicy serve`: one process, or (--workers N) a supervisor and N worker processes sharing
the port with SO_REUSEPORT. The supervisor then owns the self-signed certificates (workers reload
them from the folder) and forwards SIGTERM and SIGHUP."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
from dataclasses import replace
from types import FrameType

from kfpolicy.serve.options import ServeOptions
from kfpolicy.serve.worker import make_issuer, run_worker

log = logging.getLogger("kfpolicy.serve")


def _free_port(bind: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((bind, 0))
        return int(sock.getsockname()[1])


def run(options: ServeOptions) -> int:
    if options.workers <= 1:
        run_worker(options, True, False)
    return _supervise(options)


def _supervise(options: ServeOptions) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    if options.port == 0:
        options = replace(options, port=_free_port(options.bind))
    stop = threading.Event()
    issuer = make_issuer(options, stop) if options.self_signed else None
    if issuer is not None:
        issuer.step(dt.datetime.now(dt.UTC))
    ctx = multiprocessing.get_context("spawn")
    worker_options = replace(options, self_signed=False)
    workers = [
        ctx.Process(target=run_worker, args=(worker_options, False, True), name=f"worker-{i}")
        for i in range(options.workers)
    ]
    for w in workers:
        w.start()

    def forward(signum: int, _frame: FrameType | None) -> None:
        if signum != signal.SIGHUP:
            stop.set()
        for w in workers:
            if w.pid is not None and w.is_alive():
                _kill(w.pid, signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)
    print(
        f"kfpolicy serve: {options.workers} workers listening on https://{options.bind}:{options.port}",
        flush=True,
    )
    interval = issuer.check_interval() if issuer is not None else 1.0
    while not stop.wait(interval):
        if issuer is not None:
            issuer.step(dt.datetime.now(dt.UTC))
        if any(not w.is_alive() for w in workers):
            log.error("a worker exited unexpectedly: stopping the others")
            stop.set()
            for w in workers:
                if w.is_alive() and w.pid is not None:
                    _kill(w.pid, signal.SIGTERM)
    for w in workers:
        w.join(options.shutdown_delay + options.drain_timeout + 5)
        if w.is_alive():
            w.kill()
            w.join()
    codes = [w.exitcode for w in workers]
    print(f"kfpolicy serve: stopped (workers exited {codes})", flush=True)
    return 0 if all(c == 0 for c in codes) else 1


def _kill(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)

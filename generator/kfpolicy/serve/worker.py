"""One serving process: the HTTPS listener, its certificate reloads, policy reloads and runtime cache,
and a bounded drain on SIGTERM."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import signal
import sys
import threading
from collections.abc import Mapping
from typing import Any, NoReturn

from aiohttp import web

from kfpolicy.errors import KfpolicyError
from kfpolicy.serve import kube
from kfpolicy.serve.app import ServerState, make_app
from kfpolicy.serve.certmanager import DirectoryCertificates, SelfSignedIssuer
from kfpolicy.serve.metrics import Metrics
from kfpolicy.serve.options import ServeOptions
from kfpolicy.serve.policies import PolicyStore

log = logging.getLogger("kfpolicy.serve")


def make_issuer(options: ServeOptions, stop: threading.Event) -> SelfSignedIssuer:
    """The self-signed issuer; with --webhook-config every new CA bundle is patched in (in a thread)."""
    patcher = None
    if options.webhook_config is not None:
        patcher = kube.CaBundlePatcher(kube.api_client(options.kubeconfig), options.webhook_config, stop)

    def publish(bundle: bytes) -> None:
        if patcher is not None:
            threading.Thread(target=patcher.patch, args=(bundle,), name="cabundle", daemon=True).start()

    return SelfSignedIssuer(options.tls_cert_dir, options.dns_names, options.cert_validity, publish)


class Worker:
    def __init__(self, options: ServeOptions, *, issue: bool, reuse_port: bool) -> None:
        self.options = options
        self.reuse_port = reuse_port
        self.thread_stop = threading.Event()
        self.issuer = make_issuer(options, self.thread_stop) if issue and options.self_signed else None
        self.policies = PolicyStore(options.source)
        self.certificates = DirectoryCertificates(options.tls_cert_dir)
        self.state = ServerState(
            self.policies,
            self.certificates,
            Metrics(),
            on_error=options.on_error,
            limits=options.limits,
            runtimes_listed=not options.watch_runtimes,
        )
        self.stop = asyncio.Event()
        self.reload_wanted = asyncio.Event()
        self.files_dirty = False  # catalogue or parameters to be read again (not only the runtimes)
        self.port = 0
        self.threads: list[threading.Thread] = []

    def _runtimes_changed(self, loop: asyncio.AbstractEventLoop, objects: list[Mapping[str, Any]]) -> None:
        """Called from a watch thread with the whole runtime cache."""

        def apply() -> None:
            self.policies.set_inventory(objects)
            self.reload_wanted.set()

        loop.call_soon_threadsafe(apply)

    async def _reload_loop(self) -> None:
        while True:
            await self.reload_wanted.wait()
            self.reload_wanted.clear()
            files_changed, self.files_dirty = self.files_dirty, False
            try:
                loaded = await asyncio.to_thread(self.policies.read) if files_changed else None
                self.policies.install(loaded)
            except KfpolicyError as exc:
                log.error("policies not reloaded, keeping the previous ones: %s", exc)
                self.state.metrics.policy_reloads.labels("failure").inc()
                continue
            log.info("policies reloaded (%s)", "files changed" if files_changed else "runtimes changed")
            self.state.metrics.policy_reloads.labels("success").inc()
            if self.policies.inventory_listed:
                self.state.runtimes_listed = True

    async def _poll_loop(self) -> None:
        while True:
            if self.issuer is not None:
                self.issuer.step(dt.datetime.now(dt.UTC))
            self.certificates.check()
            if self.policies.files_changed():
                self.files_dirty = True
                self.reload_wanted.set()
            interval = self.options.poll_interval
            if self.issuer is not None:
                interval = min(interval, self.issuer.check_interval())
            await asyncio.sleep(interval)

    async def _drain(self) -> None:
        """Wait (bounded) for requests in flight: aiohttp's own shutdown would cancel body reads."""
        deadline = asyncio.get_running_loop().time() + self.options.drain_timeout
        while self.state.in_flight and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        if self.state.in_flight:
            log.warning(
                "%d requests still in flight after %g s: closing",
                self.state.in_flight,
                self.options.drain_timeout,
            )

    def _reread(self) -> None:
        self.files_dirty = True
        self.reload_wanted.set()

    def _signals(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.add_signal_handler(signal.SIGTERM, self.stop.set)
        loop.add_signal_handler(signal.SIGINT, self.stop.set)
        loop.add_signal_handler(signal.SIGHUP, self._reread)

    async def serve(self) -> int:
        loop = asyncio.get_running_loop()
        self.policies.load()
        if self.issuer is not None:
            self.issuer.step(dt.datetime.now(dt.UTC))
        self.certificates.check()
        if self.options.watch_runtimes:
            api = kube.api_client(self.options.kubeconfig)
            watcher = kube.RuntimeWatcher(
                api, lambda objs: self._runtimes_changed(loop, objs), self.thread_stop
            )
            self.threads = watcher.start()
        runner = web.AppRunner(
            make_app(self.state), access_log=None, shutdown_timeout=self.options.drain_timeout
        )
        await runner.setup()
        site = web.TCPSite(
            runner,
            self.options.bind,
            self.options.port,
            ssl_context=self.certificates.context,
            reuse_port=self.reuse_port or None,
            shutdown_timeout=self.options.drain_timeout,
            backlog=1024,
        )
        await site.start()
        self.port = runner.addresses[0][1]
        self._signals(loop)
        tasks = [asyncio.create_task(self._poll_loop()), asyncio.create_task(self._reload_loop())]
        print(f"kfpolicy serve: listening on https://{self.options.bind}:{self.port}", flush=True)
        await self.stop.wait()
        log.info("stopping: no longer ready, draining in-flight requests")
        self.state.draining = True
        await asyncio.sleep(self.options.shutdown_delay)
        await site.stop()  # no new connections
        await self._drain()
        await runner.cleanup()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.thread_stop.set()
        for thread in self.threads:
            thread.join(2.0)  # a watch blocked in a read is left to process exit
        print("kfpolicy serve: stopped", flush=True)
        return 0


def run_worker(options: ServeOptions, issue: bool, reuse_port: bool) -> NoReturn:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    code = asyncio.run(Worker(options, issue=issue, reuse_port=reuse_port).serve())
    # Leave at once once drained: the interpreter's teardown would race the watch threads (daemons
    # blocked in the kubernetes client) for stderr and abort.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

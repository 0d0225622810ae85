"""The HTTP application: /validate, /healthz, /readyz and /metrics.

Evaluation runs on the event loop itself: one admission takes well under a millisecond on the
embedded engine, less than handing it to a thread would cost, and the engine holds the GIL anyway
(`--workers` adds processes for more throughput).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field

from aiohttp import web

from kfpolicy.errors import KfpolicyError
from kfpolicy.serve.certmanager import DirectoryCertificates
from kfpolicy.serve.metrics import Metrics
from kfpolicy.serve.options import Limits
from kfpolicy.serve.policies import PolicyStore
from kfpolicy.serve.review import BadReview, error_response, parse_review, response_for

log = logging.getLogger("kfpolicy.serve")


@dataclass
class ServerState:
    policies: PolicyStore
    certificates: DirectoryCertificates
    metrics: Metrics
    on_error: str = "deny"
    limits: Limits = field(default_factory=Limits)
    runtimes_listed: bool = True
    draining: bool = False
    in_flight: int = 0  # /validate handlers running, the body included (SIGTERM waits for them)

    def not_ready(self) -> list[str]:
        reasons = []
        if self.policies.evaluator is None:
            reasons.append("policies not loaded")
        if not self.certificates.loaded:
            reasons.append("no certificate loaded")
        if not self.runtimes_listed:
            reasons.append("runtimes not listed yet")
        if self.draining:
            reasons.append("shutting down")
        return reasons


STATE: web.AppKey[ServerState] = web.AppKey("state", ServerState)


def _bad_request(state: ServerState, message: str) -> web.Response:
    state.metrics.bad_requests.inc()
    return web.json_response({"error": message}, status=400)


async def _read_body(request: web.Request, limits: Limits) -> bytes:
    if request.content_length is not None and request.content_length > limits.max_body_bytes:
        raise BadReview(
            f"body of {request.content_length} bytes is over the limit of {limits.max_body_bytes}"
        )
    try:
        return await asyncio.wait_for(request.read(), limits.body_timeout)
    except TimeoutError:
        raise BadReview(f"body not received within {limits.body_timeout:g} s") from None
    except web.HTTPRequestEntityTooLarge:
        raise BadReview(f"body is over the limit of {limits.max_body_bytes} bytes") from None


async def validate(request: web.Request) -> web.Response:
    state = request.app[STATE]
    state.in_flight += 1
    try:
        response = await _validate(request, state)
    finally:
        state.in_flight -= 1
    if state.draining:
        response.force_close()  # keep-alive clients reconnect, to a replica that stays
    return response


async def _validate(request: web.Request, state: ServerState) -> web.Response:
    started = time.perf_counter()
    try:
        review = parse_review(await _read_body(request, state.limits))
    except BadReview as exc:
        return _bad_request(state, f"not an AdmissionReview the webhook can answer: {exc}")
    evaluator = state.policies.evaluator
    try:
        if evaluator is None:
            raise KfpolicyError("policies are not loaded")
        result = evaluator.evaluate(review.document)
    except Exception as exc:
        state.metrics.evaluation_errors.inc()
        log.error("evaluation failed for %s %s: %s", review.kind, review.uid, exc)
        answer = error_response(review.uid, str(exc) or type(exc).__name__, allow=state.on_error == "allow")
    else:
        state.metrics.record(review.kind, review.operation, result)
        answer = response_for(review.uid, result)
    state.metrics.latency.observe(time.perf_counter() - started)
    return web.Response(body=json.dumps(answer).encode(), content_type="application/json")


async def healthz(_request: web.Request) -> web.Response:
    return web.Response(text="ok\n")


async def readyz(request: web.Request) -> web.Response:
    reasons = request.app[STATE].not_ready()
    if reasons:
        return web.Response(status=503, text="not ready: " + "; ".join(reasons) + "\n")
    return web.Response(text="ready\n")


async def metrics(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if state.certificates.not_after is not None:
        state.metrics.certificate_expiry.set(state.certificates.not_after.timestamp())
    return web.Response(body=state.metrics.exposition(), headers={"Content-Type": state.metrics.content_type})


def make_app(state: ServerState) -> web.Application:
    # One byte over our own limit, so that aiohttp's check never answers first (with a 413).
    app = web.Application(client_max_size=state.limits.max_body_bytes + 1)
    app[STATE] = state
    app.router.add_post("/validate", validate)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app

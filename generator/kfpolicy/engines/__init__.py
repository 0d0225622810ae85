"""Engine backends behind one Protocol, in an explicit registry."""

from __future__ import annotations

from collections.abc import Callable

from kfpolicy.engines.base import UNDEFINED, Engine
from kfpolicy.engines.opa_golib import OpaGolibEngine
from kfpolicy.engines.regorus_engine import RegorusEngine, RegorusInterpreterEngine
from kfpolicy.errors import KfpolicyError


def _gatekeeper() -> Engine:
    # Imported on use: the Gatekeeper evaluator runs each template on the Rego engines above.
    from kfpolicy.gatekeeper.engine import GatekeeperEngine

    return GatekeeperEngine()


ENGINES: dict[str, Callable[[], Engine]] = {
    "embedded": RegorusEngine,
    "embedded-interpreter": RegorusInterpreterEngine,
    "opa": OpaGolibEngine,
    "gatekeeper": _gatekeeper,
}
# The engines that evaluate the portable rego/ tree, so any query and any profile (`all` included);
# `gatekeeper` evaluates the generated gatekeeper/ tree's constraints for a profile.
REGO_ENGINES = ("embedded", "embedded-interpreter", "opa")


def make_engine(name: str) -> Engine:
    try:
        factory = ENGINES[name]
    except KeyError:
        raise KfpolicyError(f"unknown engine {name!r} (choose from {', '.join(sorted(ENGINES))})") from None
    return factory()


__all__ = [
    "ENGINES",
    "REGO_ENGINES",
    "UNDEFINED",
    "Engine",
    "OpaGolibEngine",
    "RegorusEngine",
    "RegorusInterpreterEngine",
    "make_engine",
]

"""Engine backends behind one Protocol, in an explicit registry."""

from __future__ import annotations

from collections.abc import Callable

from kfpolicy.engines.base import UNDEFINED, Engine
from kfpolicy.engines.opa_golib import OpaGolibEngine
from kfpolicy.engines.regorus_engine import RegorusEngine, RegorusInterpreterEngine
from kfpolicy.errors import KfpolicyError

ENGINES: dict[str, Callable[[], Engine]] = {
    "embedded": RegorusEngine,
    "embedded-interpreter": RegorusInterpreterEngine,
    "opa": OpaGolibEngine,
}


def make_engine(name: str) -> Engine:
    try:
        factory = ENGINES[name]
    except KeyError:
        raise KfpolicyError(f"unknown engine {name!r} (choose from {', '.join(sorted(ENGINES))})") from None
    return factory()


__all__ = ["ENGINES", "UNDEFINED", "Engine", "OpaGolibEngine", "RegorusEngine", "RegorusInterpreterEngine", "make_engine"]

"""Two engines side by side: the embedded engine (compiled mode and interpreter) and real OPA, each
loaded once, their answers compared as canonical text; and the engines' versions."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.engines import UNDEFINED
from kfpolicy.errors import EngineError
from kfpolicy.runner import Evaluator

QUERIES = (
    "data.kubeflow.violation",
    "data.kubeflow.deny",
    "data.kubeflow.warn",
    "data.kubeflow.admission.response",
)


def canonical(value: Any) -> str:
    """A comparable text for a query result: sets come back as lists in engine order, so sort them."""
    if value is UNDEFINED:
        return "<undefined>"
    return json.dumps(_sorted(value), sort_keys=True, ensure_ascii=False)


def _sorted(value: Any) -> Any:
    """Sort lists (sets) recursively; compare numbers beyond 2^53 at float64 precision (the
    embedded engine returns them as float64, OPA exactly: the same number, written differently)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return float(value)
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)  # -0.0 and 3.0 come back as 0 and 3 from one engine, as written from the other
    if isinstance(value, list):
        items = [_sorted(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in value.items()}
    return value


@dataclass
class Outcome:
    query: str
    embedded: str  # the embedded engine as kfpolicy runs it: compiled where it can be
    opa: str
    error: str = ""
    interpreter: str = ""  # the embedded engine's interpreter, when it was asked too

    @property
    def agree(self) -> bool:
        return not self.error and self.embedded == self.opa and self.interpreter in ("", self.opa)


class EnginePair:
    """The embedded engine (compiled mode, and its interpreter) and real OPA, each loaded once for
    one profile. Entry points go to the compiled mode one rule path at a time, as kfpolicy sends
    them; the interpreter and OPA answer them together as one array query."""

    def __init__(
        self,
        cat: Catalogue,
        profile: str,
        inventory: Sequence[dict[str, Any]] = (),
        parameters: dict[str, dict[str, Any]] | None = None,
        modules: dict[str, str] | None = None,
    ) -> None:
        from kfpolicy.render.rego import render_rego

        modules = modules if modules is not None else render_rego(cat)
        self.profile = profile
        self.engines = {
            name: Evaluator(
                cat, profile=profile, engine=name, inventory=inventory, parameters=parameters, modules=modules
            )
            for name in ("embedded", "embedded-interpreter", "opa")
        }
        self.embedded, self.opa = self.engines["embedded"], self.engines["opa"]
        self.interpreter = self.engines["embedded-interpreter"]
        self.embedded.engine.compile_after = 0  # type: ignore[attr-defined]  # every input through the compiled mode

    def compiled_fallbacks(self) -> dict[str, int]:
        """Inputs the compiled mode handed to the interpreter for a reason other than its fixed
        instruction limit (see kfpolicy.engines.regorus_engine): each one is a finding."""
        counts = self.embedded.engine.fallbacks  # type: ignore[attr-defined]
        return {reason: n for reason, n in counts.items() if reason != "instruction-limit"}

    def _answer(self, name: str, query: str, rego_input: Any) -> tuple[str, str]:
        try:
            return canonical(self.engines[name].query(query, rego_input)), ""
        except EngineError as exc:
            return "<error>", f"{name}: {exc}"

    def run(self, query: str, rego_input: Any) -> Outcome:
        (embedded, e1), (interp, e2), (opa, e3) = (self._answer(n, query, rego_input) for n in self.engines)
        return Outcome(query, embedded, opa, "; ".join(e for e in (e1, e2, e3) if e), interp)

    def check(self, rego_input: Any, queries: Sequence[str] = QUERIES) -> Iterator[Outcome]:
        """One Outcome per query. The interpreter and OPA get the queries as one array query (one
        evaluation each), compared element by element; on an error each query runs alone."""
        if len(queries) == 1:
            yield self.run(queries[0], rego_input)
            return
        query = "[" + ", ".join(queries) + "]"
        raws: dict[str, Any] = {}
        for name in ("embedded-interpreter", "opa"):
            try:
                raws[name] = self.engines[name].query(query, rego_input)
            except EngineError:
                break
        if len(raws) < 2 or any(r is UNDEFINED for r in raws.values()):
            for q in queries:  # say which query fails
                yield self.run(q, rego_input)
            return
        for i, q in enumerate(queries):
            compiled, error = self._answer("embedded", q, rego_input)
            yield Outcome(
                q, compiled, canonical(raws["opa"][i]), error, canonical(raws["embedded-interpreter"][i])
            )


def engine_versions() -> dict[str, str]:
    """The engines cross-checked: the embedded engine's wheel version, and the OPA module version
    compiled into opa-golib-python-bindings (read from the Go build information in its library)."""
    import importlib.metadata
    import importlib.util
    from pathlib import Path

    out = {"gordon-to-regorus": importlib.metadata.version("gordon-to-regorus")}
    try:
        out["opa-golib-python-bindings"] = importlib.metadata.version("opa-golib-python-bindings")
    except importlib.metadata.PackageNotFoundError:
        return out
    spec = importlib.util.find_spec("opa_bindings")
    if spec and spec.origin:
        lib = Path(spec.origin).parent / "libopabridge.so"
        if lib.is_file():
            m = re.search(rb"dep\tgithub\.com/open-policy-agent/opa\t(v[0-9][^\t\n]*)", lib.read_bytes())
            if m:
                out["opa"] = m.group(1).decode()
    return out

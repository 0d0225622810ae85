"""Make modules safe and fast for regorus's compiled mode (Rvm): guard every `:=` in a body and
write imported names out in full.

Measured on gordon-to-regorus 0.13.0: in the compiled mode, `x := <something undefined>` (a
missing key, an undefined rule or function) binds x to an "undefined" marker instead of failing
the body, as OPA and the interpreter do. A following `x == x` fails on that marker and is true for
every defined value, so appending it after each assignment restores Rego's meaning without
changing the answer on any other engine.

A second difference has no such guard: when a body followed by `else` iterates (`some x in xs`)
and no iteration succeeds, the compiled mode leaves the rule undefined instead of taking the else.
Modules written that way are refused here (UnsupportedModule), and the engine interprets them.

The guards go only into the text the compiled mode runs; the shipped Rego is left as written.
Offsets come from regorus's own parser (byte offsets into each module).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import regorus

# Assignments of a constant are always defined and need no guard.
_CONSTANTS = frozenset({"String", "RawString", "Number", "Bool", "Null"})


def _var_nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every variable node ({"span": ..., "value": name}) in an AST fragment."""
    if isinstance(node, dict):
        var = node.get("Var")
        if isinstance(var, dict) and isinstance(var.get("value"), str):
            yield var
        for value in node.values():
            yield from _var_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _var_nodes(value)


def _assignments(node: Any) -> Iterator[tuple[int, list[str]]]:
    """(end offset, assigned variables) of every `:=` statement in rule bodies and comprehensions."""
    if isinstance(node, dict):
        stmts = node.get("stmts")
        if isinstance(stmts, list):
            for stmt in stmts:
                expr = stmt.get("literal", {}).get("Expr", {}).get("expr") if isinstance(stmt, dict) else None
                assign = expr.get("AssignExpr") if isinstance(expr, dict) else None
                if not isinstance(assign, dict) or assign.get("op") != "ColEq":
                    continue
                if next(iter(assign.get("rhs") or {"": None})) in _CONSTANTS:
                    continue
                names = sorted({var["value"] for var in _var_nodes(assign.get("lhs"))} - {"_"})
                if names:
                    yield assign["span"]["end"], names
        for value in node.values():
            yield from _assignments(value)
    elif isinstance(node, list):
        for value in node:
            yield from _assignments(value)


class UnsupportedModule(Exception):
    """A module the compiled mode would evaluate differently from OPA."""


def iterating_else_bodies(module_ast: Any) -> Iterator[int]:
    """Line numbers of bodies that iterate and are followed by an `else` (see the module docstring)."""
    for rule in module_ast.get("rules", []):
        spec = rule.get("Spec") if isinstance(rule, dict) else None
        bodies = spec.get("bodies", []) if isinstance(spec, dict) else []
        for body in bodies[:-1]:
            stmts = (body.get("query") or {}).get("stmts") or []
            if any({"SomeIn", "SomeVars", "Every"} & set(stmt.get("literal", {})) for stmt in stmts):
                yield stmts[0]["span"]["line"]


def parse(path: str, text: str) -> Any:
    """regorus's AST of one module (as its get_ast_as_json gives it)."""
    parser = regorus.Engine()
    parser.add_policy(path, text)
    [module] = json.loads(parser.get_ast_as_json())
    return module["ast"]


def _imports(module_ast: Any, raw: bytes) -> dict[str, str]:
    """{alias: full path} of the module's `import data....` lines."""
    out = {}
    for imp in module_ast.get("imports", []):
        span = next(iter(imp["refr"].values()))["span"]
        path = raw[span["start"]:span["end"]].decode("utf-8")
        if not path.startswith("data."):
            continue
        alias = imp.get("as")
        name = raw[alias["start"]:alias["end"]].decode("utf-8") if alias else path.rsplit(".", 1)[1]
        out[name] = path
    return out


def _alias_uses(node: Any, aliases: Mapping[str, str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, full path) of every use of an import alias."""
    for var in _var_nodes(node):
        if var["value"] in aliases:
            yield var["span"]["start"], var["span"]["end"], aliases[var["value"]]


def guard_module(path: str, text: str) -> str:
    """The module as the compiled mode should run it: `; x == x` after every non-constant
    `x := ...` in a body, and imported names written out in full (`core.spec` becomes
    `data.lib.kubeflow.core.spec`: through an alias the compiled mode evaluates the whole
    imported package, several times slower)."""
    module = parse(path, text)
    lines = list(iterating_else_bodies(module))
    if lines:
        raise UnsupportedModule(f"{path}:{lines[0]}: a body that iterates is followed by else")
    raw = text.encode("utf-8")
    edits: list[tuple[int, int, bytes]] = []  # (start, end, replacement)
    for end, names in _assignments(module["rules"]):
        # A string literal's span stops before its closing quote; no token can follow an
        # expression directly with a quote, so a quote here closes the assignment.
        if raw[end:end + 1] in (b'"', b"`"):
            end += 1
        edits.append((end, end, "".join(f"; {name} == {name}" for name in names).encode("utf-8")))
    for start, end, full in _alias_uses(module["rules"], _imports(module, raw)):
        edits.append((start, end, full.encode("utf-8")))
    for start, end, replacement in sorted(edits, reverse=True):
        raw = raw[:start] + replacement + raw[end:]
    guarded = raw.decode("utf-8")
    regorus.Engine().add_policy(path, guarded)  # still parses, or this raises
    return guarded


def guard_modules(modules: Mapping[str, str]) -> list[tuple[str, str]]:
    return [(path, guard_module(path, text)) for path, text in sorted(modules.items())]

"""What a Rego module declares and references, read from the parser's syntax tree (regorus's
get_ast_as_json), never by searching its text: comments and strings cannot fool it."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import regorus

from kfpolicy.errors import CatalogueError


@dataclass(frozen=True)
class ModuleFacts:
    package: str  # without the leading "data."
    imports: tuple[str, ...]  # full paths, e.g. "data.lib.kubeflow.core", "future.keywords.if"
    data_refs: frozenset[str]  # every data.<x>.<y>... reference (and its prefixes), imports included
    rule_names: frozenset[str]  # names of the rules (and functions) the module defines
    # Lines with a data.lib reference that is neither an import nor the whole value of a rule
    # (`x := data.lib.a.b`): Gatekeeper's rewriting of lib paths misses such references.
    inner_lib_refs: tuple[int, ...] = ()


def _path(node: Any) -> list[str] | None:
    """A reference as its segments (["data", "lib", "x"]), or None for anything but var.field chains."""
    if not isinstance(node, dict):
        return None
    if "Var" in node:
        return [str(node["Var"]["value"])]
    dot = node.get("RefDot")
    if isinstance(dot, dict):
        head = _path(dot.get("refr"))
        field = dot.get("field")
        if head is None or not isinstance(field, list) or len(field) != 2:
            return None
        return [*head, str(field[1])]
    brack = node.get("RefBrack")
    if isinstance(brack, dict):
        head = _path(brack.get("refr"))
        index = brack.get("index")
        if head is not None and isinstance(index, dict) and "String" in index:
            return [*head, str(index["String"]["value"])]
        return head
    return None


def _nodes(tree: Any) -> Iterator[dict[str, Any]]:
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from _nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _nodes(value)


def _data_refs(tree: Any) -> frozenset[str]:
    refs: set[str] = set()
    for node in _nodes(tree):
        if "RefDot" in node or "RefBrack" in node:
            path = _path(node)
            if path and path[0] == "data" and len(path) > 1:
                refs.add(".".join(path))
    return frozenset(refs)


def _inner_lib_refs(rules: Any) -> tuple[int, ...]:
    """See ModuleFacts.inner_lib_refs. Gatekeeper rewrites import paths and the terms it visits
    first; a reference nested in another term (`some v in data.lib.x`, `f([data.lib.x])`) keeps
    its path and finds nothing once the libs have moved."""
    whole_values = set()
    for rule in rules:
        head = (rule.get("Spec") or {}).get("head") or {} if isinstance(rule, dict) else {}
        assign = (head.get("Compr") or {}).get("assign") if isinstance(head, dict) else None
        if isinstance(assign, dict):
            whole_values.add(id(assign.get("value")))
    lines: set[int] = set()

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for value in node:
                visit(value)
            return
        if not isinstance(node, dict):
            return
        path = _path(node) if ("RefDot" in node or "RefBrack" in node) else None
        if path and path[:2] == ["data", "lib"]:
            if id(node) not in whole_values:
                span = next(iter(node.values()))["span"]
                lines.add(int(span["line"]))
            return
        for value in node.values():
            visit(value)

    visit(rules)
    return tuple(sorted(lines))


def _rule_name(rule: Any) -> str | None:
    for node in _nodes(rule):
        refr = node.get("refr")
        if "head" in node or refr is None:
            continue
        path = _path(refr)
        if path:
            return path[0]
    return None


_LOCATION = re.compile(r"-->\s*(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+)")


def engine_message(exc: Exception) -> str:
    """What regorus says went wrong, on one line, without its locations and Rust backtrace."""
    text = str(exc).split("Stack backtrace:")[0]
    lines = [ln.strip() for ln in text.splitlines()]
    said = [ln.removeprefix("error:").strip() for ln in lines if ln.startswith("error:")]
    said = [s.removeprefix("Compilation error:").strip() for s in said]
    said = [s for s in said if s]
    return said[-1] if said else " ".join(text.split())


def parse_error(where: str, exc: Exception) -> CatalogueError:
    """A syntax error as one line naming `where` and the line regorus points at."""
    found = _LOCATION.search(str(exc))
    place = f"{where}:{found['line']}" if found else where
    return CatalogueError(f"{place}: Rego does not parse: {engine_message(exc)}")


@functools.lru_cache(maxsize=1024)
def module_facts(text: str, where: str = "module.rego", rego_v0: bool = False) -> ModuleFacts:
    """Parse one module; a syntax error is a CatalogueError naming `where`."""
    engine = regorus.Engine()
    engine.set_rego_v0(rego_v0)
    try:
        engine.add_policy(where, text)
    except RuntimeError as exc:
        raise parse_error(where, exc) from None
    ast = json.loads(engine.get_ast_as_json())[0]["ast"]
    package = _path(ast["package"]["refr"]) or []
    imports = tuple(".".join(_path(i["refr"]) or []) for i in ast.get("imports", []))
    names = {n for n in (_rule_name(r) for r in ast.get("rules", [])) if n}
    return ModuleFacts(
        package=".".join(package),
        imports=imports,
        data_refs=_data_refs(ast),
        rule_names=frozenset(names),
        inner_lib_refs=_inner_lib_refs(ast.get("rules", [])),
    )


def data_roots(facts: ModuleFacts) -> set[str]:
    """The first segment of every data.<x> reference."""
    return {ref.split(".")[1] for ref in facts.data_refs}

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


def _rule_name(rule: Any) -> str | None:
    for node in _nodes(rule):
        refr = node.get("refr")
        if "head" in node or refr is None:
            continue
        path = _path(refr)
        if path:
            return path[0]
    return None


_LINE = re.compile(r"-->\s*[^\s:]+:(?P<line>\d+):\d+")


def parse_error(where: str, engine_text: str) -> str:
    """`file:line: Rego does not parse: <what>`, without the engine's source excerpt and backtrace."""
    text = engine_text.split("Stack backtrace:")[0]
    found = _LINE.search(text)
    lines = [ln.strip() for ln in text.splitlines()]
    said = [ln.removeprefix("error:").strip() for ln in lines if ln.startswith("error:")]
    place = f"{where}:{found['line']}" if found else where
    return f"{place}: Rego does not parse: {said[-1] if said else ' '.join(text.split())}"


@functools.lru_cache(maxsize=1024)
def module_facts(text: str, where: str = "module.rego", rego_v0: bool = False) -> ModuleFacts:
    """Parse one module; a syntax error is a CatalogueError naming `where`."""
    engine = regorus.Engine()
    engine.set_rego_v0(rego_v0)
    try:
        engine.add_policy(where, text)
    except RuntimeError as exc:
        raise CatalogueError(parse_error(where, str(exc))) from None
    ast = json.loads(engine.get_ast_as_json())[0]["ast"]
    package = _path(ast["package"]["refr"]) or []
    imports = tuple(".".join(_path(i["refr"]) or []) for i in ast.get("imports", []))
    names = {n for n in (_rule_name(r) for r in ast.get("rules", [])) if n}
    return ModuleFacts(
        package=".".join(package),
        imports=imports,
        data_refs=_data_refs(ast),
        rule_names=frozenset(names),
    )


def data_roots(facts: ModuleFacts) -> set[str]:
    """The first segment of every data.<x> reference."""
    return {ref.split(".")[1] for ref in facts.data_refs}

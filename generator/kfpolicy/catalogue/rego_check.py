"""Users' Rego checked when their catalogue loads, before anything is generated or evaluated.

- Each module must parse: the error names the user's own file and line.
- No rule or function may depend on itself: OPA refuses recursion at compile time, while the
  embedded engine recurses until it crashes the process.
- The rule set must load and compile on the embedded engine, in both of its modes (the
  interpreter, and the compiled program kfpolicy runs by default); errors are mapped back to the
  user's file and line where the rendered module holds the user's text.

OPA itself is not a run-time dependency, so it is not asked here; the tests hold the engines to
the same answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import regorus

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.errors import CatalogueError

_LOCATION = re.compile(r"-->\s*(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+)")


def _message(exc: Exception) -> str:
    """What regorus says went wrong, on one line, without its locations and Rust backtrace."""
    text = str(exc).split("Stack backtrace:")[0]
    lines = [ln.strip() for ln in text.splitlines()]
    said = [ln.removeprefix("error:").strip() for ln in lines if ln.startswith("error:")]
    said = [s.removeprefix("Compilation error:").strip() for s in said]
    said = [s for s in said if s]
    return said[-1] if said else " ".join(text.split())


def check_parses(path: Path, text: str) -> None:
    """The module parses on the embedded engine; the error names path:line."""
    try:
        regorus.Engine().add_policy(str(path), text)
    except RuntimeError as exc:
        found = _LOCATION.search(str(exc))
        where = f"{path}:{found['line']}" if found else str(path)
        raise CatalogueError(f"{where}: Rego does not parse: {_message(exc)}") from None


def _walk(node: Any) -> Iterator[Any]:
    stack = [node]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            yield value
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _rule_name(head: Mapping[str, Any]) -> tuple[str, int] | None:
    """The name a rule head defines (its first reference part) and its line."""
    for shape in head.values():
        ref = shape.get("refr") if isinstance(shape, dict) else None
        while isinstance(ref, dict):
            if "Var" in ref:
                return str(ref["Var"]["value"]), int(ref["Var"]["span"]["line"])
            inner = next(iter(ref.values()))
            ref = inner.get("refr") if isinstance(inner, dict) else None
    return None


def _dependencies(module: Mapping[str, Any]) -> dict[str, tuple[int, set[str]]]:
    """For every rule of a module: its line, and the names of the module's rules it refers to."""
    rules: dict[str, tuple[int, set[str]]] = {}
    bodies: list[tuple[str, Any]] = []
    for rule in module.get("rules", []):
        spec = rule.get("Spec") if isinstance(rule, dict) else None
        if not isinstance(spec, dict):
            continue
        named = _rule_name(spec.get("head", {}))
        if named is None:
            continue
        name, line = named
        rules.setdefault(name, (line, set()))
        bodies.append((name, spec))
    for name, spec in bodies:
        mentions = [str(n["Var"]["value"]) for n in _walk(spec) if isinstance(n.get("Var"), dict)]
        used = set(mentions) & rules.keys()
        if mentions.count(name) <= 1:  # only the head's own name
            used.discard(name)
        rules[name][1].update(used)
    return rules


def _cycle(graph: Mapping[str, tuple[int, set[str]]]) -> list[str] | None:
    """A dependency cycle, as the names along it, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for start in sorted(graph):
        if state.get(start):
            continue
        path = [start]
        pending = [iter(sorted(graph[start][1]))]
        state[start] = 1
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                pending.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                pending.append(iter(sorted(graph[nxt][1])))
    return None


def check_not_recursive(path: Path, text: str) -> None:
    """No rule or function of the module refers to itself, directly or through others."""
    engine = regorus.Engine()
    engine.add_policy(str(path), text)
    for module in json.loads(engine.get_ast_as_json()):
        graph = _dependencies(module.get("ast", {}))
        cycle = _cycle(graph)
        if cycle:
            line = graph[cycle[0]][0]
            raise CatalogueError(
                f"{path}:{line}: rule {cycle[0]} is recursive ({' -> '.join(cycle)}); Rego does not allow "
                "recursion (OPA refuses it, and the embedded engine would crash on it)"
            )


def _user_location(message: str, rendered: Mapping[str, str], sources: Mapping[str, tuple[Path, str]]) -> str:
    """`file:line` of an engine error in the user's own file, where the rendered module holds it."""
    found = _LOCATION.search(message)
    if not found or found["file"] not in sources:
        return ""
    path, text = sources[found["file"]]
    start = rendered[found["file"]].find(text.rstrip("\n"))
    if start < 0:
        return f"{path}: "
    line = int(found["line"]) - rendered[found["file"]][:start].count("\n")
    return f"{path}:{line}: "


# The compiled mode declines some Rego the interpreter runs (`walk`, `with`): kfpolicy then
# evaluates those rules on the interpreter, so such a refusal is no error.
_COMPILER_DECLINES = re.compile(r"not (yet )?supported")


def check_compiles(
    modules: Mapping[str, str], sources: Mapping[str, tuple[Path, str]], entry_points: list[str]
) -> None:
    """The rendered modules load on the interpreter and the entry points compile (without being
    evaluated: a slow rule must not stall loading). `sources` maps a rendered path to the user's
    file and text."""
    try:
        engine = regorus.Engine()
        for name, text in sorted(modules.items()):
            engine.add_policy(name, text)
        regorus.Program.compile_from_modules("{}", sorted(modules.items()), entry_points)
    except RuntimeError as exc:
        if _COMPILER_DECLINES.search(str(exc).split("Stack backtrace:")[0]):
            return
        where = _user_location(str(exc), modules, sources)
        what = _message(exc)
        raise CatalogueError(f"{where}Rego does not compile on the embedded engine: {what}") from None


def check_user_rego(rules: Mapping[str, tuple[Path, str]], library: Mapping[str, tuple[Path, str]],
                    modules: Mapping[str, str]) -> None:
    """Every check above for users' rules ({rule package: (file, text)}) and library files, given
    the whole rendered module set."""
    for path, text in [*rules.values(), *library.values()]:
        check_parses(path, text)
        check_not_recursive(path, text)
    sources = {
        name: source
        for name, rendered in modules.items()
        for source in rules.values()
        if source[1].strip() and source[1].rstrip("\n") in rendered
    }
    if rules:  # a folder of kinds or library files alone has no entry point of its own to compile
        check_compiles(modules, sources, [f"data.{package}.violation" for package in sorted(rules)])


def check_user_catalogue(cat: Catalogue, user_folders: Sequence[Path]) -> None:
    """The checks for the rules and library files that come from users' folders."""
    from kfpolicy.render.rego import render_rego

    def is_users(path: Path) -> bool:
        return any(path.resolve().is_relative_to(folder.resolve()) for folder in user_folders)

    users = [r for r in cat.rules.values() if is_users(r.directory)]
    rules = {r.package: (r.directory / "rule.rego", r.rego) for r in users}
    library = {
        str(path): (path, path.read_text(encoding="utf-8"))
        for folder in user_folders
        for path in sorted((folder / "lib").rglob("*.rego"))
    }
    check_user_rego(rules, library, render_rego(cat))

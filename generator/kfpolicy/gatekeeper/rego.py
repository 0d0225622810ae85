"""A template's Rego: the main module (Gatekeeper's `violation` contract over the rule's package,
from a Jinja2 template) and the libs it needs, found from the modules' syntax trees."""

from __future__ import annotations

from collections.abc import Mapping

from kfpolicy.catalogue.model import Catalogue, Rule
from kfpolicy.gatekeeper.names import YIELDS_PARAM, template_name
from kfpolicy.rego_facts import module_facts
from kfpolicy.render.common import header
from kfpolicy.render.rego import library_modules, rule_module
from kfpolicy.render.templating import render_template

PARAMETERS_PACKAGE = "lib.kubeflow.parameters"


def main_module(cat: Catalogue, rule: Rule) -> str:
    """The template's `rego`: Gatekeeper's `violation` contract over the rule's package (a lib)."""
    return render_template(
        "gatekeeper/main.rego.j2",
        header=header("#", f"catalogue/rules/{rule.id}/rule.yaml"),
        package=template_name(rule.id),
        rule=rule,
        yields=[cat.rules[r] for r in rule.yields_to],
        yields_param=YIELDS_PARAM,
        yields_defaults={r: {} for r in rule.yields_to},
    )


def parameters_module(cat: Catalogue, rule: Rule) -> str:
    """The template's own lib.kubeflow.parameters: input.parameters over the catalogue defaults."""
    rules = [rule, *(cat.rules[r] for r in rule.yields_to)]
    return render_template(
        "gatekeeper/parameters.rego.j2",
        header=header("#", f"catalogue/rules/{rule.id}/rule.yaml"),
        rule_id=rule.id,
        yields_param=YIELDS_PARAM,
        defaults={r.id: r.default_parameters for r in rules},
    )


def _package_for(ref: str, packages: Mapping[str, str]) -> str | None:
    """The longest package that a data reference (data.a.b.c) falls in."""
    parts = ref.split(".")[1:]
    for n in range(len(parts), 0, -1):
        package = ".".join(parts[:n])
        if package in packages:
            return package
    return None


def template_libs(cat: Catalogue, rule: Rule, main: str) -> list[str]:
    """The modules the main module needs, transitively, read from their syntax trees: the rule,
    the rules it yields to, the library modules they import (with Gatekeeper's parameter module)."""
    modules = {module_facts(text).package: text for text in library_modules(cat).values()}
    modules[PARAMETERS_PACKAGE] = parameters_module(cat, rule)
    modules.update({r.package: rule_module(r) for r in [rule, *(cat.rules[y] for y in rule.yields_to)]})
    needed: set[str] = set()
    queue = [main]
    while queue:
        facts = module_facts(queue.pop())
        for ref in sorted(facts.data_refs | {i for i in facts.imports if i.startswith("data.")}):
            package = _package_for(ref, modules)
            if package is not None and package not in needed:
                needed.add(package)
                queue.append(modules[package])
    return [modules[p] for p in sorted(needed)]


def for_yaml(rego: str) -> str:
    """Rego as it sits in YAML: leading tabs become two spaces, so the block literal style applies."""
    lines = []
    for line in rego.split("\n"):
        stripped = line.lstrip("\t")
        lines.append("  " * (len(line) - len(stripped)) + stripped.rstrip(" "))
    return "\n".join(lines)

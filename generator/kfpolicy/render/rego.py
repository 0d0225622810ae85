"""Render the portable Rego tree (rego/): library, kind table, rules, config and entry points.

The same modules serve `opa eval`, conftest, the OPA bundle and kfpolicy's own engines. See the
portable dialect in DESIGN.md: future.keywords imports, no rego.metadata, guarded builtins.
"""

from __future__ import annotations

import textwrap
from typing import Any

import yaml

from kfpolicy.catalogue.model import ERROR_TEXT, Catalogue, Rule
from kfpolicy.render.common import header, rego_line, rego_literal
from kfpolicy.render.profile_data import profile_rules
from kfpolicy.render.templating import render_template


def library_modules(cat: Catalogue) -> dict[str, str]:
    """The hand-written library plus the generated kind table, keyed by path under rego/lib/."""
    out = {name: header("#", f"catalogue/lib/{name}") + "\n" + text for name, text in cat.library.items()}
    table = {kid: k.to_rego() for kid, k in sorted(cat.kinds.items())}
    index: dict[str, dict[str, str]] = {}
    for kid, k in sorted(cat.kinds.items()):
        for version in k.versions:
            index.setdefault(f"{k.group}/{version}", {})[k.kind] = kid
    out["kubeflow/errors.rego"] = render_template(
        "rego/errors.rego.j2", header=header("#", "kfpolicy/catalogue/model.py (ERROR_TEXT)"), text=ERROR_TEXT
    )
    out["kubeflow/kinds.rego"] = render_template(
        "rego/kinds.rego.j2", header=header("#", "catalogue/kinds.yaml"), table=table, index=index
    )
    return out


def rule_metadata(rule: Rule) -> list[str]:
    """The rule's `# METADATA` annotation (YAML lines) from its rule.yaml: title and description have
    one source, and tooling and readers still find them beside the Rego."""
    title = yaml.safe_dump({"title": rule.title}, width=1000, allow_unicode=True).rstrip("\n")
    wrapped = textwrap.wrap(rule.description, 94, break_long_words=False, break_on_hyphens=False)
    return [title, "description: >-", *("  " + line for line in wrapped)]


def rule_module(rule: Rule) -> str:
    """Header, the metadata annotation from rule.yaml, and the rule's rule.rego as written (it reads its
    parameters through the library: nothing is injected)."""
    return render_template(
        "rego/rule.rego.j2",
        header=header("#", f"catalogue/rules/{rule.id}/"),
        metadata=rule_metadata(rule),
        body=rule.rego.rstrip("\n"),
    )


def _rule_ids(rule_ids: list[str]) -> list[str]:
    """Rule ids as Rego list or set items (the template packs them several to a line)."""
    return [rego_literal(rule_id) + "," for rule_id in rule_ids]


def rules_table(rules: list[Rule]) -> dict[str, list[str]]:
    """{kind id or group: [rule ids]}: the rules that name a kind or group in rule.yaml, on some operation
    (the kind table gives each kind's groups, so a new kind in a group needs no new entry here)."""
    table: dict[str, list[str]] = {}
    for rule in rules:
        for name in sorted(rule.named_kinds):
            table.setdefault(name, []).append(rule.id)
    return dict(sorted(table.items()))


def skipped_table(rules: list[Rule]) -> dict[str, list[str]]:
    """{operation: [rule ids]}: for every operation some rule runs on, the rules that do not."""
    operations = sorted({operation for rule in rules for operation in rule.operations})
    return {op: [rule.id for rule in rules if op not in rule.operations] for op in operations}


# What a setting in data.kubeflow.rules means when it leaves a field out (config.rego reads it so).
SETTING_DEFAULTS: dict[str, Any] = {"enforcement": "deny", "parameters": {}}


def default_profile_items(cat: Catalogue) -> list[str]:
    """The default profile's settings as Rego object items, each naming only what differs from
    SETTING_DEFAULTS."""
    items = []
    for rule_id, setting in profile_rules(cat, cat.default_profile).items():
        differs = {key: value for key, value in setting.items() if SETTING_DEFAULTS.get(key) != value}
        items.append(f"{rego_literal(rule_id)}: {rego_line(differs)},")
    return items


def config_module(cat: Catalogue) -> str:
    """Static Rego that reads the profile data, the default profile's rules (used when no data is given)
    and the catalogue's facts: which rules apply to which kinds and operations, and which yield to which."""
    rules = cat.rules_sorted()
    return render_template(
        "rego/config.rego.j2",
        header=header("#", "catalogue/profiles.yaml and catalogue/rules/*/rule.yaml"),
        default_profile=cat.default_profile,
        setting_defaults=SETTING_DEFAULTS,
        default_rules=default_profile_items(cat),
        rules_for={name: _rule_ids(ids) for name, ids in rules_table(rules).items()},
        skipped_on={op: _rule_ids(ids) for op, ids in skipped_table(rules).items()},
        yields_to={r.id: list(r.yields_to) for r in rules if r.yields_to},
    )


# main.rego's own rules that a dispatch name ("_" + a label) must not take.
_MAIN_RULE_NAMES = {"raw", "found", "yielded"}


def api_group_of(cat: Catalogue, rule: Rule) -> str | None:
    """The API group of all the rule's kinds, or None when they span several."""
    groups = {cat.kinds[kind_id].group for kind_id in rule.kinds}
    return groups.pop() if len(groups) == 1 else None


def dispatch_names(cat: Catalogue) -> dict[str, str]:
    """{API group: the entry point's partial rule that collects the violations of the rules whose kinds
    are all of that group}. An evaluation then tries only the rule bodies of its object's API group
    (and of the rules that span groups): each body tried costs the compiled mode instructions, even
    for a rule that does not apply. Empty when every kind is of one API group (nothing to skip); a group
    no such rule names gets none (a partial rule without definitions would be undefined)."""
    if len({kind.group for kind in cat.kinds.values()}) < 2:
        return {}
    groups = sorted({group for rule in cat.rules_sorted() if (group := api_group_of(cat, rule)) is not None})
    first_labels = [group.split(".")[0] for group in groups]
    short = len(set(first_labels)) == len(groups) and not set(first_labels) & _MAIN_RULE_NAMES
    names = first_labels if short else groups
    return {
        group: "_" + name.replace(".", "_").replace("-", "_")
        for group, name in zip(groups, names, strict=True)
    }


def rule_heads(cat: Catalogue, dispatch: dict[str, str]) -> dict[str, str]:
    """{rule id: the partial rule its violations go into}: its API group's (dispatch_names) when all its
    kinds are of one group, else _raw itself."""
    heads = {}
    for rule in cat.rules_sorted():
        group = api_group_of(cat, rule)
        heads[rule.id] = "_raw" if group is None else dispatch.get(group, "_raw")
    return heads


def main_module(cat: Catalogue) -> str:
    dispatch = dispatch_names(cat)
    return render_template(
        "rego/main.rego.j2",
        header=header("#", "catalogue/"),
        rules=cat.rules_sorted(),
        dispatch=dispatch,
        heads=rule_heads(cat, dispatch),
    )


def admission_module() -> str:
    return render_template("rego/admission.rego.j2", header=header("#", "kfpolicy"))


def render_rego(cat: Catalogue) -> dict[str, str]:
    """All portable Rego modules, keyed by path relative to the repository (under rego/)."""
    files = {f"rego/lib/{name}": text for name, text in library_modules(cat).items()}
    for rule in cat.rules_sorted():
        files[f"rego/rules/{rule.snake_id}.rego"] = rule_module(rule)
    files["rego/kubeflow/config.rego"] = config_module(cat)
    files["rego/kubeflow/main.rego"] = main_module(cat)
    files["rego/kubeflow/admission.rego"] = admission_module()
    return files

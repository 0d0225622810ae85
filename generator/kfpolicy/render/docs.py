"""Render docs/rules/: one page per rule and an index, from the catalogue only."""

from __future__ import annotations

import json

from kfpolicy.catalogue.model import Catalogue, Rule
from kfpolicy.render.common import header


def _profiles_of(cat: Catalogue, rule: Rule) -> str:
    names = [p for p in sorted(cat.profiles) if p != "all" and rule.id in cat.profiles[p].rules]
    return ", ".join(f"`{n}`" for n in names) or "none (opt-in)"


def rule_page(cat: Catalogue, rule: Rule) -> str:
    kinds = ", ".join(f"{cat.kinds[k].kind} (`{cat.kinds[k].api_versions[0]}`)" for k in rule.kinds)
    lines = [
        header("<!--", f"catalogue/rules/{rule.id}/rule.yaml").replace("\n", " -->\n", 2).rstrip("\n"),
        "",
        f"# `{rule.id}`: {rule.title}",
        "",
        rule.description,
        "",
        "| | |",
        "|---|---|",
        f"| Stage | `{rule.stage}` |",
        f"| Enforcement | `{rule.enforcement}` |",
        f"| Operations | {', '.join(rule.operations)} |",
        f"| Kinds | {kinds} |",
        f"| Profiles | {_profiles_of(cat, rule)} |",
        f"| Upstream | {', '.join(rule.upstream) or 'none (kfpolicy addition)'} |",
    ]
    if rule.yields_to:
        lines.append(
            f"| Silent where these report the same field | {', '.join(f'`{r}`' for r in rule.yields_to)} |"
        )
    if rule.rationale:
        lines += ["", "## Why", "", rule.rationale]
    props = rule.parameters_schema.get("properties", {})
    if props:
        lines += ["", "## Parameters", "", "| name | type | default | description |", "|---|---|---|---|"]
        for name, spec in sorted(props.items()):
            default = json.dumps(spec.get("default")) if "default" in spec else ""
            lines.append(
                f"| `{name}` | {spec.get('type', '')} | `{default}` | {spec.get('description', '')} |"
            )
    lines += ["", "## Examples", ""]
    for ex in rule.examples:
        if ex.allowed:
            lines.append(f"- `{ex.name}` ({ex.operation}): allowed")
        else:
            lines.append(f"- `{ex.name}` ({ex.operation}): denied with")
            for v in ex.violations:
                lines.append(f"  - `{v.msg or v.field + ' (' + v.type + ')'}`")
    return "\n".join(lines) + "\n"


def index_page(cat: Catalogue) -> str:
    lines = [
        header("<!--", "catalogue/").replace("\n", " -->\n", 2).rstrip("\n"),
        "",
        "# Rules",
        "",
        "| rule | title | stage | enforcement | profiles | upstream |",
        "|---|---|---|---|---|---|",
    ]
    for rule in cat.rules_sorted():
        lines.append(
            f"| [`{rule.id}`]({rule.id}.md) | {rule.title} | {rule.stage} | {rule.enforcement} "
            f"| {_profiles_of(cat, rule)} | {', '.join(rule.upstream)} |"
        )
    return "\n".join(lines) + "\n"


def render_docs(cat: Catalogue) -> dict[str, str]:
    files = {f"docs/rules/{r.id}.md": rule_page(cat, r) for r in cat.rules_sorted()}
    files["docs/rules/README.md"] = index_page(cat)
    return files

"""Kind groups: a rule names kinds or groups (e.g. `replica-jobs`), resolved here against kinds.yaml,
so that adding a framework is one kinds.yaml entry."""

from __future__ import annotations

import dataclasses

from kfpolicy.catalogue.model import InventoryKind, Kind, Rule
from kfpolicy.errors import CatalogueError


def resolve_kinds(rule: Rule, kinds: dict[str, Kind], inventory: dict[str, InventoryKind]) -> Rule:
    """The rule with the kind groups it names replaced by their member kinds (in kinds.yaml order),
    its `reads` checked against the inventory kinds."""
    where = rule.directory / "rule.yaml"
    resolved: list[str] = []
    for name in rule.kinds:
        members = [kid for kid, k in kinds.items() if name in k.groups]
        if name not in kinds and not members:
            known = sorted({*kinds, *(g for k in kinds.values() for g in k.groups)})
            raise CatalogueError(
                f"{where}: kinds: unknown kind {name!r} (known kinds and groups: {', '.join(known)})"
            )
        resolved.extend(kid for kid in ([name] if name in kinds else members) if kid not in resolved)
    for kind in rule.reads:
        if kind not in inventory:
            raise CatalogueError(
                f"{where}: reads: unknown kind {kind!r} (known: {', '.join(sorted(inventory))})"
            )
    return dataclasses.replace(rule, kinds=tuple(resolved), named_kinds=rule.kinds)

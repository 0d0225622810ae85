"""Frozen, validated catalogue objects. Everything after loading works on these, never on raw dicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OPERATIONS = ("CREATE", "UPDATE")
ENFORCEMENTS = ("deny", "warn")
STAGES = ("structure", "values", "resources", "cross-field", "schema", "status")
KIND_STATUSES = ("supported", "deprecated", "skipped")
# Kubernetes field.Error types and how messages print them ("<field>: Forbidden: ..."): the one table
# the Rego library (generated into rego/lib/kubeflow/errors.rego) and the gator suites read.
ERROR_TEXT = {
    "FieldValueRequired": "Required value",
    "FieldValueInvalid": "Invalid value",
    "FieldValueForbidden": "Forbidden",
    "FieldValueNotSupported": "Unsupported value",
    "FieldValueDuplicate": "Duplicate value",
    "FieldValueTooLong": "Too long",
    "FieldValueTooMany": "Too many",
    "InternalError": "Internal error",
}
ERROR_TYPES = (*ERROR_TEXT, "Warning", "Error")


@dataclass(frozen=True)
class Kind:
    """One job kind, once: how to recognise it and where its replica specs live."""

    id: str
    group: str
    versions: tuple[str, ...]
    kind: str
    status: str
    scope: str = "Namespaced"
    replica_specs: str | None = None
    container: str | None = None
    replica_types: tuple[str, ...] = ()
    description: str = ""
    groups: tuple[str, ...] = ()

    @property
    def api_versions(self) -> tuple[str, ...]:
        return tuple(f"{self.group}/{v}" for v in self.versions)

    def to_rego(self) -> dict[str, Any]:
        """The entry of the kind table the Rego library reads."""
        return {
            "group": self.group,
            "versions": list(self.versions),
            "kind": self.kind,
            "status": self.status,
            "scope": self.scope,
            "replica_specs": self.replica_specs or "",
            "container": self.container or "",
            "replica_types": list(self.replica_types),
            "groups": list(self.groups),
        }


@dataclass(frozen=True)
class ExpectedViolation:
    type: str
    field: str
    msg: str | None = None


@dataclass(frozen=True)
class Example:
    """An object a rule must allow (no violations) or deny (exactly these violations)."""

    name: str
    object: Any
    violations: tuple[ExpectedViolation, ...]
    operation: str = "CREATE"
    old_object: Any = None
    parameters: dict[str, Any] | None = None
    inventory: tuple[Any, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    description: str
    stage: str
    enforcement: str
    operations: tuple[str, ...]
    kinds: tuple[str, ...]  # kind ids, groups resolved (see kind_groups.resolve_kinds)
    profiles: tuple[str, ...]
    rego: str
    directory: Path
    rationale: str = ""
    upstream: tuple[str, ...] = ()
    yields_to: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()  # kinds of cluster objects the rule reads from data.inventory
    named_kinds: tuple[str, ...] = ()  # the kind ids and groups as rule.yaml names them
    parameters_schema: dict[str, Any] = field(default_factory=dict)
    examples: tuple[Example, ...] = ()

    @property
    def package(self) -> str:
        return "lib.kubeflow.rules." + self.snake_id

    @property
    def snake_id(self) -> str:
        return self.id.replace("-", "_")

    @property
    def default_parameters(self) -> dict[str, Any]:
        """Defaults come from the parameter schema only: one place."""
        props = self.parameters_schema.get("properties", {})
        return {name: spec["default"] for name, spec in sorted(props.items()) if "default" in spec}


@dataclass(frozen=True)
class InventoryKind:
    """A kind of cluster object rules may read from data.inventory."""

    kind: str
    group: str
    version: str


@dataclass(frozen=True)
class RuleSetting:
    enforcement: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    rules: dict[str, RuleSetting]


@dataclass(frozen=True)
class Catalogue:
    kinds: dict[str, Kind]
    rules: dict[str, Rule]
    profiles: dict[str, Profile]
    default_profile: str
    library: dict[str, str]
    sources: tuple[Path, ...]
    inventory: dict[str, InventoryKind] = field(default_factory=dict)

    def rules_sorted(self) -> list[Rule]:
        return [self.rules[k] for k in sorted(self.rules)]

    def kind_for(self, api_version: Any, kind: Any) -> Kind | None:
        for k in self.kinds.values():
            if k.kind == kind and api_version in k.api_versions:
                return k
        return None

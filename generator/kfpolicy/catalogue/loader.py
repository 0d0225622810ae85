"""Load catalogue folders (the built-in one plus users' own) into one validated Catalogue.

Every error names the file and the key, e.g. ``catalogue/rules/x/rule.yaml: examples[0].object: ...``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kfpolicy.catalogue.kind_groups import resolve_kinds
from kfpolicy.catalogue.model import (
    Catalogue,
    Example,
    ExpectedViolation,
    InventoryKind,
    Kind,
    Profile,
    Rule,
    RuleSetting,
)
from kfpolicy.catalogue.parameters import check_parameters, json_path
from kfpolicy.catalogue.schema import KINDS_SCHEMA, PROFILES_SCHEMA, RULE_SCHEMA
from kfpolicy.errors import CatalogueError
from kfpolicy.rego_facts import module_facts
from kfpolicy.yamlio import load_one

ALL_PROFILE = "all"


def default_catalogue_dir() -> Path:
    """The built-in catalogue, package data of kfpolicy (generator/kfpolicy/data/catalogue/ in the
    repository), found through importlib.resources so a wheel and an editable install both work."""
    folder = resources.files("kfpolicy") / "data" / "catalogue"
    if not isinstance(folder, Path):
        raise CatalogueError(f"{folder}: the built-in catalogue must be installed as files, "
                             "not in an archive")
    return folder


def _read_yaml(path: Path) -> Any:
    try:
        return load_one(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CatalogueError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: invalid YAML: {exc}") from None


def _validate(path: Path, data: Any, schema: dict[str, Any]) -> None:
    import jsonschema  # imported on use: a third of a second, and a cached catalogue needs none

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        err = errors[0]
        raise CatalogueError(f"{path}: {json_path(list(err.absolute_path))}: {err.message}")


def _load_kinds(path: Path) -> tuple[dict[str, Kind], dict[str, InventoryKind]]:
    raw = _read_yaml(path)
    _validate(path, raw, KINDS_SCHEMA)
    kinds: dict[str, Kind] = {}
    for kid, k in raw["kinds"].items():
        kinds[kid] = Kind(
            id=kid,
            group=k["group"],
            versions=tuple(k["versions"]),
            kind=k["kind"],
            status=k["status"],
            scope=k.get("scope", "Namespaced"),
            replica_specs=k.get("replica_specs"),
            container=k.get("container"),
            replica_types=tuple(k.get("replica_types", ())),
            description=k.get("description", ""),
            groups=tuple(k.get("groups", ())),
        )
    inventory = {
        name: InventoryKind(kind=name, group=i["group"], version=i["version"])
        for name, i in (raw.get("inventory") or {}).items()
    }
    return kinds, inventory


def _load_rule(rule_dir: Path) -> Rule:
    path = rule_dir / "rule.yaml"
    raw = _read_yaml(path)
    _validate(path, raw, RULE_SCHEMA)
    if raw["id"] != rule_dir.name:
        raise CatalogueError(f"{path}: id: {raw['id']!r} must equal the folder name {rule_dir.name!r}")
    rego_path = rule_dir / "rule.rego"
    try:
        rego = rego_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"{rego_path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"{rego_path}: not UTF-8 text (byte {exc.start})") from None
    expected_pkg = "lib.kubeflow.rules." + raw["id"].replace("-", "_")
    facts = module_facts(rego, str(rego_path))
    if facts.package != expected_pkg:
        raise CatalogueError(f"{rego_path}: package: must be `package {expected_pkg}`")
    if "rego.v1" in facts.imports:
        raise CatalogueError(
            f"{rego_path}: import rego.v1: Gatekeeper rejects it; use the future.keywords imports"
        )
    schema = raw.get("parameters") or {}
    examples = []
    for i, ex in enumerate(raw["examples"]):
        if ex.get("parameters") is not None and schema:
            check_parameters(f"{path}: examples[{i}]", schema, ex["parameters"])
        examples.append(
            Example(
                name=ex["name"],
                object=ex["object"],
                violations=tuple(
                    ExpectedViolation(v["type"], v["field"], v.get("msg")) for v in ex["violations"]
                ),
                operation=ex.get("operation", "CREATE"),
                old_object=ex.get("old_object"),
                parameters=ex.get("parameters"),
                inventory=tuple(ex.get("inventory", ())),
            )
        )
    names = [e.name for e in examples]
    if len(set(names)) != len(names):
        raise CatalogueError(f"{path}: examples: names must be unique")
    if not any(e.allowed for e in examples) or all(e.allowed for e in examples):
        raise CatalogueError(f"{path}: examples: need at least one allowed and one denied example")
    rule = Rule(
        id=raw["id"],
        title=raw["title"],
        description=raw["description"].strip(),
        rationale=raw.get("rationale", "").strip(),
        upstream=tuple(raw.get("upstream", ())),
        stage=raw["stage"],
        enforcement=raw["enforcement"],
        operations=tuple(raw["operations"]),
        kinds=tuple(raw["kinds"]),
        profiles=tuple(raw["profiles"]),
        yields_to=tuple(raw.get("yields_to", ())),
        reads=tuple(raw.get("reads", ())),
        parameters_schema=schema,
        examples=tuple(examples),
        rego=rego,
        directory=rule_dir,
    )
    if schema:
        check_parameters(f"{path}: defaults", schema, rule.default_parameters)
    return rule


def _load_library(lib_dir: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    if lib_dir.is_dir():
        for f in sorted(lib_dir.rglob("*.rego")):
            try:
                files[f.relative_to(lib_dir).as_posix()] = f.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CatalogueError(f"{f}: cannot read as UTF-8 text: {exc}") from None
    return files


def load_catalogue(dirs: Sequence[Path] | None = None, builtin: Path | None = None) -> Catalogue:
    """Load the built-in catalogue (or a repository's, `builtin`) followed by users' folders; later
    folders add, never replace. A catalogue loaded before from the same files is read back from the
    disk cache (catalogue.cache)."""
    from kfpolicy.catalogue.cache import cached_catalogue

    folders = [builtin or default_catalogue_dir(), *[Path(d) for d in (dirs or ())]]
    return cached_catalogue(folders, _load_catalogue)


def _load_catalogue(folders: Sequence[Path]) -> Catalogue:
    kinds: dict[str, Kind] = {}
    inventory: dict[str, InventoryKind] = {}
    rules: dict[str, Rule] = {}
    library: dict[str, str] = {}
    profile_raw: dict[str, dict[str, Any]] = {}
    default_profile = None
    seen: set[Path] = set()
    for folder in folders:
        resolved = folder.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        if not folder.is_dir():
            raise CatalogueError(f"{folder}: catalogue folder does not exist")
        if (folder / "kinds.yaml").exists():
            folder_kinds, folder_inventory = _load_kinds(folder / "kinds.yaml")
            for kid, k in folder_kinds.items():
                if kid in kinds:
                    raise CatalogueError(f"{folder / 'kinds.yaml'}: kinds.{kid}: duplicate kind id")
                kinds[kid] = k
            inventory.update(folder_inventory)
        rules_dir = folder / "rules"
        if rules_dir.is_dir():
            for rule_dir in sorted(p for p in rules_dir.iterdir() if p.is_dir()):
                if not (rule_dir / "rule.yaml").exists():
                    raise CatalogueError(f"{rule_dir}: rule folder without rule.yaml")
                rule = _load_rule(rule_dir)
                if rule.id in rules:
                    raise CatalogueError(
                        f"{rule_dir / 'rule.yaml'}: id: duplicate rule id {rule.id!r} "
                        f"(already in {rules[rule.id].directory})"
                    )
                rules[rule.id] = rule
        for name, text in _load_library(folder / "lib").items():
            if name in library:
                raise CatalogueError(f"{folder / 'lib' / name}: duplicate library file")
            library[name] = text
        if (folder / "profiles.yaml").exists():
            path = folder / "profiles.yaml"
            raw = _read_yaml(path)
            _validate(path, raw, PROFILES_SCHEMA)
            default_profile = raw.get("default", default_profile)
            for name, p in raw["profiles"].items():
                merged = profile_raw.setdefault(
                    name, {"description": p["description"], "overrides": {}, "src": path}
                )
                for rid, setting in (p.get("overrides") or {}).items():
                    merged["overrides"][rid] = {**merged["overrides"].get(rid, {}), **setting, "src": path}
    if not kinds:
        raise CatalogueError(f"{folders[0]}: kinds.yaml: no kinds defined")
    if ALL_PROFILE in profile_raw:
        raise CatalogueError(f"{profile_raw[ALL_PROFILE]['src']}: profiles.{ALL_PROFILE}: name is reserved")
    rules = {rid: resolve_kinds(rule, kinds, inventory) for rid, rule in rules.items()}
    profiles = _build_profiles(rules, kinds, profile_raw)
    if default_profile is None or default_profile not in profiles:
        raise CatalogueError(f"{folders[0] / 'profiles.yaml'}: default: unknown profile {default_profile!r}")
    cat = Catalogue(
        kinds=kinds,
        rules=rules,
        profiles=profiles,
        default_profile=default_profile,
        library=library,
        sources=tuple(folders),
        inventory=inventory,
    )
    if len(folders) > 1:
        from kfpolicy.catalogue.rego_check import check_user_catalogue

        check_user_catalogue(cat, folders[1:])
    return cat


def _build_profiles(
    rules: dict[str, Rule], kinds: dict[str, Kind], profile_raw: dict[str, dict[str, Any]]
) -> dict[str, Profile]:
    for rule in rules.values():
        where = rule.directory / "rule.yaml"
        for kid in rule.kinds:
            if kid not in kinds:
                raise CatalogueError(
                    f"{where}: kinds: unknown kind {kid!r} (known: {', '.join(sorted(kinds))})"
                )
        for pname in rule.profiles:
            if pname not in profile_raw:
                raise CatalogueError(f"{where}: profiles: unknown profile {pname!r}")
        for other in rule.yields_to:
            if other not in rules:
                raise CatalogueError(f"{where}: yields_to: unknown rule {other!r}")
    profiles: dict[str, Profile] = {}
    for name, raw in sorted(profile_raw.items()):
        settings: dict[str, RuleSetting] = {}
        for rule in sorted(rules.values(), key=lambda r: r.id):
            if name in rule.profiles:
                settings[rule.id] = RuleSetting(rule.enforcement, copy.deepcopy(rule.default_parameters))
        for rid, override in sorted(raw["overrides"].items()):
            key = f"{override['src']}: profiles.{name}.overrides.{rid}"
            if rid not in rules:
                raise CatalogueError(f"{key}: unknown rule")
            if rid not in settings:
                raise CatalogueError(
                    f"{key}: rule is not in this profile (add the profile to the rule's profiles)"
                )
            params = {**settings[rid].parameters, **override.get("parameters", {})}
            if rules[rid].parameters_schema:
                check_parameters(key, rules[rid].parameters_schema, params)
            elif override.get("parameters"):
                raise CatalogueError(f"{key}: parameters: the rule takes no parameters")
            settings[rid] = RuleSetting(override.get("enforcement", settings[rid].enforcement), params)
        profiles[name] = Profile(name=name, description=raw["description"].strip(), rules=settings)
    profiles[ALL_PROFILE] = Profile(
        name=ALL_PROFILE,
        description="Every rule in the catalogue with its default enforcement and parameters (for testing).",
        rules={r.id: RuleSetting(r.enforcement, copy.deepcopy(r.default_parameters)) for r in rules.values()},
    )
    return profiles

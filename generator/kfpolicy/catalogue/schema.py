"""JSON schemas for the catalogue files, declared once. Validation errors name the file and the key."""

from __future__ import annotations

from typing import Any

from kfpolicy.catalogue.model import ENFORCEMENTS, ERROR_TYPES, KIND_STATUSES, OPERATIONS, STAGES

ID_PATTERN = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$"

KINDS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kinds"],
    "properties": {
        "kinds": {
            "type": "object",
            "propertyNames": {"pattern": ID_PATTERN},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["group", "versions", "kind", "status"],
                "properties": {
                    "group": {"type": "string", "minLength": 1},
                    "groups": {
                        "type": "array",
                        "uniqueItems": True,
                        "items": {"type": "string", "pattern": ID_PATTERN},
                    },
                    "versions": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
                    "kind": {"type": "string", "pattern": "^[A-Z][A-Za-z0-9]*$"},
                    "status": {"enum": list(KIND_STATUSES)},
                    "scope": {"enum": ["Namespaced", "Cluster"]},
                    "replica_specs": {"type": "string", "minLength": 1},
                    "container": {"type": "string", "minLength": 1},
                    "replica_types": {"type": "array", "items": {"type": "string", "minLength": 1}},
                    "description": {"type": "string"},
                },
            },
        },
        "inventory": {
            "type": "object",
            "propertyNames": {"pattern": "^[A-Z][A-Za-z0-9]*$"},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["group", "version"],
                "properties": {"group": {"type": "string"}, "version": {"type": "string", "minLength": 1}},
            },
        },
    },
}

_VIOLATION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type", "field"],
    "properties": {
        "type": {"enum": list(ERROR_TYPES)},
        "field": {"type": "string"},
        "msg": {"type": "string"},
    },
}

_EXAMPLE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "object", "violations"],
    "properties": {
        "name": {"type": "string", "pattern": ID_PATTERN},
        "description": {"type": "string"},
        "operation": {"enum": list(OPERATIONS)},
        "object": {},
        "old_object": {},
        "parameters": {"type": "object"},
        "inventory": {"type": "array", "items": {"type": "object"}},
        "violations": {"type": "array", "items": _VIOLATION},
    },
}

RULE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "id",
        "title",
        "description",
        "stage",
        "enforcement",
        "operations",
        "kinds",
        "profiles",
        "examples",
    ],
    "properties": {
        "id": {"type": "string", "pattern": ID_PATTERN},
        "title": {"type": "string", "minLength": 1},
        "description": {"type": "string", "minLength": 1},
        "rationale": {"type": "string"},
        "upstream": {"type": "array", "items": {"type": "string"}},
        "stage": {"enum": list(STAGES)},
        "enforcement": {"enum": list(ENFORCEMENTS)},
        "operations": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": list(OPERATIONS)},
        },
        "kinds": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string"}},
        "profiles": {"type": "array", "uniqueItems": True, "items": {"type": "string"}},
        "reads": {
            "type": "array",
            "uniqueItems": True,
            "items": {"type": "string", "pattern": "^[A-Z][A-Za-z0-9]*$"},
        },
        "yields_to": {
            "type": "array",
            "uniqueItems": True,
            "items": {"type": "string", "pattern": ID_PATTERN},
        },
        "parameters": {
            "type": "object",
            "required": ["type", "properties"],
            "properties": {"type": {"const": "object"}, "properties": {"type": "object"}},
        },
        "examples": {"type": "array", "minItems": 2, "items": _EXAMPLE},
    },
}

_RULE_SETTING = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "enforcement": {"enum": list(ENFORCEMENTS)},
        "parameters": {"type": "object"},
    },
}

PROFILES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["profiles"],
    "properties": {
        "default": {"type": "string"},
        "profiles": {
            "type": "object",
            "propertyNames": {"pattern": ID_PATTERN},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["description"],
                "properties": {
                    "description": {"type": "string"},
                    "overrides": {
                        "type": "object",
                        "propertyNames": {"pattern": ID_PATTERN},
                        "additionalProperties": _RULE_SETTING,
                    },
                },
            },
        },
    },
}

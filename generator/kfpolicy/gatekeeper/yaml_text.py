"""YAML text of generated objects: stable, block-style, with strings a YAML 1.1 reader (Go) keeps as
strings."""

from __future__ import annotations

from typing import Any

import yaml

from kfpolicy.render.common import header


# libyaml's emitter when PyYAML has it: the same bytes as the pure-Python one on every generated
# file (checked), five times faster, which keeps `kfpolicy generate` under a second.
class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


_YAML11_WORDS = frozenset({"y", "Y", "n", "N", "=", "~"})
_DIGITS = "0123456789"
_NUMBER_CHARS = frozenset(_DIGITS + "_.:eE+-")


def _yaml11_non_string(value: str) -> bool:
    """Whether a YAML 1.1 reader (Go's) would take this plain scalar for a bool, null or number:
    y/n and friends, 0o17, 0x1F, and anything shaped like [+-][.]<digit><digits _.:eE+->."""
    if value in _YAML11_WORDS:
        return True
    if value[:2] in ("0o", "0x") and len(value) > 2:
        allowed = "01234567" if value[1] == "o" else _DIGITS + "abcdefABCDEF"
        return all(c in allowed for c in value[2:])
    rest = value[1:] if value[:1] in ("+", "-") else value
    rest = rest[1:] if rest[:1] == "." else rest
    return rest[:1] != "" and rest[0] in _DIGITS and all(c in _NUMBER_CHARS for c in rest[1:])


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if _yaml11_non_string(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def to_yaml(doc: Any) -> str:
    return yaml.dump(
        doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )


def yaml_file(source: str, *docs: Any) -> str:
    return header("#", source) + "".join(("---\n" if i else "") + to_yaml(d) for i, d in enumerate(docs))

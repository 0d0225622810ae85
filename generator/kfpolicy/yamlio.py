"""Strict, bounded YAML reading shared by the catalogue loader and the CLI's input reader.

PyYAML's SafeLoader accepts duplicate keys (the last one silently wins) and expands aliases
without limit ("billion laughs"). Kubernetes rejects duplicate keys, and so do we; aliases are
counted and a document that expands too many is refused before it can exhaust memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

MAX_ALIASES = 1000
MAX_EXPANDED_NODES = 2_000_000


class YamlLimitError(yaml.YAMLError):
    """A document uses more aliases than allowed."""


class _StrictComposer:
    """Limits aliases; mixed into a loader before its composer."""

    _alias_count = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):  # type: ignore[attr-defined]
            self._alias_count += 1
            if self._alias_count > MAX_ALIASES:
                event = self.peek_event()  # type: ignore[attr-defined]
                raise YamlLimitError(
                    f"more than {MAX_ALIASES} YAML aliases in one document (alias bomb?) "
                    f"at {event.start_mark}"
                )
        return super().compose_node(parent, index)  # type: ignore[misc]

    def compose_document(self) -> Any:
        self._alias_count = 0
        return super().compose_document()  # type: ignore[misc]


class _StrictConstructor:
    """Rejects duplicate mapping keys; mixed into a loader before its constructor."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
                try:
                    duplicate = key in seen
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        None, None, "unhashable mapping key", key_node.start_mark
                    ) from None
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc,no-any-return]


class _Strict(_StrictComposer, _StrictConstructor):
    """Both rules."""


class StrictLoader(_Strict, yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys and limits alias expansion (pure Python)."""


_CParser = getattr(getattr(yaml, "cyaml", None), "CParser", None)

if _CParser is not None:

    class FastStrictLoader(_Strict, yaml.composer.Composer, _CParser, yaml.constructor.SafeConstructor,  # type: ignore[valid-type,misc]
                           yaml.resolver.Resolver):
        """StrictLoader's rules with libyaml's scanner and parser (several times faster).

        Only the events come from libyaml: composing (alias counting, recursion limits), resolving
        and constructing (duplicate keys) are the same Python code as StrictLoader's, so documents
        load to the same values; syntax errors may be worded as libyaml words them.
        """

        def __init__(self, stream: Any) -> None:
            _CParser.__init__(self, stream)  # type: ignore[misc]
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    class AliasFreeLoader(
        _StrictConstructor, _CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver  # type: ignore[valid-type,misc]
    ):
        """For text that holds no `&` or `*` at all, so no anchors or aliases: libyaml composes too
        (faster again); duplicate keys are still refused by the same Python constructor."""

        def __init__(self, stream: Any) -> None:
            _CParser.__init__(self, stream)  # type: ignore[misc]
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    Loader: type = FastStrictLoader
    _AliasFree: type = AliasFreeLoader
else:  # PyYAML built without libyaml
    Loader = StrictLoader
    _AliasFree = StrictLoader


def _loader_for(text: str) -> type:
    """Text without `&` and `*` cannot hold an anchor or an alias, so it needs no alias counting."""
    return _AliasFree if "&" not in text and "*" not in text else Loader


# Kubernetes manifests keep timestamps and dates as strings; so do we (JSON has no date type).
for _tag in ("tag:yaml.org,2002:timestamp",):
    StrictLoader.yaml_constructors[_tag] = StrictLoader.yaml_constructors["tag:yaml.org,2002:str"]


def expanded_size(value: Any, limit: int = MAX_EXPANDED_NODES) -> int:
    """Count the nodes a document has once its aliases are expanded (as JSON would write it).

    Aliased values are shared Python objects, so their sizes are memoised by identity; the count
    stops as soon as it passes the limit.
    """
    memo: dict[int, int] = {}

    def size(v: Any) -> int:
        if isinstance(v, dict):
            children: Any = list(v.values())
        elif isinstance(v, list):
            children = v
        else:
            return 1
        key = id(v)
        if key in memo:
            return memo[key]
        memo[key] = limit + 1  # a cycle counts as too large
        total = 1
        for child in children:
            total += size(child)
            if total > limit:
                break
        memo[key] = total
        return total

    return size(value)


def _checked(doc: Any, mark: str) -> Any:
    if expanded_size(doc) > MAX_EXPANDED_NODES:
        raise YamlLimitError(
            f"document expands to more than {MAX_EXPANDED_NODES:,} values through aliases (alias bomb?){mark}"
        )
    return doc


def load_all(text: str) -> Iterator[Any]:
    """Yield each document of a YAML stream; raises yaml.YAMLError on the first bad one."""
    for doc in yaml.load_all(text, Loader=_loader_for(text)):
        yield _checked(doc, "")


def load_one(text: str) -> Any:
    return _checked(yaml.load(text, Loader=_loader_for(text)), "")

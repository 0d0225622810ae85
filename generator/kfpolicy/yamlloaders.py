"""Strict, bounded YAML reading shared by the catalogue loader and the CLI's input reader.

PyYAML's SafeLoader accepts duplicate keys (the last one silently wins), expands aliases without
limit ("billion laughs"), recurses once per nesting level (libyaml's composer overflows the C stack
on deep text: a segfault), converts integers of any length, and builds sets and ordered maps that
JSON cannot carry. Kubernetes reads none of that, and neither do we:
- duplicate keys are refused; aliases are counted, and a document that expands too far is refused;
- nesting deeper than MAX_DEPTH, and more than MAX_NODES values, are refused while composing,
  before any deep recursion or large allocation;
- integers are limited to MAX_INT_CHARS characters and to what a float64 holds (as the API server
  reads numbers);
- only the tags of the Kubernetes YAML subset (null, bool, int, float, str, seq, map, merge,
  timestamp read as a string) are accepted.
"""

from __future__ import annotations

from typing import Any, ClassVar

import yaml

MAX_ALIASES = 1000
MAX_EXPANDED_NODES = 2_000_000
MAX_DEPTH = 100
# Values (YAML nodes) in one document, counted while composing: a 32 MiB flow list of small
# values otherwise builds 16 million nodes (minutes, gigabytes) before any check could run.
MAX_NODES = 200_000
# An integer's text, sign and prefix included: a float64 holds at most 309 decimal digits.
MAX_INT_CHARS = 330
# The largest magnitude a float64 holds; larger numbers cannot reach a policy engine as numbers.
MAX_NUMBER = 2**1024
# Text whose nesting cannot exceed this goes to libyaml's (recursive, C) composer.
FAST_PATH_DEPTH = 400
_UNSUPPORTED_TAGS = ("set", "omap", "pairs", "binary")


class YamlLimitError(yaml.MarkedYAMLError):
    """A document passes one of the limits above."""

    def __init__(self, problem: str, mark: yaml.Mark | None = None) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class _StrictComposer:
    """Limits aliases and nesting depth; mixed into a loader before its composer."""

    _alias_count = 0
    _depth = 0
    _nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):  # type: ignore[attr-defined]
            self._alias_count += 1
            if self._alias_count > MAX_ALIASES:
                raise YamlLimitError(
                    f"more than {MAX_ALIASES} YAML aliases in one document (alias bomb?)", self._mark()
                )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise YamlLimitError(f"more than {MAX_NODES:,} values in one document", self._mark())
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlLimitError(f"nested more than {MAX_DEPTH} levels deep", self._mark())
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1

    def _mark(self) -> yaml.Mark:
        return self.peek_event().start_mark  # type: ignore[attr-defined, no-any-return]

    def compose_document(self) -> Any:
        self._alias_count = 0
        self._depth = 0
        self._nodes = 0
        return super().compose_document()  # type: ignore[misc]


def _refuse_tag(loader: Any, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(
        None, None, f"YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not supported "
        "(Kubernetes YAML has no sets, ordered maps or binary values)", node.start_mark
    )


def _strict_int(loader: Any, node: Any) -> Any:
    if len(str(node.value)) > MAX_INT_CHARS:
        raise yaml.constructor.ConstructorError(
            None, None, f"integer longer than {MAX_INT_CHARS} characters", node.start_mark
        )
    try:
        value = yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:  # text the YAML 1.1 int pattern takes but int() does not: 0x_, 0b_
        raise yaml.constructor.ConstructorError(
            None, None, f"invalid integer {node.value!r}", node.start_mark
        ) from None
    if abs(value) >= MAX_NUMBER:
        raise yaml.constructor.ConstructorError(
            None, None, "integer too large for a number (beyond float64)", node.start_mark
        )
    return value


def _strict_float(loader: Any, node: Any) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_float(loader, node)
    except ValueError:  # text the YAML 1.1 float pattern takes but float() does not: ._
        raise yaml.constructor.ConstructorError(
            None, None, f"invalid number {node.value!r}", node.start_mark
        ) from None


class _StrictConstructor:
    """Rejects duplicate mapping keys and tags outside the Kubernetes subset; mixed into a loader
    before its constructor."""

    yaml_constructors: ClassVar[dict[str | None, Any]] = {
        **yaml.constructor.SafeConstructor.yaml_constructors,
        **{f"tag:yaml.org,2002:{name}": _refuse_tag for name in _UNSUPPORTED_TAGS},
        # Kubernetes manifests keep timestamps and dates as strings; so do we (JSON has no date type).
        "tag:yaml.org,2002:timestamp": yaml.constructor.SafeConstructor.construct_yaml_str,
        "tag:yaml.org,2002:int": _strict_int,
        "tag:yaml.org,2002:float": _strict_float,
    }

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
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc, no-any-return]


class _Strict(_StrictComposer, _StrictConstructor):
    """Both rules."""


class StrictLoader(_Strict, yaml.SafeLoader):
    """SafeLoader with the limits above (pure Python)."""


_CParser = getattr(getattr(yaml, "cyaml", None), "CParser", None)

if _CParser is not None:

    class FastStrictLoader(_Strict, yaml.composer.Composer, _CParser,  # type: ignore[misc, valid-type]
                           yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """StrictLoader's rules with libyaml's scanner and parser (several times faster).

        Only the events come from libyaml: composing (alias counting, depth), resolving and
        constructing (duplicate keys) are the same Python code as StrictLoader's, so documents
        load to the same values; syntax errors may be worded as libyaml words them.
        """

        def __init__(self, stream: Any) -> None:
            _CParser.__init__(self, stream)  # type: ignore[misc]
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    class AliasFreeLoader(_StrictConstructor, _CParser,  # type: ignore[misc, valid-type]
                          yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """For shallow text that holds no `&` or `*` at all, so no anchors or aliases: libyaml
        composes too (faster again); the constructor's rules are the same Python code."""

        def __init__(self, stream: Any) -> None:
            _CParser.__init__(self, stream)  # type: ignore[misc]
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    Loader: type = FastStrictLoader
    AliasFree: type = AliasFreeLoader
else:  # PyYAML built without libyaml
    Loader = StrictLoader
    AliasFree = StrictLoader

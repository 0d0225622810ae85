"""Strict, bounded YAML reading shared by the catalogue loader and the CLI's input reader.

PyYAML's SafeLoader accepts duplicate keys (the last one silently wins) and expands aliases
without limit ("billion laughs"). Kubernetes rejects duplicate keys, and so do we; aliases are
counted and a document that expands too many is refused before it can exhaust memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
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
    """Yield each document of a YAML stream; raises yaml.YAMLError on the first bad one. (The same
    reading as load_all_with_lines, below, which also says where each value sits.)"""
    for doc, _ in load_all_with_lines(text):
        yield doc


def load_one(text: str) -> Any:
    return _checked(yaml.load(text, Loader=_loader_for(text)), "")  # noqa: S506


def describe_error(exc: yaml.YAMLError) -> tuple[str, int | None]:
    """A YAML error as one line (PyYAML's own text spans several and names "<unicode string>"),
    and the 1-based line it points at."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        words = ", ".join(str(w) for w in (exc.context, exc.problem) if w)
        return words, None if mark is None else mark.line + 1
    text = " ".join(str(exc).split())
    where = _MARK_TEXT.search(text)
    if where is None:
        return text, None
    return text[: where.start()].removesuffix(" at"), int(where.group(1))


_MARK_TEXT = re.compile(r' in "<unicode string>", line (\d+), column \d+.*')


class LineTree:
    """Where a YAML value sits: its 1-based line, and the same for its children (by key or index;
    None for scalars). A mapping entry's line is its key's line (where `replicas:` is written), so
    a violation at a field points at the line a reader looks for. A plain slotted class: one is
    made per value read, so it is kept small and cheap to build."""

    __slots__ = ("children", "line")

    def __init__(self, line: int, children: dict[str | int, LineTree] | None = None) -> None:
        self.line = line
        self.children = children

    def child(self, step: str | int) -> LineTree | None:
        return None if self.children is None else self.children.get(step)

    def locate(self, path: Sequence[str | int]) -> int:
        """The line of the deepest part of `path` that exists (this value's own line at worst)."""
        tree = self
        for step in path:
            child = tree.child(step)
            if child is None:
                break
            tree = child
        return tree.line


def _line_tree(root: yaml.Node) -> LineTree:
    """Built without recursion; a node reached twice (an alias) is walked once."""
    top = LineTree(root.start_mark.line + 1)
    stack: list[tuple[yaml.Node, LineTree]] = [(root, top)]
    seen: set[int] = set()
    while stack:
        node, tree = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            tree.children = children = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    children[key.value] = child = LineTree(key.start_mark.line + 1)
                    stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            tree.children = children = {}
            for i, item in enumerate(node.value):
                children[i] = child = LineTree(item.start_mark.line + 1)
                stack.append((item, child))
    return top


def load_all_with_lines(text: str) -> Iterator[tuple[Any, LineTree]]:
    """As load_all, each document with its LineTree, from the same composed nodes (one pass)."""
    loader = _loader_for(text)(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            yield _checked(loader.construct_document(node), ""), _line_tree(node)
    finally:
        loader.dispose()


def line_trees(text: str) -> list[LineTree | None]:
    """One LineTree per document of a stream that the strict loader has already read (so composing
    it again is safe); an empty list when the text does not compose (JSON that YAML cannot read)."""
    try:
        nodes = list(yaml.compose_all(text, Loader=_ComposeLoader))
    except (yaml.YAMLError, RecursionError):
        return []
    return [None if node is None else _line_tree(node) for node in nodes]


_ComposeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

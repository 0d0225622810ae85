"""Replay the upstream example manifests (../shared/kubeflow/examples, kept outside the repository)
with what we know about them: documentation snippets upstream's own webhook would deny
(`v1-webhook-predictions.json`), Helm chart copies that are Go templates, snippets cut short with
`...`, and the runtimes each examples folder ships for its TrainJobs. The product's generic check
(`kfpolicy test --examples`) knows none of this; this module is for our test suite only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.inputs import Document, DocumentError, read_paths
from kfpolicy.report import CheckOutcome
from kfpolicy.runner import Evaluator


def _predicted_errors(examples: Path) -> dict[str, list[tuple[str, str]]]:
    """Snippets the upstream v1 webhook itself would deny (examples/v1-webhook-predictions.json)."""
    path = examples / "v1-webhook-predictions.json"
    if not path.is_file():
        return {}
    rows: list[Any] = json.loads(path.read_text(encoding="utf-8"))
    return {row[0].removeprefix("examples/"): [tuple(e) for e in row[3]] for row in rows if row[3]}


def _expect_deny(errors: list[tuple[str, str]], obj: dict[str, Any]) -> bool:
    """A missing name is no error when metadata.generateName is set: the API server generates the
    name before admission (EXAMPLES.md), so such snippets are admitted."""
    meta: dict[str, Any] = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
    if "generateName" in meta and "name" not in meta:
        errors = [e for e in errors if e[1] != "metadata.name"]
    return bool(errors)


RUNTIME_KINDS = ("TrainingRuntime", "ClusterTrainingRuntime")
# The rule that reports a TrainJob's missing runtime (TJ-2/TJ-3).
RUNTIME_EXISTS_RULE = "trainjob-runtime-exists"


def _example_runtimes(examples: Path) -> dict[str, list[dict[str, Any]]]:
    """Trainer runtimes per top-level examples folder (trainer-master, trainer-v2.2.0, ...): the
    referential data a TrainJob example needs. Documentation snippets come first, so the shipped
    manifests win when both define a runtime of the same name."""
    found: dict[str, list[tuple[bool, dict[str, Any]]]] = {}
    for path in sorted(examples.rglob("*.yaml")):
        rel = path.relative_to(examples)
        for item in read_paths([str(path)]):
            if isinstance(item, Document) and item.obj.get("kind") in RUNTIME_KINDS:
                found.setdefault(rel.parts[0], []).append(("snippets" not in rel.parts, item.obj))
    return {top: [obj for _, obj in sorted(objs, key=lambda x: x[0])] for top, objs in found.items()}


def _runtime_given(doc: Document, runtimes: list[dict[str, Any]]) -> bool:
    """Whether the examples hold a runtime of the name a TrainJob refers to (any namespace)."""
    spec: dict[str, Any] = doc.obj["spec"] if isinstance(doc.obj.get("spec"), dict) else {}
    ref: dict[str, Any] = spec["runtimeRef"] if isinstance(spec.get("runtimeRef"), dict) else {}
    kind = ref.get("kind") or "ClusterTrainingRuntime"
    name = ref.get("name")
    return any(r.get("kind") == kind and (r.get("metadata") or {}).get("name") == name for r in runtimes)


def _elided_snippet(path: Path) -> bool:
    """Docs snippets (under a snippets/ folder) that elide the rest of a manifest with a bare `...`
    line: YAML reads `...` as the end of the document, so the object parses but is truncated."""
    if "snippets" not in path.parts:
        return False
    return any(line.strip() == "..." for line in path.read_text(encoding="utf-8").splitlines())


def check_upstream_examples(cat: Catalogue, engine: str, modules: dict[str, str],
                            examples: Path) -> Iterator[CheckOutcome]:
    """Every upstream example job is admitted by the default profile, except the documentation
    snippets that upstream's own webhook would deny (those must be denied). Helm templates and
    other files that are not plain YAML are not jobs and are passed over. TrainJobs are checked
    with every runtime of their examples folder as inventory; a TrainJob whose runtime no example
    ships (a documentation snippet naming a site's own runtime) may only be denied for that."""
    if not examples.is_dir():
        return
    predicted = _predicted_errors(examples)
    evaluator = Evaluator(cat, engine=engine, modules=modules)
    runtimes = _example_runtimes(examples)
    with_runtimes = {
        top: Evaluator(cat, engine=engine, modules=modules, inventory=objs) for top, objs in runtimes.items()
    }
    for path in sorted(examples.rglob("*.yaml")):
        rel = path.relative_to(examples).as_posix()
        items = list(read_paths([str(path)]))
        if any(isinstance(i, DocumentError) for i in items):
            continue  # Go templates (Helm chart copies) and partial snippets do not parse
        if _elided_snippet(path):
            continue  # a docs snippet that cuts the manifest short with a `...` line is not a job
        docs = [i for i in items if isinstance(i, Document)]
        for doc in docs:
            kind = cat.kind_for(doc.obj.get("apiVersion"), doc.obj.get("kind"))
            if kind is None:
                continue
            top = path.relative_to(examples).parts[0]
            result = with_runtimes.get(top, evaluator).evaluate(doc)
            want_deny = _expect_deny(predicted.get(rel, []), doc.obj)
            ok = (result.decision == "deny") == want_deny
            if kind.kind == "TrainJob" and not want_deny and not _runtime_given(doc, runtimes.get(top, [])):
                ok = all(v.rule == RUNTIME_EXISTS_RULE for v in result.violations if v.enforcement == "deny")
            if kind.status == "skipped":
                ok = result.decision == "skip"
            expected = "deny" if want_deny else "not deny"
            msg = "" if ok else f"expected {expected}, got {result.decision}: " + "; ".join(
                v.msg for v in result.violations
            )
            name = f"{rel}#{doc.source.rsplit('#', 1)[1]}"
            yield CheckOutcome("upstream examples", name, ok, msg, kind=kind.kind)

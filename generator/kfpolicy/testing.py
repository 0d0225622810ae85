"""`kfpolicy test`: every rule's catalogue examples, the job corpus under tests/jobs/, and the
upstream example jobs in ../shared/kubeflow/examples, each checked on the chosen engine."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kfpolicy.admission import example_review
from kfpolicy.catalogue.model import Catalogue, Example, Rule
from kfpolicy.inputs import Document, DocumentError, read_paths
from kfpolicy.merge import member_object
from kfpolicy.render.rego import render_rego
from kfpolicy.report import CheckOutcome
from kfpolicy.runner import Evaluator, Result

Check = Callable[[], Iterator[CheckOutcome]]


def example_input(ex: Example) -> Document:
    """An example as the policies see it: a manifest, or an AdmissionReview when it has an operation."""
    if ex.operation == "CREATE" and ex.old_object is None:
        return Document(source=ex.name, obj=ex.object)
    review = example_review(ex, uid=ex.name)
    return Document(
        source=ex.name, obj=ex.object, operation=ex.operation, old_object=ex.old_object, rego_input=review
    )


def compare_example(ex: Example, result: Result) -> str:
    """'' when the result matches the example's expectation, else what differs."""
    got = {(v.type, v.field) for v in result.violations}
    want = {(v.type, v.field) for v in ex.violations}
    problems = []
    if got != want:
        problems.append(f"expected {sorted(want) or 'no violations'}, got {sorted(got) or 'no violations'}")
    msgs = {(v.type, v.field): v.msg for v in result.violations}
    for v in ex.violations:
        if v.msg is not None and (v.type, v.field) in msgs and msgs[(v.type, v.field)] != v.msg:
            problems.append(f"message for {v.field}: expected {v.msg!r}, got {msgs[(v.type, v.field)]!r}")
    return "; ".join(problems)


def check_rule_examples(cat: Catalogue, engine: str, modules: dict[str, str]) -> Iterator[CheckOutcome]:
    for rule in cat.rules_sorted():
        yield from _rule_examples(cat, rule, engine, modules)


def _rule_examples(
    cat: Catalogue, rule: Rule, engine: str, modules: dict[str, str]
) -> Iterator[CheckOutcome]:
    plain = None
    for ex in rule.examples:
        if ex.parameters is None and not ex.inventory:
            if plain is None:
                plain = Evaluator(cat, profile="all", engine=engine, only=[rule.id], modules=modules)
            evaluator = plain
        else:
            evaluator = Evaluator(
                cat,
                profile="all",
                engine=engine,
                only=[rule.id],
                modules=modules,
                inventory=ex.inventory,
                parameters={rule.id: ex.parameters} if ex.parameters is not None else None,
            )
        doc = example_input(ex)
        kind = (
            cat.kind_for(ex.object.get("apiVersion"), ex.object.get("kind"))
            if isinstance(ex.object, dict)
            else None
        )
        result = evaluator.evaluate(doc) if isinstance(ex.object, dict) else None
        problem = "example object is not a mapping" if result is None else compare_example(ex, result)
        yield CheckOutcome(group=f"rule {rule.id}", name=ex.name, passed=not problem, message=problem,
                           kind=kind.kind if kind else "")


def _header(path: Path) -> dict[str, str]:
    """`# key: value` lines at the top of a corpus file."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line[1:].partition(":")
        if sep:
            out[key.strip()] = value.strip()
    return out


def check_corpus(
    cat: Catalogue, engine: str, modules: dict[str, str], corpus: Path
) -> Iterator[CheckOutcome]:
    """tests/jobs/**.yaml: a header says `# expect: deny|warn|allow|skip`, optionally `# profile: P`,
    `# operation: UPDATE` (for AdmissionReview files) and `# rules: a, b` (rule ids that must fire)."""
    if not corpus.is_dir():
        return
    evaluators: dict[str, Evaluator] = {}
    for path in sorted(corpus.rglob("*.yaml")):
        head = _header(path)
        name = path.relative_to(corpus).as_posix()
        expect = head.get("expect")
        if expect not in ("deny", "warn", "allow", "skip"):
            yield CheckOutcome("corpus", name, False, "header needs `# expect: deny|warn|allow|skip`")
            continue
        profile = head.get("profile", cat.default_profile)
        if profile not in evaluators:
            evaluators[profile] = Evaluator(cat, profile=profile, engine=engine, modules=modules)
        must_fire = {r.strip() for r in head.get("rules", "").split(",") if r.strip()}
        for item in read_paths([str(path)]):
            if isinstance(item, DocumentError):
                yield CheckOutcome("corpus", str(item.source), False, item.message)
                continue
            result = evaluators[profile].evaluate(item)
            fired = {v.rule for v in result.violations}
            problems = []
            if result.decision != expect:
                problems.append(
                    f"expected {expect}, got {result.decision}: {[v.msg for v in result.violations]}"
                )
            if must_fire - fired:
                problems.append(f"rules that did not fire: {sorted(must_fire - fired)}")
            yield CheckOutcome("corpus", item.source.removeprefix(str(corpus) + "/"), not problems,
                               "; ".join(problems), kind=str(result.kind))


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
    meta = member_object(obj, "metadata")
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
    spec = member_object(doc.obj, "spec")
    ref = member_object(spec, "runtimeRef")
    kind = ref.get("kind") or "ClusterTrainingRuntime"
    return any(
        r.get("kind") == kind and (r.get("metadata") or {}).get("name") == ref.get("name") for r in runtimes
    )


def _elided_snippet(path: Path) -> bool:
    """Docs snippets (under a snippets/ folder) that elide the rest of a manifest with a bare `...`
    line: YAML reads `...` as the end of the document, so the object parses but is truncated."""
    if "snippets" not in path.parts:
        return False
    return any(line.strip() == "..." for line in path.read_text(encoding="utf-8").splitlines())


def check_upstream_examples(
    cat: Catalogue, engine: str, modules: dict[str, str], examples: Path
) -> Iterator[CheckOutcome]:
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
            msg = (
                ""
                if ok
                else f"expected {'deny' if want_deny else 'not deny'}, got {result.decision}: "
                + "; ".join(v.msg for v in result.violations)
            )
            yield CheckOutcome(
                "upstream examples", f"{rel}#{doc.source.rsplit('#', 1)[1]}", ok, msg, kind=kind.kind
            )


def run_checks(cat: Catalogue, *, engine: str, corpus: Path, examples: Path) -> list[CheckOutcome]:
    modules = render_rego(cat)
    outcomes: list[CheckOutcome] = []
    outcomes.extend(check_rule_examples(cat, engine, modules))
    outcomes.extend(check_corpus(cat, engine, modules, corpus))
    outcomes.extend(check_upstream_examples(cat, engine, modules, examples))
    # templates + gator suites, as Gatekeeper runs them
    from kfpolicy.gatekeeper.suite_runner import check_gatekeeper

    outcomes.extend(check_gatekeeper(cat, engine))
    return outcomes

"""`kfpolicy test`: every rule's catalogue examples, the job corpus under tests/jobs/, and a folder
of example jobs when one is given (`--examples`), each checked on the chosen engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from kfpolicy.admission import example_review
from kfpolicy.catalogue.model import Catalogue, Example, Rule
from kfpolicy.inputs import Document, DocumentError, read_paths
from kfpolicy.render.rego import render_rego
from kfpolicy.report import CheckOutcome
from kfpolicy.runner import Evaluator, Result, inventory_objects

Check = Callable[[], Iterator[CheckOutcome]]
EXAMPLES_GROUP = "examples"


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


def _rule_examples(cat: Catalogue, rule: Rule, engine: str,
                   modules: dict[str, str]) -> Iterator[CheckOutcome]:
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
        is_object = isinstance(ex.object, dict)
        kind = cat.kind_for(ex.object.get("apiVersion"), ex.object.get("kind")) if is_object else None
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


def check_corpus(cat: Catalogue, engine: str, modules: dict[str, str],
                 corpus: Path) -> Iterator[CheckOutcome]:
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
            if not isinstance(item, Document):
                yield CheckOutcome("corpus", str(item.source), False, f"not evaluated: {item.reason}")
                continue
            result = evaluators[profile].evaluate(item)
            fired = {v.rule for v in result.violations}
            problems = []
            if result.decision != expect:
                messages = [v.msg for v in result.violations]
                problems.append(f"expected {expect}, got {result.decision}: {messages}")
            if must_fire - fired:
                problems.append(f"rules that did not fire: {sorted(must_fire - fired)}")
            yield CheckOutcome("corpus", item.source.removeprefix(str(corpus) + "/"), not problems,
                               "; ".join(problems), kind=str(result.kind))


def check_examples(cat: Catalogue, engine: str, modules: dict[str, str],
                   examples: Path) -> Iterator[CheckOutcome]:
    """Every job under `examples` (YAML and JSON files, read like `kfpolicy eval` reads them) must
    be admitted by the default profile; the runtimes and other referential objects found there are
    the TrainJobs' inventory. A file that cannot be read is a failure; objects of kinds outside the
    catalogue are passed over."""
    items = list(read_paths([str(examples)]))
    inventory = inventory_objects(cat, (i.obj for i in items if isinstance(i, Document)))
    evaluator = Evaluator(cat, engine=engine, modules=modules, inventory=inventory)
    prefix = str(examples).rstrip("/") + "/"
    for item in items:
        if isinstance(item, DocumentError):
            yield CheckOutcome(EXAMPLES_GROUP, str(item.source).removeprefix(prefix), False, item.message)
            continue
        if not isinstance(item, Document):
            continue  # a Helm template, a JSON Patch or an empty file: not a job
        kind = cat.kind_for(item.obj.get("apiVersion"), item.obj.get("kind"))
        if kind is None:
            continue
        result = evaluator.evaluate(item)
        problem = "" if result.decision != "deny" else "expected not deny, got deny: " + "; ".join(
            v.msg for v in result.violations if v.enforcement == "deny")
        name = item.source.removeprefix(prefix)
        yield CheckOutcome(EXAMPLES_GROUP, name, not problem, problem, kind=kind.kind)


def run_checks(cat: Catalogue, *, engine: str, corpus: Path, examples: Path | None) -> list[CheckOutcome]:
    modules = render_rego(cat)
    outcomes: list[CheckOutcome] = []
    outcomes.extend(check_rule_examples(cat, engine, modules))
    outcomes.extend(check_corpus(cat, engine, modules, corpus))
    if examples is not None:
        outcomes.extend(check_examples(cat, engine, modules, examples))
    # templates + gator suites, as Gatekeeper runs them
    from kfpolicy.gatekeeper.suite_runner import check_gatekeeper

    outcomes.extend(check_gatekeeper(cat, engine))
    return outcomes

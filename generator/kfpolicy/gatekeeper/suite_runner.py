"""Run gator suites the way `gator verify` reads them, and `kfpolicy test`'s Gatekeeper part."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from kfpolicy.admission import admission_request
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.errors import KfpolicyError
from kfpolicy.gatekeeper.evaluate import Bound, CompiledTemplate, one_object, parse_docs, templates_by_kind
from kfpolicy.gatekeeper.lint import template_problems
from kfpolicy.gatekeeper.names import SUITE_API, SUITES
from kfpolicy.gatekeeper.render import render_gatekeeper
from kfpolicy.report import CheckOutcome
from kfpolicy.runner import inventory_tree

GROUP = "gatekeeper suites"


@dataclass(frozen=True)
class SuiteRun:
    outcomes: list[CheckOutcome]
    suites_run: int
    suite_files: int


def _assert(assertion: Mapping[str, Any], messages: Sequence[str]) -> str:
    pattern = assertion.get("message") or ""
    want = assertion.get("violations", "yes")
    if isinstance(want, bool):  # YAML 1.1 readers turn a bare yes/no into booleans
        want = "yes" if want else "no"
    hits = [m for m in messages if re.search(pattern, m)] if pattern else list(messages)
    if want == "yes" and not hits:
        return f"expected at least one violation{' matching ' + repr(pattern) if pattern else ''}, got none"
    if want == "no" and hits:
        return f"expected no violation{' matching ' + repr(pattern) if pattern else ''}, got {hits}"
    if isinstance(want, int) and len(hits) != want:
        matching = " matching " + repr(pattern) if pattern else ""
        return f"expected {want} violation(s){matching}, got {len(hits)}: {hits}"
    return ""


def run_suites(files: Mapping[str, str | bytes], *, engine: str = "embedded", root: str = SUITES) -> SuiteRun:
    """Run every gator Suite under root the way `gator verify <root>/...` does."""
    outcomes: list[CheckOutcome] = []
    suite_paths = sorted(p for p in files if p.startswith(root + "/") and p.endswith((".yaml", ".yml")))
    top_level = [p for p in suite_paths if "/" not in p[len(root) + 1:]]
    run = 0
    compiled: dict[str, CompiledTemplate] = {}
    for path in suite_paths:
        docs = parse_docs(files[path])
        suite = docs[0] if len(docs) == 1 and isinstance(docs[0], dict) else None
        if not suite or suite.get("apiVersion") != SUITE_API or suite.get("kind") != "Suite":
            continue  # gator verify silently ignores these
        run += 1
        suite_dir = posixpath.dirname(path)
        for test in suite.get("tests") or []:
            tname = f"{path.removeprefix(root + '/')}/{test.get('name')}"
            try:
                tpath = posixpath.normpath(posixpath.join(suite_dir, test["template"]))
                cpath = posixpath.normpath(posixpath.join(suite_dir, test["constraint"]))
                template, constraint = one_object(files, tpath), one_object(files, cpath)
                if constraint.get("kind") != template["spec"]["crd"]["spec"]["names"]["kind"]:
                    raise KfpolicyError(f"constraint kind {constraint.get('kind')} is not the template's")
                if tpath not in compiled:
                    compiled[tpath] = CompiledTemplate(template, engine)
                bound = Bound(constraint, compiled[tpath])
            except (KfpolicyError, KeyError, TypeError) as exc:
                outcomes.append(CheckOutcome(GROUP, tname, False, f"test cannot run: {exc}"))
                continue
            for case in test.get("cases") or []:
                cname = f"{tname}/{case.get('name')}"
                outcomes.append(CheckOutcome(GROUP, cname, *_run_case(files, suite_dir, bound, case)))
    if run != len(top_level):
        outcomes.append(CheckOutcome(GROUP, "suite count", False,
                                     f"{len(top_level)} suite files but {run} ran as gator Suites"))
    else:
        outcomes.append(CheckOutcome(GROUP, "suite count", True, ""))
    return SuiteRun(outcomes, run, len(top_level))


def _run_case(files: Mapping[str, str | bytes], suite_dir: str, bound: Bound,
              case: Mapping[str, Any]) -> tuple[bool, str]:
    try:
        objs = parse_docs(files[posixpath.normpath(posixpath.join(suite_dir, case["object"]))])
        if len(objs) != 1:
            return False, f"object file defines {len(objs)} objects"
        inventory: list[Any] = []
        for p in case.get("inventory") or []:
            inventory.extend(parse_docs(files[posixpath.normpath(posixpath.join(suite_dir, p))]))
        obj = objs[0]
        if obj.get("kind") == "AdmissionReview" and str(obj.get("apiVersion", "")).startswith(
            "admission.k8s.io/"
        ):
            review = dict(obj["request"])
        else:
            review = admission_request(obj, operation="")
        assertions = case.get("assertions") or []
        if not assertions:
            return False, "assertions must be non-empty"
        messages = [str(v.get("msg", "")) for v in bound.review(review, inventory_tree(inventory))]
    except (KeyError, TypeError, yaml.YAMLError, KfpolicyError) as exc:
        return False, f"case cannot run: {exc}"
    problems = [p for p in (_assert(a, messages) for a in assertions) if p]
    return not problems, "; ".join(problems)


def check_gatekeeper(cat: Catalogue, engine: str = "embedded") -> Iterator[CheckOutcome]:
    """`kfpolicy test`'s Gatekeeper part: every template is structurally valid and every suite passes."""
    files = render_gatekeeper(cat)
    for _, template in sorted(templates_by_kind(files).items()):
        problems = template_problems(template)
        yield CheckOutcome(
            GROUP, f"template {template['metadata']['name']}", not problems, "; ".join(problems)
        )
    yield from run_suites(files, engine=engine).outcomes

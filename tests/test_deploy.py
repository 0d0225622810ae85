"""deploy/webhook and deploy/opa: every kustomization's resources exist and are Kubernetes objects,
the webhook's safety settings, and OPA's system.main on real OPA against the webhook's answers.

No kustomize binary is installed here (Debian has no package for it); the checks below read the
files the way `kustomize build` would start: kustomization.yaml, then each resource it lists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kfpolicy.engine_input import input_json
from kfpolicy.engines.opa_golib import OpaGolibEngine
from kfpolicy.inputs import Document, read_paths
from kfpolicy.render.deploy import SYSTEM_MAIN, webhook_rules
from kfpolicy.render.rego import render_rego
from kfpolicy.runner import Evaluator
from kfpolicy.serve.command import serve_cmd
from kfpolicy.serve.review import response_for

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def _objects(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]


def _by_kind(folder: str) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    kustomization = _objects(DEPLOY / folder / "kustomization.yaml")[0]
    for resource in kustomization["resources"]:
        for obj in _objects(DEPLOY / folder / resource):
            found.setdefault(obj["kind"], []).append(obj)
    return found


@pytest.mark.parametrize("folder", ["webhook", "opa"])
def test_every_kustomization_resource_exists_and_holds_kubernetes_objects(folder):
    base = DEPLOY / folder
    kustomization = _objects(base / "kustomization.yaml")
    assert len(kustomization) == 1 and kustomization[0]["kind"] == "Kustomization"
    listed = kustomization[0]["resources"]
    files = sorted(p.name for p in base.iterdir() if p.name != "kustomization.yaml")
    assert sorted(listed) == files  # nothing listed is missing, nothing present is left out
    for resource in listed:
        objects = _objects(base / resource)
        assert objects, resource
        for obj in objects:
            assert (
                (isinstance(obj.get("apiVersion"), str)
                and "/" in obj["apiVersion"])
                or obj["apiVersion"] == "v1"
            )
            assert isinstance(obj.get("kind"), str) and obj["metadata"]["name"], (resource, obj)


@pytest.mark.parametrize("folder", ["webhook", "opa"])
def test_the_admission_webhook_fails_closed_without_locking_out_the_cluster(folder, catalogue):
    objects = _by_kind(folder)
    (config,) = objects["ValidatingWebhookConfiguration"]
    (namespace,) = objects["Namespace"]
    (hook,) = config["webhooks"]
    assert hook["failurePolicy"] == "Fail" and hook["sideEffects"] == "None"
    assert hook["admissionReviewVersions"] == ["v1"] and 1 <= hook["timeoutSeconds"] <= 10
    (selector,) = hook["namespaceSelector"]["matchExpressions"]
    assert selector["key"] == "kubernetes.io/metadata.name" and selector["operator"] == "NotIn"
    assert {"kube-system", namespace["metadata"]["name"]} <= set(selector["values"])
    (service,) = objects["Service"]
    assert hook["clientConfig"]["service"]["name"] == service["metadata"]["name"]
    assert hook["rules"] == webhook_rules(catalogue)
    covered = {
        (g, v, r["resources"][0]) for r in hook["rules"] for g in r["apiGroups"] for v in r["apiVersions"]
    }
    for kind in catalogue.kinds.values():
        for version in kind.versions:
            expected = kind.status != "skipped"
            assert ((kind.group, version, kind.kind.lower() + "s") in covered) is expected, kind.id


def test_webhook_deployment_is_hardened_and_its_arguments_parse(catalogue):
    objects = _by_kind("webhook")
    (deployment,) = objects["Deployment"]
    spec = deployment["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert deployment["spec"]["replicas"] == 2
    assert spec["affinity"]["podAntiAffinity"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["resources"]["requests"] and container["resources"]["limits"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert objects["PodDisruptionBudget"][0]["spec"]["minAvailable"] == 1
    args = container["args"]
    assert args[0] == "serve"
    ctx = serve_cmd.make_context("serve", args[1:])
    (service,) = objects["Service"]
    (config,) = objects["ValidatingWebhookConfiguration"]
    assert ctx.params["service_name"] == service["metadata"]["name"]
    assert ctx.params["service_namespace"] == service["metadata"]["namespace"]
    assert ctx.params["webhook_config"] == config["metadata"]["name"]
    assert ctx.params["profile"] in catalogue.profiles


def test_webhook_rbac_reads_runtimes_and_patches_only_its_own_configuration():
    objects = _by_kind("webhook")
    (role,) = objects["ClusterRole"]
    (config,) = objects["ValidatingWebhookConfiguration"]
    rules = {tuple(r["resources"]): r for r in role["rules"]}
    assert rules[("trainingruntimes", "clustertrainingruntimes")]["verbs"] == ["get", "list", "watch"]
    own = rules[("validatingwebhookconfigurations",)]
    assert own["verbs"] == ["get", "patch"] and own["resourceNames"] == [config["metadata"]["name"]]


def test_opa_policy_configmap_holds_every_module_and_system_main(catalogue):
    objects = _by_kind("opa")
    (configmap,) = objects["ConfigMap"]
    assert configmap["metadata"]["labels"] == {"openpolicyagent.org/policy": "rego"}
    modules = configmap["data"]
    assert modules["system.main.rego"] == SYSTEM_MAIN.read_text(encoding="utf-8")
    assert set(modules) - {"system.main.rego"} == {
        p.removeprefix("rego/").replace("/", ".") for p in render_rego(catalogue)
    }


# --- system.main on real OPA ------------------------------------------------------------------------


def _replicated(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """kube-mgmt's layout: data.kubernetes.<plural>[namespace][name], or [name] when cluster-scoped."""
    out: dict[str, Any] = {"trainingruntimes": {}, "clustertrainingruntimes": {}}
    for obj in objects:
        meta = obj["metadata"]
        if obj["kind"] == "TrainingRuntime":
            out["trainingruntimes"].setdefault(meta.get("namespace", "default"), {})[meta["name"]] = obj
        elif obj["kind"] == "ClusterTrainingRuntime":
            out["clustertrainingruntimes"][meta["name"]] = obj
    return out


def _cases(catalogue) -> tuple[list[tuple[str, dict[str, Any]]], list[dict[str, Any]]]:
    """AdmissionReviews from the corpus and every rule example, and one runtime inventory merged from
    the examples (an example whose runtimes clash with ones already taken is left out)."""
    inventory: dict[tuple[str, str, str], dict[str, Any]] = {}
    reviews = []
    for rule in catalogue.rules_sorted():
        for example in rule.examples:
            if example.parameters or not isinstance(example.object, dict):
                continue
            keys = {
                (o["kind"], o["metadata"].get("namespace", "default"), o["metadata"]["name"]): o
                for o in example.inventory
                if o.get("kind") in ("TrainingRuntime", "ClusterTrainingRuntime")
            }
            if any(k in inventory and inventory[k] != o for k, o in keys.items()):
                continue
            inventory.update(keys)
            request: dict[str, Any] = {
                "uid": f"{rule.id}/{example.name}",
                "operation": example.operation,
                "object": example.object,
            }
            if example.old_object is not None:
                request["oldObject"] = example.old_object
            reviews.append(
                (
                    request["uid"],
                    {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request},
                )
            )
    for i, doc in enumerate(d for d in read_paths([str(ROOT / "tests" / "jobs")]) if isinstance(d, Document)):
        body = (
            doc.rego_input
            if isinstance(doc.rego_input, dict)
            else {
                "apiVersion": "admission.k8s.io/v1",
                "kind": "AdmissionReview",
                "request": {"uid": f"corpus-{i}", "operation": "CREATE", "object": doc.obj},
            }
        )
        body = json.loads(json.dumps(body))
        body["request"]["uid"] = f"corpus-{i}"
        reviews.append((f"corpus-{i}", body))
    return reviews, list(inventory.values())


def test_opa_system_main_answers_like_the_webhook(catalogue):
    reviews, runtimes = _cases(catalogue)
    assert len(reviews) > 150 and len(runtimes) >= 5
    opa = OpaGolibEngine()
    opa.load(
        {**render_rego(catalogue), "system/main.rego": SYSTEM_MAIN.read_text(encoding="utf-8")},
        {"kubernetes": _replicated(runtimes)},
    )
    webhook = Evaluator(catalogue, inventory=runtimes)
    decisions = set()
    for uid, body in reviews:
        (doc,) = [d for d in read_paths_json(body) if isinstance(d, Document)]
        expected = response_for(uid, webhook.evaluate(doc))
        answer = opa.evaluate("data.system.main", input_json(body))
        assert answer == expected, uid
        decisions.add(expected["response"]["allowed"])
    assert decisions == {True, False}


def read_paths_json(body: dict[str, Any]) -> list[Any]:
    from kfpolicy.inputs import read_text

    return list(read_text(json.dumps(body), "review", is_json=True))

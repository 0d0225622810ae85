"""Kinds come in groups: a framework kind joins `replica-jobs` in one kinds.yaml entry and every rule
that names the group applies to it, with no rule edited. Rules declare what they read (`reads:`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kfpolicy.catalogue import Catalogue, load_catalogue
from kfpolicy.errors import CatalogueError
from kfpolicy.gatekeeper.evaluate import GatekeeperEvaluator
from kfpolicy.gatekeeper.templates import sync_kinds
from kfpolicy.inputs import Document
from kfpolicy.runner import Evaluator

# One entry, as a user would add a framework the catalogue does not know yet.
FAKE_KIND = """\
kinds:
  fakejob:
    group: example.com
    versions: [v1]
    kind: FakeJob
    status: supported
    groups: [replica-jobs]
    replica_specs: fakeReplicaSpecs
    container: fake
    replica_types: [Master, Worker]
"""

NEGATIVE_WORKERS = {
    "apiVersion": "example.com/v1",
    "kind": "FakeJob",
    "metadata": {"name": "fake", "namespace": "team"},
    "spec": {"fakeReplicaSpecs": {"Worker": {
        "replicas": -1, "template": {"spec": {"containers": [{"name": "fake", "image": "fake:1"}]}}}}},
}
FIELD = "spec.fakeReplicaSpecs[Worker].replicas"


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    folder = tmp_path_factory.mktemp("site-kinds")
    (folder / "kinds.yaml").write_text(FAKE_KIND, encoding="utf-8")
    return load_catalogue([folder])


def test_group_rules_apply_to_the_new_kind(catalogue: Catalogue, extended: Catalogue) -> None:
    in_group = [
        r
        for r in catalogue.rules_sorted()
        if "replica-jobs" in yaml.safe_load((r.directory / "rule.yaml").read_text(encoding="utf-8"))["kinds"]
    ]
    assert len(in_group) >= 15
    for rule in in_group:
        assert "fakejob" in extended.rules[rule.id].kinds, rule.id
    # kinds not in the group stay out
    assert "fakejob" not in extended.rules["master-replicas-one"].kinds
    assert all("fakejob" not in r.kinds for r in catalogue.rules_sorted())


@pytest.mark.parametrize("engine", ["embedded", "opa"])
def test_replica_rule_fires_on_the_new_kind(extended: Catalogue, engine: str) -> None:
    result = Evaluator(extended, engine=engine).evaluate(Document(source="fake.yaml", obj=NEGATIVE_WORKERS))
    assert result.decision == "deny"
    assert ("replicas-non-negative", FIELD) in {(v.rule, v.field) for v in result.violations}
    allowed = {**NEGATIVE_WORKERS, "spec": {"fakeReplicaSpecs": {"Worker": {
        "replicas": 2, "template": {"spec": {"containers": [{"name": "fake", "image": "fake:1"}]}}}}}}
    assert (
        Evaluator(extended, engine=engine).evaluate(Document(source="ok.yaml", obj=allowed)).decision
        == "allow"
    )


def test_gatekeeper_matches_the_new_kind(extended: Catalogue) -> None:
    result = GatekeeperEvaluator(extended).evaluate(Document(source="fake.yaml", obj=NEGATIVE_WORKERS))
    assert ("replicas-non-negative", FIELD) in {(v.rule, v.field) for v in result.violations}


def test_reads_drive_sync_kinds(catalogue: Catalogue) -> None:
    rule = catalogue.rules["trainjob-volcano-priority-class"]
    assert {k for _, _, k in sync_kinds(catalogue, rule)} == {
        "TrainingRuntime", "ClusterTrainingRuntime", "PriorityClass"}
    assert sync_kinds(catalogue, catalogue.rules["replicas-non-negative"]) == []


def test_unknown_reads_and_groups_name_the_file(tmp_path: Path) -> None:
    rule_dir = tmp_path / "rules" / "reads-nothing-known"
    rule_dir.mkdir(parents=True)
    template = Path(load_catalogue().rules["replicas-non-negative"].directory)
    text = (template / "rule.yaml").read_text(encoding="utf-8").replace(
        "id: replicas-non-negative", "id: reads-nothing-known")
    (rule_dir / "rule.yaml").write_text(
        text.replace("kinds: [replica-jobs]", "kinds: [replica-jobs]\nreads: [Secret]"), encoding="utf-8"
    )
    rego = (
        (template / "rule.rego")
        .read_text(encoding="utf-8")
        .replace("replicas_non_negative", "reads_nothing_known")
    )
    (rule_dir / "rule.rego").write_text(rego, encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"rule\.yaml: reads: unknown kind 'Secret'"):
        load_catalogue([tmp_path])
    (rule_dir / "rule.yaml").write_text(
        text.replace("kinds: [replica-jobs]", "kinds: [gpu-jobs]"), encoding="utf-8"
    )
    with pytest.raises(CatalogueError, match=r"rule\.yaml: kinds: unknown kind 'gpu-jobs'"):
        load_catalogue([tmp_path])

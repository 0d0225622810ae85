"""A user's catalogue folder for tests: one complete rule (every pod template must carry a `team`
label) that a test changes field by field, written to a folder, and the error loading it raises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kfpolicy.catalogue import load_catalogue
from kfpolicy.errors import CatalogueError

# A small but complete user rule: every pod template must carry a `team` label.
USER_RULE_ID = "team-label-required"
USER_RULE_REGO = (Path(__file__).parent / "rego" / "team_label_required.rego").read_text(encoding="utf-8")


def _job(labels: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "labelled"}
    if labels is not None:
        meta["labels"] = labels
    return {
        "apiVersion": "kubeflow.org/v1",
        "kind": "TFJob",
        "metadata": meta,
        "spec": {"tfReplicaSpecs": {"Worker": {"replicas": 1, "template": {"spec": {
            "containers": [{"name": "tensorflow", "image": "tensorflow/tensorflow:2.15.0"}]}}}}},
    }


def user_rule_yaml(**changes: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": USER_RULE_ID,
        "title": "Jobs name their team",
        "description": "Every job carries a `team` label, for chargeback.",
        "stage": "values",
        "enforcement": "deny",
        "operations": ["CREATE", "UPDATE"],
        "kinds": ["tfjob", "pytorchjob"],
        "profiles": ["baseline", "restricted"],
        "examples": [
            {"name": "labelled", "object": _job({"team": "vision"}), "violations": []},
            {
                "name": "unlabelled",
                "object": _job(),
                "violations": [{
                    "type": "FieldValueRequired",
                    "field": "metadata.labels[team]",
                    "msg": "metadata.labels[team]: Required value: every job must name its team",
                }],
            },
        ],
    }
    rule.update(changes)
    return {k: v for k, v in rule.items() if v is not None}


def write_user_catalogue(root: Path, rule: dict[str, Any] | str | None = None, rego: str = USER_RULE_REGO,
                         folder: str = USER_RULE_ID) -> Path:
    """A user catalogue folder with one rule; returns the rule.yaml path."""
    rule_dir = root / "rules" / folder
    rule_dir.mkdir(parents=True, exist_ok=True)
    text = rule if isinstance(rule, str) else yaml.safe_dump(rule or user_rule_yaml(), sort_keys=False)
    (rule_dir / "rule.yaml").write_text(text, encoding="utf-8")
    (rule_dir / "rule.rego").write_text(rego, encoding="utf-8")
    return rule_dir / "rule.yaml"


def load_error(folder: Path) -> str:
    with pytest.raises(CatalogueError) as info:
        load_catalogue([folder])
    return str(info.value)

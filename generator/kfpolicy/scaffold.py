"""`kfpolicy new rule`: write a working rule folder (YAML, Rego, examples) to start from."""

from __future__ import annotations

import re
from pathlib import Path

from kfpolicy.errors import KfpolicyError
from kfpolicy.render.templating import render_template

ID_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

RULE_YAML = """\
id: {id}
title: {title}
description: >-
  Describe what this rule checks and the message it gives. This scaffold denies jobs that carry the
  annotation `{annotation}`; replace the example check in rule.rego with yours.
rationale: >-
  Why the check matters to your platform.
stage: values
enforcement: deny
operations: [CREATE, UPDATE]
kinds: [{kinds}]
profiles: [baseline, restricted]
examples:
  - name: allowed-without-annotation
    object:
      apiVersion: kubeflow.org/v1
      kind: PyTorchJob
      metadata: {{name: ok}}
      spec:
        pytorchReplicaSpecs:
          Master:
            replicas: 1
            template: {{spec: {{containers: [{{name: pytorch, image: pytorch:2}}]}}}}
    violations: []
  - name: denied-with-annotation
    object:
      apiVersion: kubeflow.org/v1
      kind: PyTorchJob
      metadata:
        name: bad
        annotations: {{"{annotation}": "yes"}}
      spec:
        pytorchReplicaSpecs:
          Master:
            replicas: 1
            template: {{spec: {{containers: [{{name: pytorch, image: pytorch:2}}]}}}}
    violations:
      - type: FieldValueForbidden
        field: metadata.annotations[{annotation}]
        msg: "metadata.annotations[{annotation}]: Forbidden: is not allowed on training jobs"
"""

def new_rule(catalogue_dir: Path, rule_id: str, kinds: list[str]) -> Path:
    if not ID_RE.match(rule_id):
        raise KfpolicyError(f"rule id {rule_id!r}: use kebab-case, e.g. my-team-label-required")
    folder = catalogue_dir / "rules" / rule_id
    if folder.exists():
        raise KfpolicyError(f"{folder}: already exists")
    title = rule_id.replace("-", " ").capitalize()
    values = {
        "id": rule_id,
        "snake": rule_id.replace("-", "_"),
        "title": title,
        # The scaffold's examples are PyTorchJobs, so the rule starts out applying to them.
        "kinds": ", ".join(["pytorchjob", *[k for k in kinds if k != "pytorchjob"]]),
        "annotation": f"example.com/{rule_id}",
    }
    folder.mkdir(parents=True)
    (folder / "rule.yaml").write_text(RULE_YAML.format(**values), encoding="utf-8")
    (folder / "rule.rego").write_text(render_template("scaffold/rule.rego.j2", **values), encoding="utf-8")
    return folder

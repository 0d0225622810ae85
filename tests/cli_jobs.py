"""The CLI tests' jobs and helpers: a denied TFJob, a clean PyTorchJob, a kind kfpolicy does not
check, and the CLI run in-process (`run`, `eval_json`) over files written to a folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from kfpolicy.cli import cli

REPLICAS_NEGATIVE = """\
apiVersion: kubeflow.org/v1
kind: TFJob
metadata: {name: neg, namespace: ml}
spec:
  tfReplicaSpecs:
    Worker:
      replicas: -1
      template:
        spec:
          containers: [{name: tensorflow, image: tensorflow/tensorflow:2.15.0}]
"""

CLEAN = """\
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: clean}
spec:
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      template:
        spec:
          containers:
            - name: pytorch
              image: pytorch/pytorch:2.3.0
              resources:
                requests: {cpu: "1", memory: 1Gi}
                limits: {cpu: "1", memory: 1Gi}
"""

UNKNOWN_KIND = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: other}\nspec: {}\n"


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def eval_json(*args: str, stdin: str | None = None) -> tuple[int, dict[str, Any]]:
    result = run("eval", "--output", "json", *args, stdin=stdin)
    assert "Traceback" not in result.output, result.output
    return result.exit_code, json.loads(result.stdout)

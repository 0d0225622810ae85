"""`kfpolicy eval --profile` and `--parameters`: restricted requires limits and caps GPUs where
baseline does not, and parameters move the caps and the required resources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_jobs import CLEAN, eval_json, write

# --- profiles and parameters ------------------------------------------------------------------

NO_LIMITS = CLEAN.replace('                limits: {cpu: "1", memory: 1Gi}\n', "")
GPUS = CLEAN.replace('limits: {cpu: "1", memory: 1Gi}', 'limits: {cpu: "1", memory: 1Gi, nvidia.com/gpu: 12}')


def _rules(out: dict[str, Any]) -> set[str]:
    return {v["rule"] for r in out["results"] for v in r["violations"]}


def test_restricted_requires_limits_baseline_does_not(tmp_path: Path) -> None:
    path = write(tmp_path, "job.yaml", NO_LIMITS)
    assert eval_json(path)[0] == 0
    code, out = eval_json("--profile", "restricted", path)
    assert code == 1
    assert [v["field"] for v in out["results"][0]["violations"]] == [
        "spec.pytorchReplicaSpecs[Master].template.spec.containers[0].resources.limits[cpu]",
        "spec.pytorchReplicaSpecs[Master].template.spec.containers[0].resources.limits[memory]",
    ]


def test_restricted_caps_gpus_and_parameters_move_the_cap(tmp_path: Path) -> None:
    path = write(tmp_path, "job.yaml", GPUS)
    assert eval_json(path)[0] == 0
    code, out = eval_json("--profile", "restricted", path)
    assert code == 1 and _rules(out) == {"resource-limit-caps"}
    assert out["results"][0]["violations"][0]["msg"].endswith(
        'resources.limits[nvidia.com/gpu]: Invalid value: "12": must be less than or equal to 8'
    )
    params = write(tmp_path, "params.yaml", 'resource-limit-caps:\n  max_limits: {nvidia.com/gpu: "16"}\n')
    assert eval_json("--profile", "restricted", "--parameters", params, path)[0] == 0


def test_parameters_change_the_required_resources(tmp_path: Path) -> None:
    path = write(tmp_path, "job.yaml", CLEAN)
    assert eval_json("--profile", "restricted", path)[0] == 0
    params = write(
        tmp_path, "params.json", json.dumps({"resources-required": {"resources": ["ephemeral-storage"]}})
    )
    code, out = eval_json("--profile", "restricted", "--parameters", params, path)
    assert code == 1
    assert {v["field"].rsplit(".", 1)[1] for v in out["results"][0]["violations"]} == {
        "requests[ephemeral-storage]",
        "limits[ephemeral-storage]",
    }

"""One manifest, one process: what each iteration of a shell loop of `opa eval` calls does.

    python benchmarks/one_shot.py rego/ job.yaml

Loads every module under the generated rego/ folder into the embedded engine, reads one YAML
manifest and prints data.kubeflow.violation. No catalogue, no CLI: the least a process must do.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import regorus
import yaml


def main(rego_dir: str, manifest: str) -> int:
    engine = regorus.Engine()
    for path in sorted(Path(rego_dir).rglob("*.rego")):
        engine.add_policy(str(path), path.read_text(encoding="utf-8"))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    engine.set_input_json(json.dumps(yaml.load(Path(manifest).read_text(encoding="utf-8"), Loader=loader)))
    print(engine.eval_query_as_json("data.kubeflow.violation"))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))

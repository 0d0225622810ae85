"""Every attack of benchmarks/attacks.py as a regression test: the run ends with exit 0, 1 or 2
within its time limit, names the bad input, and every other document keeps its result.
(The soak prints the same attacks' times and peak RSS; no timing is asserted here beyond the
attack's own hang limit.)"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _attacks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kfpolicy_attacks", ROOT / "benchmarks" / "attacks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ATTACKS = _attacks()


@pytest.mark.parametrize("name", sorted(ATTACKS.ATTACKS))
def test_attack_is_survived(name: str, tmp_path: Path) -> None:
    outcome = ATTACKS.run_attack(name, tmp_path)
    for path in tmp_path.rglob("*"):  # let pytest clean up folders an attack locked
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    assert outcome.problems == [], outcome

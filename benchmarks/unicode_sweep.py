"""Every code point from U+0080 up, through the library's "can this character be shown" check
(core.odd_text) on real OPA and the embedded engine: prints the code points they judge
differently (OPA's Go Unicode tables and the embedded engine's are of different versions).

    python benchmarks/unicode_sweep.py    # about 1-3 minutes
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

QUERY = "[i | some i, c in input.chars; data.lib.kubeflow.core.odd_text(c)]"
STEP = 8192


def differences(start: int = 0x80, end: int = 0x110000) -> list[int]:
    import fuzzgen
    from kfpolicy.catalogue import load_catalogue

    pair = fuzzgen.EnginePair(load_catalogue(), "all")
    found: list[int] = []
    for first in range(start, end, STEP):
        points = [c for c in range(first, min(first + STEP, end)) if not 0xD800 <= c <= 0xDFFF]
        outcome = pair.run(QUERY, {"chars": [chr(c) for c in points]})
        if not outcome.agree:
            opa = set(json.loads(outcome.opa))
            embedded = set(json.loads(outcome.interpreter or outcome.embedded))
            found.extend(points[i] for i in sorted(opa ^ embedded))
    return found


def main() -> int:
    started = time.monotonic()
    found = differences()
    print(f"code points judged differently: {len(found)} {[hex(c) for c in found[:50]]}")
    print(f"time: {time.monotonic() - started:.0f} s")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

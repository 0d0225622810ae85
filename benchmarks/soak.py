"""Soak run: N generated inputs (default 100,000) on the embedded engine (compiled mode and
interpreter) and real OPA.

    python benchmarks/soak.py                 # 100,000 inputs, one worker process per CPU
    python benchmarks/soak.py -n 5000 -w 1    # a shorter run

The inputs come from the same generators as tests/test_fuzz.py (tests/fuzzgen/): valid, broken
and type-confused objects of every kind, as manifests, AdmissionReviews and Gatekeeper reviews.
For every input both engines answer data.kubeflow.violation; every 10th input also deny, warn and
admission.response, and is evaluated twice (determinism). Prints how many inputs, engine errors,
disagreements, non-deterministic answers and field paths not in the object it saw, and the time.
`--save DIR` writes the first failing inputs there as JSON for replay.

    python benchmarks/soak.py --attacks       # the hostile trees and servers of attacks.py instead:
                                              # exit code, seconds and peak RSS per attack
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

COUNTERS = ("inputs", "errors", "disagreements", "nondeterministic", "field_problems", "compiled_fallbacks")


def worker(args: tuple[int, int, int, str, int]) -> dict[str, Any]:
    index, count, seed, profile, max_containers = args
    import fuzzgen
    from kfpolicy.catalogue import load_catalogue

    cat = load_catalogue()
    pair = fuzzgen.EnginePair(cat, profile, fuzzgen.inventory(cat))
    quirks = fuzzgen.quirk_fields(cat)
    src = fuzzgen.RandomSource(Random(f"{seed}/{index}"))
    stats: dict[str, Any] = dict.fromkeys(COUNTERS, 0)
    failures: list[dict[str, Any]] = []
    for i in range(count):
        rego_input = fuzzgen.generate(src, cat, max_containers=max_containers)
        stats["inputs"] += 1
        full = i % 10 == 0
        queries = fuzzgen.QUERIES if full else fuzzgen.QUERIES[:1]
        problems = []
        handed_over = sum(pair.compiled_fallbacks().values())
        outcomes = list(pair.check(rego_input, queries))
        if sum(pair.compiled_fallbacks().values()) > handed_over:
            stats["compiled_fallbacks"] += 1
            problems.append(
                f"the compiled mode handed this input to the interpreter: {pair.compiled_fallbacks()}"
            )
        for outcome in outcomes:
            if outcome.error:
                stats["errors"] += 1
                problems.append(f"error on {outcome.query}: {outcome.error[:500]}")
            elif not outcome.agree:
                stats["disagreements"] += 1
                problems.append(f"disagreement on {outcome.query}")
        if full:
            for name, ev in pair.engines.items():
                try:
                    a = fuzzgen.canonical(ev.query("data.kubeflow.violation", rego_input))
                    b = fuzzgen.canonical(ev.query("data.kubeflow.violation", rego_input))
                except Exception:
                    continue
                if a != b:
                    stats["nondeterministic"] += 1
                    problems.append(f"{name}: not deterministic")
        first = outcomes[0]
        violations = json.loads(first.embedded) if not first.error and first.embedded.startswith("[") else []
        obj = fuzzgen.object_of(rego_input)
        for v in violations:
            d = v.get("details", {})
            problem = fuzzgen.field_problem(
                obj, d.get("field", ""), d.get("type", ""), quirks, d.get("value")
            )
            if problem:
                stats["field_problems"] += 1
                problems.append(f"rule {d.get('rule')}: {problem}")
        if problems and len(failures) < 20:
            failures.append({"problems": problems, "input": rego_input})
    stats["failures"] = failures
    stats["instruction_limit"] = pair.embedded.engine.fallbacks.get("instruction-limit", 0)  # type: ignore[attr-defined]
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=100_000, help="number of inputs (default 100000)")
    parser.add_argument("-w", "--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--profile", default="all")
    parser.add_argument("--max-containers", type=int, default=200, help="cap on generated container lists")
    parser.add_argument("--chunk", type=int, default=1000, help="inputs per task")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="seconds; stop after the chunk that passes it and report what ran")
    parser.add_argument("--save", type=Path, default=None, help="folder for the first failing inputs")
    parser.add_argument("--attacks", action="store_true", help="run the attacks of attacks.py and stop")
    args = parser.parse_args(argv)
    if args.attacks:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import attacks

        return attacks.main([])

    import fuzzgen  # only for the version line: the OPA library is loaded in the workers, never here

    versions = fuzzgen.engine_versions()
    print("engines: " + ", ".join(f"{k} {v}" for k, v in versions.items()), flush=True)
    tasks, left, index = [], args.n, 0
    while left > 0:
        size = min(args.chunk, left)
        tasks.append((index, size, args.seed, args.profile, args.max_containers))
        left -= size
        index += 1
    totals: dict[str, int] = dict.fromkeys((*COUNTERS, "instruction_limit"), 0)
    failures: list[dict[str, Any]] = []
    started = time.monotonic()
    # spawn, not fork: the Go runtime inside the OPA library does not survive a fork.
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        for stats in pool.imap_unordered(worker, tasks):
            for c in totals:
                totals[c] += stats[c]
            failures.extend(stats["failures"])
            elapsed = time.monotonic() - started
            print(
                f"  {totals['inputs']:>7} inputs  {totals['errors']} errors  "
                f"{totals['disagreements']} disagreements"
                f"  ({elapsed:.0f} s)",
                flush=True,
            )
            if args.time_limit is not None and elapsed > args.time_limit:
                print(f"time limit of {args.time_limit:.0f} s reached: stopping early", flush=True)
                pool.terminate()
                break
    elapsed = time.monotonic() - started
    print(f"inputs: {totals['inputs']} (of {args.n} asked)")
    print(f"engine errors: {totals['errors']}")
    print(f"disagreements: {totals['disagreements']}")
    print(f"non-deterministic answers: {totals['nondeterministic']}")
    print(f"violation fields not in the object: {totals['field_problems']}")
    print(f"inputs the compiled mode handed to the interpreter, other than for its instruction budget: "
          f"{totals['compiled_fallbacks']} (for the budget: {totals['instruction_limit']} evaluations)")
    print(
        f"time: {elapsed:.1f} s ({totals['inputs'] / elapsed:.0f} inputs/s, {args.workers} workers, "
        f"profile {args.profile})"
    )
    if failures:
        print("first problems:")
        for f in failures[:10]:
            for p in f["problems"][:3]:
                print(f"  - {p[:300]}")
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            for i, f in enumerate(failures):
                (args.save / f"failure-{i:03d}.json").write_text(json.dumps(f, indent=1), encoding="utf-8")
            print(f"failing inputs written to {args.save}")
    bad = (totals["errors"] + totals["disagreements"] + totals["nondeterministic"] + totals["field_problems"]
           + totals["compiled_fallbacks"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

"""Generated inputs for the cross-engine fuzz tests (tests/test_fuzz.py) and the soak run
(benchmarks/soak.py): valid jobs of every kind in catalogue/kinds.yaml, jobs with one field
broken, and type-confused jobs; plus the checks both use (engine pair, field-path resolver).

Every generator draws its choices from a `Source` (sources.py), so one generator serves two drivers:
`HypothesisSource` (tests: hypothesis shrinks failures) and `RandomSource` (soak: fast, seeded).
Leaf values (leaves.py) and the parts every kind shares (pods.py) build whole objects per kind
family (v1_jobs.py, trainer.py); mutations.py breaks and confuses them, inputs.py wraps them as
rego inputs; fields.py resolves field paths, engines.py runs two engines side by side.
"""

from __future__ import annotations

from .engines import QUERIES, EnginePair, Outcome, canonical, engine_versions
from .fields import existing_prefix, field_problem, object_of, pattern_of, quirk_fields, resolve
from .inputs import MODES, generate, strategy, valid_object, wrap
from .mutations import break_one, confuse, nested
from .sources import HypothesisSource, RandomSource, Source
from .trainer import inventory

__all__ = [
    "MODES",
    "QUERIES",
    "EnginePair",
    "HypothesisSource",
    "Outcome",
    "RandomSource",
    "Source",
    "break_one",
    "canonical",
    "confuse",
    "engine_versions",
    "existing_prefix",
    "field_problem",
    "generate",
    "inventory",
    "nested",
    "object_of",
    "pattern_of",
    "quirk_fields",
    "resolve",
    "strategy",
    "valid_object",
    "wrap",
]
